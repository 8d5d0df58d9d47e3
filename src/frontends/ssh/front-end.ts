// What the SSH front ends share: the session they drive, the channel they serve, output sent in one
// packet per burst, back-pressure (a client that stops reading is paused, then dropped), the idle
// timeout and ending exactly once.
import type { Duplex } from 'node:stream';
import type { Completion } from '../../console/completion.js';
import type { OutputKind, RunResult, SessionIO } from '../../console/io.js';
import { stripControls } from '../../../state/text.js';
import { crlf } from '../terminal.js';

/** What a front end needs from a session: CliSession and the lab console both have this shape. */
export interface ShellSession {
  width: number;
  height?: number;
  on(fn: (text: string, kind: OutputKind) => void): () => void;
  banner(): Promise<void>;
  showPrompt(): void;
  run(line: string, io: SessionIO): Promise<RunResult>;
  completion(line: string): Completion;
  question(line: string): string[];
}

/** The channel side: an ssh2 ServerChannel, or any duplex with an optional exit status. */
export type Channel = Duplex & { exit?(status: number): void };

/** Longest command line or answer kept; further typing rings the bell (a paste flood stays small). */
export const MAX_LINE = 4096;
/** Output a session may hold for a client that does not read before it is paused. */
export const DEFAULT_MAX_OUTPUT_BUFFER = 1024 * 1024;
/** How long a paused session waits for its client to read again before it is dropped. */
export const DEFAULT_STALLED_TIMEOUT_MS = 60_000;

/** Longest a running command's output waits for its prompt before it is sent anyway. */
const HOLD_MS = 10;
/** Output held past this many characters is sent at once. */
const CHUNK = 64 * 1024;

/** Controls the console writes itself; anything else in its text came from the lab and is dropped. */
const KEEP = '\n\r\t';

/** Lab text on its way to a terminal: escape sequences and stray controls removed (last defence). */
export function terminalSafe(text: string): string {
  return stripControls(text, KEEP);
}

export interface ShellOptions {
  /** minutes without a key before the session is closed; 0 = never */
  idleMinutes: number;
  /** called once when the shell has ended, whoever ended it */
  onEnd(): void;
  /** bytes of output held for the client before input stops being read (default 1 MB) */
  maxOutputBuffer?: number;
  /** ms a paused session waits for its client to read before it is dropped (default 60 s) */
  stalledTimeoutMs?: number;
  /** ends the whole connection of a stalled client (its channel cannot even take a close) */
  drop?(): void;
}

/** What a running session holds, for the server's stats. */
export interface BufferStats {
  /** output bytes held now (not yet taken by the SSH window) */
  buffered: number;
  /** the most ever held */
  peak: number;
  /** paused because the client does not read */
  paused: boolean;
}

/** Common to both front ends: ending once, idle timer, shutdown notice. */
export abstract class FrontEnd {
  protected closed = false;
  protected off: () => void = () => {};
  private idle?: NodeJS.Timeout;
  private lastKey = Date.now();

  constructor(
    protected session: ShellSession,
    protected ch: Channel,
    protected opts: ShellOptions,
  ) {
    // the client going away ends the session; errors on a dead channel are not ours to report
    ch.on('close', () => this.end(undefined, false));
    ch.on('error', () => this.end(undefined, false));
    ch.on('drain', () => this.checkResume());
  }

  private outBuf = '';
  private flushQueued = false;
  private peak = 0;
  /** set while the client does not read: input is not read, no key is handled, commands wait */
  protected paused = false;
  private stall?: NodeJS.Timeout;
  private resumers: Array<() => void> = [];

  /** Output held for the client: not yet written, or written but beyond the SSH window. */
  protected held(): number {
    return this.outBuf.length + (this.ch.writableLength ?? 0);
  }

  stats(): BufferStats {
    return { buffered: this.held(), peak: this.peak, paused: this.paused };
  }

  private get cap(): number {
    return this.opts.maxOutputBuffer ?? DEFAULT_MAX_OUTPUT_BUFFER;
  }

  /** Stops reading input and handling keys until the client has taken the output. */
  private pause(): void {
    if (this.paused || this.closed) return;
    this.paused = true;
    try {
      this.ch.pause();
    } catch {
      // the channel is already gone
    }
    const ms = this.opts.stalledTimeoutMs ?? DEFAULT_STALLED_TIMEOUT_MS;
    this.stall = setTimeout(() => this.stalled(), ms);
    this.stall.unref();
  }

  private checkResume(): void {
    if (!this.paused || this.closed || this.held() > this.cap / 2) return;
    this.paused = false;
    clearTimeout(this.stall);
    try {
      if (this.mayRead()) this.ch.resume();
    } catch {
      // the channel is already gone
    }
    const waiting = this.resumers;
    this.resumers = [];
    for (const r of waiting) r();
    this.resumed();
  }

  /** The client never read again: nothing can reach it, so its connection is cut. */
  private stalled(): void {
    if (!this.paused || this.closed) return;
    this.outBuf = '';
    this.end(undefined, false, 1);
    try {
      this.ch.destroy();
    } catch {
      // the channel is already gone
    }
    this.opts.drop?.();
  }

  /** Called when a paused session may go on (the interactive shell handles its waiting keys). */
  protected resumed(): void {}

  /** False while the front end holds enough unread input of its own. */
  protected mayRead(): boolean {
    return true;
  }

  /** while a command runs: its output and the next prompt leave together (see write()) */
  private holding = false;
  private holdTimer?: NodeJS.Timeout;

  // Writes made while handling one chunk of input (echo, redraws, output lines) leave in one
  // packet: per-key packets cost far more CPU and round trips than the bytes themselves. While a
  // command runs, its lines wait for the prompt so a command costs one write, not one per await;
  // a slow command still shows progress every HOLD_MS, and a large output leaves in CHUNK pieces.
  protected write(text: string): void {
    if (this.closed || !text) return;
    this.outBuf += text;
    const held = this.held();
    if (held > this.peak) this.peak = held;
    if (held > this.cap) this.pause();
    if (this.holding && this.outBuf.length < CHUNK) {
      if (!this.holdTimer && !this.flushQueued) this.holdTimer = setTimeout(() => this.flushOut(), HOLD_MS);
      return;
    }
    this.queueFlush();
  }

  private queueFlush(): void {
    if (!this.flushQueued) {
      this.flushQueued = true;
      setImmediate(() => this.flushOut());
    }
  }

  /** Output of a running command is held until release() (or HOLD_MS, or CHUNK bytes). */
  protected hold(): void {
    this.holding = true;
  }

  /** Sends what was held with whatever is written in this tick (the prompt, a question). */
  protected release(): void {
    this.holding = false;
    if (this.outBuf) this.queueFlush();
  }

  protected flushOut(): void {
    this.flushQueued = false;
    if (this.holdTimer) {
      clearTimeout(this.holdTimer);
      this.holdTimer = undefined;
    }
    if (!this.outBuf) return;
    const text = this.outBuf;
    this.outBuf = '';
    try {
      // the callback runs once the SSH window has taken the chunk: the client is reading again
      const ok = this.ch.write(text, () => this.checkResume());
      if (!ok || this.held() > this.cap) this.pause();
    } catch {
      // the channel is already gone
    }
  }

  protected touch(): void {
    this.lastKey = Date.now();
    this.arm(this.opts.idleMinutes * 60_000);
  }

  // timers cannot wait longer than 2^31-1 ms (the CLI allows 99999 minutes): wait in steps
  private arm(ms: number): void {
    if (this.idle) clearTimeout(this.idle);
    if (!ms || this.closed) return;
    this.idle = setTimeout(() => this.timedOut(), Math.min(ms, 0x7fffffff));
    this.idle.unref();
  }

  protected timedOut(): void {
    const limit = this.opts.idleMinutes * 60_000;
    const left = this.lastKey + limit - Date.now();
    if (left > 0) return this.arm(left);
    if (this.isBusy()) return this.touch(); // a running command is not idleness
    this.end(`\r\nSession timed out after ${this.opts.idleMinutes} minutes of inactivity.\r\n`, true);
  }

  /** Waits while the client is not reading, so a flood of commands cannot pile up output here. */
  protected async drained(): Promise<void> {
    while (!this.closed && this.paused) await new Promise<void>((resolve) => this.resumers.push(resolve));
  }

  protected abstract isBusy(): boolean;
  protected abstract cancelPending(): void;

  /** A message from outside the session (a wall broadcast), on lines of its own. */
  notice(text: string): void {
    if (this.closed) return;
    this.write(crlf(terminalSafe(text)));
  }

  /** Tells the user why the session ends (server shutdown) and closes it. */
  shutdown(notice: string): void {
    this.end(crlf(notice), true);
  }

  end(notice: string | undefined, closeChannel: boolean, status = 0): void {
    if (this.closed) return;
    if (notice) this.write(notice);
    this.flushOut();
    this.closed = true;
    if (this.idle) clearTimeout(this.idle);
    clearTimeout(this.stall);
    const waiting = this.resumers;
    this.resumers = [];
    for (const r of waiting) r();
    this.off();
    this.cancelPending();
    if (closeChannel) {
      try {
        this.ch.exit?.(status);
        this.ch.end();
      } catch {
        // the channel is already gone
      }
    }
    this.opts.onEnd();
  }
}
