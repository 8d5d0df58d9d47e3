// Input hygiene: file-spec patterns match without regular expressions (no pattern can make them
// slow), and lab text reaches terminals and recordings without control characters or escapes.
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Duplex } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { globFilter, globMatch } from '../state/glob.js';
import { cleanLabValues, stripControls } from '../state/text.js';
import { normalizeTopology } from '../state/cluster/topology.js';
import { InteractiveShell } from '../src/frontends/ssh/interactive-shell.js';
import type { ShellSession } from '../src/frontends/ssh/front-end.js';
import { Recorder } from '../src/recording/recorder.js';
import { cleanup, seededLab, tempDir, transcript, waitFor } from './helpers.js';
import { requireDist } from './prerequisites.js';
import { exec, login, rig, shell, type Rig } from './ssh-harness.js';
import { createServer, type AddressInfo } from 'node:net';
import type { ClientChannel } from 'ssh2';
import { CliSession } from '../src/console/admin-console.js';
import { drive } from '../src/console/drive.js';
import { parseSftpAllow } from '../src/net/transfer.js';

const ROOT = resolve(import.meta.dirname, '..');

/** Runs a module script in a child process that is killed at the deadline: a hang fails, never blocks. */
function runChild(script: string, deadlineMs: number): Promise<{ code: number | null; out: string; killed: boolean }> {
  return new Promise((done) => {
    const child = execFile(process.execPath, ['--input-type=module', '-e', script], { cwd: ROOT, timeout: deadlineMs }, (err, stdout) => {
      done({ code: child.exitCode, out: stdout, killed: !!err && (err as { killed?: boolean }).killed === true });
    });
  });
}

describe('file-spec wildcards', () => {
  it('match * and ? as the CLI file specs do', () => {
    const cases: Array<[string, string, boolean]> = [
      ['*', 'ITLFile.tlv', true],
      ['*.tlv', 'ITLFile.tlv', true],
      ['*.tlv', 'ITLFile.tlv.bak', false],
      ['ITL*', 'ITLFile.tlv', true],
      ['ITL*', 'CTLFile.tlv', false],
      ['?TLFile.tlv', 'CTLFile.tlv', true],
      ['?TLFile.tlv', 'TLFile.tlv', false],
      ['SEP*.cnf.xml*', 'SEP001122334455.cnf.xml.sgn', true],
      ['a*b*c', 'aXbYc', true],
      ['a*b*c', 'aXbY', false],
      ['**', '', true],
      ['', '', true],
      ['', 'a', false],
      ['a.b', 'aXb', false], // '.' is only a dot
      ['[ab]', '[ab]', true], // brackets are plain characters
      ['(x)+', '(x)+', true],
    ];
    for (const [pattern, name, want] of cases) expect([pattern, name, globMatch(pattern, name)]).toEqual([pattern, name, want]);
    expect(globFilter(['b.tlv', 'a.cnf', 'c.tlv'], '*.tlv')).toEqual(['b.tlv', 'c.tlv']);
  });

  it('a pattern of 50 stars against a long name returns promptly (child process with a deadline)', async () => {
    requireDist('state/glob.js', 'commands/admin/file.js');
    // a regex built from this pattern would backtrack for ages; the matcher must not
    const script = `
      const { globMatch } = await import('./dist/state/glob.js');
      const { matchFiles } = await import('./dist/commands/admin/file.js');
      const name = 'a'.repeat(20000);
      const pattern = '*'.repeat(50) + 'b';
      const spaced = Array.from({ length: 50 }, () => '*a').join('') + 'b';
      console.log(globMatch(pattern, name), globMatch(spaced, name), matchFiles([name, name + 'b'], pattern).length);
    `;
    const r = await runChild(script, 20_000);
    expect(r.killed).toBe(false);
    expect(r.code).toBe(0);
    expect(r.out.trim()).toBe('false false 1');
  });

  it('file list tftp with a hostile pattern answers as the CLI does', async () => {
    const lab = await seededLab();
    try {
      const r = await transcript(lab, [`file list tftp ${'*'.repeat(50)}x`, 'file list tftp I?LFile.tlv']);
      expect(r.text).toContain('no such file or directory can be found');
      expect(r.text).toContain('ITLFile.tlv\ndir count = 0, file count = 1\n');
    } finally {
      cleanup(lab);
    }
  });

  it('run sql LIKE with many wildcards against a long string answers (SQLite does not backtrack)', async () => {
    const lab = await seededLab();
    try {
      const long = 'a'.repeat(3000);
      const r = await transcript(lab, [`run sql select count(*) from device where '${long}' like '${'%a'.repeat(150)}%b'`]);
      expect(r.text).toContain('(count(*))\n==========\n0         \n');
    } finally {
      cleanup(lab);
    }
  });

  it('no regular expression is built at run time from what a session types', () => {
    const hits: string[] = [];
    const walk = (dir: string) => {
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        const p = join(dir, e.name);
        if (e.isDirectory()) walk(p);
        else if (p.endsWith('.ts') && /new RegExp\(|RegExp\(/.test(readFileSync(p, 'utf8'))) hits.push(p.slice(ROOT.length + 1));
      }
    };
    walk(join(ROOT, 'commands'));
    walk(join(ROOT, 'state'));
    expect(hits).toEqual([]);
    // in src/ only runbook expectations and redaction maps, which the operator writes (and which
    // escape their literal text), build regular expressions
    hits.length = 0;
    walk(join(ROOT, 'src'));
    expect(hits.sort()).toEqual(['src/recording/redact.ts', 'src/runbook/match.ts']);
  });
});

const TITLE = '\x1b]0;pwned\x07';
const CLEAR = '\x1b[2J';

describe('control characters in lab text', () => {
  it('stripControls removes escape sequences, C0, DEL and C1 and keeps what it is told to', () => {
    expect(stripControls(`desk${TITLE} phone${CLEAR}`)).toBe('desk phone');
    expect(stripControls('a\x1b[1;31mred\x1b[0m b')).toBe('ared b');
    expect(stripControls('a\x1b]8;;http://x\x1b\\link\x1b]8;;\x1b\\b')).toBe('alinkb');
    expect(stripControls('a\x07b\x00c\x7fd\x84e\x85f')).toBe('abcdef');
    expect(stripControls('\x9b2Jx')).toBe('x');
    expect(stripControls('x\x1b')).toBe('x');
    expect(stripControls('x\x1bcy')).toBe('xy'); // RIS, a full terminal reset
    expect(stripControls('one\r\ntwo\tthree\n', '\n\r\t')).toBe('one\r\ntwo\tthree\n');
    expect(stripControls('one\r\ntwo\tthree\n')).toBe('onetwothree');
    // an unterminated title stops at the next control instead of swallowing the rest
    expect(stripControls('a\x1b]0;t\nrest', '\n')).toBe('a\nrest');
    expect(stripControls('plain text, unchanged')).toBe('plain text, unchanged');
    expect(stripControls('héllo ☎')).toBe('héllo ☎');
  });

  it('topology values are cleaned where they enter the lab', () => {
    const t = normalizeTopology({
      nodes: [`cucm${TITLE}-pub${CLEAR}`],
      devicePools: [{ name: `HQ${CLEAR}`, callManagerGroup: ['cucm-pub'] }],
      phones: [{ mac: 'SEP001122334455', model: '8845', devicePool: `HQ${CLEAR}`, description: `Lobby${TITLE} phone${CLEAR}` }],
    });
    expect(t.nodes.map((n) => n.name)).toEqual(['cucm-pub']);
    expect(t.devicePools).toEqual([{ name: 'HQ', callManagerGroup: ['cucm-pub'] }]);
    expect(t.phones![0]).toMatchObject({ devicePool: 'HQ', description: 'Lobby phone' });
    // a key named __proto__ stays data
    const v = cleanLabValues(JSON.parse('{"__proto__": {"x": 1}}')) as Record<string, unknown>;
    expect(Object.getPrototypeOf(v)).toBe(Object.prototype);
    expect(Object.keys(v)).toEqual(['__proto__']);
  });

  it('a hostname given to the lab console is cleaned before the lab sees it', async () => {
    const lab = await seededLab();
    try {
      const { LabConsole } = await import('../src/console/lab-console.js');
      const lc = new LabConsole({ lab, user: 'lab', width: 80 });
      let out = '';
      await drive(lc, `node hostname cucm-sub1 sub${TITLE}two${CLEAR}`, { answers: () => undefined, onOutput: (t) => (out += t) });
      expect(lab.nodes.map((n) => n.name)).toContain('subtwo');
      // the echoed command line is what was typed; what the console answers is clean
      const answer = out.slice(out.indexOf('\n') + 1);
      expect(answer).toContain('subtwo');
      expect(answer).not.toMatch(/\x1b|\x07|pwned/);
    } finally {
      cleanup(lab);
    }
  });

  it('the SSH front end drops escapes from session text but keeps its own bytes', async () => {
    let listener: ((text: string, kind: 'out' | 'echo' | 'pager' | 'pager-end') => void) | undefined;
    const session: ShellSession = {
      width: 80,
      on(fn) {
        listener = fn;
        return () => (listener = undefined);
      },
      async banner() {
        listener?.(`host${TITLE}name${CLEAR}\nline two\n`, 'out');
      },
      showPrompt() {
        listener?.('admin:', 'out');
      },
      run: async () => ({ status: 0, ended: false }),
      completion: () => ({ kind: 'none' }) as never,
      question: () => [],
    };
    let sent = '';
    const ch = new Duplex({
      read() {},
      write(chunk, _enc, cb) {
        sent += chunk.toString();
        cb();
      },
    });
    const fe = new InteractiveShell(session, ch, { idleMinutes: 0, onEnd: () => {} });
    await fe.start();
    await waitFor('the prompt', () => sent.includes('admin:'));
    expect(sent).toBe('hostname\r\nline two\r\nadmin:');
    fe.end(undefined, false);
  });

  it('recordings keep no escapes from lab text', () => {
    const dir = tempDir();
    try {
      for (const file of ['r.txt', 'r.cast']) {
        const rec = new Recorder({ file: join(dir, file), deterministic: true });
        rec.event(`Lobby${TITLE} phone${CLEAR}\n`, 'out');
        rec.close();
        const text = readFileSync(join(dir, file), 'utf8');
        expect(text).toContain('Lobby phone');
        expect(text).not.toContain('pwned');
        expect(text).not.toContain('[2J');
        expect(text).not.toMatch(/\x1b|\\u001b|\x07|\\u0007/);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('lab text over SSH and in recordings', () => {
  let r: Rig;
  let dir: string;
  beforeAll(async () => {
    dir = tempDir();
    const lab = await seededLab({
      topology: {
        nodes: [`cucm${TITLE}-pub${CLEAR}`, 'cucm-sub1'],
        devicePools: [{ name: `HQ${TITLE}`, callManagerGroup: ['cucm-pub'] }],
        phones: [{ mac: 'SEP001122334455', model: '8845', devicePool: `HQ${TITLE}`, description: `Lobby${TITLE} phone${CLEAR}` }],
      },
    });
    r = await rig({ record: join(dir, 'session.cast') }, lab);
  });
  afterAll(async () => {
    const lab = r?.lab;
    await r?.stop();
    if (lab) cleanup(lab);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('names, descriptions and SQL cells come out without escapes', async () => {
    const t = await shell(r.port(), { rows: 0, cols: 200 });
    const out = await t.command('run sql select name, description, devicepool from device');
    expect(out).toContain('SEP001122334455 Lobby phone HQ');
    const cells = await t.command(`run sql select name from device where description like 'Lobby%'`);
    expect(cells).toContain('SEP001122334455');
    const nodes = await t.command('show network cluster');
    expect(nodes).toContain('cucm-pub');
    t.end();
    await t.waitClosed();
    for (const text of [t.out]) {
      expect(text).not.toContain('pwned');
      expect(text).not.toContain('[2J');
      expect(text).not.toMatch(/\x1b\]|\x1b\[2J|\x07/);
    }
  });

  it('the session recording has none either', async () => {
    const files = () => readdirSync(dir).filter((f) => f.endsWith('.cast'));
    await waitFor('the recording', () => files().length > 0 && readFileSync(join(dir, files()[0]), 'utf8').includes('Lobby phone'));
    const text = readFileSync(join(dir, files()[0]), 'utf8');
    expect(text).toContain('Lobby phone');
    expect(text).not.toContain('pwned');
    expect(text).not.toContain('[2J');
    expect(text).not.toMatch(/\\u0007/);
  });
});

/** A TCP listener that counts the connections made to it and closes each at once. */
async function tcpWitness(): Promise<{ port: number; connections: () => number; close(): Promise<void> }> {
  let n = 0;
  const server = createServer((sock) => {
    n++;
    sock.destroy();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    port: (server.address() as AddressInfo).port,
    connections: () => n,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

describe('outbound transfers from served sessions', () => {
  let r: Rig;
  let witness: Awaited<ReturnType<typeof tcpWitness>>;
  let allowed: Awaited<ReturnType<typeof tcpWitness>>;
  beforeAll(async () => {
    witness = await tcpWitness();
    allowed = await tcpWitness();
    r = await rig({ allowExec: true, sftpAllow: [`127.0.0.1:${allowed.port}`] });
  });
  afterAll(async () => {
    await r?.stop();
    await witness?.close();
    await allowed?.close();
  });
  const fileGet = (host: string, port: number) => ['y', host, String(port), 'backup', 'secret', '/cucm', ''].join('\n');

  it('file get to a host that was not allowed fails as a refused connection, and none is made', async () => {
    const res = await exec(r.port(), 'file get tftp ITLRecovery.p12', fileGet('127.0.0.1', witness.port));
    expect(res.out).toContain(`Could not connect to the SFTP server 127.0.0.1 port ${witness.port}: Connection refused\nExecuted command unsuccessfully\n`);
    expect(res.code).toBe(1);
    // the port itself is not enough: the allowed host on another port is refused too
    const other = await exec(r.port(), 'file get tftp ITLRecovery.p12', fileGet('localhost', allowed.port));
    expect(other.out).toContain(`Could not connect to the SFTP server localhost port ${allowed.port}: Connection refused\n`);
    expect(witness.connections()).toBe(0);
    expect(allowed.connections()).toBe(0);
  });

  it('utils itl reset remotekey takes host:port and is confined the same way', async () => {
    const res = await exec(r.port(), `utils itl reset remotekey 127.0.0.1:${witness.port} backup /ITLRecovery.p12`, 'secret\n');
    expect(res.out).toContain(`Could not connect to the SFTP server 127.0.0.1 port ${witness.port}: Connection refused\nExecuted command unsuccessfully\n`);
    const bad = await exec(r.port(), 'utils itl reset remotekey 127.0.0.1:99999 backup /ITLRecovery.p12', 'secret\n');
    expect(bad.out).toContain('Invalid port: 99999\nExecuted command unsuccessfully\n');
    expect(witness.connections()).toBe(0);
  });

  it('an allowed host:port is reached, and the built-in local target still works', async () => {
    const res = await exec(r.port(), 'file get tftp ITLRecovery.p12', fileGet('127.0.0.1', allowed.port));
    expect(res.code).toBe(1); // the witness is no SFTP server
    expect(allowed.connections()).toBeGreaterThan(0);
    const local = await exec(r.port(), 'file get tftp ITLRecovery.p12', fileGet('local', 22));
    expect(local.out).toContain('Transfer completed.');
    expect(witness.connections()).toBe(0);
  });

  it('the local console keeps full freedom', async () => {
    const lab = await seededLab();
    try {
      const session = new CliSession({ lab, node: lab.publisher() });
      const answers = ['y', '127.0.0.1', String(witness.port), 'backup', 'secret', '/cucm'];
      await drive(session, 'file get tftp ITLRecovery.p12', { answers: () => answers.shift() });
      expect(witness.connections()).toBeGreaterThan(0);
    } finally {
      cleanup(lab);
    }
  });

  it('--sftp-allow entries are checked', () => {
    expect(parseSftpAllow(['sftp.example.com', 'Backup:2222', '[::1]:22', '::1'])).toEqual([
      { host: 'sftp.example.com' },
      { host: 'backup', port: 2222 },
      { host: '::1', port: 22 },
      { host: '::1' },
    ]);
    expect(() => parseSftpAllow(['host:0'])).toThrow(/bad port/);
    expect(() => parseSftpAllow([':22'])).toThrow(/no host/);
  });
});

describe('a client that stops reading', () => {
  const CAP = 64 * 1024;
  let r: Rig;
  beforeAll(async () => {
    r = await rig({ maxOutputBuffer: CAP, stalledTimeoutMs: 1500 });
  });
  afterAll(async () => {
    await r?.stop();
  });

  it('is paused with its output under the cap, then dropped', async () => {
    const client = await login(r.port());
    let closed = false;
    client.on('close', () => (closed = true));
    client.on('error', () => {});
    const ch = await new Promise<ClientChannel>((res, rej) =>
      client.shell({ term: 'vt100', rows: 0, cols: 80 }, (err, s) => (err ? rej(err) : res(s))),
    );
    // nothing reads the channel: once ssh2's window is full the server must hold the output
    ch.on('error', () => {});
    const burst = Buffer.from('?\t'.repeat(2000) + 'show itl\r'.repeat(50));
    for (let i = 0; i < 20 && !closed; i++) {
      ch.write(burst);
      await new Promise((res) => setImmediate(res));
    }
    await waitFor('the session to be paused', () => r.srv.stats().paused === 1, 20_000);
    const seen = r.srv.stats();
    // what is held stays near the cap: at most one more burst of a single key or command
    expect(seen.peak).toBeLessThan(CAP + 32 * 1024);
    await waitFor('the stalled session to be dropped', () => closed && r.srv.stats().sessions === 0, 15_000);
    client.end();
  });
});
