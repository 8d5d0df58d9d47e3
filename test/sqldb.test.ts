import { describe, it, expect, beforeAll } from 'vitest';
import initSqlJs from 'sql.js';
import type { SqlJsStatic } from 'sql.js';
import { executeReadOnly, type SqlResult, type SqlTables } from '../state/sql/engine.js';
import { MAX_RESULT_ROWS, runSelect, sqlEngine, sqlEngineMode } from '../state/sql/host.js';
import { formatSqlTable, informixColumnName } from '../state/sql/format.js';

// Tables modelled on the CUCM Informix schema (a few columns each).
const tables: SqlTables = {
  processnode: {
    columns: ['pkid', 'name', 'description', 'nodeid', 'isactive', 'tknodeusage'],
    rows: [
      ['00000000-1111-0000-0000-000000000000', 'EnterpriseWideData', '', 1, false, 1],
      ['3d2f1c8e-5a0b-4c1e-9f6d-2b7e8a9c0d11', 'server1.example.com', null, 2, true, 0],
    ],
  },
  processconfig: {
    columns: ['pkid', 'paramname', 'paramvalue', 'fkprocessnode', 'tkservice'],
    rows: [
      ['a1', 'ClusterSecurityMode', '0', '00000000-1111-0000-0000-000000000000', 11],
      ['a2', 'StatisticsEnabled', 'T', '3d2f1c8e-5a0b-4c1e-9f6d-2b7e8a9c0d11', 1],
      ['a3', 'CdrEnabled', 'F', '3d2f1c8e-5a0b-4c1e-9f6d-2b7e8a9c0d11', 1],
    ],
  },
  certificate: {
    columns: ['pkid', 'subjectname', 'serialnumber', 'ipv4address', 'servername', 'certificate'],
    rows: [
      ['c1', 'CN=server1.example.com', '6a3c1f0e9b', '10.0.0.10', 'server1', '-----BEGIN CERTIFICATE-----'],
      ['c2', 'CN=CAPF-5a1b2c3d', '1b', '10.0.0.10', 'server1', '-----BEGIN CERTIFICATE-----'],
      ['c3', 'CN=Cisco Root CA 2048', '5ff87b282b54dc8d42a315b568c9adff', null, 'server1', '-----BEGIN CERTIFICATE-----'],
    ],
  },
  certificatetrustrolemap: {
    columns: ['pkid', 'fkcertificate', 'tktrustrole'],
    rows: [
      ['m1', 'c1', 7],
      ['m2', 'c2', 8],
      ['m3', 'c3', 8],
    ],
  },
  typetrustrole: {
    columns: ['enum', 'name', 'moniker'],
    rows: [
      [7, 'CallManager', 'TRUST_ROLE_CALLMANAGER'],
      [8, 'CallManager-trust', 'TRUST_ROLE_CALLMANAGER_TRUST'],
    ],
  },
};

async function table(statement: string): Promise<string> {
  const r = await runSelect(tables, statement);
  if (!r.ok) throw new Error(r.error);
  return formatSqlTable(r.columns, r.rows);
}

async function refused(statement: string, tbl: SqlTables = tables): Promise<string> {
  const r = await runSelect(tbl, statement);
  expect(r.ok, `expected refusal of: ${statement}`).toBe(false);
  const error = (r as { error: string }).error;
  expect(error).toMatch(/\S/);
  expect(error).not.toContain('\n');
  return error;
}

beforeAll(async () => {
  await sqlEngine();
});

describe('run sql output', () => {
  it('runs in a worker thread (so runaway queries can be cancelled)', () => {
    expect(sqlEngineMode()).toBe('worker');
  });

  it('ClusterSecurityMode golden', async () => {
    expect(
      await table("select paramname,paramvalue from processconfig where paramname='ClusterSecurityMode'"),
    ).toBe(
      [
        'paramname           paramvalue',
        '=================== ==========',
        'ClusterSecurityMode 0         ', // every cell padded to its column width
      ].join('\n'),
    );
  });

  it('processnode golden', async () => {
    expect(await table('select name from processnode')).toBe(
      ['name               ', '===================', 'EnterpriseWideData ', 'server1.example.com'].join('\n'),
    );
  });

  it('identifiers are case-insensitive and headings print in lower case', async () => {
    const r = await runSelect(tables, "SELECT ParamName, PARAMVALUE FROM ProcessConfig WHERE PARAMNAME = 'ClusterSecurityMode'");
    expect(r).toEqual({ ok: true, columns: ['paramname', 'paramvalue'], rows: [['ClusterSecurityMode', '0']] });
  });

  it('three-table join with order by', async () => {
    expect(
      await table(
        'select c.subjectname, c.serialnumber, c.ipv4address, t.name from certificate as c, certificatetrustrolemap as r, typetrustrole as t ' +
          'where c.pkid = r.fkcertificate and t.enum = r.tktrustrole order by t.name, c.subjectname',
      ),
    ).toBe(
      [
        'subjectname            serialnumber                     ipv4address name             ',
        '====================== ================================ =========== =================',
        'CN=server1.example.com 6a3c1f0e9b                       10.0.0.10   CallManager      ',
        'CN=CAPF-5a1b2c3d       1b                               10.0.0.10   CallManager-trust',
        'CN=Cisco Root CA 2048  5ff87b282b54dc8d42a315b568c9adff NULL        CallManager-trust',
      ].join('\n'),
    );
  });

  it('select first N / skip M first N / unique (Informix dialect)', async () => {
    expect(await runSelect(tables, 'select first 1 paramname from processconfig order by paramname')).toEqual({
      ok: true,
      columns: ['paramname'],
      rows: [['CdrEnabled']],
    });
    expect(await runSelect(tables, 'select skip 1 first 1 paramname from processconfig order by paramname;')).toEqual({
      ok: true,
      columns: ['paramname'],
      rows: [['ClusterSecurityMode']],
    });
    const sub = await runSelect(
      tables,
      'select name from processnode where pkid in (select first 1 fkprocessnode from processconfig order by paramname desc)',
    );
    expect(sub).toEqual({ ok: true, columns: ['name'], rows: [['server1.example.com']] });
    const uniq = await runSelect(tables, 'select unique fkprocessnode from processconfig order by 1');
    expect(uniq.ok && uniq.rows.length).toBe(2);
    // `first` is only a keyword when followed by a number.
    expect((await runSelect({ t: { columns: ['first'], rows: [['x']] } }, 'select first from t')).ok).toBe(true);
  });

  it('expression headings are wrapped in parentheses; aliases are kept', async () => {
    expect(await table('select count(*) from certificate')).toBe(['(count(*))', '==========', '3         '].join('\n'));
    const r = await runSelect(tables, 'select COUNT(*) AS N, max(tkservice) from processconfig');
    expect(r).toEqual({ ok: true, columns: ['n', '(max(tkservice))'], rows: [[3, 11]] });
    expect(informixColumnName('(count(*))')).toBe('(count(*))');
    expect(informixColumnName('(a)+(b)')).toBe('((a)+(b))');
  });

  it('empty result prints header and = line only', async () => {
    expect(await table("select name, nodeid from processnode where name = 'nosuchnode'")).toBe(
      ['name nodeid', '==== ======'].join('\n'),
    );
  });

  it('NULL and boolean printing; booleans compare as t/f', async () => {
    expect(await table("select name, description, isactive from processnode where isactive = 't'")).toBe(
      [
        'name                description isactive',
        '=================== =========== ========',
        'server1.example.com NULL        t       ',
      ].join('\n'),
    );
    expect(formatSqlTable(['a', 'b', 'c'], [[true, false, null]])).toBe(['a b c   ', '= = ====', 't f NULL'].join('\n'));
  });

  it('column affinity follows the data (text column vs numeric literal and vice versa)', async () => {
    const a = await runSelect(tables, 'select paramname from processconfig where paramvalue = 0');
    expect(a).toEqual({ ok: true, columns: ['paramname'], rows: [['ClusterSecurityMode']] });
    const b = await runSelect(tables, "select paramname from processconfig where tkservice = '11'");
    expect(b).toEqual({ ok: true, columns: ['paramname'], rows: [['ClusterSecurityMode']] });
  });

  it('forbidden words inside strings, quoted identifiers and comments are harmless', async () => {
    const r = await runSelect(tables, "select 'drop table x; insert' as \"delete\" from processnode where name = 'x' /* ; attach */ -- pragma");
    expect(r).toEqual({ ok: true, columns: ['delete'], rows: [] });
    expect((await runSelect(tables, "select replace(name, '.example.com', '') from processnode")).ok).toBe(true);
  });

  it('concurrent queries each get their own answer', async () => {
    const results = await Promise.all(
      ['processnode', 'processconfig', 'certificate', 'typetrustrole'].map((t) => runSelect(tables, `select count(*) from ${t}`)),
    );
    expect(results.map((r) => r.ok && r.rows[0]![0])).toEqual([2, 3, 3, 2]);
  });
});

describe('refusals', () => {
  it('writes and DDL', async () => {
    for (const s of [
      "insert into processnode (name) values ('evil')",
      "update processconfig set paramvalue = '1'",
      'delete from processconfig',
      'drop table processconfig',
      'create table x (a)',
      'alter table processnode add column y',
      "replace into typetrustrole values (1, 'a', 'b')",
      'vacuum',
      'begin',
      'values (1)',
      'explain select 1',
    ]) {
      await refused(s);
    }
    expect(await refused('INSERT INTO processnode DEFAULT VALUES')).toMatch(/SELECT/);
  });

  it('multiple statements', async () => {
    expect(await refused('select 1; drop table x')).toMatch(/one statement/);
    expect(await refused('select 1; select 2')).toMatch(/one statement/);
    // A single trailing semicolon or comment is fine.
    expect((await runSelect(tables, 'select 1;')).ok).toBe(true);
    expect((await runSelect(tables, 'select 1; -- done')).ok).toBe(true);
  });

  it('attach, detach, pragma, load_extension', async () => {
    for (const s of [
      "attach database ':memory:' as x",
      'select 1 from processnode; attach database "/etc/passwd" as x',
      'detach database main',
      'pragma query_only = off',
      'PRAGMA table_info(processnode)',
      "select * from pragma_table_info('processnode')",
      "select load_extension('/tmp/x.so')",
    ]) {
      await refused(s);
    }
  });

  it('a CTE that writes', async () => {
    await refused("with x as (select 1) insert into processnode (name) select 'evil' from x");
    await refused('with x as (select 1) delete from processconfig');
    await refused("with x(a) as (select 1) update processconfig set paramvalue = 'evil'");
  });

  it('over-long statements', async () => {
    const long = 'select name from processnode where ' + Array(2000).fill("name = 'x'").join(' or ');
    expect(long.length).toBeGreaterThan(10_000);
    expect(await refused(long)).toMatch(/too long/);
  });

  it('syntax and schema errors come back as ok:false, never thrown', async () => {
    expect(await refused('select from where')).toMatch(/syntax error/);
    expect(await refused('select * from nosuchtable')).toMatch(/no such table/);
    expect(await refused("select 'unterminated")).toMatch(/unrecognized token|incomplete/);
    expect(await refused('')).toMatch(/empty/);
    expect(await refused('   -- nothing')).toMatch(/empty/);
    expect(await refused(null as unknown as string)).toMatch(/text/);
  });

  it('caps result rows', async () => {
    const big: SqlTables = { t: { columns: ['n'], rows: Array.from({ length: MAX_RESULT_ROWS + 1 }, (_, i) => [i]) } };
    expect(await refused('select n from t', big)).toMatch(/more than 10000 rows/);
    const r = await runSelect(big, 'select first 10000 n from t');
    expect(r.ok && r.rows.length).toBe(MAX_RESULT_ROWS);
  });

  it('cancels a runaway query and recovers', async () => {
    const r = await runSelect(
      tables,
      'with recursive c(x) as (select 1 union all select x + 1 from c) select count(*) from c',
      { timeoutMs: 300 },
    );
    expect(r.ok).toBe(false);
    expect((r as { error: string }).error).toMatch(/cancelled/);
    expect(await table("select paramvalue from processconfig where paramname = 'ClusterSecurityMode'")).toBe(
      ['paramvalue', '==========', '0         '].join('\n'),
    );
    expect(sqlEngineMode()).toBe('worker');
  });
});

describe('engine layer alone (no lexical checks)', () => {
  let SQL: SqlJsStatic;
  const limits = { maxRows: 100, maxChars: 100_000 };
  const exec = (sql: string): SqlResult => executeReadOnly(SQL, tables, sql, limits);

  beforeAll(async () => {
    SQL = await initSqlJs();
  });

  it('allows plain reads', () => {
    expect(exec('select count(*) from processnode')).toEqual({ ok: true, columns: ['count(*)'], rows: [[2]] });
  });

  it('refuses what the lexer would also refuse', () => {
    for (const s of [
      "insert into processnode (name) values ('x')",
      "with x as (select 1) insert into processnode (name) select 'x' from x",
      "attach database ':memory:' as x",
      'detach database main',
      'pragma query_only = off',
      'create temp table x (a)',
      'vacuum',
      'begin',
      'select 1; drop table processnode',
      "insert into processnode (name) values ('x') returning name",
    ]) {
      const r = exec(s);
      expect(r.ok, s).toBe(false);
    }
  });
});
