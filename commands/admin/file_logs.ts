// file list activelog|install <spec> [options], file view activelog|install <file>: the node's log
// files (state/ops/logs.ts), directories and `*`/`?` wildcards as the CLI takes them.
import type { CommandContext, CommandModule, CompletionContext } from '../../src/console/command.js';
import { globMatch } from '../../state/glob.js';
import { logFiles, type LogArea, type LogFile } from '../../state/ops/logs.js';
import { fileListDate, withThousands } from '../format.js';

export const NO_SUCH_FILE = 'no such file or directory can be found';
const LIST_OPTIONS = ['page', 'detail', 'reverse', 'date', 'size'];

interface Entry {
  name: string;
  dir: boolean;
  mtime: number;
  size: number;
  file?: LogFile;
}

/** Why a spec is refused, or undefined. Paths stay inside the area; wildcards are `*` and `?`. */
function badLogSpec(spec: string): string | undefined {
  if (spec.length > 255) return 'File specification is too long.';
  if (/[\x00-\x1f\x7f"'`$;&|<>\\]/.test(spec) || /[^\x20-\x7e]/.test(spec)) return 'Invalid characters in file specification.';
  if (spec.startsWith('/') || spec.split('/').some((p) => p === '..' || p === '.')) return 'Invalid file specification: paths outside the directory are not allowed.';
  return undefined;
}

/** The entries directly inside a directory ('' is the top). */
function children(files: LogFile[], dir: string): Entry[] {
  const prefix = dir ? dir + '/' : '';
  const dirs = new Map<string, number>();
  const out: Entry[] = [];
  for (const f of files) {
    if (!f.path.startsWith(prefix)) continue;
    const rest = f.path.slice(prefix.length);
    const slash = rest.indexOf('/');
    if (slash < 0) out.push({ name: rest, dir: false, mtime: f.mtime, size: f.size, file: f });
    else {
      const d = rest.slice(0, slash);
      dirs.set(d, Math.max(dirs.get(d) ?? 0, f.mtime));
    }
  }
  for (const [name, mtime] of dirs) out.push({ name, dir: true, mtime, size: 0 });
  return out;
}

function isDir(files: LogFile[], path: string): boolean {
  return path === '' || files.some((f) => f.path.startsWith(path + '/'));
}

/** The one directory a wildcarded path names, or undefined when it names none or several. */
function resolveDir(files: LogFile[], parts: string[]): string | undefined {
  let dirs = [''];
  for (const p of parts) {
    const next: string[] = [];
    for (const d of dirs) for (const e of children(files, d)) if (e.dir && globMatch(p, e.name)) next.push(d ? `${d}/${e.name}` : e.name);
    dirs = next;
  }
  return dirs.length === 1 ? dirs[0] : undefined;
}

/** What a spec lists: a directory's contents, or the matching entries of one directory. */
function resolve(files: LogFile[], spec: string): Entry[] {
  const parts = spec.split('/').filter((p) => p !== '');
  const whole = resolveDir(files, parts);
  if (whole !== undefined && (parts.length === 0 || !/[*?]/.test(parts[parts.length - 1]))) return children(files, whole);
  const dir = resolveDir(files, parts.slice(0, -1));
  if (dir === undefined) return [];
  const last = parts[parts.length - 1];
  return children(files, dir).filter((e) => globMatch(last, e.name));
}

function specValues(area: LogArea) {
  return (c: CompletionContext): string[] => {
    if (!c.node) return [];
    const files = logFiles(c.lab, c.node, area);
    const dirs = new Set<string>();
    for (const f of files) {
      const parts = f.path.split('/');
      for (let i = 1; i < parts.length; i++) dirs.add(parts.slice(0, i).join('/'));
    }
    return [...dirs, ...files.map((f) => f.path)].sort();
  };
}

function list(ctx: CommandContext, area: LogArea, spec: string, optText: string | undefined): number {
  const opts = (optText ?? '').split(/\s+/).filter(Boolean);
  for (const o of opts) if (!LIST_OPTIONS.includes(o)) return ctx.fail(`Invalid option: ${o}`);
  const bad = badLogSpec(spec);
  if (bad) return ctx.fail(bad);
  const entries = resolve(logFiles(ctx.lab, ctx.node, area), spec);
  if (entries.length === 0) return ctx.fail(NO_SUCH_FILE);
  // directories first, then files, each by name (the help example's order)
  const byName = (a: Entry, b: Entry) => (a.dir === b.dir ? (a.name < b.name ? -1 : a.name > b.name ? 1 : 0) : a.dir ? -1 : 1);
  entries.sort(byName);
  if (opts.includes('date')) entries.sort((a, b) => a.mtime - b.mtime || byName(a, b));
  else if (opts.includes('size')) entries.sort((a, b) => a.size - b.size || byName(a, b));
  if (opts.includes('reverse')) entries.reverse();
  const tz = ctx.lab.state.timezone;
  for (const e of entries) {
    if (!opts.includes('detail')) ctx.out(e.name);
    else ctx.out(`${fileListDate(e.mtime, tz)}${e.dir ? '      <dir>    ' : withThousands(e.size).padStart(13) + '  '}${e.name}`);
  }
  const dirs = entries.filter((e) => e.dir).length;
  ctx.out(`dir count = ${dirs}, file count = ${entries.length - dirs}`);
  return 0;
}

function view(ctx: CommandContext, area: LogArea, spec: string): number {
  const bad = badLogSpec(spec);
  if (bad) return ctx.fail(bad);
  const files = resolve(logFiles(ctx.lab, ctx.node, area), spec).filter((e) => !e.dir);
  if (files.length !== 1 || isDir(logFiles(ctx.lab, ctx.node, area), spec.replace(/\/+$/, ''))) return ctx.fail(NO_SUCH_FILE);
  const text = files[0].file!.text();
  if (text === undefined) return ctx.fail(`${spec} is a binary file and cannot be viewed; copy it with file get tftp.`);
  ctx.write(text);
  return 0;
}

const AREA_HELP: Record<LogArea, { list: string; view: string; example: string }> = {
  activelog: { list: 'This will list active logging files', view: 'This command displays the contents of an active log file.', example: 'platform/log/certMgr.log' },
  install: { list: 'This will list installation log files', view: 'This command displays the contents of an installation log file.', example: 'system-history.log' },
};

const fileLogs: CommandModule = {
  menus: [{ path: ['file', 'view'], summary: 'View files' }],
  commands: (['activelog', 'install'] as LogArea[]).flatMap((area) => [
    {
      path: ['file', 'list', area],
      summary: AREA_HELP[area].list,
      params: [
        { name: 'file-spec', required: true, help: 'file to view', values: specValues(area) },
        { name: 'options', required: false, help: 'page|detail|reverse|[date|size]', rest: true },
      ],
      example: [area === 'activelog' ? 'admin:file list activelog platform/log detail' : 'admin:file list install * detail'],
      run: (ctx: CommandContext, a: Record<string, string>) => list(ctx, area, a['file-spec'], a.options),
    },
    {
      path: ['file', 'view', area],
      summary: AREA_HELP[area].view,
      params: [{ name: 'file-spec', required: true, help: 'file to view', values: specValues(area) }],
      example: [`admin:file view ${area} ${AREA_HELP[area].example}`],
      run: (ctx: CommandContext, a: Record<string, string>) => view(ctx, area, a['file-spec']),
    },
  ]),
};

export default fileLogs;
