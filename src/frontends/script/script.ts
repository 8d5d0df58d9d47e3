// Script mode: stdin is not a terminal. Each input line is a command, or the answer to the question
// the running command has just asked. Output is what a terminal would show, prompts and echoes included.
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { isPagerEvent, type OutputKind } from '../../console/io.js';
import { drive, type Console } from '../../console/drive.js';
import { Cancelled } from '../../console/command.js';

/** A line source where commands and answers are consumed in order. */
export class LineQueue {
  private lines: string[] = [];
  private waiters: Array<(l: string | undefined) => void> = [];
  private closed = false;

  push(line: string): void {
    const w = this.waiters.shift();
    if (w) w(line);
    else this.lines.push(line);
  }
  close(): void {
    this.closed = true;
    for (const w of this.waiters.splice(0)) w(undefined);
  }
  next(): Promise<string | undefined> {
    if (this.lines.length) return Promise.resolve(this.lines.shift());
    if (this.closed) return Promise.resolve(undefined);
    return new Promise((r) => this.waiters.push(r));
  }
}

export function queueFrom(input: Readable): LineQueue {
  const q = new LineQueue();
  const rl = createInterface({ input, crlfDelay: Infinity, terminal: false });
  rl.on('line', (l) => q.push(l.replace(/\r$/, '')));
  rl.on('close', () => q.close());
  return q;
}

/** Runs commands until input ends or the session quits; returns the exit status (1 if any command failed). */
export async function runScript(
  session: Console,
  q: LineQueue,
  out: Writable,
  opts: { banner?: boolean } = {},
): Promise<number> {
  const off = session.on((text: string, kind: OutputKind) => {
    if (isPagerEvent(kind)) return;
    out.write(text);
  });
  let failed = false;
  try {
    if (opts.banner) await session.banner();
    for (;;) {
      session.showPrompt();
      const line = await q.next();
      if (line === undefined) {
        out.write('\n');
        break;
      }
      // the next input line answers each question; input that ends there ends the session as
      // Ctrl-D does at a terminal: the command is not run, and no Ctrl-C line is printed
      const answers = async () => {
        const a = await q.next();
        if (a === undefined) throw new Cancelled(true);
        return a;
      };
      const r = await drive(session, line, { answers });
      if (r.status !== 0) failed = true;
      if (r.ended) break;
    }
  } finally {
    off();
  }
  return failed ? 1 : 0;
}
