// Read-only SQL over simulated CUCM tables, for the OS-admin `run sql <statement>` command.
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
import { createRequire } from 'node:module';
import type { Database, SqlJsStatic, SqlValue } from 'sql.js';

export interface SqlTables {
  [table: string]: { columns: string[]; rows: (string | number | boolean | null)[][] };
}

export type SqlResult =
  | { ok: true; columns: string[]; rows: (string | number | null)[][] }
  | { ok: false; error: string };

export interface RunSelectOptions {
  /** Wall-clock limit for one query in the engine; default 5000 ms. */
  timeoutMs?: number;
}

export const MAX_STATEMENT_CHARS = 10_000;
export const MAX_RESULT_ROWS = 10_000;
/** Total characters over all result cells; stops `select randomblob(1e8)` style floods. */
export const MAX_RESULT_CHARS = 16_000_000;
const DEFAULT_TIMEOUT_MS = 5_000;

export interface SqlLimits {
  maxRows: number;
  maxChars: number;
}

// ---------------------------------------------------------------------------------------------
// Engine core. This function runs inside the worker thread: it is shipped there as source text
// (Function.prototype.toString), so it must stay self-contained — no imports, no module-level
// names, only globals and its parameters. It never throws. Exported for tests of the engine layer
// alone; callers should use runSelect, which adds the lexical checks, dialect rewrites and timeout.

export function executeReadOnly(SQL: SqlJsStatic, tables: SqlTables, sql: string, limits: SqlLimits): SqlResult {
  const oneLine = (e: unknown): string =>
    String((e && (e as Error).message) || e)
      .replace(/\s+/g, ' ')
      .trim();
  const quoteIdent = (name: string): string => '"' + String(name).replace(/"/g, '""') + '"';
  // Bytecode steps a pure SELECT never contains (temp results use OpenEphemeral/Sorter*, not these).
  const WRITE_OPCODES = new Set([
    'OpenWrite', 'Vacuum', 'IncrVacuum', 'Expire', 'AutoCommit', 'Savepoint', 'ParseSchema',
    'CreateBtree', 'Destroy', 'Clear', 'DropTable', 'DropIndex', 'DropTrigger', 'SetCookie',
    'JournalMode', 'VUpdate', 'VCreate', 'VDestroy', 'VBegin', 'SqlExec', 'LoadAnalysis',
    'Checkpoint', 'MaxPgcnt', 'Pagecount', 'ResetCount',
  ]);
  const FORBIDDEN_FUNCTIONS = /^(sqlite_attach|sqlite_detach|load_extension)\b/i;

  let db: Database | null = null;
  try {
    db = new SQL.Database();
    // Build the tables. Column affinity follows the data so `where paramvalue = 0` (text column)
    // and `where tkservice = '11'` (numeric column) both compare the way Informix users expect.
    db.run('BEGIN');
    for (const [table, def] of Object.entries(tables)) {
      const columns = def.columns;
      if (!columns.length) continue;
      const types = columns.map((_, i) => {
        let kind = '';
        for (const row of def.rows) {
          const v = row[i];
          if (v === null || v === undefined) continue;
          const k = typeof v === 'number' ? 'NUMERIC' : 'TEXT';
          if (!kind) kind = k;
          else if (kind !== k) return '';
        }
        return kind || 'TEXT';
      });
      db.run(
        `CREATE TABLE ${quoteIdent(table)} (${columns.map((c, i) => `${quoteIdent(c)} ${types[i]}`).join(', ')})`,
      );
      if (!def.rows.length) continue;
      const insert = db.prepare(
        `INSERT INTO ${quoteIdent(table)} VALUES (${columns.map(() => '?').join(', ')})`,
      );
      try {
        for (const row of def.rows) {
          insert.run(
            columns.map((_, i) => {
              const v = row[i];
              if (v === true) return 't';
              if (v === false) return 'f';
              return v === undefined ? null : v;
            }),
          );
        }
      } finally {
        insert.free();
      }
    }
    db.run('COMMIT');
    db.run('PRAGMA query_only = ON');

    // SQLite's own view of the text: exactly one statement (trailing comments/semicolons are fine).
    // The iterator frees each statement when it advances, so keep only the text of the first.
    const texts: string[] = [];
    for (const s of db.iterateStatements(sql)) {
      texts.push(s.getSQL());
      if (texts.length > 1) break;
    }
    if (texts.length !== 1) {
      return { ok: false, error: texts.length ? 'only one statement is allowed' : 'empty statement' };
    }
    const stmt = db.prepare(texts[0]!);
    try {
      const columns = stmt.getColumnNames();
      if (!columns.length) return { ok: false, error: 'only SELECT statements are allowed' };

      // Read-only check on the compiled program (what sqlite3_stmt_readonly looks at).
      const program = db.exec('EXPLAIN ' + stmt.getSQL());
      for (const row of program[0]?.values ?? []) {
        const opcode = String(row[1]);
        const p2 = row[3];
        const p4 = row[5] === null || row[5] === undefined ? '' : String(row[5]);
        if (
          WRITE_OPCODES.has(opcode) ||
          (opcode === 'Transaction' && p2 !== 0) ||
          ((opcode === 'Function' || opcode === 'PureFunc') && FORBIDDEN_FUNCTIONS.test(p4))
        ) {
          return { ok: false, error: 'only read-only SELECT statements are allowed' };
        }
      }

      const rows: (string | number | null)[][] = [];
      let chars = 0;
      while (stmt.step()) {
        if (rows.length >= limits.maxRows) {
          return {
            ok: false,
            error: `result has more than ${limits.maxRows} rows; narrow the query (e.g. select first ${limits.maxRows} ...)`,
          };
        }
        const row = stmt.get().map((v: SqlValue): string | number | null => {
          if (v instanceof Uint8Array) {
            let hex = '';
            for (const b of v) hex += (b < 16 ? '0' : '') + b.toString(16);
            return hex.toUpperCase();
          }
          return v as string | number | null;
        });
        for (const v of row) chars += v === null ? 4 : String(v).length;
        if (chars > limits.maxChars) {
          return { ok: false, error: `result is larger than ${limits.maxChars} characters` };
        }
        rows.push(row);
      }
      // Belt and braces: the statement must not have switched the guard off.
      const guard = db.exec('PRAGMA query_only');
      if (guard[0]?.values[0]?.[0] !== 1) return { ok: false, error: 'statement modified the session' };
      return { ok: true, columns, rows };
    } finally {
      stmt.free();
    }
  } catch (e) {
    return { ok: false, error: oneLine(e) || 'query failed' };
  } finally {
    try {
      db?.close();
    } catch {
      /* ignore */
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Engine host: a worker thread (killable on timeout), or in-process if a worker cannot start.

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const executeReadOnly = (${executeReadOnly.toString()});
let SQL = null;
parentPort.on('message', (m) => {
  let result;
  try { result = executeReadOnly(SQL, m.tables, m.sql, m.limits); }
  catch (e) { result = { ok: false, error: String((e && e.message) || e) }; }
  parentPort.postMessage({ id: m.id, result });
});
require(workerData.sqlJsPath)().then(
  (S) => { SQL = S; parentPort.postMessage({ ready: true }); },
  (e) => { parentPort.postMessage({ fatal: String((e && e.message) || e) }); },
);
`;

type Engine =
  | { mode: 'worker'; worker: Worker }
  | { mode: 'in-process'; SQL: SqlJsStatic };

let enginePromise: Promise<Engine> | null = null;
let currentEngine: Engine | null = null;
let requestSeq = 0;
let queue: Promise<unknown> = Promise.resolve();

function startWorker(): Promise<Engine> {
  return new Promise((resolve, reject) => {
    let worker: Worker;
    try {
      const sqlJsPath = createRequire(import.meta.url).resolve('sql.js');
      worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { sqlJsPath } });
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
  let engine: Engine;
  try {
    engine = await startWorker();
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
// Lexical layer: tokenizer, static refusal, Informix dialect rewrites.

interface Token {
  kind: 'word' | 'number' | 'string' | 'ident' | 'punct';
  text: string;
  start: number;
  end: number;
}

function tokenize(sql: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const n = sql.length;
  const isWordStart = (c: string) => /[A-Za-z_\u0080-\uffff]/.test(c);
  const isWordChar = (c: string) => /[A-Za-z0-9_$\u0080-\uffff]/.test(c);
  while (i < n) {
    const c = sql[i]!;
    const start = i;
    if (/\s/.test(c)) {
      i++;
    } else if (c === '-' && sql[i + 1] === '-') {
      while (i < n && sql[i] !== '\n') i++;
    } else if (c === '/' && sql[i + 1] === '*') {
      const close = sql.indexOf('*/', i + 2);
      i = close < 0 ? n : close + 2;
    } else if (c === "'" || c === '"' || c === '`' || c === '[') {
      const close = c === '[' ? ']' : c;
      i++;
      while (i < n) {
        if (sql[i] === close) {
          if (close !== ']' && sql[i + 1] === close) i += 2;
          else {
            i++;
            break;
          }
        } else i++;
      }
      tokens.push({ kind: c === "'" ? 'string' : 'ident', text: sql.slice(start, i), start, end: i });
    } else if (/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(sql[i + 1] ?? ''))) {
      while (i < n && /[0-9A-Za-z_.]/.test(sql[i]!)) i++;
      tokens.push({ kind: 'number', text: sql.slice(start, i), start, end: i });
    } else if (isWordStart(c)) {
      while (i < n && isWordChar(sql[i]!)) i++;
      tokens.push({ kind: 'word', text: sql.slice(start, i), start, end: i });
    } else {
      i++;
      tokens.push({ kind: 'punct', text: c, start, end: i });
    }
  }
  return tokens;
}

const FORBIDDEN_WORDS = new Set([
  'attach', 'detach', 'pragma', 'vacuum', 'create', 'insert', 'update', 'delete', 'drop', 'alter',
  'reindex', 'analyze', 'load_extension',
]);

function unquoteIdent(text: string): string {
  return text.slice(1, -1).replace(/""/g, '"').replace(/``/g, '`');
}

/** Static refusal; returns an error message or null. */
function checkTokens(tokens: Token[]): string | null {
  const significant = tokens.filter((t, i) => !(t.text === ';' && i === tokens.length - 1));
  if (!significant.length) return 'empty statement';
  if (significant.some((t) => t.kind === 'punct' && t.text === ';')) return 'only one statement is allowed';
  const first = significant[0]!;
  const head = first.kind === 'word' ? first.text.toLowerCase() : first.text;
  if (head !== 'select' && head !== 'with') {
    return `only SELECT statements are allowed${first.kind === 'word' ? ` (got ${head.toUpperCase()})` : ''}`;
  }
  for (let i = 0; i < significant.length; i++) {
    const t = significant[i]!;
    if (t.kind !== 'word') continue;
    const w = t.text.toLowerCase();
    const next = significant[i + 1];
    if (
      FORBIDDEN_WORDS.has(w) ||
      w.startsWith('pragma_') ||
      (w === 'replace' && !(next?.kind === 'punct' && next.text === '('))
    ) {
      return `${w.toUpperCase()} is not allowed: only read-only SELECT statements are accepted`;
    }
  }
  return null;
}

/**
 * Informix dialect → SQLite: `select [skip M] [first N | limit N] [unique] ...` becomes
 * `select [distinct] ... LIMIT N OFFSET M`, the LIMIT going at the end of that select's scope
 * (before the parenthesis closing a subquery, or at the end of the statement).
 */
function rewriteInformix(sql: string, tokens: Token[]): string {
  type Edit = { start: number; end: number; text: string };
  const edits: Edit[] = [];
  const isInt = (t: Token | undefined) => t?.kind === 'number' && /^\d+$/.test(t.text);
  const isWord = (t: Token | undefined, w: string) => t?.kind === 'word' && t.text.toLowerCase() === w;
  for (let i = 0; i < tokens.length; i++) {
    if (!isWord(tokens[i], 'select')) continue;
    let j = i + 1;
    let first: string | null = null;
    let skip: string | null = null;
    const clauseStart = tokens[j]?.start ?? 0;
    let clauseEnd = clauseStart;
    for (;;) {
      const t = tokens[j];
      if (skip === null && isWord(t, 'skip') && isInt(tokens[j + 1])) skip = tokens[j + 1]!.text;
      else if (first === null && (isWord(t, 'first') || isWord(t, 'limit')) && isInt(tokens[j + 1]))
        first = tokens[j + 1]!.text;
      else break;
      clauseEnd = tokens[j + 1]!.end;
      j += 2;
    }
    if (isWord(tokens[j], 'unique')) edits.push({ start: tokens[j]!.start, end: tokens[j]!.end, text: 'DISTINCT' });
    if (first === null && skip === null) continue;
    edits.push({ start: clauseStart, end: clauseEnd, text: '' });
    // End of this select's scope.
    let depth = 0;
    let insertAt = tokens[tokens.length - 1]!.end;
    for (let k = j; k < tokens.length; k++) {
      const t = tokens[k]!;
      if (t.kind !== 'punct') continue;
      if (t.text === '(') depth++;
      else if (t.text === ')') {
        if (depth === 0) {
          insertAt = t.start;
          break;
        }
        depth--;
      } else if (t.text === ';' && depth === 0) {
        insertAt = t.start;
        break;
      }
    }
    edits.push({ start: insertAt, end: insertAt, text: ` LIMIT ${first ?? -1}${skip !== null ? ` OFFSET ${skip}` : ''}` });
  }
  edits.sort((a, b) => b.start - a.start || b.end - a.end);
  let out = sql;
  for (const e of edits) out = out.slice(0, e.start) + e.text + out.slice(e.end);
  return out;
}

/** Only the tables the statement names are loaded into the per-query database. */
function referencedTables(tables: SqlTables, tokens: Token[]): SqlTables {
  const names = new Set<string>();
  for (const t of tokens) {
    if (t.kind === 'word') names.add(t.text.toLowerCase());
    else if (t.kind === 'ident') names.add(unquoteIdent(t.text).toLowerCase());
  }
  const out: SqlTables = {};
  for (const [name, def] of Object.entries(tables)) if (names.has(name.toLowerCase())) out[name] = def;
  return out;
}

// ---------------------------------------------------------------------------------------------
// Public API.

/** Informix-style heading: lower case; anything that is not a plain identifier in parentheses. */
export function informixColumnName(name: string): string {
  const lower = name.toLowerCase();
  if (/^[a-z_][a-z0-9_$]*$/.test(lower)) return lower;
  if (lower.startsWith('(') && lower.endsWith(')')) {
    // Already wrapped only if the opening parenthesis closes at the very end.
    let depth = 0;
    let wrapped = true;
    for (let i = 0; i < lower.length; i++) {
      if (lower[i] === '(') depth++;
      else if (lower[i] === ')') depth--;
      if (depth === 0 && i < lower.length - 1) {
        wrapped = false;
        break;
      }
    }
    if (wrapped) return lower;
  }
  return `(${lower})`;
}

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

/** CUCM `run sql` table text: header, a row of '=' per column, then rows; every cell padded. */
export function formatSqlTable(columns: string[], rows: (string | number | boolean | null)[][]): string {
  if (!columns.length) return '';
  const names = columns.map(informixColumnName);
  const text = (v: string | number | boolean | null | undefined): string =>
    v === null || v === undefined ? 'NULL' : v === true ? 't' : v === false ? 'f' : String(v);
  const cells = rows.map((row) => names.map((_, i) => text(row[i])));
  const widths = names.map((name, i) => Math.max(name.length, ...cells.map((r) => r[i]!.length)));
  const line = (values: string[]) => values.map((v, i) => v.padEnd(widths[i]!)).join(' ');
  return [line(names), line(widths.map((w) => '='.repeat(w))), ...cells.map(line)].join('\n');
}
