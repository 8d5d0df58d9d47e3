// `cucm-sim serve`: network endpoints for every node of a lab until SIGINT/SIGTERM.
import type { CommonFlags } from './args.js';
import { openOrCreateLab } from '../../state/labs.js';
import { BASE_PORT, DEFAULT_PASSWORD, startServer } from '../frontends/ssh/server.js';
import { startTftpEndpoints, TFTP_BASE_PORT } from '../net/tftp-endpoints.js';

/** Anything serve() starts; closed in reverse order on shutdown. */
interface Running {
  close(): Promise<void>;
}

/** Runs until SIGINT/SIGTERM, or until `until` settles (tests, embedding: no signal handlers then). */
export async function serve(flags: CommonFlags, opts: { until?: Promise<unknown> } = {}): Promise<number> {
  const { lab } = await openOrCreateLab(flags, 'cucm-sim serve');
  const running: Running[] = [];
  try {
    const host = flags.host ?? '127.0.0.1';
    const log = (line: string) => process.stdout.write(`${new Date().toISOString()} ${line}\n`);
    let ssh;
    try {
      ssh = await startServer(lab, { host, port: flags.port ?? BASE_PORT, pace: flags.pace, log, record: flags.record, redact: flags.redact });
    } catch (e) {
      process.stderr.write(`cucm-sim: ${(e as Error).message}\n`);
      return 2;
    }
    running.push(ssh);
    let tftp;
    try {
      tftp = await startTftpEndpoints(lab, { host, basePort: flags.tftpPort ?? TFTP_BASE_PORT, log });
    } catch (e) {
      process.stderr.write(`cucm-sim: ${(e as Error).message}\n`);
      return 2;
    }
    running.push(tftp);

    const rows = ssh.endpoints.map((e) => [e.node, `${e.host}:${e.port}`, e.publisher ? 'publisher' : 'subscriber']);
    const table = [['node', 'address:port', 'role'], ...rows];
    const widths = [0, 1].map((i) => Math.max(...table.map((r) => r[i].length)));
    for (const r of table) process.stdout.write(`${r[0].padEnd(widths[0])}  ${r[1].padEnd(widths[1])}  ${r[2]}\n`);
    const admin = lab.state.accounts.admin;
    const pw = admin.password === DEFAULT_PASSWORD ? `  (password: ${DEFAULT_PASSWORD})` : '';
    const first = ssh.endpoints[0];
    const addr = first.host.includes(':') ? `[${first.host}]` : first.host;
    process.stdout.write('\nTFTP (read-only, per node):\n');
    for (const t of tftp.endpoints) process.stdout.write(`${t.node.padEnd(widths[0])}  ${t.host}:${t.port}\n`);
    process.stdout.write(`\nssh -p ${first.port} ${admin.user}@${addr}${pw}\nPress Ctrl-C to stop.\n`);

    if (opts.until) await opts.until.catch(() => {});
    else {
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      // a command still sleeping (realistic pace) must not keep a stopped server alive
      setTimeout(() => process.exit(0), 3000).unref();
    }
    process.stdout.write('\nShutting down...\n');
    return 0;
  } finally {
    for (const r of running.reverse()) await r.close().catch(() => {});
    lab.close();
  }
}
