// One command given on the command line (`cucm-sim lab phones list`): run in the window's own
// process when it owns the lab, or in the owner's for an attached window; the same text either way.
import type { Readable } from 'node:stream';
import { drive, type Console } from '../../console/drive.js';
import { type LineQueue, queueFrom } from '../script/script.js';

/** Questions are answered yes with `force`, else by the next input lines. Returns the exit status. */
export async function oneShot(con: Console, command: string, opts: { force: boolean; input: Readable; write(text: string): void }): Promise<number> {
  let queue: LineQueue | undefined;
  let echoed = false;
  const r = await drive(con, command, {
    answers: () => (opts.force ? 'yes' : (queue ??= queueFrom(opts.input)).next()),
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
