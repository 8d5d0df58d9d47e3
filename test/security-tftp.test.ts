// TFTP under abuse, with raw datagram clients: transfers per source address are capped, an
// unanswered transfer is retransmitted a bounded number of times, malformed requests get an ERROR
// or nothing (a flood of them, or of refused well-formed ones, only a few), and the server listens
// on loopback unless told.
import dgram from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import { startTftpServer, type TftpServer, type TftpServerOptions } from '../src/net/tftp-server.js';
import { startTftpEndpoints } from '../src/net/tftp-endpoints.js';
import { parseCommon } from '../src/cli/args.js';
import { cleanup, seededLab, waitFor } from './helpers.js';

const FILE = Buffer.alloc(3000, 0x41); // six blocks of 512

interface Packet {
  op: number;
  block?: number;
  code?: number;
  message?: string;
  port: number;
}

/** A client socket that keeps every datagram it receives. */
class Client {
  got: Packet[] = [];
  private constructor(readonly sock: dgram.Socket) {
    sock.on('message', (m, rinfo) => {
      const op = m.length >= 2 ? m.readUInt16BE(0) : -1;
      const p: Packet = { op, port: rinfo.port };
      if (op === 3 || op === 4) p.block = m.readUInt16BE(2);
      if (op === 5) {
        p.code = m.readUInt16BE(2);
        p.message = m.subarray(4, m.indexOf(0, 4) < 0 ? m.length : m.indexOf(0, 4)).toString();
      }
      this.got.push(p);
    });
  }
  static async open(address = '127.0.0.1'): Promise<Client> {
    const sock = dgram.createSocket('udp4');
    await new Promise<void>((r) => sock.bind(0, address, () => r()));
    return new Client(sock);
  }
  send(pkt: Buffer, port: number): void {
    this.sock.send(pkt, port, '127.0.0.1');
  }
  close(): void {
    this.sock.close();
  }
}

const rrq = (name: string) => Buffer.concat([Buffer.from([0, 1]), Buffer.from(`${name}\0octet\0`)]);
const errorTo = () => Buffer.from([0, 5, 0, 0, 0]);

const servers: TftpServer[] = [];
const clients: Client[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  for (const s of servers.splice(0)) await s.close();
});

async function start(extra: Partial<TftpServerOptions> = {}): Promise<TftpServer> {
  const s = await startTftpServer({ port: 0, resolve: (f) => (f === 'file.bin' ? FILE : undefined), ...extra });
  servers.push(s);
  return s;
}

async function client(address?: string): Promise<Client> {
  const c = await Client.open(address);
  clients.push(c);
  return c;
}

describe('TFTP limits per source address', () => {
  it('serves at most 4 transfers at once to one address by default; the next is busy, another address is not', async () => {
    const server = await start({ timeoutMs: 5000 });
    const held: Client[] = [];
    for (let i = 0; i < 4; i++) {
      const c = await client();
      c.send(rrq('file.bin'), server.port);
      await waitFor(`DATA 1 for transfer ${i + 1}`, () => c.got.some((p) => p.op === 3 && p.block === 1));
      held.push(c);
    }
    const fifth = await client();
    fifth.send(rrq('file.bin'), server.port);
    await waitFor('the answer to the fifth', () => fifth.got.length > 0);
    expect(fifth.got[0]).toMatchObject({ op: 5, code: 0, message: 'Server busy', port: server.port });

    // another address on the loopback network is not held back by the first one
    const other = await client('127.0.0.2');
    other.send(rrq('file.bin'), server.port);
    await waitFor('DATA 1 for another address', () => other.got.some((p) => p.op === 3 && p.block === 1));

    // a transfer that ends frees its slot for the same address
    held[0].send(errorTo(), held[0].got[0].port);
    const sixth = await client();
    await waitFor('a freed slot', async () => {
      sixth.got = [];
      sixth.send(rrq('file.bin'), server.port);
      await waitFor('an answer', () => sixth.got.length > 0);
      return sixth.got[0].op === 3;
    });
  });

  it('takes its cap from maxPerSource (--tftp-max-per-source)', async () => {
    const server = await start({ timeoutMs: 5000, maxPerSource: 1 });
    const a = await client();
    a.send(rrq('file.bin'), server.port);
    await waitFor('DATA 1', () => a.got.some((p) => p.op === 3));
    const b = await client();
    b.send(rrq('file.bin'), server.port);
    await waitFor('the answer', () => b.got.length > 0);
    expect(b.got[0]).toMatchObject({ op: 5, code: 0, message: 'Server busy' });
    expect(parseCommon(['serve', '--tftp-max-per-source', '2', '--tftp-host', '0.0.0.0']).flags).toMatchObject({ tftpMaxPerSource: 2, tftpHost: '0.0.0.0' });
    expect(() => parseCommon(['--tftp-max-per-source', '0'])).toThrow(/above 0/);
  });
});

describe('TFTP retransmissions', () => {
  it('sends an unacknowledged block 5 more times at most, then a parting ERROR', async () => {
    const server = await start({ timeoutMs: 20 });
    const c = await client();
    c.send(rrq('file.bin'), server.port);
    await waitFor('the parting ERROR', () => c.got.some((p) => p.op === 5), 10_000);
    expect(c.got.map((p) => `${p.op}:${p.block ?? p.code}`)).toEqual(['3:1', '3:1', '3:1', '3:1', '3:1', '3:1', '5:0']);
    // the slot is free again: a new request from the same socket is served
    c.got = [];
    c.send(rrq('file.bin'), server.port);
    await waitFor('a new transfer', () => c.got.some((p) => p.op === 3));
  });
});

describe('malformed requests', () => {
  it('get an ERROR or nothing, and the server keeps serving', async () => {
    const server = await start();
    const c = await client();
    const bad = [
      Buffer.from([0, 1]),
      Buffer.from([0, 1, 0]),
      Buffer.from('\0\x01file.bin'), // no terminator
      Buffer.from('\0\x01file.bin\0'), // no mode
      Buffer.from('\0\x01file.bin\0bogus\0'),
      Buffer.from('\0\x01\0octet\0'), // empty name
      Buffer.concat([Buffer.from('\0\x01'), Buffer.alloc(300, 0x61), Buffer.from('\0octet\0')]),
      Buffer.from('\0\x01../../etc/passwd\0octet\0'),
      Buffer.concat([Buffer.from('\0\x01file.bin\0octet\0'), Buffer.from('blksize\0'.repeat(2000))]),
      Buffer.concat([Buffer.from('\0\x01'), Buffer.alloc(60_000, 0xff)]),
      Buffer.from('\0\x01file.bin\0octet\0blksize\0-5\0tsize\0x\0'),
    ];
    for (const b of bad) c.send(b, server.port);
    const good = await client();
    good.send(rrq('file.bin'), server.port);
    await waitFor('DATA 1 for a good request', () => good.got.some((p) => p.op === 3 && p.block === 1));
    // the malformed ones got ERRORs from the request port, or (the option-mangled one) a transfer
    for (const p of c.got) expect(p.op === 5 ? p.port : p.op).toBe(p.op === 5 ? server.port : 3);
  });

  it('a flood of them from one address is answered only a few times', async () => {
    const server = await start();
    const c = await client();
    for (let i = 0; i < 1000; i++) c.send(Buffer.from([0, 9, i & 0xff]), server.port);
    // a well-formed request after the flood is still served (sent again while the flood may still
    // fill the socket buffers; a repeated request from the same port starts no second transfer)
    await waitFor('DATA 1 after the flood', () => {
      if (c.got.some((p) => p.op === 3)) return true;
      c.send(rrq('file.bin'), server.port);
      return false;
    });
    const errors = c.got.filter((p) => p.op === 5).length;
    expect(errors).toBeGreaterThan(0);
    expect(errors).toBeLessThan(200);
  });
});

describe('well-formed requests that are refused', () => {
  it('a flood of them from one address gets only the error budget (a burst of 32, then 16 a second)', async () => {
    let refused = 0;
    const server = await start({
      onTransfer: (t) => {
        if (!t.ok) refused++;
      },
    });
    const c = await client();
    // in batches, each processed before the next, so none is lost to a full socket buffer
    for (let batch = 1; batch <= 10; batch++) {
      for (let i = 0; i < 40; i++) c.send(rrq(`missing-${batch}-${i}.bin`), server.port);
      await waitFor(`batch ${batch} refused`, () => refused === batch * 40);
    }
    // a request for a file that exists still gets its transfer; its DATA comes after every ERROR sent
    c.send(rrq('file.bin'), server.port);
    await waitFor('DATA 1 after the flood', () => c.got.some((p) => p.op === 3));
    const errors = c.got.filter((p) => p.op === 5);
    expect(errors.length).toBeGreaterThanOrEqual(32);
    // 32 at once, and 16 for every second the flood lasted: far fewer than the 400 requests
    expect(errors.length).toBeLessThan(150);
    expect(errors.every((p) => p.message === 'File not found' && p.port === server.port)).toBe(true);
  });
});

describe('TFTP listen address', () => {
  it('is loopback unless one is given', async () => {
    const server = await start();
    expect(server.host).toBe('127.0.0.1');
    const lab = await seededLab();
    try {
      const eps = await startTftpEndpoints(lab, { basePort: 0 });
      try {
        expect(eps.endpoints.every((e) => e.host === '127.0.0.1')).toBe(true);
      } finally {
        await eps.close();
      }
    } finally {
      cleanup(lab);
    }
  });
});
