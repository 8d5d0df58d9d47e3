// run sql <select ...>: real SELECTs over the CUCM tables the procedures query.
import type { CommandModule } from '../../src/console/command.js';
import { MAX_RESULT_CHARS, runSelect } from '../../state/sql/host.js';
import { formatSqlTable } from '../../state/sql/format.js';
import { sqlTables } from '../../state/sql/tables.js';

type Cell = string | number | boolean | null;

/** Characters the printed table would take: every cell is padded to its column's width. */
function printedSize(columns: string[], rows: Cell[][]): number {
  const widths = columns.map((c) => c.length);
  for (const row of rows) {
    for (let i = 0; i < widths.length; i++) {
      const v = row[i];
      const len = v === null || v === undefined ? 4 : typeof v === 'boolean' ? 1 : String(v).length;
      if (len > widths[i]!) widths[i] = len;
    }
  }
  return (rows.length + 2) * widths.reduce((sum, w) => sum + w + 1, 0);
}

const runSql: CommandModule = {
  menus: [{ path: ['run'], summary: 'Run commands' }],
  commands: [
    {
      path: ['run', 'sql'],
      summary: 'This command runs an SQL select statement against the database.',
      params: [{ name: 'sql_statement', required: true, help: 'the select statement to run', rest: true }],
      example: ["admin:run sql select paramname,paramvalue from processconfig where paramname='ClusterSecurityMode'"],
      async run(ctx, a) {
        const r = await runSelect(sqlTables(ctx.lab), a.sql_statement);
        if (!r.ok) return ctx.fail(r.error);
        // one wide cell pads every row: the text, not only the result, has to stay bounded
        const size = printedSize(r.columns, r.rows);
        if (size > MAX_RESULT_CHARS) {
          return ctx.fail(`result is too large to print (${size} characters; limit ${MAX_RESULT_CHARS}): select fewer rows or narrower columns`);
        }
        ctx.out(formatSqlTable(r.columns, r.rows));
        return 0;
      },
    },
  ],
};

export default runSql;
