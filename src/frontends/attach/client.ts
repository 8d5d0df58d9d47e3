// An attached window: the lab is held by another process, so this one logs in to that process over
// the lab's socket and carries bytes between it and the user's terminal or pipes; it never opens
// the lab itself.
import { createHash } from 'node:crypto';
import { connect } from 'node:net';
import type { Readable, Writable } from 'node:stream';
import type { ReadStream, WriteStream } from 'node:tty';
import ssh2 from 'ssh2';
import type { ClientChannel } from 'ssh2';
import { ownerAlive, readLockOwner } from '../../../state/lock.js';
import { ATTACH_USER, type AttachInfo, type AttachRequest, describeOwner as describe, readInfo, socketPath } from './protocol.js';

/** How long after taking the lock an owner may take to listen (it may still be opening the lab). */
export const ATTACH_WAIT_MS = 15_000;
/** How long a window waits in any case: an owner that is closing has stopped listening but not yet exited. */
const CLOSING_GRACE_MS = 3000;
const POLL_MS = 50;

export interface AttachIO {
  stdin: Readable & Partial<Pick<ReadStream, 'isTTY' | 'setRawMode'>>;
  stdout: Writable & Partial<Pick<WriteStream, 'isTTY' | 'columns' | 'rows'>>;
  stderr: Writable;
}

/** Why no session was had: the owner went away (open the lab again) or it never listened. */
export type NotAttached = { gone: true } | { refused: string };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Waits for the owner named by the lock to publish its socket; `gone` once the lab is free. An
 * owner listens moments after it takes the lock, so one that has held it for ATTACH_WAIT_MS
 * without listening never will (a runbook run, a one-shot command): it keeps the lab to itself.
 */
async function ownerInfo(dir: string, busyMessage: string): Promise<AttachInfo | NotAttached> {
  const started = Date.now();
  for (;;) {
    const owner = readLockOwner(dir);
    if (!owner || !ownerAlive(owner)) return { gone: true };
    const info = readInfo(dir);
    if (info && info.pid === owner.pid && info.nonce === owner.nonce) return info;
    const since = Date.parse(owner.since);
    const deadline = Math.max(Number.isNaN(since) ? 0 : since + ATTACH_WAIT_MS, started + CLOSING_GRACE_MS);
    if (Date.now() > deadline) return { refused: busyMessage };
    await sleep(POLL_MS);
  }
}

/**
 * Runs `req` in the process that owns the lab at `dir`; returns the exit status, or why there was
 * no session. `busyMessage` is the refusal when the owner never listens.
 */
export async function attach(dir: string, req: AttachRequest, io: AttachIO, busyMessage: string): Promise<number | NotAttached> {
  for (let attempt = 1; ; attempt++) {
    const info = await ownerInfo(dir, busyMessage);
    if (!('token' in info)) return info;
    const conn = await login(dir, info);
    if (typeof conn === 'string') {
      // an owner that died, or is closing (it removed its token file first): wait for the lab to be free
      const now = readLockOwner(dir);
      if ((!now || !ownerAlive(now) || readInfo(dir)?.token !== info.token) && attempt < 3) continue;
      return { refused: `cannot attach to the lab at ${dir} (${describe(dir, readLockOwner(dir))}): ${conn}` };
    }
    try {
      // named now: once the owner has gone, its token file no longer says what it was
      return await session(conn, req, io, describe(dir, readLockOwner(dir)));
    } finally {
      conn.end();
    }
  }
}

/** Logs in to the owner over its socket; a string says why it could not. */
async function login(dir: string, info: AttachInfo): Promise<ssh2.Client | string> {
  const conn = new ssh2.Client();
  const ready = new Promise<void>((resolve, reject) => {
    conn.once('ready', () => resolve());
    conn.once('error', reject);
    conn.once('close', () => reject(new Error('the connection closed')));
  });
  const sock = connect(socketPath(dir));
  sock.on('error', () => {}); // reported through the SSH client
  conn.connect({
    sock,
    username: ATTACH_USER,
    password: info.token,
    readyTimeout: ATTACH_WAIT_MS,
    // the key the owner wrote beside its token: nothing else listening there is accepted
    hostVerifier: (key: Buffer) => createHash('sha256').update(key).digest('hex') === info.hostKey,
  });
  try {
    await ready;
  } catch (e) {
    conn.end();
    return (e as Error).message;
  }
  conn.on('error', () => {});
  return conn;
}

/** What became of the channel; listened for at once, as it may all arrive in the packets that open it. */
interface Outcome {
  code?: number;
  closed: Promise<void>;
}

function exec(conn: ssh2.Client, req: AttachRequest, io: AttachIO): Promise<{ ch: ClientChannel; exit: Outcome }> {
  const pty = req.mode === 'repl' ? { term: process.env.TERM || 'xterm', cols: io.stdout.columns || 80, rows: io.stdout.rows || 24 } : undefined;
  return new Promise((resolve, reject) => {
    conn.exec(JSON.stringify(req), pty ? { pty } : {}, (err, ch) => {
      if (err) return reject(err);
      const exit: Outcome = { closed: new Promise<void>((r) => ch.once('close', () => r())) };
      ch.on('exit', (code: number | null) => {
        if (typeof code === 'number') exit.code = code;
      });
      resolve({ ch, exit });
    });
  });
}

async function session(conn: ssh2.Client, req: AttachRequest, io: AttachIO, owner: string): Promise<number> {
  const { stdin, stdout, stderr } = io;
  let ch: ClientChannel;
  let exit: Outcome;
  try {
    ({ ch, exit } = await exec(conn, req, io));
  } catch (e) {
    stderr.write(`cucm-sim: the owner of the lab (${owner}) refused this window: ${(e as Error).message}\n`);
    return 1;
  }
  const raw = req.mode === 'repl' && !!stdin.isTTY && typeof stdin.setRawMode === 'function';
  const resize = () => ch.setWindow(stdout.rows || 24, stdout.columns || 80, 0, 0);
  // keys go to the owner's line editor as typed: Ctrl-C included, as over SSH
  if (raw) stdin.setRawMode!(true);
  stdout.on('resize', resize);
  ch.pipe(stdout, { end: false });
  ch.stderr.pipe(stderr, { end: false });
  stdin.pipe(ch);
  stdin.resume();
  const lost = new Promise<void>((resolve) => conn.once('close', () => resolve()));
  await Promise.race([exit.closed, lost]);
  stdin.unpipe(ch);
  stdout.off('resize', resize);
  if (raw) stdin.setRawMode!(false);
  // nothing more will be read: a terminal or a pipe left open must not keep this process alive
  stdin.pause();
  if (!stdin.isTTY) stdin.destroy();
  if (exit.code !== undefined) return exit.code;
  stderr.write(`${raw ? '\r\n' : ''}cucm-sim: the window that owns the lab (${owner}) has closed; this session has ended.\n`);
  return 1;
}
