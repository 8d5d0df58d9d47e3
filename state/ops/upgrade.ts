// The refresh upgrade of Field Notice 70613: an upgrade from 10.x/11.x/12.0 to a 12.5 build below
// 12.5(1)SU3 wrongly regenerated the ITLRecovery pair (stated). The CTL on disk still carries the
// old ITLRecovery record and signature, so it no longer matches the cluster; the upgrade ends with a
// reboot of every node.
import type { Lab } from '../cluster/lab.js';
import { LabError } from '../cluster/state.js';
import { rebootServices } from '../cluster/lifecycle.js';
import { hasFn70613Defect } from '../cluster/profile.js';

/** Lab console: the defect's state on a 12.5 lab whose build is below SU3. Call inside lab.mutate(). */
export async function refreshUpgradeFn70613(lab: Lab): Promise<void> {
  if (!hasFn70613Defect(lab.state.version)) {
    throw new LabError(`CUCM ${lab.state.version} does not have the defect of Field Notice 70613 (12.5 builds below 12.5.1.13900-152 do)`);
  }
  // the install's new pair, not a trainee's regeneration: no hold timer
  await lab.regenerateCert(lab.publisher(), 'ITLRecovery', { holdTimer: false });
  for (const n of lab.nodes) rebootServices(lab, n);
}
