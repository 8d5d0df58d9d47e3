/**
 * Read-only TFTP server: RFC 1350, with option negotiation (RFC 2347),
 * blksize (RFC 2348) and tsize (RFC 2349).
 *
 * Every request is served from its own ephemeral UDP socket (its TID), so a
 * stalled or misbehaving client only ever affects its own transfer. Nothing
 * that arrives from the network is allowed to throw out of a socket handler.
 */
import dgram from 'node:dgram';
import { isIPv6 } from 'node:net';

export interface TftpServerOptions {
  host?: string; // default '127.0.0.1'
  port: number; // 0 = ephemeral
  /** Returns the file bytes for a requested name, or undefined when not found. May be async. */
  resolve: (
    filename: string,
    remote: { address: string; port: number },
  ) => Buffer | undefined | Promise<Buffer | undefined>;
  timeoutMs?: number; // retransmit timeout, default 1000
  retries?: number; // default 5
  maxSessions?: number; // default 64; further RRQs get ERROR code 0 "Server busy"
  /** Called once per read request that got a final outcome (served, refused or failed). */
  onTransfer?: (info: { filename: string; remote: string; bytes: number; ok: boolean; error?: string }) => void;
}

export interface TftpServer {
  port: number;
  host: string;
  close(): Promise<void>;
}

const OP_RRQ = 1;
const OP_WRQ = 2;
const OP_DATA = 3;
const OP_ACK = 4;
const OP_ERROR = 5;
const OP_OACK = 6;

const ERR_UNDEFINED = 0;
const ERR_NOT_FOUND = 1;
const ERR_ACCESS = 2;
const ERR_ILLEGAL = 4;
const ERR_UNKNOWN_TID = 5;

const DEFAULT_BLKSIZE = 512;
const MIN_BLKSIZE = 8;
const MAX_BLKSIZE = 65464;
const MAX_FILENAME_BYTES = 255;

interface ReadRequest {
  filename: string;
  filenameBytes: number;
  mode: string;
  /** Option names lower-cased; the first occurrence of a name wins. */
  options: Map<string, string>;
}

type Remote = { address: string; port: number };

function errorPacket(code: number, message: string): Buffer {
  const text = Buffer.from(message, 'utf8');
  const pkt = Buffer.alloc(4 + text.length + 1);
  pkt.writeUInt16BE(OP_ERROR, 0);
  pkt.writeUInt16BE(code, 2);
  text.copy(pkt, 4);
  return pkt;
}

function dataPacket(block: number, payload: Buffer): Buffer {
  const pkt = Buffer.allocUnsafe(4 + payload.length);
  pkt.writeUInt16BE(OP_DATA, 0);
  pkt.writeUInt16BE(block & 0xffff, 2);
  payload.copy(pkt, 4);
  return pkt;
}

function oackPacket(options: Array<[string, string]>): Buffer {
  const parts = [Buffer.from([0, OP_OACK])];
  for (const [name, value] of options) parts.push(Buffer.from(`${name}\0${value}\0`, 'utf8'));
  return Buffer.concat(parts);
}

/** Reads a NUL-terminated string; undefined when the terminator is missing. */
function readString(buf: Buffer, start: number): { bytes: Buffer; next: number } | undefined {
  const end = buf.indexOf(0, start);
  if (end < 0) return undefined;
  return { bytes: buf.subarray(start, end), next: end + 1 };
}

/** Parses the body of an RRQ/WRQ; undefined when malformed or in an unsupported mode. */
function parseReadRequest(msg: Buffer): ReadRequest | undefined {
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
function isSafeFilename(req: ReadRequest): boolean {
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

/** Sends without ever throwing: a lost datagram is recovered by retransmission or not at all. */
function safeSend(socket: dgram.Socket, pkt: Buffer, to: Remote, then: () => void = () => {}): void {
  try {
    socket.send(pkt, to.port, to.address, () => then());
  } catch {
    // Socket already closed.
    then();
  }
}

function safeClose(socket: dgram.Socket): void {
  try {
    socket.close();
  } catch {
    // Already closed.
  }
}

function remoteLabel(r: Remote): string {
  return isIPv6(r.address) ? `[${r.address}]:${r.port}` : `${r.address}:${r.port}`;
}

interface TransferConfig {
  socket: dgram.Socket;
  remote: Remote;
  data: Buffer;
  blksize: number;
  /** When set, sent first and must be answered with ACK 0 before DATA 1. */
  oack?: Buffer;
  timeoutMs: number;
  retries: number;
  onEnd: (ok: boolean, bytes: number, error?: string) => void;
}

/** Lock-step sender for one RRQ, living on its own socket. */
class Transfer {
  /** Block awaiting its ACK; 0 while the OACK is outstanding. Never wrapped: wire numbers are this mod 2^16. */
  private block = 0;
  private lastPacket: Buffer = Buffer.alloc(0);
  private retransmits = 0;
  private timer: NodeJS.Timeout | undefined;
  private ended = false;

  constructor(private readonly cfg: TransferConfig) {
    cfg.socket.on('message', (msg, rinfo) => {
      try {
        this.onMessage(msg, rinfo);
      } catch {
        // Never let a datagram take the process down.
      }
    });
  }

  start(): void {
    if (this.cfg.oack) this.transmit(this.cfg.oack);
    else this.sendBlock(1);
  }

  /** Ends the transfer without telling the client (used on server shutdown). */
  abort(reason: string): void {
    this.end(false, reason);
  }

  private sendBlock(n: number): void {
    this.block = n;
    const start = (n - 1) * this.cfg.blksize;
    this.transmit(dataPacket(n, this.cfg.data.subarray(start, start + this.cfg.blksize)));
  }

  /** The block whose payload is shorter than blksize (possibly empty) is the last one. */
  private isLastBlock(n: number): boolean {
    return n * this.cfg.blksize > this.cfg.data.length;
  }

  private transmit(pkt: Buffer): void {
    this.lastPacket = pkt;
    this.retransmits = 0;
    safeSend(this.cfg.socket, pkt, this.cfg.remote);
    this.arm();
  }

  private arm(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.onTimeout(), this.cfg.timeoutMs);
  }

  private onTimeout(): void {
    if (this.ended) return;
    if (this.retransmits >= this.cfg.retries) {
      this.end(false, `timed out waiting for ACK ${this.block & 0xffff}`, errorPacket(ERR_UNDEFINED, 'Transfer timed out'));
      return;
    }
    this.retransmits++;
    safeSend(this.cfg.socket, this.lastPacket, this.cfg.remote);
    this.arm();
  }

  private onMessage(msg: Buffer, rinfo: dgram.RemoteInfo): void {
    if (this.ended) return;
    const opcode = msg.length >= 2 ? msg.readUInt16BE(0) : -1;
    const { remote } = this.cfg;
    if (rinfo.address !== remote.address || rinfo.port !== remote.port) {
      // RFC 1350: tell the stranger, leave the transfer alone. Never answer an ERROR with an ERROR.
      if (opcode !== OP_ERROR) {
        safeSend(this.cfg.socket, errorPacket(ERR_UNKNOWN_TID, 'Unknown transfer ID'), rinfo);
      }
      return;
    }
    if (msg.length < 4) return;
    if (opcode === OP_ERROR) {
      const nul = msg.indexOf(0, 4);
      const text = msg.subarray(4, nul < 0 ? msg.length : nul).toString('utf8');
      this.end(false, `client error ${msg.readUInt16BE(2)}: ${text}`);
      return;
    }
    if (opcode !== OP_ACK) return;
    // Duplicate ACKs are ignored rather than answered, which avoids the Sorcerer's Apprentice bug;
    // the retransmit timer alone recovers lost packets.
    if (msg.readUInt16BE(2) !== (this.block & 0xffff)) return;
    if (this.block > 0 && this.isLastBlock(this.block)) {
      this.end(true);
      return;
    }
    this.sendBlock(this.block + 1);
  }

  /** `farewell` is sent before the socket closes; closing first would silently drop it. */
  private end(ok: boolean, error?: string, farewell?: Buffer): void {
    if (this.ended) return;
    this.ended = true;
    clearTimeout(this.timer);
    if (farewell) safeSend(this.cfg.socket, farewell, this.cfg.remote, () => safeClose(this.cfg.socket));
    else safeClose(this.cfg.socket);
    // Bytes the client has acknowledged: every block before the outstanding one, or all of it on success.
    const bytes = ok ? this.cfg.data.length : Math.min(Math.max(this.block - 1, 0) * this.cfg.blksize, this.cfg.data.length);
    this.cfg.onEnd(ok, bytes, error);
  }
}

function bindSocket(socket: dgram.Socket, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error) => reject(err);
    socket.once('error', onError);
    socket.bind(port, host, () => {
      socket.off('error', onError);
      resolve();
    });
  });
}

export async function startTftpServer(opts: TftpServerOptions): Promise<TftpServer> {
  const host = opts.host ?? '127.0.0.1';
  const timeoutMs = opts.timeoutMs ?? 1000;
  const retries = opts.retries ?? 5;
  const maxSessions = opts.maxSessions ?? 64;
  const socketType = isIPv6(host) ? 'udp6' : 'udp4';

  const main = dgram.createSocket(socketType);
  await bindSocket(main, opts.port, host);
  // Late socket errors (e.g. ICMP port unreachable surfacing on some platforms) must not crash the process.
  main.on('error', () => {});

  /** Sessions keyed by client address:port; a slot is taken as soon as the RRQ is accepted. */
  const sessions = new Map<string, { abort(reason: string): void }>();
  let closed = false;
  let closing: Promise<void> | undefined;

  const report = (info: Parameters<NonNullable<TftpServerOptions['onTransfer']>>[0]) => {
    try {
      opts.onTransfer?.(info);
    } catch {
      // A faulty observer must not break the server.
    }
  };

  const reply = (to: Remote, code: number, message: string) => safeSend(main, errorPacket(code, message), to);

  async function handleRead(msg: Buffer, remote: Remote): Promise<void> {
    const req = parseReadRequest(msg);
    if (!req) return reply(remote, ERR_ILLEGAL, 'Illegal TFTP operation');
    const key = remoteLabel(remote);
    // A client that retransmits its RRQ while we are already serving it gets no second transfer.
    if (sessions.has(key)) return;

    const fail = (code: number, message: string, error = message) => {
      reply(remote, code, message);
      report({ filename: req.filename, remote: key, bytes: 0, ok: false, error });
    };
    if (!isSafeFilename(req)) return fail(ERR_ACCESS, 'Access violation');
    if (sessions.size >= maxSessions) return fail(ERR_UNDEFINED, 'Server busy');

    // Reserve the slot before any await so concurrent RRQs are counted correctly.
    let cancelled = false;
    let transfer: Transfer | undefined;
    sessions.set(key, {
      abort(reason) {
        cancelled = true;
        transfer?.abort(reason);
      },
    });
    const release = (): void => {
      sessions.delete(key);
    };

    let data: Buffer | Uint8Array | undefined;
    try {
      data = await opts.resolve(req.filename, { address: remote.address, port: remote.port });
    } catch (err) {
      release();
      if (!cancelled) fail(ERR_UNDEFINED, 'Internal error', `resolve failed: ${(err as Error)?.message ?? String(err)}`);
      return;
    }
    if (cancelled) return release();
    if (!(data instanceof Uint8Array)) {
      release();
      return fail(ERR_NOT_FOUND, 'File not found');
    }
    const file = Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);

    // Only options we understand are acknowledged; anything else is silently dropped (RFC 2347).
    const accepted: Array<[string, string]> = [];
    let blksize = DEFAULT_BLKSIZE;
    const requestedBlksize = req.options.get('blksize');
    if (requestedBlksize !== undefined && /^\d+$/.test(requestedBlksize)) {
      blksize = Math.min(MAX_BLKSIZE, Math.max(MIN_BLKSIZE, Number(requestedBlksize)));
      accepted.push(['blksize', String(blksize)]);
    }
    const requestedTsize = req.options.get('tsize');
    if (requestedTsize !== undefined && /^\d+$/.test(requestedTsize)) {
      accepted.push(['tsize', String(file.length)]);
    }

    const socket = dgram.createSocket(socketType);
    socket.on('error', () => {});
    try {
      await bindSocket(socket, 0, host);
    } catch (err) {
      safeClose(socket);
      release();
      if (!cancelled) fail(ERR_UNDEFINED, 'Server busy', `cannot open transfer socket: ${(err as Error).message}`);
      return;
    }
    if (cancelled) {
      safeClose(socket);
      return release();
    }

    transfer = new Transfer({
      socket,
      remote,
      data: file,
      blksize,
      oack: accepted.length > 0 ? oackPacket(accepted) : undefined,
      timeoutMs,
      retries,
      onEnd: (ok, bytes, error) => {
        release();
        report({ filename: req.filename, remote: key, bytes, ok, ...(error === undefined ? {} : { error }) });
      },
    });
    transfer.start();
  }

  main.on('message', (msg, rinfo) => {
    if (closed) return;
    const remote = { address: rinfo.address, port: rinfo.port };
    try {
      const opcode = msg.length >= 2 ? msg.readUInt16BE(0) : -1;
      if (opcode === OP_RRQ) {
        handleRead(msg, remote).catch(() => {});
      } else if (opcode === OP_WRQ) {
        reply(remote, ERR_ACCESS, 'Access violation');
      } else if (opcode !== OP_ERROR) {
        // ERRORs are never answered, so two confused endpoints cannot ping-pong forever.
        reply(remote, ERR_ILLEGAL, 'Illegal TFTP operation');
      }
    } catch {
      // Never let a datagram take the process down.
    }
  });

  const address = main.address();
  return {
    port: address.port,
    host,
    close() {
      if (closing) return closing;
      closed = true;
      for (const session of [...sessions.values()]) session.abort('server closed');
      sessions.clear();
      closing = new Promise<void>((resolve) => {
        try {
          main.close(() => resolve());
        } catch {
          resolve();
        }
      });
      return closing;
    },
  };
}
