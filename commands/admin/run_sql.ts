// run sql <select ...>: real SELECTs over the CUCM tables the procedures query.
import type { CommandModule } from '../../src/console/command.js';
import { runSelect } from '../../state/sql/host.js';
import { formatSqlTable } from '../../state/sql/format.js';
import { sqlTables } from '../../state/sql/tables.js';

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
        ctx.out(formatSqlTable(r.columns, r.rows));
        return 0;
      },
    },
  ],
};

export default runSql;
