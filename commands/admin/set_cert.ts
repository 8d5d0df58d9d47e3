// set cert regen <unit>: new key and serial, the hold timer between regenerations on one node.
import type { CommandContext, CommandModule } from '../../src/console/command.js';
import { CERT_UNITS, CertUnit } from '../../state/crypto/certs.js';

const UNIT_LIST = [...CERT_UNITS];

async function regen(ctx: CommandContext, unitTyped: string) {
  const unit = UNIT_LIST.find((u) => u === unitTyped) as CertUnit | undefined;
  if (!unit) return ctx.fail(`Invalid unit name ${unitTyped}. The valid units are: ${UNIT_LIST.join(', ')}`);
  const lab = ctx.lab;
  const node = ctx.node;
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
  await ctx.mutate(() => lab.regenerateCert(node, unit));
  if (unit === 'ITLRecovery') {
    ctx.out(
      '',
      'Successfully Regenerated Certificate for ITLRecovery.',
      '',
      'You must restart the services related to ITLRecovery for the regenerated certificates to become active.',
    );
  } else {
    ctx.out(
      '',
      '',
      `Successfully Regenerated Certificate for ${unit}.`,
      'Please do a backup of the server as soon as possible. Failure to do so can stale the cluster in case of a crash.',
      `You must restart services related to ${unit} for the regenerated certificates to become active.`,
    );
  }
  return 0;
}

const setCert: CommandModule = {
  menus: [
    { path: ['set', 'cert'], summary: 'Certificate commands' },
  ],
  commands: [
    {
      path: ['set', 'cert', 'regen'],
      summary: 'This command regenerates the certificate for the specified unit.',
      params: [{ name: 'unit-name', required: true, help: UNIT_LIST.join('|'), values: UNIT_LIST }],
      example: ['admin:set cert regen tomcat'],
      run: (ctx, a) => regen(ctx, a['unit-name']),
    },
  ],
};

export default setCert;
