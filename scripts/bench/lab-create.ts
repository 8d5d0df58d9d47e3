// Lab creation figures: deterministic labs (pooled keys, fixed clock) and fresh ones (new keys, drawn
// from the fresh-key pool a class server keeps filled in the background).
import { rmSync } from 'node:fs';
import { prepareFreshKeys } from '../../state/crypto/keys.js';
import { newLab } from '../../state/labs.js';
import { CLOCK, tempDir, timed } from './measure.js';

/** Fresh keys a default lab takes (3 nodes x 6 units), with room for a second lab. */
const FRESH_POOL = { 1024: 40, 2048: 4 } as const;

export async function benchLabCreate(n: number, fresh: boolean): Promise<number[]> {
  const dirs: string[] = [];
  try {
    if (fresh) await prepareFreshKeys(FRESH_POOL);
    return await timed(
      n,
      async () => {
        const dir = tempDir();
        dirs.push(dir);
        const lab = await newLab(fresh ? { dir } : { dir, seed: 1, clock: CLOCK });
        lab.close();
      },
      // labs are created minutes apart in a class, not back to back: the pool refills in between
      fresh ? () => prepareFreshKeys() : undefined,
    );
  } finally {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  }
}
