// `npm run bench`: how fast the emulator is where it matters, measured in one run on this machine.
// Prints a table of figures with their targets (or one JSON line with `--json`). Figures only: no
// pass/fail here, and none of these numbers are asserted by tests.
//
//   node dist/scripts/bench.js [--json] [--quick] [--skip-ssh]
//
// SSH figures need `startServer(lab, opts)` from src/ssh-server.ts (or src/serve.ts); the server runs
// in a child process so its memory per session can be read apart from the clients'. The runbook
// figure needs src/runbook.ts. Missing parts are reported as null with the reason.
//
// SSH clients open a PTY of 80x500: a tall terminal, so the pager path of the session core is in use
// but never stops a listing. Each client sends its next command as soon as the prompt is back (no
// think time), so the round-trip at 50 sessions measures throughput as much as latency; the OpenSSH
// baseline is driven the same way. To find hot spots:
//   node --cpu-prof --cpu-prof-dir=prof dist/scripts/bench.js --skip-ssh
// (the SSH server runs in a child: profile it with NODE_OPTIONS=--cpu-prof on the bench instead).
import { fork, spawn, ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Lab } from '../state/cluster/lab.js';
import { projectRoot } from '../state/paths.js';
import { CliSession, SessionIO } from '../src/console/core.js';
import { Cancelled } from '../src/console/registry.js';
import { COMMAND_MIX, Latency, RttResult, ShellSession, latency, measureRtt, pool, startOpenSshBaseline } from './ssh-harness.js';

const CLOCK = '2025-01-06T09:00:00Z';
const ADMIN = { user: 'admin', password: 'cisco123' };

interface Figures {
  lab_create_ms: Latency;
  lab_create_first_ms: number;
  lab_create_fresh_ms: Latency;
  cmd_show_itl_ms: Latency;
  cmd_show_ctl_ms: Latency;
  cmd_mixed_mode_ms: Latency;
  cmd_itl_reset_ms: Latency;
  runbooks_all_ms: (Latency & { runbooks: number; failed: number; via: string }) | null;
  ssh_connect_to_prompt_ms: Latency | null;
  ssh_rtt_ms: Record<string, RttResult> | null;
  ssh_rss_per_session_kb: number | null;
  ssh_sessions_max: number | null;
  baseline_ssh_rtt_ms: Record<string, RttResult> | null;
  ratios: Record<string, number | null>;
  targets: Record<string, string>;
  notes: string[];
  machine: { cpus: number; node: string };
  duration_ms: number;
}

const TARGETS: Record<string, string> = {
  lab_create_ms: 'median <= 250',
  lab_create_fresh_ms: 'median <= 250',
  cmd_show_itl_ms: 'median <= 2',
  runbooks_all_ms: 'median <= 3000',
  ssh_connect_to_prompt_ms: 'median <= 150',
  ssh_rtt_ms: 'p99 at 50 sessions <= 25 and <= 3x baseline p99',
  ssh_rss_per_session_kb: '<= 3072 at 200 sessions',
};

const args = new Set(process.argv.slice(2));
const quick = args.has('--quick');
const log = (s: string) => {
  if (!args.has('--json')) process.stderr.write(s + '\n');
};

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'cucm-sim-bench-'));
}

async function timed(n: number, fn: (i: number) => Promise<void>, between?: (i: number) => Promise<void>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await fn(i);
    out.push(performance.now() - t0);
    if (between) await between(i);
  }
  return out;
}

// ---------------------------------------------------------------- lab creation

async function benchLabCreate(n: number, fresh: boolean): Promise<number[]> {
  const dirs: string[] = [];
  try {
    return await timed(n, async () => {
      const dir = tempDir();
      dirs.push(dir);
      const lab = await Lab.create(fresh ? { dir } : { dir, seed: 1, clock: CLOCK });
      lab.close();
    });
  } finally {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------- commands in process

class Driver {
  readonly session: CliSession;
  private answers: string[] = [];
  private io: SessionIO = {
    answer: async () => {
      const a = this.answers.shift();
      if (a === undefined) throw new Cancelled();
      return a;
    },
  };
  constructor(readonly lab: Lab) {
    this.session = new CliSession({ lab, node: lab.publisher() });
  }
  async run(line: string, answers: string[] = []): Promise<void> {
    this.answers = [...answers];
    const r = await this.session.run(line, this.io);
    if (r.status !== 0) throw new Error(`'${line}' failed in the bench`);
  }
}

async function benchCommands(): Promise<Pick<Figures, 'cmd_show_itl_ms' | 'cmd_show_ctl_ms' | 'cmd_mixed_mode_ms' | 'cmd_itl_reset_ms'>> {
  const dir = tempDir();
  const lab = await Lab.create({ dir, seed: 1, clock: CLOCK });
  try {
    const d = new Driver(lab);
    const reps = quick ? 50 : 300;
    const heavy = quick ? 10 : 40;
    await d.run('show itl'); // first parse warms the certificate and module caches
    const itl = await timed(reps, () => d.run('show itl'));
    const mixed = await timed(
      heavy,
      () => d.run('utils ctl set-cluster mixed-mode', ['y']),
      () => d.run('utils ctl set-cluster non-secure-mode', ['y']),
    );
    await d.run('utils ctl set-cluster mixed-mode', ['y']);
    await d.run('show ctl');
    const ctl = await timed(reps, () => d.run('show ctl'));
    const reset = await timed(heavy, () => d.run('utils itl reset localkey', [lab.state.accounts.application.password]));
    return { cmd_show_itl_ms: latency(itl), cmd_show_ctl_ms: latency(ctl), cmd_mixed_mode_ms: latency(mixed), cmd_itl_reset_ms: latency(reset) };
  } finally {
    lab.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------- runbooks

type RunbookRunner = { via: string; run(files: string[]): Promise<{ failed: number }> };

async function importIfPresent(rel: string): Promise<Record<string, unknown> | undefined> {
  const url = new URL(rel, import.meta.url);
  if (!existsSync(fileURLToPath(url))) return undefined;
  return (await import(url.href)) as Record<string, unknown>;
}

/** Finds the runbook runner's entry point; its exact name is the runbook module's business. */
async function runbookRunner(): Promise<RunbookRunner | undefined> {
  const mod = await importIfPresent('../src/runbook.js');
  if (!mod) return undefined;
  const countFailed = (r: unknown, files: number): number => {
    if (typeof r === 'number') return r === 0 ? 0 : files;
    if (Array.isArray(r)) return r.filter((x) => x && typeof x === 'object' && ((x as { ok?: boolean }).ok === false || (x as { passed?: boolean }).passed === false)).length;
    if (r && typeof r === 'object') {
      const o = r as Record<string, unknown>;
      if (typeof o.failed === 'number') return o.failed;
      if (Array.isArray(o.failed)) return o.failed.length;
      if (typeof o.ok === 'boolean') return o.ok ? 0 : files;
      if (typeof o.passed === 'boolean') return o.passed ? 0 : files;
      if (typeof o.status === 'number') return o.status === 0 ? 0 : files;
      if (Array.isArray(o.results)) return countFailed(o.results, files);
    }
    return 0;
  };
  for (const name of ['runRunbooks', 'runRunbookFiles', 'runFiles']) {
    const fn = mod[name];
    if (typeof fn === 'function') {
      return { via: `${name}()`, run: async (files) => ({ failed: countFailed(await (fn as (f: string[], o: object) => Promise<unknown>)(files, { quiet: true }), files.length) }) };
    }
  }
  for (const name of ['runRunbook', 'runFile', 'runRunbookFile']) {
    const fn = mod[name];
    if (typeof fn === 'function') {
      return {
        via: `${name}()`,
        run: async (files) => {
          let failed = 0;
          for (const f of files) failed += countFailed(await (fn as (f: string, o: object) => Promise<unknown>)(f, { quiet: true }), 1);
          return { failed };
        },
      };
    }
  }
  // the command line is the runner's documented interface
  return {
    via: 'cucm-sim run',
    run: (files) =>
      new Promise((resolve, reject) => {
        const child = spawn(process.execPath, [join(projectRoot(), 'bin', 'cucm-sim.js'), 'run', ...files], { stdio: 'ignore' });
        child.on('error', reject);
        child.on('exit', (code) => resolve({ failed: code === 0 ? 0 : files.length }));
      }),
  };
}

async function benchRunbooks(notes: string[]): Promise<Figures['runbooks_all_ms']> {
  const runner = await runbookRunner().catch((e) => {
    notes.push(`runbooks: the runner could not be loaded (${(e as Error).message})`);
    return undefined;
  });
  if (!runner) {
    notes.push('runbooks_all_ms: src/runbook.ts is not there yet; figure not measured');
    return null;
  }
  const dir = join(projectRoot(), 'scripts', 'runbooks');
  const files = existsSync(dir)
    ? readdirSync(dir)
        .filter((f) => f.endsWith('.txt'))
        .sort()
        .map((f) => join(dir, f))
    : [];
  if (files.length === 0) {
    notes.push('runbooks_all_ms: no scripts/runbooks/*.txt yet; figure not measured');
    return null;
  }
  let failed = 0;
  const times = await timed(quick ? 1 : 3, async () => {
    failed = (await runner.run(files)).failed;
  });
  if (failed) notes.push(`runbooks: ${failed} of ${files.length} runbooks failed in the last run`);
  return { ...latency(times), runbooks: files.length, failed, via: runner.via };
}

// ---------------------------------------------------------------- SSH

const SERVER_MODULES = ['../src/ssh-server.js', '../src/serve.js'];

async function findStartServer(): Promise<((lab: Lab, opts: Record<string, unknown>) => Promise<unknown>) | undefined> {
  for (const rel of SERVER_MODULES) {
    const mod = await importIfPresent(rel);
    if (mod && typeof mod.startServer === 'function') return mod.startServer as (lab: Lab, opts: Record<string, unknown>) => Promise<unknown>;
  }
  return undefined;
}

/** The publisher's port, read from whatever the server hands back; `base` when it does not say. */
export function publisherPort(server: unknown, base: number): number {
  const s = server as Record<string, unknown> | undefined;
  const num = (v: unknown) => (typeof v === 'number' && v > 0 ? v : undefined);
  const fromEntry = (e: unknown) => (e && typeof e === 'object' ? num((e as { port?: unknown }).port) : num(e));
  if (!s || typeof s !== 'object') return base;
  for (const key of ['ports', 'endpoints', 'listeners', 'nodes']) {
    const v = s[key];
    if (Array.isArray(v) && v.length) {
      const p = fromEntry(v[0]);
      if (p) return p;
    }
    if (v instanceof Map && v.size) {
      const p = fromEntry([...v.values()][0]);
      if (p) return p;
    }
  }
  return num(s.port) ?? base;
}

async function stopServer(server: unknown): Promise<void> {
  const s = server as Record<string, unknown> | undefined;
  for (const name of ['close', 'stop', 'shutdown']) {
    const fn = s?.[name];
    if (typeof fn === 'function') {
      await Promise.race([Promise.resolve(fn.call(s)), new Promise((r) => setTimeout(r, 3000))]);
      return;
    }
  }
}

/** Runs in the child process: a lab and its SSH server, answering memory questions over IPC. */
async function serverChild(): Promise<void> {
  const send = (m: object) => process.send?.(m);
  const startServer = await findStartServer();
  if (!startServer) {
    send({ type: 'missing' });
    return;
  }
  const dir = tempDir();
  const lab = await Lab.create({ dir, seed: 1, clock: CLOCK });
  // port 0: the server takes free ports and says which
  const server = await startServer(lab, { host: '127.0.0.1', port: 0, log: () => {} });
  send({ type: 'ready', port: publisherPort(server, 2222) });
  process.on('message', async (m: { type: string }) => {
    if (m.type === 'rss') {
      const g = (globalThis as { gc?: () => void }).gc;
      for (let i = 0; i < 3; i++) {
        g?.();
        await new Promise((r) => setTimeout(r, 20));
      }
      send({ type: 'rss', rss: process.memoryUsage().rss });
    } else if (m.type === 'stop') {
      await stopServer(server);
      lab.close();
      rmSync(dir, { recursive: true, force: true });
      process.exit(0);
    }
  });
  process.on('disconnect', () => process.exit(0));
}

class ServerProcess {
  private waiters = new Map<string, (m: Record<string, unknown>) => void>();
  stderr = '';
  private constructor(private child: ChildProcess) {
    child.on('message', (m: Record<string, unknown>) => {
      const w = this.waiters.get(m.type as string);
      if (w) {
        this.waiters.delete(m.type as string);
        w(m);
      }
    });
    child.stderr?.on('data', (d) => (this.stderr = (this.stderr + d).slice(-4000)));
  }
  static async start(): Promise<{ proc: ServerProcess; port: number } | { missing: true; why: string }> {
    const child = fork(fileURLToPath(import.meta.url), ['--ssh-server-child'], { execArgv: ['--expose-gc'], stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
    const proc = new ServerProcess(child);
    const first = await Promise.race([
      proc.next('ready'),
      proc.next('missing'),
      new Promise<Record<string, unknown>>((r) => child.once('exit', (code) => r({ type: 'exit', code }))),
      new Promise<Record<string, unknown>>((r) => setTimeout(() => r({ type: 'timeout' }), 30_000)),
    ]);
    if (first.type === 'ready') return { proc, port: first.port as number };
    child.kill('SIGKILL');
    if (first.type === 'missing') return { missing: true, why: 'src/ssh-server.ts (startServer) is not there yet' };
    return { missing: true, why: `the SSH server did not start (${first.type}): ${proc.stderr.trim().split('\n').slice(-3).join(' / ')}` };
  }
  next(type: string): Promise<Record<string, unknown>> {
    return new Promise((r) => this.waiters.set(type, r));
  }
  async rss(): Promise<number> {
    const p = this.next('rss');
    this.child.send({ type: 'rss' });
    return (await p).rss as number;
  }
  async stop(): Promise<void> {
    const gone = new Promise<void>((r) => this.child.once('exit', () => r()));
    if (this.child.connected) this.child.send({ type: 'stop' });
    await Promise.race([gone, new Promise((r) => setTimeout(r, 5000))]);
    this.child.kill('SIGKILL');
  }
}

async function benchSsh(fig: Figures): Promise<void> {
  const started = await ServerProcess.start();
  if ('missing' in started) {
    fig.notes.push(`SSH figures not measured: ${started.why}`);
    return;
  }
  const { proc, port } = started;
  const open = () => ShellSession.open({ port, username: ADMIN.user, password: ADMIN.password });
  try {
    // connect to prompt, one at a time
    const connects: number[] = [];
    for (let i = 0; i < (quick ? 5 : 20); i++) {
      const s = await open();
      connects.push(s.connectMs);
      s.close();
    }
    fig.ssh_connect_to_prompt_ms = latency(connects);
    log(`  connect to prompt: median ${fig.ssh_connect_to_prompt_ms.median} ms`);

    const perSession = quick ? 50 : 200;
    fig.ssh_rtt_ms = {};
    for (const n of [1, 10, 50]) {
      fig.ssh_rtt_ms[String(n)] = await measureRtt(open, n, perSession);
      log(`  rtt at ${n} sessions: p99 ${fig.ssh_rtt_ms[String(n)].p99} ms`);
    }

  } catch (e) {
    fig.notes.push(`SSH bench aborted: ${(e as Error).message}`);
  } finally {
    await proc.stop();
  }
  await benchSshMemory(fig);
}

/**
 * Memory per session on a fresh server (a server that has just run thousands of commands keeps heap
 * it can reuse, which would hide the cost of a session): 200 idle sessions, then more until the
 * server refuses one, capped to keep the bench short.
 */
async function benchSshMemory(fig: Figures): Promise<void> {
  const started = await ServerProcess.start();
  if ('missing' in started) return;
  const { proc, port } = started;
  const open = () => ShellSession.open({ port, username: ADMIN.user, password: ADMIN.password });
  try {
    // one session first, so code paths and buffers shared by all sessions are not counted per session
    const warm = await open();
    await warm.command('show itl');
    warm.close();
    await new Promise((r) => setTimeout(r, 300));
    const rss0 = await proc.rss();
    const idle: ShellSession[] = [];
    const opened = await pool(200, 8, () => open());
    for (const o of opened) if (o.ok) idle.push(o.value);
    const idleErrors = opened.filter((o) => !o.ok);
    const rss200 = await proc.rss();
    if (idle.length) fig.ssh_rss_per_session_kb = Math.round((rss200 - rss0) / idle.length / 1024);
    if (idleErrors.length) fig.notes.push(`${idleErrors.length} of 200 idle sessions failed to open: ${(idleErrors[0] as { error: Error }).error.message}`);
    log(`  rss per idle session: ${fig.ssh_rss_per_session_kb} kB`);

    const CAP = quick ? 250 : 500;
    let refused: string | undefined;
    while (idle.length < CAP && !refused && idleErrors.length === 0) {
      const batch = await pool(Math.min(25, CAP - idle.length), 8, () => open());
      for (const o of batch) {
        if (o.ok) idle.push(o.value);
        else refused ??= o.error.message;
      }
    }
    // every session still answers?
    const probe = await pool(Math.min(idle.length, 20), 8, (i) => idle[Math.floor((i * idle.length) / 20)].command('show myself'));
    const probeErrors = probe.filter((p) => !p.ok).length;
    fig.ssh_sessions_max = idle.length;
    if (refused) fig.notes.push(`ssh_sessions_max: the server refused session ${idle.length + 1} (${refused})`);
    else if (idleErrors.length === 0) fig.notes.push(`ssh_sessions_max: the bench stops at ${CAP}; the server did not refuse any`);
    if (probeErrors) fig.notes.push(`${probeErrors} of 20 open sessions did not answer after the session ramp`);
    for (const s of idle) s.close();
  } catch (e) {
    fig.notes.push(`SSH bench aborted: ${(e as Error).message}`);
  } finally {
    await proc.stop();
  }
}

async function benchBaseline(fig: Figures): Promise<void> {
  const base = await startOpenSshBaseline();
  if (!base) {
    fig.notes.push('baseline_ssh_rtt_ms: no usable OpenSSH sshd on this machine');
    return;
  }
  try {
    const open = () => ShellSession.open({ port: base.port, username: base.username, privateKey: base.privateKey });
    fig.baseline_ssh_rtt_ms = {};
    for (const n of [1, 10, 50]) fig.baseline_ssh_rtt_ms[String(n)] = await measureRtt(open, n, quick ? 50 : 200, COMMAND_MIX);
  } catch (e) {
    fig.notes.push(`baseline aborted: ${(e as Error).message}`);
  } finally {
    await base.stop();
  }
}

// ---------------------------------------------------------------- output

function ratio(a: number | undefined, b: number | undefined): number | null {
  if (a === undefined || b === undefined || !Number.isFinite(a) || !Number.isFinite(b) || b === 0) return null;
  return Math.round((a / b) * 100) / 100;
}

function table(f: Figures): string {
  const rows: string[][] = [['figure', 'median', 'p99', 'n', 'target', 'ratio to target']];
  const fmt = (x: number | undefined | null) => (x === undefined || x === null || !Number.isFinite(x) ? '-' : String(x));
  const lat = (name: string, l: Latency | null, target?: number, extra = '') => {
    if (!l) rows.push([name, 'null', '', '', TARGETS[name] ?? '', extra]);
    else rows.push([name, fmt(l.median), fmt(l.p99), String(l.n), TARGETS[name] ?? '', target ? `${fmt(ratio(l.median, target))}${extra}` : extra]);
  };
  lat('lab_create_ms', f.lab_create_ms, 250);
  rows.push(['lab_create_first_ms', fmt(f.lab_create_first_ms), '', '1', '(first create in a process)', '']);
  lat('lab_create_fresh_ms', f.lab_create_fresh_ms, 250);
  lat('cmd_show_itl_ms', f.cmd_show_itl_ms, 2);
  lat('cmd_show_ctl_ms', f.cmd_show_ctl_ms);
  lat('cmd_mixed_mode_ms', f.cmd_mixed_mode_ms);
  lat('cmd_itl_reset_ms', f.cmd_itl_reset_ms);
  lat('runbooks_all_ms', f.runbooks_all_ms, 3000, f.runbooks_all_ms ? ` (${f.runbooks_all_ms.runbooks} runbooks via ${f.runbooks_all_ms.via})` : '');
  lat('ssh_connect_to_prompt_ms', f.ssh_connect_to_prompt_ms, 150);
  for (const n of ['1', '10', '50']) {
    const r = f.ssh_rtt_ms?.[n];
    const b = f.baseline_ssh_rtt_ms?.[n];
    const name = `ssh_rtt_ms @${n}`;
    if (!r) rows.push([name, 'null', '', '', n === '50' ? TARGETS.ssh_rtt_ms : '', '']);
    else
      rows.push([
        name,
        fmt(r.median),
        fmt(r.p99),
        String(r.n),
        n === '50' ? TARGETS.ssh_rtt_ms : '',
        `${n === '50' ? `${fmt(ratio(r.p99, 25))} of 25 ms; ` : ''}${b ? `${fmt(ratio(r.p99, b.p99))}x baseline p99` : 'no baseline'}${r.errors ? `; ${r.errors} errors` : ''}`,
      ]);
  }
  for (const n of ['1', '10', '50']) {
    const b = f.baseline_ssh_rtt_ms?.[n];
    rows.push([`baseline_ssh_rtt_ms @${n}`, b ? fmt(b.median) : 'null', b ? fmt(b.p99) : '', b ? String(b.n) : '', 'OpenSSH sshd echo loop', b?.errors ? `${b.errors} errors` : '']);
  }
  rows.push(['ssh_rss_per_session_kb', fmt(f.ssh_rss_per_session_kb), '', f.ssh_rss_per_session_kb === null ? '' : '200', TARGETS.ssh_rss_per_session_kb, fmt(ratio(f.ssh_rss_per_session_kb ?? undefined, 3072))]);
  rows.push(['ssh_sessions_max', fmt(f.ssh_sessions_max), '', '', 'reached without errors', '']);
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) => r.map((c, i) => (i === 0 || i >= 4 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ').trimEnd();
  const out = [line(rows[0]), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(line)];
  out.push('', `All times in ms; ${f.machine.cpus} CPUs, Node ${f.machine.node}; bench took ${(f.duration_ms / 1000).toFixed(1)} s.`);
  if (f.notes.length) out.push('', 'Notes:', ...f.notes.map((n) => `  - ${n}`));
  return out.join('\n');
}

async function main(): Promise<void> {
  const t0 = performance.now();
  const notes: string[] = [];
  log('lab creation ...');
  const det = await benchLabCreate(quick ? 4 : 12, false);
  const fresh = await benchLabCreate(quick ? 2 : 5, true);
  log('commands in process ...');
  const cmds = await benchCommands();
  const fig: Figures = {
    lab_create_ms: latency(det.slice(1)),
    lab_create_first_ms: Math.round(det[0] * 100) / 100,
    lab_create_fresh_ms: latency(fresh),
    ...cmds,
    runbooks_all_ms: null,
    ssh_connect_to_prompt_ms: null,
    ssh_rtt_ms: null,
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
  fig.runbooks_all_ms = await benchRunbooks(notes);
  if (args.has('--skip-ssh')) notes.push('SSH figures skipped (--skip-ssh)');
  else {
    log('SSH server ...');
    await benchSsh(fig);
    log('OpenSSH baseline ...');
    await benchBaseline(fig);
  }
  fig.ratios = {
    lab_create_vs_target: ratio(fig.lab_create_ms.median, 250),
    lab_create_fresh_vs_target: ratio(fig.lab_create_fresh_ms.median, 250),
    show_itl_vs_target: ratio(fig.cmd_show_itl_ms.median, 2),
    runbooks_vs_target: ratio(fig.runbooks_all_ms?.median, 3000),
    connect_vs_target: ratio(fig.ssh_connect_to_prompt_ms?.median, 150),
    ssh_rtt_p99_50_vs_target: ratio(fig.ssh_rtt_ms?.['50']?.p99, 25),
    ssh_rtt_p99_50_vs_baseline: ratio(fig.ssh_rtt_ms?.['50']?.p99, fig.baseline_ssh_rtt_ms?.['50']?.p99),
    ssh_rtt_p99_1_vs_baseline: ratio(fig.ssh_rtt_ms?.['1']?.p99, fig.baseline_ssh_rtt_ms?.['1']?.p99),
    rss_per_session_vs_target: ratio(fig.ssh_rss_per_session_kb ?? undefined, 3072),
  };
  fig.duration_ms = Math.round(performance.now() - t0);
  if (args.has('--json')) process.stdout.write(JSON.stringify(fig) + '\n');
  else process.stdout.write(table(fig) + '\n');
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const entry = args.has('--ssh-server-child') ? serverChild() : main();
  entry.then(
    () => {
      if (!args.has('--ssh-server-child')) process.exit(0);
    },
    (e) => {
      process.stderr.write(`bench: ${(e as Error).stack ?? e}\n`);
      process.exit(1);
    },
  );
}
