// The class bench's server: a child process holding a class of trainee labs, its SSH endpoints and
// the dashboard, as `serve --trainees N --dashboard` would (default session limits), answering
// memory questions over IPC so the clients' memory is not counted.
import { rmSync } from 'node:fs';
import { Classroom } from '../../src/class/classroom.js';
import { classEndpoints } from '../../src/class/endpoints.js';
import { serveLabs } from '../../src/frontends/ssh/server.js';
import { startDashboard } from '../../src/dashboard/server.js';
import { prepareFreshKeys } from '../../state/crypto/keys.js';
import { CLOCK, tempDir } from './measure.js';

export const CLASS_LAB_PASSWORD = 'bench-instructor-pw';
export const traineeName = (i: number) => `t${String(i + 1).padStart(2, '0')}`;
export const traineePassword = (name: string) => `bench-${name}-pw`;

function argValue(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function settledRss(): Promise<{ rss: number; heap: number }> {
  const g = (globalThis as { gc?: () => void }).gc;
  for (let i = 0; i < 3; i++) {
    g?.();
    await new Promise((r) => setTimeout(r, 20));
  }
  const m = process.memoryUsage();
  return { rss: m.rss, heap: m.heapUsed + m.external + m.arrayBuffers };
}

/** Runs in the child: creates the class (timed), serves it, then waits for the parent's messages. */
export async function classServerChild(): Promise<void> {
  const send = (m: object) => process.send?.(m);
  const count = Number(argValue('--class-trainees') ?? 30);
  const fresh = process.argv.includes('--class-fresh');
  const dir = tempDir();
  const trainees = Array.from({ length: count }, (_, i) => ({ name: traineeName(i), password: traineePassword(traineeName(i)) }));
  // as serve does for a class without a seed: the fresh-key pool fills in the background meanwhile
  if (fresh) void prepareFreshKeys({ 1024: 18, 2048: 8 });
  const before = await settledRss();
  const t0 = performance.now();
  const room = await Classroom.open(dir, {
    trainees,
    labPassword: CLASS_LAB_PASSWORD,
    ...(fresh ? {} : { seed: 1, clock: CLOCK }),
  });
  const createMs = performance.now() - t0;
  const after = await settledRss();
  const ssh = await serveLabs(classEndpoints(room), { host: '127.0.0.1', port: 0, log: () => {} });
  const dash = await startDashboard(room, { password: CLASS_LAB_PASSWORD, port: 0 });
  send({ type: 'ready', createMs, before, after, ports: ssh.ports, dashboard: dash.url, trainees: trainees.map((t) => t.name) });
  process.on('message', async (m: { type: string }) => {
    if (m.type === 'rss') send({ type: 'rss', ...(await settledRss()) });
    else if (m.type === 'stop') {
      await Promise.race([Promise.all([dash.close(), ssh.close()]), new Promise((r) => setTimeout(r, 3000))]);
      room.close();
      rmSync(dir, { recursive: true, force: true });
      process.exit(0);
    }
  });
  process.on('disconnect', () => process.exit(0));
}
