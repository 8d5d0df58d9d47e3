// Transfers for `file get` and `utils itl reset remotekey`. The local implementation stands in for an
// SFTP server with a directory per host under the lab, so procedures can be practised offline.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { SftpTarget, TransferClient, TransferError } from '../console/command.js';

function safeJoin(root: string, host: string, remotePath: string): string {
  // '.' and '..' (or empty) as a host name would step out of the folder
  const h = host.replace(/[^a-zA-Z0-9.-]/g, '_').replace(/^\.*$/, (m) => '_'.repeat(m.length || 1));
  const p = normalize('/' + remotePath).replace(/^\/+/, '');
  if (p.split(/[\\/]/).includes('..')) throw new TransferError('Invalid path');
  return join(root, h, p);
}

/** Files land in (and are read from) `<root>/<host>/<path>`; root defaults to the lab's sftp folder. */
export function localTransfer(root?: string): TransferClient {
  return {
    async put(target: SftpTarget, remotePath: string, data: Buffer, ctx) {
      const base = root ?? join(ctx.lab.store.dir, 'sftp');
      const dest = safeJoin(base, target.host, remotePath);
      mkdirSync(dirname(dest), { recursive: true });
      writeFileSync(dest, data);
    },
    async get(target: SftpTarget, remotePath: string, ctx) {
      const base = root ?? join(ctx.lab.store.dir, 'sftp');
      try {
        return readFileSync(safeJoin(base, target.host, remotePath));
      } catch {
        throw new TransferError(`No such file: ${remotePath}`);
      }
    },
  };
}

/**
 * The transfer sessions use unless told otherwise: real SFTP (loaded on first use, so sessions
 * that never transfer do not pay for ssh2), or the lab folder for the host `local` or when
 * CUCM_SIM_SFTP=local.
 */
export function defaultTransfer(): TransferClient {
  let sftp: Promise<TransferClient> | undefined;
  const local = localTransfer();
  const pick = (host: string): Promise<TransferClient> =>
    process.env.CUCM_SIM_SFTP === 'local' || host === 'local' ? Promise.resolve(local) : (sftp ??= import('./sftp.js').then((m) => m.sftpTransfer()));
  return {
    put: async (t, p, d, ctx) => (await pick(t.host)).put(t, p, d, ctx),
    get: async (t, p, ctx) => (await pick(t.host)).get(t, p, ctx),
    checkHost: async (t, ctx) => (await pick(t.host)).checkHost?.(t, ctx),
  };
}
