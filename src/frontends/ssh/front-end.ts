// What the SSH front ends share: the session they drive, the channel they serve, output sent in one
// packet per burst, back-pressure, the idle timeout and ending exactly once.
import type { Duplex } from 'node:stream';
import type { Completion } from '../../console/completion.js';
import type { OutputKind, RunResult, SessionIO } from '../../console/io.js';
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
/** Output waiting for a client that does not read, before commands stop being run. */
const OUTPUT_HIGH_WATER = 256 * 1024;

export interface ShellOptions {
  /** minutes without a key before the session is closed; 0 = never */
  idleMinutes: number;
  /** called once when the shell has ended, whoever ended it */
  onEnd(): void;
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
  }

  private outBuf = '';
  private flushQueued = false;

  // Writes made while handling one chunk of input (echo, redraws, output lines) leave in one
  // packet: per-key packets cost far more CPU and round trips than the bytes themselves.
  protected write(text: string): void {
    if (this.closed || !text) return;
    this.outBuf += text;
    if (!this.flushQueued) {
      this.flushQueued = true;
      setImmediate(() => this.flushOut());
    }
  }

  protected flushOut(): void {
    this.flushQueued = false;
    if (!this.outBuf) return;
    const text = this.outBuf;
    this.outBuf = '';
    try {
      this.ch.write(text);
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
    const ch = this.ch;
    while (!this.closed && ch.writableLength > OUTPUT_HIGH_WATER) {
      await new Promise<void>((resolve) => {
        const done = () => {
          ch.off('drain', done);
          ch.off('close', done);
          resolve();
        };
        ch.on('drain', done);
        ch.on('close', done);
      });
    }
  }

  protected abstract isBusy(): boolean;
  protected abstract cancelPending(): void;

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
