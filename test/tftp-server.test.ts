import dgram from 'node:dgram';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { execa } from 'execa';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { startTftpServer, type TftpServer, type TftpServerOptions } from '../src/net/tftp-server.js';
import { seededBytes, waitFor } from './helpers.js';
import { requireTool } from './prerequisites.js';

const HOST = '127.0.0.1';

// ---------------------------------------------------------------------------
// A minimal TFTP client on dgram, enough to drive the server packet by packet.
// ---------------------------------------------------------------------------

type Packet =
  | { op: 'DATA'; block: number; payload: Buffer }
  | { op: 'ACK'; block: number }
  | { op: 'ERROR'; code: number; message: string }
  | { op: 'OACK'; options: Record<string, string> }
  | { op: 'OTHER'; raw: Buffer };

interface Received {
  packet: Packet;
  /** Source port, i.e. the sender's TID. */
  port: number;
}

function decode(msg: Buffer): Packet {
  const op = msg.length >= 2 ? msg.readUInt16BE(0) : -1;
  if (op === 3 && msg.length >= 4) return { op: 'DATA', block: msg.readUInt16BE(2), payload: Buffer.from(msg.subarray(4)) };
  if (op === 4 && msg.length >= 4) return { op: 'ACK', block: msg.readUInt16BE(2) };
  if (op === 5 && msg.length >= 5) {
    return { op: 'ERROR', code: msg.readUInt16BE(2), message: msg.subarray(4, msg.indexOf(0, 4)).toString() };
  }
  if (op === 6) {
    const fields = msg.subarray(2).toString('latin1').split('\0').slice(0, -1);
    const options: Record<string, string> = {};
    for (let i = 0; i + 1 < fields.length; i += 2) options[fields[i]!.toLowerCase()] = fields[i + 1]!;
    return { op: 'OACK', options };
  }
  return { op: 'OTHER', raw: msg };
}

function request(opcode: 1 | 2, filename: string, mode = 'octet', options: Record<string, string> = {}): Buffer {
  const fields = [filename, mode, ...Object.entries(options).flat()];
  return Buffer.concat([Buffer.from([0, opcode]), ...fields.map((f) => Buffer.from(`${f}\0`))]);
}

function ack(block: number): Buffer {
  const pkt = Buffer.alloc(4);
  pkt.writeUInt16BE(4, 0);
  pkt.writeUInt16BE(block & 0xffff, 2);
  return pkt;
}

/** A UDP socket on 127.0.0.1 that queues what it receives, so tests can await packets one by one. */
class Endpoint {
  private queue: Received[] = [];
  private waiter: ((r: Received) => void) | undefined;

  private constructor(private readonly socket: dgram.Socket) {
    socket.on('message', (msg, rinfo) => {
      const received = { packet: decode(msg), port: rinfo.port };
      const waiter = this.waiter;
      this.waiter = undefined;
      if (waiter) waiter(received);
      else this.queue.push(received);
    });
  }

  static async open(): Promise<Endpoint> {
    const socket = dgram.createSocket('udp4');
    await new Promise<void>((resolve) => socket.bind(0, HOST, () => resolve()));
    return new Endpoint(socket);
  }

  get port(): number {
    return this.socket.address().port;
  }

  private pending = new Set<Promise<void>>();

  send(pkt: Buffer, port: number): void {
    const sent = new Promise<void>((resolve) => this.socket.send(pkt, port, HOST, () => resolve()));
    this.pending.add(sent);
    void sent.then(() => this.pending.delete(sent));
  }

  /** Next datagram, or a rejection after `timeoutMs` so no test can hang. */
  next(timeoutMs = 1000): Promise<Received> {
    const queued = this.queue.shift();
    if (queued) return Promise.resolve(queued);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiter = undefined;
        reject(new Error(`no datagram within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiter = (r) => {
        clearTimeout(timer);
        resolve(r);
      };
    });
  }

  /** What has arrived and not been taken yet. */
  peek(): Received[] {
    return [...this.queue];
  }

  take(): Received[] {
    return this.queue.splice(0);
  }

  /** Everything that arrives within the next `ms`: for "nothing more arrives", which only a time window shows. */
  async drain(ms: number): Promise<Received[]> {
    await sleep(ms);
    return this.queue.splice(0);
  }

  /** Closes once queued sends are out: closing straight after send() would drop them. */
  async close(): Promise<void> {
    await Promise.all(this.pending);
    this.socket.close();
  }
}

interface GetResult {
  data?: Buffer;
  error?: { code: number; message: string };
  oack?: Record<string, string>;
  /** Payload length of every accepted DATA block, in order. */
  blockSizes: number[];
  /** Port the transfer was served from. */
  tid?: number;
  /** The client's own port, as the server sees it in `remote`. */
  clientPort?: number;
}

/**
 * Downloads `filename` the way a well-behaved client would: ACK each block, re-ACK duplicates.
 * Event-driven rather than awaiting each packet, so the 65 536-block wrap-around test stays quick.
 */
function tftpGet(
  serverPort: number,
  filename: string,
  { mode = 'octet', options = {}, timeoutMs = 1000 }: { mode?: string; options?: Record<string, string>; timeoutMs?: number } = {},
): Promise<GetResult> {
  const socket = dgram.createSocket('udp4');
  const result: GetResult = { blockSizes: [] };
  const chunks: Buffer[] = [];
  let blksize = 512;
  let expected = 1;

  return new Promise<GetResult>((resolve, reject) => {
    let idle: NodeJS.Timeout | undefined;
    const finish = (err?: Error) => {
      clearTimeout(idle);
      socket.close();
      if (err) reject(err);
      else resolve(result);
    };
    // Fails the download if the server goes quiet, so no test can hang.
    const kick = () => {
      clearTimeout(idle);
      idle = setTimeout(() => finish(new Error(`no datagram within ${timeoutMs} ms`)), timeoutMs);
    };
    const send = (pkt: Buffer, port: number, then?: () => void) => socket.send(pkt, port, HOST, then);

    socket.on('message', (msg, rinfo) => {
      kick();
      result.tid ??= rinfo.port;
      if (rinfo.port !== result.tid) return finish(new Error(`reply from port ${rinfo.port}, expected TID ${result.tid}`));
      const packet = decode(msg);
      if (packet.op === 'ERROR') {
        result.error = { code: packet.code, message: packet.message };
        return finish();
      }
      if (packet.op === 'OACK') {
        result.oack = packet.options;
        blksize = Number(packet.options.blksize ?? 512);
        return send(ack(0), rinfo.port);
      }
      if (packet.op !== 'DATA') return finish(new Error(`unexpected packet ${JSON.stringify(packet)}`));
      const last = packet.block === (expected & 0xffff) && packet.payload.length < blksize;
      // Close only once the final ACK is on the wire: closing first would drop it.
      send(ack(packet.block), rinfo.port, last ? () => finish() : undefined); // a duplicate is simply re-ACKed
      if (packet.block !== (expected & 0xffff)) return;
      chunks.push(packet.payload);
      result.blockSizes.push(packet.payload.length);
      expected++;
      if (last) result.data = Buffer.concat(chunks);
    });
    socket.bind(0, HOST, () => {
      result.clientPort = socket.address().port;
      kick();
      send(request(1, filename, mode, options), serverPort);
    });
  });
}

// ---------------------------------------------------------------------------

// seeded pseudo-random contents: a failure replays with the same bytes
const FILES: Record<string, Buffer> = {
  'empty.bin': Buffer.alloc(0),
  'short.bin': seededBytes(1, 511),
  'exact.bin': seededBytes(2, 512),
  'random.bin': seededBytes(3, 70_000),
  // 65 540 blocks of 8 bytes: enough to wrap the 16-bit block number.
  'wrap.bin': seededBytes(4, (65_536 + 4) * 8 - 3),
};

function mapResolver(files: Record<string, Buffer>): TftpServerOptions['resolve'] {
  return (name) => files[name];
}

describe('TFTP server', () => {
  let server: TftpServer;
  const resolved: string[] = [];
  const transfers: Array<Parameters<NonNullable<TftpServerOptions['onTransfer']>>[0]> = [];

  beforeAll(async () => {
    server = await startTftpServer({
      port: 0,
      timeoutMs: 300,
      // Async on purpose: the server must accept a Promise from resolve.
      resolve: async (name) => {
        resolved.push(name);
        if (name === 'boom.bin') throw new Error('storage offline');
        await new Promise((r) => setImmediate(r));
        return FILES[name];
      },
      onTransfer: (info) => transfers.push(info),
    });
  });
  afterAll(() => server.close());

  it('listens on an ephemeral port on 127.0.0.1', () => {
    expect(server.host).toBe(HOST);
    expect(server.port).toBeGreaterThan(0);
  });

  it.each(['empty.bin', 'short.bin', 'exact.bin', 'random.bin'])(
    'serves %s byte-for-byte with 512-byte blocks from a transfer port of its own',
    async (name) => {
      const res = await tftpGet(server.port, name);
      expect(res.error).toBeUndefined();
      expect(res.oack).toBeUndefined();
      expect(res.data!.equals(FILES[name]!)).toBe(true);
      expect(res.tid).not.toBe(server.port);
    },
  );

  it('ends a file that fills its last block exactly with an empty final block', async () => {
    const res = await tftpGet(server.port, 'exact.bin');
    expect(res.blockSizes).toEqual([512, 0]);
    const empty = await tftpGet(server.port, 'empty.bin');
    expect(empty.blockSizes).toEqual([0]);
  });

  it('negotiates blksize and tsize with an OACK, then serves identical bytes', async () => {
    const res = await tftpGet(server.port, 'random.bin', { options: { blksize: '1428', tsize: '0' } });
    expect(res.oack).toEqual({ blksize: '1428', tsize: '70000' });
    expect(res.data!.equals(FILES['random.bin']!)).toBe(true);
    expect(res.blockSizes).toHaveLength(Math.floor(70_000 / 1428) + 1);
  });

  it('answers tsize alone with the real size and keeps 512-byte blocks', async () => {
    const res = await tftpGet(server.port, 'short.bin', { options: { tsize: '0' } });
    expect(res.oack).toEqual({ tsize: '511' });
    expect(res.data!.equals(FILES['short.bin']!)).toBe(true);
  });

  it('clamps blksize into the RFC 2348 range 8..65464', async () => {
    const small = await tftpGet(server.port, 'short.bin', { options: { blksize: '4' } });
    expect(small.oack).toEqual({ blksize: '8' });
    expect(small.data!.equals(FILES['short.bin']!)).toBe(true);

    const large = await tftpGet(server.port, 'random.bin', { options: { BLKSIZE: '100000' } });
    expect(large.oack).toEqual({ blksize: '65464' });
    expect(large.blockSizes).toEqual([65464, 70_000 - 65464]);
    expect(large.data!.equals(FILES['random.bin']!)).toBe(true);
  });

  it('ignores unknown or malformed options and then sends DATA without an OACK', async () => {
    const res = await tftpGet(server.port, 'short.bin', { options: { windowsize: '4', blksize: 'big' } });
    expect(res.oack).toBeUndefined();
    expect(res.data!.equals(FILES['short.bin']!)).toBe(true);
  });

  it('serves netascii requests unchanged, like octet', async () => {
    const res = await tftpGet(server.port, 'random.bin', { mode: 'NetASCII' });
    expect(res.data!.equals(FILES['random.bin']!)).toBe(true);
  });

  it('wraps block numbers past 65535 and still delivers every byte', { timeout: 20_000 }, async () => {
    const res = await tftpGet(server.port, 'wrap.bin', { options: { blksize: '8' } });
    expect(res.blockSizes.length).toBeGreaterThan(65_536);
    expect(res.data!.equals(FILES['wrap.bin']!)).toBe(true);
  });

  it('reports completed and failed transfers through onTransfer', async () => {
    const served = await tftpGet(server.port, 'short.bin');
    const missing = await tftpGet(server.port, 'missing.bin');
    const from = (r: GetResult) => transfers.filter((t) => t.remote === `${HOST}:${r.clientPort}`);
    // The server learns of success from the final ACK, which may land just after the client returns.
    await vi.waitFor(() => expect(from(served)).toHaveLength(1), { timeout: 1000 });
    expect(from(served)).toEqual([{ filename: 'short.bin', remote: `${HOST}:${served.clientPort}`, bytes: 511, ok: true }]);
    expect(from(missing)).toEqual([
      { filename: 'missing.bin', remote: `${HOST}:${missing.clientPort}`, bytes: 0, ok: false, error: 'File not found' },
    ]);
  });

  it('answers an unknown file with ERROR 1 "File not found"', async () => {
    const res = await tftpGet(server.port, 'missing.bin');
    expect(res.error).toEqual({ code: 1, message: 'File not found' });
  });

  it('answers a resolver failure with ERROR 0 and keeps serving', async () => {
    const res = await tftpGet(server.port, 'boom.bin');
    expect(res.error?.code).toBe(0);
    expect((await tftpGet(server.port, 'short.bin')).data!.equals(FILES['short.bin']!)).toBe(true);
  });

  it('refuses WRQ with ERROR 2 "Access violation" because it is read-only', async () => {
    const ep = await Endpoint.open();
    try {
      ep.send(request(2, 'upload.bin'), server.port);
      const { packet } = await ep.next();
      expect(packet).toEqual({ op: 'ERROR', code: 2, message: 'Access violation' });
    } finally {
      await ep.close();
    }
  });

  it.each([
    ['parent traversal', '../etc/passwd'],
    ['bare ..', '..'],
    ['a slash', 'dir/short.bin'],
    ['an absolute path', '/short.bin'],
    ['a backslash', 'dir\\short.bin'],
    ['256 bytes', 'a'.repeat(256)],
    ['over 255 UTF-8 bytes', 'é'.repeat(128)],
  ])('refuses a filename with %s with ERROR 2 without calling resolve', async (_label, name) => {
    resolved.length = 0;
    const res = await tftpGet(server.port, name);
    expect(res.error).toEqual({ code: 2, message: 'Access violation' });
    expect(resolved).toEqual([]);
  });

  it('accepts a filename of exactly 255 bytes (and finds it missing)', async () => {
    resolved.length = 0;
    const res = await tftpGet(server.port, 'a'.repeat(255));
    expect(res.error?.code).toBe(1);
    expect(resolved).toHaveLength(1);
  });

  it('survives garbage datagrams, answering at most with ERROR packets, and still serves', async () => {
    const ep = await Endpoint.open();
    try {
      const garbage: Buffer[] = [
        Buffer.alloc(0),
        Buffer.from([0]),
        Buffer.from([0, 1]), // RRQ without a filename
        Buffer.from([0, 1, 0x61, 0x62]), // RRQ with an unterminated filename
        Buffer.from('\0\x01short.bin\0'), // RRQ without a mode
        Buffer.from('\0\x01short.bin\0mail\0'), // unsupported mode
        Buffer.from('\0\x01short.bin\0octet\0blksize\0'), // dangling option is not fatal (served)
        Buffer.from([0, 3, 0, 1, 1, 2, 3]), // DATA to the request port
        Buffer.from([0, 4, 0, 1]), // ACK to the request port
        Buffer.from([0, 5, 0, 0]), // ERROR to the request port (must not be answered)
        Buffer.from([0, 6]), // OACK to the request port
        Buffer.from([0xff, 0xff, 0, 0]),
      ];
      for (let i = 0; i < 50; i++) garbage.push(seededBytes(100 + i, 1 + ((i * 37) % 600)));
      for (const pkt of garbage) ep.send(pkt, server.port);

      // until the replies the test looks for are in: the served RRQ's DATA and the ERROR 4s
      await waitFor('the replies to the garbage', () => {
        const got = ep.peek();
        return got.some((r) => r.packet.op === 'DATA') && got.filter((r) => r.packet.op === 'ERROR' && r.packet.code === 4).length >= 8;
      }, 3000);
      const replies = ep.take();
      expect(replies.length).toBeGreaterThan(0);
      for (const { packet, port } of replies) {
        if (port === server.port) {
          expect(packet.op).toBe('ERROR');
        } else {
          // The one valid RRQ (with a dangling option) is served from its own TID; finish it cleanly.
          expect(packet).toMatchObject({ op: 'DATA', block: 1 });
          ep.send(ack(1), port);
        }
      }
      const illegal = replies.filter((r) => r.packet.op === 'ERROR' && r.packet.code === 4);
      expect(illegal.length).toBeGreaterThanOrEqual(8);
    } finally {
      await ep.close();
    }
    const res = await tftpGet(server.port, 'random.bin', { options: { blksize: '1024' } });
    expect(res.data!.equals(FILES['random.bin']!)).toBe(true);
  });

  it('answers an ACK from a foreign port with ERROR 5 and completes the transfer undisturbed', async () => {
    const client = await Endpoint.open();
    const stranger = await Endpoint.open();
    try {
      client.send(request(1, 'random.bin'), server.port);
      const first = await client.next();
      expect(first.packet).toMatchObject({ op: 'DATA', block: 1 });
      const tid = first.port;

      stranger.send(ack(1), tid);
      expect((await stranger.next()).packet).toEqual({ op: 'ERROR', code: 5, message: 'Unknown transfer ID' });
      // Junk from the right TID is ignored too rather than ending the transfer.
      client.send(Buffer.from([0, 9]), tid);

      const chunks = [(first.packet as { payload: Buffer }).payload];
      client.send(ack(1), tid);
      for (let block = 2; ; block++) {
        const { packet, port } = await client.next();
        expect(port).toBe(tid);
        expect(packet).toMatchObject({ op: 'DATA', block });
        const payload = (packet as { payload: Buffer }).payload;
        chunks.push(payload);
        client.send(ack(block), tid);
        if (payload.length < 512) break;
      }
      expect(Buffer.concat(chunks).equals(FILES['random.bin']!)).toBe(true);
    } finally {
      await client.close();
      await stranger.close();
    }
  });

  it('ignores a retransmitted RRQ instead of starting a second transfer', async () => {
    const ep = await Endpoint.open();
    try {
      ep.send(request(1, 'short.bin'), server.port);
      ep.send(request(1, 'short.bin'), server.port);
      // the first reply, then a window in which a second transfer would show
      const replies = [await ep.next(), ...(await ep.drain(100))];
      expect(replies).toHaveLength(1);
      expect(replies[0]!.packet).toMatchObject({ op: 'DATA', block: 1 });
      ep.send(ack(1), replies[0]!.port);
    } finally {
      await ep.close();
    }
  });

  it('interoperates with the tftp-hpa command-line client', async () => {
    const TFTP_BIN = requireTool('tftp', 'tftp-hpa');
    const dir = await mkdtemp(join(tmpdir(), 'tftp-test-'));
    try {
      for (const name of ['random.bin', 'exact.bin', 'empty.bin']) {
        const local = join(dir, name);
        await execa(TFTP_BIN, [HOST, String(server.port), '-m', 'binary', '-c', 'get', name, local], {
          timeout: 5000,
        });
        expect((await readFile(local)).equals(FILES[name]!)).toBe(true);
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('TFTP server timeouts, limits and shutdown', () => {
  const servers: TftpServer[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.close()));
  });

  async function start(extra: Partial<TftpServerOptions>): Promise<TftpServer> {
    const server = await startTftpServer({ port: 0, resolve: mapResolver(FILES), timeoutMs: 50, retries: 2, ...extra });
    servers.push(server);
    return server;
  }

  it('retransmits an unacknowledged block `retries` times, then gives up and frees the slot', async () => {
    let done!: (info: { ok: boolean; error?: string; bytes: number }) => void;
    const outcome = new Promise<{ ok: boolean; error?: string; bytes: number }>((r) => (done = r));
    const server = await start({ maxSessions: 1, onTransfer: done });
    const ep = await Endpoint.open();
    try {
      ep.send(request(1, 'random.bin'), server.port);
      const packets: Received[] = [];
      for (;;) {
        const r = await ep.next(500);
        packets.push(r);
        if (r.packet.op === 'ERROR') break;
      }
      // Original + 2 retransmissions of the same block, then a parting ERROR 0.
      expect(packets.map((p) => p.packet.op)).toEqual(['DATA', 'DATA', 'DATA', 'ERROR']);
      expect(packets.slice(0, 3).every((p) => p.packet.op === 'DATA' && p.packet.block === 1)).toBe(true);
      expect(new Set(packets.map((p) => p.port)).size).toBe(1);
      expect(await outcome).toMatchObject({ ok: false, bytes: 0 });
      expect(await ep.drain(150)).toEqual([]);
    } finally {
      await ep.close();
    }
    // The single session slot is free again.
    expect((await tftpGet(server.port, 'short.bin')).data!.equals(FILES['short.bin']!)).toBe(true);
  });

  it('gives up on a client that never acknowledges the OACK', async () => {
    const server = await start({});
    const ep = await Endpoint.open();
    try {
      ep.send(request(1, 'short.bin', 'octet', { tsize: '0' }), server.port);
      const ops: string[] = [];
      for (;;) {
        const { packet } = await ep.next(500);
        ops.push(packet.op);
        if (packet.op === 'ERROR') break;
      }
      expect(ops).toEqual(['OACK', 'OACK', 'OACK', 'ERROR']);
    } finally {
      await ep.close();
    }
  });

  it('answers RRQs beyond maxSessions with ERROR 0 "Server busy"', async () => {
    const server = await start({ maxSessions: 1, timeoutMs: 500 });
    const holder = await Endpoint.open();
    try {
      holder.send(request(1, 'random.bin'), server.port);
      expect((await holder.next()).packet).toMatchObject({ op: 'DATA', block: 1 });
      const res = await tftpGet(server.port, 'short.bin');
      expect(res.error).toEqual({ code: 0, message: 'Server busy' });
    } finally {
      await holder.close();
    }
  });

  it('close() ends in-flight transfers: no more retransmissions, onTransfer told', async () => {
    const outcomes: Array<{ ok: boolean; error?: string }> = [];
    const server = await start({ timeoutMs: 30, retries: 10, onTransfer: (i) => outcomes.push(i) });
    const ep = await Endpoint.open();
    try {
      ep.send(request(1, 'random.bin'), server.port);
      expect((await ep.next()).packet).toMatchObject({ op: 'DATA', block: 1 });
      await server.close();
      expect(outcomes).toEqual([expect.objectContaining({ ok: false, error: 'server closed' })]);
      await ep.drain(60); // a retransmission may already have been in flight
      expect(await ep.drain(150)).toEqual([]);
    } finally {
      await ep.close();
    }
    await server.close(); // idempotent
  });

  it('close() during a slow resolve never starts the transfer', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let entered!: () => void;
    const resolving = new Promise<void>((r) => (entered = r));
    const server = await start({
      resolve: async (name) => {
        entered();
        await gate;
        return FILES[name];
      },
    });
    const ep = await Endpoint.open();
    try {
      ep.send(request(1, 'short.bin'), server.port);
      await resolving;
      await server.close();
      release();
      expect(await ep.drain(150)).toEqual([]);
    } finally {
      await ep.close();
    }
  });
});
