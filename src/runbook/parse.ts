// Reading a runbook: its bytes decoded into lines, then commands (`admin:`, `lab>`), the expected
// output after each, `#!` directives and `#` comments. See the runbook docs in README.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import YAML from 'yaml';
import { normalizeTopology, Topology } from '../../state/cluster/topology.js';

export const DEFAULT_SEED = 1;
export const DEFAULT_CLOCK = '2025-01-06T09:00:00Z';
const MAX_FILE = 16 * 1024 * 1024;
const MAX_LINE = 16 * 1024;
export const PROMPTS = { admin: 'admin:', lab: 'lab>' } as const;

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
  header: { seed?: number | null; clock?: string | null; topology?: Topology; topologyLine?: number; exercise?: { id: string; line: number } };
  /** expected text before the first command (the login banner), if any */
  preamble?: { expected: SourceLine[]; from: number; to: number };
  items: Item[];
}

const HEADER_DIRECTIVES = ['seed', 'clock', 'topology', 'exercise'];
const BODY_DIRECTIVES = ['node', 'answer', 'expect-error'];

function isDirective(l: string): boolean {
  return l.startsWith('#!');
}
function isComment(l: string): boolean {
  return l === '#' || l.startsWith('# ') || l.startsWith('#\t');
}
export function commandOf(l: string): { console: 'admin' | 'lab'; command: string } | undefined {
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
        if (name === 'exercise' || rb.header.exercise) {
          // the exercise gives the lab: its own topology, seed and clock
          if (name !== 'exercise' || rb.header.exercise) throw new RunbookError(file, ln, `'#! exercise' cannot be combined with '#! ${name === 'exercise' ? 'exercise' : name}' (the exercise builds the lab)`);
          if (rb.header.seed !== undefined || rb.header.clock !== undefined || rb.header.topology) throw new RunbookError(file, ln, `'#! exercise' cannot be combined with '#! seed', '#! clock' or '#! topology' (the exercise builds the lab)`);
          if (!/^[A-Za-z0-9][\w./-]*$/.test(arg)) throw new RunbookError(file, ln, `'#! exercise' takes an exercise id such as a-regen-callmanager (got '${arg}')`);
          rb.header.exercise = { id: arg, line: ln };
        } else if (name === 'seed') {
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
