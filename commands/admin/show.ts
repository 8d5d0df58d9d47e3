// show itl, show ctl, show version active, show network cluster, show myself, show cert ..., show cli ...
import type { CommandContext, CommandModule } from '../../src/console/command.js';
import { certView, CERT_UNITS } from '../../state/crypto/certs.js';
import { cucmDate, ctimeDate } from '../format.js';
import { showCtl, showItl } from './show_trustlist.js';

function certFileNames(ctx: { lab: CommandContext['lab']; node: CommandContext['node'] }): string[] {
  const out: string[] = [];
  for (const u of CERT_UNITS) if (ctx.node.certs[u]) out.push(`${u}/${u}.pem`, u);
  return out;
}

/** A certificate dump in the OS platform's Java-style layout. */
export function certDump(pem: string, tz: string): string[] {
  const v = certView(pem);
  // Java prints names in reverse order of their DER encoding
  const javaName = (s: string) => s.split(';').reverse().join(', ');
  const modulusHex = v.publicKeyPkcs1.toString('hex');
  const keyLines: string[] = [];
  for (let i = 0; i < modulusHex.length; i += 64) keyLines.push(modulusHex.slice(i, i + 64));
  return [
    '[',
    '  Version: V3',
    `  Serial Number: ${v.serial.toString('hex')}`,
    '  SignatureAlgorithm: SHA256withRSA (1.2.840.113549.1.1.11)',
    `  Issuer Name: ${javaName(v.issuer)}`,
    `  Validity From: ${cucmDate(v.notBefore.getTime(), tz)}`,
    `           To:   ${cucmDate(v.notAfter.getTime(), tz)}`,
    `  Subject Name: ${javaName(v.subject)}`,
    '  Key: RSA (1.2.840.113549.1.1.1)',
    '    Key value:',
    ...keyLines.map((l) => `${l}`),
    '  Extensions: 4 present',
    '  [',
    '     Extension: KeyUsage (OID.2.5.29.15)',
    '     Critical: false',
    '     Usages: digitalSignature, keyEncipherment, dataEncipherment, ',
    '  ]',
    '  [',
    '     Extension: ExtKeyUsageSyntax (OID.2.5.29.37)',
    '     Critical: false',
    '     Usage oids: 1.3.6.1.5.5.7.3.1, 1.3.6.1.5.5.7.3.2, ',
    '  ]',
    `  SHA1 Fingerprint: ${v.sha1.toString('hex')}`,
    ']',
  ];
}

const show: CommandModule = {
  menus: [
    { path: ['show'], summary: 'Show system information' },
    { path: ['show', 'cert'], summary: 'Show certificate information' },
    { path: ['show', 'cert', 'list'], summary: 'Show certificate lists' },
    { path: ['show', 'network'], summary: 'Show network information' },
    { path: ['show', 'version'], summary: 'Show version information' },
    { path: ['show', 'cli'], summary: 'Show CLI settings' },
  ],
  commands: [
    {
      path: ['show', 'itl'],
      summary: 'This command displays the ITL file contents or prints an error message if the ITL file is invalid.',
      example: ['admin:show itl'],
      run: (ctx) => showItl(ctx),
    },
    {
      path: ['show', 'ctl'],
      summary: 'This command displays the contents of the Certificate Trust List (CTL) file on the server. It notifies you if the CTL is invalid.',
      example: ['admin:show ctl'],
      run: (ctx) => showCtl(ctx),
    },
    {
      path: ['show', 'version', 'active'],
      summary: 'This command displays the software version on the active partition.',
      run(ctx) {
        ctx.out(`Active Master Version: ${ctx.lab.state.version}`, 'Active Version Installed Software Options:', 'No Installed Software Options Found.');
      },
    },
    {
      path: ['show', 'network', 'cluster'],
      summary: 'This command lists nodes in the network cluster.',
      run(ctx) {
        const lab = ctx.lab;
        const tz = lab.state.timezone;
        const lines: string[] = [];
        const others = lab.nodes.filter((n) => n !== ctx.node);
        for (const n of [...others, ctx.node]) {
          const role = n.publisher ? 'Publisher' : 'Subscriber';
          const db = n.publisher ? 'DBPub' : 'DBSub';
          let line = `${n.ip} ${lab.fqdn(n)} ${n.name} ${role} callmanager ${db}`;
          if (n === ctx.node) line += ' authenticated';
          else if (!n.up) line += ' unreachable';
          else line += ` authenticated using TCP since ${ctimeDate(Math.max(n.since, ctx.node.since), tz)}`;
          lines.push(line);
        }
        if (ctx.node.publisher) {
          lines.push('', 'Server Table (processnode) Entries', '----------------------------------', ...lab.nodes.map((n) => lab.fqdn(n)));
        }
        ctx.out(...lines);
      },
    },
    {
      path: ['show', 'myself'],
      summary: 'This command displays information about the current account.',
      run(ctx) {
        ctx.out(
          `Machine Name    : ${ctx.node.name}`,
          `account name    : ${ctx.session.user}`,
          'privilege level : 4',
          `command count   : ${ctx.session.commandCount}`,
          'logging setting : 1',
        );
      },
    },
    {
      path: ['show', 'cert', 'list', 'own'],
      summary: 'This command displays the own certificates of the server.',
      run(ctx) {
        for (const u of CERT_UNITS) {
          const c = ctx.node.certs[u];
          if (c) ctx.out(`${u}/${u}.pem: ${c.description}`);
        }
      },
    },
    {
      path: ['show', 'cert', 'list', 'trust'],
      summary: 'This command displays the trusted certificates of the server.',
      run(ctx) {
        for (const key of Object.keys(ctx.node.trust).sort((a, b) => a.localeCompare(b))) ctx.out(`${key}: Trust Certificate`);
      },
    },
    {
      path: ['show', 'cert', 'own'],
      summary: 'This command displays the contents of an own certificate.',
      params: [{ name: 'filename', required: true, help: 'unit/file name, for example CallManager/CallManager.pem', values: (c) => certFileNames(c) }],
      run(ctx, args) {
        const unit = args.filename.split('/')[0];
        const c = ctx.node.certs[unit];
        if (!c || (args.filename.includes('/') && args.filename !== `${unit}/${unit}.pem`)) {
          return ctx.fail(`${args.filename}: no such certificate`);
        }
        ctx.out(...certDump(c.certPem, ctx.lab.state.timezone));
      },
    },
    {
      path: ['show', 'cert', 'trust'],
      summary: 'This command displays the contents of a trusted certificate.',
      params: [{ name: 'filename', required: true, help: 'unit-trust/file name', values: (c) => Object.keys(c.node.trust) }],
      run(ctx, args) {
        const pem = ctx.node.trust[args.filename];
        if (!pem) return ctx.fail(`${args.filename}: no such certificate`);
        ctx.out(...certDump(pem, ctx.lab.state.timezone));
      },
    },
    {
      path: ['show', 'cli', 'pagination'],
      summary: 'This command displays the status of automatic CLI pagination.',
      run(ctx) {
        ctx.out(`Automatic Pagination : ${ctx.lab.state.cli.pagination ? 'On' : 'Off'}.`);
      },
    },
    {
      path: ['show', 'cli', 'session', 'timeout'],
      summary: 'This command displays the CLI session timeout in minutes.',
      run(ctx) {
        ctx.out(`CLI session timeout : ${ctx.lab.state.cli.sessionTimeoutMin} minutes.`);
      },
    },
    {
      path: ['show', 'accountlocking'],
      summary: 'This command displays the current account locking settings.',
      run(ctx) {
        ctx.out('Account Lockout is enabled', 'Unlock Time : 300 seconds', 'Retry Count : 3 attempts');
        void ctx;
      },
    },
  ],
};

export default show;
