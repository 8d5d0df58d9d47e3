// Sign-in for the dashboard: the lab password checked in constant time, sessions held in memory
// (a restart signs everyone out, which is fine for a class), a CSRF token per session, and a
// budget of failed sign-ins per client address.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

export const SESSION_COOKIE = 'cucm_dash';

/** How long a failed sign-in counts against its address. */
export const LOGIN_WINDOW_MS = 5 * 60_000;

/** A session unused this long is forgotten (a projector left on all day keeps its stream open). */
const SESSION_IDLE_MS = 12 * 3600_000;

export interface Session {
  id: string;
  csrf: string;
  lastUsed: number;
  /** the outcome of the last instructor action, shown once on the next page */
  notice?: string;
}

const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();

/** Equal strings, compared without leaking where they differ (both hashed to the same length). */
export function sameSecret(a: string, b: string): boolean {
  return timingSafeEqual(digest(a), digest(b));
}

export class Sessions {
  private byId = new Map<string, Session>();
  constructor(
    private readonly max: number,
    /** told of a session dropped to make room, so its stream ends too */
    private readonly dropped: (id: string) => void = () => {},
  ) {}

  /** A new session; the least recently used one is dropped when `max` are held. */
  create(): Session {
    this.sweep();
    while (this.byId.size >= this.max) {
      const oldest = this.byId.keys().next().value as string;
      this.byId.delete(oldest);
      this.dropped(oldest);
    }
    const s: Session = { id: randomBytes(32).toString('base64url'), csrf: randomBytes(32).toString('base64url'), lastUsed: Date.now() };
    this.byId.set(s.id, s);
    return s;
  }

  /** The session of a cookie value, refreshed (moved to the most recently used end). */
  get(id: string | undefined): Session | undefined {
    if (!id || id.length > 100) return undefined;
    const s = this.byId.get(id);
    if (!s) return undefined;
    if (Date.now() - s.lastUsed > SESSION_IDLE_MS) {
      this.byId.delete(id);
      return undefined;
    }
    s.lastUsed = Date.now();
    this.byId.delete(id);
    this.byId.set(id, s);
    return s;
  }

  delete(id: string): void {
    this.byId.delete(id);
  }

  private sweep(): void {
    const now = Date.now();
    for (const [id, s] of this.byId) if (now - s.lastUsed > SESSION_IDLE_MS) this.byId.delete(id);
  }
}

/** Failed sign-ins per address in a sliding window; at `max` the address must wait. */
export class LoginLimiter {
  private failures = new Map<string, number[]>();
  /** addresses tracked at most: a flood of sources cannot grow the map without end */
  private static readonly MAX_ADDRESSES = 10_000;
  constructor(private readonly max: number, private readonly windowMs = LOGIN_WINDOW_MS) {}

  private recent(addr: string): number[] {
    const cut = Date.now() - this.windowMs;
    const list = (this.failures.get(addr) ?? []).filter((t) => t > cut);
    if (list.length) this.failures.set(addr, list);
    else this.failures.delete(addr);
    return list;
  }

  /** Seconds until this address may try again, 0 when it may now. */
  retryAfter(addr: string): number {
    const list = this.recent(addr);
    if (list.length < this.max) return 0;
    return Math.max(1, Math.ceil((list[0] + this.windowMs - Date.now()) / 1000));
  }

  fail(addr: string): void {
    const list = this.recent(addr);
    list.push(Date.now());
    this.failures.delete(addr);
    this.failures.set(addr, list.slice(-this.max));
    if (this.failures.size > LoginLimiter.MAX_ADDRESSES) this.failures.delete(this.failures.keys().next().value as string);
  }

  succeed(addr: string): void {
    this.failures.delete(addr);
  }
}

/** The value of one cookie in a Cookie header (no library needed for a single name). */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  if (!header || header.length > 8192) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}
