// `--update`: the expected output of mismatched blocks rewritten from the actual output, wildcards kept.
import { chmodSync, realpathSync, statSync } from 'node:fs';
import { writeFileAtomic } from '../../state/store.js';
import type { Op } from './match.js';
import type { Runbook, SourceLine } from './parse.js';

/** Source lines [from, to) of a runbook and the lines that replace them. */
export interface Replacement {
  from: number;
  to: number;
  lines: string[];
}

/** The expected lines --update writes: matched lines and wildcards kept, the rest from the output. */
export function updatedLines(expected: SourceLine[], actual: string[], ops: Op[]): string[] {
  const out: string[] = [];
  for (const o of ops) {
    if (o.op === 'eq') out.push(expected[o.i].text);
    else if (o.op === 'wild') out.push(expected[o.i].text);
    else if (o.op === 'ins') out.push(actual[o.j]);
  }
  return out;
}

/** Writes the runbook back with the replacements applied, keeping its final newline. */
export function rewriteRunbook(rb: Runbook, file: string, replacements: Replacement[]): void {
  const src = [...rb.source];
  for (const r of replacements.sort((a, b) => b.from - a.from)) src.splice(r.from, r.to - r.from, ...r.lines);
  writeAtomically(file, src.join('\n') + (rb.finalNewline || src.length ? '\n' : ''));
}

/**
 * Replaces a runbook in one step (the store's temporary file, flushed, renamed over it), so an
 * interrupted run leaves either the old runbook or the new one; the file then gets its mode back.
 */
export function writeAtomically(target: string, text: string): void {
  // a symlinked runbook stays a link: the file it points at is the one replaced
  const file = realpathSync(target);
  const mode = statSync(file).mode & 0o777;
  writeFileAtomic(file, text);
  chmodSync(file, mode);
}
