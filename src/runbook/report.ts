// What a run reports: the runner's line per runbook (with diffs) and JUnit XML for CI.
import type { Mismatch, RunbookResult } from './run.js';

/** One line naming where a step failed: the runbook line of the difference and of the command. */
export function mismatchHeadline(file: string, m: Mismatch): string {
  if (m.kind === 'error') return `${file}:${m.line}: '${m.command}' (command at line ${m.commandLine}): ${m.diff}`;
  return `${file}:${m.line}: output of '${m.command}' (command at line ${m.commandLine}) differs`;
}

function failureCount(r: RunbookResult): string {
  const out = r.mismatches.filter((m) => m.kind === 'output').length;
  const err = r.mismatches.length - out;
  const parts: string[] = [];
  if (out) parts.push(`${out} mismatch${out === 1 ? '' : 'es'}`);
  if (err) parts.push(`${err} CLI error check${err === 1 ? '' : 's'} failed`);
  return parts.join(', ');
}

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
      const shown = r.mismatches.filter((m) => m.kind === 'error' || !r.updated);
      const first = shown[0];
      const msg = `${failureCount({ ...r, mismatches: shown })}; first at ${r.file}:${first.line} (${first.command}, command at line ${first.commandLine})`;
      const body = shown.map((m) => (m.kind === 'error' ? mismatchHeadline(r.file, m) : `${mismatchHeadline(r.file, m)}\n${m.diff}`)).join('\n\n');
      out.push(`      <failure message="${xmlEscape(msg)}" type="${first.kind === 'error' ? 'CliError' : 'OutputMismatch'}">${xmlEscape(body)}</failure>`);
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
  const commands = `${r.commands} command${r.commands === 1 ? '' : 's'}`;
  const ex = r.exercise ? `, exercise ${r.exercise.id} ${r.exercise.actual}` : '';
  const notes = (r.notes ?? []).map((n) => `note: ${n}\n`).join('');
  if (r.error) return `ERROR ${r.error.message}\n`;
  const errors = r.mismatches.filter((m) => m.kind === 'error');
  const written: string[] = [];
  if (r.filled && !r.fillRefused) written.push(`${r.filled} block${r.filled === 1 ? '' : 's'} filled`);
  if (r.updated) {
    const n = r.mismatches.length - errors.length;
    written.push(`${n} block${n === 1 ? '' : 's'} rewritten`);
  }
  if (written.length && r.passed) return `${r.updated ? 'UPDATED' : 'FILLED'} ${r.file} (${written.join(', ')}, ${commands}, ${secs}s)\n${notes}`;
  if (r.passed) return `PASS  ${r.file} (${commands}${ex}, ${secs}s)\n${notes}`;
  const shown = r.mismatches.filter((m) => m.kind === 'error' || !r.updated);
  const parts = [`FAIL  ${r.file} (${[failureCount({ ...r, mismatches: shown }), ...written].filter(Boolean).join(', ')}, ${commands}${ex}, ${secs}s)`];
  for (const m of shown) {
    parts.push(mismatchHeadline(r.file, m));
    if (m.kind === 'output') parts.push(m.diff, '');
  }
  const problem = exerciseProblem(r);
  if (problem) parts.push(`${r.file}: ${problem}`);
  return parts.join('\n') + '\n' + notes;
}
