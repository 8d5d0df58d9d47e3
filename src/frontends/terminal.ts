// How console output looks on a character terminal: CR LF line ends, and the pager prompt in bold,
// wiped with CR and erase-line once its key was pressed.
import { PAGER_TEXT, type PagerLook } from '../console/pager.js';

export const PAGER_PROMPT = `\x1b[1m${PAGER_TEXT}\x1b[0m`;

/** The pager prompt as CUCM's CLI shows it; consoles use it unless told otherwise. */
export const TERMINAL_PAGER: PagerLook = { prompt: PAGER_PROMPT, clear: '\r\x1b[K' };

/** Terminals need CR LF; the core writes LF. */
export function crlf(text: string): string {
  return text.replace(/\r?\n/g, '\r\n');
}
