// The CTL Client plugin run with the lab's USB eTokens (lab console `ctl-client`), with the checks it
// makes against the publisher before it writes anything.
import { certView } from '../crypto/certs.js';
import { LabError, type Lab } from '../cluster/lab.js';
import { runCtlClient } from '../cluster/trustfiles.js';
import { parseTrustList } from '../trust/tlv-parse.js';

export type CtlClientResult =
  /** an existing CTL holds none of the tokens: the client will not update it (seeds 002/004) */
  | { kind: 'token-not-in-ctl' }
  | {
      kind: 'updated';
      /** mixed mode without a CTL on the publisher: the warning the client shows before it goes on */
      noCtlWarning: boolean;
      copied: string[];
      missed: string[];
    };

/** Whether the CTL bytes hold a record with one of the eToken certificates. */
export function ctlHoldsAToken(ctl: Buffer, tokenPems: string[]): boolean {
  const parsed = parseTrustList(ctl);
  if (!parsed.ok) return false;
  const ders = tokenPems.map((p) => certView(p).der);
  return parsed.list.records.some((r) => r.certificate !== undefined && ders.some((d) => d.equals(r.certificate!)));
}

/**
 * Updating a CTL needs a token that the current CTL lists (a tokenless CTL lists none); with no CTL
 * on the publisher the client only warns when the cluster is already in mixed mode, then writes one.
 * Call inside mutate().
 */
export function ctlClientUpdate(lab: Lab): CtlClientResult {
  const tokens = lab.state.etokens;
  if (!tokens) throw new LabError("This lab has no USB eTokens: the CTL Client needs a lab created with 'ctl: etoken' in its topology.");
  const current = lab.readTftp(lab.publisher(), 'CTLFile.tlv');
  if (current && !ctlHoldsAToken(current, tokens.tokens.map((t) => t.certPem))) return { kind: 'token-not-in-ctl' };
  const noCtlWarning = !current && lab.state.params.clusterSecurityMode === 1;
  const r = runCtlClient(lab);
  return { kind: 'updated', noCtlWarning, copied: r.copied.map((n) => n.name), missed: r.missed.map((n) => n.name) };
}
