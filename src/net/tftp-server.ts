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
import {
  DEFAULT_BLKSIZE,
  ERR_ACCESS,
  ERR_ILLEGAL,
  ERR_NOT_FOUND,
  ERR_UNDEFINED,
  ERR_UNKNOWN_TID,
  MAX_BLKSIZE,
  MIN_BLKSIZE,
  OP_ACK,
  OP_ERROR,
  OP_RRQ,
  OP_WRQ,
  dataPacket,
  errorPacket,
  isSafeFilename,
  oackPacket,
  parseReadRequest,
  type Remote,
} from './tftp-packets.js';

export interface TftpServerOptions {
  host?: string; // default '127.0.0.1'
  port: number; // 0 = ephemeral
  /** Returns the file bytes for a requested name, or undefined when not found. May be async. */
  resolve: (
    filename: string,
    remote: { address: string; port: number },
  ) => Buffer | undefined | Promise<Buffer | undefined>;
  timeoutMs?: number; // first retransmit timeout, default 1000; doubles per retransmission up to 4x
  retries?: number; // default 5
  maxSessions?: number; // default 64; further RRQs get ERROR code 0 "Server busy"
  /** concurrent transfers per client address, default 4; further RRQs get "Server busy" too */
  maxPerSource?: number;
  /** Called once per read request that got a final outcome (served, refused or failed). */
  onTransfer?: (info: { filename: string; remote: string; bytes: number; ok: boolean; error?: string }) => void;
}

export interface TftpServer {
  port: number;
  host: string;
  close(): Promise<void>;
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

  // backoff: a client that does not answer (or a spoofed address) gets ever fewer packets
  private arm(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.onTimeout(), this.cfg.timeoutMs * Math.min(2 ** this.retransmits, 4));
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
  const maxPerSource = opts.maxPerSource ?? 4;
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

  /** Transfers running per client address: one host cannot take every slot. */
  const perSource = new Map<string, number>();
  // ERROR answers per address (to malformed datagrams, which can be tiny, and to refused requests):
  // a burst, then a few per second, so a flood with a forged source cannot turn the server into a reflector
  const errorBudget = new Map<string, { tokens: number; at: number }>();
  const ERROR_BURST = 32;
  const ERRORS_PER_SECOND = 16;
  const mayReply = (address: string): boolean => {
    const now = Date.now();
    if (errorBudget.size > 4096) errorBudget.clear();
    const b = errorBudget.get(address) ?? { tokens: ERROR_BURST, at: now };
    b.tokens = Math.min(ERROR_BURST, b.tokens + ((now - b.at) / 1000) * ERRORS_PER_SECOND);
    b.at = now;
    errorBudget.set(address, b);
    if (b.tokens < 1) return false;
    b.tokens--;
    return true;
  };
  const reply = (to: Remote, code: number, message: string) => safeSend(main, errorPacket(code, message), to);
  const illegal = (to: Remote) => {
    if (mayReply(to.address)) reply(to, ERR_ILLEGAL, 'Illegal TFTP operation');
  };

  async function handleRead(msg: Buffer, remote: Remote): Promise<void> {
    const req = parseReadRequest(msg);
    if (!req) return illegal(remote);
    const key = remoteLabel(remote);
    // A client that retransmits its RRQ while we are already serving it gets no second transfer.
    if (sessions.has(key)) return;

    // a well-formed request can carry a forged source too: its ERROR comes out of the same budget
    const fail = (code: number, message: string, error = message) => {
      if (mayReply(remote.address)) reply(remote, code, message);
      report({ filename: req.filename, remote: key, bytes: 0, ok: false, error });
    };
    if (!isSafeFilename(req)) return fail(ERR_ACCESS, 'Access violation');
    if (sessions.size >= maxSessions || (perSource.get(remote.address) ?? 0) >= maxPerSource) return fail(ERR_UNDEFINED, 'Server busy');

    // Reserve the slot before any await so concurrent RRQs are counted correctly.
    let cancelled = false;
    let transfer: Transfer | undefined;
    sessions.set(key, {
      abort(reason) {
        cancelled = true;
        transfer?.abort(reason);
      },
    });
    perSource.set(remote.address, (perSource.get(remote.address) ?? 0) + 1);
    let released = false;
    const release = (): void => {
      if (released) return;
      released = true;
      sessions.delete(key);
      const n = (perSource.get(remote.address) ?? 1) - 1;
      if (n > 0) perSource.set(remote.address, n);
      else perSource.delete(remote.address);
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
        if (mayReply(remote.address)) reply(remote, ERR_ACCESS, 'Access violation');
      } else if (opcode !== OP_ERROR) {
        // ERRORs are never answered, so two confused endpoints cannot ping-pong forever.
        illegal(remote);
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
      perSource.clear();
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
