// One lab, several windows: real cucm-sim processes on one data folder. The first process to open
// the lab owns it; the REPL, script mode, one-shot lab commands opened afterwards attach to it.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { execa, type ResultPromise } from 'execa';
import { spawnSync } from 'node:child_process';
import { existsSync, lstatSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { connect } from 'node:net';
import { createHash } from 'node:crypto';
import ssh2 from 'ssh2';
import { tempDir, waitFor } from './helpers.js';
import { requireDist, requireTool } from './prerequisites.js';

const BIN = join(__dirname, '..', 'bin', 'cucm-sim.js');
beforeAll(() => requireDist());
const dirs: string[] = [];
const running: ResultPromise[] = [];
afterEach(() => {
  for (const p of running.splice(0)) if (p.exitCode === null) p.kill('SIGKILL');
});
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function dataDir(): string {
  const d = tempDir('cucm-sim-attach-');
  dirs.push(d);
  return d;
}

const labFolder = (d: string) => join(d, 'labs', 'default');
const sock = (d: string) => join(labFolder(d), 'console.sock');
const info = (d: string) => join(labFolder(d), 'attach.json');

/** A process that keeps running (an owner, a window waiting on its stdin); its output collects. */
function start(args: string[], d: string) {
  const p = execa(process.execPath, [BIN, '--data-dir', d, ...args], { stdin: 'pipe', reject: false, buffer: true });
  running.push(p);
  const out = { stdout: '', stderr: '' };
  p.stdout!.on('data', (b: Buffer) => (out.stdout += b.toString()));
  p.stderr!.on('data', (b: Buffer) => (out.stderr += b.toString()));
  return { p, out };
}

/** A window that runs to its end: script input or a one-shot command. */
function run(args: string[], d: string, input = '') {
  return execa(process.execPath, [BIN, '--data-dir', d, ...args], { input, reject: false, timeout: 30_000, stripFinalNewline: false });
}

/** Waits until the owner `pid` listens for windows. */
async function listening(d: string, pid: number | undefined): Promise<void> {
  await waitFor(`process ${pid} to listen for windows`, () => {
    try {
      return JSON.parse(readFileSync(info(d), 'utf8')).pid === pid && lstatSync(sock(d)).isSocket();
    } catch {
      return false;
    }
  }, 20_000);
}

const MIXED = "run sql select paramvalue from processconfig where paramname='ClusterSecurityMode'\n";

describe('windows attached to a script session', () => {
  it('run one-shot lab commands and script sessions in the owner, with their exit statuses', async () => {
    const d = dataDir();
    const owner = start(['--seed', '1'], d);
    owner.p.stdin!.write('show myself\n');
    await listening(d, owner.p.pid);

    const phones = await run(['lab', 'phones', 'list'], d);
    expect(phones.stderr).toBe('');
    expect(phones.exitCode).toBe(0);
    expect(phones.stdout).toContain('Phone            Model  Device pool');

    // a change made in an attached window is made by the owner: the owner sees it at once
    const change = await run([], d, 'utils ctl set-cluster mixed-mode\ny\n');
    expect(change.exitCode).toBe(0);
    expect(change.stdout).toContain('admin:utils ctl set-cluster mixed-mode\n');
    owner.p.stdin!.write(MIXED);
    await waitFor('the owner to answer', () => owner.out.stdout.includes('=========='));
    expect(owner.out.stdout).toContain('paramvalue\n==========\n1         \n');

    const failing = await run([], d, 'show myself\nno such command\nshow myself\n');
    expect(failing.exitCode).toBe(1);
    expect(failing.stdout).toContain('admin:no such command\n');
    expect(failing.stdout).toContain('Executed command unsuccessfully');

    const sub = await run(['--node', 'cucm-sub1'], d, 'show myself\n');
    expect(sub.exitCode).toBe(0);
    expect(sub.stdout).toContain('admin:show myself\nMachine Name    : cucm-sub1');

    const badNode = await run(['--node', 'nosuch'], d, 'show myself\n');
    expect(badNode.exitCode).toBe(2);
    expect(badNode.stderr).toBe("cucm-sim: no node 'nosuch' in this lab (nodes: cucm-pub, cucm-sub1, cucm-sub2)\n");

    // the lab was only ever the owner's: its lock never changed hands
    expect(JSON.parse(readFileSync(join(labFolder(d), 'lock.json'), 'utf8')).pid).toBe(owner.p.pid);
    owner.p.stdin!.end();
    expect((await owner.p).exitCode).toBe(0);
    expect(owner.out.stderr).toBe('');
    expect(existsSync(sock(d))).toBe(false);
    expect(existsSync(info(d))).toBe(false);
    // and written: a later process reads the change
    expect((await run([], d, MIXED)).stdout).toContain('paramvalue\n==========\n1         \n');
  });

  it('keep the socket and the token file 0600 in the 0700 lab folder', async () => {
    const d = dataDir();
    const owner = start(['lab', '--seed', '1'], d);
    await listening(d, owner.p.pid);
    const s = lstatSync(sock(d));
    expect(s.isSocket()).toBe(true);
    expect(s.mode & 0o777).toBe(0o600);
    expect(lstatSync(info(d)).mode & 0o777).toBe(0o600);
    expect(lstatSync(labFolder(d)).mode & 0o777).toBe(0o700);
    // a window that would record cannot: the session runs in the owner, whose window records
    const rec = await run(['--record', join(d, 'x.txt')], d, 'show myself\n');
    expect(rec.exitCode).toBe(2);
    expect(rec.stderr).toBe(`cucm-sim: --record is not available in an attached window: the lab is open in process ${owner.p.pid}; record in that window, or close it first.\n`);
    expect(existsSync(join(d, 'x.txt'))).toBe(false);
    owner.p.stdin!.end();
    await owner.p;
  });

  it('end with one line when the owner exits', async () => {
    const d = dataDir();
    const owner = start(['--seed', '1'], d);
    await listening(d, owner.p.pid);
    const win = start(['lab'], d);
    win.p.stdin!.write('phones list\n');
    await waitFor('the attached window to answer', () => win.out.stdout.includes('Phone            Model'));
    owner.p.stdin!.end();
    expect((await owner.p).exitCode).toBe(0);
    const r = await win.p;
    expect(r.exitCode).toBe(1);
    expect(win.out.stderr).toBe(`cucm-sim: the window that owns the lab (process ${owner.p.pid}, cucm-sim (local session)) has closed; this session has ended.\n`);
  });

  it('replace the stale socket of a killed owner', async () => {
    const d = dataDir();
    const first = start(['--seed', '1'], d);
    await listening(d, first.p.pid);
    first.p.kill('SIGKILL');
    await first.p;
    expect(lstatSync(sock(d)).isSocket()).toBe(true); // left behind, and nobody answers there
    const refused = await new Promise<string>((resolve) => {
      const c = connect(sock(d));
      c.on('connect', () => resolve('connected'));
      c.on('error', (e: NodeJS.ErrnoException) => resolve(String(e.code)));
    });
    expect(refused).toBe('ECONNREFUSED');

    // the lab is free again: a one-shot command opens it itself
    const alone = await run(['lab', 'phones', 'list'], d);
    expect(alone.exitCode).toBe(0);
    expect(alone.stderr).toBe('');

    const second = start(['lab'], d);
    await listening(d, second.p.pid);
    const attached = await run([], d, 'show myself\n');
    expect(attached.exitCode).toBe(0);
    expect(attached.stdout).toContain('Machine Name    : cucm-pub');
    second.p.stdin!.end();
    expect((await second.p).exitCode).toBe(0);
  });
});

describe('the socket', () => {
  it('takes only the token of the attach file and the host key named there', async () => {
    const d = dataDir();
    const owner = start(['--seed', '1'], d);
    await listening(d, owner.p.pid);
    const token = JSON.parse(readFileSync(info(d), 'utf8')).token as string;
    const login = (password: string, hostKey?: string) =>
      new Promise<string>((resolve) => {
        const c = new ssh2.Client();
        c.on('ready', () => {
          c.end();
          resolve('ready');
        });
        c.on('error', (e) => resolve(e.message));
        c.connect({
          sock: connect(sock(d)),
          username: 'attach',
          password,
          hostVerifier: hostKey === undefined ? undefined : (k: Buffer) => createHash('sha256').update(k).digest('hex') === hostKey,
        });
      });
    expect(await login(token.replace(/^./, (c) => (c === 'a' ? 'b' : 'a')))).toMatch(/authentication methods failed/);
    expect(await login(token, 'f'.repeat(64))).toMatch(/verification failed/i);
    expect(await login(token, JSON.parse(readFileSync(info(d), 'utf8')).hostKey)).toBe('ready');
    owner.p.stdin!.end();
    await owner.p;
  });
});

describe('a one-shot command', () => {
  it('takes no windows: one opened while it runs waits for it, then opens the lab itself', async () => {
    const d = dataDir();
    expect((await run(['lab', 'phones', 'list', '--seed', '1'], d)).exitCode).toBe(0);
    const shot = start(['lab', 'reset-lab'], d);
    await waitFor('the question', () => shot.out.stdout.includes('Reset the lab (yes|no)?'), 20_000);
    expect(existsSync(sock(d))).toBe(false);
    const win = run([], d, 'show myself\n');
    shot.p.stdin!.end('no\n');
    expect((await shot.p).exitCode).toBe(0);
    const r = await win;
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain('Machine Name    : cucm-pub');
  });
});

describe('serve', () => {
  it('owns the lab: the REPL and the lab console attach to it', async () => {
    const d = dataDir();
    const server = start(['serve', '--seed', '1', '--port', '0', '--tftp-port', '0'], d);
    await waitFor('the server', () => server.out.stdout.includes('Press Ctrl-C to stop.'), 20_000);
    await listening(d, server.p.pid);
    const phones = await run(['lab', 'phones', 'list'], d);
    expect(phones.exitCode).toBe(0);
    expect(phones.stdout).toContain('Phone            Model  Device pool');
    const script = await run(['--node', 'cucm-sub2'], d, 'show myself\n');
    expect(script.exitCode).toBe(0);
    expect(script.stdout).toContain('Machine Name    : cucm-sub2');
    const again = await run(['serve', '--port', '0', '--tftp-port', '0'], d);
    expect(again.exitCode).toBe(2);
    expect(again.stderr).toBe(`cucm-sim: the lab at ${labFolder(d)} is already served (process ${server.p.pid}, cucm-sim serve); stop that server first, or use another --lab / --data-dir.\n`);
    server.p.kill('SIGINT');
    expect((await server.p).exitCode).toBe(0);
    expect(existsSync(sock(d))).toBe(false);
  });

  it('is refused with one line while a console owns the lab', async () => {
    const d = dataDir();
    const owner = start(['--seed', '1'], d);
    await listening(d, owner.p.pid);
    const r = await run(['serve', '--port', '0', '--tftp-port', '0'], d);
    expect(r.exitCode).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.split('\n')).toHaveLength(2);
    expect(r.stderr).toContain(`is open in another window (process ${owner.p.pid}, cucm-sim (local session))`);
    expect(r.stderr).toContain("start 'cucm-sim serve' first");
    owner.p.stdin!.end();
    await owner.p;
  });
});

describe('on terminals (tmux)', () => {
  let tmux = '';
  let server = '';
  beforeAll(() => {
    tmux = requireTool('tmux', 'tmux');
    // the server's socket lives in a folder removed after the tests
    server = join(dataDir(), 'tmux.sock');
  });
  afterEach(() => {
    spawnSync(tmux, ['-S', server, 'kill-server']);
  });
  const t = (...args: string[]) => spawnSync(tmux, ['-S', server, ...args], { encoding: 'utf8' });
  const screen = (w: string) => t('capture-pane', '-p', '-J', '-t', w).stdout;
  const open = (d: string, args: string[]) => {
    // Ink draws nothing live when it believes it runs in CI (as under .ci/run); a user's terminal is not CI
    const cmd = ['env', 'CI=0', 'CONTINUOUS_INTEGRATION=0', process.execPath, BIN, '--data-dir', d, ...args].map((a) => `'${a}'`).join(' ');
    // the window stays open after the program ends, so its last words can be read
    return `${cmd}; echo "[exit $?]"; sleep 600`;
  };

  it('the REPL first, then the lab console; then the lab console first, then the REPL', async () => {
    const d = dataDir();
    t('new-session', '-d', '-x', '120', '-y', '40', '-n', 'repl', open(d, ['--seed', '1']));
    await waitFor('the REPL prompt', () => screen('repl').includes('admin:'), 20_000);
    const ownerPid = JSON.parse(readFileSync(join(labFolder(d), 'lock.json'), 'utf8')).pid;
    await listening(d, ownerPid);
    t('new-window', '-n', 'lab', open(d, ['lab']));
    await waitFor('the attached lab console', () => screen('lab').includes('lab>'), 20_000);
    t('send-keys', '-t', 'lab', 'phones list', 'Enter');
    await waitFor('phones list', () => screen('lab').includes('Phone            Model'), 20_000);
    t('send-keys', '-t', 'lab', 'quit', 'Enter');
    await waitFor('the lab console to end', () => screen('lab').includes('[exit 0]'), 20_000);
    // one command from a terminal: its stdin (the terminal) does not keep it running
    t('new-window', '-n', 'shot', open(d, ['lab', 'phones', 'list']));
    await waitFor('the one-shot command to end', () => screen('shot').includes('[exit 0]'), 20_000);
    expect(screen('shot')).toContain('Phone            Model');
    t('send-keys', '-t', 'repl', 'quit', 'Enter');
    await waitFor('the REPL to end', () => screen('repl').includes('[exit 0]'), 20_000);

    t('new-window', '-n', 'lab2', open(d, ['lab']));
    await waitFor('the lab console prompt', () => screen('lab2').includes('lab>'), 20_000);
    const labPid = JSON.parse(readFileSync(join(labFolder(d), 'lock.json'), 'utf8')).pid;
    expect(labPid).not.toBe(ownerPid);
    await listening(d, labPid);
    t('new-window', '-n', 'repl2', open(d, ['--node', 'cucm-sub1']));
    await waitFor('the attached REPL', () => screen('repl2').includes('admin:'), 20_000);
    t('send-keys', '-t', 'repl2', 'show myself', 'Enter');
    await waitFor('show myself', () => screen('repl2').includes('Machine Name    : cucm-sub1'), 20_000);
    // the owner goes: the attached REPL says so in one line and ends
    t('send-keys', '-t', 'lab2', 'quit', 'Enter');
    await waitFor('the attached REPL to end', () => screen('repl2').includes('[exit 1]'), 20_000);
    await waitFor('the owner to end', () => screen('lab2').includes('[exit 0]'), 20_000);
    expect(screen('repl2')).toContain(`cucm-sim: the window that owns the lab (process ${labPid}, cucm-sim lab) has closed; this session has ended.`);
  });
});
