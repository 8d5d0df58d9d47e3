// What some tests need outside the sources: the compiled dist/ and system tools. A missing piece
// fails the test with its name (never a skip): .ci/run installs the tools, `npm test` builds first.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..');

/** Fails unless the compiled files (paths under dist/) exist. */
export function requireDist(...files: string[]): void {
  for (const f of files.length ? files : ['src/cli/main.js']) {
    const path = join(ROOT, 'dist', f);
    if (!existsSync(path)) throw new Error(`dist/ is not built: ${path} is missing; run \`npm run build\` (npm test builds first)`);
  }
}

/** Where a command is on PATH (or in /usr/sbin for daemons); fails naming it and its Debian package. */
export function requireTool(command: string, debianPackage: string): string {
  const found = spawnSync('sh', ['-c', `command -v ${command}`], { encoding: 'utf8' }).stdout.trim();
  if (found) return found;
  if (existsSync(`/usr/sbin/${command}`)) return `/usr/sbin/${command}`;
  throw new Error(`the '${command}' command is missing: install the Debian package ${debianPackage} (.ci/run does)`);
}
