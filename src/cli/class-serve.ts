// `cucm-sim serve --class FILE | --trainees N | --class-dir DIR`: a class, each trainee with a lab
// of their own behind the same SSH ports, and the instructor's console for `lab`.
import { basename, extname, join } from 'node:path';
import { dataDir } from '../../state/labs.js';
import { ensurePrivateDir } from '../../state/store.js';
import { weakLogins } from '../../state/cluster/logins.js';
import { prepareFreshKeys } from '../../state/crypto/keys.js';
import { BASE_PORT, isLoopback, serveLabs, type RunningServer } from '../frontends/ssh/server.js';
import { Classroom } from '../class/classroom.js';
import { ClassError, DEFAULT_MAX_TRAINEES, generatedRoster, readClassFile, sheetLines, SHEET } from '../class/roster.js';
import { classEndpoints } from '../class/endpoints.js';
import { startTftpEndpoints, TFTP_BASE_PORT, type TftpEndpoints } from '../net/tftp-endpoints.js';
import type { TraineeEntry } from '../class/types.js';
import type { CommonFlags } from './args.js';
import { sshLimits } from './server-options.js';

/** The class folder: --class-dir, else <data-dir>/classes/<the class file's name, or 'class'>. */
export function classFolder(flags: CommonFlags): string {
  if (flags.classDir) return flags.classDir;
  const name = flags.classFile ? basename(flags.classFile, extname(flags.classFile)) : 'class';
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(name)) throw new ClassError(`the class file's name '${name}' cannot name a folder: give --class-dir DIR`);
  return join(dataDir(flags.dataDir), 'classes', name);
}

function roster(flags: CommonFlags): TraineeEntry[] | undefined {
  const max = flags.maxTrainees ?? DEFAULT_MAX_TRAINEES;
  if (flags.classFile !== undefined && flags.trainees !== undefined) throw new ClassError('--class FILE and --trainees N are two ways to name a class: give one');
  if (flags.classFile !== undefined) return readClassFile(flags.classFile, max);
  if (flags.trainees !== undefined) return generatedRoster(flags.trainees, max);
  return undefined;
}

const out = (s: string) => process.stdout.write(s);

/** TFTP ports per trainee: room for the largest cluster, so a trainee's ports stay put whatever the exercise */
const TFTP_STRIDE = 8;

/** Runs the class until `stop`; the exit status. */
export async function serveClass(flags: CommonFlags, stop: Promise<void>, signals: boolean): Promise<number> {
  let stopped = false;
  void stop.then(() => (stopped = true));
  let room: Classroom | undefined;
  let ssh: RunningServer | undefined;
  let dashboard: { close(): Promise<void>; url: string } | undefined;
  const tftp: TftpEndpoints[] = [];
  try {
    const dir = classFolder(flags);
    if (!flags.classDir) {
      ensurePrivateDir(dataDir(flags.dataDir));
      ensurePrivateDir(join(dataDir(flags.dataDir), 'classes'));
    }
    const given = roster(flags);
    // the labs of a class without a seed draw many fresh keys: generated in the background meanwhile
    if (flags.seed === undefined) void prepareFreshKeys({ 1024: 18, 2048: 8 });
    const tty = process.stdout.isTTY;
    room = await Classroom.open(dir, {
      trainees: given,
      topology: flags.topology,
      seed: flags.seed,
      clock: flags.clock,
      labPassword: flags.labPassword,
      exerciseDir: flags.exerciseDir,
      pace: flags.pace,
      progress: (done, total, name) => out(tty ? `\rTrainee labs ready: ${done}/${total} (${name})   ${done === total ? '\n' : ''}` : `Trainee labs ready: ${done}/${total} (${name})\n`),
    });
    if (stopped) return 0;
    const host = flags.host ?? '127.0.0.1';
    if (!isLoopback(host)) {
      const weak = room.names().flatMap((n) => weakLogins(room!.lab(n)!, room!.labPassword).map((w) => `${n}: ${w}`));
      if (weak.length) throw new ClassError(`refusing to listen on ${host}: ${weak.slice(0, 3).join('; ')}${weak.length > 3 ? ` (and ${weak.length - 3} more)` : ''}. Or listen on 127.0.0.1 only.`);
    }
    const log = (line: string) => out(`${new Date().toISOString()} ${line}\n`);
    const endpoints = classEndpoints(room, { pace: flags.pace });
    ssh = await serveLabs(endpoints, {
      host,
      port: flags.port ?? BASE_PORT,
      pace: flags.pace,
      log,
      ...sshLimits(flags),
    });
    // each trainee's nodes answer TFTP on ports of their own (TFTP has no login to tell them apart)
    const tftpBase = flags.tftpPort ?? TFTP_BASE_PORT;
    const names = room.names();
    for (let k = 0; k < names.length; k++) {
      tftp.push(
        await startTftpEndpoints(room.lab(names[k])!, {
          host: flags.tftpHost ?? '127.0.0.1',
          basePort: tftpBase === 0 ? 0 : tftpBase + k * TFTP_STRIDE,
          maxPerSource: flags.tftpMaxPerSource,
          log,
        }),
      );
    }
    if (flags.dashboard !== undefined) {
      // the browser view of the class (src/dashboard), signed in with the same lab password
      const { startDashboard } = await import('../dashboard/server.js');
      dashboard = await startDashboard(room, {
        password: room.labPassword,
        host: flags.dashboardHost,
        port: flags.dashboard,
        maxClients: flags.dashboardMaxClients,
        bodyLimit: flags.dashboardBodyLimit,
        loginAttempts: flags.dashboardLoginAttempts,
        log,
      });
    }
    const first = ssh.endpoints[0];
    const addr = first.host.includes(':') ? `[${first.host}]` : first.host;
    out(`\nClass '${room.name}' (${dir}): ${room.names().length} trainees, each with a lab of their own.\n\n`);
    const rows = [['node', 'address:port', 'role'], ...ssh.endpoints.map((e) => [e.node, `${e.host}:${e.port}`, e.publisher ? 'publisher' : 'subscriber'])];
    const w = [0, 1].map((i) => Math.max(...rows.map((r) => r[i].length)));
    for (const r of rows) out(`${r[0].padEnd(w[0])}  ${r[1].padEnd(w[1])}  ${r[2]}\n`);
    out('\nTFTP (read-only), per trainee, one port per node in the order above:\n');
    names.forEach((n, k) => out(`  ${n.padEnd(Math.max(...names.map((x) => x.length)))}  ${tftp[k].endpoints.map((e) => `${e.host}:${e.port}`).join('  ')}\n`));
    const t = room.names()[0];
    out(`\nA trainee logs in with their own name: ssh -p ${first.port} ${t}@${addr} (their publisher; the next ports their other nodes).\n`);
    out(`Their own lab console (phones, clock, exercise status, check and hint): ssh -p ${first.port} ${t}+lab@${addr}, with the same password.\n`);
    if (room.fresh || room.created.length) {
      out(`\nPasswords to hand out (shown once; kept in ${join(dir, SHEET)}, readable by its owner only):\n\n`);
      for (const l of sheetLines(room.fresh ? room.roster() : room.created)) out(`  ${l}\n`);
    } else out(`Passwords: ${join(dir, SHEET)}\n`);
    out(`\nssh -p ${first.port} lab@${addr}  (the instructor: lab console and class commands; password ${room.labPassword}, kept in ${join(dir, 'lab-password')})\n`);
    if (dashboard) out(`Dashboard: ${dashboard.url} (sign in with the lab password)\n`);
    out('Press Ctrl-C to stop.\n');
    await stop;
    out('\nShutting down...\n');
    return 0;
  } catch (e) {
    process.stderr.write(`cucm-sim: ${(e as Error).message}\n`);
    return 2;
  } finally {
    await dashboard?.close().catch(() => {});
    await ssh?.close().catch(() => {});
    for (const t of tftp) await t.close().catch(() => {});
    room?.close();
    if (stopped && signals) setImmediate(() => process.exit(0));
  }
}
