// Property-based fuzzing of the command engine: command lines built from the real command words,
// mutated, padded with control characters, very long, or decoded from invalid UTF-8 as the script
// front end decodes stdin; dialogs get random answers or Ctrl-C. Every line ends in a result or a
// CUCM-style error (never an exception, never a JavaScript error text), and afterwards the lab's
// trust files parse and verify and the state on disk is the state in memory.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import fc from 'fast-check';
import { Lab } from '../state/cluster/lab.js';
import { CliSession } from '../src/console/admin-console.js';
import { drive } from '../src/console/drive.js';
import { Registry } from '../src/console/registry.js';
import { defaultRegistry } from '../commands/admin/index.js';
import { localTransfer } from '../src/net/transfer.js';
import { queueFrom, runScript } from '../src/frontends/script/script.js';
import { PassThrough, Writable } from 'node:stream';
import { cleanup, seededLab, trustFileProblems, useLocalSftp } from './helpers.js';

// transfers go to the lab's local SFTP folder: fuzzed or hostile host names never reach the network
useLocalSftp();
vi.setConfig({ hookTimeout: 60_000 });

const CANCEL = '\u0003';

/** Signs of a JavaScript failure leaking into what the user sees. */
const INTERNAL = /TypeError|ReferenceError|RangeError|Cannot read propert|is not a function|is not iterable|is not defined|Maximum call stack|\[object Object\]|\n\s+at .+:\d+:\d+/;

function commandWords(reg: Registry): { paths: string[][]; words: string[] } {
  const paths = reg.allCommands().map((c) => c.path);
  const words = new Set<string>();
  const walk = (n: Registry['root']) => {
    for (const c of n.children.values()) {
      words.add(c.word);
      walk(c);
    }
  };
  walk(reg.root);
  return { paths, words: [...words] };
}

const reg = defaultRegistry();
const { words } = commandWords(reg);

const PARAM_POOL = [
  '*', '*.tlv', 'ITLFile.tlv', 'CTLFile.tlv', 'ITLRecovery.p12', 'cm/tftpdata/CTLFile.tlv', 'detail', 'noconfirm', 'page', 'reverse', 'date', 'size',
  'CallManager', 'TVS', 'CAPF', 'ITLRecovery', 'tomcat', 'ipsec', 'callmanager', 'Cisco Tftp', 'Cisco CallManager', 'Cisco Trust Verification Service',
  'on', 'off', '5', '0', '-1', '99999999999999999999', 'localkey', 'remotekey', 'sftp.example.com', 'admin', '/ITLRecovery.p12',
  "select * from processconfig", "select name from processnode where nodeid > 1", "delete from device", "'", '"', ';', '--', '../../etc/passwd', '..', '/etc/passwd',
  '?', '-x', '--help', '%s%n', '${HOME}', '$(id)', '`id`', '\\', 'NaN', 'undefined', 'null', '__proto__', 'constructor', 'toString',
];

const CONTROL = fc.constantFrom('\x00', '\x01', '\x03', '\x04', '\x07', '\x08', '\t', '\n', '\r', '\x0b', '\x0c', '\x1b', '\x1b[A', '\x1b[2J', '\x7f', '\u2028', '\ufeff', '\ud800', '?');

const word = fc.constantFrom(...words);

/** A real command path, words abbreviated to a random prefix and randomly cased, then parameters. */
const specs = reg.allCommands();
const realLine = fc
  .record({
    spec: fc.constantFrom(...specs),
    extra: fc.oneof({ weight: 4, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.integer({ min: -1, max: 2 }) }),
    cut: fc.array(fc.oneof({ weight: 3, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.nat() }), { minLength: 6, maxLength: 6 }),
    upper: fc.array(fc.boolean(), { minLength: 6, maxLength: 6 }),
    params: fc.array(fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...PARAM_POOL) }, { weight: 1, arbitrary: fc.string({ maxLength: 12 }) }), { minLength: 3, maxLength: 3 }),
    keep: fc.oneof({ weight: 4, arbitrary: fc.constant(6) }, { weight: 1, arbitrary: fc.integer({ min: 1, max: 5 }) }),
  })
  .map(({ spec, extra, cut, upper, params, keep }) => {
    const path = spec.path;
    const fixed = (spec.params ?? []).map((p) => (Array.isArray(p.values) ? p.values : [])).map((v, i) => (v.length ? v[(cut[i] ?? 0) % v.length] : params[i]));
    const n = Math.max(0, (spec.params?.length ?? 0) + extra);
    params = [...fixed, ...params].filter((x) => x !== undefined).slice(0, n);
    const ws = path.slice(0, keep).map((w, i) => {
      const n = Math.max(1, w.length - (cut[i] % w.length));
      const p = w.slice(0, n);
      return upper[i] ? p.toUpperCase() : p;
    });
    return [...ws, ...params].join(' ');
  });

/** Random edits of a line: inserted control characters, dropped or doubled characters, odd spacing. */
const mutated = fc
  .record({ base: realLine, edits: fc.array(fc.record({ at: fc.nat(), kind: fc.nat(4), ch: CONTROL }), { maxLength: 5 }) })
  .map(({ base, edits }) => {
    let s = base;
    for (const e of edits) {
      const at = s.length ? e.at % (s.length + 1) : 0;
      if (e.kind === 0) s = s.slice(0, at) + e.ch + s.slice(at);
      else if (e.kind === 1) s = s.slice(0, at) + s.slice(at + 1);
      else if (e.kind === 2) s = s.slice(0, at) + s.slice(at, at + 3).repeat(2) + s.slice(at + 3);
      else if (e.kind === 3) s = s.slice(0, at) + '   \t ' + s.slice(at);
      else s = s.slice(0, at) + e.ch.repeat(3) + s.slice(at);
    }
    return s;
  });

/** Bytes that are mostly not UTF-8, decoded the way the script front end decodes stdin. */
const invalidUtf8 = fc
  .record({ prefix: fc.array(word, { maxLength: 3 }), bytes: fc.uint8Array({ minLength: 1, maxLength: 64 }) })
  .map(({ prefix, bytes }) => `${prefix.join(' ')} ${Buffer.from(bytes).toString('utf8')}`.split(/\r?\n/)[0]);

/** ~100 kB lines. */
const longLine = fc
  .record({ prefix: fc.oneof(realLine, fc.array(word, { maxLength: 4 }).map((w) => w.join(' '))), unit: fc.constantFrom('A', ' ', 'show ', '../', '*', '?', 'é', '\x00', "' or 1=1 --"), size: fc.integer({ min: 90_000, max: 110_000 }) })
  .map(({ prefix, unit, size }) => `${prefix} ${unit.repeat(Math.ceil(size / unit.length))}`.slice(0, size));

const anyLine = fc.oneof(
  { weight: 10, arbitrary: realLine },
  { weight: 4, arbitrary: mutated },
  { weight: 1, arbitrary: fc.array(word, { maxLength: 6 }).map((w) => w.join(' ')) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 80 }) },
  { weight: 1, arbitrary: invalidUtf8 },
  { weight: 1, arbitrary: longLine },
);

const answer = fc.oneof(
  fc.constantFrom('y', 'Y', 'yes', 'n', 'no', '', ' ', 'cisco123', 'wrong', CANCEL, '127.0.0.1', '22', '0', '70000', 'admin', '/', '../..', 'x'.repeat(5000)),
  fc.string({ unit: 'binary', maxLength: 20 }),
);

const pagerKey = fc.constantFrom<'line' | 'page' | 'quit'>('line', 'page', 'quit');

interface Outcome {
  line: string;
  status: number;
  out: string;
}

async function runOne(session: CliSession, line: string, answers: string[], keys: Array<'line' | 'page' | 'quit'>): Promise<Outcome> {
  let out = '';
  const pagerKeys = [...keys];
  // answers in order; CANCEL or running out cancels the dialog as Ctrl-C does
  const r = await drive(session, line, {
    answers,
    pager: async () => pagerKeys.shift() ?? 'quit',
    // everything but echoes, pager prompts included (a reader who quits the pager sees no error line)
    onOutput: (t, kind) => {
      if (kind !== 'echo') out += t;
    },
  });
  return { line, status: r.status, out };
}

function describeFailure(o: Outcome, why: string): string {
  const show = (s: string) => JSON.stringify(s.length > 160 ? `${s.slice(0, 160)}… (${s.length} chars)` : s);
  return `${why}: line ${show(o.line)} status ${o.status} output ${show(o.out)}`;
}

/** What must hold after each command. */
function checkOutcome(o: Outcome): string | undefined {
  if (o.status !== 0 && o.status !== 1) return describeFailure(o, 'status is neither 0 nor 1');
  if (INTERNAL.test(o.out)) return describeFailure(o, 'a JavaScript error reached the output');
  if (o.line.trim() !== '' && o.out.trim() === '' && !/^\s*(quit|exit|q|e|qu|qui|ex|exi)\s*$/i.test(o.line)) {
    return describeFailure(o, 'no output at all');
  }
  // (a reader who quits the pager does not see the rest, error line included)
  const pagerQuit = o.out.includes('Press <enter> for 1 line');
  if (o.status === 1 && !pagerQuit && !/Executed command unsuccessfully|Control-C pressed|Please re-try regenerating/.test(o.out)) {
    return describeFailure(o, 'a failure without a CUCM error line');
  }
  return undefined;
}


describe('command engine under fuzzing', () => {
  let lab: Lab;
  let sessions: CliSession[];
  let deleted = false;

  beforeAll(async () => {
    lab = await seededLab({ seed: 11 });
    sessions = [
      new CliSession({ lab, node: lab.publisher(), transfer: localTransfer() }),
      new CliSession({ lab, node: lab.node('cucm-sub1')!, height: 6, transfer: localTransfer() }),
    ];
  });
  afterAll(() => cleanup(lab));

  it('answers every line with a result or a CUCM error and keeps the trust files valid', async () => {
    const failures: string[] = [];
    // FUZZ_STATS=1 prints which commands the generated lines reached
    const stats = process.env.FUZZ_STATS ? new Map<string, number>() : undefined;
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ line: anyLine, answers: fc.array(answer, { maxLength: 8 }), keys: fc.array(pagerKey, { maxLength: 4 }), on: fc.nat(1) }), { minLength: 1, maxLength: 6 }),
        async (steps) => {
          for (const s of steps) {
            const session = sessions[s.on];
            if (session.ended) session.ended = false;
            const o = await runOne(session, s.line, s.answers, s.keys);
            const r = reg.resolve(s.line.trim());
            if (r.kind === 'command' && r.spec.path[0] === 'file' && r.spec.path[1] === 'delete') deleted = true;
            const bad = checkOutcome(o);
            if (bad) failures.push(bad);
            if (stats) {
              const key = `${r.kind === 'command' ? r.spec.path.join(' ') : r.kind} -> ${o.status}`;
              if (process.env.FUZZ_STATS === 'lines') console.log(key, JSON.stringify(s.line.slice(0, 80)));
              stats.set(key, (stats.get(key) ?? 0) + 1);
            }
          }
          const problems = trustFileProblems(lab, { allowMissingItl: deleted });
          if (problems.length) failures.push(...problems);
          if (failures.length) throw new Error(failures.join('\n'));
        },
      ),
      { numRuns: Number(process.env.FUZZ_RUNS ?? 250), seed: Number(process.env.FUZZ_SEED ?? 20250106), endOnFailure: true },
    );
    if (stats) console.log([...stats].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${String(n).padStart(5)}  ${k}`).join('\n'));
    expect(failures).toEqual([]);

    // what is on disk is what the sessions saw
    const fp = lab.fingerprint();
    const dir = lab.store.dir;
    lab.close();
    lab = Lab.open(dir);
    expect(lab.fingerprint()).toBe(fp);
    expect(trustFileProblems(lab, { allowMissingItl: deleted })).toEqual([]);
    sessions = [
      new CliSession({ lab, node: lab.publisher(), transfer: localTransfer() }),
      new CliSession({ lab, node: lab.node('cucm-sub1')!, height: 6, transfer: localTransfer() }),
    ];
  }, 120_000);

  it('script mode takes any bytes on stdin, commands and answers mixed, and ends with status 0 or 1', async () => {
    const failures: string[] = [];
    const chunk = fc.oneof(
      { weight: 3, arbitrary: fc.oneof(realLine, mutated).map((l) => Buffer.from(l + '\n', 'utf8')) },
      { weight: 2, arbitrary: fc.tuple(answer, fc.boolean()).map(([a, crlf]) => Buffer.from(a + (crlf ? '\r\n' : '\n'), 'utf8')) },
      { weight: 1, arbitrary: fc.uint8Array({ minLength: 1, maxLength: 200 }).map((b) => Buffer.from(b)) },
      { weight: 1, arbitrary: longLine.map((l) => Buffer.from(l + '\n', 'utf8')) },
    );
    await fc.assert(
      fc.asyncProperty(fc.array(chunk, { minLength: 1, maxLength: 8 }), fc.nat(1), async (chunks, on) => {
        const session = new CliSession({ lab, node: on ? lab.node('cucm-sub2')! : lab.publisher(), transfer: localTransfer() });
        const input = new PassThrough();
        let out = '';
        const sink = new Writable({
          write(c, _e, cb) {
            out += c.toString();
            cb();
          },
        });
        const done = runScript(session, queueFrom(input), sink);
        // bytes arrive in pieces that split lines and UTF-8 sequences anywhere
        const all = Buffer.concat(chunks);
        for (let i = 0; i < all.length; i += 1 + (i % 7) * 97) input.write(all.subarray(i, i + 1 + (i % 7) * 97));
        input.end();
        const status = await done;
        if (status !== 0 && status !== 1) failures.push(`status ${status}`);
        if (INTERNAL.test(out)) failures.push(`a JavaScript error reached the output: ${JSON.stringify(out.slice(0, 400))}`);
        failures.push(...trustFileProblems(lab, { allowMissingItl: true }));
        if (failures.length) throw new Error(failures.join('\n'));
      }),
      { numRuns: Number(process.env.FUZZ_RUNS ?? 60), seed: Number(process.env.FUZZ_SEED ?? 3), endOnFailure: true },
    );
  }, 120_000);

  it('survives dialogs answered with anything, on every command that asks', async () => {
    const asking = [
      'utils ctl set-cluster mixed-mode',
      'utils ctl set-cluster non-secure-mode',
      'utils ctl update CTLFile',
      'utils itl reset localkey',
      'utils itl reset remotekey 127.0.0.1 admin /ITLRecovery.p12',
      'set cert regen tomcat',
      'set cert regen ITLRecovery',
      'file get tftp *',
      'file delete tftp ITLFile.tlv',
      'file delete activelog cm/tftpdata/CTLFile.tlv',
    ];
    const failures: string[] = [];
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...asking), fc.array(answer, { maxLength: 10 }), fc.nat(1), async (line, answers, on) => {
        const o = await runOne(sessions[on], line, answers, []);
        const bad = checkOutcome(o);
        if (bad) failures.push(bad);
        if (line.startsWith('file delete')) deleted = true;
        failures.push(...trustFileProblems(lab, { allowMissingItl: deleted }));
        if (failures.length) throw new Error(failures.join('\n'));
      }),
      { numRuns: Number(process.env.FUZZ_RUNS ?? 80), seed: Number(process.env.FUZZ_SEED ?? 7), endOnFailure: true },
    );
    expect(failures).toEqual([]);
  }, 120_000);
});
