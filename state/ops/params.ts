// Enterprise parameters the lab console sets, with what the TFTP services and devices do at once.
import type { Lab, NodeState } from '../cluster/lab.js';
import { bumpConfig, fleet } from '../phones/fleet.js';

/**
 * "Prepare Cluster for Rollback to pre 8.0": the TFTP services rebuild their ITL at once (a blank,
 * signed ITL when True) and every device configuration changes. Returns the nodes that rebuilt.
 */
export function setRollbackToPre80(lab: Lab, value: boolean): NodeState[] {
  lab.state.params.rollbackToPre80 = value;
  const rebuilt: NodeState[] = [];
  for (const n of lab.activeTftpNodes()) {
    n.itlFromReset = false;
    lab.writeItl(n, 'CallManager');
    rebuilt.push(n);
  }
  bumpConfig(fleet(lab).phones);
  return rebuilt;
}
