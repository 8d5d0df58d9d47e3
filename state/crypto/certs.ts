// Real self-signed X.509 certificates for the CUCM certificate units. node-forge assembles the
// certificate structure; the signature is made with Node's native RSA (much faster than forge's).
import { createPublicKey, createSign, KeyObject, X509Certificate, createHash } from 'node:crypto';
import forge from 'node-forge';

export const CERT_UNITS = ['CallManager', 'TVS', 'CAPF', 'ITLRecovery', 'tomcat', 'ipsec'] as const;
export type CertUnit = (typeof CERT_UNITS)[number];

export interface SubjectFields {
  OU: string;
  O: string;
  L: string;
  ST: string;
  C: string;
}

/** A certificate and its key as the lab stores them. */
export interface StoredCert {
  unit: string;
  certPem: string;
  keyPem: string;
  /** '' for self-signed; otherwise the description CUCM shows */
  description: string;
}

export interface CertView {
  der: Buffer;
  subject: string; // CUCM name string CN=..;OU=..;O=..;L=..;ST=..;C=..
  issuer: string;
  serial: Buffer;
  serialHex: string; // colon separated, upper case
  publicKeyPkcs1: Buffer;
  signature: Buffer;
  notBefore: Date;
  notAfter: Date;
  keyBits: number;
  sha1: Buffer;
  publicKey: KeyObject;
}

const viewCache = new Map<string, CertView>();

/** CUCM prints names with a fixed attribute order regardless of the DER order. */
export function cucmName(attrs: { shortName?: string; value?: unknown }[]): string {
  const order = ['CN', 'OU', 'O', 'L', 'ST', 'C'];
  const parts: string[] = [];
  for (const k of order) {
    const a = attrs.find((x) => x.shortName === k);
    if (a) parts.push(`${k}=${String(a.value)}`);
  }
  return parts.join(';');
}

export function certView(certPem: string): CertView {
  const hit = viewCache.get(certPem);
  if (hit) return hit;
  const x = new X509Certificate(certPem);
  const fc = forge.pki.certificateFromPem(certPem);
  const der = x.raw;
  const serial = Buffer.from(x.serialNumber, 'hex');
  const pub = x.publicKey;
  const pkcs1 = pub.export({ type: 'pkcs1', format: 'der' }) as Buffer;
  const view: CertView = {
    der,
    subject: cucmName(fc.subject.attributes),
    issuer: cucmName(fc.issuer.attributes),
    serial,
    serialHex: [...serial].map((b) => b.toString(16).padStart(2, '0').toUpperCase()).join(':'),
    publicKeyPkcs1: pkcs1,
    signature: Buffer.from(fc.signature as string, 'binary'),
    notBefore: new Date(x.validFrom),
    notAfter: new Date(x.validTo),
    keyBits: (pub.asymmetricKeyDetails?.modulusLength as number) ?? 0,
    sha1: createHash('sha1').update(der).digest(),
    publicKey: pub,
  };
  if (viewCache.size > 2000) viewCache.clear();
  viewCache.set(certPem, view);
  return view;
}

// ---------------------------------------------------------------- issuing

export interface IssueSpec {
  commonName: string;
  fields: SubjectFields;
  key: KeyObject;
  serial: Buffer;
  notBefore: Date;
  years: number;
  /** unit name, used for the key usage profile */
  unit: string;
}

/** Builds a self-signed certificate; forge lays out the TBS, Node's crypto signs it. */
export function issueSelfSigned(spec: IssueSpec): string {
  const cert = forge.pki.createCertificate();
  const pubPem = createPublicKey(spec.key).export({ type: 'spki', format: 'pem' }).toString();
  cert.publicKey = forge.pki.publicKeyFromPem(pubPem);
  cert.serialNumber = spec.serial.toString('hex');
  cert.validity.notBefore = new Date(Math.floor(spec.notBefore.getTime() / 1000) * 1000);
  const end = new Date(cert.validity.notBefore);
  end.setUTCFullYear(end.getUTCFullYear() + spec.years);
  cert.validity.notAfter = end;
  const attrs = [
    { shortName: 'CN', value: spec.commonName },
    { shortName: 'OU', value: spec.fields.OU },
    { shortName: 'O', value: spec.fields.O },
    { shortName: 'L', value: spec.fields.L },
    { shortName: 'ST', value: spec.fields.ST },
    { shortName: 'C', value: spec.fields.C },
  ];
  cert.setSubject(attrs);
  cert.setIssuer(attrs);
  const isCa = spec.unit === 'CAPF' || spec.unit === 'ITLRecovery' || spec.unit === 'CallManager';
  cert.setExtensions([
    { name: 'basicConstraints', cA: isCa },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, dataEncipherment: true, keyCertSign: isCa },
    { name: 'extKeyUsage', serverAuth: true, clientAuth: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  cert.siginfo.algorithmOid = forge.pki.oids.sha256WithRSAEncryption;
  (cert as unknown as { signatureOid: string }).signatureOid = forge.pki.oids.sha256WithRSAEncryption;
  const tbs = forge.asn1.toDer((forge.pki as unknown as { getTBSCertificate(c: forge.pki.Certificate): forge.asn1.Asn1 }).getTBSCertificate(cert)).getBytes();
  const sig = createSign('sha256').update(Buffer.from(tbs, 'binary')).sign(spec.key);
  (cert as unknown as { signature: string }).signature = sig.toString('binary');
  return forge.pki.certificateToPem(cert);
}

/** Subject CN for a unit as CUCM names them. */
export function commonNameFor(unit: string, fqdn: string, capfTag: string): string {
  switch (unit) {
    case 'CAPF':
      return `CAPF-${capfTag}`;
    case 'ITLRecovery':
      return `ITLRECOVERY_${fqdn}`;
    default:
      return fqdn;
  }
}
