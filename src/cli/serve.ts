// `cucm-sim serve`: network endpoints for every node of a lab until SIGINT/SIGTERM.
import { sshLimits } from './server-options.js';
import { type CommonFlags, UsageError } from './args.js';
import { openOrCreateLab } from '../../state/labs.js';
import { prepareFreshKeys } from '../../state/crypto/keys.js';
import { BASE_PORT, DEFAULT_PASSWORD, startServer } from '../frontends/ssh/server.js';
import { ensureLabPassword, labPasswordFile } from '../../state/cluster/logins.js';
import { startTftpEndpoints, TFTP_BASE_PORT } from '../net/tftp-endpoints.js';
import type { Lab } from '../../state/cluster/lab.js';
import { withCreationProgress } from './progress.js';
import { serveRefusal } from '../frontends/attach/owner.js';
import { listenForWindows } from './attach.js';

/** An address a client can type: a wildcard listen address is reached on loopback from this machine. */
function reachable(host: string): string {
  if (host === '0.0.0.0') return '127.0.0.1';
  if (host === '::' || host === '[::]') return '::1';
  return host;
}

interface Shown {
  node: string;
  host: string;
  port: number;
  publisher?: boolean;
}

/**
 * What `serve` prints when ready: the node table, then lines to paste as they are (the node name
 * first, never after the command, where ssh would take it for a remote command), the lab console
 * login and where its password is kept, and the TFTP endpoints.
 */
export function readyText(lab: Lab, ssh: Shown[], tftp: Shown[], o: { labPassword: string; givenPassword: boolean }): string {
  const out: string[] = [];
  const rows = ssh.map((e) => [e.node, `${e.host}:${e.port}`, e.publisher ? 'publisher' : 'subscriber']);
  const table = [['node', 'address:port', 'role'], ...rows];
  const widths = [0, 1].map((i) => Math.max(...table.map((r) => r[i].length)));
  for (const r of table) out.push(`${r[0].padEnd(widths[0])}  ${r[1].padEnd(widths[1])}  ${r[2]}`);
  const admin = lab.state.accounts.admin;
  const pw = admin.password === DEFAULT_PASSWORD ? `, password ${DEFAULT_PASSWORD}` : '';
  const w = Math.max(...ssh.map((e) => e.node.length), ...tftp.map((e) => e.node.length));
  out.push('', `SSH, one line per node (OS administrator '${admin.user}'${pw}):`);
  for (const e of ssh) out.push(`  ${e.node.padEnd(w)}  ssh -p ${e.port} ${admin.user}@${reachable(e.host)}`);
  const first = ssh[0];
  const where = o.givenPassword ? 'given with --lab-password' : `kept in ${labPasswordFile(lab)}`;
  out.push('', `Lab console, for the instructor (account 'lab', password ${o.labPassword}, ${where}):`);
  out.push(`  ${''.padEnd(w)}  ssh -p ${first.port} lab@${reachable(first.host)}`);
  out.push('', 'TFTP, read-only, one endpoint per node:');
  for (const t of tftp) out.push(`  ${t.node.padEnd(w)}  tftp ${reachable(t.host)} ${t.port}`);
  out.push('Press Ctrl-C to stop.');
  return out.map((l) => l + '\n').join('');
}

/** Anything serve() starts; closed in reverse order on shutdown. */
interface Running {
  close(): Promise<void>;
}

/**
 * Fresh keys kept ready while a lab without a seed is served: a class regenerating certificates at
 * once takes 2048-bit keys, a reset-lab 18 of 1024 bits; none of them waits for a key generation.
 */
const SERVE_KEY_POOL = { 1024: 18, 2048: 8 } as const;

/** After SIGINT/SIGTERM, the most the orderly stop may take before the process exits anyway. */
const STOP_DEADLINE_MS = 5000;

/**
 * Resolves at the first SIGINT/SIGTERM. From then on the process exits within STOP_DEADLINE_MS
 * whatever is still running (a command sleeping at realistic pace, a client mid-handshake); a
 * second signal exits at once.
 */
function stopSignal(): Promise<void> {
  return new Promise<void>((resolve) => {
    let first = true;
    const on = (sig: NodeJS.Signals) => {
      if (!first) process.exit(128 + (sig === 'SIGINT' ? 2 : 15));
      first = false;
      setTimeout(() => process.exit(0), STOP_DEADLINE_MS).unref();
      resolve();
    };
    process.on('SIGINT', on);
    process.on('SIGTERM', on);
  });
}

/** Runs until SIGINT/SIGTERM, or until `until` settles (tests, embedding: no signal handlers then). */
export async function serve(flags: CommonFlags, opts: { until?: Promise<unknown> } = {}): Promise<number> {
  const isClass = flags.classFile !== undefined || flags.trainees !== undefined || flags.classDir !== undefined;
  if (flags.dashboard !== undefined && !isClass) throw new UsageError('--dashboard shows a class: give --class FILE or --trainees N', 'serve');
  // handlers first: a signal during start-up (key generation) stops the server as soon as it can
  const stop = opts.until ? opts.until.then(() => {}, () => {}) : stopSignal();
  if (isClass) {
    const { serveClass } = await import('./class-serve.js');
    return serveClass(flags, stop, opts.until === undefined);
  }
  let stopped = false;
  void stop.then(() => (stopped = true));
  const { lab } = await withCreationProgress(flags.lab, (p) => openOrCreateLab(flags, 'cucm-sim serve', p)).catch(serveRefusal);
  // filled in the background (libuv's threadpool): the server starts without waiting for it
  if (lab.state.seed === undefined) void prepareFreshKeys(SERVE_KEY_POOL);
  const running: Running[] = [];
  try {
    if (stopped) return 0;
    const host = flags.host ?? '127.0.0.1';
    const log = (line: string) => process.stdout.write(`${new Date().toISOString()} ${line}\n`);
    let ssh;
    let labPassword: string;
    try {
      // the instructor's password: never the admin one, the same across restarts
      // (a given one is kept only once the server accepted it)
      labPassword = flags.labPassword ?? ensureLabPassword(lab);
      ssh = await startServer(lab, { host, port: flags.port ?? BASE_PORT, pace: flags.pace, log, record: flags.record, redact: flags.redact,
        ...sshLimits(flags),
        labPassword,
      });
    } catch (e) {
      process.stderr.write(`cucm-sim: ${(e as Error).message}\n`);
      return 2;
    }
    running.push(ssh);
    let tftp;
    try {
      // TFTP answers anyone who can reach it: loopback unless asked otherwise, whatever --host is
      const tftpHost = flags.tftpHost ?? '127.0.0.1';
      tftp = await startTftpEndpoints(lab, { host: tftpHost, basePort: flags.tftpPort ?? TFTP_BASE_PORT, maxPerSource: flags.tftpMaxPerSource, log });
    } catch (e) {
      process.stderr.write(`cucm-sim: ${(e as Error).message}\n`);
      return 2;
    }
    running.push(tftp);
    // the REPL and the lab console opened on this lab attach to this process
    const windows = await listenForWindows(lab, 'cucm-sim serve');
    if (windows) running.push(windows);

    process.stdout.write(readyText(lab, ssh.endpoints, tftp.endpoints, { labPassword, givenPassword: flags.labPassword !== undefined }));

    await stop;
    // changes wait a few milliseconds before they are written: write them before a stop that may hang
    lab.flush();
    process.stdout.write('\nShutting down...\n');
    return 0;
  } finally {
    for (const r of running.reverse()) await r.close().catch(() => {});
    lab.close();
    // stopped by a signal: a command still sleeping (realistic pace) must neither keep the process
    // alive nor write to the lab it no longer holds
    if (stopped && !opts.until) setImmediate(() => process.exit(0));
  }
}
