// Crash-safe persistence for a lab directory.
// A change set of several files is first written whole to a journal (itself written by rename),
// then applied file by file with write-to-temp + rename, then the journal is removed; a single file
// needs no journal, its rename is atomic. A process killed at any moment therefore leaves either the
// old state or, on the next open, the journal is replayed.
import { chmodSync, closeSync, existsSync, fchmodSync, fsyncSync, lstatSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, unlinkSync, writeSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { acquireLock, LockBusy, type LockOwner, releaseLock } from './lock.js';

export class StoreError extends Error {}

/** The lab is held by another live process (`owner`): a console may attach to it instead. */
export class LabBusy extends StoreError {
  constructor(
    message: string,
    readonly dir: string,
    readonly owner: LockOwner,
  ) {
    super(message);
  }
}

const JOURNAL = 'journal.json';

function fsyncDir(dir: string): void {
  try {
    const fd = openSync(dir, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // some filesystems refuse fsync on directories; the rename is still atomic
  }
}

/** Writes a file so that readers see either the old or the new bytes, never a mix. Returns its size. */
export function writeFileAtomic(path: string, data: Buffer | string): number {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const tmp = `${path}.tmp-${process.pid}`;
  // 0600: lab files hold private keys and passwords (a leftover temp file keeps its mode, hence fchmod)
  const fd = openSync(tmp, 'w', 0o600);
  try {
    fchmodSync(fd, 0o600);
    const buf = typeof data === 'string' ? Buffer.from(data) : data;
    let off = 0;
    while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
  fsyncDir(dirname(path));
  return typeof data === 'string' ? Buffer.byteLength(data) : data.length;
}

export type Change = { path: string; data: Buffer | null };

interface JournalEntry {
  path: string;
  data: string | null; // base64
}

/** What a store wrote since it was opened: change sets, files (journal included) and their bytes. */
export interface StoreStats {
  commits: number;
  writes: number;
  bytes: number;
}

export class Store {
  private counts: StoreStats = { commits: 0, writes: 0, bytes: 0 };
  constructor(public readonly dir: string) {}

  /** A copy of the counters, so callers can measure what one command wrote. */
  stats(): StoreStats {
    return { ...this.counts };
  }

  private wrote(bytes: number): void {
    this.counts.writes++;
    this.counts.bytes += bytes;
  }

  private inside(rel: string): string {
    const abs = join(this.dir, rel);
    const r = relative(this.dir, abs);
    if (r.startsWith('..') || r.startsWith(sep) || r === '') throw new StoreError(`path escapes the lab: ${rel}`);
    return abs;
  }

  read(rel: string): Buffer | undefined {
    try {
      return readFileSync(this.inside(rel));
    } catch {
      return undefined;
    }
  }

  exists(rel: string): boolean {
    return existsSync(this.inside(rel));
  }

  list(relDir: string): string[] {
    try {
      return readdirSync(this.inside(relDir), { withFileTypes: true })
        .filter((d) => d.isFile() && !d.name.includes('.tmp-'))
        .map((d) => d.name);
    } catch {
      return [];
    }
  }

  /** Applies a change set atomically as a whole (journal, then files, then journal removal). */
  commit(changes: Change[]): void {
    if (changes.length === 0) return;
    this.counts.commits++;
    if (changes.length === 1) {
      this.applyOne(changes[0]);
      return;
    }
    const entries: JournalEntry[] = changes.map((c) => ({ path: c.path, data: c.data === null ? null : c.data.toString('base64') }));
    this.wrote(writeFileAtomic(join(this.dir, JOURNAL), JSON.stringify(entries)));
    for (const c of changes) this.applyOne(c);
    unlinkSync(join(this.dir, JOURNAL));
    fsyncDir(this.dir);
  }

  private applyOne(c: Change): void {
    const abs = this.inside(c.path);
    if (c.data === null) {
      rmSync(abs, { force: true });
    } else {
      this.wrote(writeFileAtomic(abs, c.data));
    }
  }

  /** Finishes a change set interrupted by a crash and removes stray temporary files. */
  recover(): void {
    const jpath = join(this.dir, JOURNAL);
    if (existsSync(jpath)) {
      let entries: JournalEntry[];
      try {
        entries = JSON.parse(readFileSync(jpath, 'utf8'));
      } catch {
        // the journal is written by rename, so an unreadable one was never complete: drop it
        unlinkSync(jpath);
        entries = [];
      }
      for (const e of entries) this.applyOne({ path: e.path, data: e.data === null ? null : Buffer.from(e.data, 'base64') });
      rmSync(jpath, { force: true });
    }
    this.sweepTemps(this.dir);
  }

  private sweepTemps(dir: string): void {
    let items;
    try {
      items = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const d of items) {
      const p = join(dir, d.name);
      if (d.isDirectory()) this.sweepTemps(p);
      // lock temp files belong to processes racing for the lock (lock.ts sweeps them)
      else if (d.name.includes('.tmp-') && !d.name.startsWith('lock.json.')) rmSync(p, { force: true });
    }
  }

  // ------------------------------------------------------------ ownership (lock.ts)

  /** Takes the lab for this process; a live owner elsewhere gets a clear error naming it. */
  lock(description: string): void {
    ensurePrivateDir(this.dir);
    try {
      acquireLock(this.dir, description);
    } catch (e) {
      if (e instanceof LockBusy) throw new LabBusy(e.message, e.dir, e.owner);
      throw new StoreError(`could not lock the lab at ${this.dir}: ${(e as Error).message}`);
    }
  }

  unlock(): void {
    releaseLock(this.dir);
  }

  // ------------------------------------------------------------ permissions

  /**
   * The lab holds private keys and passwords: its folders are 0700 and its files 0600. Labs made
   * before this rule are brought into line when they are opened.
   */
  secure(): void {
    const walk = (dir: string) => {
      chmodOwn(dir, 0o700);
      let items;
      try {
        items = readdirSync(dir, { withFileTypes: true });
      } catch {
        return;
      }
      for (const d of items) {
        const p = join(dir, d.name);
        if (d.isDirectory()) walk(p);
        else if (d.isFile()) chmodOwn(p, 0o600);
      }
    };
    walk(this.dir);
  }
}

/** chmod for what this user owns; anything else (a shared parent, another user's file) is left alone. */
function chmodOwn(path: string, mode: number): void {
  try {
    const st = lstatSync(path);
    if (st.isSymbolicLink()) return;
    if (typeof process.getuid === 'function' && st.uid !== process.getuid()) return;
    if ((st.mode & 0o777) !== mode) chmodSync(path, mode);
  } catch {
    // gone meanwhile, or a filesystem without modes
  }
}

/** Creates a folder (and its missing parents) readable by this user only; an existing one is tightened. */
export function ensurePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodOwn(dir, 0o700);
}
