// Recordings: plain text and asciicast v2, determinism, redaction, and transcripts replayed as runbooks.
import { describe, it, expect, afterEach } from 'vitest';
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { seededLab, cleanup, tempDir } from './helpers.js';
import { requireDist, requireTool } from './prerequisites.js';
import type { Lab } from '../state/cluster/lab.js';
import { CliSession } from '../src/console/admin-console.js';
import { LineQueue, runScript } from '../src/frontends/script/script.js';
import { localTransfer } from '../src/net/transfer.js';
import { Recorder, RecordOptions } from '../src/recording/recorder.js';
import { Redactor, parseRedactSpec, redactContextOf } from '../src/recording/redact.js';
import { stripAnsi } from '../src/recording/terminal-text.js';
import { runRunbook } from '../src/runbook/run.js';

const ROOT = join(import.meta.dirname, '..');
const BIN = join(ROOT, 'bin', 'cucm-sim.js');

let lab: Lab | undefined;
const dirs: string[] = [];
afterEach(() => {
  if (lab) cleanup(lab);
  lab = undefined;
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tmp(): string {
  const d = tempDir('cucm-sim-transcript-');
  dirs.push(d);
  return d;
}

/** Runs script-mode input with recorders attached; returns what stdout showed. */
async function scripted(l: Lab, input: string, recorders: Recorder[], node?: string): Promise<string> {
  const s = new CliSession({ lab: l, node: node ? l.node(node)! : l.publisher(), transfer: localTransfer() });
  for (const r of recorders) r.attach(s);
  const q = new LineQueue();
  for (const line of input.split('\n')) q.push(line);
  q.close();
  let out = '';
  const sink = new Writable({
    write(chunk, _e, cb) {
      out += chunk.toString();
      cb();
    },
  });
  await runScript(s, q, sink);
  for (const r of recorders) r.close();
  return out;
}

const DIALOG = [
  'show ctl',
  'utils ctl set-cluster mixed-mode',
  'y',
  'utils itl reset localkey',
  'cisco123',
  'file get tftp ITLRecovery.p12',
  'y',
  'backup-server',
  '',
  'admin',
  'secret',
  '/backups',
  'set cert regen CallManager',
  'yes',
  'set cert regen TVS',
  'show network cluster',
].join('\n');

const RUNBOOK = `#! seed 1
admin:utils ctl set-cluster mixed-mode
This operation sets the cluster to Mixed mode. Do you want to continue? (y/n):y
admin:utils itl reset localkey
Enter CCM Administrator password :
#! node cucm-sub1
admin:show itl
admin:show network cluster
`;

describe('plain text recordings', () => {
  it('are exactly what script mode printed (answers included, passwords as echoed), and replay as a runbook', async () => {
    lab = await seededLab();
    const dir = tmp();
    const file = join(dir, 'session.txt');
    const rec = new Recorder({ file, deterministic: true });
    const stdout = await scripted(lab, DIALOG, [rec]);
    const text = readFileSync(file, 'utf8');
    expect(text).toBe(stdout);
    expect(text).toContain('Do you want to continue? (y/n):y\n');
    expect(text).toContain('Password: ******\n');
    expect(text).not.toContain('secret');
    expect(text).not.toContain('cisco123');
    const r = await runRunbook(file);
    expect(r.error?.message).toBeUndefined();
    expect(r.mismatches).toEqual([]);
    expect(r.passed).toBe(true);
  });

  it('strip ANSI sequences and omit pager prompts', () => {
    const rec = new Recorder();
    rec.event('admin:', 'out');
    rec.event('show x\n', 'echo');
    rec.event('\x1b[1mbold\x1b[0m line\n', 'out');
    rec.event('Press <enter> for 1 line, <space> for one page, or <q> to quit', 'pager');
    rec.event('Press <enter> for 1 line, <space> for one page, or <q> to quit', 'pager-end');
    rec.event('next\n', 'out');
    expect(rec.text()).toBe('admin:show x\nbold line\nnext\n');
    expect(stripAnsi('\x1b]0;title\x07a\x1b[31mb')).toBe('ab');
  });

  it('of a runbook carry the node switches, so the recording replays as the same runbook', async () => {
    const dir = tmp();
    const rb = join(dir, 'rb.txt');
    writeFileSync(rb, RUNBOOK);
    expect((await runRunbook(rb, { update: true })).passed).toBe(true);
    const out = join(dir, 'rec.txt');
    const r = await runRunbook(rb, { record: { file: out } });
    expect(r.passed).toBe(true);
    const recorded = readFileSync(out, 'utf8');
    expect(recorded).toContain('#! node cucm-sub1\nadmin:show itl\n');
    const body = readFileSync(rb, 'utf8').replace('#! seed 1\n', '');
    expect(recorded).toBe(body);
    expect((await runRunbook(out)).passed).toBe(true);
  });
});

describe('deterministic recordings', () => {
  for (const ext of ['txt', 'cast']) {
    it(`recording the same runbook twice gives identical bytes (.${ext})`, async () => {
      const dir = tmp();
      const rb = join(dir, 'rb.txt');
      writeFileSync(rb, RUNBOOK);
      await runRunbook(rb, { update: true });
      const a = join(dir, `a.${ext}`);
      const b = join(dir, `b.${ext}`);
      expect((await runRunbook(rb, { record: { file: a } })).passed).toBe(true);
      expect((await runRunbook(rb, { record: { file: b } })).passed).toBe(true);
      const A = readFileSync(a);
      expect(A.length).toBeGreaterThan(1000);
      expect(A.equals(readFileSync(b))).toBe(true);
    });
  }

  it('the command line gives identical bytes for the same --seed session (text and cast)', () => {
    requireDist();
    const dir = tmp();
    const input = 'utils ctl set-cluster mixed-mode\ny\nshow ctl\nshow itl\nutils itl reset localkey\ncisco123\n';
    const files: Record<string, Buffer[]> = { txt: [], cast: [] };
    for (const run of [1, 2]) {
      for (const ext of ['txt', 'cast']) {
        const out = join(dir, `r${run}.${ext}`);
        const r = spawnSync('node', [BIN, '--data-dir', join(dir, `d${run}${ext}`), '--seed', '7', '--record', out], { input, encoding: 'utf8' });
        expect(r.status, r.stderr).toBe(0);
        files[ext].push(readFileSync(out));
      }
    }
    expect(files.txt[0].equals(files.txt[1])).toBe(true);
    expect(files.cast[0].equals(files.cast[1])).toBe(true);
    // and the plain text recording of a command-line session is a passing runbook
    const r = spawnSync('node', [BIN, 'run', join(dir, 'r1.txt'), '--seed', '7'], { encoding: 'utf8' });
    expect(r.stdout).toMatch(/^PASS /m);
    expect(r.status).toBe(0);
  }, 120_000);
});

function parseCast(text: string) {
  const lines = text.trimEnd().split('\n');
  const header = JSON.parse(lines[0]);
  const events = lines.slice(1).map((l) => JSON.parse(l) as [number, string, string]);
  return { header, events };
}

describe('asciicast v2', () => {
  async function record(opts: RecordOptions) {
    lab = await seededLab();
    const dir = tmp();
    const file = join(dir, 'x.cast');
    const text = new Recorder({ deterministic: true });
    const cast = new Recorder({ file, deterministic: true, ...opts });
    await scripted(lab, DIALOG, [text, cast]);
    return { file, cast: readFileSync(file, 'utf8'), text: text.text() };
  }

  it('shows the pager prompt as a terminal did: bold, then erased once the key is pressed', () => {
    const dir = tmp();
    const file = join(dir, 'p.cast');
    const rec = new Recorder({ file, deterministic: true });
    rec.event('line 1\n', 'out');
    rec.event('Press <enter> for 1 line, <space> for one page, or <q> to quit', 'pager');
    rec.event('Press <enter> for 1 line, <space> for one page, or <q> to quit', 'pager-end');
    rec.event('line 2\n', 'out');
    rec.close();
    const out = parseCast(readFileSync(file, 'utf8'))
      .events.filter((e) => e[1] === 'o')
      .map((e) => e[2])
      .join('');
    expect(out).toBe('line 1\r\n\x1b[1mPress <enter> for 1 line, <space> for one page, or <q> to quit\x1b[0m\r\x1b[Kline 2\r\n');
  });

  it('has a v2 header without a timestamp, o events with CRLF, a marker per command', async () => {
    const { cast, text } = await record({});
    const { header, events } = parseCast(cast);
    expect(header).toEqual({ version: 2, width: 80, height: 24, idle_time_limit: 2 });
    let last = 0;
    for (const [t, code, data] of events) {
      expect(typeof t).toBe('number');
      expect(t).toBeGreaterThanOrEqual(last);
      last = t;
      expect(['o', 'm']).toContain(code);
      expect(typeof data).toBe('string');
      if (code === 'o') expect(data).not.toMatch(/(?<!\r)\n/);
    }
    const markers = events.filter((e) => e[1] === 'm').map((e) => e[2]);
    expect(markers).toEqual(['show ctl', 'utils ctl set-cluster mixed-mode', 'utils itl reset localkey', 'file get tftp ITLRecovery.p12', 'set cert regen CallManager', 'set cert regen TVS', 'show network cluster']);
    const shown = events
      .filter((e) => e[1] === 'o')
      .map((e) => e[2])
      .join('')
      .replace(/\r\n/g, '\n');
    expect(shown).toBe(text.replace(/\n$/, ''));
    // typing has a fixed cadence: each typed character is its own event 50 ms apart
    const s = events.findIndex((e) => e[1] === 'o' && e[2] === 's');
    expect(events[s + 1][0] - events[s][0]).toBeCloseTo(0.05, 6);
  });

  it('writes i events only when asked, never for hidden or masked answers, and a timestamp when asked', async () => {
    const { cast } = await record({ input: true, timestamp: 1736154000, title: 'demo' });
    const { header, events } = parseCast(cast);
    expect(header.timestamp).toBe(1736154000);
    expect(header.title).toBe('demo');
    const typed = events
      .filter((e) => e[1] === 'i')
      .map((e) => e[2])
      .join('');
    expect(typed).toContain('show ctl\r');
    expect(typed).toContain('backup-server\r');
    expect(typed).not.toContain('secret');
    expect(typed).not.toContain('cisco123');
  });

  // asciinema reads keys from /dev/tty, so it runs under a pseudo-terminal (Python's pty module)
  const inPty = (args: string[]) =>
    spawnSync(requireTool('python3', 'python3'), ['-c', 'import os, pty, sys; sys.exit(os.waitstatus_to_exitcode(pty.spawn(sys.argv[1:])))', requireTool('asciinema', 'asciinema'), ...args], {
      encoding: 'utf8',
      timeout: 30_000,
    });
  it('is accepted by asciinema cat and play; cat prints what the text recording holds', async () => {
    const { file, text } = await record({ input: true });
    const cat = inPty(['cat', file]);
    expect(cat.status, cat.stdout).toBe(0);
    expect(cat.stdout.replace(/\r/g, '')).toBe(text.replace(/\n$/, ''));
    const play = inPty(['play', '-s', '50', '-i', '0.1', file]);
    expect(play.status, play.stdout).toBe(0);
    expect(play.stdout.replace(/\r/g, '')).toContain('CallManager certificate was modified in the last 5 minutes');
  }, 60_000);
});

describe('redaction', () => {
  it('replaces hosts, addresses, domain and passwords consistently with placeholders of the same length', async () => {
    lab = await seededLab();
    const plain = new Recorder();
    const opts = parseRedactSpec('hostnames,addresses,domain,passwords');
    const red = new Recorder({ redact: new Redactor(opts, redactContextOf(lab)) });
    await scripted(lab, 'utils ctl set-cluster mixed-mode\ny\nshow network cluster\nshow ctl\nshow itl\nutils itl reset localkey\ncisco123\nrun sql select name from processnode', [plain, red]);
    const a = plain.text().split('\n');
    const b = red.text().split('\n');
    expect(b.length).toBe(a.length);
    // column alignment: every line keeps its length
    expect(b.map((l) => l.length)).toEqual(a.map((l) => l.length));
    const all = b.join('\n');
    for (const secret of ['cucm-pub', 'cucm-sub1', 'cucm-sub2', 'lab.example', '192.0.2.']) expect(all).not.toContain(secret);
    // the same host is always the same placeholder, wherever it appears
    const idx = a.findIndex((l) => l.startsWith('192.0.2.11 '));
    expect(b[idx]).toMatch(/^10\.0\.\d+\.\d+ host-\d_+\.domain-1__+ host-\d_+ Subscriber/);
    const pubPlaceholder = red.text().match(/CN=(host-\d_*)\.domain-1_*;/)![1];
    expect(pubPlaceholder.length).toBe('cucm-pub'.length);
    expect(all).toContain(`ITLRECOVERY_${pubPlaceholder}.domain-1`);
    expect(all).toContain(`['${pubPlaceholder}', `);
  });

  it('reads a map file with literal strings, patterns and built-in rules', () => {
    const dir = tmp();
    const f = join(dir, 'redact.yaml');
    writeFileSync(f, 'hostnames: true\nstrings:\n  backup-server: sftp\n"Voice": "Unit"\npatterns:\n  - regex: "SEP[0-9A-F]{12}"\n    placeholder: SEPPHONE\n');
    const r = new Redactor(parseRedactSpec(f), { hostnames: ['cucm-pub'] });
    expect(r.apply('cucm-pub backup-server OU=Voice SEP001122334455 SEPAABBCCDDEEFF SEP001122334455')).toBe(
      'host-1__ sftp_________ OU=Unit_ SEPPHONE-1_____ SEPPHONE-2_____ SEPPHONE-1_____',
    );
    const loose = new Redactor({ ...parseRedactSpec(f), align: false }, { hostnames: ['cucm-pub'] });
    expect(loose.apply('cucm-pub.x backup-server')).toBe('host-1.x sftp');
    expect(() => parseRedactSpec('hostnames,bogus')).toThrow(/unknown rule 'bogus'/);
  });

  it('is applied to recordings made by `cucm-sim run --record --redact`', async () => {
    const dir = tmp();
    const rb = join(dir, 'rb.txt');
    writeFileSync(rb, RUNBOOK);
    await runRunbook(rb, { update: true });
    const out = join(dir, 'r.txt');
    const { runbooksMain } = await import('../src/cli/run.js');
    const sink = { write: () => true };
    expect(await runbooksMain({ record: out, redact: 'hostnames,domain' }, [rb], sink, sink)).toBe(0);
    const t = readFileSync(out, 'utf8');
    expect(t).not.toContain('cucm-');
    expect(t).toContain('#! node host-');
  });
});
