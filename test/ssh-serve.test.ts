// `cucm-sim serve` in-process: the table and login line it prints, logins on the printed ports,
// and a clean stop that saves and releases the lab.
import { afterEach, expect, it, vi } from 'vitest';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { Lab } from '../state/cluster/lab.js';
import { serve } from '../src/cli/serve.js';
import { shell } from './ssh-harness.js';
import { tempDir, waitFor } from './helpers.js';

vi.setConfig({ testTimeout: 60_000 });

afterEach(() => vi.restoreAllMocks());

it('prints node, address:port and role per node and the login line, serves those ports, and stops cleanly', async () => {
  const dataDir = tempDir('cucm-sim-serve-');
  let printed = '';
  const real = process.stdout.write.bind(process.stdout);
  vi.spyOn(process.stdout, 'write').mockImplementation(((chunk: string | Uint8Array, ...rest: never[]) => {
    printed += chunk.toString();
    return real(chunk, ...rest);
  }) as typeof process.stdout.write);
  let stop!: () => void;
  const until = new Promise<void>((r) => (stop = r));
  let finished = false;
  const done = serve({ dataDir, seed: 1, port: 0, tftpPort: 0 }, { until }).finally(() => (finished = true));
  await waitFor('the serve table', () => {
    if (finished) throw new Error(`serve ended early: ${printed}`);
    return printed.includes('Press Ctrl-C');
  }, 30_000);

  // port 0: each node gets a free port, printed in the table
  const lines = printed.trim().split('\n').slice(0, 4);
  const ports = lines.slice(1).map((l) => Number(/127\.0\.0\.1:(\d+)/.exec(l)![1]));
  const w = `127.0.0.1:${ports[0]}`.length;
  expect(lines).toEqual([
    `node       ${'address:port'.padEnd(w)}  role`,
    `cucm-pub   ${`127.0.0.1:${ports[0]}`.padEnd(w)}  publisher`,
    `cucm-sub1  ${`127.0.0.1:${ports[1]}`.padEnd(w)}  subscriber`,
    `cucm-sub2  ${`127.0.0.1:${ports[2]}`.padEnd(w)}  subscriber`,
  ]);
  expect(printed).toContain(`SSH, one line per node (OS administrator 'admin', password cisco123):\n  cucm-pub   ssh -p ${ports[0]} admin@127.0.0.1\n`);

  const t = await shell(ports[2]);
  expect(await t.command('show myself')).toContain('Machine Name    : cucm-sub2');
  stop();
  expect(await done).toBe(0);
  await t.waitClosed();
  expect(t.out).toContain('The system is going down');
  // the lab was handed back: it opens again
  const dir = join(dataDir, 'labs', 'default');
  Lab.open(dir).close();
  rmSync(dataDir, { recursive: true, force: true });
});
