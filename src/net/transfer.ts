// Transfers for `file get` and `utils itl reset remotekey`. The local implementation stands in for an
// SFTP server with a directory per host under the lab, so procedures can be practised offline.
import { readFileSync } from 'node:fs';
import { join, normalize, resolve } from 'node:path';
import { writeFileAtomic } from '../../state/store.js';
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
      // inside the lab folder, private as the rest of it (0600 even over an existing file)
      writeFileAtomic(dest, data);
      return resolve(dest);
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

/** An SFTP server a served session may reach: any port of the host when `port` is not given. */
export interface SftpAllow {
  host: string;
  port?: number;
}

/** `HOST`, `HOST:PORT`, `[v6]:PORT` or a bare IPv6 address; throws on a bad port or empty host. */
export function parseSftpAllow(list: readonly string[]): SftpAllow[] {
  return list.map((raw) => {
    const t = raw.trim();
    let host = t;
    let portText: string | undefined;
    if (t.startsWith('[')) {
      const close = t.indexOf(']');
      host = close > 0 ? t.slice(1, close) : '';
      const rest = close > 0 ? t.slice(close + 1) : '';
      if (rest) {
        if (!rest.startsWith(':')) host = '';
        portText = rest.slice(1);
      }
    } else if (t.includes(':') && t.indexOf(':') === t.lastIndexOf(':')) {
      host = t.slice(0, t.indexOf(':'));
      portText = t.slice(t.indexOf(':') + 1);
    }
    if (!host) throw new Error(`--sftp-allow: no host in '${raw}'`);
    if (portText === undefined) return { host: host.toLowerCase() };
    const port = Number(portText);
    if (!/^\d{1,5}$/.test(portText) || port < 1 || port > 65535) throw new Error(`--sftp-allow: bad port in '${raw}'`);
    return { host: host.toLowerCase(), port };
  });
}

function allowed(list: readonly SftpAllow[], t: Pick<SftpTarget, 'host' | 'port'>): boolean {
  const h = t.host.toLowerCase();
  return list.some((a) => a.host === h && (a.port === undefined || a.port === t.port));
}

/**
 * For served sessions: the built-in target `local` and the listed SFTP servers only. Anything else
 * fails as an unreachable server does, before any connection or name lookup is made.
 */
export function confinedTransfer(allow: readonly SftpAllow[], inner: TransferClient = defaultTransfer()): TransferClient {
  const check = (t: SftpTarget | Pick<SftpTarget, 'host' | 'port'>) => {
    if (t.host === 'local' || allowed(allow, t)) return;
    throw new TransferError(`Could not connect to the SFTP server ${t.host} port ${t.port}: Connection refused`);
  };
  return {
    put: async (t, p, d, ctx) => (check(t), inner.put(t, p, d, ctx)),
    get: async (t, p, ctx) => (check(t), inner.get(t, p, ctx)),
    checkHost: async (t, ctx) => (check(t), inner.checkHost?.(t, ctx)),
  };
}
