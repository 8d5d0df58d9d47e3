// Read-only SQL over simulated CUCM tables, for the OS-admin `run sql <statement>` command: the
// entry point, its limits, and the worker thread that hosts the engine.
//
// The engine is SQLite (sql.js, wasm). Every query gets a fresh in-memory database built from the
// caller's tables, so nothing a query does can outlive it. Layers of defence, outermost first:
//   1. lexical checks (length, one statement, must start with SELECT/WITH, no write/admin keywords);
//   2. engine checks: SQLite compiles the text and must find exactly one statement that returns
//      columns, and its bytecode (EXPLAIN) must contain no write, schema, transaction or attach step;
//   3. the database runs under `PRAGMA query_only = ON`, so SQLite itself refuses any write;
//   4. caps on rows and result size, and the engine runs in a worker thread that is killed when a
//      query runs too long (a recursive CTE or a cross join can otherwise spin forever).
import { Worker } from 'node:worker_threads';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { SqlJsStatic } from 'sql.js';
import { executeReadOnly, type SqlLimits, type SqlResult, type SqlTables } from './engine.js';
import { checkTokens, referencedTables, rewriteInformix, tokenize } from './dialect.js';
import { informixColumnName } from './format.js';
import { projectRoot } from '../paths.js';

export interface RunSelectOptions {
  /** Wall-clock limit for one query in the engine; default 5000 ms. */
  timeoutMs?: number;
}

export const MAX_STATEMENT_CHARS = 10_000;
export const MAX_RESULT_ROWS = 10_000;
/** Total characters over all result cells; stops `select randomblob(1e8)` style floods. */
export const MAX_RESULT_CHARS = 16_000_000;
const DEFAULT_TIMEOUT_MS = 5_000;

// ---------------------------------------------------------------------------------------------
// Engine host: a worker thread (killable on timeout), or in-process if a worker cannot start.

type Engine =
  | { mode: 'worker'; worker: Worker }
  | { mode: 'in-process'; SQL: SqlJsStatic };

let enginePromise: Promise<Engine> | null = null;
let currentEngine: Engine | null = null;
let requestSeq = 0;
let queue: Promise<unknown> = Promise.resolve();

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
  if (!existsSync(built)) {
    throw new Error(`the SQL worker is not built: ${built} is missing; run \`npm run build\` first`);
  }
  return pathToFileURL(built);
}

function startWorker(url: URL): Promise<Engine> {
  return new Promise((resolve, reject) => {
    let worker: Worker;
    try {
      worker = new Worker(url);
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
        resolve({ mode: 'worker', worker });
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

async function startEngine(): Promise<Engine> {
  // A missing build is an error, never a reason to run without the worker.
  const url = workerUrl();
  let engine: Engine;
  try {
    engine = await startWorker(url);
  } catch {
    const initSqlJs = (await import('sql.js')).default;
    engine = { mode: 'in-process', SQL: await initSqlJs() };
  }
  currentEngine = engine;
  if (engine.mode === 'worker') {
    const worker = engine.worker;
    worker.on('exit', () => dropEngine(worker));
  }
  return engine;
}

function dropEngine(worker: Worker): void {
  if (currentEngine?.mode === 'worker' && currentEngine.worker === worker) {
    currentEngine = null;
    enginePromise = null;
  }
}

function getEngine(): Promise<Engine> {
  if (!enginePromise) {
    enginePromise = startEngine().catch((e) => {
      enginePromise = null;
      throw e;
    });
  }
  return enginePromise;
}

/** Loads the wasm engine once (cache the promise). */
export async function sqlEngine(): Promise<void> {
  await getEngine();
}

/** Where queries run: 'worker' (killable on timeout), 'in-process' (fallback), or null before start. */
export function sqlEngineMode(): 'worker' | 'in-process' | null {
  return currentEngine?.mode ?? null;
}

function runInWorker(worker: Worker, payload: object, timeoutMs: number): Promise<SqlResult> {
  return new Promise((resolve) => {
    const id = ++requestSeq;
    const finish = (result: SqlResult) => {
      clearTimeout(timer);
      worker.off('message', onMessage);
      worker.off('exit', onExit);
      worker.unref();
      resolve(result);
    };
    const onMessage = (m: { id?: number; result?: SqlResult }) => {
      if (m.id === id && m.result) finish(m.result);
    };
    const onExit = () => finish({ ok: false, error: 'SQL engine stopped unexpectedly' });
    const timer = setTimeout(() => {
      finish({ ok: false, error: `query cancelled: it ran longer than ${timeoutMs} ms` });
      dropEngine(worker);
      void worker.terminate();
    }, timeoutMs);
    worker.on('message', onMessage);
    worker.on('exit', onExit);
    worker.ref();
    worker.postMessage({ id, ...payload });
  });
}

// ---------------------------------------------------------------------------------------------
// Public API.

/** Runs one read-only statement against a fresh in-memory database built from `tables`. */
export async function runSelect(
  tables: SqlTables,
  statement: string,
  options: RunSelectOptions = {},
): Promise<SqlResult> {
  try {
    if (typeof statement !== 'string') return { ok: false, error: 'statement must be text' };
    if (statement.length > MAX_STATEMENT_CHARS) {
      return { ok: false, error: `statement is too long (${statement.length} characters; limit ${MAX_STATEMENT_CHARS})` };
    }
    const tokens = tokenize(statement);
    const refused = checkTokens(tokens);
    if (refused) return { ok: false, error: refused };
    const sql = rewriteInformix(statement, tokens);
    const payload = {
      tables: referencedTables(tables, tokens),
      sql,
      limits: { maxRows: MAX_RESULT_ROWS, maxChars: MAX_RESULT_CHARS } satisfies SqlLimits,
    };
    const timeoutMs = Math.max(1, options.timeoutMs ?? DEFAULT_TIMEOUT_MS);

    const run = async (): Promise<SqlResult> => {
      const engine = await getEngine();
      if (engine.mode === 'in-process') return executeReadOnly(engine.SQL, payload.tables, payload.sql, payload.limits);
      return runInWorker(engine.worker, payload, timeoutMs);
    };
    // One query at a time, so each timeout measures only its own query.
    const result = queue.then(run, run);
    queue = result.catch(() => undefined);
    const r = await result;
    return r.ok ? { ok: true, columns: r.columns.map(informixColumnName), rows: r.rows } : r;
  } catch (e) {
    const msg = String((e && (e as Error).message) || e).replace(/\s+/g, ' ').trim();
    return { ok: false, error: `SQL engine error: ${msg}` };
  }
}
