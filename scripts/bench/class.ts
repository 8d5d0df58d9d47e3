// The class figures: a class of 30 trainees x 3 nodes served by one process (a child, so the
// clients' memory is apart): time to create every lab, memory per trainee lab, and SSH round trips
// with one session per trainee and node (90) while a signed-in dashboard streams the class.
import { fork, type ChildProcess } from 'node:child_process';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { ShellSession, latency, type Latency, type RttResult } from '../ssh-harness.js';
import { CLASS_LAB_PASSWORD, traineePassword } from './class-server.js';
import { closeAll, openSessions, rtt, rttPaced } from './load.js';

const BENCH_ENTRY = fileURLToPath(new URL('../bench.js', import.meta.url));
/** a command a second from each of 90 trainees: far busier than a class typing, yet not back to back */
const PACED_MS = 1000;

export const CLASS_TARGETS = { create_all_ms: 10_000, rss_per_lab_kb: 5 * 1024, ssh_rtt_p99_ms: 25 } as const;

export interface ClassFigures {
  trainees: number;
  nodes_per_lab: number;
  /** 'seeded': labs from the committed key pool; 'fresh': new RSA keys, as serve without --seed */
  keys: 'seeded' | 'fresh';
  create_all_ms: number;
  rss_per_lab_kb: number;
  heap_per_lab_kb: number;
  /** one interactive session per trainee and node, commands back to back */
  ssh_rtt_ms: RttResult | null;
  /** the same sessions, each sending a command every PACED_MS (a class at work) */
  ssh_rtt_paced_ms: RttResult | null;
  /** rows messages the dashboard's stream carried during the round trips */
  dashboard_messages: number;
  dashboard_bytes: number;
  /** from a change of the class to the dashboard's message about it, as the stream's client saw */
  dashboard_lag_ms: Latency | null;
  ratios: Record<string, number | null>;
  notes: string[];
}

interface Ready {
  createMs: number;
  before: { rss: number; heap: number };
  after: { rss: number; heap: number };
  ports: number[];
  dashboard: string;
  trainees: string[];
}

function startChild(trainees: number, fresh: boolean, profileDir?: string): { child: ChildProcess; ready: Promise<Ready> } {
  const args = ['--class-server-child', '--class-trainees', String(trainees), ...(fresh ? ['--class-fresh'] : [])];
  const execArgv = ['--expose-gc', ...(profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [])];
  const child = fork(BENCH_ENTRY, args, { execArgv, stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
  let stderr = '';
  child.stderr?.on('data', (d) => (stderr = (stderr + d).slice(-4000)));
  const ready = new Promise<Ready>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the class server did not start within 300 s')), 300_000);
    child.on('message', (m: { type: string }) => {
      if (m.type === 'ready') {
        clearTimeout(timer);
        resolve(m as unknown as Ready);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the class server exited (${code}): ${stderr.trim().split('\n').slice(-3).join(' / ')}`));
    });
  });
  return { child, ready };
}

async function stopChild(child: ChildProcess): Promise<void> {
  const gone = new Promise<void>((r) => child.once('exit', () => r()));
  if (child.connected) child.send({ type: 'stop' });
  await Promise.race([gone, new Promise((r) => setTimeout(r, 5000))]);
  child.kill('SIGKILL');
}

/** A signed-in dashboard stream: counts the rows messages and when each arrived. */
async function dashboardStream(url: string): Promise<{ messages: number[]; bytes: () => number; close: () => void }> {
  const login = await fetch(new URL('/login', url), {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ password: CLASS_LAB_PASSWORD }).toString(),
  });
  const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0];
  if (login.status !== 303 || !cookie) throw new Error(`dashboard sign-in failed (${login.status})`);
  const ac = new AbortController();
  const res = await fetch(new URL('/events', url), { headers: { cookie }, signal: ac.signal });
  if (res.status !== 200 || !res.body) throw new Error(`dashboard stream refused (${res.status})`);
  const messages: number[] = [];
  let bytes = 0;
  const reader = res.body.getReader();
  void (async () => {
    let buf = '';
    for (;;) {
      const r = await reader.read().catch(() => ({ done: true as const, value: undefined }));
      if (r.done) return;
      bytes += r.value.length;
      buf += Buffer.from(r.value).toString('utf8');
      let i;
      while ((i = buf.indexOf('\n\n')) >= 0) {
        if (buf.slice(0, i).startsWith('data: {"type":"rows"')) messages.push(performance.now());
        buf = buf.slice(i + 2);
      }
    }
  })();
  return { messages, bytes: () => bytes, close: () => ac.abort() };
}

export async function benchClass(opts: { quick: boolean; log: (s: string) => void; fresh?: boolean; profileDir?: string }): Promise<ClassFigures> {
  const trainees = opts.quick ? 10 : 30;
  const commands = opts.quick ? 5 : 20;
  // the round trips depend on what else the machine runs: said beside them
  const notes: string[] = [`load average at start: ${loadavg().map((x) => x.toFixed(1)).join(' ')}`];
  const { child, ready } = startChild(trainees, opts.fresh ?? false, opts.profileDir);
  try {
    const r = await ready;
    const perLab = (k: 'rss' | 'heap') => Math.round((r.after[k] - r.before[k]) / 1024 / trainees);
    opts.log(`  ${trainees} trainee labs ready in ${Math.round(r.createMs)} ms; ${perLab('rss')} KB resident per lab`);
    const fig: ClassFigures = {
      trainees,
      nodes_per_lab: r.ports.length,
      keys: opts.fresh ? 'fresh' : 'seeded',
      create_all_ms: Math.round(r.createMs),
      rss_per_lab_kb: perLab('rss'),
      heap_per_lab_kb: perLab('heap'),
      ssh_rtt_ms: null,
      ssh_rtt_paced_ms: null,
      dashboard_messages: 0,
      dashboard_bytes: 0,
      dashboard_lag_ms: null,
      ratios: {},
      notes,
    };
    const stream = await dashboardStream(r.dashboard);
    try {
      const logins = r.trainees.flatMap((name) => r.ports.map((port) => ({ name, port })));
      let next = 0;
      const open = () => {
        const l = logins[next++];
        return ShellSession.open({ port: l.port, username: l.name, password: traineePassword(l.name) });
      };
      const o = await openSessions(open, logins.length);
      if (o.errors) notes.push(`${o.errors} of ${logins.length} sessions did not open: ${o.firstError}`);
      const sent = stream.messages.length;
      const res = await rtt(o, commands);
      fig.ssh_rtt_ms = res.result;
      opts.log(`  rtt at ${o.live.length} sessions with the dashboard streaming: p50 ${res.result.p50} ms, p99 ${res.result.p99} ms`);
      const paced = await rttPaced(o, 10, PACED_MS);
      fig.ssh_rtt_paced_ms = paced.result;
      opts.log(`  rtt at ${o.live.length} sessions, each a command every ${PACED_MS} ms: p50 ${paced.result.p50} ms, p99 ${paced.result.p99} ms`);
      closeAll(o);
      fig.dashboard_messages = stream.messages.length - sent;
      fig.dashboard_bytes = stream.bytes();
      // gaps between the stream's messages while the class worked: the coalescing interval at work
      const gaps = stream.messages.slice(sent + 1).map((t, i) => t - stream.messages[sent + i]);
      fig.dashboard_lag_ms = gaps.length ? latency(gaps) : null;
    } finally {
      stream.close();
    }
    const ratio = (v: number | undefined, t: number) => (v === undefined || Number.isNaN(v) ? null : Math.round((v / t) * 100) / 100);
    fig.ratios = {
      create_all_vs_target: ratio(fig.create_all_ms, CLASS_TARGETS.create_all_ms),
      rss_per_lab_vs_target: ratio(fig.rss_per_lab_kb, CLASS_TARGETS.rss_per_lab_kb),
      ssh_rtt_p99_vs_target: ratio(fig.ssh_rtt_ms?.p99, CLASS_TARGETS.ssh_rtt_p99_ms),
      ssh_rtt_paced_p99_vs_target: ratio(fig.ssh_rtt_paced_ms?.p99, CLASS_TARGETS.ssh_rtt_p99_ms),
    };
    return fig;
  } finally {
    await stopChild(child);
  }
}

/** The class figures as lines of the bench's table. */
export function classTable(f: ClassFigures): string {
  const rows: Array<[string, string, string]> = [
    ['class', `${f.trainees} trainees x ${f.nodes_per_lab} nodes (${f.keys} keys)`, ''],
    ['class_create_all_ms', String(f.create_all_ms), `<= ${CLASS_TARGETS.create_all_ms}`],
    ['class_rss_per_lab_kb', `${f.rss_per_lab_kb} (heap ${f.heap_per_lab_kb})`, `<= ${CLASS_TARGETS.rss_per_lab_kb}`],
    ['class_ssh_rtt_ms', f.ssh_rtt_ms ? `p50 ${f.ssh_rtt_ms.p50}, p99 ${f.ssh_rtt_ms.p99} (${f.ssh_rtt_ms.sessions} sessions, ${f.ssh_rtt_ms.errors} errors)` : 'not measured', `p99 <= ${CLASS_TARGETS.ssh_rtt_p99_ms}`],
    ['class_ssh_rtt_paced_ms', f.ssh_rtt_paced_ms ? `p50 ${f.ssh_rtt_paced_ms.p50}, p99 ${f.ssh_rtt_paced_ms.p99} (a command every ${PACED_MS} ms each)` : 'not measured', `p99 <= ${CLASS_TARGETS.ssh_rtt_p99_ms}`],
    ['class_dashboard_stream', `${f.dashboard_messages} messages, ${f.dashboard_bytes} bytes${f.dashboard_lag_ms ? `, gap p50 ${f.dashboard_lag_ms.p50} ms` : ''}`, ''],
  ];
  const w = [0, 1].map((i) => Math.max(...rows.map((r) => r[i].length)));
  return [...rows.map((r) => `${r[0].padEnd(w[0])}  ${r[1].padEnd(w[1])}  ${r[2]}`), ...f.notes.map((n) => `note: ${n}`)].join('\n');
}
