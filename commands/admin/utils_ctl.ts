// utils ctl set-cluster mixed-mode | set-cluster non-secure-mode | update CTLFile (tokenless CTL, 10.x)
import type { CommandContext, CommandModule } from '../../src/console/command.js';
import { CALLMANAGER, TFTP } from '../../state/cluster/services.js';

export const RESTART_ADVICE = 'Please Restart the TFTP and Cisco CallManager services on all nodes in the cluster that run these services';
const NOT_PUBLISHER = 'This command can be executed only on the publisher node. On all other nodes this command is disabled.';

async function confirm(ctx: CommandContext, question: string): Promise<boolean> {
  const a = (await ctx.ask(`${question} Do you want to continue? (y/n):`)).trim().toLowerCase();
  return a === 'y' || a === 'yes';
}

/** Builds the CTL from the current certificates and mode, copies it to every node, flags restarts. */
function rebuildAndDistribute(ctx: CommandContext): void {
  const lab = ctx.lab;
  const ctl = lab.buildCtl();
  lab.distributeCtl(ctl);
  for (const n of lab.nodes) {
    for (const name of [TFTP, CALLMANAGER]) {
      const s = lab.service(n, name);
      if (s?.activated) s.needsRestart = true;
    }
  }
}

async function setMode(ctx: CommandContext, mode: 0 | 1) {
  const lab = ctx.lab;
  if (lab.state.params.clusterSecurityMode === mode) {
    ctx.out(mode === 1 ? 'The cluster is already in Mixed Mode' : 'The cluster is already in Non Secure Mode');
    return 0;
  }
  // seed 004's 10.x wording, not seed 002's "will set": versions.md §2 gives "sets" for 10.0/10.5, "will set" from 11.x
  const q = mode === 1 ? 'This operation sets the cluster to Mixed mode.' : 'This operation will set the cluster to non secure mode.';
  if (!(await confirm(ctx, q))) return 0;
  ctx.out('');
  ctx.out(mode === 1 ? 'Moving Cluster to Mixed Mode' : 'Moving Cluster to Non Secure Mode');
  await ctx.sleep(2000);
  await ctx.mutate(() => {
    lab.state.params.clusterSecurityMode = mode;
    rebuildAndDistribute(ctx);
  });
  ctx.out(mode === 1 ? 'Cluster set to Mixed Mode' : 'Cluster set to Non Secure Mode', RESTART_ADVICE);
  return 0;
}

const utilsCtl: CommandModule = {
  menus: [
    { path: ['utils', 'ctl'], summary: 'This command changes the cluster security mode or updates the CTL file in each of the nodes.' },
    { path: ['utils', 'ctl', 'set-cluster'], summary: 'Sets the cluster security mode.' },
    { path: ['utils', 'ctl', 'update'], summary: 'Updates the CTL file.' },
  ],
  commands: [
    {
      path: ['utils', 'ctl', 'set-cluster', 'mixed-mode'],
      summary: 'Updates the CTL file and sets the cluster to mixed mode. The CLI must be executed on the publisher.',
      publisherOnly: NOT_PUBLISHER,
      example: ['admin:utils ctl set-cluster mixed-mode'],
      run: (ctx) => setMode(ctx, 1),
    },
    {
      path: ['utils', 'ctl', 'set-cluster', 'non-secure-mode'],
      summary: 'Updates the CTL file and sets the cluster to non-secure mode. The CLI must be executed on the publisher.',
      publisherOnly: NOT_PUBLISHER,
      run: (ctx) => setMode(ctx, 0),
    },
    {
      path: ['utils', 'ctl', 'update', 'CTLFile'],
      summary: 'Updates the CTL file in each of the nodes of the cluster. The CLI must be executed on the publisher.',
      publisherOnly: NOT_PUBLISHER,
      example: ['admin:utils ctl update CTLFile'],
      async run(ctx) {
        if (!(await confirm(ctx, 'This operation updates the CTLFile.'))) return 0;
        ctx.out('');
        ctx.out('Updating CTL file');
        await ctx.sleep(2000);
        await ctx.mutate(() => rebuildAndDistribute(ctx));
        ctx.out('CTL file Updated', RESTART_ADVICE);
        return 0;
      },
    },
  ],
};

export default utilsCtl;
