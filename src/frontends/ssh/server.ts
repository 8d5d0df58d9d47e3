// SSH endpoints of a lab: one ssh2 server per node on its own port, a bound on connections that
// have not logged in yet, and an orderly shutdown. Logins are checked in auth.ts; what a logged-in
// client's channels become is decided in channels.ts.
import { createServer, Server as NetServer, Socket, isIP } from 'node:net';
import ssh2 from 'ssh2';
import type { Connection } from 'ssh2';
import type { Lab, NodeState } from '../../../state/cluster/lab.js';
import type { TransferClient } from '../../console/command.js';
import { authenticate, type Role } from './auth.js';
import { serveSessions, type ChannelHost, type ShellEntry } from './channels.js';
import { hostKey } from './host-key.js';

export const BASE_PORT = 2222;
export const DEFAULT_PASSWORD = 'cisco123';

export interface ServerOptions {
  host?: string;
  /** port of the publisher; the other nodes follow in order. 0 = any free ports (tests) */
  port?: number;
  pace?: 'fast' | 'realistic';
  /** transfer client for file get / remote keys; the session default otherwise */
  transfer?: TransferClient;
  maxSessions?: number;
  maxUnauthenticated?: number;
  /** time allowed from TCP connect to a successful login */
  authTimeoutMs?: number;
  /** pause before a failed attempt is answered */
  failDelayMs?: number;
  /** one line per login event; passwords never appear */
  log?: (line: string) => void;
  /** records every session: `x.txt` gives `x-<node>-<n>.txt` (a `.cast` name gives asciicast) */
  record?: string;
  redact?: string;
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
}

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || (isIP(host) === 4 && host.startsWith('127.'));
}

/** Nodes in endpoint order: the publisher first, then the others as the lab lists them. */
export function endpointNodes(lab: Lab): NodeState[] {
  return [lab.publisher(), ...lab.nodes.filter((n) => n !== lab.publisher())];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function startServer(lab: Lab, opts: ServerOptions = {}): Promise<RunningServer> {
  const host = opts.host ?? '127.0.0.1';
  if (!isLoopback(host) && lab.state.accounts.admin.password === DEFAULT_PASSWORD) {
    throw new Error(
      `refusing to listen on ${host} while the admin password is still the default; change it or use 127.0.0.1`,
    );
  }
  const maxSessions = opts.maxSessions ?? 250;
  const maxUnauth = opts.maxUnauthenticated ?? 50;
  const authTimeoutMs = opts.authTimeoutMs ?? 30_000;
  const failDelayMs = opts.failDelayMs ?? 1000;
  const log = opts.log ?? (() => {});

  let unauthenticated = 0;
  const shells = new Set<ShellEntry>();
  const connections = new Set<Connection>();
  const sockets = new Set<Socket>();
  let closing = false;
  let recordings = 0;

  const nodes = endpointNodes(lab);
  const keys = await Promise.all(nodes.map((n) => hostKey(lab, n.name)));

  const channels: ChannelHost = {
    lab,
    pace: opts.pace,
    transfer: opts.transfer,
    record: opts.record,
    redact: opts.redact,
    maxSessions,
    authTimeoutMs,
    shells,
    closing: () => closing,
    nextRecording: () => ++recordings,
  };

  function onConnection(client: Connection, nodeName: string, peer: string, authed: () => void): void {
    connections.add(client);
    client.on('close', () => connections.delete(client));
    client.on('error', () => {}); // a broken client is its own problem, never the server's
    let role: Role = 'admin';
    authenticate(client, { lab, nodeName, peer, failDelayMs, log, accepted: (r) => (role = r) });
    client.on('ready', () => {
      authed();
      serveSessions(client, channels, nodeName, role);
    });
  }

  const servers: NetServer[] = [];
  const endpoints: Endpoint[] = [];
  // the lab console can power a node off: its sessions drop as a real host's would
  const offChange = lab.onChange(() => {
    for (const s of shells) if (lab.node(s.node)?.up === false) s.fe.end('\r\n', true);
  });

  try {
    for (let i = 0; i < nodes.length; i++) {
      const nodeName = nodes[i].name;
      const ssh = new ssh2.Server({ hostKeys: [keys[i]] });
      const pending = new Map<string, () => void>();
      ssh.on('connection', (client, info) => {
        const peer = `${info.ip}:${info.port}`;
        onConnection(client, nodeName, peer, () => pending.get(peer)?.());
      });
      // Accepting sockets ourselves bounds connections that never log in, whatever they send
      // no Nagle: the CLI's small writes would otherwise wait out the peer's delayed ACK
      const net = createServer({ noDelay: true }, (sock) => {
        const node = lab.node(nodeName);
        if (closing || unauthenticated >= maxUnauth || !node?.up) return void sock.destroy();
        unauthenticated++;
        sockets.add(sock);
        let waiting = true;
        const peer = `${sock.remoteAddress}:${sock.remotePort}`;
        const done = () => {
          if (!waiting) return;
          waiting = false;
          unauthenticated--;
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
    async close(notice = '\nThe system is going down: the cucm-sim server is shutting down.\n') {
      if (closing) return;
      closing = true;
      offChange();
      for (const s of [...shells]) s.fe.shutdown(notice);
      const stopped = Promise.all(servers.map((s) => new Promise<void>((r) => s.close(() => r()))));
      // clients that were told close by themselves (and so show the notice); then the rest is cut
      for (let i = 0; i < 20 && connections.size; i++) await sleep(50);
      for (const c of connections) c.end();
      await sleep(100);
      for (const s of sockets) s.destroy();
      await stopped;
      // a change being committed finishes before the lab is handed back
      let guard: NodeJS.Timeout | undefined;
      await Promise.race([lab.mutate(() => {}), new Promise((r) => (guard = setTimeout(r, 5000)))]).catch(() => {});
      clearTimeout(guard);
    },
  };
}
