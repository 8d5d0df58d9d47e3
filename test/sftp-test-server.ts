// A small real SFTP server on 127.0.0.1 for transfer tests: password login, files under a root dir.
import { closeSync, fstatSync, openSync, readSync, statSync, writeSync } from 'node:fs';
import { generateKeyPairSync } from 'node:crypto';
import { join, normalize } from 'node:path';
import type { AddressInfo } from 'node:net';
import ssh2 from 'ssh2';
import type { Connection } from 'ssh2';

const { OPEN_MODE, STATUS_CODE } = ssh2.utils.sftp;

export interface SftpTestServer {
  port: number;
  close(): Promise<void>;
}

export function newHostKey(): string {
  return generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
  }).privateKey;
}

export async function startSftpServer(opts: {
  root: string;
  user: string;
  password: string;
  hostKey?: string;
  port?: number;
  /** size reported by STAT, to test a client that must not trust it */
  statSize?: number;
}): Promise<SftpTestServer> {
  const inside = (p: string) => {
    const rel = normalize('/' + p);
    return rel.split('/').includes('..') ? undefined : join(opts.root, rel);
  };
  const clients = new Set<Connection>();
  const srv = new ssh2.Server({ hostKeys: [opts.hostKey ?? newHostKey()] }, (client) => {
    clients.add(client);
    client.on('close', () => clients.delete(client));
    client.on('error', () => {});
    client.on('authentication', (ctx) => {
      if (ctx.method === 'password' && ctx.username === opts.user && ctx.password === opts.password) return ctx.accept();
      ctx.reject(['password']);
    });
    client.on('ready', () => {
      client.on('session', (accept) => {
        accept().on('sftp', (acceptSftp) => {
          const sftp = acceptSftp();
          const fds = new Map<number, number>();
          let next = 0;
          const fdOf = (h: Buffer) => (h.length === 4 ? fds.get(h.readUInt32BE(0)) : undefined);
          const fail = (id: number, e: unknown) =>
            sftp.status(id, (e as NodeJS.ErrnoException).code === 'ENOENT' ? STATUS_CODE.NO_SUCH_FILE : (e as NodeJS.ErrnoException).code === 'EACCES' ? STATUS_CODE.PERMISSION_DENIED : STATUS_CODE.FAILURE);
          const attrs = (st: { mode: number; uid: number; gid: number; size: number; atimeMs: number; mtimeMs: number }) => ({
            mode: st.mode,
            uid: st.uid,
            gid: st.gid,
            size: opts.statSize ?? st.size,
            atime: Math.floor(st.atimeMs / 1000),
            mtime: Math.floor(st.mtimeMs / 1000),
          });
          sftp.on('OPEN', (id, filename, flags) => {
            const p = inside(filename);
            if (!p) return sftp.status(id, STATUS_CODE.PERMISSION_DENIED);
            try {
              const fd = openSync(p, flags & OPEN_MODE.WRITE ? 'w' : 'r');
              const h = Buffer.alloc(4);
              h.writeUInt32BE(++next);
              fds.set(next, fd);
              sftp.handle(id, h);
            } catch (e) {
              fail(id, e);
            }
          });
          sftp.on('WRITE', (id, handle, offset, data) => {
            const fd = fdOf(handle);
            if (fd === undefined) return sftp.status(id, STATUS_CODE.FAILURE);
            writeSync(fd, data, 0, data.length, offset);
            sftp.status(id, STATUS_CODE.OK);
          });
          sftp.on('READ', (id, handle, offset, length) => {
            const fd = fdOf(handle);
            if (fd === undefined) return sftp.status(id, STATUS_CODE.FAILURE);
            const buf = Buffer.alloc(Math.min(length, 32768));
            const n = readSync(fd, buf, 0, buf.length, offset);
            if (n === 0) sftp.status(id, STATUS_CODE.EOF);
            else sftp.data(id, buf.subarray(0, n));
          });
          sftp.on('CLOSE', (id, handle) => {
            const fd = fdOf(handle);
            if (fd !== undefined) closeSync(fd);
            fds.delete(handle.readUInt32BE(0));
            sftp.status(id, STATUS_CODE.OK);
          });
          sftp.on('FSTAT', (id, handle) => {
            const fd = fdOf(handle);
            if (fd === undefined) return sftp.status(id, STATUS_CODE.FAILURE);
            sftp.attrs(id, attrs(fstatSync(fd)));
          });
          sftp.on('FSETSTAT', (id) => sftp.status(id, STATUS_CODE.OK));
          for (const ev of ['STAT', 'LSTAT'] as const) {
            sftp.on(ev, (id: number, path: string) => {
              const p = inside(path);
              if (!p) return sftp.status(id, STATUS_CODE.PERMISSION_DENIED);
              try {
                sftp.attrs(id, attrs(statSync(p)));
              } catch (e) {
                fail(id, e);
              }
            });
          }
        });
      });
    });
  });
  await new Promise<void>((resolve, reject) => {
    srv.once('error', reject);
    srv.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  return {
    port: (srv.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((r) => {
        srv.close(() => r());
        for (const c of clients) c.end();
      }),
  };
}
