// Lab console: the lab's release profile (what changes between 10.5 and 15) and the enterprise and
// service parameters that exist only in some releases: auto-registration, Smart Licensing's
// export-controlled functionality (12.5+) and "Phone Interaction on Certificate Update" (14+).
import type { CommandContext, CommandModule } from '../../src/console/command.js';
import { hasFn70613Defect, profileOf, type VersionProfile } from '../../state/cluster/profile.js';
import { refreshUpgradeFn70613 } from '../../state/ops/upgrade.js';
import { table, yesNo } from './util.js';

export const PHONE_INTERACTION = 'Phone Interaction on Certificate Update';
/** Assumption: the parameter's two choices are worded so (versions.md states only the automatic default). */
export const PHONE_INTERACTION_VALUES = { automatic: 'Reset Phones Automatically', manual: 'Reset Phones Manually' } as const;

/** The parameters this module adds to `params show` / `params set`, in their console names. */
export const VERSION_PARAMS = ['auto-registration', 'export-controlled', 'phone-interaction-on-certificate-update'];

function signers(p: VersionProfile): string {
  return p.ctlSigners.map((s, i) => (i === 0 ? `${s} (signs)` : s)).join(', ');
}

function keyText(k: { rsaBits: number; hash: string }): string {
  return `RSA ${k.rsaBits}, ${k.hash.toUpperCase()}`;
}

function licensingText(p: VersionProfile, ctx: CommandContext): string {
  if (p.licensing === 'smart-licensing') {
    const ok = ctx.lab.state.params.exportControlled !== false;
    return `Smart Licensing with export-controlled functionality (this lab: ${ok ? 'allowed' : 'not allowed, utils ctl refuses'})`;
  }
  return p.licensing === 'encryption-license' ? 'Encryption license' : 'none';
}

function phoneInteractionText(ctx: CommandContext): string {
  return PHONE_INTERACTION_VALUES[ctx.lab.state.params.phoneInteraction ?? 'automatic'];
}

/** `profile`: the release the lab emulates and every rule the profile decides. */
function showProfile(ctx: CommandContext): number {
  const p = profileOf(ctx.lab);
  const build = ctx.lab.state.version;
  const units = [...p.units];
  ctx.out(
    build === p.build
      ? `Lab '${ctx.lab.state.name}' runs CUCM ${p.label} (profile ${p.id}).`
      : `Lab '${ctx.lab.state.name}' runs CUCM ${build} (profile ${p.id}, modelled on ${p.label}).`,
    ...(hasFn70613Defect(build) ? [`Build ${build} is below 12.5(1)SU3: a refresh upgrade to it regenerates ITLRecovery (Field Notice 70613).`] : []),
    '',
    ...table([
      ['Build (show version active, show status)', build],
      ['Unified OS Version (show status)', p.osVersion],
      ['OS Version (show hardware)', p.hardwareOs],
      ['ITL signer', p.itlSigner],
      ['Tokenless CTL signers, in order', signers(p)],
      ['ITLRecovery', p.clusterItlRecovery ? 'one pair for the cluster, made on the publisher' : 'one pair per node; the publisher\'s signs ITL resets'],
      ['utils ctl reset localkey', p.ctlResetLocalkey ? 'yes' : 'no'],
      ['Certificate units', units.join(', ')],
      ['Keys at install', keyText(p.install)],
      ['Keys at regeneration', keyText(p.regen)],
      ['ECDSA units', p.ecdsa ? `${p.ecdsa.curve}, ${p.ecdsa.hash.toUpperCase()}` : 'none'],
      ['Validity in years', units.map((u) => `${u} ${p.validityYears(u)}`).join(', ')],
      ['Restart by themselves after regeneration', p.selfRestartUnits.length ? p.selfRestartUnits.join(', ') : 'none'],
      [PHONE_INTERACTION, p.phoneInteractionParam ? phoneInteractionText(ctx) : 'not in this release'],
      ['CAPF', p.capfPublisherOnly ? 'publisher only' : 'every CallManager node'],
      ['Mixed-mode dialog', p.mixedModeDialog === '10' ? '10.x ("This operation sets the cluster to Mixed mode.")' : '11.x and later ("This operation will set the cluster to Mixed mode.")'],
      ['Mixed mode requires', licensingText(p, ctx)],
      ['Auto-registration', ctx.lab.state.params.autoRegistration ? 'enabled' : 'disabled'],
    ]),
  );
  return 0;
}

/** Rows for `params show`, only the parameters the lab's release has. */
export function versionParamRows(ctx: CommandContext): string[][] {
  const p = profileOf(ctx.lab);
  const s = ctx.lab.state.params;
  const rows = [['Auto-registration enabled (on at least one CallManager node)', yesNo(!!s.autoRegistration), 'auto-registration']];
  if (p.licensing === 'smart-licensing') rows.push(['(Smart Licensing) Allow export-controlled functionality', yesNo(s.exportControlled !== false), 'export-controlled']);
  if (p.phoneInteractionParam) rows.push([PHONE_INTERACTION, phoneInteractionText(ctx), 'phone-interaction-on-certificate-update']);
  return rows;
}

function trueFalse(ctx: CommandContext, value: string): boolean | undefined {
  const v = value.toLowerCase();
  if (v === 'true' || v === 'false') return v === 'true';
  ctx.fail('The value is True or False.');
  return undefined;
}

/** `params set` for this module's parameters; undefined when the name is not one of them. */
export async function setVersionParam(ctx: CommandContext, name: string, value: string): Promise<number | undefined> {
  const p = profileOf(ctx.lab);
  const params = ctx.lab.state.params;
  if (name === 'auto-registration') {
    const v = trueFalse(ctx, value);
    if (v === undefined) return 1;
    await ctx.mutate(() => void (params.autoRegistration = v));
    ctx.out(`Auto-registration ${v ? 'enabled' : 'disabled'}.`);
    return 0;
  }
  if (name === 'export-controlled') {
    if (p.licensing !== 'smart-licensing') return ctx.fail(`Smart Licensing's export-controlled functionality gates mixed mode from CUCM 12.5; this lab runs ${p.label}.`);
    const v = trueFalse(ctx, value);
    if (v === undefined) return 1;
    await ctx.mutate(() => void (params.exportControlled = v));
    ctx.out(`Allow export-controlled functionality = ${yesNo(v)}${v ? '' : ': utils ctl set-cluster mixed-mode and update CTLFile refuse'}.`);
    return 0;
  }
  if (name === 'phone-interaction-on-certificate-update') {
    if (!p.phoneInteractionParam) return ctx.fail(`${PHONE_INTERACTION} exists from CUCM 14; this lab runs ${p.label}.`);
    const v = value.toLowerCase();
    if (v !== 'automatic' && v !== 'manual') return ctx.fail(`The value is automatic (${PHONE_INTERACTION_VALUES.automatic}) or manual (${PHONE_INTERACTION_VALUES.manual}).`);
    await ctx.mutate(() => void (params.phoneInteraction = v));
    ctx.out(`${PHONE_INTERACTION} = ${PHONE_INTERACTION_VALUES[v]}`);
    return 0;
  }
  return undefined;
}

/** `refresh-upgrade`: the state Field Notice 70613 describes, on a 12.5 build below SU3. */
async function refreshUpgrade(ctx: CommandContext) {
  const build = ctx.lab.state.version;
  if (!hasFn70613Defect(build)) {
    return ctx.fail(`CUCM ${build} does not have the defect of Field Notice 70613: only 12.5 builds below 12.5(1)SU3 (12.5.1.13900-152) do. Create the lab with --version 12.5.1.11900-57, for example.`);
  }
  await ctx.mutate(() => refreshUpgradeFn70613(ctx.lab));
  ctx.out(
    `Refresh upgrade to CUCM ${build} done: the upgrade regenerated the ITLRecovery pair (Field Notice 70613) and every node rebooted.`,
    'The CTL on every node still holds, and is signed by, the previous ITLRecovery certificate. The phones were not reset.',
  );
  return 0;
}

const version: CommandModule = {
  commands: [
    {
      path: ['refresh-upgrade'],
      summary:
        'Plays the refresh upgrade of Field Notice 70613 on a 12.5 build below 12.5(1)SU3: the ITLRecovery pair is regenerated and every node reboots, while the CTL keeps the old ITLRecovery.',
      run: refreshUpgrade,
    },
    {
      path: ['profile'],
      summary: "Shows the CUCM release the lab emulates and what it decides: build and OS strings, trust-file signers, certificate units, keys and validity, restarts, mixed mode.",
      run: showProfile,
    },
  ],
};

export default version;
