// `file get tftp` to a real SFTP server on 127.0.0.1: the dialog over SSH, the host-key question,
// the bytes that arrive, and the CUCM-style messages for what goes wrong.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, Server } from 'node:net';
import { join } from 'node:path';
import type { CommandContext } from '../src/console/command.js';
import { TransferError } from '../src/console/command.js';
import { sftpTransfer } from '../src/net/sftp.js';
import { Rig, exec, rig, shell } from './ssh-harness.js';
import { SftpTestServer, newHostKey, startSftpServer } from './sftp-test-server.js';
import { opensslPkcs12, tempDir } from './helpers.js';

vi.setConfig({ testTimeout: 60_000, hookTimeout: 60_000 });

const USER = 'backup';
const PASS = 'b4ckup!';
let r: Rig;
let root: string;
let sftp: SftpTestServer;

beforeAll(async () => {
  // served sessions reach only the SFTP servers they are allowed: here the test servers on loopback
  r = await rig({ allowExec: true, sftpAllow: ['127.0.0.1'] });
  root = tempDir('cucm-sim-sftp-');
  mkdirSync(join(root, 'cucm'));
  sftp = await startSftpServer({ root, user: USER, password: PASS });
});
afterAll(async () => {
  await sftp?.close();
  await r?.stop();
  if (root) rmSync(root, { recursive: true, force: true });
});

/** The file get dialog for exec mode: one answer per line. */
const answers = (port: number, o: { hostKey?: string; user?: string; password?: string; dir?: string } = {}) =>
  ['y', '127.0.0.1', String(port), o.user ?? USER, o.password ?? PASS, o.dir ?? '/cucm', ...(o.hostKey !== undefined ? [o.hostKey] : []), ''].join('\n');

function pkcs12Subject(file: string): string {
  return opensslPkcs12(file, 'cisco123');
}

/** A context for calling the transfer client directly, as a command would. */
function ctxFor(answersQ: string[] = []): { ctx: CommandContext; shown: string[] } {
  const shown: string[] = [];
  const ctx = {
    lab: r.lab,
    out: (...l: string[]) => shown.push(...l),
    ask: async (p: string) => {
      shown.push(p);
      return answersQ.shift() ?? '';
    },
  } as unknown as CommandContext;
  return { ctx, shown };
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

describe('file get tftp to a real SFTP server', () => {
  it('asks for the host key once, after the download directory (seed 001), then uploads ITLRecovery.p12 that openssl opens', async () => {
    const t = await shell(r.port());
    t.send('file get tftp ITLRecovery.p12\r');
    await t.expect('Would you like to proceed [y/n]? ');
    t.send('y\r');
    await t.expect('SFTP server IP: ');
    t.send('127.0.0.1\r');
    await t.expect('SFTP server port [22]: ');
    t.send(`${sftp.port}\r`);
    await t.expect('User ID: ');
    t.send(`${USER}\r`);
    await t.expect('Password: ');
    t.send(`${PASS}\r`);
    await t.expect('*'.repeat(PASS.length) + '\r\nDownload directory: ');
    t.send('/cucm\r');
    const question = await t.expect('Are you sure you want to continue connecting (yes/no)? ');
    expect(question).toMatch(
      new RegExp(`\\r\\nThe authenticity of host '127\\.0\\.0\\.1 \\(127\\.0\\.0\\.1\\)' can't be established\\.\\r\\nRSA key fingerprint is ([0-9a-f]{2}:){15}[0-9a-f]{2}\\.\\r\\n`),
    );
    t.send('yes\r');
    const done = await t.expect(/\radmin:$/);
    expect(done).toContain('\r\nTransfer completed.\r\n');
    t.end();

    const file = join(root, 'cucm', 'ITLRecovery.p12');
    expect(readFileSync(file)).toEqual(r.lab.readTftp(r.lab.publisher(), 'ITLRecovery.p12'));
    expect(pkcs12Subject(file)).toMatch(/CN ?= ?ITLRECOVERY_cucm-pub\.lab\.example/);
    rmSync(file);

    // the key is remembered in the lab: no question the second time, from a new session
    const again = await exec(r.port(), 'file get tftp ITLRecovery.p12', answers(sftp.port));
    expect(again.out).not.toContain('authenticity');
    expect(again.out).toContain('Transfer completed.');
    expect(again.code).toBe(0);
    expect(readFileSync(file).length).toBeGreaterThan(1000);
  });

  it('answering no to the host key stops the transfer', async () => {
    const other = await startSftpServer({ root, user: USER, password: PASS });
    try {
      const res = await exec(r.port(), 'file get tftp ITLRecovery.p12', answers(other.port, { hostKey: 'no' }));
      expect(res.out).toContain('Are you sure you want to continue connecting (yes/no)? no\nHost key verification failed.\nExecuted command unsuccessfully\n');
      expect(res.out).not.toContain('Transfer completed');
      expect(res.code).toBe(1);
      // no answer at all (input ends): the dialog ends as at Ctrl-D, not a transfer failure
      const gone = await exec(r.port(), 'file get tftp ITLRecovery.p12', ['y', '127.0.0.1', String(other.port), USER, PASS, '/cucm'].join('\n'));
      expect(gone.out.endsWith('(yes/no)? \n')).toBe(true);
      expect(gone.out).not.toContain('Control-C pressed');
      expect(gone.out).not.toContain('Host key verification failed');
    } finally {
      await other.close();
    }
  });

  it('a host key that changed is refused', async () => {
    const port = await freePort();
    let s = await startSftpServer({ root, user: USER, password: PASS, port });
    await exec(r.port(), 'file get tftp ITLRecovery.p12', answers(port, { hostKey: 'yes' }));
    await s.close();
    s = await startSftpServer({ root, user: USER, password: PASS, port, hostKey: newHostKey() });
    try {
      const res = await exec(r.port(), 'file get tftp ITLRecovery.p12', answers(port));
      expect(res.out).toContain('Host key verification failed');
      expect(res.code).toBe(1);
    } finally {
      await s.close();
    }
  });

  it('turns connection refused, a wrong password and a missing directory into short messages', async () => {
    const closed = await freePort();
    const refused = await exec(r.port(), 'file get tftp ITLRecovery.p12', answers(closed));
    expect(refused.out).toContain(`Could not connect to the SFTP server 127.0.0.1 port ${closed}: Connection refused\nExecuted command unsuccessfully\n`);
    expect(refused.code).toBe(1);

    const badPass = await exec(r.port(), 'file get tftp ITLRecovery.p12', answers(sftp.port, { password: 'wrong' }));
    expect(badPass.out).toContain(`Authentication failed for user ${USER} on the SFTP server 127.0.0.1\nExecuted command unsuccessfully\n`);
    expect(badPass.out).not.toContain('wrong');

    const noDir = await exec(r.port(), 'file get tftp ITLRecovery.p12', answers(sftp.port, { dir: '/nowhere' }));
    expect(noDir.out).toContain('No such directory on the SFTP server: /nowhere\nExecuted command unsuccessfully\n');
  });
});

describe('the SFTP transfer client', () => {
  it('downloads a file, and refuses one larger than the limit without reading it all', async () => {
    writeFileSync(join(root, 'small.bin'), Buffer.alloc(1000, 7));
    writeFileSync(join(root, 'big.bin'), Buffer.alloc(2 * 1024 * 1024, 1));
    const client = sftpTransfer();
    const target = { host: '127.0.0.1', port: sftp.port, user: USER, password: PASS };
    const { ctx, shown } = ctxFor(['yes']);
    expect(await client.get(target, '/small.bin', ctx)).toEqual(Buffer.alloc(1000, 7));
    await expect(client.get(target, '/big.bin', ctx)).rejects.toThrow(/larger than 1024 KB/);
    await expect(client.get(target, '/missing.bin', ctx)).rejects.toThrow('No such file on the SFTP server: /missing.bin');
    expect(shown.filter((l) => l.includes('(yes/no)')).length).toBeLessThanOrEqual(1);

    // a server that understates the size is still cut off at the limit
    const liar = await startSftpServer({ root, user: USER, password: PASS, statSize: 10 });
    try {
      const { ctx: c2 } = ctxFor(['yes']);
      const err = await client.get({ ...target, port: liar.port }, '/big.bin', c2).catch((e) => e);
      expect(err).toBeInstanceOf(TransferError);
      expect(err.message).toMatch(/larger than 1024 KB/);
    } finally {
      await liar.close();
    }
  });

  it('gives up on a server that accepts the connection and never speaks', async () => {
    const silent: Server = createServer((s) => s.on('error', () => {})).listen(0, '127.0.0.1');
    await new Promise((res) => silent.once('listening', res));
    try {
      const client = sftpTransfer({ timeoutMs: 500 });
      const { ctx } = ctxFor();
      const port = (silent.address() as { port: number }).port;
      await expect(client.checkHost!({ host: '127.0.0.1', port }, ctx)).rejects.toThrow(`Could not connect to the SFTP server 127.0.0.1 port ${port}: Connection timed out`);
    } finally {
      silent.close();
    }
  });

  it('names an unknown host instead of failing obscurely', async () => {
    const { ctx } = ctxFor();
    await expect(sftpTransfer({ timeoutMs: 3000 }).checkHost!({ host: 'no-such-host.invalid', port: 22 }, ctx)).rejects.toThrow(
      /Could not (resolve the SFTP server name no-such-host\.invalid|connect)/,
    );
  });
});
