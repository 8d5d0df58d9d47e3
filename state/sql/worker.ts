// The SQL worker thread: loads the wasm engine, then answers one query per message. The host
// (host.ts) terminates it when a query runs too long.
import { parentPort } from 'node:worker_threads';
import initSqlJs from 'sql.js';
import type { SqlJsStatic } from 'sql.js';
import { executeReadOnly, type SqlLimits, type SqlResult, type SqlTables } from './engine.js';

interface Request {
  id: number;
  tables: SqlTables;
  sql: string;
  limits: SqlLimits;
}

const port = parentPort;
if (!port) throw new Error('state/sql/worker.js runs only as a worker thread');

let SQL: SqlJsStatic | null = null;
port.on('message', (m: Request) => {
  let result: SqlResult;
  try {
    result = executeReadOnly(SQL!, m.tables, m.sql, m.limits);
  } catch (e) {
    result = { ok: false, error: String((e && (e as Error).message) || e) };
  }
  port.postMessage({ id: m.id, result });
});
initSqlJs().then(
  (S) => {
    SQL = S;
    port.postMessage({ ready: true });
  },
  (e: unknown) => port.postMessage({ fatal: String((e && (e as Error).message) || e) }),
);
