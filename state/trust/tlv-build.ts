// Writing and signing trust lists (ITLFile.tlv, CTLFile.tlv, and the header of signed .sgn files).
import { createSign, KeyObject } from 'node:crypto';
import { HeaderTag, RecordTag } from './tlv.js';

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
