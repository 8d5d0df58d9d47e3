// Crash-safe persistence for a lab directory.
// Every change set is first written whole to a journal (itself written by rename), then applied
// file by file with write-to-temp + rename, then the journal is removed. A process killed at any
// moment therefore leaves either the old state or, on the next open, the journal is replayed.
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, unlinkSync, writeSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { hostname } from 'node:os';

export class StoreError extends Error {}

const JOURNAL = 'journal.json';
const LOCK = 'lock.json';

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

/** Writes a file so that readers see either the old or the new bytes, never a mix. */
export function writeFileAtomic(path: string, data: Buffer | string): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${process.pid}`;
  const fd = openSync(tmp, 'w', 0o644);
  try {
    const buf = typeof data === 'string' ? Buffer.from(data) : data;
    let off = 0;
    while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
  fsyncDir(dirname(path));
}

export type Change = { path: string; data: Buffer | null };

interface JournalEntry {
  path: string;
  data: string | null; // base64
}

export class Store {
  constructor(public readonly dir: string) {}

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
    if (changes.length === 1) {
      this.applyOne(changes[0]);
      return;
    }
    const entries: JournalEntry[] = changes.map((c) => ({ path: c.path, data: c.data === null ? null : c.data.toString('base64') }));
    writeFileAtomic(join(this.dir, JOURNAL), JSON.stringify(entries));
    for (const c of changes) this.applyOne(c);
    unlinkSync(join(this.dir, JOURNAL));
    fsyncDir(this.dir);
  }

  private applyOne(c: Change): void {
    const abs = this.inside(c.path);
    if (c.data === null) {
      rmSync(abs, { force: true });
    } else {
      writeFileAtomic(abs, c.data);
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
      else if (d.name.includes('.tmp-')) rmSync(p, { force: true });
    }
  }

  // ------------------------------------------------------------ ownership

  /** Takes the lab for this process; a live owner elsewhere gets a clear error naming it. */
  lock(description: string): void {
    const path = join(this.dir, LOCK);
    mkdirSync(this.dir, { recursive: true });
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        const fd = openSync(path, 'wx');
        writeSync(fd, JSON.stringify({ pid: process.pid, host: hostname(), what: description, since: new Date().toISOString() }));
        closeSync(fd);
        return;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
        let owner: { pid: number; host: string; what: string; since: string } | undefined;
        try {
          owner = JSON.parse(readFileSync(path, 'utf8'));
        } catch {
          owner = undefined;
        }
        if (owner && owner.pid !== process.pid && owner.host === hostname() && pidAlive(owner.pid)) {
          throw new StoreError(
            `The lab at ${this.dir} is in use by process ${owner.pid} (${owner.what}) since ${owner.since}. Stop that process or use another --lab / --data-dir.`,
          );
        }
        if (owner && owner.pid === process.pid) return;
        rmSync(path, { force: true }); // stale: its owner is gone
      }
    }
    throw new StoreError(`could not lock the lab at ${this.dir}`);
  }

  unlock(): void {
    const path = join(this.dir, LOCK);
    try {
      const owner = JSON.parse(readFileSync(path, 'utf8'));
      if (owner.pid === process.pid) rmSync(path, { force: true });
    } catch {
      // nothing to release
    }
  }
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
