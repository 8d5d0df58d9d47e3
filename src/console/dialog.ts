// A question a command asks mid-run: its prompt, the answer the front end reads, and the echo of
// that answer (stars for a password, nothing at all with echo off).
import { Cancelled, type AskOptions } from './command.js';
import type { OutputKind, SessionIO } from './io.js';
import type { Pager } from './pager.js';

export async function ask(
  emit: (text: string, kind?: OutputKind) => void,
  pager: Pager,
  io: SessionIO,
  prompt: string,
  opts: AskOptions = {},
): Promise<string> {
  // the question comes after everything the command printed so far, and starts a new screenful
  await pager.flush();
  pager.resetCount();
  emit(prompt);
  let ans: string;
  try {
    ans = await io.answer(opts);
  } catch (e) {
    emit('\n', 'echo');
    throw e instanceof Cancelled ? e : new Cancelled();
  }
  // with echo off the terminal shows nothing, not even the end of the line
  if (!opts.hidden) emit((opts.password ? '*'.repeat(ans.length) : ans) + '\n', 'echo');
  return ans;
}
