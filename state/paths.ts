import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let root: string | undefined;

/** The package root, whether running from sources (vitest) or from dist/. */
export function projectRoot(): string {
  if (root) return root;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'state'))) return (root = dir);
    const up = dirname(dir);
    if (up === dir) throw new Error('cannot locate the cucm-sim package root');
    dir = up;
  }
}
