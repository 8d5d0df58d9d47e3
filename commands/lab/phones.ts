// Lab console: phones list | show | log | reset | delete-itl | delete-ctl | directories | set, pools list | set-group.
import type { CommandContext, CommandModule, CompletionContext } from '../../src/console/command.js';
import { bumpConfig, findPhone, findPool, fleet, selectPhones, summary, targetNames } from '../../state/phones/fleet.js';
import { PhoneState, poolOf, supportsSbd } from '../../state/phones/model.js';
import { installedFile, isBlankItl, md5 } from '../../state/phones/trustlists.js';
import { bootPhone, eraseTrustList, pressDirectories } from '../../state/phones/boot.js';
import { statusTime } from '../../state/phones/run.js';
import { recordErase } from '../../state/exercises/events.js';
import { ROLE_TEXT } from '../../state/trust/tlv.js';
import { parseTrustList, signerRecord } from '../../state/trust/tlv-parse.js';
import { hexColon } from '../format.js';
import { fileMd5, table } from './util.js';

const targets = (c: CompletionContext) => targetNames(c.lab);
const phoneNames = (c: CompletionContext) => fleet(c.lab).phones.map((p) => p.name);
const poolNames = (c: CompletionContext) => fleet(c.lab).devicePools.map((p) => p.name);

function short(md5sum: string | undefined, server: string | undefined): string {
  if (!md5sum) return '-';
  return md5sum.slice(0, 8) + (md5sum === server ? '' : '*');
}

function configText(p: PhoneState): string {
  const applied = p.applied?.version;
  if (applied === undefined) return `none (server ${p.configVersion})`;
  return applied === p.configVersion ? String(applied) : `${applied} (server ${p.configVersion})`;
}

function list(ctx: CommandContext, a: Record<string, string>): number {
  const lab = ctx.lab;
  const sel = a.target ? selectPhones(lab, a.target) : { phones: fleet(lab).phones, label: 'all phones' };
  if ('error' in sel) return ctx.fail(sel.error);
  const servers = [...new Set(sel.phones.map((p) => p.tftpNode))].map((n) => lab.node(n)).filter((n) => !!n);
  const srows = [['TFTP server', 'Address', 'ITL MD5 (show itl)', 'CTL MD5 (show ctl)']];
  for (const n of servers) srows.push([n.name, n.ip, fileMd5(ctx, n, 'ITLFile.tlv') ?? 'none', fileMd5(ctx, n, 'CTLFile.tlv') ?? 'none']);
  ctx.out(...table(srows), '');
  const rows = [['Phone', 'Model', 'Device pool', 'TFTP server', 'Trust', 'ITL', 'CTL', 'Config', 'Last status message']];
  for (const p of sel.phones) {
    const s = summary(lab, p);
    rows.push([p.name, p.model, p.devicePool, p.tftpNode, p.trust, short(s.itlMd5, s.serverItlMd5), short(s.ctlMd5, s.serverCtlMd5), configText(p), s.lastStatus ?? '']);
  }
  ctx.out(...table(rows));
  ctx.out('', "ITL/CTL: first 8 hex digits of the MD5 installed on the phone; '*' = differs from its TFTP server's file.");
  return 0;
}

function trustListLines(kind: 'ITL' | 'CTL', buf: Buffer | undefined, serverMd5: string | undefined, serverName: string): string[] {
  if (!buf) return [`${kind} File: not installed`];
  const sum = md5(buf)!;
  const lines = [`${kind} File: ${sum} (MD5), ${buf.length} bytes${sum === serverMd5 ? `, same as ${serverName}` : `, differs from ${serverName} (${serverMd5 ?? 'none'})`}`];
  const parsed = parseTrustList(buf);
  if (!parsed.ok) return [...lines, '  (cannot be parsed)'];
  const list = parsed.list;
  const signer = signerRecord(list);
  lines.push(`  Signer: ${list.signerName} (serial ${hexColon(list.signerSerial)})`);
  if (kind === 'ITL' && isBlankItl(list)) lines.push('  Blank ITL (Prepare Cluster for Rollback to pre 8.0): the phone accepts any signer');
  list.records.forEach((r, i) => {
    const role = r.func === undefined ? '?' : (ROLE_TEXT[r.func] ?? String(r.func));
    const name = r.subjectName ?? r.dnsName ?? '';
    lines.push(`  #${i + 1} ${role.padEnd(36)} ${name}${r === signer ? ' (signer)' : ''}`);
  });
  return lines;
}

function show(ctx: CommandContext, a: Record<string, string>): number {
  const lab = ctx.lab;
  const p = findPhone(lab, a.phone);
  if (!p) return ctx.fail(`No phone '${a.phone}' (see 'phones list').`);
  const pool = poolOf(lab, p);
  const node = lab.node(p.tftpNode);
  const sbd = supportsSbd(p.model);
  ctx.out(
    `${p.name}  Cisco IP Phone ${p.model}  "${p.description}"`,
    `  Security By Default: ${sbd ? 'yes' : 'no (no ITL, no TVS)'}`,
    `  Device pool:  ${p.devicePool} (CallManager group: ${pool?.callManagerGroup.join(', ') ?? '?'})`,
    `  TFTP server:  ${p.tftpNode}${node ? ` (${node.ip})` : ''}`,
    `  Trust state:  ${p.trust}`,
    `  Config:       version ${p.applied?.version ?? 'none'} applied; the TFTP server offers version ${p.configVersion}${p.applied && p.applied.version < p.configVersion ? ' (new configuration not applied)' : ''}`,
    `  Web access:   ${p.applied ? (p.applied.webAccess ? 'enabled' : 'disabled') : '?'} on the phone, ${p.webAccess ? 'enabled' : 'disabled'} in the database`,
    `  TVS servers:  ${p.applied?.tvs.length ? p.applied.tvs.join(', ') : 'none known'} (from the applied configuration)`,
    `  TVS cache:    ${p.tvsCache.filter((e) => e.until > lab.nowMs()).length} certificate(s)`,
    '',
    'Trust List (Settings > Security Configuration > Trust List)',
  );
  const sItl = node ? fileMd5(ctx, node, 'ITLFile.tlv') : undefined;
  const sCtl = node ? fileMd5(ctx, node, 'CTLFile.tlv') : undefined;
  ctx.out(...trustListLines('CTL', installedFile(lab, p, 'CTL'), sCtl, p.tftpNode).map((l) => '  ' + l));
  if (sbd) ctx.out(...trustListLines('ITL', installedFile(lab, p, 'ITL'), sItl, p.tftpNode).map((l) => '  ' + l));
  ctx.out('', 'Status Messages (Settings > Status > Status Messages)');
  if (p.statusMessages.length === 0) ctx.out('  (none)');
  for (const m of p.statusMessages) ctx.out(`  ${statusTime(lab, m.at)} ${m.text}`);
  const n = 40;
  ctx.out('', `Console log (last ${Math.min(n, p.log.length)} of ${p.log.length} lines; 'phones log ${p.name} all' for the rest)`);
  ctx.out(...p.log.slice(-n));
  return 0;
}

function log(ctx: CommandContext, a: Record<string, string>): number {
  const p = findPhone(ctx.lab, a.phone);
  if (!p) return ctx.fail(`No phone '${a.phone}' (see 'phones list').`);
  const spec = (a.lines ?? '60').toLowerCase();
  let lines = p.log;
  if (spec !== 'all') {
    const n = Number(spec);
    if (!Number.isInteger(n) || n < 1) return ctx.fail("The line count is a positive number or 'all'.");
    lines = p.log.slice(-n);
  }
  ctx.out(...lines);
  return 0;
}

async function reset(ctx: CommandContext, a: Record<string, string>) {
  const sel = selectPhones(ctx.lab, a.target);
  if ('error' in sel) return ctx.fail(sel.error);
  const names = sel.phones.map((p) => p.name);
  const results = await ctx.mutate(() =>
    names.map((name) => {
      const p = findPhone(ctx.lab, name)!;
      bootPhone(ctx.lab, p);
      return { name, trust: p.trust, last: p.statusMessages[p.statusMessages.length - 1]?.text ?? '' };
    }),
  );
  ctx.out(`Reset ${sel.label}: ${results.length} phone${results.length === 1 ? '' : 's'} rebooted.`);
  ctx.out(...table(results.map((r) => [r.name, r.trust, r.last])));
  return 0;
}

async function erase(ctx: CommandContext, a: Record<string, string>, which: 'ITL' | 'CTL') {
  const sel = selectPhones(ctx.lab, a.target);
  if ('error' in sel) return ctx.fail(sel.error);
  const names = sel.phones.map((p) => p.name);
  const results = await ctx.mutate(() => {
    const done = names.map((name) => {
      const p = findPhone(ctx.lab, name)!;
      const had = which === 'ITL' ? !!p.itl : !!p.ctl;
      eraseTrustList(ctx.lab, p, which);
      // the phone restarts after the erase
      bootPhone(ctx.lab, p);
      return { name, had, trust: p.trust, model: p.model, devicePool: p.devicePool };
    });
    // a running exercise keeps the phones a technician visited, as the target resolved now
    recordErase(ctx.lab, which, done);
    return done;
  });
  ctx.out(`Settings > Security Configuration > Trust List > ${which} File, unlock with **#, Erase; the phone restarts.`);
  ctx.out(...table(results.map((r) => [r.name, r.had ? `${which} erased` : `no ${which} to erase`, `after restart: ${r.trust}`])));
  return 0;
}

async function directories(ctx: CommandContext, a: Record<string, string>) {
  const p = findPhone(ctx.lab, a.phone);
  if (!p) return ctx.fail(`No phone '${a.phone}' (see 'phones list').`);
  const seq = p.logSeq;
  const ok = await ctx.mutate(() => pressDirectories(ctx.lab, findPhone(ctx.lab, a.phone)!));
  const after = findPhone(ctx.lab, a.phone)!;
  ctx.out(ok ? 'Directories: the corporate directory opens.' : 'Directories: the phone shows "Host Not Found".', '');
  ctx.out(...after.log.slice(-(after.logSeq - seq)));
  return ok ? 0 : 1;
}

async function setWebAccess(ctx: CommandContext, a: Record<string, string>) {
  const sel = selectPhones(ctx.lab, a.target);
  if ('error' in sel) return ctx.fail(sel.error);
  const v = a['enabled|disabled'].toLowerCase();
  const names = sel.phones.map((p) => p.name);
  await ctx.mutate(() => {
    const phones = names.map((n) => findPhone(ctx.lab, n)!);
    for (const p of phones) p.webAccess = v === 'enabled';
    bumpConfig(phones);
  });
  ctx.out(`Web Access ${v} for ${sel.label}: new configuration version on the TFTP server; reset the phones to apply it.`);
  return 0;
}

function pools(ctx: CommandContext): number {
  const f = fleet(ctx.lab);
  const rows = [['Device pool', 'CallManager group (TVS servers, in order)', 'Phones']];
  for (const d of f.devicePools) rows.push([d.name, d.callManagerGroup.join(', '), String(f.phones.filter((p) => p.devicePool === d.name).length)]);
  ctx.out(...table(rows));
  return 0;
}

async function setGroup(ctx: CommandContext, a: Record<string, string>) {
  const pool = findPool(ctx.lab, a.pool);
  if (!pool) return ctx.fail(`No device pool '${a.pool}' (see 'pools list').`);
  const words = a.nodes.split(/[\s,]+/).filter(Boolean);
  if (words.length < 1 || words.length > 3) return ctx.fail('A CallManager group has 1 to 3 nodes.');
  const nodes = words.map((w) => ctx.lab.node(w));
  const bad = words.filter((_, i) => !nodes[i] || !nodes[i]!.callmanager);
  if (bad.length) return ctx.fail(`Not a CallManager node of this lab: ${bad.join(', ')}`);
  const names = nodes.map((n) => n!.name);
  await ctx.mutate(() => {
    const live = findPool(ctx.lab, a.pool)!;
    live.callManagerGroup = names;
    bumpConfig(fleet(ctx.lab).phones.filter((p) => p.devicePool === live.name));
  });
  ctx.out(`${pool.name}: CallManager group ${names.join(', ')}. Phones learn the new TVS servers from their next configuration file.`);
  return 0;
}

const target = { name: 'target', required: true, help: "'all', a device pool, or a phone (SEP name or MAC)", values: targets };
const phone = { name: 'phone', required: true, help: 'SEP name or MAC of a phone', values: phoneNames };

const phones: CommandModule = {
  menus: [
    { path: ['phones'], summary: 'The phone fleet: list, show, reset, erase trust lists' },
    { path: ['phones', 'set'], summary: 'Change device settings in the database' },
    { path: ['pools'], summary: 'Device pools and their CallManager groups' },
  ],
  commands: [
    {
      path: ['phones', 'list'],
      summary: "Lists phones: trust state, installed ITL/CTL checksums beside their TFTP server's show itl / show ctl.",
      params: [{ name: 'target', required: false, help: "'all', a device pool, or a phone", values: targets }],
      run: list,
    },
    {
      path: ['phones', 'show'],
      summary: 'Shows one phone: its trust list, status messages, configuration and console log.',
      params: [phone],
      example: ['lab>phones show SEP001E7A07CD37'],
      run: show,
    },
    {
      path: ['phones', 'log'],
      summary: "Prints a phone's console log (default the last 60 lines).",
      params: [phone, { name: 'lines', required: false, help: "number of lines, or 'all'", values: ['all'] }],
      run: log,
    },
    {
      path: ['phones', 'reset'],
      summary: 'Resets phones as the Reset buttons of CUCM Administration do: all (Enterprise Parameters), a device pool, or one phone.',
      params: [target],
      example: ['lab>phones reset all', 'lab>phones reset DP-Branch', 'lab>phones reset SEP001E7A07CD37'],
      run: reset,
    },
    {
      path: ['phones', 'delete-itl'],
      summary: 'Erases the ITL on phones by hand (Settings > Security Configuration > Trust List, **#, Erase); they restart.',
      params: [target],
      run: (ctx, a) => erase(ctx, a, 'ITL'),
    },
    {
      path: ['phones', 'delete-ctl'],
      summary: 'Erases the CTL on phones by hand (Settings > Security Configuration > Trust List, **#, Erase); they restart.',
      params: [target],
      run: (ctx, a) => erase(ctx, a, 'CTL'),
    },
    {
      path: ['phones', 'directories'],
      summary: 'Presses the Directories button: an HTTPS request that needs the CTL/ITL or TVS to trust Tomcat.',
      params: [phone],
      run: directories,
    },
    {
      path: ['phones', 'set', 'web-access'],
      summary: 'Changes the Web Access setting in the database: a new configuration file version for the phones.',
      params: [target, { name: 'enabled|disabled', required: true, help: 'enabled or disabled', values: ['enabled', 'disabled'], strict: true }],
      example: ['lab>phones set web-access all disabled'],
      run: setWebAccess,
    },
    {
      path: ['pools', 'list'],
      summary: 'Lists device pools, their CallManager groups and how many phones use them.',
      run: pools,
    },
    {
      path: ['pools', 'set-group'],
      summary: "Sets a device pool's CallManager group (1 to 3 nodes, in order); the phones' TVS servers follow.",
      params: [
        { name: 'pool', required: true, help: 'device pool', values: poolNames },
        { name: 'nodes', required: true, help: 'one to three node names', rest: true },
      ],
      example: ['lab>pools set-group DP-Branch cucm-sub2 cucm-sub1'],
      run: setGroup,
    },
  ],
};

export default phones;
