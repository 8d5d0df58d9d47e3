// Bad input on the wire never crashes the server or changes the lab: after every case a fresh
// login still works, `show itl` still verifies, and the lab's state is what it was.
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { connect as tcpConnect, Socket } from 'node:net';
import { Rig, exec, login, rig, shell } from './ssh-harness.js';
import { waitFor } from './helpers.js';
import { unlockAccounts } from '../state/cluster/logins.js';

vi.setConfig({ testTimeout: 60_000, hookTimeout: 60_000 });

/** Deterministic bytes (xorshift32), so a failing case can be replayed. */
function noise(seed: number, n: number): Buffer {
  const b = Buffer.alloc(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    b[i] = x & 0xff;
  }
  return b;
}

let r: Rig;
let before: string;
beforeAll(async () => {
  r = await rig({ maxUnauthenticated: 50, allowExec: true });
});
afterAll(async () => {
  await r?.stop();
});
beforeEach(() => {
  before = r.lab.fingerprint();
});

/** The check after every case. */
async function stillHealthy(node?: string) {
  const t = await shell(r.port(node), { rows: 0 });
  expect(await t.command('show itl')).toContain('The ITL file was verified successfully.');
  t.end();
  expect(r.lab.fingerprint()).toBe(before);
}

describe('garbage', () => {
  it('random bytes typed into a shell, in packets of every size', async () => {
    const t = await shell(r.port());
    const data = noise(7, 64 * 1024);
    for (let off = 0, i = 1; off < data.length; i++) {
      const n = 1 + ((i * 977) % 3000);
      t.send(data.subarray(off, off + n));
      off += n;
    }
    // this noise ends the session itself (as Ctrl-D on an empty line does): the close shows the
    // shell has read that far
    await t.waitClosed();
    t.end();
    await stillHealthy();
  });

  it('random bytes instead of the SSH protocol, before and after the version line', async () => {
    const sockets: Socket[] = [];
    for (const [seed, prefix] of [
      [1, ''],
      [2, 'SSH-2.0-OpenSSH_9.2\r\n'],
      [3, 'SSH-2.0-x\r\n'],
    ] as const) {
      const s = tcpConnect(r.port(), '127.0.0.1');
      s.on('error', () => {});
      s.resume();
      s.write(Buffer.concat([Buffer.from(prefix), noise(seed, 32 * 1024)]));
      sockets.push(s);
    }
    // the server drops each one once it has read the garbage
    await Promise.all(sockets.map((s) => (s.closed ? undefined : new Promise((res) => s.once('close', res)))));
    for (const s of sockets) s.destroy();
    await stillHealthy();
  });

  it('binary exec commands and binary stdin answers', async () => {
    const a = await exec(r.port(), noise(11, 2000).toString('latin1'));
    expect(a.code).toBe(1);
    const b = await exec(r.port(), 'file delete tftp ITLFile.tlv', noise(12, 20_000).toString('latin1'));
    expect(b.code).not.toBeUndefined();
    await stillHealthy();
  });
});

describe('huge input', () => {
  it('a 100 kB command line is cut to the line limit, refused, and the shell goes on', async () => {
    const t = await shell(r.port());
    t.send('a'.repeat(100_000) + '\r');
    const out = await t.expect(/\radmin:$/);
    expect(out).toContain('No valid command entered');
    expect(out.length).toBeLessThan(10_000); // echo stops at the limit (one bell), not 100 kB back
    expect(await t.command('show myself')).toContain('Machine Name');
    t.end();
    await stillHealthy();
  });

  it('a 100 kB answer to a question', async () => {
    const t = await shell(r.port());
    t.send('file delete tftp ITLFile.tlv\r');
    await t.expect('continue: ');
    t.send('y'.repeat(100_000) + '\r');
    expect(await t.expect(/\radmin:$/)).toContain('deleted = 0');
    t.end();
    await stillHealthy();
  });

  it('100 kB exec commands and stdin lines', async () => {
    // more than an SSH packet holds: the request is refused, or the command fails
    const a = await exec(r.port(), 'show ' + 'x'.repeat(100_000)).catch((e: Error) => ({ code: e.message }));
    expect([1, 'Unable to exec']).toContain(a.code);
    const b = await exec(r.port(), 'file delete tftp ITLFile.tlv', 'n'.repeat(100_000) + '\n');
    expect(b.out).toContain('deleted = 0');
    await stillHealthy();
  });

  it('a 100 kB password is refused like any wrong one', async () => {
    // more than an SSH packet holds: the server ends the connection before any authentication
    await expect(login(r.port(), { password: 'p'.repeat(100_000) })).rejects.toThrow('closed before login');
    await unlockAccounts(r.lab);
    await stillHealthy();
  });
});

describe('escape sequences', () => {
  it('long, unknown, split and unterminated sequences leave the line editor usable', async () => {
    const t = await shell(r.port());
    const storms = [
      '\x1b[' + '9;'.repeat(2000) + 'm', // CSI far longer than any terminal sends
      '\x1b]0;' + 'title'.repeat(100) + '\x07', // OSC window title
      '\x1b]2;unterminated',
      '\x1bP1$r0m\x1b\\', // DCS
      '\x1b[M !!', // mouse report
      '\x1b[200~pasted\x1b[201~',
      '\x1b[15~\x1b[24~\x1bOP\x1b[1;5D\x1b[3;2~', // F-keys, Ctrl-Left, Shift-Delete
      '\x9b31m\x90\x9d', // 8-bit C1 controls
      '\x1b\x1b\x1b\x1b',
      '\x1b[99999999999999999999A',
    ];
    for (const s of storms) {
      // byte by byte for the first half, whole for the rest
      for (const ch of s.slice(0, 20)) t.send(Buffer.from(ch, 'latin1'));
      t.send(Buffer.from(s.slice(20), 'latin1'));
    }
    // input is read in order: the storms come before this
    t.send('\x15\x05\x15'); // whatever was typed: clear it
    expect(await t.command('show myself')).toContain('Machine Name    : cucm-pub');
    t.end();
    await stillHealthy();
  });
});

describe('resizes and disconnects', () => {
  it('a storm of window-change requests with absurd sizes, interleaved with commands and the pager', async () => {
    const t = await shell(r.port(), { rows: 10 });
    const sizes = [0, 1, 2, 3, 65535, 0xffffffff, 1e6];
    for (let i = 0; i < 3000; i++) t.ch.setWindow(sizes[i % sizes.length], sizes[(i * 3) % sizes.length], 0, 0);
    t.send('utils service list\r');
    // a 3-row window: the pager waits for a key while the next storm comes in
    await t.expect('to quit\x1b[0m');
    for (let i = 0; i < 500; i++) t.ch.setWindow(i % 7, 40 + (i % 200), 0, 0);
    t.send('qqqq\x15');
    t.ch.setWindow(5, 80, 0, 0);
    await t.expect('admin:');
    t.send('\x15');
    t.send('show myself\r');
    await t.expect('Machine Name');
    t.end();
    await stillHealthy();
  });

  it('clients that vanish in a question, in the pager and during a service restart', async () => {
    const a = await shell(r.port());
    a.send('file delete tftp ITLFile.tlv\r');
    await a.expect('continue: ');
    a.ch.destroy();
    a.end();
    const b = await shell(r.port(), { rows: 5 });
    b.send('utils service list\r');
    await b.expect('Press <enter>');
    b.end();
    const c = await shell(r.port('cucm-sub1'));
    const tftp = () => r.lab.service(r.lab.node('cucm-sub1')!, 'Cisco Tftp')!.status;
    let restarting = false;
    const off = r.lab.onChange(() => void (tftp() !== 'STARTED' && (restarting = true)));
    c.send('utils service restart Cisco Tftp\r');
    c.end();
    // the restart goes on without its client, to the end
    await waitFor('the restart to finish', () => restarting && tftp() === 'STARTED', 15_000);
    off();
    // the restart ran to the end or not at all: the ITL it writes is the same as before
    const d = await shell(r.port('cucm-sub1'), { rows: 0 });
    expect(await d.command('utils service list')).toContain('Cisco Tftp[STARTED]');
    d.end();
    before = r.lab.fingerprint();
    await stillHealthy('cucm-sub1');
  });

  it('a client that types ahead but stops reading holds its commands back, and gets every answer once it reads', async () => {
    const t = await shell(r.port(), { rows: 0 });
    t.ch.pause();
    for (let i = 0; i < 100; i++) t.send('show itl\r');
    // answers pile up unread in the client
    await waitFor('the first answers to the typed-ahead commands', () => t.ch.readableLength > 0, 10_000);
    await stillHealthy(); // others are served meanwhile
    t.ch.resume();
    for (let i = 0; i < 100; i++) await t.expect('The ITL file was verified successfully.\r\n\radmin:', 20_000);
    t.end();
  });

  it('a flood of idle connections and logins at once', async () => {
    const raw: Socket[] = Array.from({ length: 120 }, () => tcpConnect(r.port(), '127.0.0.1').on('error', () => {}));
    const logins = await Promise.allSettled(Array.from({ length: 30 }, () => login(r.port())));
    for (const l of logins) if (l.status === 'fulfilled') l.value.end();
    for (const s of raw) s.destroy();
    // the server frees its slots as it sees the sockets go
    await waitFor('a login once the flood is gone', () => login(r.port()).then((c) => (c.end(), true), () => false), 10_000);
    await stillHealthy();
  });
});
