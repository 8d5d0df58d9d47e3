// What a run reports: the runner's line per runbook (with diffs) and JUnit XML for CI.
import type { RunbookResult } from './run.js';

function xmlEscape(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/[\x00-\x08\x0b\x0c\x0e-\x1f]/g, '');
}

export function junitXml(results: RunbookResult[]): string {
  const failures = results.filter((r) => !r.passed && !r.error).length;
  const errors = results.filter((r) => r.error).length;
  const total = results.reduce((s, r) => s + r.ms, 0) / 1000;
  const out = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="cucm-sim runbooks" tests="${results.length}" failures="${failures}" errors="${errors}" time="${total.toFixed(3)}">`,
    `  <testsuite name="runbooks" tests="${results.length}" failures="${failures}" errors="${errors}" time="${total.toFixed(3)}">`,
  ];
  for (const r of results) {
    const name = xmlEscape(r.file);
    out.push(`    <testcase classname="runbooks" name="${name}" file="${name}" time="${(r.ms / 1000).toFixed(3)}">`);
    if (r.error) {
      out.push(`      <error message="${xmlEscape(r.error.message)}" type="RunbookError">${xmlEscape(r.error.message)}</error>`);
    } else if (!r.passed && !r.mismatches.length) {
      const msg = exerciseProblem(r) ?? 'failed';
      out.push(`      <failure message="${xmlEscape(msg)}" type="ExerciseResult">${xmlEscape(msg)}</failure>`);
    } else if (!r.passed) {
      const first = r.mismatches[0];
      const msg = `${r.mismatches.length} mismatch${r.mismatches.length === 1 ? '' : 'es'}; first at ${r.file}:${first.line} (${first.command})`;
      out.push(`      <failure message="${xmlEscape(msg)}" type="OutputMismatch">${xmlEscape(r.mismatches.map((m) => m.diff).join('\n\n'))}</failure>`);
    }
    out.push('    </testcase>');
  }
  out.push('  </testsuite>', '</testsuites>', '');
  return out.join('\n');
}

/** The exercise result against --expect-exercise, when it differs; undefined when it is as expected. */
export function exerciseProblem(r: RunbookResult): string | undefined {
  const x = r.exercise;
  if (!x || x.actual === x.expected) return undefined;
  const parts = [`exercise ${x.id}: expected ${x.expected}, got ${x.actual} (score ${x.score}%)`];
  if (x.notMet.length) parts.push(`not yet: ${x.notMet.join('; ')}`);
  if (x.broken.length) parts.push(`broken: ${x.broken.join('; ')}`);
  return parts.join('; ');
}

/** The text the runner prints for one runbook: a progress line, then any diffs or error. */
export function describeResult(r: RunbookResult): string {
  const secs = (r.ms / 1000).toFixed(1);
  const ex = r.exercise ? `, exercise ${r.exercise.id} ${r.exercise.actual}` : '';
  if (r.error) return `ERROR ${r.error.message}\n`;
  if (r.updated) return `UPDATED ${r.file} (${r.mismatches.length} block${r.mismatches.length === 1 ? '' : 's'} rewritten, ${r.commands} commands, ${secs}s)\n`;
  if (r.passed) return `PASS  ${r.file} (${r.commands} commands${ex}, ${secs}s)\n`;
  const parts = [`FAIL  ${r.file} (${r.mismatches.length} mismatch${r.mismatches.length === 1 ? '' : 'es'}, ${r.commands} commands${ex}, ${secs}s)`];
  for (const m of r.mismatches) parts.push(`${r.file}:${m.line}: output of '${m.command}' differs`, m.diff, '');
  const problem = exerciseProblem(r);
  if (problem) parts.push(`${r.file}: ${problem}`);
  return parts.join('\n') + '\n';
}
