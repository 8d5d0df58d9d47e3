// What the trust files are built from: the cluster as they see it, certificate records and signers.
import type { CertView, StoredCert } from '../crypto/certs.js';
import { privateKey } from '../crypto/keys.js';
import type { SignerSpec, TrustRecord } from './tlv-build.js';
import type { SigningUnit } from '../cluster/profile.js';

/** A node as the trust files need it (the cluster's nodes have these fields). */
export interface TrustNode {
  name: string;
  ip: string;
  callmanager: boolean;
  tftp: boolean;
  certs: Record<string, StoredCert>;
  /** the CallManager certificate the database lists, when it differs from CallManager.pem */
  dbCallManagerPem?: string;
}

/** The cluster at the moment a trust file is built; nodes are compared by identity. */
export interface TrustCluster {
  publisher: TrustNode;
  nodes: TrustNode[];
  /** cluster security mode 1 */
  mixed: boolean;
  /** enterprise parameter "Prepare Cluster for Rollback to pre 8.0" */
  rollbackToPre80: boolean;
  /** the publisher's CAPF service is activated */
  capfActive: boolean;
  nowMs: number;
  /** the release's tokenless CTL SAST records in order, the first signing (cluster/profile.ts) */
  ctlSigners: readonly SigningUnit[];
  /** the key that signs an ITL outside a reset */
  itlSigner: SigningUnit;
  /** the publisher's units an eToken CTL lists after its tokens (cluster/profile.ts) */
  tokenCtlUnits: readonly SigningUnit[];
}

export function fullRecord(v: CertView, func: number, dns: Buffer, ip?: Buffer): TrustRecord {
  return {
    dnsName: dns,
    subjectName: v.subject,
    func,
    issuerName: v.issuer,
    serial: v.serial,
    publicKey: v.publicKeyPkcs1,
    certSignature: v.signature,
    certificate: v.der,
    ip,
  };
}

export function signerFrom(v: CertView, keyPem: string): SignerSpec {
  return { name: v.subject, serial: v.serial, issuer: v.issuer, key: privateKey(keyPem), keyBytes: v.keyBits / 8 };
}
