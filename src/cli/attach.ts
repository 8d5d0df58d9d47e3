// A window opened on a lab another process holds: the REPL, script mode and one-shot commands
// attach to that process (src/frontends/attach) instead of opening the lab.
import type { Lab } from '../../state/cluster/lab.js';
import { LabBusy, StoreError } from '../../state/store.js';
import { attach } from '../frontends/attach/client.js';
import { startAttachServer, type AttachServer } from '../frontends/attach/owner.js';
import type { AttachRequest } from '../frontends/attach/protocol.js';
import type { CommonFlags } from './args.js';

/** How often a window that finds the lab busy tries again after its owner went away. */
const MAX_ATTEMPTS = 5;

/**
 * Opens the lab with `open`, or, while another live process holds it, runs the session in that
 * process. Returns the lab (this process owns it) or the attached session's exit status.
 */
export async function openOrAttach(flags: CommonFlags, req: AttachRequest, open: () => Promise<Lab>): Promise<Lab | number> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await open();
    } catch (e) {
      if (!(e instanceof LabBusy) || attempt >= MAX_ATTEMPTS) throw e;
      if (flags.record) throw new StoreError(`--record is not available in an attached window: the lab is open in process ${e.owner.pid}; record in that window, or close it first.`);
      const r = await attach(e.dir, req, { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr }, e.message);
      if (typeof r === 'number') return r;
      if ('refused' in r) throw new LabBusy(r.refused, e.dir, e.owner);
      // the owner went away: the lab may be free now
    }
  }
}

/** Lets other windows attach to the lab this process owns; warnings go to stderr. */
export function listenForWindows(lab: Lab, owner: string): Promise<AttachServer | undefined> {
  return startAttachServer(lab, owner, (line) => process.stderr.write(`cucm-sim: ${line}\n`));
}
