// Minimal DER: enough to lay out and read X.509 certificates byte for byte, without a library
// re-encoding (and so possibly changing) what it read.

export const Tag = {
  BOOLEAN: 0x01,
  INTEGER: 0x02,
  BIT_STRING: 0x03,
  OCTET_STRING: 0x04,
  NULL: 0x05,
  OID: 0x06,
  UTF8String: 0x0c,
  PrintableString: 0x13,
  T61String: 0x14,
  IA5String: 0x16,
  UTCTime: 0x17,
  GeneralizedTime: 0x18,
  BMPString: 0x1e,
  UniversalString: 0x1c,
  SEQUENCE: 0x30,
  SET: 0x31,
} as const;

function lengthBytes(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const out: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) out.unshift(v & 0xff);
  return Buffer.from([0x80 | out.length, ...out]);
}

export function tlv(tag: number, ...content: Buffer[]): Buffer {
  const body = Buffer.concat(content);
  return Buffer.concat([Buffer.from([tag]), lengthBytes(body.length), body]);
}

export const seq = (...c: Buffer[]) => tlv(Tag.SEQUENCE, ...c);
export const set = (...c: Buffer[]) => tlv(Tag.SET, ...c);
export const nullValue = () => tlv(Tag.NULL);
export const octets = (b: Buffer) => tlv(Tag.OCTET_STRING, b);
export const bits = (b: Buffer, unused = 0) => tlv(Tag.BIT_STRING, Buffer.from([unused]), b);
/** [n] EXPLICIT */
export const explicit = (n: number, ...c: Buffer[]) => tlv(0xa0 | n, ...c);

/** A non-negative INTEGER from big-endian bytes, minimally encoded. */
export function unsignedInt(b: Buffer): Buffer {
  let i = 0;
  while (i < b.length - 1 && b[i] === 0) i++;
  let v = b.subarray(i);
  if (v[0] & 0x80) v = Buffer.concat([Buffer.from([0]), v]);
  return tlv(Tag.INTEGER, v);
}

export function smallInt(n: number): Buffer {
  return unsignedInt(Buffer.from([n]));
}

export function oid(dotted: string): Buffer {
  const arcs = dotted.split('.').map(Number);
  const out: number[] = [arcs[0] * 40 + arcs[1]];
  for (const a of arcs.slice(2)) {
    const chunk: number[] = [a & 0x7f];
    for (let v = Math.floor(a / 128); v > 0; v = Math.floor(v / 128)) chunk.unshift(0x80 | (v & 0x7f));
    out.push(...chunk);
  }
  return tlv(Tag.OID, Buffer.from(out));
}

/** Time as X.509 wants it: UTCTime through 2049, GeneralizedTime from 2050. */
export function time(d: Date): Buffer {
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  const y = d.getUTCFullYear();
  const rest = `${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}Z`;
  if (y >= 1950 && y < 2050) return tlv(Tag.UTCTime, Buffer.from(`${p(y % 100)}${rest}`, 'ascii'));
  return tlv(Tag.GeneralizedTime, Buffer.from(`${p(y, 4)}${rest}`, 'ascii'));
}

// ---------------------------------------------------------------- reading

export interface Node {
  tag: number;
  /** offset of the tag byte */
  start: number;
  /** offset of the content */
  contentStart: number;
  end: number;
  content: Buffer;
  /** the whole TLV */
  raw: Buffer;
}

export class DerError extends Error {}

/** Reads the TLV at `off`; throws DerError on anything a DER reader must refuse. */
export function read(buf: Buffer, off = 0): Node {
  if (off + 2 > buf.length) throw new DerError('truncated');
  const tag = buf[off];
  if ((tag & 0x1f) === 0x1f) throw new DerError('high tag numbers are not used here');
  let len = buf[off + 1];
  let p = off + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 4) throw new DerError('bad length');
    if (p + n > buf.length) throw new DerError('truncated');
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + buf[p + i];
    if (len < 0x80 || buf[p] === 0) throw new DerError('length not minimal');
    p += n;
  }
  const end = p + len;
  if (end > buf.length) throw new DerError('truncated');
  return { tag, start: off, contentStart: p, end, content: buf.subarray(p, end), raw: buf.subarray(off, end) };
}

/** The TLVs inside a constructed value. */
export function children(n: Node): Node[] {
  const out: Node[] = [];
  let off = 0;
  while (off < n.content.length) {
    const c = read(n.content, off);
    out.push(c);
    off = c.end;
  }
  return out;
}

export function expectTag(n: Node, tag: number, what: string): Node {
  if (n.tag !== tag) throw new DerError(`${what}: tag 0x${n.tag.toString(16)}, expected 0x${tag.toString(16)}`);
  return n;
}

export function readOid(n: Node): string {
  expectTag(n, Tag.OID, 'OBJECT IDENTIFIER');
  const b = n.content;
  if (!b.length) throw new DerError('empty OID');
  const arcs: number[] = [];
  let v = 0;
  for (const x of b) {
    v = v * 128 + (x & 0x7f);
    if (!(x & 0x80)) {
      arcs.push(v);
      v = 0;
    }
  }
  const first = arcs.shift()!;
  const a = first < 80 ? Math.floor(first / 40) : 2;
  return [a, first - a * 40, ...arcs].join('.');
}

export function readTime(n: Node): Date {
  const s = n.content.toString('ascii');
  let m: RegExpMatchArray | null;
  if (n.tag === Tag.UTCTime && (m = s.match(/^(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)Z$/))) {
    const yy = Number(m[1]);
    return new Date(Date.UTC(yy < 50 ? 2000 + yy : 1900 + yy, Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6])));
  }
  if (n.tag === Tag.GeneralizedTime && (m = s.match(/^(\d{4})(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)Z$/))) {
    return new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6])));
  }
  throw new DerError(`bad time '${s}'`);
}

/** Text of a directory string, whatever its string type. */
export function readString(n: Node): string {
  switch (n.tag) {
    case Tag.UTF8String:
      return n.content.toString('utf8');
    case Tag.BMPString:
      return n.content.length % 2 ? '' : Buffer.from(n.content).swap16().toString('utf16le');
    case Tag.UniversalString: {
      let s = '';
      for (let i = 0; i + 3 < n.content.length; i += 4) s += String.fromCodePoint(n.content.readUInt32BE(i));
      return s;
    }
    default:
      return n.content.toString('latin1');
  }
}
