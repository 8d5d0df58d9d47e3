// Runbooks: transcripts that run as tests. `admin:` lines are commands, `lab>` lines are lab console
// commands, the lines after them are the output the terminal must show; answers to questions are
// taken from those lines. `#!` lines are directives, `#` lines comments. See docs in README.
import type { Console } from '../console/drive.js';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, extname, join, resolve } from 'node:path';
import YAML from 'yaml';
import { Lab, NodeState } from '../../state/cluster/lab.js';
import { loadTopology, normalizeTopology, Topology } from '../../state/cluster/topology.js';
import { AskOptions, Cancelled } from '../console/registry.js';
import { labDir } from '../../state/labs.js';
import { CliSession, OutputKind, SessionIO } from '../console/core.js';
import { Recorder, Redactor, RecordOptions, RedactOptions, parseRedactSpec, redactContextOf } from '../recording/transcript.js';
import { localTransfer } from '../net/transfer.js';

export const DEFAULT_SEED = 1;
export const DEFAULT_CLOCK = '2025-01-06T09:00:00Z';
const MAX_FILE = 16 * 1024 * 1024;
const MAX_LINE = 16 * 1024;
const PROMPTS = { admin: 'admin:', lab: 'lab>' } as const;

/** A problem with the runbook itself (not a mismatch): always names the file and line. */
export class RunbookError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly detail: string,
  ) {
    super(`${file}:${line}: ${detail}`);
  }
}

// ------------------------------------------------------------------------------------ parsing

export interface SourceLine {
  text: string;
  /** 1-based line number in the runbook */
  line: number;
}

export interface CommandBlock {
  kind: 'command';
  console: 'admin' | 'lab';
  command: string;
  line: number;
  expected: SourceLine[];
  /** the runbook's source lines [from, to) (0-based) that hold the expected output */
  from: number;
  to: number;
}

export interface Directive {
  kind: 'directive';
  name: string;
  arg: string;
  line: number;
}

export type Item = CommandBlock | Directive;

export interface Runbook {
  file: string;
  source: string[];
  /** whether the file ended with a newline (kept by --update) */
  finalNewline: boolean;
  header: { seed?: number | null; clock?: string | null; topology?: Topology; topologyLine?: number };
  /** expected text before the first command (the login banner), if any */
  preamble?: { expected: SourceLine[]; from: number; to: number };
  items: Item[];
}

const HEADER_DIRECTIVES = ['seed', 'clock', 'topology'];
const BODY_DIRECTIVES = ['node', 'answer'];

function isDirective(l: string): boolean {
  return l.startsWith('#!');
}
function isComment(l: string): boolean {
  return l === '#' || l.startsWith('# ') || l.startsWith('#\t');
}
function commandOf(l: string): { console: 'admin' | 'lab'; command: string } | undefined {
  if (l.startsWith(PROMPTS.admin)) return { console: 'admin', command: l.slice(PROMPTS.admin.length) };
  if (l.startsWith(PROMPTS.lab)) return { console: 'lab', command: l.slice(PROMPTS.lab.length) };
  return undefined;
}

/** Splits a runbook's bytes into lines, refusing binary data, bad UTF-8 and huge lines. */
export function decodeRunbook(data: Buffer, file: string): { lines: string[]; finalNewline: boolean } {
  if (data.length > MAX_FILE) throw new RunbookError(file, 1, `file too large (${data.length} bytes; a runbook is at most ${MAX_FILE} bytes)`);
  const lines: string[] = [];
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let start = 0;
  let n = 0;
  while (start <= data.length) {
    let end = data.indexOf(0x0a, start);
    if (end < 0) end = data.length;
    n++;
    const raw = data.subarray(start, end);
    if (raw.length > MAX_LINE) throw new RunbookError(file, n, `line too long (${raw.length} bytes; at most ${MAX_LINE})`);
    let text: string;
    try {
      text = decoder.decode(raw);
    } catch {
      throw new RunbookError(file, n, 'not valid UTF-8 text (binary data?)');
    }
    if (text.endsWith('\r')) text = text.slice(0, -1);
    if (n === 1 && text.startsWith('\uFEFF')) text = text.slice(1);
    const bad = text.search(/[\x00-\x08\x0b-\x1f\x7f]/);
    if (bad >= 0) {
      const code = text.charCodeAt(bad).toString(16).padStart(2, '0');
      throw new RunbookError(file, n, `control character 0x${code} at column ${bad + 1} (binary data? transcripts are plain text)`);
    }
    lines.push(text);
    if (end === data.length) break;
    start = end + 1;
  }
  const finalNewline = data.length > 0 && data[data.length - 1] === 0x0a;
  if (finalNewline) lines.pop();
  return { lines, finalNewline };
}

/** Parses a runbook; throws RunbookError naming the file and line of the first problem. */
export function parseRunbook(data: Buffer | string, file: string): Runbook {
  const { lines, finalNewline } = decodeRunbook(typeof data === 'string' ? Buffer.from(data, 'utf8') : data, file);
  const rb: Runbook = { file, source: lines, finalNewline, header: {}, items: [] };
  let topo: Record<string, unknown> | undefined;
  let current: CommandBlock | undefined;
  let preStart = -1;
  let preEnd = -1;
  let seenCommand = false;
  const close = (i: number) => {
    if (current) current.to = i;
    current = undefined;
  };
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i];
    const ln = i + 1;
    if (i === 0 && l.startsWith('#!/')) continue; // shebang
    if (isDirective(l)) {
      close(i);
      const m = /^#!\s*([A-Za-z][\w-]*)\s*(.*)$/.exec(l);
      if (!m) throw new RunbookError(file, ln, `malformed directive '${l}' (expected '#! name argument')`);
      const name = m[1].toLowerCase();
      const arg = m[2].trim();
      if (HEADER_DIRECTIVES.includes(name)) {
        if (seenCommand) throw new RunbookError(file, ln, `'#! ${name}' must come before the first command`);
        if (name === 'seed') {
          if (arg === 'none') rb.header.seed = null;
          else if (/^\d+$/.test(arg)) rb.header.seed = Number(arg);
          else throw new RunbookError(file, ln, `'#! seed' takes a whole number or 'none' (got '${arg}')`);
        } else if (name === 'clock') {
          if (arg === 'now') rb.header.clock = null;
          else if (!Number.isNaN(Date.parse(arg))) rb.header.clock = arg;
          else throw new RunbookError(file, ln, `'#! clock' takes an ISO time such as ${DEFAULT_CLOCK}, or 'now' (got '${arg}')`);
        } else {
          if (!arg) throw new RunbookError(file, ln, `'#! topology' takes a file name or YAML such as 'ctl: etoken'`);
          let part: unknown;
          if (arg.startsWith('{') || /^[A-Za-z]\w*\s*:/.test(arg)) {
            try {
              part = YAML.parse(arg);
            } catch (e) {
              throw new RunbookError(file, ln, `'#! topology': ${(e as Error).message.split('\n')[0]}`);
            }
            if (part === null || typeof part !== 'object' || Array.isArray(part)) throw new RunbookError(file, ln, `'#! topology' YAML must be a mapping`);
          } else {
            const p = resolve(dirname(file), arg);
            if (!existsSync(p)) throw new RunbookError(file, ln, `'#! topology': no such file '${arg}'`);
            try {
              part = YAML.parse(readFileSync(p, 'utf8'));
            } catch (e) {
              throw new RunbookError(file, ln, `'#! topology' ${arg}: ${(e as Error).message.split('\n')[0]}`);
            }
          }
          topo = { ...(topo ?? {}), ...(part as Record<string, unknown>) };
          try {
            rb.header.topology = normalizeTopology(topo, `'#! topology'`);
          } catch (e) {
            throw new RunbookError(file, ln, (e as Error).message);
          }
          rb.header.topologyLine = ln;
        }
      } else if (BODY_DIRECTIVES.includes(name)) {
        if (name === 'node' && !/^[A-Za-z][A-Za-z0-9-]*$/.test(arg)) throw new RunbookError(file, ln, `'#! node' takes a node name (got '${arg}')`);
        rb.items.push({ kind: 'directive', name, arg: m[2].replace(/^\s/, ''), line: ln });
      } else {
        throw new RunbookError(file, ln, `unknown directive '#! ${m[1]}' (known: ${[...HEADER_DIRECTIVES, ...BODY_DIRECTIVES].join(', ')})`);
      }
      continue;
    }
    if (isComment(l)) {
      close(i);
      continue;
    }
    const cmd = commandOf(l);
    if (cmd) {
      close(i);
      if (!seenCommand && preStart >= 0) preEnd = i;
      seenCommand = true;
      current = { kind: 'command', console: cmd.console, command: cmd.command, line: ln, expected: [], from: i + 1, to: i + 1 };
      rb.items.push(current);
      continue;
    }
    if (current) {
      current.expected.push({ text: l, line: ln });
      continue;
    }
    if (!seenCommand) {
      // before the first command: the login banner, if the transcript starts with one
      if (preStart < 0 && l.trim() === '') continue;
      if (preStart < 0) preStart = i;
      continue;
    }
    if (l.trim() === '') continue;
    throw new RunbookError(file, ln, `output text after a directive or comment, outside any command (expected 'admin:' or 'lab>' first)`);
  }
  close(lines.length);
  if (preStart >= 0) {
    const end = preEnd >= 0 ? preEnd : lines.length;
    // comments and directives inside the banner area are not part of it
    const expected: SourceLine[] = [];
    for (let i = preStart; i < end; i++) if (!isComment(lines[i]) && !isDirective(lines[i])) expected.push({ text: lines[i], line: i + 1 });
    if (expected.some((e) => e.text.trim())) rb.preamble = { expected, from: preStart, to: end };
  }
  if (!rb.items.some((x) => x.kind === 'command')) throw new RunbookError(file, Math.max(1, lines.length), `no 'admin:' or 'lab>' command lines: this is not a runbook`);
  return rb;
}

// ----------------------------------------------------------------------------------- matching

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
function firstDiffLine(expected: SourceLine[], ops: Op[], fallback: number): number {
  let ei = 0;
  for (const o of ops) {
    if (o.op === 'del') return expected[o.i].line;
    if (o.op === 'ins') return ei < expected.length ? expected[ei].line : expected.length ? expected[expected.length - 1].line + 1 : fallback;
    if (o.op === 'eq' || o.op === 'wild') ei++;
  }
  return fallback;
}

/** The expected lines --update writes: matched lines and wildcards kept, the rest from the output. */
function updatedLines(expected: SourceLine[], actual: string[], ops: Op[]): string[] {
  const out: string[] = [];
  for (const o of ops) {
    if (o.op === 'eq') out.push(expected[o.i].text);
    else if (o.op === 'wild') out.push(expected[o.i].text);
    else if (o.op === 'ins') out.push(actual[o.j]);
  }
  return out;
}

// ------------------------------------------------------------------------------------ running

/** The shape shared by the admin CLI session and the lab console. */
export type ConsoleLike = Console;

export interface Mismatch {
  line: number;
  command: string;
  diff: string;
}

export interface RunbookResult {
  file: string;
  passed: boolean;
  commands: number;
  mismatches: Mismatch[];
  /** a problem with the runbook (malformed, unterminated dialog, unknown node ...) */
  error?: RunbookError;
  /** set when --update rewrote the file */
  updated?: boolean;
  ms: number;
}

export interface RunOptions {
  /** run against this lab instead of a fresh one (it is not closed) */
  lab?: Lab;
  /** open or create this named lab in dataDir instead of a fresh temporary one */
  labName?: string;
  dataDir?: string;
  seed?: number;
  clock?: string;
  /** topology file used when the runbook has no topology directive */
  topologyFile?: string;
  update?: boolean;
  record?: RecordOptions & { redactOptions?: RedactOptions };
  /** runbook text, instead of reading `file` */
  text?: string | Buffer;
  /** node the runbook starts on (a transcript recorded on a subscriber); default the publisher */
  node?: string;
}

/** Makes a lab console on a lab (the module is loaded only when a runbook uses `lab>`). */
export async function loadLabConsole(): Promise<(lab: Lab) => Console> {
  const { LabConsole } = await import('../console/lab-console.js');
  return (lab) => new LabConsole({ lab });
}

/** Answers a command's questions from the expected text that follows it. */
class DialogAnswers {
  captured = '';
  cursor = 0;
  unanswered?: string;
  skipEcho = true;
  constructor(
    private expected: SourceLine[],
    private queue: string[],
    private lab: Lab,
  ) {}

  listener = (text: string, kind: OutputKind) => {
    if (kind === 'pager') return;
    if (kind === 'echo' && this.skipEcho) {
      this.skipEcho = false;
      return;
    }
    this.captured += text;
  };

  private findLine(q: string): number {
    const k = this.captured.split('\n').length - 1;
    const qt = q.trimEnd();
    const fits = (i: number) => this.expected[i].text.startsWith(q) || this.expected[i].text.trimEnd() === qt || (qt && this.expected[i].text.startsWith(qt));
    if (k >= this.cursor && k < this.expected.length && fits(k)) return k;
    for (let i = this.cursor; i < this.expected.length; i++) if (fits(i)) return i;
    return -1;
  }

  answer = async (opts: AskOptions): Promise<string> => {
    const nl = this.captured.lastIndexOf('\n');
    const q = this.captured.slice(nl + 1);
    const idx = this.findLine(q);
    const rest = idx >= 0 ? answerText(this.expected[idx].text, q) : '';
    if (idx >= 0) this.cursor = idx + 1;
    if (opts.hidden) {
      return this.queue.length ? this.queue.shift()! : defaultSecret(q, this.lab);
    }
    if (opts.password) {
      if (this.queue.length) return this.queue.shift()!;
      if (idx < 0) {
        this.unanswered = q;
        throw new Cancelled();
      }
      const stars = rest.trimEnd();
      const def = defaultSecret(q, this.lab);
      return stars.length === def.length ? def : 'x'.repeat(stars.length);
    }
    if (idx < 0) {
      this.unanswered = q;
      throw new Cancelled();
    }
    return rest;
  };
}

function answerText(line: string, q: string): string {
  if (line.startsWith(q)) return line.slice(q.length);
  const qt = q.trimEnd();
  if (line.trimEnd() === qt) return '';
  return line.slice(qt.length).replace(/^\s/, '');
}

/** Hidden prompts: the CCM Administrator password is the application user's, others the admin's. */
function defaultSecret(q: string, lab: Lab): string {
  const a = lab.state.accounts;
  if (/CCM Administrator/i.test(q)) return a.application.password;
  return a.admin.password;
}

function outputLines(text: string): string[] {
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

function resolveLabSettings(rb: Runbook, opts: RunOptions): { seed?: number; clock?: string; topology?: Topology } {
  const seed = rb.header.seed === null ? undefined : (rb.header.seed ?? opts.seed ?? DEFAULT_SEED);
  const clock = rb.header.clock === null ? undefined : (rb.header.clock ?? opts.clock ?? (seed !== undefined ? DEFAULT_CLOCK : undefined));
  let topology = rb.header.topology;
  if (!topology && opts.topologyFile) topology = loadTopology(opts.topologyFile);
  return { seed, clock, topology };
}

/** Runs one runbook against a fresh lab (or the given one); never throws for runbook problems. */
export async function runRunbook(file: string, opts: RunOptions = {}): Promise<RunbookResult> {
  const t0 = Date.now();
  const result: RunbookResult = { file, passed: false, commands: 0, mismatches: [], ms: 0 };
  let rb: Runbook;
  try {
    const data = opts.text !== undefined ? (typeof opts.text === 'string' ? Buffer.from(opts.text) : opts.text) : readFileSync(file);
    rb = parseRunbook(data, file);
  } catch (e) {
    result.error = e instanceof RunbookError ? e : new RunbookError(file, 1, (e as Error).message);
    result.ms = Date.now() - t0;
    return result;
  }
  let lab: Lab | undefined = opts.lab;
  let tempDir: string | undefined;
  let recorder: Recorder | undefined;
  const replacements: Array<{ from: number; to: number; lines: string[] }> = [];
  try {
    const settings = resolveLabSettings(rb, opts);
    if (!lab) {
      if (opts.labName) {
        const dir = labDir({ dataDir: opts.dataDir, lab: opts.labName });
        if (Lab.exists(dir)) lab = Lab.open(dir, 'cucm-sim run');
        else {
          const topology = settings.topology ? { ...settings.topology, name: opts.labName } : undefined;
          lab = await Lab.create({ dir, seed: settings.seed, clock: settings.clock, topology });
        }
      } else {
        tempDir = mkdtempSync(join(tmpdir(), 'cucm-sim-run-'));
        lab = await Lab.create({ dir: tempDir, seed: settings.seed, clock: settings.clock, topology: settings.topology });
      }
    }
    if (opts.record) {
      const { redactOptions, ...r } = opts.record;
      const redact = redactOptions ? new Redactor(redactOptions, redactContextOf(lab)) : r.redact;
      recorder = new Recorder({ deterministic: settings.seed !== undefined && settings.clock !== undefined, ...r, redact });
    }
    await execute(rb, lab, result, replacements, recorder, opts.node);
  } catch (e) {
    if (e instanceof RunbookError) result.error = e;
    else result.error = new RunbookError(file, rb.header.topologyLine ?? 1, (e as Error).message);
  } finally {
    recorder?.close();
    if (lab && !opts.lab) lab.close();
    if (tempDir) rmSync(tempDir, { recursive: true, force: true });
  }
  if (opts.update && !result.error && result.mismatches.length && opts.text === undefined) {
    const src = [...rb.source];
    for (const r of replacements.sort((a, b) => b.from - a.from)) src.splice(r.from, r.to - r.from, ...r.lines);
    writeFileSync(file, src.join('\n') + (rb.finalNewline || src.length ? '\n' : ''));
    result.updated = true;
  }
  result.passed = !result.error && (result.mismatches.length === 0 || !!result.updated);
  result.ms = Date.now() - t0;
  return result;
}

async function execute(
  rb: Runbook,
  lab: Lab,
  result: RunbookResult,
  replacements: Array<{ from: number; to: number; lines: string[] }>,
  recorder?: Recorder,
  startNode?: string,
): Promise<void> {
  const file = rb.file;
  const sessions = new Map<string, CliSession>();
  let labConsole: ConsoleLike | undefined;
  let node: NodeState = lab.publisher();
  if (startNode) {
    const n = lab.node(startNode);
    if (!n) throw new RunbookError(file, 1, `--node ${startNode}: no such node in this lab (nodes: ${lab.nodes.map((x) => x.name).join(', ')})`);
    node = n;
  }
  let pendingAnswers: { values: string[]; line: number } | undefined;

  const sessionFor = (n: NodeState): CliSession => {
    let s = sessions.get(n.name);
    if (!s) {
      s = new CliSession({ lab, node: n, width: 80, transfer: localTransfer() });
      sessions.set(n.name, s);
      if (recorder) recorder.attach(s);
    }
    return s;
  };

  const compare = (title: string, expected: SourceLine[], actual: string[], at: number, from: number, to: number) => {
    const ops = align(
      expected.map((e) => e.text),
      actual,
    );
    if (matches(ops)) return;
    result.mismatches.push({
      line: firstDiffLine(expected, ops, at + 1),
      command: title,
      diff: unifiedDiff(file, title, expected, actual, ops, at + 1),
    });
    replacements.push({ from, to, lines: updatedLines(expected, actual, ops) });
  };

  const consoleFor = async (item: CommandBlock): Promise<ConsoleLike> => {
    if (item.console === 'admin') return sessionFor(node);
    if (!labConsole) {
      const make = await loadLabConsole();
      if (!make) throw new RunbookError(file, item.line, `lab console not available in this build (needed for 'lab>${item.command}')`);
      labConsole = make(lab);
      if (recorder) recorder.attach(labConsole);
    }
    return labConsole;
  };

  // the login banner (of the console the first command is typed on), when the transcript starts with it
  if (rb.preamble) {
    const first = rb.items.find((x): x is CommandBlock => x.kind === 'command')!;
    const s = await consoleFor(first);
    let text = '';
    const off = s.on((t, k) => {
      if (k !== 'pager') text += t;
    });
    await s.banner?.();
    off();
    const pre = rb.preamble;
    const firstLine = pre.expected[0].line;
    compare('login banner', pre.expected, outputLines(text), firstLine - 1, pre.from, pre.to);
  }

  const items = rb.items;
  for (let idx = 0; idx < items.length; idx++) {
    const item = items[idx];
    if (item.kind === 'directive') {
      if (item.name === 'node') {
        const n = lab.node(item.arg);
        if (!n) throw new RunbookError(file, item.line, `no node '${item.arg}' in this lab (nodes: ${lab.nodes.map((x) => x.name).join(', ')})`);
        node = n;
        recorder?.directive(`#! node ${n.name}`);
      } else if (item.name === 'answer') {
        if (!pendingAnswers) pendingAnswers = { values: [], line: item.line };
        pendingAnswers.values.push(item.arg);
      }
      continue;
    }
    const target = await consoleFor(item);

    const queue = pendingAnswers?.values ?? [];
    const answerLine = pendingAnswers?.line;
    pendingAnswers = undefined;
    const dialog = new DialogAnswers(item.expected, queue, lab);
    target.showPrompt();
    const off = target.on(dialog.listener);
    let r: { status: number; ended: boolean };
    try {
      r = await target.run(item.command, { answer: dialog.answer });
    } catch (e) {
      throw new RunbookError(file, item.line, `'${item.console === 'admin' ? PROMPTS.admin : PROMPTS.lab}${item.command}' failed: ${(e as Error).message}`);
    } finally {
      off();
    }
    result.commands++;
    const prompt = item.console === 'admin' ? PROMPTS.admin : PROMPTS.lab;
    if (dialog.unanswered !== undefined) {
      throw new RunbookError(
        file,
        item.line,
        `unterminated dialog: '${prompt}${item.command}' asked "${dialog.unanswered.trimEnd()}" and the transcript has no answer for it (expected a line starting with that question)`,
      );
    }
    if (queue.length) throw new RunbookError(file, answerLine!, `'#! answer' left unused by '${prompt}${item.command}' (answers apply to the hidden or masked prompts of the next command)`);
    if (r.ended) {
      if (item.console === 'admin') sessions.delete(node.name);
      else labConsole = undefined;
    }
    // output lines that look like commands (help examples) belong to this command's output
    const actual = outputLines(dialog.captured);
    let expected = item.expected;
    let to = item.to;
    for (const l of actual.filter((x) => commandOf(x))) {
      const next = items[idx + 1];
      if (!next || next.kind !== 'command') break;
      const cmdText = (next.console === 'admin' ? PROMPTS.admin : PROMPTS.lab) + next.command;
      if (cmdText.trimEnd() !== l.trimEnd()) break;
      idx++;
      expected = [...expected, { text: cmdText, line: next.line }, ...next.expected];
      to = next.to;
    }
    compare(prompt + item.command, expected, actual, item.line, item.from, to);
  }
}

// ------------------------------------------------------------------------------------- report

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

/** The text the runner prints for one runbook: a progress line, then any diffs or error. */
export function describeResult(r: RunbookResult): string {
  const secs = (r.ms / 1000).toFixed(1);
  if (r.error) return `ERROR ${r.error.message}\n`;
  if (r.updated) return `UPDATED ${r.file} (${r.mismatches.length} block${r.mismatches.length === 1 ? '' : 's'} rewritten, ${r.commands} commands, ${secs}s)\n`;
  if (r.passed) return `PASS  ${r.file} (${r.commands} commands, ${secs}s)\n`;
  const parts = [`FAIL  ${r.file} (${r.mismatches.length} mismatch${r.mismatches.length === 1 ? '' : 'es'}, ${r.commands} commands, ${secs}s)`];
  for (const m of r.mismatches) parts.push(`${r.file}:${m.line}: output of '${m.command}' differs`, m.diff, '');
  return parts.join('\n') + '\n';
}

// ----------------------------------------------------------------------------------------- CLI

export interface RunbookFlags {
  dataDir?: string;
  lab?: string;
  seed?: number;
  clock?: string;
  topology?: string;
  record?: string;
  redact?: string;
  update?: boolean;
  junit?: string;
  [k: string]: unknown;
}

/** Where the recording of one of several runbooks goes: FILE with the runbook's name inserted. */
export function recordPathFor(record: string, runbook: string, count: number): string {
  if (count <= 1) return record;
  const ext = extname(record);
  const stem = basename(runbook, extname(runbook));
  return record.slice(0, record.length - ext.length) + '-' + stem + ext;
}

/** `cucm-sim run FILE...`: returns the exit status (0 all passed, 1 any failure, 2 usage). */
export async function runbooksMain(
  flags: RunbookFlags,
  files: string[],
  out: { write(s: string): unknown } = process.stdout,
  err: { write(s: string): unknown } = process.stderr,
): Promise<number> {
  if (files.length === 0) {
    err.write('cucm-sim run: no runbook given (usage: cucm-sim run FILE... [--update] [--junit FILE] [--record FILE] [--lab NAME])\n');
    return 2;
  }
  const results: RunbookResult[] = [];
  for (const file of files) {
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
    const r = await runRunbook(file, {
      labName: flags.lab,
      node: flags.node as string | undefined,
      dataDir: flags.dataDir,
      seed: flags.seed,
      clock: flags.clock,
      topologyFile: flags.topology,
      update: flags.update,
      record,
    });
    results.push(r);
    out.write(describeResult(r));
  }
  const passed = results.filter((r) => r.passed).length;
  const failed = results.length - passed;
  out.write(`${results.length} runbook${results.length === 1 ? '' : 's'}: ${passed} passed, ${failed} failed\n`);
  if (flags.junit) writeFileSync(flags.junit, junitXml(results));
  return failed ? 1 : 0;
}

