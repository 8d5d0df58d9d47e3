// What passes between a console and whoever drives it: kinds of output event, and the questions
// (answers, pager keys) a running command puts to its front end.
import type { AskOptions } from './command.js';

export type OutputKind = 'out' | 'echo' | 'pager';

export interface SessionIO {
  /** Reads the answer to a question the session has already printed. Rejects with Cancelled on Ctrl-C. */
  answer(opts: AskOptions): Promise<string>;
  /** Waits for a key at the pager prompt. */
  pager?(): Promise<'line' | 'page' | 'quit'>;
}

export interface RunResult {
  status: number;
  ended: boolean;
}
