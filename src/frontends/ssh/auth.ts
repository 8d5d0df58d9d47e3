// SSH logins: the OS administrator's password for admin:, the lab console's own password for `lab`,
// failed logins counted per (account, source address) so a trainee can only lock themselves out,
// and connections that keep guessing dropped (OpenSSH's MaxAuthTries).
import { createHash, timingSafeEqual } from 'node:crypto';
import type { AuthContext, Connection } from 'ssh2';
import type { Lab } from '../../../state/cluster/lab.js';
import type { FrontEnd, ShellSession } from './front-end.js';
import { LAB_ACCOUNT, LOCK_AFTER, LOCK_MS, lockOf, readLabPassword, recordFailure, recordSuccess } from '../../../state/cluster/logins.js';

export { LOCK_AFTER, LOCK_MS };
const METHODS: Array<'keyboard-interactive' | 'password'> = ['keyboard-interactive', 'password'];
/** OpenSSH's MaxAuthTries default */
export const DEFAULT_MAX_AUTH_TRIES = 6;

/** The admin: console, or the lab console for the `lab` user. */
export type Role = 'admin' | 'lab';

/** A session opened by a login, as the owner of that login (a class) sees it. */
export interface OpenedSession {
  /** the account that logged in */
  user: string;
  /** the node (admin:) or the lab console's anchor node */
  node: string;
  role: Role;
  session: ShellSession;
  /** a wall message reaches the user through this */
  fe: Pick<FrontEnd, 'notice'>;
  width: number;
  height?: number;
}

/**
 * Where a login lands: the lab its sessions work on and the kind of console. A server of one lab
 * makes these from that lab; a class routes each trainee to their own lab and gives the
 * instructor a console of its own.
 */
export interface LoginTarget {
  lab: Lab;
  role: Role;
  /** a console of the login's own in place of the lab console (a class's instructor) */
  console?(o: { width: number; height?: number; exec: boolean }): ShellSession;
  /** told when a session of this login opens; what it returns is called when the session ends */
  opened?(s: OpenedSession): () => void;
}

/** Checks a password; the target of a login that succeeded, else undefined. */
export type LoginCheck = (user: string, password: string, source: string, log: (line: string) => void) => Promise<LoginTarget | undefined>;

/** The logins of one lab: its OS administrator and the lab console. */
export function labLogins(lab: Lab): LoginCheck {
  return async (user, password, source, log) => {
    const role = await login(lab, user, password, source, log);
    return role ? { lab, role } : undefined;
  };
}

function samePassword(given: string, expected: string | undefined): boolean {
  // hashing first gives equal lengths, so the comparison time says nothing about the password
  const a = createHash('sha256').update(given, 'utf8').digest();
  const b = createHash('sha256').update(expected ?? '', 'utf8').digest();
  return expected !== undefined && timingSafeEqual(a, b);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Checks a password for a user logging in from `source`; counts failures and locks the account
 * from that source as CUCM does (`show accountlocking`).
 */
export async function login(lab: Lab, user: string, password: string, source: string, log: (line: string) => void): Promise<Role | undefined> {
  const admin = lab.state.accounts.admin;
  // the lab console never shares the administrator's password: a trainee cannot reach it
  const role: Role | undefined = user === admin.user ? 'admin' : user === LAB_ACCOUNT ? 'lab' : undefined;
  if (!role) return undefined; // unknown users lock nothing
  const kept = role === 'lab' ? readLabPassword(lab) : undefined;
  // a lab password file edited to the admin one while serving opens nothing
  const expected = role === 'admin' ? admin.password : kept === admin.password ? undefined : kept;
  const locked = lockOf(lab, user, source) !== undefined;
  const ok = samePassword(password, expected);
  if (ok && !locked) {
    recordSuccess(lab, user, source);
    return role;
  }
  // attempts while locked do not extend the lock
  if (!locked) {
    const lock = await recordFailure(lab, user, source);
    if (lock) log(`account ${user} locked for ${LOCK_MS / 1000} s from ${source}`);
  }
  return undefined;
}

export interface AuthOptions {
  check: LoginCheck;
  nodeName: string;
  /** address:port, for the log */
  peer: string;
  /** address only: what lockouts are counted by */
  source: string;
  /** pause before a failed attempt is answered */
  failDelayMs: number;
  maxAuthTries: number;
  log: (line: string) => void;
  /** called with the target of a login that succeeded, before the client is told */
  accepted(target: LoginTarget, user: string): void;
}

/** Answers a connection's password and keyboard-interactive attempts. */
export function authenticate(client: Connection, o: AuthOptions): void {
  let tries = 0;
  let nones = 0;
  const tooMany = () => {
    o.log(`too many authentication attempts from ${o.peer} on ${o.nodeName}; disconnecting`);
    client.end();
  };
  client.on('authentication', (ctx: AuthContext) => {
    // every attempt counts, as OpenSSH counts them, except the first `none` a client asks with
    if (ctx.method === 'none' ? ++nones > 1 : true) tries++;
    if (tries > o.maxAuthTries) return tooMany();
    const attempt = async (password: string) => {
      let r: LoginTarget | undefined;
      try {
        r = await o.check(ctx.username, password, o.source, o.log);
      } catch {
        r = undefined;
      }
      if (r) {
        o.accepted(r, ctx.username);
        o.log(`login ${ctx.username} on ${o.nodeName} from ${o.peer}`);
        return ctx.accept();
      }
      o.log(`failed login ${JSON.stringify(ctx.username.slice(0, 64))} on ${o.nodeName} from ${o.peer}`);
      await sleep(o.failDelayMs);
      if (tries >= o.maxAuthTries) return tooMany();
      ctx.reject(METHODS);
    };
    if (ctx.method === 'password') return void attempt(ctx.password);
    if (ctx.method === 'keyboard-interactive') {
      return ctx.prompt([{ prompt: 'Password: ', echo: false }], (answers) => {
        if (Array.isArray(answers)) void attempt(String(answers[0] ?? ''));
      });
    }
    ctx.reject(METHODS);
  });
}
