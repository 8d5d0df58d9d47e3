// Self-signed certificates laid out as a CUCM 10.x system makes them (matched field by field with
// the certificates of a real CUCM CTL): subject C, O, OU, CN, ST, L; PrintableString where the value
// allows it, UTF8String otherwise; a 16-byte serial; validity 365-day years minus one second; three
// extensions per unit. Also the reader that takes any certificate DER apart without re-encoding it.
import { createHash, createSign, KeyObject } from 'node:crypto';
import * as der from './der.js';
import { publicKeyInfo } from './keys.js';

export const OID = {
  rsaEncryption: '1.2.840.113549.1.1.1',
  sha1WithRSA: '1.2.840.113549.1.1.5',
  sha256WithRSA: '1.2.840.113549.1.1.11',
  ecdsaWithSHA256: '1.2.840.10045.4.3.2',
  ecdsaWithSHA384: '1.2.840.10045.4.3.3',
  keyUsage: '2.5.29.15',
  extKeyUsage: '2.5.29.37',
  subjectKeyIdentifier: '2.5.29.14',
  serverAuth: '1.3.6.1.5.5.7.3.1',
  clientAuth: '1.3.6.1.5.5.7.3.2',
  ipsecEndSystem: '1.3.6.1.5.5.7.3.5',
} as const;

/** Attribute types by short name (Java's keywords). */
export const NAME_OIDS: Record<string, string> = {
  CN: '2.5.4.3',
  C: '2.5.4.6',
  L: '2.5.4.7',
  ST: '2.5.4.8',
  STREET: '2.5.4.9',
  O: '2.5.4.10',
  OU: '2.5.4.11',
  SERIALNUMBER: '2.5.4.5',
  T: '2.5.4.12',
  DC: '0.9.2342.19200300.100.1.25',
  UID: '0.9.2342.19200300.100.1.1',
  EMAILADDRESS: '1.2.840.113549.1.9.1',
};
const SHORT_NAMES = new Map(Object.entries(NAME_OIDS).map(([k, v]) => [v, k]));

/** The order a CUCM 10.x self-signed certificate's subject is encoded in. */
export const SUBJECT_ORDER = ['C', 'O', 'OU', 'CN', 'ST', 'L'] as const;

// X.680 PrintableString alphabet
const PRINTABLE = /^[A-Za-z0-9 '()+,\-./:=?]*$/;

/** The string type CUCM's platform picks for a value: PrintableString when it can, else UTF8String. */
export function stringTag(value: string): number {
  return PRINTABLE.test(value) ? der.Tag.PrintableString : der.Tag.UTF8String;
}

export interface NameAttr {
  short: string;
  oid: string;
  /** the ASN.1 string type it was encoded with */
  tag: number;
  value: string;
}

export function encodeName(attrs: Array<{ short: string; value: string }>): Buffer {
  return der.seq(
    ...attrs.map((a) => {
      const oid = NAME_OIDS[a.short];
      if (!oid) throw new Error(`unknown name attribute ${a.short}`);
      return der.set(der.seq(der.oid(oid), der.tlv(stringTag(a.value), Buffer.from(a.value, 'utf8'))));
    }),
  );
}

// ---------------------------------------------------------------- extensions per unit

const KU_BITS = ['digitalSignature', 'nonRepudiation', 'keyEncipherment', 'dataEncipherment', 'keyAgreement', 'keyCertSign', 'cRLSign', 'encipherOnly', 'decipherOnly'];

interface UnitProfile {
  keyUsage: string[];
  extKeyUsage: string[];
}

// As the certificates of a real 10.x cluster carry them (CallManager, CAPF, ITLRecovery); the other
// units have no sample and follow CallManager.
const SERVER_PROFILE: UnitProfile = {
  keyUsage: ['digitalSignature', 'keyEncipherment', 'dataEncipherment', 'keyAgreement', 'keyCertSign'],
  extKeyUsage: [OID.serverAuth, OID.clientAuth, OID.ipsecEndSystem],
};
// inferred: no -ECDSA sample; an EC key cannot encipher, so the RSA units' encipherment bits are left out
const ECDSA_PROFILE: UnitProfile = {
  keyUsage: ['digitalSignature', 'keyAgreement', 'keyCertSign'],
  extKeyUsage: [OID.serverAuth, OID.clientAuth, OID.ipsecEndSystem],
};
const PROFILES: Record<string, UnitProfile> = {
  'CallManager-ECDSA': ECDSA_PROFILE,
  'tomcat-ECDSA': ECDSA_PROFILE,
  CAPF: { keyUsage: ['digitalSignature', 'keyEncipherment', 'keyCertSign'], extKeyUsage: [OID.serverAuth, OID.ipsecEndSystem] },
  ITLRecovery: { keyUsage: ['digitalSignature', 'keyEncipherment', 'dataEncipherment', 'keyAgreement'], extKeyUsage: [OID.serverAuth, OID.clientAuth] },
};

/** KeyUsage as a DER named-bit BIT STRING: trailing zero bits dropped, unused-bit count set. */
export function keyUsageBits(names: string[]): Buffer {
  const idx = names.map((n) => KU_BITS.indexOf(n));
  const top = Math.max(...idx);
  const bytes = Buffer.alloc(Math.floor(top / 8) + 1);
  for (const i of idx) bytes[i >> 3] |= 0x80 >> (i & 7);
  const unused = 7 - (top & 7);
  return der.bits(bytes, unused);
}

/** One Extension; `critical` adds the BOOLEAN TRUE (DER leaves out the FALSE default). */
export function extension(oid: string, value: Buffer, critical = false): Buffer {
  return critical ? der.seq(der.oid(oid), der.tlv(der.Tag.BOOLEAN, Buffer.from([0xff])), der.octets(value)) : der.seq(der.oid(oid), der.octets(value));
}

/** The subjectPublicKey bits of an SPKI (what a SubjectKeyIdentifier hashes). */
export function spkiKeyBits(spki: Buffer): Buffer {
  const [, key] = der.children(der.read(spki));
  return key.content.subarray(1);
}

// ---------------------------------------------------------------- issuing

export interface IssueSpec {
  commonName: string;
  fields: { OU: string; O: string; L: string; ST: string; C: string };
  key: KeyObject;
  serial: Buffer;
  notBefore: Date;
  years: number;
  /** unit name: picks the key usage profile */
  unit: string;
  /** default: SHA-1 for 1024-bit RSA keys (made at install), SHA-256 for larger (regenerated), SHA-384 for EC */
  hash?: 'sha1' | 'sha256' | 'sha384';
}

const DAY_MS = 86_400_000;

/** Validity CUCM gives a certificate: whole 365-day years, ending one second before. */
export function validity(notBefore: Date, years: number): { notBefore: Date; notAfter: Date } {
  const from = Math.floor(notBefore.getTime() / 1000) * 1000;
  return { notBefore: new Date(from), notAfter: new Date(from + years * 365 * DAY_MS - 1000) };
}

export function issueSelfSignedDer(spec: IssueSpec): Buffer {
  const { der: spki, bits: bitsLen, type } = publicKeyInfo(spec.key);
  const hash = spec.hash ?? (type === 'ec' ? 'sha384' : bitsLen <= 1024 ? 'sha1' : 'sha256');
  const sigAlg = signatureAlgorithm(type, hash);
  const values: Record<string, string> = { ...spec.fields, CN: spec.commonName };
  const name = encodeName(SUBJECT_ORDER.filter((k) => values[k] !== '').map((k) => ({ short: k, value: values[k] })));
  const v = validity(spec.notBefore, spec.years);
  const profile = PROFILES[spec.unit] ?? SERVER_PROFILE;
  const ski = createHash('sha1').update(spkiKeyBits(spki)).digest();
  const tbs = der.seq(
    der.explicit(0, der.smallInt(2)),
    der.unsignedInt(spec.serial),
    sigAlg,
    name,
    der.seq(der.time(v.notBefore), der.time(v.notAfter)),
    name,
    spki,
    der.explicit(
      3,
      der.seq(
        extension(OID.keyUsage, keyUsageBits(profile.keyUsage)),
        extension(OID.extKeyUsage, der.seq(...profile.extKeyUsage.map((o) => der.oid(o)))),
        extension(OID.subjectKeyIdentifier, der.octets(ski)),
      ),
    ),
  );
  // ECDSA signatures are the DER SEQUENCE of r and s (node's default encoding), as X.509 wants them
  const signature = createSign(hash).update(tbs).sign(spec.key);
  return der.seq(tbs, sigAlg, der.bits(signature));
}

/** AlgorithmIdentifier of the signature: RSA ones carry a NULL parameter, ECDSA ones none (RFC 5758). */
function signatureAlgorithm(type: 'rsa' | 'ec', hash: 'sha1' | 'sha256' | 'sha384'): Buffer {
  if (type === 'ec') {
    if (hash === 'sha1') throw new Error('ECDSA certificates are signed with SHA-256 or SHA-384');
    return der.seq(der.oid(hash === 'sha256' ? OID.ecdsaWithSHA256 : OID.ecdsaWithSHA384));
  }
  if (hash === 'sha384') throw new Error('RSA certificates are signed with SHA-1 or SHA-256');
  return der.seq(der.oid(hash === 'sha1' ? OID.sha1WithRSA : OID.sha256WithRSA), der.nullValue());
}

export function toPem(certDer: Buffer): string {
  const b64 = certDer.toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n$/, '');
  return `-----BEGIN CERTIFICATE-----\n${b64}\n-----END CERTIFICATE-----\n`;
}

// ---------------------------------------------------------------- reading

export interface Extension {
  oid: string;
  critical: boolean;
  /** the extnValue contents */
  value: Buffer;
}

export interface ParsedCert {
  version: number;
  /** the INTEGER's value bytes without a sign-only leading zero */
  serial: Buffer;
  signatureOid: string;
  issuer: NameAttr[];
  subject: NameAttr[];
  notBefore: Date;
  notAfter: Date;
  spki: Buffer;
  extensions: Extension[];
  signature: Buffer;
}

function readName(n: der.Node): NameAttr[] {
  der.expectTag(n, der.Tag.SEQUENCE, 'Name');
  const out: NameAttr[] = [];
  for (const rdn of der.children(n)) {
    der.expectTag(rdn, der.Tag.SET, 'RDN');
    for (const atv of der.children(rdn)) {
      const [t, v] = der.children(der.expectTag(atv, der.Tag.SEQUENCE, 'AttributeTypeAndValue'));
      if (!t || !v) throw new der.DerError('short AttributeTypeAndValue');
      const oid = der.readOid(t);
      out.push({ oid, short: SHORT_NAMES.get(oid) ?? `OID.${oid}`, tag: v.tag, value: der.readString(v) });
    }
  }
  return out;
}

/** Takes a certificate apart; throws der.DerError when it is not one. */
export function parseCertificate(certDer: Buffer): ParsedCert {
  const top = der.expectTag(der.read(certDer), der.Tag.SEQUENCE, 'Certificate');
  const [tbsNode, algNode, sigNode] = der.children(top);
  if (!sigNode) throw new der.DerError('short Certificate');
  const t = der.children(der.expectTag(tbsNode, der.Tag.SEQUENCE, 'TBSCertificate'));
  let i = 0;
  let version = 1;
  if (t[0]?.tag === 0xa0) version = der.children(t[i++])[0].content[0] + 1;
  const serialNode = der.expectTag(t[i++], der.Tag.INTEGER, 'serialNumber');
  let serial = serialNode.content;
  if (serial.length > 1 && serial[0] === 0 && serial[1] & 0x80) serial = serial.subarray(1);
  i++; // the TBS signature algorithm repeats the outer one
  const issuer = readName(t[i++]);
  const [nb, na] = der.children(der.expectTag(t[i++], der.Tag.SEQUENCE, 'Validity'));
  const subject = readName(t[i++]);
  const spki = der.expectTag(t[i++], der.Tag.SEQUENCE, 'SubjectPublicKeyInfo').raw;
  const extensions: Extension[] = [];
  for (; i < t.length; i++) {
    if (t[i].tag !== 0xa3) continue;
    for (const e of der.children(der.children(t[i])[0])) {
      const parts = der.children(e);
      const critical = parts.length === 3 && parts[1].tag === der.Tag.BOOLEAN && parts[1].content[0] !== 0;
      extensions.push({ oid: der.readOid(parts[0]), critical, value: parts[parts.length - 1].content });
    }
  }
  return {
    version,
    serial: Buffer.from(serial),
    signatureOid: der.readOid(der.children(algNode)[0]),
    issuer,
    subject,
    notBefore: der.readTime(nb),
    notAfter: der.readTime(na),
    spki: Buffer.from(spki),
    extensions,
    signature: Buffer.from(der.expectTag(sigNode, der.Tag.BIT_STRING, 'signature').content.subarray(1)),
  };
}
