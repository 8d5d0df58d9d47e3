// TFTP packets (RFC 1350, options RFC 2347): opcodes, error codes, building and parsing, and the
// rule for names a request may ask for. Parsing never throws: a malformed request is undefined.
export const OP_RRQ = 1;
export const OP_WRQ = 2;
export const OP_DATA = 3;
export const OP_ACK = 4;
export const OP_ERROR = 5;
export const OP_OACK = 6;

export const ERR_UNDEFINED = 0;
export const ERR_NOT_FOUND = 1;
export const ERR_ACCESS = 2;
export const ERR_ILLEGAL = 4;
export const ERR_UNKNOWN_TID = 5;

export const DEFAULT_BLKSIZE = 512;
export const MIN_BLKSIZE = 8;
export const MAX_BLKSIZE = 65464;
export const MAX_FILENAME_BYTES = 255;

export interface ReadRequest {
  filename: string;
  filenameBytes: number;
  mode: string;
  /** Option names lower-cased; the first occurrence of a name wins. */
  options: Map<string, string>;
}

export type Remote = { address: string; port: number };

export function errorPacket(code: number, message: string): Buffer {
  const text = Buffer.from(message, 'utf8');
  const pkt = Buffer.alloc(4 + text.length + 1);
  pkt.writeUInt16BE(OP_ERROR, 0);
  pkt.writeUInt16BE(code, 2);
  text.copy(pkt, 4);
  return pkt;
}

export function dataPacket(block: number, payload: Buffer): Buffer {
  const pkt = Buffer.allocUnsafe(4 + payload.length);
  pkt.writeUInt16BE(OP_DATA, 0);
  pkt.writeUInt16BE(block & 0xffff, 2);
  payload.copy(pkt, 4);
  return pkt;
}

export function oackPacket(options: Array<[string, string]>): Buffer {
  const parts = [Buffer.from([0, OP_OACK])];
  for (const [name, value] of options) parts.push(Buffer.from(`${name}\0${value}\0`, 'utf8'));
  return Buffer.concat(parts);
}

/** Reads a NUL-terminated string; undefined when the terminator is missing. */
export function readString(buf: Buffer, start: number): { bytes: Buffer; next: number } | undefined {
  const end = buf.indexOf(0, start);
  if (end < 0) return undefined;
  return { bytes: buf.subarray(start, end), next: end + 1 };
}

/** Parses the body of an RRQ/WRQ; undefined when malformed or in an unsupported mode. */
export function parseReadRequest(msg: Buffer): ReadRequest | undefined {
  const name = readString(msg, 2);
  if (!name) return undefined;
  const mode = readString(msg, name.next);
  if (!mode) return undefined;
  const modeText = mode.bytes.toString('latin1').toLowerCase();
  // netascii is served byte-for-byte like octet: the files here are opaque blobs.
  if (modeText !== 'octet' && modeText !== 'netascii') return undefined;

  const options = new Map<string, string>();
  let pos = mode.next;
  while (pos < msg.length) {
    const key = readString(msg, pos);
    const value = key && readString(msg, key.next);
    // A truncated trailing option is dropped rather than failing the whole request.
    if (!key || !value) break;
    const k = key.bytes.toString('latin1').toLowerCase();
    if (!options.has(k)) options.set(k, value.bytes.toString('latin1'));
    pos = value.next;
  }
  return { filename: name.bytes.toString('utf8'), filenameBytes: name.bytes.length, mode: modeText, options };
}

/** Only flat names are served: no directories, no traversal, nothing odd enough to confuse a resolver. */
export function isSafeFilename(req: ReadRequest): boolean {
  const f = req.filename;
  return (
    f.length > 0 &&
    req.filenameBytes <= MAX_FILENAME_BYTES &&
    !f.includes('..') &&
    !f.includes('/') &&
    !f.includes('\\') &&
    !f.includes('\0')
  );
}
