// What the process that owns a lab and the windows attached to it agree on: the socket and the
// 0600 file that names the owner, its host key and the token a window logs in with, and the one
// request an attached window sends (which console, which mode) as the command of an SSH exec.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LockOwner } from '../../../state/lock.js';

/** The owner's Unix socket, in the lab folder (0700) and itself 0600. */
export const SOCKET = 'console.sock';
/** The owner's pid, lock nonce, host key hash and login token; 0600, removed on close. */
export const INFO = 'attach.json';
/** sun_path holds 108 bytes on Linux and 104 on macOS, its terminating NUL included. */
export const MAX_SOCKET_PATH = 103;
/** Longest request an attached window may send. */
export const MAX_REQUEST = 8192;
/** The account attached windows log in as; the token is its password. */
export const ATTACH_USER = 'attach';

export interface AttachInfo {
  pid: number;
  /** the nonce of the owner's lock: a file left by a previous owner does not match the current lock */
  nonce?: string;
  token: string;
  /** sha256 (hex) of the owner's public host key blob */
  hostKey: string;
  /** what the owner is (`cucm-sim serve`, ...): a lab it created is locked under its pid only */
  what?: string;
}

export type AttachMode = 'repl' | 'script' | 'one';

export interface AttachRequest {
  console: 'admin' | 'lab';
  /** admin: console only; the publisher when absent */
  node?: string;
  /** repl: an interactive shell on the window's terminal; script: stdin lines; one: `command` */
  mode: AttachMode;
  command?: string;
  /** questions of a one-shot command are answered yes */
  force?: boolean;
  /** script mode prints the banner first */
  banner?: boolean;
  pace?: 'fast' | 'realistic';
  /** columns of the window's terminal, when its output is one (script mode and one command) */
  width?: number;
}

/** What the owner of the lab at `dir` is: the name it listens under, else the one it locked with. */
export function ownerName(dir: string, owner: LockOwner): string {
  const info = readInfo(dir);
  return info?.what !== undefined && info.pid === owner.pid && info.nonce === owner.nonce ? info.what : owner.what;
}

/** `process N, what it is` for messages about the owner of the lab at `dir`. */
export function describeOwner(dir: string, owner: LockOwner | undefined): string {
  if (!owner) return 'its process';
  const what = ownerName(dir, owner);
  // a lab created by its owner is locked under a name that only repeats the pid
  return what === `cucm-sim pid ${owner.pid}` ? `process ${owner.pid}` : `process ${owner.pid}, ${what}`;
}

export function socketPath(dir: string): string {
  return join(dir, SOCKET);
}

export function infoPath(dir: string): string {
  return join(dir, INFO);
}

/** The owner's attach file, or undefined when absent or unreadable. */
export function readInfo(dir: string): AttachInfo | undefined {
  try {
    const o = JSON.parse(readFileSync(infoPath(dir), 'utf8'));
    if (!o || typeof o !== 'object') return undefined;
    if (typeof o.pid !== 'number' || typeof o.token !== 'string' || typeof o.hostKey !== 'string') return undefined;
    const text = (v: unknown) => (typeof v === 'string' ? v : undefined);
    return { pid: o.pid, nonce: text(o.nonce), token: o.token, hostKey: o.hostKey, what: text(o.what) };
  } catch {
    return undefined;
  }
}

const str = (v: unknown, max: number): string | undefined => (typeof v === 'string' && v.length <= max ? v : undefined);

/** The request of an exec command; anything malformed is undefined (the channel is refused). */
export function parseRequest(text: string): AttachRequest | undefined {
  if (text.length > MAX_REQUEST) return undefined;
  let o: Record<string, unknown>;
  try {
    o = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!o || typeof o !== 'object') return undefined;
  const kind = o.console;
  const mode = o.mode;
  if (kind !== 'admin' && kind !== 'lab') return undefined;
  if (mode !== 'repl' && mode !== 'script' && mode !== 'one') return undefined;
  const command = str(o.command, 4096);
  if (mode === 'one' && command === undefined) return undefined;
  return {
    console: kind,
    mode,
    node: str(o.node, 255),
    command,
    force: o.force === true,
    banner: o.banner === true,
    pace: o.pace === 'realistic' ? 'realistic' : o.pace === 'fast' ? 'fast' : undefined,
    width: typeof o.width === 'number' && Number.isInteger(o.width) ? o.width : undefined,
  };
}
