// SSH endpoints of a lab: one ssh2 server per node, logins against the lab's OS administrator
// account, and a PTY shell or exec request per session channel on top of the session core.
//
// Real CUCM refuses exec requests (clients such as cisco-cucm-mcp open a shell for that reason);
// here `ssh host 'show itl'` runs the command and returns its exit status, as a convenience.
import { createServer, Server as NetServer, Socket, isIP } from 'node:net';
import { createHash, generateKeyPair, timingSafeEqual } from 'node:crypto';
import { chmodSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import ssh2 from 'ssh2';
import type { AuthContext, Connection, PseudoTtyInfo, ServerChannel } from 'ssh2';
import type { Lab, NodeState } from '../../../state/cluster/lab.js';
import { writeFileAtomic } from '../../../state/store.js';
import type { TransferClient } from '../../console/registry.js';
import { CliSession } from '../../console/core.js';
import { InteractiveShell, LineShell, ShellSession } from './shell.js';
import { recordSession } from '../../recording/transcript.js';

export type { ShellSession } from './shell.js';

export const BASE_PORT = 2222;
export const DEFAULT_PASSWORD = 'cisco123';
/** `show accountlocking`: three attempts, then 300 seconds locked. */
export const LOCK_AFTER = 3;
export const LOCK_MS = 300_000;
const METHODS: Array<'keyboard-interactive' | 'password'> = ['keyboard-interactive', 'password'];
/** like OpenSSH's MaxAuthTries: a connection that keeps guessing is dropped */
const MAX_TRIES = 6;
/** how long a connection may stay open after its session has ended */
const LINGER_MS = 10_000;

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

/** The recording file of the n-th session on a node, derived from the --record name. */
export function sessionRecordFile(record: string, who: string, n: number): string {
  const m = record.match(/^(.*?)(\.[A-Za-z0-9]+)?$/)!;
  return `${m[1]}-${who}-${n}${m[2] ?? '.txt'}`;
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

/** The node's host key, generated once and kept in the lab so clients never see it change. */
export async function hostKey(lab: Lab, node: string): Promise<Buffer> {
  const path = join(lab.store.dir, 'ssh', `${node.replace(/[^A-Za-z0-9._-]/g, '_')}.key`);
  try {
    const key = readFileSync(path);
    if (!(ssh2.utils.parseKey(key) instanceof Error)) return key;
  } catch {
    // not generated yet
  }
  const { privateKey } = await promisify(generateKeyPair)('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
  });
  writeFileAtomic(path, privateKey);
  chmodSync(path, 0o600);
  return Buffer.from(privateKey);
}

function samePassword(given: string, expected: string): boolean {
  // hashing first gives equal lengths, so the comparison time says nothing about the password
  const a = createHash('sha256').update(given, 'utf8').digest();
  const b = createHash('sha256').update(expected, 'utf8').digest();
  return timingSafeEqual(a, b);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The lab console, loaded only for `lab` logins. */
async function labConsole(lab: Lab, width: number, height: number | undefined, pace: ServerOptions['pace']): Promise<ShellSession> {
  const { LabConsole } = await import('../../console/lab-console.js');
  return new LabConsole({ lab, user: 'lab', width, height, pace }) as ShellSession;
}

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
  const shells = new Set<{ node: string; fe: InteractiveShell | LineShell }>();
  const connections = new Set<Connection>();
  const sockets = new Set<Socket>();
  let closing = false;
  let recordings = 0;

  const nodes = endpointNodes(lab);
  const keys = await Promise.all(nodes.map((n) => hostKey(lab, n.name)));

  /** Checks a password for a user; counts failures and locks the admin account as CUCM does. */
  async function login(user: string, password: string): Promise<'admin' | 'lab' | undefined> {
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

  function onConnection(client: Connection, nodeName: string, peer: string, authed: () => void): void {
    connections.add(client);
    client.on('close', () => connections.delete(client));
    client.on('error', () => {}); // a broken client is its own problem, never the server's
    let role: 'admin' | 'lab' | undefined;
    let tries = 0;

    client.on('authentication', (ctx: AuthContext) => {
      const attempt = async (password: string) => {
        let r: typeof role;
        try {
          r = await login(ctx.username, password);
        } catch {
          r = undefined;
        }
        if (r) {
          role = r;
          log(`login ${ctx.username} on ${nodeName} from ${peer}`);
          return ctx.accept();
        }
        log(`failed login ${JSON.stringify(ctx.username.slice(0, 64))} on ${nodeName} from ${peer}`);
        await sleep(failDelayMs);
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

    client.on('ready', () => {
      authed();
      // a login that never opens a session holds a connection for nothing
      const unused = setTimeout(() => client.end(), authTimeoutMs);
      client.on('close', () => clearTimeout(unused));
      client.on('session', (accept) => {
        clearTimeout(unused);
        const session = accept();
        let pty: PseudoTtyInfo | undefined;
        let fe: InteractiveShell | LineShell | undefined;
        let cli: ShellSession | undefined;
        session.on('pty', (ok, _no, info) => {
          pty = info;
          ok?.();
        });
        session.on('window-change', (ok, _no, info) => {
          if (pty) Object.assign(pty, { cols: info.cols, rows: info.rows });
          if (cli) size(cli, info.cols, info.rows);
          ok?.();
        });
        session.on('env', (ok) => ok?.());
        const open = async (channel: ServerChannel, commands?: string[]) => {
          const node = lab.node(nodeName);
          if (closing || !node) return refuse(channel, '');
          if (shells.size >= maxSessions) return refuse(channel, 'Too many sessions are open on this server; try again later.\n');
          const width = pty ? clampWidth(pty.cols) : 80;
          const height = pty ? clampHeight(pty.rows) : undefined;
          try {
            cli =
              role === 'lab'
                ? await labConsole(lab, width, height, opts.pace)
                : new CliSession({ lab, node, width, height, pace: opts.pace, transfer: opts.transfer });
          } catch {
            cli = undefined;
          }
          if (!cli) return refuse(channel, 'The lab console is not available in this build of cucm-sim.\n');
          const recorder = opts.record
            ? recordSession(cli, lab, { file: sessionRecordFile(opts.record, role === 'lab' ? 'lab' : nodeName, ++recordings), redact: opts.redact, width, height })
            : undefined;
          const options = {
            idleMinutes: lab.state.cli.sessionTimeoutMin,
            onEnd: () => {
              recorder?.close();
              shells.delete(entry);
              // The client closes the connection once it has shown the output; a disconnect sent
              // now would make OpenSSH drop that output. One that lingers is ended later.
              setTimeout(() => client.end(), LINGER_MS).unref();
            },
          };
          // a PTY shell gets the line editor; exec requests and PTY-less shells read lines
          fe = pty && !commands ? new InteractiveShell(cli, channel, options) : new LineShell(cli, channel, options);
          const entry = { node: nodeName, fe };
          shells.add(entry);
          await (fe instanceof InteractiveShell ? fe.start() : fe.start(commands));
        };
        session.on('shell', (ok) => {
          const ch = ok?.();
          if (ch) void open(ch).catch(() => fe?.end(undefined, true, 1));
        });
        session.on('exec', (ok, _no, info) => {
          const ch = ok?.();
          if (ch) void open(ch, info.command.split(/\r?\n/)).catch(() => fe?.end(undefined, true, 1));
        });
      });
    });
  }

  function refuse(channel: ServerChannel, text: string): void {
    // answered a moment after the channel opens: a client learns of the channel and of its
    // end in separate steps, and an exit status sent in the same breath can reach it too early
    setTimeout(() => {
      try {
        if (text) channel.write(text.replace(/\n/g, '\r\n'));
        channel.exit(1);
        channel.end();
      } catch {
        // already closed
      }
    }, 20);
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

function clampWidth(cols: number): number {
  return Number.isFinite(cols) && cols >= 20 ? Math.min(cols, 1000) : 80;
}

/** 0 rows (unknown) means no paging, as with a terminal whose size is not known. */
function clampHeight(rows: number): number | undefined {
  return Number.isFinite(rows) && rows > 0 ? Math.min(rows, 10000) : undefined;
}

function size(s: ShellSession, cols: number, rows: number): void {
  s.width = clampWidth(cols);
  s.height = clampHeight(rows);
}
