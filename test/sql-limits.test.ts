// `run sql` is bounded: a time limit, a row cap counted while stepping, a capped heap, and queries
// that run off the main thread so one session's slow query never holds up another session.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Lab } from '../state/cluster/lab.js';
import { configureSql, runSelect, sqlEngine, sqlSettings, stopSqlEngine } from '../state/sql/host.js';
import { CliSession } from '../src/console/admin-console.js';
import { drive } from '../src/console/drive.js';
import { cleanup, seededLab, tempDir } from './helpers.js';
import { requireDist } from './prerequisites.js';

const ROOT = resolve(import.meta.dirname, '..');
const BIN = join(ROOT, 'bin', 'cucm-sim.js');

/** Twelve copies of a six-row table: 6^12 rows to count, far more than any limit lets run. */
const CROSS_JOIN = `run sql select count(*) from ${Array.from({ length: 12 }, (_, i) => `typetrustrole t${i}`).join(', ')}`;

let lab: Lab;
const defaults = sqlSettings();
beforeAll(async () => {
  requireDist('state/sql/worker.js');
  lab = await seededLab({ seed: 8 });
  await sqlEngine();
});
afterEach(() => configureSql(defaults));
afterAll(() => cleanup(lab));

describe('run sql limits', () => {
  it('defaults: 5 s and 10,000 rows', () => {
    expect(defaults.timeoutMs).toBe(5000);
    expect(defaults.maxRows).toBe(10_000);
  });

  it("one session's cross join does not hold up another session's commands and quick queries", async () => {
    configureSql({ timeoutMs: 600_000 }); // only the end of this test stops it
    const a = new CliSession({ lab, node: lab.publisher() });
    const b = new CliSession({ lab, node: lab.publisher() });
    const events: string[] = [];
    let aText = '';
    const slow = drive(a, CROSS_JOIN, { onOutput: (t) => (aText += t) }).then((r) => {
      events.push('A done');
      return r;
    });
    const itl = await drive(b, 'show itl');
    events.push('B show itl');
    const quick = await drive(b, "run sql select paramvalue from processconfig where paramname = 'ClusterSecurityMode'");
    events.push('B run sql');
    expect(itl.status).toBe(0);
    expect(itl.output).toContain('ITL Record #:1');
    expect(quick.output).toContain(['paramvalue', '==========', '0         '].join('\n'));
    // A's query is still running: B finished first
    expect(events).toEqual(['B show itl', 'B run sql']);
    await stopSqlEngine();
    const r = await slow;
    expect(events).toEqual(['B show itl', 'B run sql', 'A done']);
    expect(r.status).not.toBe(0);
    expect(aText).toContain('Executed command unsuccessfully');
    // the engine comes back for the next query
    const again = await drive(b, 'run sql select count(*) from typetrustrole');
    expect(again.output).toContain('6');
  }, 60_000);

  it('more runaway queries than workers: each waits its turn, is cancelled, and the engine recovers', async () => {
    configureSql({ workers: 2, timeoutMs: 400 });
    const endless = 'with recursive c(x) as (select 1 union all select x + 1 from c) select count(*) from c';
    const results = await Promise.all(Array.from({ length: 5 }, () => runSelect({}, endless)));
    for (const r of results) expect(r).toEqual({ ok: false, error: 'query cancelled: it ran longer than 400 ms (the limit is set with --sql-timeout)' });
    configureSql({ workers: defaults.workers, timeoutMs: defaults.timeoutMs });
    expect(await runSelect({}, 'select 1 as one')).toEqual({ ok: true, columns: ['one'], rows: [[1]] });
  }, 60_000);

  it('a query that runs too long is cancelled with a clear text', async () => {
    configureSql({ timeoutMs: 300 });
    const r = await runSelect({}, 'with recursive c(x) as (select 1 union all select x + 1 from c) select count(*) from c');
    expect(r).toEqual({ ok: false, error: 'query cancelled: it ran longer than 300 ms (the limit is set with --sql-timeout)' });
  });

  it('rows are counted while stepping: an endless result stops at the cap', async () => {
    configureSql({ maxRows: 100 });
    const r = await runSelect({}, 'with recursive c(x) as (select 1 union all select x + 1 from c) select x from c');
    expect(r.ok).toBe(false);
    expect((r as { error: string }).error).toBe(
      'result has more than 100 rows; narrow the query (e.g. select first 100 ...) or raise --sql-max-rows',
    );
  });

  it('one wide cell cannot make the printed table huge: every row would be padded to it', async () => {
    const s = new CliSession({ lab, node: lab.publisher() });
    const wide = await drive(
      s,
      "run sql select case when x = 1 then hex(zeroblob(2000000)) else '' end as c from (with recursive n(x) as (select 1 union all select x + 1 from n where x < 100) select x from n)",
    );
    expect(wide.status).toBe(1);
    // 102 lines (heading, rule, 100 rows) of 4,000,000 characters and a separator each
    expect(wide.output).toContain('result is too large to print (408000102 characters; limit 16000000)');
  });

  it('a sorted cross join stops at the memory cap instead of growing the heap', async () => {
    configureSql({ timeoutMs: 60_000 });
    const t = { t: { columns: ['x'], rows: Array.from({ length: 20 }, (_, i) => [i]) } };
    // 8000 rows of 100 kB each must all be held to sort them: 800 MB
    const r = await runSelect(t, 'select randomblob(100000) as b from t a, t b, t c order by b');
    expect(r.ok).toBe(false);
    expect((r as { error: string }).error).toMatch(/^query stopped: out of memory \(a query may use 128 MB\)/);
    expect((await runSelect(t, 'select count(*) from t')).ok).toBe(true);
  }, 60_000);
});

describe('--sql-timeout and --sql-max-rows', () => {
  const run = (args: string[], input: string) => {
    requireDist();
    const data = tempDir();
    try {
      return spawnSync(process.execPath, [BIN, '--data-dir', data, '--seed', '1', ...args], { input, encoding: 'utf8', timeout: 60_000 });
    } finally {
      rmSync(data, { recursive: true, force: true });
    }
  };

  it('the row cap is set on the command line', () => {
    const r = run(['--sql-max-rows', '2'], 'run sql select name from processnode\n');
    expect(r.stdout).toContain('result has more than 2 rows');
  });

  it('the time limit is set on the command line', () => {
    const r = run(['--sql-timeout', '0.5'], 'run sql with recursive c(x) as (select 1 union all select x + 1 from c) select count(*) from c\n');
    expect(r.stdout).toContain('query cancelled: it ran longer than 500 ms');
  });

  it('bad values are refused with one line and the hint to the help', () => {
    for (const [flag, value] of [
      ['--sql-timeout', '0'],
      ['--sql-timeout', 'soon'],
      ['--sql-max-rows', '0'],
      ['--sql-max-rows', '2000000'],
    ]) {
      const r = run([flag!, value!], '');
      expect(r.status, `${flag} ${value}: ${r.stderr}`).toBe(2);
      expect(r.stderr, `${flag} ${value}`).toContain(flag!);
      expect(r.stderr).toMatch(/^cucm-sim: [^\n]+\nTry 'cucm-sim --help'\.\n$/);
    }
  });
});
