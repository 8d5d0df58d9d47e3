// Builder and parser for the CUCM trust-list format shared by ITLFile.tlv and CTLFile.tlv.
// Framing: 1-byte tag, 2-byte big-endian length, value; header tag 0x0D is a lone pad byte.
// The signature covers the whole file with the SIGNATURE TLV cut out.
import { createHash, createPublicKey, createVerify, createSign, KeyObject, X509Certificate } from 'node:crypto';

export const HeaderTag = {
  VERSION: 1,
  HEADERLENGTH: 2,
  SIGNERID: 3,
  SIGNERNAME: 4,
  SERIALNUMBER: 5,
  CANAME: 6,
  SIGNATUREINFO: 7,
  DIGESTALGORITHM: 8,
  SIGNATUREALGOINFO: 9,
  SIGNATUREALGORITHM: 10,
  SIGNATUREMODULUS: 11,
  SIGNATURE: 12,
  PADDING: 13,
  FILENAME: 14,
  TIMESTAMP: 15,
} as const;

export const RecordTag = {
  RECORDLENGTH: 1,
  DNSNAME: 2,
  SUBJECTNAME: 3,
  FUNCTION: 4,
  ISSUERNAME: 5,
  SERIALNUMBER: 6,
  PUBLICKEY: 7,
  SIGNATURE: 8,
  CERTIFICATE: 9,
  IPADDRESS: 10,
  CERTHASH: 11,
  HASHALGORITHM: 12,
} as const;

export const Role = {
  SAST: 0,
  CCM: 1,
  CCM_TFTP: 2,
  TFTP: 3,
  CAPF: 4,
  SRST: 5,
  APP_SERVER: 7,
  TVS: 21,
} as const;

export const ROLE_TEXT: Record<number, string> = {
  0: 'System Administrator Security Token',
  1: 'CCM',
  2: 'CCM+TFTP',
  3: 'TFTP',
  4: 'CAPF',
  5: 'SRST',
  7: 'APP-SERVER',
  21: 'TVS',
};

export interface TrustRecord {
  /** Raw DNSNAME value including its NUL terminator(s). */
  dnsName: Buffer;
  subjectName?: string;
  func: number;
  issuerName?: string;
  serial?: Buffer;
  /** PKCS#1 RSAPublicKey DER. */
  publicKey?: Buffer;
  /** The certificate's own signatureValue bytes; absent for eToken records. */
  certSignature?: Buffer;
  certificate?: Buffer;
  certHash?: Buffer;
  /** 1 = SHA-1. */
  hashAlgorithm?: number;
  ip?: Buffer;
}

export interface SignerSpec {
  name: string;
  serial: Buffer;
  issuer: string;
  key: KeyObject;
  /** modulus length in bytes */
  keyBytes: number;
}

export interface BuildSpec {
  filename: string;
  timestamp: number; // unix seconds
  signer: SignerSpec;
  records: TrustRecord[];
  /** raw bytes after the records, covered by the signature (a signed .sgn file carries its content here) */
  body?: Buffer;
}

function tlv(tag: number, value: Buffer): Buffer {
  if (value.length > 0xffff) throw new Error(`TLV value too long for tag ${tag}`);
  const head = Buffer.alloc(3);
  head[0] = tag;
  head.writeUInt16BE(value.length, 1);
  return Buffer.concat([head, value]);
}

function container(tag: number, inner: Buffer): Buffer {
  const head = Buffer.alloc(3);
  head[0] = tag;
  head.writeUInt16BE(inner.length, 1);
  return Buffer.concat([head, inner]);
}

export function cstr(s: string): Buffer {
  return Buffer.concat([Buffer.from(s, 'utf8'), Buffer.from([0])]);
}

function u8(n: number): Buffer {
  return Buffer.from([n & 0xff]);
}
function u16(n: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(n);
  return b;
}
function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0);
  return b;
}

export function modulusCode(keyBytes: number): number {
  const idx = [64, 128, 256, 512].indexOf(keyBytes);
  return idx < 0 ? 1 : idx;
}

export function encodeRecord(r: TrustRecord): Buffer {
  const parts: Buffer[] = [];
  parts.push(tlv(RecordTag.DNSNAME, r.dnsName));
  if (r.subjectName !== undefined) parts.push(tlv(RecordTag.SUBJECTNAME, cstr(r.subjectName)));
  parts.push(tlv(RecordTag.FUNCTION, u16(r.func)));
  if (r.issuerName !== undefined) parts.push(tlv(RecordTag.ISSUERNAME, cstr(r.issuerName)));
  if (r.serial) parts.push(tlv(RecordTag.SERIALNUMBER, r.serial));
  if (r.publicKey) parts.push(tlv(RecordTag.PUBLICKEY, r.publicKey));
  if (r.certSignature) parts.push(tlv(RecordTag.SIGNATURE, r.certSignature));
  if (r.certificate) parts.push(tlv(RecordTag.CERTIFICATE, r.certificate));
  if (r.ip) parts.push(tlv(RecordTag.IPADDRESS, r.ip));
  if (r.certHash) parts.push(tlv(RecordTag.CERTHASH, r.certHash));
  if (r.hashAlgorithm !== undefined) parts.push(tlv(RecordTag.HASHALGORITHM, u8(r.hashAlgorithm)));
  const body = Buffer.concat(parts);
  const total = 5 + body.length;
  return Buffer.concat([tlv(RecordTag.RECORDLENGTH, u16(total)), body]);
}

/** Builds and signs a trust list: RSA PKCS#1 v1.5 with SHA-1 over the file minus the SIGNATURE TLV. */
export function buildTrustList(spec: BuildSpec): Buffer {
  const { signer } = spec;
  const signerId = container(
    HeaderTag.SIGNERID,
    Buffer.concat([
      tlv(HeaderTag.SIGNERNAME, cstr(signer.name)),
      tlv(HeaderTag.SERIALNUMBER, signer.serial),
      tlv(HeaderTag.CANAME, cstr(signer.issuer)),
    ]),
  );
  const sigInfo = container(
    HeaderTag.SIGNATUREINFO,
    Buffer.concat([
      tlv(HeaderTag.DIGESTALGORITHM, u8(1)),
      container(
        HeaderTag.SIGNATUREALGOINFO,
        Buffer.concat([tlv(HeaderTag.SIGNATUREALGORITHM, u8(0)), tlv(HeaderTag.SIGNATUREMODULUS, u8(modulusCode(signer.keyBytes)))]),
      ),
    ]),
  );
  const tail = Buffer.concat([tlv(HeaderTag.FILENAME, cstr(spec.filename)), tlv(HeaderTag.TIMESTAMP, u32(spec.timestamp))]);
  const sigTlvLen = 3 + signer.keyBytes;
  const unpadded = 5 + 5 + signerId.length + sigInfo.length + sigTlvLen + tail.length;
  const pad = (4 - (unpadded % 4)) % 4;
  const headerLength = unpadded + pad;
  const version = tlv(HeaderTag.VERSION, Buffer.from([1, 2]));
  const hlen = tlv(HeaderTag.HEADERLENGTH, u16(headerLength));
  const padding = Buffer.alloc(pad, 0x0d);
  const records = Buffer.concat([...spec.records.map(encodeRecord), spec.body ?? Buffer.alloc(0)]);
  const tbs = Buffer.concat([version, hlen, signerId, sigInfo, tail, padding, records]);
  const signature = createSign('sha1').update(tbs).sign(signer.key);
  if (signature.length !== signer.keyBytes) throw new Error('signature length does not match key size');
  return Buffer.concat([version, hlen, signerId, sigInfo, tlv(HeaderTag.SIGNATURE, signature), tail, padding, records]);
}

// ---------------------------------------------------------------- parsing

export interface Field {
  tag: number;
  /** the declared length (for containers, the size of what they hold) */
  length: number;
  value: Buffer;
  offset: number;
}

export interface ParsedRecord {
  fields: Field[];
  length: number;
  dnsName: string;
  subjectName?: string;
  func?: number;
  issuerName?: string;
  serial?: Buffer;
  publicKey?: Buffer;
  certSignature?: Buffer;
  certificate?: Buffer;
  certHash?: Buffer;
  hashAlgorithm?: number;
  ip?: Buffer;
}

export interface ParsedTrustList {
  version: [number, number];
  headerLength: number;
  headerFields: Field[];
  signerName: string;
  signerSerial: Buffer;
  caName: string;
  digestAlgorithm: number;
  signatureAlgorithm: number;
  signatureModulus: number;
  signature: Buffer;
  filename: string;
  timestamp: number;
  records: ParsedRecord[];
  /** byte range of the SIGNATURE TLV */
  sigStart: number;
  sigEnd: number;
}

export class TrustListError extends Error {}

function cstring(b: Buffer): string {
  const z = b.indexOf(0);
  return (z < 0 ? b : b.subarray(0, z)).toString('latin1');
}

const CONTAINERS = new Set<number>([HeaderTag.SIGNERID, HeaderTag.SIGNATUREINFO, HeaderTag.SIGNATUREALGOINFO]);

/** Parses a trust list; throws TrustListError on any malformation (callers report, never crash). */
export function parseTrustListStrict(buf: Buffer): ParsedTrustList {
  let off = 0;
  const need = (n: number) => {
    if (off + n > buf.length) throw new TrustListError(`truncated at byte ${off}`);
  };
  const headerFields: Field[] = [];
  const out: Partial<ParsedTrustList> = {};
  let headerLength = -1;
  let sigStart = -1;
  let sigEnd = -1;
  const seen = new Set<number>();
  while (headerLength < 0 || off < headerLength) {
    need(1);
    const tag = buf[off];
    if (tag === HeaderTag.PADDING) {
      if (buf[off] !== 0x0d) throw new TrustListError('bad padding');
      off += 1;
      continue;
    }
    need(3);
    const length = buf.readUInt16BE(off + 1);
    const start = off;
    off += 3;
    if (CONTAINERS.has(tag)) {
      headerFields.push({ tag, length, value: Buffer.alloc(0), offset: start });
      continue;
    }
    need(length);
    const value = buf.subarray(off, off + length);
    off += length;
    if (tag < 1 || tag > 15 || tag === HeaderTag.PADDING) throw new TrustListError(`unknown header tag ${tag}`);
    if (seen.has(tag)) throw new TrustListError(`duplicate header tag ${tag}`);
    seen.add(tag);
    headerFields.push({ tag, length, value, offset: start });
    switch (tag) {
      case HeaderTag.VERSION:
        if (length !== 2) throw new TrustListError('bad version');
        out.version = [value[0], value[1]];
        break;
      case HeaderTag.HEADERLENGTH:
        if (length !== 2) throw new TrustListError('bad header length');
        headerLength = value.readUInt16BE(0);
        if (headerLength > buf.length || headerLength < 16) throw new TrustListError('header length out of range');
        break;
      case HeaderTag.SIGNERNAME:
        out.signerName = cstring(value);
        break;
      case HeaderTag.SERIALNUMBER:
        out.signerSerial = Buffer.from(value);
        break;
      case HeaderTag.CANAME:
        out.caName = cstring(value);
        break;
      case HeaderTag.DIGESTALGORITHM:
        if (length !== 1) throw new TrustListError('bad digest');
        out.digestAlgorithm = value[0];
        break;
      case HeaderTag.SIGNATUREALGORITHM:
        if (length !== 1) throw new TrustListError('bad sigalg');
        out.signatureAlgorithm = value[0];
        break;
      case HeaderTag.SIGNATUREMODULUS:
        if (length !== 1) throw new TrustListError('bad modulus');
        out.signatureModulus = value[0];
        break;
      case HeaderTag.SIGNATURE:
        out.signature = Buffer.from(value);
        sigStart = start;
        sigEnd = off;
        break;
      case HeaderTag.FILENAME:
        out.filename = cstring(value);
        break;
      case HeaderTag.TIMESTAMP:
        if (length !== 4) throw new TrustListError('bad timestamp');
        out.timestamp = value.readUInt32BE(0);
        break;
    }
    if (headerLength < 0 && off > 10) throw new TrustListError('header length missing');
  }
  if (off !== headerLength) throw new TrustListError('header overruns its length');
  for (const t of [1, 2, 4, 5, 6, 8, 12, 14, 15]) if (!seen.has(t)) throw new TrustListError(`missing header tag ${t}`);
  const records: ParsedRecord[] = [];
  while (off < buf.length) {
    const recStart = off;
    need(5);
    if (buf[off] !== RecordTag.RECORDLENGTH || buf.readUInt16BE(off + 1) !== 2) throw new TrustListError(`bad record at byte ${off}`);
    const recLen = buf.readUInt16BE(off + 3);
    if (recLen < 5 || recStart + recLen > buf.length) throw new TrustListError(`record length out of range at byte ${off}`);
    const fields: Field[] = [{ tag: 1, length: 2, value: buf.subarray(off + 3, off + 5), offset: off }];
    off += 5;
    const rec: ParsedRecord = { fields, length: recLen, dnsName: '' };
    let last = 1;
    while (off < recStart + recLen) {
      need(3);
      const tag = buf[off];
      const length = buf.readUInt16BE(off + 1);
      if (off + 3 + length > recStart + recLen) throw new TrustListError(`field overruns record at byte ${off}`);
      if (tag < 2 || tag > 12 || tag <= last) throw new TrustListError(`unexpected record tag ${tag} at byte ${off}`);
      last = tag;
      const value = buf.subarray(off + 3, off + 3 + length);
      fields.push({ tag, length, value, offset: off });
      off += 3 + length;
      switch (tag) {
        case RecordTag.DNSNAME:
          rec.dnsName = cstring(value);
          break;
        case RecordTag.SUBJECTNAME:
          rec.subjectName = cstring(value);
          break;
        case RecordTag.FUNCTION:
          if (length !== 2) throw new TrustListError('bad function');
          rec.func = value.readUInt16BE(0);
          break;
        case RecordTag.ISSUERNAME:
          rec.issuerName = cstring(value);
          break;
        case RecordTag.SERIALNUMBER:
          rec.serial = Buffer.from(value);
          break;
        case RecordTag.PUBLICKEY:
          rec.publicKey = Buffer.from(value);
          break;
        case RecordTag.SIGNATURE:
          rec.certSignature = Buffer.from(value);
          break;
        case RecordTag.CERTIFICATE:
          rec.certificate = Buffer.from(value);
          break;
        case RecordTag.IPADDRESS:
          if (length !== 4) throw new TrustListError('bad ip');
          rec.ip = Buffer.from(value);
          break;
        case RecordTag.CERTHASH:
          rec.certHash = Buffer.from(value);
          break;
        case RecordTag.HASHALGORITHM:
          if (length !== 1) throw new TrustListError('bad hash algorithm');
          rec.hashAlgorithm = value[0];
          break;
      }
    }
    if (rec.func === undefined) throw new TrustListError('record without function');
    records.push(rec);
  }
  return {
    version: out.version!,
    headerLength,
    headerFields,
    signerName: out.signerName!,
    signerSerial: out.signerSerial!,
    caName: out.caName!,
    digestAlgorithm: out.digestAlgorithm!,
    signatureAlgorithm: out.signatureAlgorithm ?? 0,
    signatureModulus: out.signatureModulus ?? 1,
    signature: out.signature!,
    filename: out.filename!,
    timestamp: out.timestamp!,
    records,
    sigStart,
    sigEnd,
  };
}

export type ParseResult = { ok: true; list: ParsedTrustList } | { ok: false; error: string };

export function parseTrustList(buf: Buffer): ParseResult {
  try {
    return { ok: true, list: parseTrustListStrict(buf) };
  } catch (e) {
    return { ok: false, error: e instanceof Error ? e.message : String(e) };
  }
}

export function signedBytes(buf: Buffer, list: ParsedTrustList): Buffer {
  return Buffer.concat([buf.subarray(0, list.sigStart), buf.subarray(list.sigEnd)]);
}

/** The SAST record that signed the file: serial and issuer equal the header's signer. */
export function signerRecord(list: ParsedTrustList): ParsedRecord | undefined {
  return list.records.find(
    (r) => r.func === Role.SAST && r.serial !== undefined && r.serial.equals(list.signerSerial) && (r.issuerName === undefined || r.issuerName === list.caName),
  );
}

export function publicKeyFromPkcs1(der: Buffer): KeyObject {
  return createPublicKey({ key: der, format: 'der', type: 'pkcs1' });
}

/** Verifies the file signature with the given key, or (by default) with its own signer record. */
export function verifyTrustList(buf: Buffer, list: ParsedTrustList, key?: KeyObject): boolean {
  try {
    let k = key;
    if (!k) {
      const rec = signerRecord(list);
      if (!rec) return false;
      if (rec.publicKey) k = publicKeyFromPkcs1(rec.publicKey);
      else if (rec.certificate) k = new X509Certificate(rec.certificate).publicKey;
      else return false;
    }
    const alg = list.digestAlgorithm === 3 ? 'sha512' : list.digestAlgorithm === 2 ? 'sha256' : 'sha1';
    return createVerify(alg).update(signedBytes(buf, list)).verify(k, list.signature);
  } catch {
    return false;
  }
}

export function fileChecksums(buf: Buffer): { md5: string; sha1: string } {
  return { md5: createHash('md5').update(buf).digest('hex'), sha1: createHash('sha1').update(buf).digest('hex') };
}
