// Read-only SQL over simulated CUCM tables, for the OS-admin `run sql <statement>` command: the
// entry point and its limits. Queries run in worker threads (pool.ts), never on the main thread.
//
// The engine is SQLite (sql.js, wasm). Every query gets a fresh in-memory database built from the
// caller's tables, so nothing a query does can outlive it. Layers of defence, outermost first:
//   1. lexical checks (length, one statement, must start with SELECT/WITH, no write/admin keywords);
//   2. engine checks: SQLite compiles the text and must find exactly one statement that returns
//      columns, and its bytecode (EXPLAIN) must contain no write, schema, transaction or attach step;
//   3. the database runs under `PRAGMA query_only = ON`, so SQLite itself refuses any write;
//   4. limits: rows and result characters counted while stepping, the SQLite heap capped, the
//      worker's V8 heap capped, and a worker whose query runs too long is terminated (a recursive
//      CTE or a cross join can otherwise spin forever).
import type { SqlLimits, SqlResult, SqlTables } from './engine.js';
import { checkTokens, referencedTables, rewriteInformix, tokenize } from './dialect.js';
import { informixColumnName } from './format.js';
import { poolStarted, runInPool, setMaxWorkers, stopWorkers, warmUp } from './pool.js';

export interface RunSelectOptions {
  /** Wall-clock limit for one query in the engine; default the configured one (5000 ms). */
  timeoutMs?: number;
  /** Most rows a result may have; default the configured one (10,000). */
  maxRows?: number;
}

export const MAX_STATEMENT_CHARS = 10_000;
export const MAX_RESULT_ROWS = 10_000;
/** Total characters over all result cells; stops `select randomblob(1e8)` style floods. */
export const MAX_RESULT_CHARS = 16_000_000;
const DEFAULT_TIMEOUT_MS = 5_000;
/** Bounds of what the flags accept. */
export const MAX_TIMEOUT_MS = 3_600_000;
export const MAX_ROWS_LIMIT = 1_000_000;

export interface SqlSettings {
  timeoutMs: number;
  maxRows: number;
  /** queries that may run at once, each in its own worker */
  workers: number;
}

const settings: SqlSettings = { timeoutMs: DEFAULT_TIMEOUT_MS, maxRows: MAX_RESULT_ROWS, workers: 4 };

/** Sets the limits for every later query of this process (`--sql-timeout`, `--sql-max-rows`). */
export function configureSql(s: Partial<SqlSettings>): void {
  if (s.timeoutMs !== undefined) settings.timeoutMs = Math.min(MAX_TIMEOUT_MS, Math.max(1, Math.floor(s.timeoutMs)));
  if (s.maxRows !== undefined) settings.maxRows = Math.min(MAX_ROWS_LIMIT, Math.max(1, Math.floor(s.maxRows)));
  if (s.workers !== undefined) {
    settings.workers = Math.max(1, Math.floor(s.workers));
    setMaxWorkers(settings.workers);
  }
}

export function sqlSettings(): SqlSettings {
  return { ...settings };
}

/** Loads the wasm engine in a worker ahead of the first query. */
export async function sqlEngine(): Promise<void> {
  await warmUp();
}

/** Where queries run: 'worker' once a worker has started, null before. */
export function sqlEngineMode(): 'worker' | null {
  return poolStarted() ? 'worker' : null;
}

/** Stops the workers (a running query ends with an error); the next query starts new ones. */
export function stopSqlEngine(): Promise<void> {
  return stopWorkers();
}

/** Runs one read-only statement against a fresh in-memory database built from `tables`. */
export async function runSelect(tables: SqlTables, statement: string, options: RunSelectOptions = {}): Promise<SqlResult> {
  try {
    if (typeof statement !== 'string') return { ok: false, error: 'statement must be text' };
    if (statement.length > MAX_STATEMENT_CHARS) {
      return { ok: false, error: `statement is too long (${statement.length} characters; limit ${MAX_STATEMENT_CHARS})` };
    }
    const tokens = tokenize(statement);
    const refused = checkTokens(tokens);
    if (refused) return { ok: false, error: refused };
    const sql = rewriteInformix(statement, tokens);
    const maxRows = Math.max(1, Math.floor(options.maxRows ?? settings.maxRows));
    const payload = {
      tables: referencedTables(tables, tokens),
      sql,
      limits: { maxRows, maxChars: MAX_RESULT_CHARS } satisfies SqlLimits,
    };
    const timeoutMs = Math.max(1, options.timeoutMs ?? settings.timeoutMs);
    const r = await runInPool(payload, timeoutMs);
    return r.ok ? { ok: true, columns: r.columns.map(informixColumnName), rows: r.rows } : r;
  } catch (e) {
    const msg = String((e && (e as Error).message) || e).replace(/\s+/g, ' ').trim();
    return { ok: false, error: `SQL engine error: ${msg}` };
  }
}
