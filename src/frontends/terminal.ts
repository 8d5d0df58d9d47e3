// How console output looks on a character terminal: CR LF line ends, and the pager prompt in bold,
// wiped with CR and erase-line once its key was pressed.
import { PAGER_TEXT, rowsOf } from '../console/pager.js';
import type { OutputKind } from '../console/io.js';

/** The pager prompt as CUCM's CLI shows it: bold. */
export const PAGER_PROMPT = `\x1b[1m${PAGER_TEXT}\x1b[0m`;

/**
 * The bytes a character terminal gets for a console event. `width` (columns) tells how many rows
 * the pager prompt took, so that all of them are wiped when it goes.
 */
export function terminalBytes(text: string, kind: OutputKind, width = Infinity): string {
  if (kind === 'pager') return PAGER_PROMPT;
  if (kind === 'pager-end') {
    // back to the line start, prompt erased, then each row above it that the prompt wrapped onto
    const rows = Number.isFinite(width) ? rowsOf(PAGER_TEXT, width) : 1;
    return '\r\x1b[K' + '\x1b[A\x1b[K'.repeat(rows - 1);
  }
  return text;
}

/** Terminals need CR LF; the core writes LF. */
export function crlf(text: string): string {
  return text.replace(/\r?\n/g, '\r\n');
}
