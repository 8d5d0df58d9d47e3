// Enterprise parameters the lab console sets, with what the TFTP services and devices do at once.
import type { Lab, NodeState } from '../cluster/lab.js';
import { bumpConfig, fleet } from '../phones/fleet.js';
import { trimLog } from '../phones/run.js';

/**
 * "Prepare Cluster for Rollback to pre 8.0": the TFTP services rebuild their ITL at once (a blank,
 * signed ITL when True) and every device configuration changes. Returns the nodes that rebuilt.
 */
export function setRollbackToPre80(lab: Lab, value: boolean): NodeState[] {
  lab.state.params.rollbackToPre80 = value;
  const rebuilt: NodeState[] = [];
  for (const n of lab.activeTftpNodes()) {
    n.itlFromReset = false;
    lab.writeItl(n);
    rebuilt.push(n);
  }
  bumpConfig(fleet(lab).phones);
  return rebuilt;
}

/** How many lines each phone's console log keeps; longer logs lose their oldest lines at once. */
export function setPhoneLogLines(lab: Lab, lines: number): void {
  lab.state.params.phoneLogLines = lines;
  for (const p of fleet(lab).phones) trimLog(p, lines);
}
