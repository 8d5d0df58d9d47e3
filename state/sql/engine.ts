// The SQL engine core: runs one read-only statement in a fresh in-memory SQLite database built from
// the caller's tables. It runs inside the worker thread (worker.ts) and never throws.
import type { Database, SqlJsStatic, SqlValue } from 'sql.js';

export interface SqlTables {
  [table: string]: { columns: string[]; rows: (string | number | boolean | null)[][] };
}

export type SqlResult =
  | { ok: true; columns: string[]; rows: (string | number | null)[][] }
  | { ok: false; error: string };

export interface SqlLimits {
  maxRows: number;
  maxChars: number;
}

// Bytecode steps a pure SELECT never contains (temp results use OpenEphemeral/Sorter*, not these).
const WRITE_OPCODES = new Set([
  'OpenWrite', 'Vacuum', 'IncrVacuum', 'Expire', 'AutoCommit', 'Savepoint', 'ParseSchema',
  'CreateBtree', 'Destroy', 'Clear', 'DropTable', 'DropIndex', 'DropTrigger', 'SetCookie',
  'JournalMode', 'VUpdate', 'VCreate', 'VDestroy', 'VBegin', 'SqlExec', 'LoadAnalysis',
  'Checkpoint', 'MaxPgcnt', 'Pagecount', 'ResetCount',
]);
/** SQLite heap of one query, tables included. */
export const SQLITE_HEAP_BYTES = 128 * 1024 * 1024;
const FORBIDDEN_FUNCTIONS = /^(sqlite_attach|sqlite_detach|load_extension)\b/i;

const oneLine = (e: unknown): string =>
  String((e && (e as Error).message) || e)
    .replace(/\s+/g, ' ')
    .trim();
const quoteIdent = (name: string): string => '"' + String(name).replace(/"/g, '""') + '"';

/**
 * Engine checks and execution: SQLite must find exactly one statement that returns columns, its
 * bytecode (EXPLAIN) must hold no write, schema, transaction or attach step, and the database runs
 * under `PRAGMA query_only = ON`. Exported for tests of this layer alone; callers use runSelect,
 * which adds the lexical checks, dialect rewrites and the timeout.
 */
export function executeReadOnly(SQL: SqlJsStatic, tables: SqlTables, sql: string, limits: SqlLimits): SqlResult {
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
    // Sorts and temporary tables stay in SQLite's heap, which is capped: a sorted cross join fails
    // with "out of memory" instead of growing the worker without bound.
    db.run('PRAGMA temp_store = MEMORY');
    db.run(`PRAGMA hard_heap_limit = ${SQLITE_HEAP_BYTES}`);
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
            error: `result has more than ${limits.maxRows} rows; narrow the query (e.g. select first ${limits.maxRows} ...) or raise --sql-max-rows`,
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
    const msg = oneLine(e) || 'query failed';
    if (/out of memory/i.test(msg)) return { ok: false, error: `query stopped: out of memory (a query may use ${SQLITE_HEAP_BYTES / 1048576} MB); narrow the query` };
    return { ok: false, error: msg };
  } finally {
    try {
      db?.close();
    } catch {
      /* ignore */
    }
  }
}
