#!/usr/bin/env node
// Launcher: runs the compiled entry point (built by `npm install` through the prepare script).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const entry = join(root, 'dist', 'src', 'cli', 'main.js');
if (!existsSync(entry)) {
  process.stderr.write('cucm-sim: not built yet; run `npm install` (or `npm run build`) in ' + root + '\n');
  process.exit(2);
}
// a closed pipe (cucm-sim ... | head) ends the program quietly
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw e;
  });
}
const { main } = await import(entry);
const code = await main(process.argv.slice(2));
process.exitCode = code;
