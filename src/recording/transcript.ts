// Session recordings: plain text (what the terminal showed, ANSI stripped) or asciicast v2 (.cast).
// A recorder listens to session events (the session core's output), never to rendered frames.
// Redaction rewrites the text before it is written, with placeholders that keep their length so the
// columns of `show` tables stay aligned.
import { closeSync, existsSync, openSync, readFileSync, writeSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import YAML from 'yaml';
import type { OutputKind } from '../console/core.js';

/** Anything that emits session events: CliSession, the lab console, an SSH channel's session. */
export interface EventSource {
  on(fn: (text: string, kind: OutputKind) => void): () => void;
}

/** What a redactor may need to know about the lab being recorded (names, domain, secrets). */
export interface RedactContext {
  hostnames?: string[];
  domain?: string;
  passwords?: string[];
}

export interface RedactOptions {
  /** the lab's node names (in host names, FQDNs, subjects, ITLRECOVERY_<host>) */
  hostnames?: boolean;
  /** IPv4 addresses */
  addresses?: boolean;
  /** the lab's DNS domain */
  domain?: boolean;
  /** the lab's account passwords, and the length of masked password echoes */
  passwords?: boolean;
  /** literal text -> replacement */
  strings?: Record<string, string>;
  /** regular expressions; every distinct match gets its own numbered placeholder */
  patterns?: Array<{ regex: string; placeholder?: string }>;
  /** keep placeholders as long as the text they replace (default true) */
  align?: boolean;
}

export class RedactError extends Error {}

const BUILTIN = ['hostnames', 'addresses', 'domain', 'passwords'] as const;

/**
 * `--redact` takes a JSON/YAML map file, or a comma-separated list of built-in rules
 * (`hostnames,addresses,domain,passwords`, or `all`).
 */
export function parseRedactSpec(spec: string): RedactOptions {
  if (!existsSync(spec) && /^[a-z,]+$/.test(spec)) {
    const opts: RedactOptions = {};
    for (const word of spec.split(',').filter(Boolean)) {
      if (word === 'all') for (const b of BUILTIN) opts[b] = true;
      else if ((BUILTIN as readonly string[]).includes(word)) opts[word as (typeof BUILTIN)[number]] = true;
      else throw new RedactError(`--redact: unknown rule '${word}' (rules: ${BUILTIN.join(', ')}, all; or a JSON/YAML map file)`);
    }
    return opts;
  }
  let raw: unknown;
  try {
    raw = YAML.parse(readFileSync(spec, 'utf8'));
  } catch (e) {
    throw new RedactError(`--redact ${spec}: ${(e as Error).message.split('\n')[0]}`);
  }
  return redactOptionsFrom(raw, spec);
}

/**
 * A redaction map: the keys hostnames/addresses/domain/passwords (true to enable), strings (a map),
 * patterns (a list of {regex, placeholder}), align; any other key is a literal string to replace.
 */
export function redactOptionsFrom(raw: unknown, where = 'redaction map'): RedactOptions {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new RedactError(`${where}: expected a mapping`);
  const r = raw as Record<string, unknown>;
  const opts: RedactOptions = { strings: {} };
  for (const [k, v] of Object.entries(r)) {
    if ((BUILTIN as readonly string[]).includes(k) || k === 'align') {
      if (typeof v !== 'boolean') throw new RedactError(`${where}: '${k}' must be true or false`);
      (opts as Record<string, unknown>)[k] = v;
    } else if (k === 'strings') {
      if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new RedactError(`${where}: 'strings' must be a mapping of text to replacement`);
      for (const [a, b] of Object.entries(v as Record<string, unknown>)) opts.strings![a] = String(b);
    } else if (k === 'patterns') {
      if (!Array.isArray(v)) throw new RedactError(`${where}: 'patterns' must be a list of {regex, placeholder}`);
      opts.patterns = v.map((p, i) => {
        const o = (typeof p === 'string' ? { regex: p } : p) as Record<string, unknown>;
        if (!o || typeof o.regex !== 'string') throw new RedactError(`${where}: patterns[${i}] needs a 'regex'`);
        try {
          new RegExp(o.regex);
        } catch (e) {
          throw new RedactError(`${where}: patterns[${i}]: ${(e as Error).message}`);
        }
        return { regex: o.regex, placeholder: o.placeholder === undefined ? undefined : String(o.placeholder) };
      });
    } else {
      opts.strings![k] = String(v);
    }
  }
  for (const k of Object.keys(opts.strings!)) if (!k) throw new RedactError(`${where}: empty string to replace`);
  return opts;
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Fits a placeholder to `len` characters: the first candidate that fits, padded with '_'. */
function fit(candidates: string[], len: number, align: boolean): string {
  if (!align) return candidates[0];
  for (const c of candidates) if (c.length <= len) return c + '_'.repeat(len - c.length);
  return candidates[candidates.length - 1];
}

/** A documentation address (10.x.y.z) numbered n, as long as the original when possible. */
function addressPlaceholder(n: number, len: number, align: boolean): string {
  const d = ((n - 1) % 254) + 1;
  const hi = Math.floor((n - 1) / 254);
  const cs = hi === 0 ? [0, 10, 100] : [hi];
  const all: string[] = [];
  for (const a of [10, 100]) for (const b of [0, 10, 100]) for (const c of cs) all.push(`${a}.${b}.${c}.${d}`);
  if (!align) return all[0];
  return all.find((x) => x.length === len) ?? all[0];
}

const IPV4 = /(?<![\d.])(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?![\d.]*\d)/g;

/** Rewrites text consistently: the same original always gets the same placeholder. */
export class Redactor {
  private maps = new Map<string, Map<string, string>>();
  private readonly align: boolean;
  private rules: Array<(s: string) => string> = [];

  constructor(
    readonly opts: RedactOptions,
    ctx: RedactContext = {},
  ) {
    this.align = opts.align ?? true;
    const strings = Object.entries(opts.strings ?? {}).sort((a, b) => b[0].length - a[0].length);
    if (strings.length) {
      const re = new RegExp(strings.map(([k]) => escapeRe(k)).join('|'), 'g');
      const table = new Map(strings);
      this.rules.push((s) => s.replace(re, (m) => this.fixed(m, table.get(m)!)));
    }
    for (const [i, p] of (opts.patterns ?? []).entries()) {
      const re = new RegExp(p.regex, 'g');
      const base = p.placeholder ?? 'redacted';
      this.rules.push((s) => s.replace(re, (m) => (m ? this.numbered(`pattern${i}`, m, (n) => [`${base}-${n}`, `${base}${n}`, `r${n}`, `${n}`]) : m)));
    }
    if (opts.domain && ctx.domain) {
      const re = new RegExp(`(?<![A-Za-z0-9-])${escapeRe(ctx.domain)}(?![A-Za-z0-9-])`, 'g');
      this.rules.push((s) => s.replace(re, (m) => this.numbered('domain', m, (n) => [`domain-${n}`, `domain${n}`, `dom${n}`, `d${n}`])));
    }
    if (opts.hostnames && ctx.hostnames?.length) {
      const names = [...ctx.hostnames].sort((a, b) => b.length - a.length);
      const re = new RegExp(`(?<![A-Za-z0-9-])(?:${names.map(escapeRe).join('|')})(?![A-Za-z0-9-])`, 'gi');
      this.rules.push((s) => s.replace(re, (m) => this.numbered('host', m.toLowerCase(), (n) => [`host-${n}`, `host${n}`, `h${n}`, `${n}`], m.length)));
    }
    if (opts.addresses) {
      this.rules.push((s) => s.replace(IPV4, (m) => this.lookup('address', m, (n) => addressPlaceholder(n, m.length, this.align))));
    }
    if (opts.passwords) {
      const pws = [...new Set((ctx.passwords ?? []).filter((p) => p.length >= 3))].sort((a, b) => b.length - a.length);
      if (pws.length) {
        const re = new RegExp(pws.map(escapeRe).join('|'), 'g');
        this.rules.push((s) => s.replace(re, (m) => (this.align ? '*'.repeat(m.length) : '********')));
      }
      // a masked echo shows how long the password is: always show eight stars
      this.rules.push((s) => s.replace(/(password\s*:\s*)\*+/gi, '$1********'));
    }
  }

  get active(): boolean {
    return this.rules.length > 0;
  }

  apply(text: string): string {
    for (const r of this.rules) text = r(text);
    return text;
  }

  private lookup(kind: string, original: string, make: (n: number) => string): string {
    let m = this.maps.get(kind);
    if (!m) this.maps.set(kind, (m = new Map()));
    let p = m.get(original);
    if (p === undefined) {
      p = make(m.size + 1);
      m.set(original, p);
    }
    return p;
  }

  private numbered(kind: string, key: string, candidates: (n: number) => string[], len = key.length): string {
    return this.lookup(kind, key, (n) => fit(candidates(n), len, this.align));
  }

  private fixed(original: string, replacement: string): string {
    if (!this.align || replacement.length === original.length) return replacement;
    return replacement.length < original.length ? replacement + '_'.repeat(original.length - replacement.length) : replacement.slice(0, original.length);
  }
}

// ---------------------------------------------------------------------------------------- ANSI

// CSI, OSC (BEL or ST terminated) and two-byte escape sequences
const ANSI = /\x1b\[[0-9;?<>=!]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]/g;

export function stripAnsi(text: string): string {
  return text.replace(ANSI, '');
}

const LINE_TOKEN = /\x1b\[([0-9;?<>=!]*)[ -/]*([@-~])|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]|\r|\x08|\x07|[^\x1b\r\x08\x07]+/g;

/**
 * What one line of terminal output leaves on the screen: carriage returns, backspaces, cursor moves
 * and erase-in-line are applied (a line editor's redraws, a pager prompt wiped with CR + erase),
 * other escape sequences dropped.
 */
export function renderLine(raw: string): string {
  if (!/[\x1b\r\x08\x07]/.test(raw)) return raw;
  let cells: string[] = [];
  let col = 0;
  for (const m of raw.matchAll(LINE_TOKEN)) {
    const tok = m[0];
    if (m[2] !== undefined) {
      const n = Number(m[1]) || 0;
      switch (m[2]) {
        case 'K':
          if (n === 0) cells.length = Math.min(cells.length, col);
          else if (n === 1) for (let i = 0; i <= col && i < cells.length; i++) cells[i] = ' ';
          else cells = [];
          break;
        case 'D':
          col = Math.max(0, col - (n || 1));
          break;
        case 'C':
          col += n || 1;
          break;
        case 'G':
          col = Math.max(0, (n || 1) - 1);
          break;
        case 'P':
          cells.splice(col, n || 1);
          break;
        case '@':
          if (col < cells.length) cells.splice(col, 0, ...Array<string>(n || 1).fill(' '));
          break;
      }
    } else if (tok === '\r') col = 0;
    else if (tok === '\x08') col = Math.max(0, col - 1);
    else if (tok[0] === '\x1b' || tok === '\x07') continue;
    else
      for (const ch of tok) {
        cells[col] = ch;
        col++;
      }
  }
  return Array.from(cells, (c) => c ?? ' ').join('');
}

/** The plain text a terminal shows for raw output bytes (SSH stream, `script` log): ANSI stripped. */
export function terminalText(raw: string): string {
  return raw
    .replace(/\r\n/g, '\n')
    .split('\n')
    .map(renderLine)
    .join('\n');
}

// ----------------------------------------------------------------------------------- recorder

export interface RecordOptions {
  /** where to write; `.cast` selects asciicast v2 unless `format` says otherwise */
  file?: string;
  format?: 'text' | 'cast';
  /** fixed terminal size and typing cadence, no wall-clock anything: byte-identical recordings */
  deterministic?: boolean;
  /** terminal size in the cast header (deterministic mode: 80x24) */
  width?: number;
  height?: number;
  title?: string;
  /** a `timestamp` in the cast header: true for now, or unix seconds */
  timestamp?: boolean | number;
  /** players compress pauses longer than this (seconds); default 2 */
  idleTimeLimit?: number;
  /** also write `i` (input) events for what was typed (never for hidden or masked answers) */
  input?: boolean;
  /** a marker event per command (default true) */
  markers?: boolean;
  redact?: Redactor;
  /** prompts after which an echo is a command (default admin: and lab>) */
  prompts?: string[];
}

/** Fixed cadence of deterministic casts, in microseconds. */
export const CADENCE = {
  /** pause before typing a command */
  think: 700_000,
  /** pause before typing an answer */
  answer: 400_000,
  /** per typed character */
  key: 50_000,
  /** between output chunks */
  output: 20_000,
};

/**
 * Records the events of one or more sessions into a text transcript or an asciicast v2 file.
 * Attach it to each session, then close() it.
 */
export class Recorder {
  readonly format: 'text' | 'cast';
  private fd?: number;
  private textOut = '';
  private partial = '';
  private currentLine = '';
  private t = 0;
  private start = performance.now();
  private closed = false;
  private readonly prompts: string[];

  constructor(readonly opts: RecordOptions = {}) {
    this.format = opts.format ?? (opts.file && /\.cast$/i.test(opts.file) ? 'cast' : 'text');
    this.prompts = opts.prompts ?? ['admin:', 'lab>'];
    if (opts.file) this.fd = openSync(opts.file, 'w');
    if (this.format === 'cast') {
      const header: Record<string, unknown> = {
        version: 2,
        width: opts.deterministic ? 80 : (opts.width ?? 80),
        height: opts.deterministic ? 24 : (opts.height ?? 24),
      };
      if (opts.timestamp !== undefined && opts.timestamp !== false) {
        header.timestamp = opts.timestamp === true ? Math.floor(Date.now() / 1000) : opts.timestamp;
      }
      header.idle_time_limit = opts.idleTimeLimit ?? 2;
      if (opts.title) header.title = this.redact(opts.title);
      this.write(JSON.stringify(header) + '\n');
    }
  }

  /** Subscribes to a session's events; returns the function that unsubscribes. */
  attach(source: EventSource): () => void {
    return source.on((text, kind) => this.event(text, kind));
  }

  /** Records one session event. */
  event(text: string, kind: OutputKind): void {
    if (this.closed || !text) return;
    const shown = kind === 'echo' ? renderLine(this.currentLine) : '';
    const isCommand = kind === 'echo' && this.prompts.some((p) => shown === p);
    const nl = text.lastIndexOf('\n');
    if (kind !== 'pager') this.currentLine = nl >= 0 ? text.slice(text.lastIndexOf('\n') + 1) : this.currentLine + text;
    if (this.format === 'text') {
      if (kind === 'pager') return;
      this.addText(text);
      return;
    }
    this.castEvent(text, kind, isCommand);
  }

  /** A line that is not terminal output but must survive replay (the runner's `#! node` switches). */
  directive(line: string): void {
    if (this.closed) return;
    if (this.format === 'text') {
      if (this.partial) this.addText('\n');
      this.addText(line + '\n');
    } else {
      this.tick(0);
      this.castWrite('m', line.replace(/^#!\s*/, ''));
    }
  }

  /** The text transcript so far (text format only), redacted. */
  text(): string {
    return this.textOut + (this.partial ? this.finishLine(this.partial) + '\n' : '');
  }

  close(): void {
    if (this.closed) return;
    if (this.format === 'text' && this.partial) {
      // the terminal moves on to a new line when the session ends
      const last = this.finishLine(this.partial) + '\n';
      this.partial = '';
      this.textOut += last;
      this.write(last);
    }
    this.closed = true;
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }

  // ------------------------------------------------------------------ text

  private addText(raw: string): void {
    const all = this.partial + raw.replace(/\r\n/g, '\n');
    const nl = all.lastIndexOf('\n');
    if (nl < 0) {
      this.partial = all;
      return;
    }
    this.partial = all.slice(nl + 1);
    const done = all
      .slice(0, nl)
      .split('\n')
      .map((l) => this.finishLine(l) + '\n')
      .join('');
    this.textOut += done;
    this.write(done);
  }

  private finishLine(line: string): string {
    return this.redact(renderLine(line));
  }

  // ------------------------------------------------------------------ cast

  private castEvent(text: string, kind: OutputKind, isCommand: boolean): void {
    const det = this.opts.deterministic;
    const red = this.redact(text);
    if (kind === 'echo') {
      const typed = red.replace(/\r?\n$/, '');
      const masked = /^\**$/.test(typed);
      if (isCommand && typed.trim() && this.opts.markers !== false) {
        this.tick(CADENCE.think);
        this.castWrite('m', typed.trim());
      } else this.tick(isCommand ? CADENCE.think : CADENCE.answer);
      if (det) {
        for (const ch of typed) {
          this.tick(CADENCE.key);
          if (this.opts.input && !masked) this.castWrite('i', ch);
          this.castWrite('o', ch);
        }
        this.tick(CADENCE.key);
      } else if (typed) {
        if (this.opts.input && !masked) this.castWrite('i', typed);
        this.castWrite('o', typed);
      }
      if (red.endsWith('\n')) {
        if (this.opts.input && !masked) this.castWrite('i', '\r');
        this.castWrite('o', '\r\n');
      }
      return;
    }
    this.tick(CADENCE.output);
    this.castWrite('o', red.replace(/\r?\n/g, '\r\n'));
  }

  /** Advances the clock: a fixed step in deterministic mode, real time otherwise. */
  private tick(stepUs: number): void {
    if (this.opts.deterministic) this.t += stepUs;
    else this.t = Math.max(this.t, Math.round((performance.now() - this.start) * 1000));
  }

  private castWrite(code: string, data: string): void {
    const secs = Math.round(this.t) / 1e6;
    this.write(`[${secs.toFixed(6)}, ${JSON.stringify(code)}, ${JSON.stringify(data)}]\n`);
  }

  // ------------------------------------------------------------------ shared

  private redact(s: string): string {
    return this.opts.redact ? this.opts.redact.apply(s) : s;
  }

  private write(s: string): void {
    if (this.fd !== undefined && s) writeSync(this.fd, s);
  }
}

/** Redaction context from a lab: node names, domain, account passwords. */
export function redactContextOf(lab: {
  nodes: Array<{ name: string }>;
  state: { domain: string; accounts: { admin: { password: string }; application: { password: string }; securityPassword: string } };
}): RedactContext {
  const a = lab.state.accounts;
  return {
    hostnames: lab.nodes.map((n) => n.name),
    domain: lab.state.domain,
    passwords: [a.admin.password, a.application.password, a.securityPassword],
  };
}

/**
 * Starts recording a session of a lab to `file` (the front ends' `--record FILE [--redact SPEC]`):
 * deterministic when the lab has a fixed clock. Close the returned recorder when the session ends.
 */
export function recordSession(
  source: EventSource,
  lab: Parameters<typeof redactContextOf>[0] & { state: { clock: { fixed: boolean } } },
  opts: { file: string; redact?: string | RedactOptions; width?: number; height?: number; title?: string },
): Recorder {
  const spec = opts.redact;
  const redact = spec ? new Redactor(typeof spec === 'string' ? parseRedactSpec(spec) : spec, redactContextOf(lab)) : undefined;
  const recorder = new Recorder({
    file: opts.file,
    deterministic: lab.state.clock.fixed,
    width: opts.width,
    height: opts.height,
    title: opts.title,
    redact,
  });
  recorder.attach(source);
  return recorder;
}
