// Session recordings: plain text (what the terminal showed, ANSI stripped) or asciicast v2 (.cast).
// A recorder listens to session events (the session core's output), never to rendered frames.
import { isPagerEvent } from '../console/io.js';
import { terminalBytes } from '../frontends/terminal.js';
import { closeSync, fchmodSync, fstatSync, openSync, writeSync } from 'node:fs';
import type { OutputKind } from '../console/io.js';
import { CastWriter } from './cast-writer.js';
import { Redactor, RedactOptions, parseRedactSpec, redactContextOf } from './redact.js';
import { renderLine } from './terminal-text.js';
import { TextWriter } from './text-writer.js';
import { stripControls } from '../../state/text.js';

/** Controls the console itself writes: line ends and tabs. */
const KEEP = '\n\r\t';

/** Anything that emits session events: CliSession, the lab console, an SSH channel's session. */
export interface EventSource {
  on(fn: (text: string, kind: OutputKind) => void): () => void;
  /** the node an admin: session acts on (its switches are recorded as `#! node NAME`) */
  readonly node?: { name: string };
}

/** The prompt whose commands run on a node: a session on another node is preceded by `#! node`. */
const NODE_PROMPT = 'admin:';

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
  /** the node a replay starts on (the publisher): `#! node NAME` is written when a session is on another */
  startNode?: string;
  /** the prompt written before a command echoed without one (SSH exec requests show no prompt) */
  prompt?: string;
  /**
   * gather writes for this long (ms) before they reach the file, instead of one write per event:
   * a served class records every session twice, and one write per output chunk costs its round trips
   */
  flushMs?: number;
}

/** gathered writes go out at once beyond this many characters */
const FLUSH_AT = 65536;

/**
 * Records the events of one or more sessions into a text transcript or an asciicast v2 file.
 * Attach it to each session, then close() it.
 */
export class Recorder {
  readonly format: 'text' | 'cast';
  private fd?: number;
  private pending = '';
  private timer?: NodeJS.Timeout;
  private currentLine = '';
  private closed = false;
  private readonly prompts: string[];
  private readonly textWriter?: TextWriter;
  private readonly castWriter?: CastWriter;
  /** between pause() and resume(): events are left out */
  private paused = false;
  /** the node of the last admin: prompt recorded */
  private lastNode?: string;
  private lastPrompt?: string;

  constructor(readonly opts: RecordOptions = {}) {
    this.format = opts.format ?? (opts.file && /\.cast$/i.test(opts.file) ? 'cast' : 'text');
    this.prompts = opts.prompts ?? ['admin:', 'lab>'];
    this.lastNode = opts.startNode;
    // 0600: a recording may show what a session typed and printed (an existing file keeps its mode,
    // hence fchmod; a device such as /dev/stdout is left alone)
    if (opts.file) {
      const fd = openSync(opts.file, 'w', 0o600);
      try {
        if (fstatSync(fd).isFile()) fchmodSync(fd, 0o600);
      } catch (e) {
        closeSync(fd);
        throw e;
      }
      this.fd = fd;
    }
    const write = (s: string) => this.write(s);
    const redact = (s: string) => (opts.redact ? opts.redact.apply(s) : s);
    if (this.format === 'cast') this.castWriter = new CastWriter(opts, write, redact);
    else this.textWriter = new TextWriter(write, redact);
  }

  /** Subscribes to a session's events; returns the function that unsubscribes. */
  attach(source: EventSource): () => void {
    return source.on((text, kind) => this.event(text, kind, source));
  }

  /** Records one session event (of `source`, whose node tells where the commands run). */
  event(text: string, kind: OutputKind, source?: EventSource): void {
    if (this.closed || this.paused || !text) return;
    // last defence: lab text reaches recordings without escape sequences or stray controls
    if (!isPagerEvent(kind)) text = stripControls(text, KEEP);
    if (this.currentLine === '' && !isPagerEvent(kind)) {
      if (kind === 'out' && this.prompts.includes(text)) this.promptComing(text, source);
      else if (kind === 'echo' && text.trim()) {
        // a command with no prompt before it (an SSH exec request): the transcript shows one, so
        // that it reads, and replays, as the commands typed at the prompt
        const prompt = this.opts.prompt ?? this.lastPrompt ?? this.prompts[0];
        this.event(prompt, 'out', source);
      }
    }
    const shown = kind === 'echo' ? renderLine(this.currentLine) : '';
    const isCommand = kind === 'echo' && this.prompts.some((p) => shown === p);
    const nl = text.lastIndexOf('\n');
    if (!isPagerEvent(kind)) this.currentLine = nl >= 0 ? text.slice(text.lastIndexOf('\n') + 1) : this.currentLine + text;
    if (this.textWriter) {
      if (isPagerEvent(kind)) return;
      this.textWriter.output(text);
      return;
    }
    this.castWriter!.event(terminalBytes(text, kind), kind, isCommand);
  }

  /**
   * Leaves events out until resume(): the REPL's F2 switch, whose abandoned line and other console's
   * banner are neither a command nor its output (a recording stays a runbook). The prompt's line
   * ends first, so the next console's prompt starts a line of its own.
   */
  pause(): void {
    if (this.currentLine !== '') this.event('\n', 'out');
    this.paused = true;
  }

  resume(): void {
    this.paused = false;
  }

  /** Before a prompt: `#! node NAME` when the session is on another node than the last admin: prompt. */
  private promptComing(prompt: string, source?: EventSource): void {
    this.lastPrompt = prompt;
    const name = source?.node?.name;
    if (prompt !== NODE_PROMPT || !name || name === this.lastNode) return;
    const first = this.lastNode === undefined;
    this.lastNode = name;
    // without a known start node the first session's node is where the replay starts anyway
    if (!first) this.directive(`#! node ${name}`);
  }

  /** A line that is not terminal output but must survive replay (`#! node` switches). */
  directive(line: string): void {
    if (this.closed) return;
    if (this.textWriter) this.textWriter.directive(line);
    else this.castWriter!.directive(line);
  }

  /** The text transcript so far (text format only), redacted. */
  text(): string {
    return this.textWriter?.text() ?? '';
  }

  close(): void {
    if (this.closed) return;
    this.textWriter?.close();
    this.closed = true;
    this.flush();
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }

  /** Writes what was gathered (see flushMs). */
  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const s = this.pending;
    this.pending = '';
    if (this.fd !== undefined && s) writeSync(this.fd, s);
  }

  private write(s: string): void {
    if (this.fd === undefined || !s) return;
    if (!this.opts.flushMs) {
      writeSync(this.fd, s);
      return;
    }
    this.pending += s;
    if (this.pending.length >= FLUSH_AT) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), this.opts.flushMs).unref();
  }
}

/**
 * Starts recording a session of a lab to `file` (the front ends' `--record FILE [--redact SPEC]`):
 * deterministic when the lab has a fixed clock. Close the returned recorder when the session ends.
 */
export function recordSession(
  source: EventSource,
  lab: Omit<Parameters<typeof redactContextOf>[0], 'nodes'> & { state: { clock: { fixed: boolean } }; nodes: Array<{ name: string; publisher: boolean }> },
  opts: { file: string; redact?: string | RedactOptions; width?: number; height?: number; title?: string; prompt?: string; flushMs?: number },
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
    prompt: opts.prompt,
    flushMs: opts.flushMs,
    // a session on a subscriber starts with its `#! node`, so the recording replays there
    startNode: lab.nodes.find((n) => n.publisher)?.name,
  });
  recorder.attach(source);
  return recorder;
}
