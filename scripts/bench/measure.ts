// What the bench parts share: the fixed clock of deterministic labs, scratch directories, timing a step.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const CLOCK = '2025-01-06T09:00:00Z';

export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'cucm-sim-bench-'));
}

export async function timed(n: number, fn: (i: number) => Promise<void>, between?: (i: number) => Promise<void>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await fn(i);
    out.push(performance.now() - t0);
    if (between) await between(i);
  }
  return out;
}
