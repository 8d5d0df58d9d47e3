// The asciicast v2 recording (.cast): timed output events, typed input at a fixed cadence in
// deterministic mode, a marker per command.
import { performance } from 'node:perf_hooks';
import type { OutputKind } from '../console/io.js';

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

export interface CastOptions {
  deterministic?: boolean;
  width?: number;
  height?: number;
  title?: string;
  timestamp?: boolean | number;
  idleTimeLimit?: number;
  input?: boolean;
  markers?: boolean;
}

export class CastWriter {
  private t = 0;
  private start = performance.now();

  constructor(
    private readonly opts: CastOptions,
    private readonly write: (s: string) => void,
    private readonly redact: (s: string) => string,
  ) {
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

  /** One session event; `isCommand` when an echo is a command typed after a prompt. */
  event(text: string, kind: OutputKind, isCommand: boolean): void {
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

  /** A line that is not session output (a node switch): a marker, and the line shown as the text transcript has it. */
  directive(line: string): void {
    const red = this.redact(line);
    this.tick(0);
    this.castWrite('m', red.replace(/^#!\s*/, ''));
    this.castWrite('o', red + '\r\n');
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
}
