// What CUCM puts in a TFTP node's ITLFile.tlv, record by record: 10.5 as the seeds' show itl shows it;
// from 12.0 ITLRecovery signs it and its SAST record comes first.
import { buildTrustList, TrustRecord } from './tlv-build.js';
import { Role } from './tlv.js';
import { certView, CertView } from '../crypto/certs.js';
import { fullRecord, signerFrom, TrustCluster, TrustNode } from './records.js';
import type { SigningUnit } from '../cluster/profile.js';

/** CUCM writes a two-byte empty DNSNAME in ITL records. */
const ITL_DNS = Buffer.from([0, 0]);

function hashRecord(v: CertView, func: number): TrustRecord {
  return {
    dnsName: ITL_DNS,
    subjectName: v.subject,
    func,
    issuerName: v.issuer,
    serial: v.serial,
    publicKey: v.publicKeyPkcs1,
    certSignature: v.signature,
    certHash: v.sha1,
    hashAlgorithm: 1,
  };
}

/** Records of a TFTP node's ITL, in the order the seeds show them. */
export function itlRecords(c: TrustCluster, node: TrustNode): TrustRecord[] {
  const pub = c.publisher;
  // the records come from the database's copy of the certificate (see NodeState.dbCallManagerPem)
  const cm = certView(node.dbCallManagerPem ?? node.certs.CallManager.certPem);
  const mixed = c.mixed;
  // inferred (12.x+): ITLRecovery keeps the SAST FUNCTION seed 001 shows on 10.x (no later show itl was found)
  const recovery = fullRecord(certView(pub.certs.ITLRecovery.certPem), Role.SAST, ITL_DNS);
  const byRecovery = c.itlSigner === 'ITLRecovery';
  if (c.rollbackToPre80) {
    // "Prepare Cluster for Rollback to pre 8.0": a signed ITL with no trust entries beyond its signer
    return [byRecovery ? recovery : fullRecord(cm, Role.SAST, ITL_DNS)];
  }
  // inferred (12.0+): the signer's SAST record first, as in 10.5; the rest keeps the 10.5 order
  const recs: TrustRecord[] = byRecovery ? [recovery] : [];
  // inferred: no CallManager-ECDSA record (the guides' ITL contents list none; their ECDSA chapter says devices need one)
  recs.push(fullRecord(cm, Role.SAST, ITL_DNS), fullRecord(cm, mixed ? Role.CCM_TFTP : Role.TFTP, ITL_DNS));
  if (c.capfActive) recs.push(hashRecord(certView(pub.certs.CAPF.certPem), Role.CAPF));
  if (node.callmanager) recs.push(hashRecord(certView(node.certs.TVS.certPem), Role.TVS));
  if (!byRecovery) recs.push(recovery);
  for (const n of c.nodes.filter((x) => x.callmanager)) if (n !== node) recs.push(hashRecord(certView(n.certs.TVS.certPem), Role.TVS));
  return recs;
}

/**
 * A node's ITLFile.tlv with its records, signed by `signer`: the release's ITL signer, or the other
 * key after `utils itl reset` (ITLRecovery is the publisher's pair; CallManager is `node`'s own key).
 */
export function buildItl(c: TrustCluster, node: TrustNode, signer: SigningUnit = c.itlSigner): Buffer {
  const signingNode = signer === 'ITLRecovery' ? c.publisher : node;
  const unitCert = signingNode.certs[signer];
  return buildTrustList({
    filename: 'ITLFile.tlv',
    timestamp: Math.floor(c.nowMs / 1000),
    signer: signerFrom(certView(unitCert.certPem), unitCert.keyPem),
    records: itlRecords(c, node),
  });
}
