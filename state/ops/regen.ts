// A certificate regeneration as the release carries it out, with what it does to the phones: on 14+
// the TVS, CAPF and ITLRecovery services restart by themselves and, with the "Phone Interaction on
// Certificate Update" parameter at its default, the phones are reset so they take the new ITL.
import type { Lab, NodeState } from '../cluster/lab.js';
import type { CertUnit } from '../crypto/certs.js';
import type { RegenResult } from '../cluster/certificates.js';
import { TFTP } from '../cluster/services.js';
import { bootPhone } from '../phones/boot.js';
import { fleet } from '../phones/fleet.js';

export interface CertUpdateResult extends RegenResult {
  /** phones the cluster reset by itself */
  phonesReset: number;
}

/** The parameter's value; releases before 14 have no such parameter. */
export function phoneInteraction(lab: Lab): 'automatic' | 'manual' | undefined {
  if (!lab.profile.phoneInteractionParam) return undefined;
  return lab.state.params.phoneInteraction ?? 'automatic';
}

/** `set cert regen UNIT` under the lab's release: call inside lab.mutate(). */
export async function regenerateCertificate(lab: Lab, node: NodeState, unit: CertUnit, opts: { holdTimer?: boolean } = {}): Promise<CertUpdateResult> {
  const r = await lab.regenerateCert(node, unit, opts);
  let phonesReset = 0;
  // the phones are reset once the TFTP services serve the new ITL, which only an automatic restart does
  if (phoneInteraction(lab) === 'automatic' && r.restarted.some((x) => x.service === TFTP)) {
    for (const p of fleet(lab).phones) {
      bootPhone(lab, p);
      phonesReset++;
    }
  }
  return { ...r, phonesReset };
}
