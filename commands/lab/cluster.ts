// Lab console: status, node hostname | domain | power, params show | set.
import type { CommandContext, CommandModule } from '../../src/console/command.js';
import { TFTP, TVS } from '../../state/cluster/services.js';
import { staleNotes } from '../../state/cluster/running.js';
import { fleet } from '../../state/phones/fleet.js';
import type { TrustState } from '../../state/phones/model.js';
import { changeDomain, changeHostname } from '../../state/ops/rename.js';
import { setPhoneLogLines, setRollbackToPre80 } from '../../state/ops/params.js';
import { MAX_PHONE_LOG_LINES, phoneLogLines } from '../../state/cluster/state.js';
import { ctlClientUpdate } from '../../state/ops/ctl-client.js';
import { cucmDate } from '../format.js';
import { fileMd5, findNode, formatDuration, noNode, nodeNames, serviceState, table, yesNo } from './util.js';
import { profileOf } from '../../state/cluster/profile.js';
import { setVersionParam, VERSION_PARAMS, versionParamRows } from './version.js';

function status(ctx: CommandContext): number {
  const lab = ctx.lab;
  const s = lab.state;
  const phones = fleet(lab).phones;
  ctx.out(
    `Lab '${s.name}': CUCM ${s.version}, domain ${s.domain}, ${s.nodes.length} node${s.nodes.length === 1 ? '' : 's'}, ${phones.length} phones`,
    `Release profile: ${profileOf(lab).id}, Unified OS ${profileOf(lab).osVersion} ('profile' for what it changes)`,
    `Clock: ${cucmDate(lab.nowMs(), s.timezone)}${s.clock.fixed ? ' (simulated: moves with clock advance and as long-running commands take their time)' : ''}`,
    `Cluster Security Mode: ${s.params.clusterSecurityMode} (${s.params.clusterSecurityMode === 1 ? 'mixed mode' : 'non-secure'})`,
    `Prepare Cluster for Rollback to pre 8.0: ${yesNo(s.params.rollbackToPre80)}`,
    '',
  );
  const rows = [['Node', 'Address', 'Role', 'Power', 'Tftp', 'TVS', 'ITL MD5 (show itl)', 'CTL MD5 (show ctl)']];
  for (const n of lab.nodes) {
    rows.push([
      lab.fqdn(n),
      n.ip,
      n.publisher ? 'publisher' : 'subscriber',
      n.up ? 'on' : 'off',
      n.tftp ? serviceState(ctx, n, TFTP) : 'n/a',
      n.callmanager ? serviceState(ctx, n, TVS) : 'n/a',
      n.tftp ? (fileMd5(ctx, n, 'ITLFile.tlv') ?? 'none') : '-',
      fileMd5(ctx, n, 'CTLFile.tlv') ?? 'none',
    ]);
  }
  ctx.out(...table(rows));
  const notes: string[] = [];
  for (const n of lab.nodes) {
    const pending = lab.pendingRestarts(n);
    if (pending.length) notes.push(`${n.name}: waiting for a restart of ${pending.join(', ')}`);
    const hold = lab.holdRemaining(n);
    if (hold > 0 && n.lastRegen) notes.push(`${n.name}: ${n.lastRegen.unit} was regenerated; hold timer ${formatDuration(hold)} left`);
    if (n.itlFromReset) notes.push(`${n.name}: serving the reset ITL (signed by ITLRecovery) until Cisco Tftp restarts`);
    for (const note of staleNotes(lab, n)) notes.push(`${n.name}: ${note}`);
    if (n.dbCallManagerPem) notes.push(`${n.name}: CallManager.pem differs from the certificate in the database`);
    if (!n.up && n.pendingReplication.length) notes.push(`${n.name}: ${n.pendingReplication.length} replication change(s) waiting for power-on`);
  }
  if (notes.length) ctx.out('', ...notes);
  const counts = new Map<TrustState, number>();
  for (const p of phones) counts.set(p.trust, (counts.get(p.trust) ?? 0) + 1);
  ctx.out('', `Phones: ${[...counts].map(([k, v]) => `${v} ${k}`).join(', ') || 'none'}`);
  return 0;
}

async function hostname(ctx: CommandContext, a: Record<string, string>) {
  if (!findNode(ctx, a.node)) return noNode(ctx, a.node);
  const r = await ctx.mutate(() => changeHostname(ctx.lab, ctx.lab.node(a.node)!, a.hostname));
  renamed(ctx, r.oldFqdn, r.newFqdn, r.units);
  return 0;
}

async function domain(ctx: CommandContext, a: Record<string, string>) {
  if (!findNode(ctx, a.node)) return noNode(ctx, a.node);
  const r = await ctx.mutate(() => changeDomain(ctx.lab, ctx.lab.node(a.node)!, a.domain));
  renamed(ctx, r.oldFqdn, r.newFqdn, r.units);
  return 0;
}

function renamed(ctx: CommandContext, from: string, to: string, units: string[]): void {
  ctx.out(
    `${from} is now ${to}.`,
    `Regenerated at once (no hold timer): ${units.join(', ')}. ITLRecovery keeps its original name.`,
    'The node rebooted: Cisco Tftp rebuilt its ITL and TVS presents its new certificate.',
    "Reset the phones ('phones reset all') to see how they take it.",
  );
}

async function power(ctx: CommandContext, a: Record<string, string>) {
  const node = findNode(ctx, a.node);
  if (!node) return noNode(ctx, a.node);
  const up = a['on|off'].toLowerCase() === 'on';
  if (node.up === up) {
    ctx.out(`${node.name} is already powered ${up ? 'on' : 'off'}.`);
    return 0;
  }
  await ctx.mutate(() => ctx.lab.setPower(ctx.lab.node(a.node)!, up));
  ctx.out(up ? `${node.name} powered on: services started, missed replication applied.` : `${node.name} powered off: its TFTP, TVS and SSH stop answering.`);
  return 0;
}

const PARAMS = ['rollback-to-pre-8.0', 'cluster-security-mode', 'phone-log-lines', ...VERSION_PARAMS];

function paramsShow(ctx: CommandContext): number {
  const p = ctx.lab.state.params;
  ctx.out(
    ...table([
      ['Enterprise Parameter', 'Value', 'Name in this console'],
      ['Cluster Security Mode', String(p.clusterSecurityMode), 'cluster-security-mode (read-only)'],
      ['Prepare Cluster for Rollback to pre 8.0', yesNo(p.rollbackToPre80), 'rollback-to-pre-8.0'],
      ...versionParamRows(ctx),
      ['(lab) Console log lines kept per phone', String(phoneLogLines(ctx.lab.state)), 'phone-log-lines'],
    ]),
  );
  return 0;
}

async function paramsSet(ctx: CommandContext, a: Record<string, string>) {
  const name = a.parameter.toLowerCase();
  if (name === 'cluster-security-mode') {
    return ctx.fail(
      'Cluster Security Mode is read-only on the Enterprise Parameters page.',
      "Change it on the publisher's admin: CLI: utils ctl set-cluster mixed-mode | non-secure-mode",
    );
  }
  if (name === 'phone-log-lines') return setLogLines(ctx, a.value);
  const done = await setVersionParam(ctx, name, a.value);
  if (done !== undefined) return done;
  if (name !== 'rollback-to-pre-8.0') return ctx.fail(`Unknown parameter '${a.parameter}' (known: ${PARAMS.join(', ')}).`);
  const v = a.value.toLowerCase();
  if (!['true', 'false'].includes(v)) return ctx.fail('The value is True or False.');
  const value = v === 'true';
  if (ctx.lab.state.params.rollbackToPre80 === value) {
    ctx.out(`Prepare Cluster for Rollback to pre 8.0 is already ${yesNo(value)}.`);
    return 0;
  }
  const rebuilt = await ctx.mutate(() => setRollbackToPre80(ctx.lab, value).map((n) => n.name));
  ctx.out(`Prepare Cluster for Rollback to pre 8.0 = ${yesNo(value)}`);
  ctx.out(rebuilt.length ? `ITL rebuilt by the TFTP service on: ${rebuilt.join(', ')}` : 'No TFTP service is running: no ITL was rebuilt.');
  ctx.out("Reset all devices for the change to take effect ('phones reset all').");
  return 0;
}

/** A lab setting, not a CUCM one: the phones' logs are ring buffers saved with the lab. */
async function setLogLines(ctx: CommandContext, text: string) {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > MAX_PHONE_LOG_LINES) return ctx.fail(`The line count is a whole number from 1 to ${MAX_PHONE_LOG_LINES}.`);
  if (phoneLogLines(ctx.lab.state) !== n) await ctx.mutate(() => setPhoneLogLines(ctx.lab, n));
  ctx.out(`Each phone keeps the last ${n} lines of its console log.`);
  return 0;
}

/** The CTL Client's dialog texts, as seed 002 shows them. */
export const TOKEN_NOT_IN_CTL = [
  'The Security Token you have inserted does not exist in the CTL File',
  'Please remove any Security Tokens already inserted and insert another',
  'Security Token. Click Ok when done.',
];
export const NO_CTL_IN_SECURE_MODE = [
  'No CTL File exists on the server but the Call Manager Cluster Security Mode is in Secure Mode.',
  'For the system to function, you must create the CTL File and set Call Manager Cluster the Secure Mode.',
];

async function ctlClient(ctx: CommandContext) {
  if (!ctx.lab.state.etokens) return ctx.fail("This lab has no USB eTokens: the CTL Client needs a lab created with 'ctl: etoken' in its topology.");
  // connecting, inserting the tokens and typing their passwords takes a while on a real PC
  await ctx.sleep(5000);
  const r = await ctx.mutate(() => ctlClientUpdate(ctx.lab));
  if (r.kind === 'token-not-in-ctl') {
    return ctx.fail(
      ...TOKEN_NOT_IN_CTL,
      '',
      `None of the lab's eTokens is in the CTL on ${ctx.lab.publisher().name} (a tokenless CTL lists none): nothing was changed.`,
      "To go back to the eTokens, delete it on the publisher ('file delete tftp CTLFile.tlv') and run the CTL Client again.",
    );
  }
  // the client shows this as a warning; clicking Ok goes on with the update (seed 002)
  if (r.noCtlWarning) ctx.out(...NO_CTL_IN_SECURE_MODE, '(Ok clicked: the CTL Client goes on.)', '');
  ctx.out(`CTL Client: CTLFile.tlv signed with the USB eToken, copied to ${r.copied.join(', ')}.`);
  if (r.missed.length) ctx.out(`Powered off, will get it when they come back: ${r.missed.join(', ')}.`);
  ctx.out('Restart Cisco Tftp and Cisco CallManager on every node that runs them, then reset the phones.');
  return 0;
}

const cluster: CommandModule = {
  menus: [
    { path: ['node'], summary: 'Change a node: hostname, domain, power' },
    { path: ['params'], summary: 'Enterprise parameters' },
  ],
  commands: [
    {
      path: ['status'],
      summary: 'Shows the cluster: nodes, power, Tftp/TVS, ITL and CTL checksums, pending restarts, phone trust.',
      run: status,
    },
    {
      path: ['node', 'hostname'],
      summary: "Changes a node's hostname. CUCM regenerates all its certificates at once and the node reboots.",
      params: [
        { name: 'node', required: true, help: 'node to rename', values: nodeNames },
        { name: 'hostname', required: true, help: 'the new hostname' },
      ],
      example: ['lab>node hostname cucm-pub cucm-pub2'],
      run: hostname,
    },
    {
      path: ['node', 'domain'],
      summary: "Changes a node's DNS domain. CUCM regenerates all its certificates at once and the node reboots.",
      params: [
        { name: 'node', required: true, help: 'node to change', values: nodeNames },
        { name: 'domain', required: true, help: 'the new domain' },
      ],
      example: ['lab>node domain cucm-sub1 corp.example'],
      run: domain,
    },
    {
      path: ['node', 'power'],
      summary: 'Powers a node off or on (a node that comes back starts its services and catches up on replication).',
      params: [
        { name: 'node', required: true, help: 'node', values: nodeNames },
        { name: 'on|off', required: true, help: 'on or off', values: ['on', 'off'], strict: true },
      ],
      example: ['lab>node power cucm-sub1 off'],
      run: power,
    },
    {
      path: ['ctl-client'],
      summary: 'Runs the CTL Client plugin with the USB eTokens (labs with hardware-token CTLs): a CTL signed by an eToken. It refuses a CTL that lists none of the tokens.',
      run: ctlClient,
    },
    {
      path: ['params', 'show'],
      summary: 'Shows the enterprise parameters the lab models.',
      run: paramsShow,
    },
    {
      path: ['params', 'set'],
      summary: 'Sets an enterprise parameter (Prepare Cluster for Rollback to pre 8.0, auto-registration, export-controlled functionality from 12.5, Phone Interaction on Certificate Update from 14; Cluster Security Mode is read-only) or the lines a phone log keeps.',
      params: [
        { name: 'parameter', required: true, help: 'rollback-to-pre-8.0 | auto-registration | export-controlled | phone-interaction-on-certificate-update | phone-log-lines', values: PARAMS },
        { name: 'value', required: true, help: 'True or False; automatic or manual for phone-interaction-on-certificate-update; a line count for phone-log-lines', values: ['True', 'False', 'automatic', 'manual'] },
      ],
      example: ['lab>params set rollback-to-pre-8.0 True', 'lab>params set auto-registration True', 'lab>params set phone-interaction-on-certificate-update manual', 'lab>params set phone-log-lines 200'],
      run: paramsSet,
    },
  ],
};

export default cluster;
