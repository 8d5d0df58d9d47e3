// Replication between the nodes: what each contributes to every trust store, certificate changes sent
// to the nodes that are up, and what a node that was down catches up on when it comes back.
import type { LabCore } from './core.js';
import { commonNameFor } from '../crypto/certs.js';
import type { NodeState } from './state.js';

/** What a node contributes to every node's trust store. */
export function trustEntriesOf(node: NodeState, fqdn: string): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  const add = (unit: string, pem: string | undefined) => {
    if (pem) out.push([`${unit}-trust/${fqdn}.pem`, pem]);
  };
  add('CallManager', node.certs.CallManager?.certPem);
  add('tomcat', node.certs.tomcat?.certPem);
  add('ipsec', node.certs.ipsec?.certPem);
  add('TVS', node.certs.TVS?.certPem);
  if (node.certs.CAPF) out.push([`CallManager-trust/CAPF-${node.capfTag}.pem`, node.certs.CAPF.certPem]);
  if (node.certs.CAPF) out.push([`CAPF-trust/CAPF-${node.capfTag}.pem`, node.certs.CAPF.certPem]);
  if (node.publisher && node.certs.ITLRecovery) add('ITLRecovery', node.certs.ITLRecovery.certPem);
  // 11.x+: inferred: the -ECDSA twins join their RSA unit's trust store under their own <host>-EC name
  for (const [unit, store] of [
    ['CallManager-ECDSA', 'CallManager'],
    ['tomcat-ECDSA', 'tomcat'],
  ] as const) {
    const c = node.certs[unit];
    if (c) out.push([`${store}-trust/${commonNameFor(unit, fqdn, node.capfTag)}.pem`, c.certPem]);
  }
  return out;
}

export function applyTrustFrom(lab: LabCore, target: NodeState, source: NodeState): void {
  for (const [key, pem] of trustEntriesOf(source, lab.fqdn(source))) target.trust[key] = pem;
}

/** A certificate change reaches every node that is up; the others catch up when powered on. */
export function replicateCert(lab: LabCore, source: NodeState, unit: string): void {
  void unit; // every entry of the source is re-sent: replication is idempotent
  const entries = trustEntriesOf(source, lab.fqdn(source));
  for (const n of lab.state.nodes) {
    for (const [key, pem] of entries) {
      if (n.up) n.trust[key] = pem;
      else n.pendingReplication.push({ kind: 'trust', key, pem });
    }
  }
}

/** A node back up: the events it missed, then every other node's current entries. */
export function catchUp(lab: LabCore, node: NodeState): void {
  for (const ev of node.pendingReplication) {
    if (ev.kind === 'trust') {
      if (ev.pem === null) delete node.trust[ev.key];
      else node.trust[ev.key] = ev.pem;
    } else lab.stageTftp(node, 'CTLFile.tlv', ev.data === null ? null : Buffer.from(ev.data, 'base64'));
  }
  node.pendingReplication = [];
  for (const n of lab.state.nodes) if (n !== node) applyTrustFrom(lab, node, n);
}
