// `cucm-sim run FILE...`: runs runbooks, prints a line (and any diffs) per runbook and a summary.
import { existsSync, writeFileSync } from 'node:fs';
import { basename, extname } from 'node:path';
import type { RecordOptions } from '../recording/recorder.js';
import { parseRedactSpec, type RedactOptions } from '../recording/redact.js';
import { RunbookError } from '../runbook/parse.js';
import { describeResult, junitXml } from '../runbook/report.js';
import { runRunbook, type RunbookResult } from '../runbook/run.js';
import type { CommonFlags } from './args.js';
import { startProgress, type ProgressStream } from './progress.js';

/** Where the recording of one of several runbooks goes: FILE with the runbook's name inserted. */
export function recordPathFor(record: string, runbook: string, count: number): string {
  if (count <= 1) return record;
  const ext = extname(record);
  const stem = basename(runbook, extname(runbook));
  return record.slice(0, record.length - ext.length) + '-' + stem + ext;
}

/** `cucm-sim run FILE...`: returns the exit status (0 all passed, 1 any failure, 2 usage). */
export async function runbooksMain(
  flags: CommonFlags,
  files: string[],
  out: { write(s: string): unknown } = process.stdout,
  err: ProgressStream = process.stderr,
): Promise<number> {
  // `--fill FILE...`: the option's own file and the others given are all skeletons to fill
  const fill = flags.fill !== undefined;
  if (typeof flags.fill === 'string') files = [flags.fill, ...files];
  if (files.length === 0) {
    err.write('cucm-sim run: no runbook given (usage: cucm-sim run FILE... [--update] [--fill] [--junit FILE] [--record FILE] [--lab NAME] [--expect-exercise pass|fail])\n');
    return 2;
  }
  const results: RunbookResult[] = [];
  for (const [i, file] of files.entries()) {
    let record: (RecordOptions & { redactOptions?: RedactOptions }) | undefined;
    if (flags.record) {
      record = { file: recordPathFor(flags.record, file, files.length) };
      if (flags.redact) {
        try {
          record.redactOptions = parseRedactSpec(flags.redact);
        } catch (e) {
          err.write(`cucm-sim run: ${(e as Error).message}\n`);
          return 2;
        }
      }
    }
    if (!existsSync(file)) {
      const r: RunbookResult = { file, passed: false, commands: 0, mismatches: [], ms: 0, error: new RunbookError(file, 1, 'no such file') };
      results.push(r);
      out.write(describeResult(r));
      continue;
    }
    // on a terminal: which runbook and command is running; piped: nothing but the result lines
    const progress = startProgress(`runbook ${i + 1}/${files.length} ${file}`, undefined, err);
    const r = await runRunbook(file, {
      onCommand: (command) => progress.tick(command),
      fill,
      labName: flags.lab,
      node: flags.node,
      dataDir: flags.dataDir,
      seed: flags.seed,
      clock: flags.clock,
      topologyFile: flags.topology,
      update: flags.update,
      record,
      expectExercise: flags.expectExercise,
      exerciseDir: flags.exerciseDir,
    });
    progress.done();
    results.push(r);
    out.write(describeResult(r));
  }
  const passed = results.filter((r) => r.passed).length;
  const failed = results.length - passed;
  out.write(`${results.length} runbook${results.length === 1 ? '' : 's'}: ${passed} passed, ${failed} failed\n`);
  if (flags.junit) writeFileSync(flags.junit, junitXml(results));
  return failed ? 1 : 0;
}
