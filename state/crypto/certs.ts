// The CUCM certificate units and the lab's view of a certificate (what trust files and the CLI read).
import { KeyObject, X509Certificate, createHash } from 'node:crypto';
import { IssueSpec, issueSelfSignedDer, ParsedCert, parseCertificate, toPem } from './x509.js';

/** Every unit a release may have; which a node has is its release profile's choice (cluster/profile.ts). */
export const CERT_UNITS = ['CallManager', 'TVS', 'CAPF', 'ITLRecovery', 'tomcat', 'ipsec', 'CallManager-ECDSA', 'tomcat-ECDSA'] as const;
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
  /** the DER taken apart: names in encoded order, extensions, algorithm */
  parsed: ParsedCert;
}

const viewCache = new Map<string, CertView>();

/** CUCM prints names with a fixed attribute order regardless of the DER order. */
export function cucmName(attrs: { short: string; value: string }[]): string {
  const order = ['CN', 'OU', 'O', 'L', 'ST', 'C'];
  const parts: string[] = [];
  for (const k of order) {
    const a = attrs.find((x) => x.short === k);
    if (a) parts.push(`${k}=${a.value}`);
  }
  return parts.join(';');
}

export function certView(certPem: string): CertView {
  const hit = viewCache.get(certPem);
  if (hit) return hit;
  const x = new X509Certificate(certPem);
  const der = x.raw;
  const p = parseCertificate(der);
  const pub = x.publicKey;
  let pkcs1: Buffer = Buffer.alloc(0);
  if (pub.asymmetricKeyType === 'rsa') pkcs1 = pub.export({ type: 'pkcs1', format: 'der' }) as Buffer;
  const view: CertView = {
    der,
    subject: cucmName(p.subject),
    issuer: cucmName(p.issuer),
    serial: p.serial,
    serialHex: [...p.serial].map((b) => b.toString(16).padStart(2, '0').toUpperCase()).join(':'),
    publicKeyPkcs1: pkcs1,
    signature: p.signature,
    notBefore: p.notBefore,
    notAfter: p.notAfter,
    keyBits: keyBitsOf(pub),
    sha1: createHash('sha1').update(der).digest(),
    publicKey: pub,
    parsed: p,
  };
  if (viewCache.size > 2000) viewCache.clear();
  viewCache.set(certPem, view);
  return view;
}

const CURVE_BITS: Record<string, number> = { prime256v1: 256, secp384r1: 384, secp521r1: 521 };

/** RSA modulus size, or the size of an EC key's curve. */
function keyBitsOf(pub: KeyObject): number {
  const d = pub.asymmetricKeyDetails;
  if (pub.asymmetricKeyType === 'ec') return CURVE_BITS[d?.namedCurve ?? ''] ?? 0;
  return d?.modulusLength ?? 0;
}

// ---------------------------------------------------------------- issuing

export type { IssueSpec } from './x509.js';

/** A self-signed certificate as PEM (see x509.ts for the layout). */
export function issueSelfSigned(spec: IssueSpec): string {
  return toPem(issueSelfSignedDer(spec));
}

/** Subject CN for a unit as CUCM names them. */
export function commonNameFor(unit: string, fqdn: string, capfTag: string): string {
  switch (unit) {
    case 'CAPF':
      return `CAPF-${capfTag}`;
    case 'ITLRecovery':
      return `ITLRECOVERY_${fqdn}`;
    case 'CallManager-ECDSA':
    case 'tomcat-ECDSA': {
      // inferred: the -ECDSA units are named <host>-EC.<domain>, as fielded 11.x+ clusters show them
      const dot = fqdn.indexOf('.');
      return dot < 0 ? `${fqdn}-EC` : `${fqdn.slice(0, dot)}-EC${fqdn.slice(dot)}`;
    }
    default:
      return fqdn;
  }
}
