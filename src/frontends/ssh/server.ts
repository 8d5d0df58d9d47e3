// SSH endpoints of a lab: one ssh2 server per node on its own port, the limits of limits.ts applied
// to connections and sessions, a node's users told when it powers off, and an orderly shutdown.
// Logins are checked in auth.ts; what a logged-in client's channels become is decided in channels.ts.
import { createServer, Server as NetServer, Socket, isIP } from 'node:net';
import ssh2 from 'ssh2';
import type { Connection } from 'ssh2';
import type { Lab, NodeState } from '../../../state/cluster/lab.js';
import type { TransferClient } from '../../console/command.js';
import { authenticate, DEFAULT_MAX_AUTH_TRIES, labLogins, type LoginCheck, type LoginTarget, type Role } from './auth.js';
import { DEFAULT_LIMITS, DEFAULT_LOGIN_GRACE_MS, powerOffBroadcast, sessionRefusal, Startups, type Limits } from './limits.js';
import { DEFAULT_PASSWORD, SAME_AS_ADMIN, readLabPassword, saveLabPassword, sourceAddress, weakLogins } from '../../../state/cluster/logins.js';
import { serveSessions, type ChannelHost, type ShellEntry } from './channels.js';
import { hostKey } from './host-key.js';
import { confinedTransfer, parseSftpAllow } from '../../net/transfer.js';

export const BASE_PORT = 2222;
export { DEFAULT_PASSWORD };
/** how long a node's users have to read the shutdown broadcast before their connection closes */
const BROADCAST_GRACE_MS = 300;

export interface ServerOptions {
  host?: string;
  /** port of the publisher; the other nodes follow in order. 0 = any free ports (tests) */
  port?: number;
  pace?: 'fast' | 'realistic';
  /** transfer client for file get / remote keys; the session default otherwise */
  transfer?: TransferClient;
  /** sessions in all (250), per node (100), per account and source address (10) */
  maxSessions?: number;
  maxSessionsPerNode?: number;
  maxSessionsPerUser?: number;
  /** connections not logged in yet: in all (50) and per source address (10) */
  maxUnauthenticated?: number;
  maxStartups?: number;
  /** login grace time: from TCP connect to a successful login (30 s) */
  authTimeoutMs?: number;
  /** authentication attempts per connection (6) */
  maxAuthTries?: number;
  /** the `lab` account's password; kept (0600) in the lab. Without one the lab console is closed over SSH */
  labPassword?: string;
  /** pause before a failed attempt is answered */
  failDelayMs?: number;
  /** one line per login event; passwords never appear */
  log?: (line: string) => void;
  /** records every session: `x.txt` gives `x-<node>-<n>.txt` (a `.cast` name gives asciicast) */
  record?: string;
  redact?: string;
  /** run exec requests (`ssh host 'show itl'`); real CUCM refuses them, and so does the default */
  allowExec?: boolean;
  /** output bytes a session holds for a client that does not read before it is paused (1 MB) */
  maxOutputBuffer?: number;
  /** ms a paused session waits for its client before it is dropped (60 s) */
  stalledTimeoutMs?: number;
  /** SFTP servers `file get` / remote keys may reach besides `local` (HOST or HOST:PORT) */
  sftpAllow?: string[];
}

/** Output held by the sessions of a running server. */
export interface ServerStats {
  sessions: number;
  /** bytes held now, all sessions together */
  buffered: number;
  /** the most one session has ever held */
  peak: number;
  /** sessions paused because their client does not read */
  paused: number;
}

export interface Endpoint {
  node: string;
  publisher: boolean;
  host: string;
  port: number;
}

export interface RunningServer {
  host: string;
  /** ports in endpoint order (publisher first) */
  ports: number[];
  endpoints: Endpoint[];
  /** tells every session, stops listening, waits for a change in progress to be saved */
  close(notice?: string): Promise<void>;
  stats(): ServerStats;
}

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || (isIP(host) === 4 && host.startsWith('127.'));
}

/** Nodes in endpoint order: the publisher first, then the others as the lab lists them. */
export function endpointNodes(lab: Lab): NodeState[] {
  return [lab.publisher(), ...lab.nodes.filter((n) => n !== lab.publisher())];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * What one server serves: a single lab, or a class whose logins each reach their own lab. Port i
 * reaches the i-th endpoint node of the lab the login reached.
 */
export interface ServedLabs {
  /** endpoint order: the publisher first (the names of a class's template lab) */
  nodes: Array<{ name: string; publisher: boolean }>;
  check: LoginCheck;
  /** every lab served now: power-offs are watched on each, and each is saved on close */
  labs(): Lab[];
  hostKey(node: string): Promise<Buffer>;
  /** the node a login's sessions use on port i (undefined: that lab has no such node) */
  nodeFor(target: LoginTarget, i: number): string | undefined;
  /** false when a connection to port i is refused before any login (its node is off) */
  reachable(i: number): boolean;
}

export async function startServer(lab: Lab, opts: ServerOptions = {}): Promise<RunningServer> {
  const host = opts.host ?? '127.0.0.1';
  // every trainee knows the admin password: sharing it would hand them the lab console (even on loopback)
  const labPassword = opts.labPassword ?? readLabPassword(lab);
  if (labPassword !== undefined && labPassword === lab.state.accounts.admin.password) throw new Error(`refusing to start: ${SAME_AS_ADMIN}`);
  if (!isLoopback(host)) {
    // others can reach the server: every login account needs a real password
    const weak = weakLogins(lab, labPassword);
    if (weak.length) throw new Error(`refusing to listen on ${host}: ${weak.join('; ')}. Or listen on 127.0.0.1 only.`);
  }
  if (opts.labPassword !== undefined && opts.labPassword !== readLabPassword(lab)) saveLabPassword(lab, opts.labPassword);
  const nodes = endpointNodes(lab);
  return serveLabs(
    {
      nodes,
      check: labLogins(lab),
      labs: () => [lab],
      hostKey: (node) => hostKey(lab, node),
      nodeFor: (_t, i) => nodes[i].name,
      reachable: (i) => lab.node(nodes[i].name)?.up === true,
    },
    opts,
  );
}

/** Starts the endpoints of whatever `served` describes (startServer for one lab; a class). */
export async function serveLabs(served: ServedLabs, opts: ServerOptions = {}): Promise<RunningServer> {
  const host = opts.host ?? '127.0.0.1';
  const limits: Limits = {
    maxSessions: opts.maxSessions ?? DEFAULT_LIMITS.maxSessions,
    maxSessionsPerNode: opts.maxSessionsPerNode ?? DEFAULT_LIMITS.maxSessionsPerNode,
    maxSessionsPerUser: opts.maxSessionsPerUser ?? DEFAULT_LIMITS.maxSessionsPerUser,
    maxUnauthenticated: opts.maxUnauthenticated ?? DEFAULT_LIMITS.maxUnauthenticated,
    maxStartups: opts.maxStartups ?? DEFAULT_LIMITS.maxStartups,
  };
  const maxSessions = limits.maxSessions;
  const maxUnauth = limits.maxUnauthenticated;
  // a timer cannot wait longer than 2^31-1 ms (Node would fire it at once)
  const authTimeoutMs = Math.min(opts.authTimeoutMs ?? DEFAULT_LOGIN_GRACE_MS, 0x7fffffff);
  const maxAuthTries = opts.maxAuthTries ?? DEFAULT_MAX_AUTH_TRIES;
  const failDelayMs = opts.failDelayMs ?? 1000;
  const log = opts.log ?? (() => {});

  const startups = new Startups(limits);
  const shells = new Set<ShellEntry>();
  /** each connection's node, and its lab and role once logged in */
  const connections = new Map<Connection, { node: string; role?: Role; lab?: Lab }>();
  /** every accepted socket: its endpoint, and whether it is still logging in */
  const sockets = new Map<Socket, { index: number; waiting: boolean }>();
  const dropping = new Set<Connection>();
  let closing = false;
  let recordings = 0;

  const nodes = served.nodes;
  const keys = await Promise.all(nodes.map((n) => served.hostKey(n.name)));

  const channels: ChannelHost = {
    pace: opts.pace,
    // a served session reaches only the lab folder and the SFTP servers the operator allowed
    transfer: opts.transfer ?? confinedTransfer(parseSftpAllow(opts.sftpAllow ?? [])),
    maxOutputBuffer: opts.maxOutputBuffer,
    stalledTimeoutMs: opts.stalledTimeoutMs,
    record: opts.record,
    redact: opts.redact,
    maxSessions,
    // a node is counted per lab: every trainee of a class has a node of the same name
    admit: (lab, node, user) => sessionRefusal([...shells].map((s) => ({ node: s.lab === lab ? s.node : '', user: s.user })), limits, { node, user }),
    allowExec: opts.allowExec,
    authTimeoutMs,
    shells,
    closing: () => closing,
    nextRecording: () => ++recordings,
  };

  function onConnection(client: Connection, index: number, peer: string, source: string, authed: () => void): void {
    const nodeName = nodes[index].name;
    const info: { node: string; role?: Role; lab?: Lab } = { node: nodeName };
    connections.set(client, info);
    client.on('close', () => {
      connections.delete(client);
      dropping.delete(client);
    });
    client.on('error', () => {}); // a broken client is its own problem, never the server's
    let target: LoginTarget | undefined;
    let user = '';
    authenticate(client, {
      // a login to a node that is off in the lab it reaches is refused (its host would not answer)
      check: async (u, password, src, logLine) => {
        const t = await served.check(u, password, src, logLine);
        if (!t || t.role === 'lab') return t;
        const node = served.nodeFor(t, index);
        return node && t.lab.node(node)?.up === true ? t : undefined;
      },
      nodeName,
      peer,
      source,
      failDelayMs,
      maxAuthTries,
      log,
      accepted: (t, u) => {
        target = t;
        user = u;
      },
    });
    client.on('ready', () => {
      if (!target) return void client.end();
      // the lab console is not on a node; an admin: login needs its node in the lab it reached
      const node = target.role === 'lab' ? nodeName : served.nodeFor(target, index);
      if (!node || (target.role !== 'lab' && target.lab.node(node)?.up !== true)) return void client.end();
      Object.assign(info, { role: target.role, lab: target.lab, node });
      authed();
      serveSessions(client, channels, target, node, `${user}@${source}`, user);
    });
  }

  // The lab console can power a node off: its users get the shutdown broadcast, then their
  // connections close, as a real host's would. The lab console's own sessions are not on a node.
  function powerOffs(lab: Lab): void {
    const down = (node: string) => lab.node(node)?.up === false;
    for (const s of shells) if (s.role !== 'lab' && s.lab === lab && down(s.node)) s.fe.shutdown(powerOffBroadcast(lab, s.node));
    for (const [c, info] of connections) {
      if (info.role === 'lab' || info.lab !== lab || !down(info.node) || dropping.has(c)) continue;
      dropping.add(c);
      setTimeout(() => c.end(), BROADCAST_GRACE_MS).unref();
    }
    // connections still logging in are cut at once
    for (const [sock, s] of sockets) if (s.waiting && !served.reachable(s.index)) sock.destroy();
  }

  const servers: NetServer[] = [];
  const endpoints: Endpoint[] = [];
  // any change may be a node powered off
  const offs = served.labs().map((lab) =>
    lab.onChange(() => {
      if (lab.nodes.some((n) => !n.up)) powerOffs(lab);
    }),
  );
  const offChange = () => offs.forEach((off) => off());

  try {
    for (let i = 0; i < nodes.length; i++) {
      const nodeName = nodes[i].name;
      const ssh = new ssh2.Server({ hostKeys: [keys[i]] });
      const pending = new Map<string, () => void>();
      const index = i;
      ssh.on('connection', (client, info) => {
        const peer = `${info.ip}:${info.port}`;
        onConnection(client, index, peer, sourceAddress(info.ip), () => pending.get(peer)?.());
      });
      // Accepting sockets ourselves bounds connections that never log in, whatever they send
      // no Nagle: the CLI's small writes would otherwise wait out the peer's delayed ACK
      const net = createServer({ noDelay: true }, (sock) => {
        const source = sourceAddress(sock.remoteAddress);
        // a flood from one address fills only that address's slots: others still get in
        if (closing || !served.reachable(index) || !startups.take(source)) return void sock.destroy();
        const state = { index, waiting: true };
        sockets.set(sock, state);
        const peer = `${sock.remoteAddress}:${sock.remotePort}`;
        const done = () => {
          if (!state.waiting) return;
          state.waiting = false;
          startups.give(source);
          clearTimeout(timer);
          pending.delete(peer);
        };
        const timer = setTimeout(() => sock.destroy(), authTimeoutMs);
        pending.set(peer, done);
        sock.on('error', () => {});
        sock.once('close', () => {
          done();
          sockets.delete(sock);
        });
        ssh.injectSocket(sock);
      });
      net.maxConnections = maxSessions + maxUnauth;
      const want = opts.port === 0 ? 0 : (opts.port ?? BASE_PORT) + i;
      await new Promise<void>((resolve, reject) => {
        net.once('error', (e: NodeJS.ErrnoException) =>
          reject(new Error(e.code === 'EADDRINUSE' ? `port ${want} on ${host} is already in use` : `cannot listen on ${host}:${want}: ${e.message}`)),
        );
        net.listen(want, host, () => resolve());
      });
      net.on('error', () => {});
      servers.push(net);
      const addr = net.address();
      endpoints.push({ node: nodeName, publisher: nodes[i].publisher, host, port: typeof addr === 'object' && addr ? addr.port : want });
    }
  } catch (e) {
    offChange();
    for (const s of servers) s.close();
    throw e;
  }

  return {
    host,
    ports: endpoints.map((e) => e.port),
    endpoints,
    stats() {
      const all = [...shells].map((s) => s.fe.stats());
      return {
        sessions: all.length,
        buffered: all.reduce((n, s) => n + s.buffered, 0),
        peak: Math.max(0, ...all.map((s) => s.peak)),
        paused: all.filter((s) => s.paused).length,
      };
    },
    async close(notice = '\nThe system is going down: the cucm-sim server is shutting down.\n') {
      if (closing) return;
      closing = true;
      offChange();
      for (const s of [...shells]) s.fe.shutdown(notice);
      const stopped = Promise.all(servers.map((s) => new Promise<void>((r) => s.close(() => r()))));
      // clients that were told close by themselves (and so show the notice); then the rest is cut
      for (let i = 0; i < 20 && connections.size; i++) await sleep(50);
      for (const c of connections.keys()) c.end();
      await sleep(100);
      for (const s of sockets.keys()) s.destroy();
      await stopped;
      // a change being committed finishes before the lab is handed back
      let guard: NodeJS.Timeout | undefined;
      await Promise.race([Promise.all(served.labs().map((lab) => lab.mutate(() => {}))), new Promise((r) => (guard = setTimeout(r, 5000)))]).catch(() => {});
      clearTimeout(guard);
    },
  };
}
