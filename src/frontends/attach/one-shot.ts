// One command given on the command line (`cucm-sim lab phones list`): run in the window's own
// process when it owns the lab, or in the owner's for an attached window; the same text either way.
import type { Readable } from 'node:stream';
import { drive, type Console } from '../../console/drive.js';
import { Cancelled } from '../../console/command.js';
import { type LineQueue, queueFrom } from '../script/script.js';

/** Questions are answered yes with `force`, else by the next input lines. Returns the exit status. */
export async function oneShot(con: Console, command: string, opts: { force: boolean; input: Readable; write(text: string): void }): Promise<number> {
  let queue: LineQueue | undefined;
  let echoed = false;
  const r = await drive(con, command, {
    // input that ends at a question ends the command as Ctrl-D does (no Ctrl-C line)
    answers: async () => {
      if (opts.force) return 'yes';
      const a = await (queue ??= queueFrom(opts.input)).next();
      if (a === undefined) throw new Cancelled(true);
      return a;
    },
    onOutput: (text, kind) => {
      // the command line itself is not echoed back; answers to questions are
      if (kind === 'echo' && !echoed) {
        echoed = true;
        return;
      }
      opts.write(text);
    },
  });
  return r.status;
}
