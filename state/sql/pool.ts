// The worker threads `run sql` queries run in: a small pool, one query per worker at a time, so a
// slow query of one session never holds up another session's queries. A worker whose query runs
// too long, or needs too much memory, is terminated and replaced.
import { Worker } from 'node:worker_threads';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { SqlResult } from './engine.js';
import { projectRoot } from '../paths.js';

/** V8 heap of one worker; the SQLite heap inside it is capped by the engine (engine.ts). */
export const WORKER_HEAP_MB = 128;
/** Workers kept loaded while no query runs. */
const SPARE = 1;

interface Waiter {
  resolve(w: Worker): void;
  reject(e: unknown): void;
}

let maxWorkers = 4;
const all = new Set<Worker>();
const idle: Worker[] = [];
const waiting: Waiter[] = [];
let starting = 0;
let requestSeq = 0;
let started = false;

/**
 * The compiled worker. From dist/ it sits next to this module; from the sources (vitest) a worker
 * cannot run TypeScript, so it is the one in dist/, which must have been built.
 */
function workerUrl(): URL {
  if (import.meta.url.endsWith('.js')) {
    const url = new URL('./worker.js', import.meta.url);
    if (!existsSync(fileURLToPath(url))) throw new Error(`the SQL worker ${fileURLToPath(url)} is missing from this build`);
    return url;
  }
  const built = join(projectRoot(), 'dist', 'state', 'sql', 'worker.js');
  if (!existsSync(built)) throw new Error(`the SQL worker is not built: ${built} is missing; run \`npm run build\` first`);
  return pathToFileURL(built);
}

function startWorker(): Promise<Worker> {
  return new Promise((resolve, reject) => {
    let worker: Worker;
    try {
      worker = new Worker(workerUrl(), { resourceLimits: { maxOldGenerationSizeMb: WORKER_HEAP_MB, maxYoungGenerationSizeMb: 16 } });
    } catch (e) {
      reject(e);
      return;
    }
    // Without an 'error' listener a crash in the worker would be rethrown in this thread.
    worker.on('error', () => {});
    const onMessage = (m: { ready?: boolean; fatal?: string }) => {
      if (m.ready) {
        cleanup();
        worker.unref();
        all.add(worker);
        worker.on('exit', () => {
          all.delete(worker);
          const i = idle.indexOf(worker);
          if (i >= 0) idle.splice(i, 1);
          pump();
        });
        started = true;
        resolve(worker);
      } else if (m.fatal !== undefined) {
        cleanup();
        void worker.terminate();
        reject(new Error(m.fatal));
      }
    };
    const onExit = (code: number) => {
      cleanup();
      reject(new Error(`SQL worker exited during start-up (code ${code})`));
    };
    const cleanup = () => {
      worker.off('message', onMessage);
      worker.off('exit', onExit);
    };
    worker.on('message', onMessage);
    worker.on('exit', onExit);
  });
}

function spawn(): Promise<Worker> {
  starting++;
  return startWorker().finally(() => starting--);
}

/** Starts workers for queries that wait while there is room, and keeps a spare loaded. */
function pump(): void {
  while (waiting.length && all.size + starting < maxWorkers) {
    const next = waiting.shift()!;
    spawn().then(next.resolve, (e) => {
      next.reject(e);
      pump();
    });
  }
  if (!waiting.length && idle.length + starting < SPARE && all.size + starting < maxWorkers) {
    spawn().then(
      (w) => release(w),
      () => undefined, // the next query reports why
    );
  }
}

function acquire(): Promise<Worker> {
  const w = idle.pop();
  if (w) {
    pump();
    return Promise.resolve(w);
  }
  return new Promise<Worker>((resolve, reject) => {
    waiting.push({ resolve, reject });
    pump();
  });
}

function release(w: Worker): void {
  if (!all.has(w)) return;
  const next = waiting.shift();
  if (next) return next.resolve(w);
  if (idle.length < SPARE) {
    w.unref();
    idle.push(w);
  } else void w.terminate();
}

/** How many queries may run at once (each in its own worker); the default is 4. */
export function setMaxWorkers(n: number): void {
  maxWorkers = Math.max(1, Math.floor(n));
}

/** Loads one worker (the first query then starts without waiting for the engine). */
export async function warmUp(): Promise<void> {
  release(await acquire());
}

export function poolStarted(): boolean {
  return started;
}

/** Stops every worker; a query running now ends with an error. */
export async function stopWorkers(): Promise<void> {
  await Promise.all([...all].map((w) => w.terminate()));
}

const seconds = (ms: number) => (ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`);

/** Runs one request in a worker of its own, terminating it after `timeoutMs`. */
export async function runInPool(payload: object, timeoutMs: number): Promise<SqlResult> {
  const worker = await acquire();
  return new Promise((resolve) => {
    const id = ++requestSeq;
    let oom = false;
    const finish = (result: SqlResult, healthy: boolean) => {
      clearTimeout(timer);
      worker.off('message', onMessage);
      worker.off('exit', onExit);
      worker.off('error', onError);
      if (healthy) release(worker);
      else void worker.terminate();
      resolve(result);
    };
    const onMessage = (m: { id?: number; result?: SqlResult }) => {
      if (m.id === id && m.result) finish(m.result, true);
    };
    const onError = (e: Error & { code?: string }) => {
      if (e.code === 'ERR_WORKER_OUT_OF_MEMORY') oom = true;
    };
    const onExit = () =>
      finish(
        {
          ok: false,
          error: oom ? `query stopped: it needed more than ${WORKER_HEAP_MB} MB of memory; narrow the query` : 'SQL engine stopped unexpectedly',
        },
        false,
      );
    const timer = setTimeout(
      () => finish({ ok: false, error: `query cancelled: it ran longer than ${seconds(timeoutMs)} (the limit is set with --sql-timeout)` }, false),
      timeoutMs,
    );
    worker.on('message', onMessage);
    worker.on('error', onError);
    worker.on('exit', onExit);
    worker.ref();
    worker.postMessage({ id, ...payload });
  });
}
