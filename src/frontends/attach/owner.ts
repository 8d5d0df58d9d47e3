// The owner's side of "one lab, several windows": the process holding a lab's lock listens on a
// Unix socket in the lab folder, and other windows opened on that lab log in there (SSH over the
// socket, with a random token kept 0600 beside it) and get their console from this process.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { chmodSync, lstatSync, unlinkSync } from 'node:fs';
import ssh2 from 'ssh2';
import type { Connection } from 'ssh2';
import type { Lab } from '../../../state/cluster/lab.js';
import { readLockOwner } from '../../../state/lock.js';
import { LabBusy, StoreError, writeFileAtomic } from '../../../state/store.js';
import { serveAttached, type AttachedSession } from './sessions.js';
import { ATTACH_USER, type AttachInfo, describeOwner, infoPath, ownerName, MAX_SOCKET_PATH, socketPath } from './protocol.js';

/** How long a window may take to log in before its connection is cut. */
const LOGIN_GRACE_MS = 10_000;
/** How long closing waits for the windows to hang up before the owner goes on without them. */
const CLOSE_WAIT_MS = 2000;

export interface AttachServer {
  socket: string;
  /** ends every attached window, stops listening, removes the socket and the token file */
  close(): Promise<void>;
}

function unlinkQuiet(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // already gone
  }
}

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * Listens for attached windows on the lab this process owns. A socket file found there is stale
 * (its owner held the lock this process now holds) and is replaced. Returns undefined, after
 * `warn`, when the socket cannot be made: the lab still works, only without attached windows.
 */
/**
 * A fresh ed25519 host key. About one key in 200 that ssh2's generator writes is one its own parser
 * then calls malformed (seen with ssh2 1.17), so a key is kept only once both halves parse.
 */
function hostKeyPair() {
  for (let i = 0; ; i++) {
    const keys = ssh2.utils.generateKeyPairSync('ed25519');
    const parsed = ssh2.utils.parseKey(keys.public);
    const priv = ssh2.utils.parseKey(keys.private);
    if (!(parsed instanceof Error) && !(priv instanceof Error)) return { keys, parsed };
    if (i >= 20) throw parsed instanceof Error ? parsed : priv;
  }
}

export async function startAttachServer(lab: Lab, what: string, warn: (line: string) => void): Promise<AttachServer | undefined> {
  const dir = lab.store.dir;
  const path = socketPath(dir);
  if (Buffer.byteLength(path) > MAX_SOCKET_PATH) {
    warn(`other windows cannot attach to this lab: its folder's path is too long for a socket (${path}); use a shorter --data-dir`);
    return undefined;
  }
  try {
    if (lstatSync(path).isSocket()) unlinkQuiet(path);
  } catch {
    // no socket left over
  }
  const { keys, parsed } = hostKeyPair();
  const token = randomBytes(32).toString('hex');
  const sessions = new Set<AttachedSession>();
  const clients = new Set<Connection>();

  const server = new ssh2.Server({ hostKeys: [keys.private] }, (client) => {
    clients.add(client);
    client.on('close', () => clients.delete(client));
    client.on('error', () => {}); // a broken window is its own problem
    const grace = setTimeout(() => client.end(), LOGIN_GRACE_MS);
    grace.unref();
    client.on('authentication', (ctx) => {
      if (ctx.method === 'password' && ctx.username === ATTACH_USER && sameText(ctx.password, token)) return ctx.accept();
      // one wrong try is enough: only a reader of the 0600 token file can be a window of this lab
      if (ctx.method === 'none') return ctx.reject(['password']);
      ctx.reject([]);
      client.end();
    });
    client.on('ready', () => {
      clearTimeout(grace);
      serveAttached(client, lab, sessions);
    });
  });
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(path, () => resolve());
    });
  } catch (e) {
    warn(`other windows cannot attach to this lab: ${(e as Error).message}`);
    return undefined;
  }
  server.on('error', () => {});
  // the folder is 0700 already; the socket itself is this user's only as well
  chmodSync(path, 0o600);
  const info: AttachInfo = {
    pid: process.pid,
    nonce: readLockOwner(dir)?.nonce,
    token,
    hostKey: createHash('sha256').update(parsed.getPublicSSH()).digest('hex'),
    what,
  };
  writeFileAtomic(infoPath(dir), JSON.stringify(info));
  let closed = false;
  return {
    socket: path,
    async close() {
      if (closed) return;
      closed = true;
      unlinkQuiet(infoPath(dir));
      const stopped = new Promise<void>((r) => server.close(() => r()));
      // the windows see their connection end without an exit status: they say the owner has gone
      for (const s of sessions) s.fe?.end(undefined, false);
      for (const c of clients) c.end();
      let guard: NodeJS.Timeout | undefined;
      await Promise.race([stopped, new Promise((r) => (guard = setTimeout(r, CLOSE_WAIT_MS)))]);
      clearTimeout(guard);
      unlinkQuiet(path);
    },
  };
}

/** The owner name of `cucm-sim serve`. */
export const SERVE = 'cucm-sim serve';

/** `serve` cannot attach: it needs the lab to itself to answer on its ports. One line saying what to do. */
export function serveRefusal(e: unknown): never {
  if (!(e instanceof LabBusy)) throw e;
  const who = describeOwner(e.dir, e.owner);
  if (ownerName(e.dir, e.owner) === SERVE) throw new StoreError(`the lab at ${e.dir} is already served (${who}); stop that server first, or use another --lab / --data-dir.`);
  throw new StoreError(
    `the lab at ${e.dir} is open in another window (${who}); serve must own the lab it serves: close that window, start 'cucm-sim serve' first, then open the REPL or the lab console again (they attach to the server).`,
  );
}
