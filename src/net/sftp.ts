// `file get` and `utils itl reset remotekey` against a real SFTP server: the node is the SFTP client.
// A host key is confirmed once (yes/no), then remembered in the lab; failures become short messages.
import { createHash } from 'node:crypto';
import { lookup } from 'node:dns/promises';
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { join } from 'node:path';
import ssh2 from 'ssh2';
import type { Client, SFTPWrapper } from 'ssh2';
import { writeFileAtomic } from '../../state/store.js';
import { Cancelled, CommandContext, SftpTarget, TransferClient, TransferError } from '../console/command.js';

/** A download larger than this is refused rather than held in memory. */
export const MAX_DOWNLOAD = 1024 * 1024;

export interface SftpOptions {
  /** connect, log in and transfer must each finish within this time */
  timeoutMs?: number;
  maxDownload?: number;
}

type Host = Pick<SftpTarget, 'host' | 'port'>;

interface KnownHost {
  type: string;
  md5: string;
}

/** The key type and MD5 fingerprint of an SSH public key blob, as `ssh -o FingerprintHash=md5` shows them. */
export function keyFingerprint(blob: Buffer): { type: string; label: string; md5: string } {
  const len = blob.length >= 4 ? blob.readUInt32BE(0) : 0;
  const type = blob.subarray(4, 4 + Math.min(len, 64)).toString('latin1');
  const label =
    type === 'ssh-rsa' ? 'RSA' : type === 'ssh-dss' ? 'DSA' : type.startsWith('ecdsa-') ? 'ECDSA' : type === 'ssh-ed25519' ? 'ED25519' : type.toUpperCase();
  const md5 = createHash('md5').update(blob).digest('hex').replace(/(..)(?!$)/g, '$1:');
  return { type, label, md5 };
}

function knownHostsFile(ctx: CommandContext): string {
  return join(ctx.lab.store.dir, 'ssh', 'known_hosts.json');
}

function loadKnown(ctx: CommandContext): Record<string, KnownHost> {
  try {
    const v = JSON.parse(readFileSync(knownHostsFile(ctx), 'utf8'));
    return v && typeof v === 'object' ? v : {};
  } catch {
    return {};
  }
}

/** Named as OpenSSH's known_hosts does: `host`, or `[host]:port` off port 22. */
function hostId(t: Host): string {
  const h = t.host.toLowerCase();
  return t.port === 22 ? h : `[${h}]:${t.port}`;
}

class HostKeyRefused extends Error {}

function where(t: Host): string {
  return `${t.host} port ${t.port}`;
}

/** Turns what went wrong into the one line the CLI prints before `Executed command unsuccessfully`. */
function describe(e: unknown, t: SftpTarget, path?: string, writing = false): Error {
  // a dialog interrupted with Ctrl-C stays a cancellation, not a transfer failure
  if (e instanceof TransferError || e instanceof Cancelled) return e;
  const err = e as Error & { code?: string | number; level?: string };
  switch (err.code) {
    case 'ECONNREFUSED':
      return new TransferError(`Could not connect to the SFTP server ${where(t)}: Connection refused`);
    case 'ETIMEDOUT':
      return new TransferError(`Could not connect to the SFTP server ${where(t)}: Connection timed out`);
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return new TransferError(`Could not connect to the SFTP server ${where(t)}: No route to host`);
    case 'ECONNRESET':
      return new TransferError(`The SFTP server ${where(t)} closed the connection`);
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new TransferError(`Could not resolve the SFTP server name ${t.host}`);
    case 2: // SFTP NO_SUCH_FILE
      return new TransferError(writing ? `No such directory on the SFTP server: ${dirOf(path)}` : `No such file on the SFTP server: ${path}`);
    case 3: // SFTP PERMISSION_DENIED
      return new TransferError(`Permission denied on the SFTP server: ${path}`);
  }
  if (err.level === 'client-authentication') return new TransferError(`Authentication failed for user ${t.user} on the SFTP server ${t.host}`);
  if (err.level === 'client-timeout' || /timed out/i.test(err.message)) {
    return new TransferError(`Could not connect to the SFTP server ${where(t)}: Connection timed out`);
  }
  return new TransferError(`SFTP transfer failed: ${err.message}`);
}

function dirOf(path = ''): string {
  const i = path.lastIndexOf('/');
  return i > 0 ? path.slice(0, i) : '/';
}

function connect(t: SftpTarget, ip: string, timeoutMs: number, verify: (key: Buffer) => boolean): Promise<Client> {
  const c = new ssh2.Client();
  return new Promise((resolve, reject) => {
    let refused = false;
    c.on('ready', () => resolve(c));
    c.on('error', (e) => reject(refused ? new HostKeyRefused() : e));
    c.on('close', () => reject(new Error('connection closed')));
    // servers that only offer keyboard-interactive ask for the password that way
    c.on('keyboard-interactive', (_name, _instr, _lang, prompts, finish) => finish(prompts.map(() => t.password)));
    c.connect({
      host: ip,
      port: t.port,
      username: t.user,
      password: t.password,
      tryKeyboard: true,
      readyTimeout: timeoutMs,
      hostVerifier: (key: Buffer) => {
        refused = !verify(key);
        return !refused;
      },
    });
  });
}

function withTimeout<T>(p: Promise<T>, ms: number, onTimeout: () => void): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      onTimeout();
      reject(Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' }));
    }, ms);
    p.then(resolve, reject).finally(() => clearTimeout(timer));
  });
}

export function sftpTransfer(opts: SftpOptions = {}): TransferClient {
  const timeoutMs = opts.timeoutMs ?? 20_000;
  const maxDownload = opts.maxDownload ?? MAX_DOWNLOAD;

  async function resolveIp(t: Host): Promise<string> {
    if (isIP(t.host)) return t.host;
    const r = await withTimeout(lookup(t.host), timeoutMs, () => {});
    return r.address;
  }

  /** Asks about a host key never seen before; an accepted key is remembered in the lab. */
  async function confirmHost(t: SftpTarget, ctx: CommandContext): Promise<{ ip: string; known: KnownHost }> {
    const ip = await resolveIp(t);
    const id = hostId(t);
    const known = loadKnown(ctx)[id];
    if (known) return { ip, known };
    // A first connection only to learn the key: it stops before any password is sent.
    let seen: Buffer | undefined;
    try {
      (
        await connect(t, ip, timeoutMs, (k) => {
          seen = k;
          return false;
        })
      ).end();
    } catch (e) {
      if (!seen) throw describe(e, t);
    }
    if (!seen) throw new TransferError(`SFTP transfer failed: no host key from ${t.host}`);
    const fp = keyFingerprint(seen);
    ctx.out(`The authenticity of host '${t.host} (${ip})' can't be established.`, `${fp.label} key fingerprint is ${fp.md5}.`);
    let prompt = 'Are you sure you want to continue connecting (yes/no)? ';
    for (let i = 0; ; i++) {
      const a = (await ctx.ask(prompt)).trim().toLowerCase();
      if (a === 'yes') break;
      if (a === 'no' || i >= 4) throw new TransferError('Host key verification failed.');
      prompt = "Please type 'yes' or 'no': ";
    }
    const entry = { type: fp.type, md5: fp.md5 };
    // read again just before writing: another session may have added a host meanwhile
    writeFileAtomic(knownHostsFile(ctx), JSON.stringify({ ...loadKnown(ctx), [id]: entry }, null, 2) + '\n');
    return { ip, known: entry };
  }

  /** Logs in (confirming the host key if needed), runs the operation on an SFTP channel, disconnects. */
  async function session<T>(t: SftpTarget, ctx: CommandContext, path: string, writing: boolean, op: (sftp: SFTPWrapper) => Promise<T>): Promise<T> {
    let client: Client | undefined;
    try {
      const { ip, known } = await confirmHost(t, ctx);
      client = await connect(t, ip, timeoutMs, (k) => {
        const fp = keyFingerprint(k);
        return fp.type === known.type && fp.md5 === known.md5;
      });
      const c = client;
      const sftp = await withTimeout(
        new Promise<SFTPWrapper>((resolve, reject) => c.sftp((err, s) => (err ? reject(err) : resolve(s)))),
        timeoutMs,
        () => c.end(),
      );
      return await withTimeout(op(sftp), timeoutMs, () => c.end());
    } catch (e) {
      if (e instanceof HostKeyRefused) throw new TransferError(`Host key verification failed: the host key of ${t.host} has changed.`);
      throw describe(e, t, path, writing);
    } finally {
      client?.end();
    }
  }

  return {
    async checkHost(t: Host, ctx: CommandContext) {
      try {
        await confirmHost({ ...t, user: '', password: '' }, ctx);
      } catch (e) {
        throw describe(e, { ...t, user: '', password: '' });
      }
    },

    put(t, remotePath, data, ctx) {
      return session(t, ctx, remotePath, true, (sftp) => new Promise<void>((resolve, reject) => sftp.writeFile(remotePath, data, (err) => (err ? reject(err) : resolve()))));
    },

    get(t, remotePath, ctx) {
      const tooBig = () => new TransferError(`The file ${remotePath} is larger than ${Math.floor(maxDownload / 1024)} KB and was not downloaded`);
      return session(t, ctx, remotePath, false, async (sftp) => {
        const st = await new Promise<{ size: number }>((resolve, reject) => sftp.stat(remotePath, (err, s) => (err ? reject(err) : resolve(s))));
        if (st.size > maxDownload) throw tooBig();
        // the size may be wrong or growing: the read itself stops at the limit too
        return await new Promise<Buffer>((resolve, reject) => {
          const parts: Buffer[] = [];
          let total = 0;
          const rs = sftp.createReadStream(remotePath);
          rs.on('data', (b: Buffer) => {
            total += b.length;
            if (total > maxDownload) {
              rs.destroy();
              reject(tooBig());
            } else parts.push(b);
          });
          rs.on('error', reject);
          rs.on('end', () => resolve(Buffer.concat(parts)));
        });
      });
    },
  };
}

