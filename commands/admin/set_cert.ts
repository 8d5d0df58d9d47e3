// set cert regen <unit>: new key and serial, the hold timer between regenerations on one node; the units
// and the after-texts follow the lab's release (versions.md §3).
import type { CommandContext, CommandModule, CompletionContext } from '../../src/console/command.js';
import type { CertUnit } from '../../state/crypto/certs.js';
import { profileOf } from '../../state/cluster/profile.js';
import { unitsOn } from '../../state/cluster/certificates.js';
import { regenerateCertificate } from '../../state/ops/regen.js';

/** The units of this node under the lab's release (ECDSA from 11.x; CAPF on the publisher only from 14). */
function unitList(c: CompletionContext): string[] {
  return unitsOn(profileOf(c.lab), c.node);
}

/**
 * 12.5+: one ITLRecovery pair for the cluster, made on the publisher. Assumption: a subscriber refuses
 * with this line (no transcript; versions.md §3 marks publisher-only regeneration inferred).
 */
export const ITLRECOVERY_PUBLISHER_ONLY = 'ITLRecovery certificate can be regenerated only on the publisher node.';
/**
 * 14+: TVS, CAPF and ITLRecovery restart their services themselves (stated). Assumption: the CLI says
 * so in place of the restart advice (no 14/15 transcript exists, versions.md §6).
 */
export function autoRestartLine(unit: string): string {
  return `The services related to ${unit} were restarted automatically.`;
}

async function regen(ctx: CommandContext, unitTyped: string) {
  const units = unitList(ctx);
  const unit = units.find((u) => u === unitTyped) as CertUnit | undefined;
  if (!unit) return ctx.fail(`Invalid unit name ${unitTyped}. The valid units are: ${units.join(', ')}`);
  const lab = ctx.lab;
  const node = ctx.node;
  const profile = profileOf(lab);
  if (unit === 'ITLRecovery' && profile.clusterItlRecovery && !node.publisher) return ctx.fail(ITLRECOVERY_PUBLISHER_ONLY);
  if (lab.holdRemaining(node) > 0 && node.lastRegen) {
    ctx.out(`${node.lastRegen.unit} certificate was modified in the last 5 minutes. Please re-try regenerating ${unit} certificate at a later time`);
    return 1;
  }
  ctx.out('');
  if (unit === 'ITLRecovery') {
    ctx.out(
      'WARNING: If you are using a tokenless CTL and if the CallManager certificate is recently generated, please ensure that the CTL File already has the new CallManager certificate and is updated to the endpoints, before generating the ITL Recovery certificate. Are you sure want to proceed?',
      '',
    );
  } else {
    ctx.out(`WARNING: This operation will overwrite any CA signed certificate previously imported for ${unit}`);
  }
  const a = (await ctx.ask('Proceed with regeneration (yes|no)? ')).trim().toLowerCase();
  if (a !== 'yes') return 0;
  await ctx.sleep(3000);
  // 14+: the phones may be reset by the cluster itself (state/ops/regen.ts)
  await ctx.mutate(() => regenerateCertificate(lab, node, unit));
  const selfRestart = (profile.selfRestartUnits as readonly string[]).includes(unit);
  if (unit === 'ITLRecovery') {
    ctx.out(
      '',
      'Successfully Regenerated Certificate for ITLRecovery.',
      '',
      selfRestart ? autoRestartLine(unit) : 'You must restart the services related to ITLRecovery for the regenerated certificates to become active.',
    );
  } else {
    ctx.out(
      '',
      '',
      `Successfully Regenerated Certificate for ${unit}.`,
      'Please do a backup of the server as soon as possible. Failure to do so can stale the cluster in case of a crash.',
      selfRestart ? autoRestartLine(unit) : `You must restart services related to ${unit} for the regenerated certificates to become active.`,
    );
  }
  return 0;
}

/** The command with the `?` help line of a release's units (all of them: CAPF is on the publisher). */
export function setCertModule(units: readonly string[]): CommandModule {
  return {
    menus: [{ path: ['set', 'cert'], summary: 'Certificate commands' }],
    commands: [
      {
        path: ['set', 'cert', 'regen'],
        summary: 'This command regenerates the certificate for the specified unit.',
        // Tab and the refusal list the units of the node the session is on
        params: [{ name: 'unit-name', required: true, help: units.join('|'), values: unitList }],
        example: ['admin:set cert regen tomcat'],
        run: (ctx, a) => regen(ctx, a['unit-name']),
      },
    ],
  };
}

const setCert = setCertModule(['CallManager', 'TVS', 'CAPF', 'ITLRecovery', 'tomcat', 'ipsec']);

export default setCert;
