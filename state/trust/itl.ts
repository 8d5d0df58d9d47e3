// What CUCM 10.5 puts in a TFTP node's ITLFile.tlv, record by record (see the seeds' show itl).
import { buildTrustList, TrustRecord } from './tlv-build.js';
import { Role } from './tlv.js';
import { certView, CertView } from '../crypto/certs.js';
import { fullRecord, signerFrom, TrustCluster, TrustNode } from './records.js';

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
  if (c.rollbackToPre80) {
    // "Prepare Cluster for Rollback to pre 8.0": a signed ITL with no trust entries beyond its signer
    return [fullRecord(cm, Role.SAST, ITL_DNS)];
  }
  const recs: TrustRecord[] = [fullRecord(cm, Role.SAST, ITL_DNS), fullRecord(cm, mixed ? Role.CCM_TFTP : Role.TFTP, ITL_DNS)];
  if (c.capfActive) recs.push(hashRecord(certView(pub.certs.CAPF.certPem), Role.CAPF));
  if (node.callmanager) recs.push(hashRecord(certView(node.certs.TVS.certPem), Role.TVS));
  recs.push(fullRecord(certView(pub.certs.ITLRecovery.certPem), Role.SAST, ITL_DNS));
  for (const n of c.nodes.filter((x) => x.callmanager)) if (n !== node) recs.push(hashRecord(certView(n.certs.TVS.certPem), Role.TVS));
  return recs;
}

/** A node's ITLFile.tlv, signed by its CallManager key, or (ITL reset) the publisher's ITLRecovery key. */
export function buildItl(c: TrustCluster, node: TrustNode, signer: 'CallManager' | 'ITLRecovery'): Buffer {
  const signingNode = signer === 'ITLRecovery' ? c.publisher : node;
  const unitCert = signingNode.certs[signer];
  return buildTrustList({
    filename: 'ITLFile.tlv',
    timestamp: Math.floor(c.nowMs / 1000),
    signer: signerFrom(certView(unitCert.certPem), unitCert.keyPem),
    records: itlRecords(c, signer === 'ITLRecovery' ? c.publisher : node),
  });
}
