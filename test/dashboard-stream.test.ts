// The dashboard's event stream on its own: a detail page that opens while a trainee's output is
// waiting to be sent gets that output once (in what was recorded), not a second time after it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { StreamHub } from '../src/dashboard/stream.js';

type Message = { type: string; text?: string; reset?: boolean };

/** What the class has recorded of t01 so far: the stream's first message carries it. */
let recorded = 'admin:';
let hub: StreamHub;
let server: Server;
let base: string;
/** run inside the request of a stream, just before it opens (output arriving at that moment) */
const before = new Map<string, () => void>();

beforeAll(async () => {
  hub = new StreamHub({ rows: () => [], row: () => undefined, exercises: () => [], transcript: () => recorded }, 5);
  server = createServer((req, res) => {
    const session = new URL(req.url!, 'http://x').searchParams.get('session')!;
    before.get(session)?.();
    hub.open(session, res, 't01');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});

afterAll(async () => {
  hub?.close();
  await new Promise((r) => server?.close(r));
});

/** Reads a stream until its transcript (as the page builds it) contains `until`; that transcript. */
async function transcriptUntil(reader: ReadableStreamDefaultReader<Uint8Array>, until: string, soFar = ''): Promise<string> {
  let buf = '';
  let text = soFar;
  for (;;) {
    const r = await reader.read();
    if (r.done) throw new Error(`stream ended with ${JSON.stringify(text)}`);
    buf += Buffer.from(r.value).toString('utf8');
    let i;
    while ((i = buf.indexOf('\n\n')) >= 0) {
      const data = buf.slice(0, i).split('\n').find((l) => l.startsWith('data: '));
      buf = buf.slice(i + 2);
      if (!data) continue;
      const m = JSON.parse(data.slice(6)) as Message;
      if (m.type === 'transcript') text = m.reset ? m.text! : text + m.text!;
    }
    if (text.includes(until)) return text;
  }
}

describe('the transcript stream', () => {
  it('gives a page opened while output waits to be sent that output once', async () => {
    const a = (await fetch(base + '?session=a')).body!.getReader();
    const seenByA = await transcriptUntil(a, 'admin:');
    expect(seenByA).toBe('admin:');
    // the trainee's command comes out (recorded, and waiting for the next coalesced message) just
    // as a second browser opens the same trainee's page
    before.set('b', () => {
      recorded += 'show myself\nadmin:';
      hub.transcript('t01', 'show myself\nadmin:');
    });
    const b = (await fetch(base + '?session=b')).body!.getReader();
    const later = 'show version active\nadmin:';
    recorded += later;
    hub.transcript('t01', later);
    expect(await transcriptUntil(b, 'version')).toBe(recorded);
    expect(await transcriptUntil(a, 'version', seenByA)).toBe(recorded);
    await a.cancel();
    await b.cancel();
  });
});
