// utils ctl set-cluster mixed-mode | set-cluster non-secure-mode | update CTLFile (tokenless CTL, 10.0+),
// with the texts of the lab's release (versions.md §2): 10.x asks for Tftp and CallManager restarts,
// 11.x and later for phone resets and CTIManager restarts; 12.5 and later need Smart Licensing.
import type { CommandContext, CommandModule } from '../../src/console/command.js';
import { CALLMANAGER, CTIMANAGER, TFTP } from '../../state/cluster/services.js';
import { profileOf } from '../../state/cluster/profile.js';
import { notifyCtlChange } from '../../state/ops/ctl-notify.js';

export const RESTART_ADVICE = 'Please Restart the TFTP and Cisco CallManager services on all nodes in the cluster that run these services';
/** 11.x and later, after the CTL changed (trailing space as the source prints it) */
export const RESET_PHONES_ADVICE = 'You must reset all phones to ensure they received the updated CTL file. ';
export const CTIMANAGER_ADVICE = 'You must restart Cisco CTIManager services on all the nodes in the cluster that have the service activated.';
export const AUTO_REGISTRATION_WARNING = 'Auto-registration is enabled on at least one CM node.';
/**
 * 12.5+ without Smart Licensing's export-controlled functionality. Assumption: the wording is not
 * known (versions.md §6); the refusal itself is stated.
 */
export const EXPORT_CONTROL_REFUSAL =
  'The system is not registered with Smart Licensing with export-controlled functionality allowed. Mixed mode cannot be enabled and the CTL file cannot be updated.';
const NOT_PUBLISHER = 'This command can be executed only on the publisher node. On all other nodes this command is disabled.';

async function confirm(ctx: CommandContext, question: string): Promise<boolean> {
  const a = (await ctx.ask(`${question} Do you want to continue? (y/n):`)).trim().toLowerCase();
  return a === 'y' || a === 'yes';
}

/** The release's dialog family: '10' (10.x) or '11' (11.x and later). */
function dialog(ctx: CommandContext): '10' | '11' {
  return profileOf(ctx.lab).mixedModeDialog;
}

/** 12.5+: refuses without export-controlled functionality (the lab console's params set export-controlled). */
function licensed(ctx: CommandContext): boolean {
  if (profileOf(ctx.lab).licensing !== 'smart-licensing' || ctx.lab.state.params.exportControlled !== false) return true;
  ctx.fail(EXPORT_CONTROL_REFUSAL);
  return false;
}

/**
 * Builds the CTL from the current certificates and mode and copies it to every node. 10.x: Tftp and
 * CallManager must restart to use it; 11.x+: they take it at once and CTIManager must restart.
 */
function rebuildAndDistribute(ctx: CommandContext): void {
  const lab = ctx.lab;
  const ctl = lab.buildCtl();
  lab.distributeCtl(ctl);
  const later = dialog(ctx) === '11';
  if (later) notifyCtlChange(lab);
  for (const n of lab.nodes) {
    for (const name of later ? [CTIMANAGER] : [TFTP, CALLMANAGER]) {
      const s = lab.service(n, name);
      if (s?.activated) s.needsRestart = true;
    }
  }
}

/** What the command prints once the CTL is in place. */
function advice(ctx: CommandContext): string[] {
  return dialog(ctx) === '11' ? [RESET_PHONES_ADVICE, CTIMANAGER_ADVICE] : [RESTART_ADVICE];
}

async function setMode(ctx: CommandContext, mode: 0 | 1) {
  const lab = ctx.lab;
  if (lab.state.params.clusterSecurityMode === mode) {
    ctx.out(mode === 1 ? 'The cluster is already in Mixed Mode' : 'The cluster is already in Non Secure Mode');
    return 0;
  }
  if (mode === 1 && !licensed(ctx)) return 1;
  const later = dialog(ctx) === '11';
  let q: string;
  if (mode === 0) q = 'This operation will set the cluster to non secure mode.';
  // seed 004's 10.x wording, not seed 002's "will set": versions.md §2 gives "sets" for 10.0/10.5, "will set" from 11.x
  else if (!later) q = 'This operation sets the cluster to Mixed mode.';
  // two spaces before the auto-registration sentence, as the 11.x source prints it
  else q = `This operation will set the cluster to Mixed mode.${lab.state.params.autoRegistration ? `  ${AUTO_REGISTRATION_WARNING}` : ''}`;
  if (!(await confirm(ctx, q))) return 0;
  // the 11.x source shows no blank line after the answer
  if (!later) ctx.out('');
  ctx.out(mode === 1 ? 'Moving Cluster to Mixed Mode' : 'Moving Cluster to Non Secure Mode');
  await ctx.sleep(2000);
  await ctx.mutate(() => {
    lab.state.params.clusterSecurityMode = mode;
    rebuildAndDistribute(ctx);
  });
  ctx.out(mode === 1 ? 'Cluster set to Mixed Mode' : 'Cluster set to Non Secure Mode', ...advice(ctx));
  return 0;
}

/**
 * Assumptions (no transcript, versions.md §6): the question, progress and result lines; the advice
 * follows Field Notice 70613's sequence (CallManager and CTIManager restarts, then phone resets); the
 * CTL goes to every node as update CTLFile's does (the reference names only the publisher).
 */
export const RESET_LOCALKEY_QUESTION = 'This operation will reset the CTL file and sign it with the CallManager key.';
export const RESET_LOCALKEY_DONE = 'CTL file reset successfully, signed with the CallManager key';
export const RESET_LOCALKEY_ADVICE = 'You must restart Cisco CallManager and Cisco CTIManager services on all the nodes in the cluster that have the services activated.';

/** utils ctl reset localkey (12.0+): the CTL re-signed with the CallManager key, holding the current ITLRecovery. */
async function resetLocalkey(ctx: CommandContext) {
  const lab = ctx.lab;
  if (lab.state.params.clusterSecurityMode !== 1) return ctx.fail('The cluster is in Non Secure Mode: there is no CTL file to reset.');
  if (!(await confirm(ctx, RESET_LOCALKEY_QUESTION))) return 0;
  ctx.out('Resetting CTL file');
  await ctx.sleep(2000);
  await ctx.mutate(() => {
    lab.distributeCtl(lab.buildCtl('CallManager'));
    notifyCtlChange(lab);
    for (const n of lab.nodes) {
      for (const name of [CALLMANAGER, CTIMANAGER]) {
        const s = lab.service(n, name);
        if (s?.activated) s.needsRestart = true;
      }
    }
  });
  ctx.out(RESET_LOCALKEY_DONE, RESET_PHONES_ADVICE, RESET_LOCALKEY_ADVICE);
  return 0;
}

/** From 12.0 (the releases whose CTL ITLRecovery signs): only their admin: CLI has it. */
export const utilsCtlReset: CommandModule = {
  menus: [{ path: ['utils', 'ctl', 'reset'], summary: 'Resets the CTL file.' }],
  commands: [
    {
      path: ['utils', 'ctl', 'reset', 'localkey'],
      summary:
        'Regenerates the CTL file and signs it with the CallManager key, for endpoints locked out after the ITLRecovery certificate that signed their CTL changed. Then run utils ctl update CTLFile again. The CLI must be executed on the publisher.',
      publisherOnly: NOT_PUBLISHER,
      example: ['admin:utils ctl reset localkey'],
      run: resetLocalkey,
    },
  ],
};

async function updateCtl(ctx: CommandContext) {
  if (!licensed(ctx)) return 1;
  const later = dialog(ctx) === '11';
  // seed 002 (the "will" wording family) for 11.x and later: inferred, only 10.x is dated
  if (!(await confirm(ctx, later ? 'This operation will update the CTLFile.' : 'This operation updates the CTLFile.'))) return 0;
  ctx.out('');
  ctx.out('Updating CTL file');
  await ctx.sleep(2000);
  await ctx.mutate(() => rebuildAndDistribute(ctx));
  ctx.out('CTL file Updated', ...advice(ctx));
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
      run: updateCtl,
    },
  ],
};

export default utilsCtl;
