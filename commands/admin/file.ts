// file list|get|delete tftp ..., file delete activelog cm/tftpdata/...
import type { CommandContext, CommandModule, SftpTarget } from '../../src/console/command.js';
import { Cancelled, TransferError } from '../../src/console/command.js';
import { fileListDate, withThousands } from '../format.js';
import { globFilter } from '../../state/glob.js';

/** Why a file spec is refused, or undefined when it stays inside the directory. */
export function badSpec(spec: string): string | undefined {
  if (spec.length > 255) return 'File specification is too long.';
  // control characters, quotes and shell metacharacters never name a TFTP file
  if (/[\x00-\x1f\x7f"'`$;&|<>\\]/.test(spec) || /[^\x20-\x7e]/.test(spec)) return 'Invalid characters in file specification.';
  if (spec.startsWith('/') || spec.split('/').some((p) => p === '..' || p === '.')) return 'Invalid file specification: paths outside the directory are not allowed.';
  if (spec.includes('/')) return 'Invalid file specification: sub-directories are not allowed here.';
  return undefined;
}

/** Names matching a file spec (`*`, `?`): no regex is built from it, so no spec can make it slow. */
export function matchFiles(names: string[], spec: string): string[] {
  return globFilter(names, spec);
}

/** Java's Float.toString for the size in kilobytes (`1.6689453`, `2639.3828`). */
export function javaFloat(x: number): string {
  const f = Math.fround(x);
  if (Number.isInteger(f)) return `${f}.0`;
  for (let p = 1; p <= 9; p++) {
    const s = f.toPrecision(p);
    if (Math.fround(parseFloat(s)) === f) return String(parseFloat(s));
  }
  return String(f);
}

const OPTIONS = ['page', 'detail', 'reverse', 'date', 'size'];

function resolveTftpSpec(ctx: CommandContext, spec: string): { files: string[]; error?: string } {
  const bad = badSpec(spec);
  if (bad) return { files: [], error: bad };
  return { files: matchFiles(ctx.lab.listTftp(ctx.node), spec) };
}

async function fileList(ctx: CommandContext, spec: string, optText: string | undefined) {
  const opts = (optText ?? '').split(/\s+/).filter(Boolean);
  for (const o of opts) if (!OPTIONS.includes(o)) return ctx.fail(`Invalid option: ${o}`);
  const { files, error } = resolveTftpSpec(ctx, spec);
  if (error) return ctx.fail(error);
  if (files.length === 0) return ctx.fail('no such file or directory can be found');
  const info = files.map((name) => {
    const data = ctx.lab.readTftp(ctx.node, name);
    return { name, size: data?.length ?? 0, mtime: ctx.lab.tftpMtime(ctx.node, name) ?? ctx.lab.nowMs() };
  });
  if (opts.includes('date')) info.sort((a, b) => a.mtime - b.mtime);
  else if (opts.includes('size')) info.sort((a, b) => a.size - b.size);
  if (opts.includes('reverse')) info.reverse();
  const tz = ctx.lab.state.timezone;
  if (opts.includes('detail')) {
    for (const f of info) ctx.out(`${fileListDate(f.mtime, tz)}${withThousands(f.size).padStart(13)}  ${f.name}`);
  } else {
    for (const f of info) ctx.out(f.name);
  }
  ctx.out(`dir count = 0, file count = ${info.length}`);
}

async function fileGet(ctx: CommandContext, spec: string) {
  const { files, error } = resolveTftpSpec(ctx, spec);
  ctx.out('Please wait while the system is gathering files info ...done.');
  if (error) return ctx.fail(error);
  if (files.length === 0) return ctx.fail('No files matched filter criteria.');
  const datas = files.map((f) => ({ name: f, data: ctx.lab.readTftp(ctx.node, f) ?? Buffer.alloc(0) }));
  const total = datas.reduce((s, d) => s + d.data.length, 0);
  ctx.out('Sub-directories were not traversed.', `Number of files affected: ${files.length}`, `Total size in Bytes: ${total}`, `Total size in Kbytes: ${javaFloat(total / 1024)}`);
  const go = (await ctx.ask('Would you like to proceed [y/n]? ')).trim().toLowerCase();
  if (go !== 'y' && go !== 'yes') return 0;
  const target = await askSftpTarget(ctx);
  const dir = (await ctx.ask('Download directory: ')).trim() || '/';
  const written: string[] = [];
  ctx.out('');
  try {
    // as seed 001 shows: the host key is confirmed once the download directory is known
    await ctx.transfer.checkHost?.(target, ctx);
    for (const d of datas) {
      const at = await ctx.transfer.put(target, `${dir.replace(/\/+$/, '')}/${d.name}`, d.data, ctx);
      if (typeof at === 'string' && target.host === 'local') written.push(at);
    }
  } catch (e) {
    if (e instanceof Cancelled) throw e;
    return ctx.fail(e instanceof TransferError ? e.message : `Transfer failed: ${(e as Error).message}`);
  }
  ctx.out('Transfer completed.');
  for (const d of datas) ctx.out('', `Downloading file: /usr/local/cm/tftp/${d.name}`);
  // the host 'local' is no real server: say where on this machine the files are
  if (written.length) ctx.out('', ...written.map((p) => `(local) written to ${p}`));
}

/** The SFTP server questions shared by file get and remote key fetches. */
export async function askSftpTarget(ctx: CommandContext): Promise<SftpTarget> {
  let host = '';
  while (!host) host = (await ctx.ask('SFTP server IP: ')).trim();
  const portText = (await ctx.ask('SFTP server port [22]: ')).trim();
  const port = portText ? Number(portText) : 22;
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new TransferError(`Invalid port: ${portText}`);
  const user = (await ctx.ask('User ID: ')).trim();
  const password = await ctx.ask('Password: ', { password: true });
  return { host, port, user, password };
}

async function fileDelete(ctx: CommandContext, spec: string, optText: string | undefined) {
  const opts = (optText ?? '').split(/\s+/).filter(Boolean);
  for (const o of opts) if (o !== 'detail' && o !== 'noconfirm') return ctx.fail(`Invalid option: ${o}`);
  const { files, error } = resolveTftpSpec(ctx, spec);
  if (error) return ctx.fail(error);
  if (files.length === 0) return ctx.fail('no such file or directory can be found');
  // ask first, then change the lab in one step, so a cancelled dialog deletes nothing
  const chosen: string[] = [];
  for (const f of files) {
    if (opts.includes('noconfirm')) {
      chosen.push(f);
      continue;
    }
    ctx.out(`Delete the File ${f}?`);
    const a = (await ctx.ask('Enter "y" followed by return to continue: ')).trim().toLowerCase();
    if (a === 'y') chosen.push(f);
  }
  await ctx.mutate(() => {
    for (const f of chosen) ctx.lab.stageTftp(ctx.node, f, null);
  });
  if (opts.includes('detail')) for (const f of chosen) ctx.out(`deleting file : ${f}`);
  ctx.out(`files: found = ${files.length}, deleted = ${chosen.length}`);
}

const TFTPDATA = 'cm/tftpdata/';

const file: CommandModule = {
  menus: [
    { path: ['file'], summary: 'File commands' },
    { path: ['file', 'list'], summary: 'List files' },
    { path: ['file', 'get'], summary: 'Send files to an SFTP server' },
    { path: ['file', 'delete'], summary: 'Delete files' },
  ],
  commands: [
    {
      path: ['file', 'list', 'tftp'],
      summary: 'This command lists TFTP files.',
      params: [
        { name: 'file-spec', required: true, help: 'file to view', values: (c) => c.lab.listTftp(c.node) },
        { name: 'options', required: false, help: 'page|detail|reverse|[date|size]', rest: true },
      ],
      example: ['admin:file list tftp * detail'],
      run: (ctx, a) => fileList(ctx, a['file-spec'], a.options),
    },
    {
      path: ['file', 'get', 'tftp'],
      summary: 'This command sends TFTP files to another system by using SFTP.',
      params: [{ name: 'file-spec', required: true, help: 'file to transfer', values: (c) => c.lab.listTftp(c.node) }],
      example: ['admin:file get tftp ITLRecovery.p12'],
      run: (ctx, a) => fileGet(ctx, a['file-spec']),
    },
    {
      path: ['file', 'delete', 'tftp'],
      summary: 'This command deletes TFTP files. You get prompted for confirmation after you enter the command.',
      params: [
        { name: 'file-spec', required: true, help: 'file to delete', values: (c) => c.lab.listTftp(c.node) },
        { name: 'options', required: false, help: 'detail|noconfirm', rest: true },
      ],
      example: ['admin:file delete tftp CTLFile.tlv'],
      run: (ctx, a) => fileDelete(ctx, a['file-spec'], a.options),
    },
    {
      path: ['file', 'delete', 'activelog'],
      summary: 'This command deletes active log files.',
      params: [
        { name: 'file-spec', required: true, help: 'file to delete (cm/tftpdata/<file> for TFTP files)', values: (c) => c.lab.listTftp(c.node).map((f) => TFTPDATA + f) },
        { name: 'options', required: false, help: 'detail|noconfirm', rest: true },
      ],
      run(ctx, a) {
        const spec = a['file-spec'];
        if (!spec.startsWith(TFTPDATA)) {
          const bad = badSpec(spec.replace(/\//g, '_'));
          if (bad || spec.includes('..')) return ctx.fail('Invalid file specification: paths outside the directory are not allowed.');
          return ctx.fail('no such file or directory can be found');
        }
        return fileDelete(ctx, spec.slice(TFTPDATA.length), a.options);
      },
    },
  ],
};

export default file;
