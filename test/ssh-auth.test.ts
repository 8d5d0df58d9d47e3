// Logins: wrong passwords, account lockout as `show accountlocking` states it, host keys, limits.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { connect as tcpConnect } from 'node:net';
import { createHash } from 'node:crypto';
import ssh2 from 'ssh2';
import { LOCK_AFTER, LOCK_MS } from '../src/frontends/ssh/auth.js';
import { failureCount, lockOf } from '../state/cluster/logins.js';
import { startServer } from '../src/frontends/ssh/server.js';
import { Rig, exec, login, rig, shell } from './ssh-harness.js';
import { cleanup, seededLab, seededRandom, waitFor } from './helpers.js';

// a lab and three RSA host keys per server take seconds on a loaded machine
vi.setConfig({ testTimeout: 30_000, hookTimeout: 60_000 });

let r: Rig | undefined;
afterEach(async () => {
  await r?.stop();
  r = undefined;
});

async function refused(p: Promise<unknown>): Promise<string | undefined> {
  try {
    const c = (await p) as { end(): void };
    c.end();
    return undefined;
  } catch (e) {
    return (e as { level?: string }).level ?? (e as Error).message;
  }
}

describe('passwords', () => {
  it('refuses a wrong password after a delay, with either method', async () => {
    r = await rig({ failDelayMs: 200 });
    const t0 = Date.now();
    expect(await refused(login(r.port(), { password: 'nope' }))).toBe('client-authentication');
    expect(Date.now() - t0).toBeGreaterThanOrEqual(190);
    expect(await refused(login(r.port(), { password: 'nope', method: 'password' }))).toBe('client-authentication');
    expect(failureCount(r.lab, 'admin', '127.0.0.1')).toBe(2);
  });

  it('locks the account after the attempts show accountlocking states, even for the right password', async () => {
    r = await rig({ allowExec: true });
    const policy = (await exec(r.port(), 'show accountlocking')).out;
    expect(policy).toContain(`Unlock Time : ${LOCK_MS / 1000} seconds`);
    expect(policy).toContain(`Retry Count : ${LOCK_AFTER} attempts`);
    for (let i = 0; i < LOCK_AFTER; i++) expect(await refused(login(r.port(), { password: `bad${i}` }))).toBe('client-authentication');
    const lock = lockOf(r.lab, 'admin', '127.0.0.1')!;
    expect(lock.wallUntil).toBeGreaterThan(Date.now() + LOCK_MS - 60_000);
    expect(await refused(login(r.port()))).toBe('client-authentication');
    // the lock is part of the lab, so it survives in the saved state
    expect(JSON.parse(r.lab.store.read('lab.json')!.toString()).lockouts[0].wallUntil).toBe(lock.wallUntil);
    // once the time is up the right password works again and the count starts afresh
    await r.lab.mutate(() => void (r!.lab.state.lockouts![0].wallUntil = Date.now() - 1));
    expect(await refused(login(r.port()))).toBeUndefined();
  });

  it('a successful login resets the failure count', async () => {
    r = await rig();
    await refused(login(r.port(), { password: 'bad' }));
    await refused(login(r.port(), { password: 'bad' }));
    expect(failureCount(r.lab, 'admin', '127.0.0.1')).toBe(2);
    expect(await refused(login(r.port()))).toBeUndefined();
    expect(failureCount(r.lab, 'admin', '127.0.0.1')).toBe(0);
  });

  it('unknown users are refused without locking the admin account', async () => {
    r = await rig();
    for (let i = 0; i < 5; i++) expect(await refused(login(r.port(), { user: `root${i}` }))).toBe('client-authentication');
    expect(failureCount(r.lab, 'admin', '127.0.0.1')).toBe(0);
    expect(r.lab.state.lockouts ?? []).toEqual([]);
    expect(await refused(login(r.port()))).toBeUndefined();
  });

  it('the admin account name comes from the lab (a renamed account logs in as itself, prompt still admin:)', async () => {
    const lab = await seededLab();
    lab.state.accounts.admin = { user: 'ucadmin', password: 'S3cret!' };
    r = await rig({}, lab);
    expect(await refused(login(r.port()))).toBe('client-authentication');
    const t = await shell(r.port(), { user: 'ucadmin', password: 'S3cret!' });
    expect(t.out.endsWith('\r\nadmin:')).toBe(true);
    t.end();
    await r.stop();
    r = undefined;
    cleanup(lab);
  });
});

describe('server set-up', () => {
  it('keeps one host key per node across restarts, different between nodes', async () => {
    const lab = await seededLab();
    const fingerprints = async (ports: number[]) =>
      Promise.all(
        ports.map(
          (port) =>
            new Promise<string>((resolve, reject) => {
              const c = new ssh2.Client();
              c.on('error', () => {});
              c.connect({
                host: '127.0.0.1',
                port,
                username: 'x',
                hostVerifier: (key: Buffer) => {
                  resolve(createHash('sha256').update(key).digest('hex'));
                  return false;
                },
              });
              setTimeout(() => reject(new Error('no host key')), 5000);
            }),
        ),
      );
    const s1 = await startServer(lab, { port: 0 });
    const first = await fingerprints(s1.ports);
    await s1.close();
    const s2 = await startServer(lab, { port: 0 });
    const second = await fingerprints(s2.ports);
    await s2.close();
    expect(second).toEqual(first);
    expect(new Set(first).size).toBe(3);
    cleanup(lab);
  }, 30_000);

  it('refuses a non-loopback address while the admin password is the default', async () => {
    const lab = await seededLab();
    await expect(startServer(lab, { host: '0.0.0.0', port: 0 })).rejects.toThrow(/the OS administrator account 'admin' still has the default password/);
    cleanup(lab);
  });

  it('numbers the ports from the base: the publisher first, then the nodes in order', async () => {
    const lab = await seededLab();
    // seeded candidate bases; one whose ports are taken is skipped
    const random = seededRandom(2222);
    let base = 0;
    let s: Awaited<ReturnType<typeof startServer>> | undefined;
    for (let tries = 0; !s; tries++) {
      base = 20000 + Math.floor(random() * 20000);
      s = await startServer(lab, { port: base }).catch((e: Error) => {
        if (tries < 20 && /already in use/.test(e.message)) return undefined;
        throw e;
      });
    }
    expect(s!.endpoints.map((e) => [e.node, e.port, e.publisher])).toEqual([
      ['cucm-pub', base, true],
      ['cucm-sub1', base + 1, false],
      ['cucm-sub2', base + 2, false],
    ]);
    await s!.close();
    cleanup(lab);
  });
});

describe('limits', () => {
  it('drops a connection that does not log in within the auth timeout', async () => {
    r = await rig({ authTimeoutMs: 300 });
    const sock = tcpConnect(r.port(), '127.0.0.1');
    sock.on('error', () => {});
    sock.resume(); // read the server's ident, or the end of the stream is never seen
    const closed = new Promise<number>((res) => {
      const t0 = Date.now();
      sock.on('close', () => res(Date.now() - t0));
    });
    const took = await closed;
    expect(took).toBeGreaterThanOrEqual(250);
  });

  it('turns away connections over the unauthenticated limit, and logins work again once they are gone', async () => {
    r = await rig({ maxUnauthenticated: 3, authTimeoutMs: 5000 });
    const idle = Array.from({ length: 3 }, () => tcpConnect(r!.port(), '127.0.0.1').on('error', () => {}));
    // the server greets a connection it has taken in: then all three count
    await Promise.all(idle.map((s) => new Promise((res) => s.once('data', res))));
    await expect(login(r.port())).rejects.toThrow('Connection lost before handshake');
    for (const s of idle) s.destroy();
    await waitFor('a login once the idle connections are gone', async () => (await refused(login(r!.port()))) === undefined);
  });

  it('tells a session over the limit that the server is full', async () => {
    r = await rig({ maxSessions: 1 });
    const a = await shell(r.port());
    const b = await shell(r.port(), { waitPrompt: false });
    await b.waitClosed();
    expect(b.out).toContain('Too many sessions');
    expect(b.exitCode).toBe(1);
    a.end();
    // the slot frees when the server sees the first session go
    await waitFor('a session once the first one ended', () => shell(r!.port()).then((c) => (c.end(), true), () => false));
  });

  it('ends an idle session after the CLI session timeout', async () => {
    const lab = await seededLab();
    // the timeout is read in minutes; a fraction keeps the test short
    lab.state.cli.sessionTimeoutMin = 0.005;
    r = await rig({}, lab);
    const t = await shell(r.port());
    await t.waitClosed(3000);
    expect(t.out).toContain('Session timed out');
    await r.stop();
    r = undefined;
    cleanup(lab);
  });

  it('close() tells every session the server is going down and ends them', async () => {
    r = await rig();
    const t = await shell(r.port());
    const u = await shell(r.port('cucm-sub1'));
    await r.srv.close();
    await t.waitClosed();
    await u.waitClosed();
    expect(t.out).toContain('\r\nThe system is going down');
    await expect(login(r.port())).rejects.toThrow('ECONNREFUSED');
  });
});
