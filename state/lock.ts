// The lab lock: one process owns a lab directory at a time, for as long as it runs; other processes
// that want the lab meanwhile work through that owner (LockBusy names it), never beside it.
// The lock file is created whole by link() (atomic, fails if it exists), so readers never see a
// half-written owner. It names the owner by pid and process start time, so a reused pid is not
// mistaken for the owner. A stale lock is broken by exactly one process: each breaker tries to
// link the stale file to a name derived from its contents; only the one whose link succeeds (and
// finds the stale contents there) may remove it, then everyone races for the lock again.
import { closeSync, fchmodSync, fsyncSync, linkSync, openSync, readdirSync, readFileSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { createHash, randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { join } from 'node:path';

export const LOCK = 'lock.json';
const TMP = `${LOCK}.tmp-`;
const BREAK = `${LOCK}.break-`;
/** A break file older than this is left over from a breaker that died mid-break. */
const ABANDONED_BREAK_MS = 10_000;

export interface LockOwner {
  pid: number;
  /** process start time (clock ticks since boot, /proc/<pid>/stat field 22); absent off Linux */
  start?: string;
  host: string;
  what: string;
  since: string;
  nonce?: string;
}

export class LockBusy extends Error {
  constructor(
    readonly dir: string,
    readonly owner: LockOwner,
  ) {
    super(
      `The lab at ${dir} is in use by process ${owner.pid} (${owner.what}) since ${owner.since}. Stop that process or use another --lab / --data-dir.`,
    );
  }
}

/** Start time of a process, or undefined where /proc is not available (or the process is gone). */
export function processStart(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // the command name (field 2) may hold spaces and parentheses: count fields after the last ')'
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[19]; // field 22 overall
  } catch {
    return undefined;
  }
}

const myStart = processStart(process.pid);

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Whether the process a lock names is still running (on this host, with the same start time). */
export function ownerAlive(o: LockOwner): boolean {
  // another host cannot be checked; its lock is taken to be from a previous life of this machine
  if (o.host !== hostname() || !Number.isInteger(o.pid) || o.pid <= 0 || !pidAlive(o.pid)) return false;
  if (o.start === undefined) return true;
  const now = processStart(o.pid);
  return now === undefined || now === o.start;
}

function isMine(o: LockOwner): boolean {
  return o.pid === process.pid && o.host === hostname() && (o.start === undefined || o.start === myStart);
}

function parseOwner(text: string): LockOwner | undefined {
  try {
    const o = JSON.parse(text);
    if (o && typeof o === 'object' && typeof o.pid === 'number') {
      return { pid: o.pid, start: typeof o.start === 'string' ? o.start : undefined, host: String(o.host), what: String(o.what), since: String(o.since), nonce: o.nonce };
    }
  } catch {
    // unreadable: never written by link(), so not a lock anyone holds
  }
  return undefined;
}

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

function unlinkQuiet(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // already gone
  }
}

function writeNew(path: string, text: string): void {
  const fd = openSync(path, 'wx', 0o600);
  try {
    fchmodSync(fd, 0o600);
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * Removes the stale lock whose text is `stale`, if this process is the one allowed to. Returns
 * when the lock may have changed; the caller tries again.
 */
function breakStale(dir: string, stale: string): void {
  const lock = join(dir, LOCK);
  const mark = join(dir, BREAK + createHash('sha1').update(stale).digest('hex').slice(0, 16));
  try {
    linkSync(lock, mark);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') {
      // another process is breaking this lock right now, or died doing it long ago
      try {
        if (Date.now() - statSync(mark).ctimeMs > ABANDONED_BREAK_MS) {
          const aside = `${mark}.${process.pid}-${randomBytes(4).toString('hex')}`;
          renameSync(mark, aside);
          unlinkQuiet(aside);
        }
      } catch {
        // it went away meanwhile
      }
    }
    return;
  }
  // The link names whatever the lock is now; only the stale contents make this process the breaker.
  if (readText(mark) !== stale) {
    unlinkQuiet(mark);
    return;
  }
  // Nobody else can remove the lock while the mark exists, so this removes the stale one.
  unlinkQuiet(lock);
  unlinkQuiet(mark);
}

/** Removes lock temp and break files left by processes that are gone. Call while holding the lock. */
function sweep(dir: string): void {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  for (const n of names) {
    if (n.startsWith(BREAK)) unlinkQuiet(join(dir, n));
    else if (n.startsWith(TMP)) {
      const o = parseOwner(readText(join(dir, n)) ?? '');
      if (!o || (!isMine(o) && !ownerAlive(o))) unlinkQuiet(join(dir, n));
    }
  }
}

/** Takes the lock of `dir` for this process; a live owner elsewhere gets LockBusy. */
export function acquireLock(dir: string, what: string): void {
  const lock = join(dir, LOCK);
  const nonce = randomBytes(8).toString('hex');
  const owner: LockOwner = { pid: process.pid, start: myStart, host: hostname(), what, since: new Date().toISOString(), nonce };
  const text = JSON.stringify(owner);
  const tmp = join(dir, `${TMP}${process.pid}-${nonce}`);
  try {
    for (let attempt = 0; attempt < 50; attempt++) {
      try {
        writeNew(tmp, text);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      }
      try {
        linkSync(tmp, lock);
        unlinkQuiet(tmp);
        sweep(dir);
        return;
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'ENOENT') continue; // our temp file was swept by a previous owner: write it again
        if (code !== 'EEXIST') throw e;
      }
      const current = readText(lock);
      if (current === undefined) continue; // removed meanwhile
      const o = parseOwner(current);
      if (o && isMine(o)) return; // this process already holds it
      if (o && ownerAlive(o)) throw new LockBusy(dir, o);
      breakStale(dir, current);
    }
  } finally {
    unlinkQuiet(tmp);
  }
  throw new Error(`could not lock the lab at ${dir}`);
}

/** Releases the lock if this process holds it. */
export function releaseLock(dir: string): void {
  const lock = join(dir, LOCK);
  const o = parseOwner(readText(lock) ?? '');
  if (o && isMine(o)) unlinkQuiet(lock);
}

export function readLockOwner(dir: string): LockOwner | undefined {
  return parseOwner(readText(join(dir, LOCK)) ?? '');
}
