// The runbook figure: every example runbook under scripts/runbooks, each on a fresh lab.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../../state/paths.js';
import { runRunbook } from '../../src/runbook/run.js';
import { latency } from '../ssh-harness.js';
import type { Figures } from './figures.js';
import { timed } from './measure.js';

export async function benchRunbooks(notes: string[], quick: boolean): Promise<Figures['runbooks_all_ms']> {
  const dir = join(projectRoot(), 'scripts', 'runbooks');
  const files = existsSync(dir)
    ? readdirSync(dir)
        .filter((f) => f.endsWith('.txt'))
        .sort()
        .map((f) => join(dir, f))
    : [];
  if (files.length === 0) {
    notes.push('runbooks_all_ms: no scripts/runbooks/*.txt; figure not measured');
    return null;
  }
  let failed = 0;
  const times = await timed(quick ? 1 : 3, async () => {
    failed = 0;
    for (const f of files) if (!(await runRunbook(f)).passed) failed++;
  });
  if (failed) notes.push(`runbooks: ${failed} of ${files.length} runbooks failed in the last run`);
  return { ...latency(times), runbooks: files.length, failed, via: 'runRunbook()' };
}
