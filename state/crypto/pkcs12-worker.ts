// The PKCS#12 worker thread: builds and opens bags, one request per message (pkcs12.ts sends them).
import { parentPort, threadId } from 'node:worker_threads';
import { makePkcs12, readPkcs12, type Pkcs12Reply, type Pkcs12Request } from './pkcs12-bag.js';

const port = parentPort;
if (!port) throw new Error('state/crypto/pkcs12-worker.js runs only as a worker thread');

port.on('message', (m: Pkcs12Request) => {
  let reply: Pkcs12Reply;
  try {
    if (m.op === 'build') reply = { id: m.id, threadId, bag: makePkcs12(m.certPem, m.keyPem, m.password, m.seed) };
    else reply = { id: m.id, threadId, opened: readPkcs12(Buffer.from(m.p12), m.password) ?? null };
  } catch (e) {
    reply = { id: m.id, threadId, error: String((e && (e as Error).message) || e) };
  }
  port.postMessage(reply);
});
