// `npm run bench`: how fast the emulator is where it matters, measured in one run on this machine.
// Prints a table of figures with their targets (or one JSON line with `--json`). Figures only: no
// pass/fail here, and none of these numbers are asserted by tests.
//
//   node dist/scripts/bench.js [--json] [--quick] [--skip-ssh] [--report FILE.html] [--cpu-prof-server DIR]
//   node dist/scripts/bench.js --class-only [--class-fresh] [--cpu-prof-class DIR]   (or --skip-class)
//
// The class figures (scripts/bench/class.ts) serve 30 trainee labs x 3 nodes and a dashboard from
// another child (--class-server-child), with 90 SSH sessions and one dashboard stream as clients.
//
// The SSH server runs in a child process (this script with --ssh-server-child) so its memory per
// session can be read apart from the clients'. `--report` also writes a self-contained HTML page
// with the latency distributions beside the baseline's.
//
// SSH clients open a PTY of 80x500: a tall terminal, so the pager path of the session core is in use
// but never stops a listing. Each client sends its next command as soon as the prompt is back (no
// think time), so the round-trip at 50 sessions measures throughput as much as latency; the OpenSSH
// baseline is driven the same way. To find hot spots:
//   node --cpu-prof --cpu-prof-dir=prof dist/scripts/bench.js --skip-ssh   (in-process figures)
//   node dist/scripts/bench.js --quick --cpu-prof-server prof              (the SSH server child;
//   node refuses --cpu-prof in NODE_OPTIONS, so the flag hands it to the child's execArgv)
import { writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { latency } from './ssh-harness.js';
import { benchCommands } from './bench/commands.js';
import { type Figures, TARGETS, ratio } from './bench/figures.js';
import { benchLabCreate } from './bench/lab-create.js';
import { table } from './bench/print.js';
import { report } from './bench/report.js';
import { benchRunbooks } from './bench/runbooks.js';
import { benchBaseline, benchSsh, serverChild } from './bench/ssh.js';
import { benchClass, classTable, type ClassFigures } from './bench/class.js';
import { classServerChild } from './bench/class-server.js';

const args = new Set(process.argv.slice(2));
const argValue = (name: string) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const quick = args.has('--quick');
const log = (s: string) => {
  if (!args.has('--json')) process.stderr.write(s + '\n');
};

/** The class figures (30 trainees x 3 nodes, --quick 10), or why they are missing. */
async function classFigures(): Promise<ClassFigures | { error: string }> {
  log(`class of ${quick ? 10 : 30} trainees ...`);
  try {
    const profileDir = argValue('--cpu-prof-class');
    return await benchClass({ quick, log, fresh: args.has('--class-fresh'), profileDir: profileDir ? resolve(profileDir) : undefined });
  } catch (e) {
    return { error: (e as Error).message };
  }
}

function printClass(cls: ClassFigures | { error: string }): string {
  return 'error' in cls ? `class figures not measured: ${cls.error}` : classTable(cls);
}

async function main(): Promise<void> {
  if (args.has('--class-only')) {
    const cls = await classFigures();
    process.stdout.write((args.has('--json') ? JSON.stringify({ class: cls }) : printClass(cls)) + '\n');
    return;
  }
  const t0 = performance.now();
  const notes: string[] = [];
  log('lab creation ...');
  const det = await benchLabCreate(quick ? 4 : 12, false);
  const fresh = await benchLabCreate(quick ? 2 : 5, true);
  log('commands in process ...');
  const cmds = await benchCommands(quick, notes);
  const samples: Record<string, number[]> = {};
  const fig: Figures = {
    lab_create_ms: latency(det.slice(1)),
    lab_create_first_ms: Math.round(det[0] * 100) / 100,
    lab_create_fresh_ms: latency(fresh),
    ...cmds,
    runbooks_all_ms: null,
    ssh_connect_to_prompt_ms: null,
    ssh_rtt_ms: null,
    burst_show_itl_200_ms: null,
    baseline_burst_200_ms: null,
    ssh_rss_per_session_kb: null,
    ssh_sessions_max: null,
    baseline_ssh_rtt_ms: null,
    ratios: {},
    targets: TARGETS,
    notes,
    machine: { cpus: cpus().length, node: process.versions.node },
    duration_ms: 0,
  };
  log('runbooks ...');
  fig.runbooks_all_ms = await benchRunbooks(notes, quick);
  if (args.has('--skip-ssh')) notes.push('SSH figures skipped (--skip-ssh)');
  else {
    log('SSH server ...');
    const profileDir = argValue('--cpu-prof-server');
    await benchSsh(fig, { quick, log, samples, profileDir: profileDir ? resolve(profileDir) : undefined });
    log('OpenSSH baseline ...');
    await benchBaseline(fig, quick, samples);
  }
  const rtt = (n: string, p: 'p50' | 'p99') => fig.ssh_rtt_ms?.[n]?.[p];
  const base = (n: string, p: 'p50' | 'p99') => fig.baseline_ssh_rtt_ms?.[n]?.[p];
  fig.ratios = {
    lab_create_vs_target: ratio(fig.lab_create_ms.median, 30),
    lab_create_fresh_vs_target: ratio(fig.lab_create_fresh_ms.median, 100),
    show_itl_vs_target: ratio(fig.cmd_show_itl_ms.median, 2),
    runbooks_vs_target: ratio(fig.runbooks_all_ms?.median, 3000),
    connect_vs_target: ratio(fig.ssh_connect_to_prompt_ms?.median, 150),
    ssh_rtt_p99_50_vs_target: ratio(rtt('50', 'p99'), 25),
    ssh_rtt_p99_50_vs_baseline: ratio(rtt('50', 'p99'), base('50', 'p99')),
    ssh_rtt_p99_1_vs_baseline: ratio(rtt('1', 'p99'), base('1', 'p99')),
    ssh_rtt_p50_50_vs_baseline: ratio(rtt('50', 'p50'), base('50', 'p50')),
    ssh_rtt_p50_200_vs_baseline: ratio(rtt('200', 'p50'), base('200', 'p50')),
    ssh_rtt_p99_200_vs_baseline: ratio(rtt('200', 'p99'), base('200', 'p99')),
    burst_show_itl_200_p99_vs_target: ratio(fig.burst_show_itl_200_ms?.p99, 50),
    burst_show_itl_200_p99_vs_baseline: ratio(fig.burst_show_itl_200_ms?.p99, fig.baseline_burst_200_ms?.p99),
    rss_per_session_vs_target: ratio(fig.ssh_rss_per_session_kb ?? undefined, 3072),
  };
  // the class figures are SSH figures too: --skip-ssh leaves them out
  const skipClass = args.has('--skip-class') ? '--skip-class' : args.has('--skip-ssh') ? '--skip-ssh' : undefined;
  const cls = skipClass ? { error: `skipped (${skipClass})` } : await classFigures();
  fig.duration_ms = Math.round(performance.now() - t0);
  const reportFile = argValue('--report');
  if (reportFile) {
    writeFileSync(reportFile, report(fig, samples));
    log(`report written to ${reportFile}`);
  }
  if (args.has('--json')) process.stdout.write(JSON.stringify({ ...fig, class: cls }) + '\n');
  else process.stdout.write(table(fig) + '\n\n' + printClass(cls) + '\n');
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const child = args.has('--ssh-server-child') || args.has('--class-server-child');
  const entry = args.has('--ssh-server-child') ? serverChild() : args.has('--class-server-child') ? classServerChild() : main();
  entry.then(
    () => {
      if (!child) process.exit(0);
    },
    (e) => {
      process.stderr.write(`bench: ${(e as Error).stack ?? e}\n`);
      process.exit(1);
    },
  );
}

