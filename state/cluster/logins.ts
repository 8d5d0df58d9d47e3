// Who may log in: account lockout per (account, source address), the lab console's own password
// kept beside the lab, and the password rules an exposed server enforces.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { writeFileAtomic } from '../store.js';
import { join } from 'node:path';
import type { LabCore } from './core.js';

/** `show accountlocking`: three attempts, then 300 seconds locked. */
export const LOCK_AFTER = 3;
export const LOCK_MS = 300_000;
/** the password a new lab's accounts get (topology defaults) */
export const DEFAULT_PASSWORD = 'cisco123';
export const MIN_PASSWORD = 8;
/** the SSH account that opens the lab console */
export const LAB_ACCOUNT = 'lab';

/** A lock on one account from one source address; it ends at whichever time comes first. */
export interface LockRecord {
  account: string;
  source: string;
  /** wall-clock ms */
  wallUntil: number;
  /** lab-clock ms: `clock advance` ends it too */
  labUntil: number;
}

declare module './state.js' {
  interface LabSections {
    /** SSH lockouts in force (kept so a restart does not lift them) */
    lockouts?: LockRecord[];
  }
}

// bounds: a flood of sources or guessed names cannot grow these without limit
const MAX_LOCKS = 1024;
const MAX_COUNTERS = 4096;

// Failure counts stay in memory: writing the lab file on every wrong guess would let a flood of
// guesses turn into a flood of disk writes. Only a lock (rare, bounded) is saved.
const failures = new WeakMap<LabCore, Map<string, number>>();

const key = (account: string, source: string) => `${account}\u0000${source}`;

/** The address without an IPv4-mapped IPv6 prefix or a port. */
export function sourceAddress(address: string | undefined): string {
  const a = address ?? 'unknown';
  return a.startsWith('::ffff:') && a.includes('.') ? a.slice(7) : a;
}

function expired(lab: LabCore, l: LockRecord): boolean {
  return Date.now() >= l.wallUntil || lab.nowMs() >= l.labUntil;
}

/** The lock in force on an account from a source, if any. */
export function lockOf(lab: LabCore, account: string, source: string): LockRecord | undefined {
  return lab.state.lockouts?.find((l) => l.account === account && l.source === source && !expired(lab, l));
}

/** Locks still in force, soonest end first. */
export function activeLocks(lab: LabCore): LockRecord[] {
  return (lab.state.lockouts ?? []).filter((l) => !expired(lab, l)).sort((a, b) => a.wallUntil - b.wallUntil);
}

/** Counts a failed login; at LOCK_AFTER the account is locked from that source. Returns the new lock. */
export async function recordFailure(lab: LabCore, account: string, source: string): Promise<LockRecord | undefined> {
  let counts = failures.get(lab);
  if (!counts) failures.set(lab, (counts = new Map()));
  const k = key(account, source);
  const n = (counts.get(k) ?? 0) + 1;
  counts.delete(k);
  if (n < LOCK_AFTER) {
    // oldest entry first out when full
    if (counts.size >= MAX_COUNTERS) counts.delete(counts.keys().next().value!);
    counts.set(k, n);
    return undefined;
  }
  const lock: LockRecord = { account, source, wallUntil: Date.now() + LOCK_MS, labUntil: lab.nowMs() + LOCK_MS };
  await lab.mutate(() => {
    const kept = (lab.state.lockouts ?? []).filter((l) => !expired(lab, l) && !(l.account === account && l.source === source));
    kept.push(lock);
    lab.state.lockouts = kept.slice(-MAX_LOCKS);
  });
  return lock;
}

/** A successful login starts the count afresh for that account and source. */
export function recordSuccess(lab: LabCore, account: string, source: string): void {
  failures.get(lab)?.delete(key(account, source));
}

/** Failed logins counted so far (for tests and the lab console). */
export function failureCount(lab: LabCore, account: string, source: string): number {
  return failures.get(lab)?.get(key(account, source)) ?? 0;
}

/**
 * Lifts the locks and failure counts of one account (every account when omitted); returns the
 * locks that were in force. Saves through mutate().
 */
export async function unlockAccounts(lab: LabCore, account?: string): Promise<LockRecord[]> {
  const counts = failures.get(lab);
  if (counts) for (const k of [...counts.keys()]) if (account === undefined || k.startsWith(account + '\u0000')) counts.delete(k);
  const lifted = activeLocks(lab).filter((l) => account === undefined || l.account === account);
  const all = lab.state.lockouts ?? [];
  if (all.length) await lab.mutate(() => void (lab.state.lockouts = all.filter((l) => account !== undefined && l.account !== account && !expired(lab, l))));
  return lifted;
}

// ------------------------------------------------------------ the lab console's password

/** Writes a file only its owner can read, atomically (the store's writer makes it 0600). */
export function writeSecretFile(path: string, data: string | Buffer): void {
  writeFileAtomic(path, data);
}

export function labPasswordFile(lab: LabCore): string {
  return join(lab.store.dir, 'ssh', 'lab-password');
}

/** The lab console's SSH password, if one was set. */
export function readLabPassword(lab: LabCore): string | undefined {
  try {
    const pw = readFileSync(labPasswordFile(lab), 'utf8').replace(/\r?\n$/, '');
    return pw.length ? pw : undefined;
  } catch {
    return undefined;
  }
}

export function saveLabPassword(lab: LabCore, password: string): void {
  writeSecretFile(labPasswordFile(lab), password + '\n');
}

/** The given password (then kept), else the kept one, else a new random one (then kept). */
export function ensureLabPassword(lab: LabCore, given?: string): string {
  const pw = given ?? readLabPassword(lab) ?? randomBytes(12).toString('base64url');
  if (pw !== readLabPassword(lab)) saveLabPassword(lab, pw);
  return pw;
}

// ------------------------------------------------------------ password rules

/** Why the lab console may not take the OS administrator's password, and how to set another. */
export const SAME_AS_ADMIN =
  "the lab console account 'lab' has the OS administrator's password, which every trainee knows: set another with --lab-password or 'cucm-sim lab set password lab'";

/** What is wrong with a password for a server others can reach, or undefined. */
export function passwordProblem(password: string | undefined): string | undefined {
  if (!password) return 'has no password';
  if (password === DEFAULT_PASSWORD) return `still has the default password (${DEFAULT_PASSWORD})`;
  if (password.length < MIN_PASSWORD) return `has a password shorter than ${MIN_PASSWORD} characters`;
  return undefined;
}

/**
 * The accounts whose passwords an exposed server refuses (the OS administrator, the CCM application
 * user and the cluster security password, which a trainee can be asked for, and the lab console),
 * each with how to set it.
 */
export function weakLogins(lab: LabCore, labPassword: string | undefined): string[] {
  const problems: string[] = [];
  const admin = lab.state.accounts.admin;
  const a = passwordProblem(admin.password);
  if (a)
    problems.push(
      `the OS administrator account '${admin.user}' ${a}: set one of at least ${MIN_PASSWORD} characters with 'cucm-sim lab set password admin' (or 'accounts: admin: { password: ... }' in a topology file when the lab is created)`,
    );
  const app = lab.state.accounts.application;
  const p = passwordProblem(app.password);
  if (p) problems.push(`the CCM application user '${app.user}' ${p}: set one with 'cucm-sim lab set password ${app.user}'`);
  const s = passwordProblem(lab.state.accounts.securityPassword);
  if (s) problems.push(`the cluster security password (it protects ITLRecovery.p12) is weak: the secret ${s}; set one with 'cucm-sim lab set password security'`);
  const l = passwordProblem(labPassword);
  if (l) problems.push(`the lab console account '${LAB_ACCOUNT}' ${l}: set one of at least ${MIN_PASSWORD} characters with --lab-password or 'cucm-sim lab set password lab'`);
  if (labPassword !== undefined && labPassword === admin.password) problems.push(SAME_AS_ADMIN);
  return problems;
}
