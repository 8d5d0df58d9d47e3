// What passes between a console and whoever drives it: kinds of output event, and the questions
// (answers, pager keys) a running command puts to its front end.
import type { AskOptions } from './command.js';

/**
 * `pager` shows the pager prompt (its plain text); `pager-end` says the key was pressed and the prompt
 * goes away. How either looks is the front end's business.
 */
export type OutputKind = 'out' | 'echo' | 'pager' | 'pager-end';

/** Pager events are screen furniture, not output: transcripts and drivers leave them out. */
export function isPagerEvent(kind: OutputKind): boolean {
  return kind === 'pager' || kind === 'pager-end';
}

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
