// SSH logins: passwords checked against the lab's OS administrator account, the account locked after
// repeated failures as CUCM does, and connections that keep guessing dropped.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { AuthContext, Connection } from 'ssh2';
import type { Lab } from '../../../state/cluster/lab.js';

/** `show accountlocking`: three attempts, then 300 seconds locked. */
export const LOCK_AFTER = 3;
export const LOCK_MS = 300_000;
const METHODS: Array<'keyboard-interactive' | 'password'> = ['keyboard-interactive', 'password'];
/** like OpenSSH's MaxAuthTries: a connection that keeps guessing is dropped */
const MAX_TRIES = 6;

/** The admin: console, or the lab console for the `lab` user. */
export type Role = 'admin' | 'lab';

function samePassword(given: string, expected: string): boolean {
  // hashing first gives equal lengths, so the comparison time says nothing about the password
  const a = createHash('sha256').update(given, 'utf8').digest();
  const b = createHash('sha256').update(expected, 'utf8').digest();
  return timingSafeEqual(a, b);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Checks a password for a user; counts failures and locks the admin account as CUCM does. */
export async function login(lab: Lab, user: string, password: string, log: (line: string) => void): Promise<Role | undefined> {
  const admin = lab.state.accounts.admin;
  const role = user === admin.user ? 'admin' : user === 'lab' ? 'lab' : undefined;
  const locked = lab.state.accountLock.lockedUntil > Date.now();
  const ok = samePassword(password, admin.password) && role !== undefined && !locked;
  if (ok) {
    if (lab.state.accountLock.failures) await lab.mutate(() => void (lab.state.accountLock.failures = 0));
    return role;
  }
  // unknown users cannot lock the account; attempts while locked do not extend the lock
  if (role && !locked) {
    await lab.mutate(() => {
      const l = lab.state.accountLock;
      l.failures++;
      if (l.failures >= LOCK_AFTER) {
        // wall time: a lab with a fixed simulated clock must still unlock
        l.lockedUntil = Date.now() + LOCK_MS;
        l.failures = 0;
      }
    });
    if (lab.state.accountLock.lockedUntil > Date.now()) log(`account ${user} locked for ${LOCK_MS / 1000} s`);
  }
  return undefined;
}

export interface AuthOptions {
  lab: Lab;
  nodeName: string;
  peer: string;
  /** pause before a failed attempt is answered */
  failDelayMs: number;
  log: (line: string) => void;
  /** called with the role of a login that succeeded, before the client is told */
  accepted(role: Role): void;
}

/** Answers a connection's password and keyboard-interactive attempts. */
export function authenticate(client: Connection, o: AuthOptions): void {
  let tries = 0;
  client.on('authentication', (ctx: AuthContext) => {
    const attempt = async (password: string) => {
      let r: Role | undefined;
      try {
        r = await login(o.lab, ctx.username, password, o.log);
      } catch {
        r = undefined;
      }
      if (r) {
        o.accepted(r);
        o.log(`login ${ctx.username} on ${o.nodeName} from ${o.peer}`);
        return ctx.accept();
      }
      o.log(`failed login ${JSON.stringify(ctx.username.slice(0, 64))} on ${o.nodeName} from ${o.peer}`);
      await sleep(o.failDelayMs);
      if (++tries >= MAX_TRIES) return client.end();
      ctx.reject(METHODS);
    };
    if (ctx.method === 'password') return void attempt(ctx.password);
    if (ctx.method === 'keyboard-interactive') {
      return ctx.prompt([{ prompt: 'Password: ', echo: false }], (answers) => {
        if (Array.isArray(answers)) void attempt(answers[0] ?? '');
      });
    }
    ctx.reject(METHODS);
  });
}
