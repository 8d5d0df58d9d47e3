// Expected output against actual output: wildcard lines ({{*}}, {{hex}}, {{int}}, {{date}}, {{...}}),
// the alignment with the fewest edits, and the unified diff a mismatch is reported with.
import type { SourceLine } from './parse.js';

const MULTI = '{{...}}';
const WILDCARDS: Record<string, string> = {
  '*': '.*?',
  hex: '[0-9A-Fa-f]+(?:[: ][0-9A-Fa-f]+)*',
  int: '\\d+',
  date: [
    '[A-Z][a-z]{2} [A-Z][a-z]{2} [ \\d]?\\d \\d{2}:\\d{2}:\\d{2}(?: [A-Za-z][\\w+:-]*)? \\d{4}',
    '\\d{2} [A-Z][a-z]{2},\\d{4} \\d{2}:\\d{2}:\\d{2}',
    '\\d{4}-\\d{2}-\\d{2}(?:[T ]\\d{2}:\\d{2}(?::\\d{2}(?:\\.\\d+)?)?(?:Z|[+-]\\d{2}:?\\d{2})?)?',
  ]
    .map((x) => `(?:${x})`)
    .join('|'),
};
const TOKEN = /\{\{(\*|hex|int|date)\}\}/g;

type Matcher = { multi: true } | { multi: false; test: (s: string) => boolean };

export function compileExpected(line: string): Matcher {
  const t = line.trimEnd();
  if (t.trim() === MULTI) return { multi: true };
  if (!t.includes('{{')) return { multi: false, test: (s) => s.trimEnd() === t };
  let re = '';
  let last = 0;
  for (const m of t.matchAll(TOKEN)) {
    re += escapeRe(t.slice(last, m.index)) + `(?:${WILDCARDS[m[1]]})`;
    last = m.index! + m[0].length;
  }
  re += escapeRe(t.slice(last));
  const rx = new RegExp(`^${re}$`);
  return { multi: false, test: (s) => rx.test(s.trimEnd()) };
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export type Op = { op: 'eq'; i: number; j: number } | { op: 'del'; i: number } | { op: 'ins'; j: number } | { op: 'wild'; i: number; js: number[] };

/**
 * Aligns expected lines (with wildcards) and actual lines with the fewest edits.
 * Returns the edit script; it has no del/ins when the output matches.
 */
export function align(expected: string[], actual: string[]): Op[] {
  const n = expected.length;
  const m = actual.length;
  const ms = expected.map(compileExpected);
  if ((n + 1) * (m + 1) > 8_000_000) return alignLinear(ms, n, m, actual);
  const W = m + 1;
  const cost = new Int32Array((n + 1) * W);
  const memo = new Int8Array(n * m); // 0 unknown, 1 match, 2 no match
  const eq = (i: number, j: number) => {
    const k = i * m + j;
    if (!memo[k]) {
      const mt = ms[i];
      memo[k] = !mt.multi && mt.test(actual[j]) ? 1 : 2;
    }
    return memo[k] === 1;
  };
  for (let i = n; i >= 0; i--) {
    for (let j = m; j >= 0; j--) {
      let c: number;
      if (i === n) c = m - j;
      else if (ms[i].multi) c = Math.min(cost[(i + 1) * W + j], j < m ? cost[i * W + j + 1] : 1e9);
      else {
        c = 1 + cost[(i + 1) * W + j];
        if (j < m) {
          c = Math.min(c, 1 + cost[i * W + j + 1]);
          if (eq(i, j)) c = Math.min(c, cost[(i + 1) * W + j + 1]);
        }
      }
      cost[i * W + j] = c;
    }
  }
  const ops: Op[] = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    const here = cost[i * W + j];
    if (i < n && ms[i].multi) {
      // consume lines only while skipping the wildcard would cost more
      const js: number[] = [];
      while (j < m && cost[(i + 1) * W + j] !== cost[i * W + j]) js.push(j++);
      ops.push({ op: 'wild', i, js });
      i++;
      continue;
    }
    if (i < n && j < m && eq(i, j) && cost[(i + 1) * W + j + 1] === here) {
      ops.push({ op: 'eq', i, j });
      i++;
      j++;
    } else if (i < n && 1 + cost[(i + 1) * W + j] === here) {
      ops.push({ op: 'del', i });
      i++;
    } else {
      ops.push({ op: 'ins', j });
      j++;
    }
  }
  return ops;
}

function alignLinear(ms: Matcher[], n: number, m: number, actual: string[]): Op[] {
  const ops: Op[] = [];
  for (let k = 0; k < Math.max(n, m); k++) {
    if (k < n && k < m && !ms[k].multi && (ms[k] as { test: (s: string) => boolean }).test(actual[k])) ops.push({ op: 'eq', i: k, j: k });
    else {
      if (k < n) ops.push({ op: 'del', i: k });
      if (k < m) ops.push({ op: 'ins', j: k });
    }
  }
  return ops;
}

export function matches(ops: Op[]): boolean {
  return ops.every((o) => o.op === 'eq' || o.op === 'wild');
}

/** A unified diff whose `-` side carries the runbook's line numbers. */
export function unifiedDiff(file: string, title: string, expected: SourceLine[], actual: string[], ops: Op[], firstLine: number, context = 3): string {
  // flatten into rows
  type Row = { tag: ' ' | '-' | '+'; text: string; ei: number; aj: number };
  const rows: Row[] = [];
  let ei = 0;
  let aj = 0;
  for (const o of ops) {
    if (o.op === 'eq') rows.push({ tag: ' ', text: actual[o.j], ei: ei++, aj: aj++ });
    else if (o.op === 'wild') {
      rows.push({ tag: ' ', text: expected[o.i].text, ei: ei++, aj });
      aj += o.js.length;
    } else if (o.op === 'del') rows.push({ tag: '-', text: expected[o.i].text, ei: ei++, aj });
    else rows.push({ tag: '+', text: actual[o.j], ei, aj: aj++ });
  }
  const lineOf = (e: number) => (e < expected.length ? expected[e].line : expected.length ? expected[expected.length - 1].line + 1 : firstLine);
  const changed = rows.map((r, k) => (r.tag !== ' ' ? k : -1)).filter((k) => k >= 0);
  const out: string[] = [`--- ${file} (runbook)`, `+++ ${title} (actual output)`];
  let k = 0;
  while (k < changed.length) {
    let s = Math.max(0, changed[k] - context);
    let e = Math.min(rows.length, changed[k] + context + 1);
    while (k + 1 < changed.length && changed[k + 1] - context <= e) {
      k++;
      e = Math.min(rows.length, changed[k] + context + 1);
    }
    k++;
    const hunk = rows.slice(s, e);
    const eCount = hunk.filter((r) => r.tag !== '+').length;
    const aCount = hunk.filter((r) => r.tag !== '-').length;
    const eStart = lineOf(hunk[0].ei);
    const aStart = firstLine + hunk[0].aj;
    out.push(`@@ -${eCount ? eStart : eStart - 1},${eCount} +${aCount ? aStart : aStart - 1},${aCount} @@`);
    for (const r of hunk) out.push(r.tag + r.text);
    s = e;
  }
  return out.join('\n');
}

/** The runbook line of the first difference (where an insertion would go, for pure insertions). */
export function firstDiffLine(expected: SourceLine[], ops: Op[], fallback: number): number {
  let ei = 0;
  for (const o of ops) {
    if (o.op === 'del') return expected[o.i].line;
    if (o.op === 'ins') return ei < expected.length ? expected[ei].line : expected.length ? expected[expected.length - 1].line + 1 : fallback;
    if (o.op === 'eq' || o.op === 'wild') ei++;
  }
  return fallback;
}
