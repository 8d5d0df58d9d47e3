// A classroom shares one server: hostile clients (ssh2 and raw TCP, all on loopback, 127.0.0.x as
// separate source addresses) against the pre-login limits, lockouts, session caps, roles, the
// password rules of an exposed bind, power-off broadcasts and stopping on SIGTERM/SIGINT.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { connect as tcpConnect, Socket } from 'node:net';
import { rmSync, statSync } from 'node:fs';
import { spawn, type ChildProcess } from 'node:child_process';
import { join, resolve } from 'node:path';
import ssh2 from 'ssh2';
import type { ClientChannel } from 'ssh2';
import { startServer, type ServerOptions } from '../src/frontends/ssh/server.js';
import { LabConsole } from '../src/console/lab-console.js';
import { drive } from '../src/console/drive.js';
import { ensureLabPassword, labPasswordFile, readLabPassword, weakLogins } from '../state/cluster/logins.js';
import { LAB_PASSWORD, Rig, Term, exec, login, rig, shell } from './ssh-harness.js';
import { cleanup, seededLab, tempDir, waitFor } from './helpers.js';
import { requireDist } from './prerequisites.js';

vi.setConfig({ testTimeout: 30_000, hookTimeout: 60_000 });

let r: Rig | undefined;
afterEach(async () => {
  await r?.stop();
  r = undefined;
});

/** undefined when the login worked, else the ssh2 error level or message */
async function refused(p: Promise<{ end(): void }>): Promise<string | undefined> {
  try {
    (await p).end();
    return undefined;
  } catch (e) {
    return (e as { level?: string }).level ?? (e as Error).message;
  }
}

function rawFrom(port: number, localAddress: string): Socket {
  const s = tcpConnect({ port, host: '127.0.0.1', localAddress });
  s.on('error', () => {});
  return s;
}

/** The lab console over SSH, from a source address. */
async function labConsole(port: number, localAddress: string): Promise<Term> {
  const t = await shell(port, { user: 'lab', password: LAB_PASSWORD, localAddress, waitPrompt: false, rows: 0 });
  await t.expect(/lab>$/);
  return t;
}

async function labCommand(t: Term, line: string): Promise<string> {
  t.send(line + '\r');
  return t.expect(/\rlab>$/);
}

describe('before login', () => {
  it('a flood from one address fills only its own slots (--max-startups); another address still logs in', async () => {
    r = await rig({ maxStartups: 5, maxUnauthenticated: 50, authTimeoutMs: 20_000 });
    const flood = Array.from({ length: 30 }, () => rawFrom(r!.port(), '127.0.0.2'));
    const closed = new Set<Socket>();
    for (const s of flood) s.on('close', () => closed.add(s));
    await waitFor('the server to turn away what is over the per-source limit', () => closed.size >= 25, 10_000);
    expect(closed.size).toBe(25);
    // the five it holds are greeted as SSH connections
    const kept = flood.filter((s) => !closed.has(s));
    await Promise.all(kept.map((s) => new Promise((res) => (s.readableLength ? res(null) : s.once('data', res)))));
    expect(await refused(login(r.port(), { localAddress: '127.0.0.3' }))).toBeUndefined();
    await expect(login(r.port(), { localAddress: '127.0.0.2' })).rejects.toThrow('Connection lost before handshake');
    for (const s of flood) s.destroy();
    await waitFor('the flooding address to get in once its connections are gone', async () => (await refused(login(r!.port(), { localAddress: '127.0.0.2' }))) === undefined);
  });

  it('cuts a connection that has not logged in within the login grace time', async () => {
    r = await rig({ authTimeoutMs: 300 });
    const s = rawFrom(r.port(), '127.0.0.4');
    s.write('SSH-2.0-slowloris\r\n');
    s.resume();
    const closed = new Promise<void>((res) => s.once('close', () => res()));
    await Promise.race([closed, new Promise((_, rej) => setTimeout(() => rej(new Error('still open after 5 s')), 5000))]);
    expect(s.destroyed).toBe(true);
  });

  it('drops a connection after --max-auth-tries attempts, however it guesses', async () => {
    r = await rig({ maxAuthTries: 3 });
    let attempts = 0;
    await new Promise<void>((resolve) => {
      const c = new ssh2.Client();
      c.on('error', () => {});
      c.on('close', () => resolve());
      c.connect({
        host: '127.0.0.1',
        port: r!.port(),
        localAddress: '127.0.0.4',
        username: 'nobody',
        readyTimeout: 10_000,
        authHandler: (_left: unknown, _partial: unknown, next: (m: unknown) => void) => {
          attempts++;
          next({ type: 'password', username: 'nobody', password: `guess${attempts}` });
        },
      } as never);
    });
    expect(attempts).toBe(3);
  });
});

describe('lockout', () => {
  it('is counted per account and source address, ends on the lab clock, and unlock lifts it', async () => {
    r = await rig();
    const port = r.port();
    for (let i = 0; i < 3; i++) expect(await refused(login(port, { password: `bad${i}`, localAddress: '127.0.0.5' }))).toBe('client-authentication');
    // locked from .5, even with the right password
    expect(await refused(login(port, { localAddress: '127.0.0.5' }))).toBe('client-authentication');
    // a classmate at .6 is not locked out, and the lab console account is not locked by admin failures
    expect(await refused(login(port, { localAddress: '127.0.0.6' }))).toBeUndefined();
    const con = await labConsole(port, '127.0.0.5');

    // the lock ends when the lab clock passes it, long before the wall clock does
    expect(await labCommand(con, 'clock advance 6m')).toContain('Clock advanced by 6m');
    expect(await refused(login(port, { localAddress: '127.0.0.5' }))).toBeUndefined();

    for (let i = 0; i < 3; i++) await refused(login(port, { password: `bad${i}`, localAddress: '127.0.0.5' }));
    expect(await refused(login(port, { localAddress: '127.0.0.5' }))).toBe('client-authentication');
    expect(await labCommand(con, 'unlock admin')).toContain('Unlocked admin from 127.0.0.5');
    expect(await refused(login(port, { localAddress: '127.0.0.5' }))).toBeUndefined();
    expect(await labCommand(con, 'unlock')).toContain('No account is locked out.');
    con.end();

    // the policy the CLI states is the one applied (cucm-cli.md, show accountlocking)
    const t = await shell(port, { localAddress: '127.0.0.6', rows: 0 });
    expect(await t.command('show accountlocking')).toContain('Account Lockout is enabled\r\nUnlock Time : 300 seconds\r\nRetry Count : 3 attempts\r\n');
    t.end();
  });

  it('failures of the lab account lock only the lab account, from that address', async () => {
    r = await rig();
    const port = r.port();
    for (let i = 0; i < 3; i++) await refused(login(port, { user: 'lab', password: `bad${i}`, localAddress: '127.0.0.7' }));
    expect(await refused(login(port, { user: 'lab', password: LAB_PASSWORD, localAddress: '127.0.0.7' }))).toBe('client-authentication');
    expect(await refused(login(port, { localAddress: '127.0.0.7' }))).toBeUndefined();
    expect(await refused(login(port, { user: 'lab', password: LAB_PASSWORD, localAddress: '127.0.0.8' }))).toBeUndefined();
  });
});

describe('session caps', () => {
  it('per user (account and address) and per node, with the reason told', async () => {
    r = await rig({ maxSessionsPerUser: 2, maxSessionsPerNode: 3 });
    const pub = r.port();
    const a = [await shell(pub, { localAddress: '127.0.0.9' }), await shell(pub, { localAddress: '127.0.0.9' })];
    const third = await shell(pub, { localAddress: '127.0.0.9', waitPrompt: false });
    await third.waitClosed();
    expect(third.out).toBe('Too many sessions are open for admin@127.0.0.9; close one and try again.\r\n');
    expect(third.exitCode).toBe(1);
    a.push(await shell(pub, { localAddress: '127.0.0.10' }));
    const full = await shell(pub, { localAddress: '127.0.0.11', waitPrompt: false });
    await full.waitClosed();
    expect(full.out).toBe('Too many sessions are open on cucm-pub; try again later or log in to another node.\r\n');
    const other = await shell(r.port('cucm-sub1'), { localAddress: '127.0.0.11' });
    expect(await other.command('show myself')).toContain('cucm-sub1');
    for (const t of [...a, other, third, full]) t.end();
  });

  it('one connection opens at most 10 session channels', async () => {
    r = await rig({ maxSessionsPerUser: 50 });
    const c = await login(r.port(), { localAddress: '127.0.0.12' });
    const open = () =>
      new Promise<ClientChannel | Error>((resolve) => c.shell({ term: 'vt100', rows: 0, cols: 80 }, (err, ch) => resolve(err ?? ch)));
    const channels: ClientChannel[] = [];
    for (let i = 0; i < 10; i++) {
      const ch = await open();
      expect(ch).not.toBeInstanceOf(Error);
      channels.push(ch as ClientChannel);
    }
    expect(await open()).toBeInstanceOf(Error);
    c.end();
  });
});

describe('roles', () => {
  it('the lab console takes its own password, never the admin one, and admin never takes it', async () => {
    r = await rig();
    expect(await refused(login(r.port(), { user: 'lab', password: 'cisco123', localAddress: '127.0.0.13' }))).toBe('client-authentication');
    expect(await refused(login(r.port(), { password: LAB_PASSWORD, localAddress: '127.0.0.14' }))).toBe('client-authentication');
    const con = await labConsole(r.port(), '127.0.0.15');
    expect(await labCommand(con, 'help')).toContain('unlock');
    con.end();
  });

  it('the lab console never takes the admin password: the server refuses it, on loopback too', async () => {
    const lab = await seededLab();
    try {
      const how = "set another with --lab-password or 'cucm-sim lab set password lab'";
      const started = (o: ServerOptions) => startServer(lab, { port: 0, ...o }).then((s) => s.close().then(() => 'started'), (e: Error) => e.message);
      const given = await started({ labPassword: 'cisco123' });
      expect(given).toBe(`refusing to start: the lab console account 'lab' has the OS administrator's password, which every trainee knows: ${how}`);
      expect(readLabPassword(lab)).toBeUndefined();
      // a kept one equal to a changed admin password is refused as well
      await lab.mutate(() => void (lab.state.accounts.admin.password = 'a-real-passw0rd'));
      ensureLabPassword(lab, 'a-real-passw0rd');
      expect(await started({})).toContain(how);
      expect(weakLogins(lab, 'a-real-passw0rd')).toContain(
        `the lab console account 'lab' has the OS administrator's password, which every trainee knows: ${how}`,
      );
    } finally {
      cleanup(lab);
    }
  });

  it('a lab password file edited to the admin password while serving opens nothing', async () => {
    r = await rig();
    ensureLabPassword(r.lab, 'cisco123');
    expect(await refused(login(r.port(), { user: 'lab', password: 'cisco123', localAddress: '127.0.0.18' }))).toBe('client-authentication');
  });

  it('an exec request cannot reset the lab', async () => {
    r = await rig({ allowExec: true });
    const before = r.lab.fingerprint();
    const res = await exec(r.port(), 'reset-lab', 'yes\n', { user: 'lab', password: LAB_PASSWORD });
    expect(res.out).toContain('reset-lab is not run from an SSH exec request');
    expect(res.code).toBe(1);
    expect(r.lab.fingerprint()).toBe(before);
  });

  it('the lab password is random by default, kept 0600 in the lab, and stable', async () => {
    const lab = await seededLab();
    try {
      expect(readLabPassword(lab)).toBeUndefined();
      const first = ensureLabPassword(lab);
      expect(first.length).toBeGreaterThanOrEqual(16);
      expect(ensureLabPassword(lab)).toBe(first);
      expect(statSync(labPasswordFile(lab)).mode & 0o777).toBe(0o600);
      expect(ensureLabPassword(lab, 'chosen-by-me')).toBe('chosen-by-me');
      expect(ensureLabPassword(lab)).toBe('chosen-by-me');
    } finally {
      cleanup(lab);
    }
  });

  it('powering a node off broadcasts the shutdown to its users and closes them; the lab console stays', async () => {
    r = await rig();
    const user = await shell(r.port('cucm-sub1'), { localAddress: '127.0.0.16' });
    // the instructor came in through the same node's port: the lab console is not on the node
    const con = await labConsole(r.port('cucm-sub1'), '127.0.0.17');
    await labCommand(con, 'node power cucm-sub1 off');
    await user.waitClosed();
    expect(user.out.slice(user.mark)).toMatch(
      /\r\n\r\nBroadcast message from root@cucm-sub1\r\n {8}\(unknown\) at \d{1,2}:\d{2} \.\.\.\r\n\r\nThe system is going down for power off NOW!\r\n$/,
    );
    expect(await labCommand(con, 'node power cucm-sub1 on')).not.toContain('Unknown');
    expect(con.closed).toBe(false);
    con.end();
  });
});

describe('exposed binds', () => {
  it('refuse to start while any account has a default, empty or short password, saying which and how', async () => {
    const lab = await seededLab();
    try {
      const err = await startServer(lab, { host: '0.0.0.0', port: 0 }).then(
        () => 'started',
        (e: Error) => e.message,
      );
      expect(err).toContain("the OS administrator account 'admin' still has the default password (cisco123)");
      expect(err).toContain("'cucm-sim lab set password admin'");
      expect(err).toContain("the lab console account 'lab' has no password");
      expect(err).toContain("the CCM application user 'ccmadmin' still has the default password (cisco123): set one with 'cucm-sim lab set password ccmadmin'");
      expect(err).toContain("the cluster security password (it protects ITLRecovery.p12) is weak: the secret still has the default password (cisco123)");
      await lab.mutate(() => void (lab.state.accounts.admin.password = ''));
      expect(await startServer(lab, { host: '192.0.2.1', port: 0, labPassword: 'short' }).catch((e: Error) => e.message)).toMatch(
        /'admin' has no password.*'lab' has a password shorter than 8 characters: set one of at least 8 characters with --lab-password/,
      );
      await lab.mutate(() => void (lab.state.accounts.admin.password = 'a-real-passw0rd'));
      expect(weakLogins(lab, 'another-real-one')).toHaveLength(2); // application user and security password
      const con = new LabConsole({ lab });
      for (const account of ['ccmadmin', 'security']) {
        const q = ['app-and-sec-pw', 'app-and-sec-pw'];
        expect((await drive(con, `set password ${account}`, { answers: () => q.shift() })).status).toBe(0);
      }
      expect(lab.state.accounts.application.password).toBe('app-and-sec-pw');
      expect(lab.state.accounts.securityPassword).toBe('app-and-sec-pw');
      expect(weakLogins(lab, 'another-real-one')).toEqual([]);
      expect(weakLogins(lab, 'cisco123')).toEqual([expect.stringContaining("'lab' still has the default password")]);
    } finally {
      cleanup(lab);
    }
  });

  it('set password (lab console) asks twice, wants 8 characters, and changes the account', async () => {
    const lab = await seededLab();
    try {
      const con = new LabConsole({ lab });
      const run = async (line: string, answers: string[]) => {
        let out = '';
        const q = [...answers];
        const res = await drive(con, line, { answers: () => q.shift(), onOutput: (t) => (out += t) });
        return { out, status: res.status };
      };
      expect((await run('set password admin', ['short', 'short'])).status).toBe(1);
      expect((await run('set password admin', ['long-enough-1', 'long-enough-2'])).out).toContain('The passwords do not match.');
      expect(lab.state.accounts.admin.password).toBe('cisco123');
      expect((await run('set password admin', ['long-enough-1', 'long-enough-1'])).status).toBe(0);
      expect(lab.state.accounts.admin.password).toBe('long-enough-1');
      expect((await run('set password lab', ['instructor-2', 'instructor-2'])).status).toBe(0);
      expect(readLabPassword(lab)).toBe('instructor-2');
      expect(statSync(labPasswordFile(lab)).mode & 0o777).toBe(0o600);
      expect((await run('set password root', ['x', 'x'])).out).toContain("No account 'root'");
      // the default is refused for every account; lab and admin never share a password
      for (const account of ['admin', 'lab', 'ccmadmin', 'security'])
        expect(await run(`set password ${account}`, ['cisco123', 'cisco123'])).toEqual({
          out: expect.stringContaining('cisco123 is the password every new lab starts with: choose another. Nothing was changed.'),
          status: 1,
        });
      expect(await run('set password lab', ['long-enough-1', 'long-enough-1'])).toEqual({
        out: expect.stringContaining("The lab console password must differ from the OS administrator's, which every trainee knows. Nothing was changed."),
        status: 1,
      });
      expect(await run('set password admin', ['instructor-2', 'instructor-2'])).toEqual({
        out: expect.stringContaining("The OS administrator password must differ from the lab console's"),
        status: 1,
      });
      expect(lab.state.accounts.admin.password).toBe('long-enough-1');
      expect(readLabPassword(lab)).toBe('instructor-2');
      expect(lab.state.accounts.application.password).toBe('cisco123');
    } finally {
      cleanup(lab);
    }
  });
});

describe('serve stops on SIGTERM and SIGINT in every state', () => {
  const ROOT = resolve(import.meta.dirname, '..');

  interface Served {
    child: ChildProcess;
    out: () => string;
    port: number;
    labPassword: string;
    exited: Promise<number | null>;
  }

  async function serveProcess(dataDir: string, extra: string[]): Promise<Served> {
    requireDist();
    const child = spawn(process.execPath, [join(ROOT, 'bin', 'cucm-sim.js'), 'serve', '--data-dir', dataDir, '--seed', '1', '--port', '0', '--tftp-port', '0', ...extra], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((res) => child.once('exit', (code) => res(code)));
    let gone = false;
    void exited.then(() => (gone = true));
    await waitFor('the serve banner', () => {
      if (gone) throw new Error(`serve exited early: ${out}`);
      return out.includes('Press Ctrl-C');
    }, 60_000);
    const port = Number(/^cucm-pub\s+127\.0\.0\.1:(\d+)\s+publisher$/m.exec(out)![1]);
    const labPassword = /\(account 'lab', password (\S+), kept in /.exec(out)![1];
    return { child, out: () => out, port, labPassword, exited };
  }

  /** The exit status, within a bounded time. */
  async function exitWithin(s: Served, ms: number): Promise<number | null> {
    let timer: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([s.exited, new Promise<never>((_, rej) => (timer = setTimeout(() => rej(new Error(`serve still running ${ms} ms after the signal:\n${s.out()}`)), ms)))]);
    } finally {
      clearTimeout(timer);
      if (s.child.exitCode === null) s.child.kill('SIGKILL');
    }
  }

  /** An ssh2 client that gets the password prompt and never answers it. */
  function stuckAtPassword(port: number): Promise<void> {
    return new Promise((resolve) => {
      const c = new ssh2.Client();
      c.on('error', () => {});
      c.on('keyboard-interactive', () => resolve());
      c.connect({ host: '127.0.0.1', port, localAddress: '127.0.0.21', username: 'admin', tryKeyboard: true, authHandler: ['keyboard-interactive'], readyTimeout: 30_000 });
    });
  }

  it('mid-command, at a question, mid-banner, mid-handshake and at the password prompt: SIGTERM ends it, status 0', async () => {
    const dataDir = tempDir('cucm-sim-sig-');
    const s = await serveProcess(dataDir, ['--pace', 'realistic']);
    try {
      const asking = await shell(s.port, { rows: 0 });
      asking.send('utils ctl update CTLFile\r');
      await asking.expect('(y/n)');
      const busy = await shell(s.port, { rows: 0 });
      busy.send('utils service restart Cisco Tftp\r');
      await busy.expect('Cisco Tftp');
      const banner = await shell(s.port, { waitPrompt: false });
      await banner.expect('Command Line Interface is starting up');
      const raw = rawFrom(s.port, '127.0.0.20');
      raw.write('SSH-2.0-half\r\n');
      await new Promise((res) => raw.once('data', res));
      await stuckAtPassword(s.port);

      s.child.kill('SIGTERM');
      expect(await exitWithin(s, 15_000)).toBe(0);
      await asking.waitClosed();
      expect(asking.out).toContain('The system is going down');
      raw.destroy();
    } finally {
      s.child.kill('SIGKILL');
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 120_000);

  it('SIGINT too; the lab password is kept 0600 and printed the same on the next start', async () => {
    const dataDir = tempDir('cucm-sim-sig-');
    try {
      const first = await serveProcess(dataDir, []);
      first.child.kill('SIGINT');
      expect(await exitWithin(first, 15_000)).toBe(0);
      const file = join(dataDir, 'labs', 'default', 'ssh', 'lab-password');
      expect(statSync(file).mode & 0o777).toBe(0o600);

      const again = await serveProcess(dataDir, []);
      expect(again.labPassword).toBe(first.labPassword);
      const t = await shell(again.port, { user: 'lab', password: again.labPassword, waitPrompt: false, rows: 0 });
      await t.expect(/lab>$/);
      const raw = rawFrom(again.port, '127.0.0.22');
      again.child.kill('SIGINT');
      expect(await exitWithin(again, 15_000)).toBe(0);
      await t.waitClosed();
      raw.destroy();
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 120_000);
});
