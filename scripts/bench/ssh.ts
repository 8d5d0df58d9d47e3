// SSH figures: connect time, round trips at 1, 10, 50 and 200 sessions, a burst of 200 at once,
// memory per session and the most sessions, against a server in a child process (its memory apart
// from the clients'); the same round trips on OpenSSH's sshd as the baseline.
import { fork, ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { newLab } from '../../state/labs.js';
import { startServer } from '../../src/frontends/ssh/server.js';
import { COMMAND_MIX, ShellSession, latency, pool, startOpenSshBaseline } from '../ssh-harness.js';
import type { Figures } from './figures.js';
import { burst, closeAll, openSessions, rtt } from './load.js';
import { CLOCK, tempDir } from './measure.js';

const ADMIN = { user: 'admin', password: 'cisco123' };
/** The bench's entry point: started with --ssh-server-child it runs serverChild(). */
const BENCH_ENTRY = fileURLToPath(new URL('../bench.js', import.meta.url));

export interface SshBenchOptions {
  quick: boolean;
  log: (s: string) => void;
  /** latency samples by figure, for the report's plots */
  samples: Record<string, number[]>;
  /** directory for the server child's CPU profile (--cpu-prof-server) */
  profileDir?: string;
}

/** Sessions of each round-trip figure, and the commands each session sends (fewer when many). */
const LEVELS: Array<[sessions: number, full: number, quick: number]> = [
  [1, 200, 50],
  [10, 200, 50],
  [50, 100, 20],
  [200, 25, 8],
];
const BURST_ROUNDS = { full: 10, quick: 3 };

function argValue(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

/** Runs in the child process: a lab and its SSH server, answering memory questions over IPC. */
export async function serverChild(): Promise<void> {
  const send = (m: object) => process.send?.(m);
  const dir = tempDir();
  const lab = await newLab({ dir, seed: 1, clock: CLOCK });
  // port 0: the server takes free ports and says which
  // every bench session is admin from 127.0.0.1 on one node: only the global cap applies, so the
  // figure of the most sessions stays comparable
  // the round-trip server also lifts the global cap (200 sessions, and closed ones still leaving);
  // the memory server keeps it, so the most sessions is the cap a class would meet
  const maxSessions = argValue('--max-sessions');
  const server = await startServer(lab, {
    host: '127.0.0.1',
    port: 0,
    log: () => {},
    maxSessionsPerUser: 10_000,
    maxSessionsPerNode: 10_000,
    ...(maxSessions ? { maxSessions: Number(maxSessions) } : {}),
  });
  send({ type: 'ready', port: server.ports[0] });
  process.on('message', async (m: { type: string }) => {
    if (m.type === 'rss') {
      const g = (globalThis as { gc?: () => void }).gc;
      for (let i = 0; i < 3; i++) {
        g?.();
        await new Promise((r) => setTimeout(r, 20));
      }
      send({ type: 'rss', rss: process.memoryUsage().rss });
    } else if (m.type === 'stop') {
      await Promise.race([server.close(), new Promise((r) => setTimeout(r, 3000))]);
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
  static async start(opts: { maxSessions?: number; profileDir?: string } = {}): Promise<{ proc: ServerProcess; port: number } | { missing: true; why: string }> {
    const args = ['--ssh-server-child', ...(opts.maxSessions ? ['--max-sessions', String(opts.maxSessions)] : [])];
    const execArgv = ['--expose-gc', ...(opts.profileDir ? ['--cpu-prof', `--cpu-prof-dir=${opts.profileDir}`] : [])];
    const child = fork(BENCH_ENTRY, args, { execArgv, stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
    const proc = new ServerProcess(child);
    const first = await Promise.race([
      proc.next('ready'),
      new Promise<Record<string, unknown>>((r) => child.once('exit', (code) => r({ type: 'exit', code }))),
      new Promise<Record<string, unknown>>((r) => setTimeout(() => r({ type: 'timeout' }), 30_000)),
    ]);
    if (first.type === 'ready') return { proc, port: first.port as number };
    child.kill('SIGKILL');
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

export async function benchSsh(fig: Figures, { quick, log, samples, profileDir }: SshBenchOptions): Promise<void> {
  const started = await ServerProcess.start({ maxSessions: 10_000, profileDir });
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

    fig.ssh_rtt_ms = {};
    for (const [n, full, q] of LEVELS) {
      const o = await openSessions(open, n);
      const r = await rtt(o, quick ? q : full);
      fig.ssh_rtt_ms[String(n)] = r.result;
      samples[`ssh_rtt_ms@${n}`] = r.samples;
      log(`  rtt at ${n} sessions: p50 ${r.result.p50} ms, p99 ${r.result.p99} ms`);
      if (n === 200) {
        const b = await burst(o, 'show itl', quick ? BURST_ROUNDS.quick : BURST_ROUNDS.full);
        fig.burst_show_itl_200_ms = b.result;
        samples['burst_show_itl_200_ms'] = b.samples;
        log(`  burst of 200 x show itl: p50 ${b.result.p50} ms, p99 ${b.result.p99} ms`);
      }
      closeAll(o);
      // let the closed sessions leave before the next level opens its own
      await new Promise((res) => setTimeout(res, 300));
    }
  } catch (e) {
    fig.notes.push(`SSH bench aborted: ${(e as Error).message}`);
  } finally {
    await proc.stop();
  }
  await benchSshMemory(fig, quick, log);
}

/**
 * Memory per session on a fresh server (a server that has just run thousands of commands keeps heap
 * it can reuse, which would hide the cost of a session): 200 idle sessions, then more until the
 * server refuses one, capped to keep the bench short.
 */
async function benchSshMemory(fig: Figures, quick: boolean, log: (s: string) => void): Promise<void> {
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

export async function benchBaseline(fig: Figures, quick: boolean, samples: Record<string, number[]>): Promise<void> {
  const base = await startOpenSshBaseline();
  if (!base) {
    fig.notes.push('baseline_ssh_rtt_ms: no usable OpenSSH sshd on this machine');
    return;
  }
  try {
    const open = () => ShellSession.open({ port: base.port, username: base.username, privateKey: base.privateKey });
    fig.baseline_ssh_rtt_ms = {};
    for (const [n, full, q] of LEVELS) {
      const o = await openSessions(open, n);
      const r = await rtt(o, quick ? q : full, COMMAND_MIX);
      fig.baseline_ssh_rtt_ms[String(n)] = r.result;
      samples[`baseline_ssh_rtt_ms@${n}`] = r.samples;
      if (n === 200) {
        const b = await burst(o, 'show itl', quick ? BURST_ROUNDS.quick : BURST_ROUNDS.full);
        fig.baseline_burst_200_ms = b.result;
        samples['baseline_burst_200_ms'] = b.samples;
      }
      closeAll(o);
      await new Promise((res) => setTimeout(res, 300));
    }
  } catch (e) {
    fig.notes.push(`baseline aborted: ${(e as Error).message}`);
  } finally {
    await base.stop();
  }
}
