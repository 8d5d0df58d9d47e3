// Lab creation figures: deterministic labs (pooled keys, fixed clock) and fresh ones (new keys).
import { rmSync } from 'node:fs';
import { newLab } from '../../state/labs.js';
import { CLOCK, tempDir, timed } from './measure.js';

export async function benchLabCreate(n: number, fresh: boolean): Promise<number[]> {
  const dirs: string[] = [];
  try {
    return await timed(n, async () => {
      const dir = tempDir();
      dirs.push(dir);
      const lab = await newLab(fresh ? { dir } : { dir, seed: 1, clock: CLOCK });
      lab.close();
    });
  } finally {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  }
}
