// 11.x and later: a CTL written by `utils ctl` reaches the running Cisco Tftp and Cisco CallManager
// services without a restart. Assumption (versions.md §2, inferred): the 11.x dialog no longer asks
// for Tftp/CallManager restarts, only for phone resets and CTIManager restarts.
import { createHash } from 'node:crypto';
import type { Lab } from '../cluster/lab.js';
import { CALLMANAGER, TFTP } from '../cluster/services.js';

/** The running Tftp of every node serves the CTL now on its disk; CallManager reads the security mode. */
export function notifyCtlChange(lab: Lab): void {
  const mixed = lab.state.params.clusterSecurityMode === 1;
  for (const n of lab.nodes) {
    if (!n.up) continue;
    const t = n.running?.tftp;
    if (t && n.tftp && lab.serviceRunning(n, TFTP)) {
      const data = lab.readTftp(n, 'CTLFile.tlv');
      if (!data) t.ctl = undefined;
      else {
        // the same keying as the files a Tftp loads at its start (running.ts)
        const key = createHash('md5').update(data).digest('hex');
        (lab.state.loadedFiles ??= {})[key] = data.toString('base64');
        t.ctl = key;
      }
    }
    const cm = n.running?.callmanager;
    if (cm && lab.serviceRunning(n, CALLMANAGER)) cm.mixed = mixed;
  }
}
