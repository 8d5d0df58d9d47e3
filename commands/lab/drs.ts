// Lab console: drs backup | list | restore (Disaster Recovery System).
import type { CommandContext, CommandModule, CompletionContext } from '../../src/console/command.js';
import { backups, drsBackup, drsRestore } from '../../state/cluster/drs.js';
import { cucmDate } from '../format.js';
import { table } from './util.js';

const WITHOUT = 'without-callmanager-pem';
const ids = (c: CompletionContext) => backups(c.lab).map((b) => b.id);

async function backup(ctx: CommandContext, a: Record<string, string>) {
  if (a.option && a.option.toLowerCase() !== WITHOUT) return ctx.fail(`Unknown option '${a.option}' (only ${WITHOUT}).`);
  const withCm = !a.option;
  const b = await ctx.mutate(() => drsBackup(ctx.lab, { callManagerPem: withCm }));
  ctx.out(`Backup ${b.id} completed: ${b.nodes.length} node(s), certificates and keys, trust stores, enterprise parameters, CTL files.`);
  if (!withCm) ctx.out('CallManager.pem is NOT in this backup (bug CSCtn50405).');
  return 0;
}

function list(ctx: CommandContext): number {
  const all = backups(ctx.lab);
  if (all.length === 0) {
    ctx.out("No backups yet ('drs backup').");
    return 0;
  }
  const rows = [['Backup', 'Taken', 'Nodes', 'CallManager.pem']];
  for (const b of all) rows.push([b.id, cucmDate(b.at, ctx.lab.state.timezone), b.nodes.map((n) => n.name).join(', '), b.callManagerPem ? 'included' : 'missing (CSCtn50405)']);
  ctx.out(...table(rows));
  return 0;
}

async function restore(ctx: CommandContext, a: Record<string, string>) {
  if (a.option && a.option.toLowerCase() !== WITHOUT) return ctx.fail(`Unknown option '${a.option}' (only ${WITHOUT}).`);
  const b = backups(ctx.lab).find((x) => x.id === a.backup);
  if (!b) return ctx.fail(`No backup '${a.backup}' (see 'drs list').`);
  const withCm = b.callManagerPem && !a.option;
  ctx.out(
    `Restore ${b.id}: every node is reinstalled (new keys) and the backup is restored onto it, then the nodes reboot.`,
    withCm ? 'CallManager.pem is restored from the backup.' : 'CallManager.pem is NOT restored (CSCtn50405): the reinstalled nodes keep the CallManager certificate of the reinstall.',
  );
  const ans = (await ctx.ask('Proceed (yes|no)? ')).trim().toLowerCase();
  if (ans !== 'yes' && ans !== 'y') {
    ctx.out('Restore cancelled.');
    return 0;
  }
  const r = await ctx.mutate(async () => {
    const res = await drsRestore(ctx.lab, b.id, { callManagerPem: withCm });
    return res.mismatched.map((n) => n.name);
  });
  ctx.out(`Restore of ${b.id} completed; all nodes rebooted.`);
  if (r.length) ctx.out(`CallManager.pem on ${r.join(', ')} is not the certificate the restored database lists.`);
  return 0;
}

const drs: CommandModule = {
  menus: [{ path: ['drs'], summary: 'Disaster Recovery System: backup and restore of the cluster' }],
  commands: [
    {
      path: ['drs', 'backup'],
      summary: `Backs up the cluster (certificates and keys, trust stores, parameters, CTL). '${WITHOUT}' makes a backup as a release with bug CSCtn50405 does.`,
      params: [{ name: 'option', required: false, help: WITHOUT, values: [WITHOUT] }],
      run: backup,
    },
    { path: ['drs', 'list'], summary: 'Lists the backups.', run: list },
    {
      path: ['drs', 'restore'],
      summary: `Rebuilds the cluster and restores a backup onto it; '${WITHOUT}' leaves CallManager.pem out (CSCtn50405).`,
      params: [
        { name: 'backup', required: true, help: 'backup name (drs list)', values: ids },
        { name: 'option', required: false, help: WITHOUT, values: [WITHOUT] },
      ],
      example: ['lab>drs restore 2025-01-06-09-00-00 without-callmanager-pem'],
      run: restore,
    },
  ],
};

export default drs;
