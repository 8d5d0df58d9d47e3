// How console output looks on a character terminal: CR LF line ends, and the pager prompt in bold,
// wiped with CR and erase-line once its key was pressed.
import { PAGER_TEXT } from '../console/pager.js';
import type { OutputKind } from '../console/io.js';

/** The pager prompt as CUCM's CLI shows it: bold. */
export const PAGER_PROMPT = `\x1b[1m${PAGER_TEXT}\x1b[0m`;

/** The bytes a character terminal gets for a console event. */
export function terminalBytes(text: string, kind: OutputKind): string {
  if (kind === 'pager') return PAGER_PROMPT;
  if (kind === 'pager-end') return '\r\x1b[K'; // back to the line start, prompt erased
  return text;
}

/** Terminals need CR LF; the core writes LF. */
export function crlf(text: string): string {
  return text.replace(/\r?\n/g, '\r\n');
}
