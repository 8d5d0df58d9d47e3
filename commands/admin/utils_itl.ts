// utils itl reset localkey | remotekey <host> <user> <path>: bulk ITL recovery (10.0+), publisher only.
import type { CommandContext, CommandModule } from '../../src/console/command.js';
import { TransferError } from '../../src/console/command.js';
import { createPublicKey } from 'node:crypto';
import { certView } from '../../state/crypto/certs.js';
import { openPkcs12, p12Password } from '../../state/crypto/pkcs12.js';

function keyMatchesCert(keyPem: string, certPem: string): boolean {
  try {
    const a = createPublicKey(keyPem).export({ type: 'spki', format: 'der' });
    return a.equals(certView(certPem).publicKey.export({ type: 'spki', format: 'der' }));
  } catch {
    return false;
  }
}

const NOT_PUBLISHER = 'This is not a publisher node. The ITL reset can be run on the publisher only.';

async function checkCcmAdmin(ctx: CommandContext): Promise<boolean> {
  const pw = await ctx.ask('Enter CCM Administrator password :', { hidden: true });
  ctx.out('', '');
  return pw === ctx.lab.state.accounts.application.password;
}

async function reset(ctx: CommandContext, fetched?: { certPem: string; keyPem: string }) {
  const lab = ctx.lab;
  if (!(await checkCcmAdmin(ctx))) return ctx.fail('Invalid CCM Administrator password.');
  ctx.out('Locating active Tftp servers in the cluster.....', '');
  const active = lab.activeTftpNodes();
  if (active.length === 0) return ctx.fail('There are no active Tftp servers in the cluster.');
  ctx.out('Following is the list of Active tftp servers in the cluster', '');
  ctx.out(`[${active.map((n) => `'${n.name}'`).join(', ')}]`);
  const done = await ctx.mutate(async () => {
    if (fetched) await lab.replaceItlRecovery(fetched.certPem, fetched.keyPem);
    return lab.resetItl();
  });
  ctx.out('The reset ITL file was generated successfully', '');
  ctx.out('Transferring new reset ITL file to the TFTP server nodes in the cluster.....', '');
  for (const n of done) {
    if (!n.publisher) ctx.out(`Successfully transferred reset ITL to node ${n.name}`, '');
    ctx.out(`Restarting Cisco Tftp service on host ${n.name}`);
    await ctx.sleep(1500);
    ctx.out(`Cisco Tftp service restarted on host ${n.name}`);
  }
  return 0;
}

/**
 * The real command has no port argument: `host:port` (or `[v6]:port`) in the host argument reaches an
 * SFTP server off port 22; a bare IPv6 address keeps port 22.
 */
export function hostAndPort(text: string): { host: string; port: number } {
  const bracket = text.startsWith('[') ? text.indexOf(']') : -1;
  const colon = bracket > 0 ? (text[bracket + 1] === ':' ? bracket + 1 : -1) : text.indexOf(':') === text.lastIndexOf(':') ? text.indexOf(':') : -1;
  const host = bracket > 0 ? text.slice(1, bracket) : colon > 0 ? text.slice(0, colon) : text;
  if (colon <= 0) return { host, port: 22 };
  const portText = text.slice(colon + 1);
  const port = Number(portText);
  if (!/^\d{1,5}$/.test(portText) || port < 1 || port > 65535) throw new TransferError(`Invalid port: ${portText}`);
  return { host, port };
}

async function remotekey(ctx: CommandContext, args: Record<string, string>) {
  const sftpPassword = await ctx.ask('Enter Sftp password :', { hidden: true });
  let p12: Buffer;
  try {
    const { host, port } = hostAndPort(args.host);
    p12 = await ctx.transfer.get({ host, port, user: args.user, password: sftpPassword }, args.path, ctx);
  } catch (e) {
    return ctx.fail(e instanceof TransferError ? e.message : `Failed to download ${args.path}: ${(e as Error).message}`);
  }
  const opened = await openPkcs12(p12, p12Password(ctx.lab.state.accounts.securityPassword));
  if (opened && !keyMatchesCert(opened.keyPem, opened.certPem)) {
    return ctx.fail('The ITLRecovery.p12 file is not valid: its private key does not belong to its certificate.');
  }
  if (!opened) {
    return ctx.fail('Unable to read the ITLRecovery.p12 file. The file is not a valid PKCS12 bag or the cluster security password does not match the one it was exported with.');
  }
  // the 10.0 CLI echoes the organisational unit of the bag it is processing
  const ou = certView(opened.certPem).subject.match(/OU=([^;]*)/)?.[1] ?? '';
  ctx.out(`Processing token in else 0 ${ou}`, 'coun is 1', `Processing token in else 0 ${ou}`, 'coun is 1', '');
  return reset(ctx, opened);
}

const utilsItl: CommandModule = {
  menus: [
    { path: ['utils', 'itl'], summary: 'ITL file commands' },
    { path: ['utils', 'itl', 'reset'], summary: 'This command is used when endpoints are unable to validate their configuration files.' },
  ],
  commands: [
    {
      path: ['utils', 'itl', 'reset', 'localkey'],
      summary:
        'Generates a new ITL file by taking the existing ITL file on the publisher, signs it with the ITL recovery key on the publisher and copies it to every active TFTP server, where Cisco Tftp is restarted.',
      publisherOnly: NOT_PUBLISHER,
      example: ['admin:utils itl reset localkey'],
      run: (ctx) => reset(ctx),
    },
    {
      path: ['utils', 'itl', 'reset', 'remotekey'],
      summary: 'Imports the PKCS12 bag with the recovery key pair from an SFTP server, then resets the ITL files signed with it.',
      publisherOnly: NOT_PUBLISHER,
      params: [
        { name: 'host', required: true, help: 'IP address or hostname of the SFTP server (host:port for a port other than 22)' },
        { name: 'user', required: true, help: 'User ID on the SFTP server' },
        { name: 'path', required: true, help: 'path of ITLRecovery.p12 on the SFTP server' },
      ],
      example: ['admin:utils itl reset remotekey sftp.example.com admin /home/admin/ITLRecovery.p12'],
      run: (ctx, a) => remotekey(ctx, a),
    },
  ],
};

export default utilsItl;
