// ITLRecovery.p12: the PKCS#12 bag CUCM keeps of the ITLRecovery certificate and key. Bags are built
// and opened in a worker thread (pkcs12-worker.ts), never on the thread that serves sessions.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Pkcs12Reply, Pkcs12Request } from './pkcs12-bag.js';
import { projectRoot } from '../paths.js';

/** Opening runs on a bag from outside (an SFTP server): one with absurd iteration counts is given up. */
const OPEN_LIMIT_MS = 10_000;
const OPEN_HEAP_MB = 128;

type Request = Pkcs12Request extends infer R ? (R extends unknown ? Omit<R, 'id'> : never) : never;

/**
 * The compiled worker. From dist/ it sits next to this module; from the sources (vitest) a worker
 * cannot run TypeScript, so it is the one in dist/, which must have been built.
 */
function workerUrl(): URL {
  if (import.meta.url.endsWith('.js')) {
    const url = new URL('./pkcs12-worker.js', import.meta.url);
    if (!existsSync(fileURLToPath(url))) throw new Error(`the PKCS#12 worker ${fileURLToPath(url)} is missing from this build`);
    return url;
  }
  const built = join(projectRoot(), 'dist', 'state', 'crypto', 'pkcs12-worker.js');
  if (!existsSync(built)) throw new Error(`the PKCS#12 worker is not built: ${built} is missing; run \`npm run build\` first`);
  return pathToFileURL(built);
}

/** One worker thread and the requests it has not answered yet. */
class BagWorker {
  private readonly worker: Worker;
  private readonly pending = new Map<number, { resolve(r: Pkcs12Reply): void; reject(e: Error): void }>();
  private seq = 0;
  private failure?: Error;
  exited = false;

  constructor(heapMb?: number) {
    this.worker = new Worker(workerUrl(), heapMb ? { resourceLimits: { maxOldGenerationSizeMb: heapMb, maxYoungGenerationSizeMb: 16 } } : {});
    // idle, it keeps no process alive (a one-shot command that made a lab exits at once)
    this.worker.unref();
    this.worker.on('message', (m: Pkcs12Reply) => {
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if (!this.pending.size) this.worker.unref();
      p.resolve(m);
    });
    // without an 'error' listener a crash in the worker would be rethrown in this thread
    this.worker.on('error', (e) => (this.failure = e));
    this.worker.on('exit', (code) => {
      this.exited = true;
      const e = new Error(`the PKCS#12 worker stopped: ${this.failure?.message ?? `exit code ${code}`}`);
      for (const p of this.pending.values()) p.reject(e);
      this.pending.clear();
    });
  }

  request(r: Request): Promise<Pkcs12Reply> {
    if (this.exited) return Promise.reject(new Error('the PKCS#12 worker has stopped'));
    const id = ++this.seq;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.ref();
      this.worker.postMessage({ ...r, id });
    });
  }

  terminate(): Promise<number> {
    return this.worker.terminate();
  }
}

let builder: BagWorker | undefined;
let lastThread: number | undefined;

function answer(r: Pkcs12Reply): Pkcs12Reply {
  lastThread = r.threadId;
  if (r.error !== undefined) throw new Error(`PKCS#12: ${r.error}`);
  return r;
}

/** The thread that did the last PKCS#12 work (a worker's threadId), for tests. */
export function lastPkcs12Thread(): number | undefined {
  return lastThread;
}

const bagCache = new Map<string, Promise<Buffer>>();

/** Bundles the ITLRecovery certificate and key as CUCM's ITLRecovery.p12; a seed makes the bytes reproducible. */
export async function buildPkcs12(certPem: string, keyPemText: string, password: string, deterministicSeed?: string): Promise<Buffer> {
  // the same pair is bundled again on every restore and by every seeded lab of a seed
  const id = createHash('sha256').update(JSON.stringify([certPem, keyPemText, password, deterministicSeed ?? null])).digest('hex');
  let bag = bagCache.get(id);
  if (!bag) {
    if (bagCache.size >= 64) bagCache.delete(bagCache.keys().next().value as string);
    bag = buildInWorker({ op: 'build', certPem, keyPem: keyPemText, password, seed: deterministicSeed });
    bagCache.set(id, bag);
    // a failure is not remembered: the next call tries again
    bag.catch(() => bagCache.get(id) === bag && bagCache.delete(id));
  }
  return Buffer.from(await bag);
}

async function buildInWorker(r: Request): Promise<Buffer> {
  if (!builder || builder.exited) builder = new BagWorker();
  const reply = answer(await builder.request(r));
  if (!reply.bag) throw new Error('PKCS#12: the worker returned no bag');
  return Buffer.from(reply.bag.buffer, reply.bag.byteOffset, reply.bag.byteLength);
}

/** Opens a PKCS#12 bag; undefined when the password is wrong, the bag is malformed or takes too long to open. */
export async function openPkcs12(p12: Buffer, password: string): Promise<{ certPem: string; keyPem: string } | undefined> {
  // a worker of its own: giving up on a hostile bag ends that worker and nothing else
  const w = new BagWorker(OPEN_HEAP_MB);
  let timer: ReturnType<typeof setTimeout> | undefined;
  // a worker that crashes (out of memory on a hostile bag) has not opened it
  try {
    const late = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), OPEN_LIMIT_MS)));
    const reply = await Promise.race([w.request({ op: 'open', p12: new Uint8Array(p12), password }), late]);
    if (!reply) return undefined;
    return answer(reply).opened ?? undefined;
  } catch {
    return undefined;
  } finally {
    clearTimeout(timer);
    void w.terminate();
  }
}

/** The PKCS#12 password is derived from the cluster security password (CUCM does not publish how). */
export function p12Password(clusterSecurityPassword: string): string {
  return clusterSecurityPassword;
}
