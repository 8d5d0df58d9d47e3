// Real self-signed X.509 certificates for the CUCM certificate units. node-forge assembles the
// certificate structure; the signature is made with Node's native RSA (much faster than forge's).
import { createPrivateKey, createPublicKey, createSign, generateKeyPair, KeyObject, X509Certificate, createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import forge from 'node-forge';
import { projectRoot } from '../paths.js';

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
const keyCache = new Map<string, KeyObject>();

/** Parsed private keys, cached by PEM: the same few keys sign every trust file. */
export function privateKey(pem: string): KeyObject {
  let k = keyCache.get(pem);
  if (!k) {
    if (keyCache.size > 2000) keyCache.clear();
    k = createPrivateKey(pem);
    keyCache.set(pem, k);
  }
  return k;
}

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

// ---------------------------------------------------------------- keys

export interface KeySource {
  /** Returns a private key of the given size. */
  take(bits: 1024 | 2048): Promise<KeyObject>;
  /** 16 serial bytes with the top bit clear. */
  serial(): Buffer;
}

let poolCache: Record<number, string[]> = {};
function pool(bits: number): string[] {
  if (!poolCache[bits]) {
    const text = readFileSync(join(projectRoot(), 'state', 'crypto', 'keypool', `rsa${bits}.pem`), 'utf8');
    poolCache[bits] = text.split(/(?=-----BEGIN PRIVATE KEY-----)/).filter((s) => s.trim());
  }
  return poolCache[bits];
}

/** Deterministic keys and serials: a committed key pool walked from a seeded position. */
export class SeededKeys implements KeySource {
  constructor(
    private seed: number,
    public counter: { keys: number; serials: number },
  ) {}
  async take(bits: 1024 | 2048): Promise<KeyObject> {
    const p = pool(bits);
    const i = this.counter.keys++;
    const idx = (this.seed * 7 + i) % p.length;
    return privateKey(p[idx]);
  }
  serial(): Buffer {
    const i = this.counter.serials++;
    const b = createHash('sha256').update(`serial:${this.seed}:${i}`).digest().subarray(0, 16);
    b[0] &= 0x7f;
    if (b[0] === 0) b[0] = 0x41;
    return Buffer.from(b);
  }
}

export class FreshKeys implements KeySource {
  async take(bits: 1024 | 2048): Promise<KeyObject> {
    return new Promise((resolve, reject) =>
      generateKeyPair('rsa', { modulusLength: bits, publicExponent: 65537 }, (err, _pub, priv) => (err ? reject(err) : resolve(priv))),
    );
  }
  serial(): Buffer {
    const b = forge.random.getBytesSync(16);
    const buf = Buffer.from(b, 'binary');
    buf[0] &= 0x7f;
    if (buf[0] === 0) buf[0] = 0x41;
    return buf;
  }
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

export function keyPem(key: KeyObject): string {
  return key.export({ type: 'pkcs8', format: 'pem' }).toString();
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

/** Bundles the ITLRecovery certificate and key as CUCM's ITLRecovery.p12. */
export function buildPkcs12(certPem: string, keyPemText: string, password: string, deterministicSeed?: string): Buffer {
  const key = forge.pki.privateKeyFromPem(keyPemText);
  const cert = forge.pki.certificateFromPem(certPem);
  const opts: Record<string, unknown> = { algorithm: '3des', friendlyName: 'ITLRecovery', generateLocalKeyId: true };
  if (deterministicSeed !== undefined) {
    // forge draws salts and IVs from its global PRNG; a seeded instance keeps the bytes reproducible
    const prng = forge.random.createInstance();
    let n = 0;
    prng.seedFileSync = (needed: number) => {
      let out = '';
      while (out.length < needed) out += createHash('sha256').update(`${deterministicSeed}:${n++}`).digest().toString('binary');
      return out.slice(0, needed);
    };
    const saved = forge.random.getBytesSync;
    forge.random.getBytesSync = (c: number) => (prng as unknown as { getBytesSync(n: number): string }).getBytesSync(c);
    try {
      const asn1 = forge.pkcs12.toPkcs12Asn1(key, [cert], password, opts);
      return Buffer.from(forge.asn1.toDer(asn1).getBytes(), 'binary');
    } finally {
      forge.random.getBytesSync = saved;
    }
  }
  const asn1 = forge.pkcs12.toPkcs12Asn1(key, [cert], password, opts);
  return Buffer.from(forge.asn1.toDer(asn1).getBytes(), 'binary');
}

/** Opens a PKCS#12 bag; returns undefined when the password is wrong or the bag is malformed. */
export function openPkcs12(p12: Buffer, password: string): { certPem: string; keyPem: string } | undefined {
  try {
    const asn1 = forge.asn1.fromDer(p12.toString('binary'));
    const bag = forge.pkcs12.pkcs12FromAsn1(asn1, true, password);
    const certBags = bag.getBags({ bagType: forge.pki.oids.certBag })[forge.pki.oids.certBag] ?? [];
    const keyBags = bag.getBags({ bagType: forge.pki.oids.pkcs8ShroudedKeyBag })[forge.pki.oids.pkcs8ShroudedKeyBag] ?? [];
    const c = certBags[0]?.cert;
    const k = keyBags[0]?.key;
    if (!c || !k) return undefined;
    return { certPem: forge.pki.certificateToPem(c), keyPem: forge.pki.privateKeyToPem(k) };
  } catch {
    return undefined;
  }
}

/** The PKCS#12 password is derived from the cluster security password (CUCM does not publish how). */
export function p12Password(clusterSecurityPassword: string): string {
  return clusterSecurityPassword;
}
