// The server's limits, after OpenSSH's: connections that have not logged in yet (per source address
// and in all), sessions (in all, per node, per user), and what a node's sessions are told when the
// lab console powers it off.
import type { Lab } from '../../../state/cluster/lab.js';

export interface Limits {
  /** sessions on the whole server */
  maxSessions: number;
  /** sessions on one node */
  maxSessionsPerNode: number;
  /** sessions of one account from one source address (one trainee's machine) */
  maxSessionsPerUser: number;
  /** connections not logged in yet, all sources together */
  maxUnauthenticated: number;
  /** connections not logged in yet from one source address (OpenSSH's PerSourceMaxStartups) */
  maxStartups: number;
}

export const DEFAULT_LIMITS: Limits = {
  maxSessions: 250,
  maxSessionsPerNode: 100,
  maxSessionsPerUser: 10,
  maxUnauthenticated: 50,
  maxStartups: 10,
};
/** OpenSSH's LoginGraceTime default */
export const DEFAULT_LOGIN_GRACE_MS = 30_000;
/** most session channels one connection may have open (OpenSSH's MaxSessions) */
export const MAX_CHANNELS_PER_CONNECTION = 10;

/** Connections waiting to log in, counted per source address and in all. */
export class Startups {
  private bySource = new Map<string, number>();
  private total = 0;

  constructor(private limits: Pick<Limits, 'maxStartups' | 'maxUnauthenticated'>) {}

  /** Takes a slot for a new connection; false when its source or the server is full. */
  take(source: string): boolean {
    const n = this.bySource.get(source) ?? 0;
    if (n >= this.limits.maxStartups || this.total >= this.limits.maxUnauthenticated) return false;
    this.bySource.set(source, n + 1);
    this.total++;
    return true;
  }

  give(source: string): void {
    const n = this.bySource.get(source) ?? 0;
    if (n <= 1) this.bySource.delete(source);
    else this.bySource.set(source, n - 1);
    this.total = Math.max(0, this.total - 1);
  }
}

/** What a session being opened is counted as. */
export interface SessionKey {
  node: string;
  /** account@source */
  user?: string;
}

/** Why a new session is refused, or undefined when it may open. */
export function sessionRefusal(open: Iterable<SessionKey>, limits: Limits, want: SessionKey): string | undefined {
  let all = 0;
  let node = 0;
  let user = 0;
  for (const s of open) {
    all++;
    if (s.node === want.node) node++;
    if (want.user !== undefined && s.user === want.user) user++;
  }
  if (all >= limits.maxSessions) return 'Too many sessions are open on this server; try again later.\n';
  if (node >= limits.maxSessionsPerNode) return `Too many sessions are open on ${want.node}; try again later or log in to another node.\n`;
  if (user >= limits.maxSessionsPerUser) return `Too many sessions are open for ${want.user}; close one and try again.\n`;
  return undefined;
}

/**
 * The broadcast a node's users see when it shuts down. The text is chosen, after the shutdown
 * broadcast of the Linux underneath CUCM's CLI (`utils system restart` prints the reboot form):
 * powering off from the lab console is a guest shutdown, so the power-off form.
 */
export function powerOffBroadcast(lab: Lab, node: string): string {
  let time: string;
  try {
    time = new Intl.DateTimeFormat('en-US', { timeZone: lab.state.timezone, hour: 'numeric', minute: '2-digit', hourCycle: 'h23' }).format(lab.now());
  } catch {
    const d = lab.now();
    time = `${d.getUTCHours()}:${String(d.getUTCMinutes()).padStart(2, '0')}`;
  }
  return `\n\nBroadcast message from root@${node}\n        (unknown) at ${time} ...\n\nThe system is going down for power off NOW!\n`;
}
