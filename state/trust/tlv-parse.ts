// Reading trust lists: a strict parser that reports every malformation, and signature verification.
import { createHash, createPublicKey, createVerify, KeyObject, X509Certificate } from 'node:crypto';
import { HeaderTag, RecordTag, Role } from './tlv.js';

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
