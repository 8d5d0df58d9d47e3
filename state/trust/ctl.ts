// The CTLFile.tlv of a cluster: tokenless (signed by the publisher's CallManager key, or from 12.0 its
// ITLRecovery key) or made earlier by the CTL Client with two hardware USB eTokens.
import { KeyObject } from 'node:crypto';
import { buildTrustList, TrustRecord } from './tlv-build.js';
import { Role } from './tlv.js';
import { certView } from '../crypto/certs.js';
import { privateKey } from '../crypto/keys.js';
import { ETOKEN_CN_PAD, issueEtokenDer, issueMfgCaDer } from '../crypto/etoken-cert.js';
import { toPem } from '../crypto/x509.js';
import { fullRecord, signerFrom, TrustCluster, TrustNode } from './records.js';
import type { SigningUnit } from '../cluster/profile.js';

function ipBytes(ip: string): Buffer {
  const parts = ip.split('.').map((p) => Number(p));
  if (parts.length !== 4 || parts.some((p) => !(p >= 0 && p <= 255))) return Buffer.alloc(4);
  return Buffer.from(parts);
}

function cstrBuf(s: string): Buffer {
  return Buffer.concat([Buffer.from(s, 'latin1'), Buffer.from([0])]);
}

/**
 * Tokenless CTL: the SAST records of the release (10.5(1): CallManager; 10.5(2)/11.x: CallManager then
 * ITLRecovery; 12.x+: ITLRecovery then CallManager), the publisher's CCM+TFTP and CAPF records, then
 * the other servers. `signer` signs it: the first SAST role, or CallManager after `utils ctl reset localkey`.
 */
export function buildCtl(c: TrustCluster, signer: SigningUnit = c.ctlSigners[0]): Buffer {
  const pub = c.publisher;
  const mixed = c.mixed;
  // inferred: both signing units are SAST records, ITLRecovery as on the 10.x ITL (no 10.5(2)+ show ctl was found)
  const sast = (unit: SigningUnit) => fullRecord(certView(pub.certs[unit].certPem), Role.SAST, cstrBuf(pub.name), ipBytes(pub.ip));
  const [first, ...more] = c.ctlSigners;
  const recs: TrustRecord[] = [sast(first)];
  const serverRecord = (n: TrustNode): TrustRecord =>
    mixed
      ? fullRecord(certView(n.certs.CallManager.certPem), Role.CCM_TFTP, cstrBuf(n.name), ipBytes(n.ip))
      : // non-secure mode leaves placeholder server records: name as address text, role, address
        { dnsName: cstrBuf(n.ip), func: Role.CCM_TFTP, ip: ipBytes(n.ip) };
  recs.push(serverRecord(pub));
  if (c.capfActive) recs.push(fullRecord(certView(pub.certs.CAPF.certPem), Role.CAPF, cstrBuf(pub.name), ipBytes(pub.ip)));
  // inferred: the second SAST record follows the publisher's own records (no 10.5(2)+ show ctl was found)
  for (const unit of more) recs.push(sast(unit));
  for (const n of c.nodes) if (n !== pub && (n.callmanager || n.tftp)) recs.push(serverRecord(n));
  const s = pub.certs[signer];
  return buildTrustList({
    filename: 'CTLFile.tlv',
    timestamp: Math.floor(c.nowMs / 1000),
    signer: signerFrom(certView(s.certPem), s.keyPem),
    records: recs,
  });
}

// ---------------------------------------------------------------- hardware eTokens (pre-10.0 CTL Client)

export interface EtokenState {
  caCertPem: string;
  tokens: Array<{ certPem: string; keyPem: string; label: string }>;
}

const MFG_ISSUER = 'cn=Cisco Manufacturing CA;o=Cisco Systems';

/**
 * Two USB eToken certificates issued by a stand-in for the Cisco Manufacturing CA (keys[0]; the
 * tokens get keys[1..]). Labels look like the seeds' SAST-ADN008580ef: "00" and six hex digits.
 */
export function createEtokens(keys: KeyObject[], serials: Buffer[], atMs: number): EtokenState {
  const [caKey, ...tokenKeys] = keys;
  const caCertPem = toPem(issueMfgCaDer(caKey, serials[0], atMs));
  const tokens = tokenKeys.map((k, i) => {
    const s = serials[i + 1];
    const label = `SAST-ADN00${s.subarray(8, 11).toString('hex')}`;
    const certPem = toPem(issueEtokenDer(label, k, s, caKey, atMs));
    return { certPem, keyPem: k.export({ type: 'pkcs8', format: 'pem' }).toString(), label };
  });
  return { caCertPem, tokens };
}

/** The subject string the Windows CTL Client wrote for eToken records. */
export function etokenSubject(label: string): string {
  return `cn="${label}${ETOKEN_CN_PAD}";ou=IPCBU;o="Cisco Systems`;
}

/** A CTL as the CTL Client made it with two hardware eTokens; the second token signed it. */
export function buildEtokenCtl(c: TrustCluster, et: EtokenState): Buffer {
  const pub = c.publisher;
  const tokenRecord = (t: EtokenState['tokens'][number]): TrustRecord => {
    const v = certView(t.certPem);
    return {
      dnsName: Buffer.from([0]),
      subjectName: etokenSubject(t.label),
      func: Role.SAST,
      issuerName: MFG_ISSUER,
      serial: v.serial,
      publicKey: v.publicKeyPkcs1,
      certificate: v.der,
      ip: Buffer.alloc(4),
    };
  };
  const recs: TrustRecord[] = [tokenRecord(et.tokens[0])];
  recs.push(fullRecord(certView(pub.certs.CallManager.certPem), Role.CCM_TFTP, cstrBuf(pub.name), ipBytes(pub.ip)));
  recs.push(fullRecord(certView(pub.certs.CAPF.certPem), Role.CAPF, cstrBuf(pub.name), ipBytes(pub.ip)));
  for (const n of c.nodes) if (n !== pub && (n.callmanager || n.tftp)) recs.push(fullRecord(certView(n.certs.CallManager.certPem), Role.CCM_TFTP, cstrBuf(n.name), ipBytes(n.ip)));
  recs.push(tokenRecord(et.tokens[1]));
  // inferred: the release's own SAST records (11.5+) follow the tokens
  for (const unit of c.tokenCtlUnits) recs.push(fullRecord(certView(pub.certs[unit].certPem), Role.SAST, cstrBuf(pub.name), ipBytes(pub.ip)));
  const signerTok = et.tokens[1];
  const v = certView(signerTok.certPem);
  return buildTrustList({
    filename: 'CTLFile.tlv',
    timestamp: Math.floor(c.nowMs / 1000) - 86400,
    signer: { name: etokenSubject(signerTok.label), serial: v.serial, issuer: MFG_ISSUER, key: privateKey(signerTok.keyPem), keyBytes: v.keyBits / 8 },
    records: recs,
  });
}
