// Archiving a class folder and restoring it: every file of the folder in one gzip-compressed JSON
// bundle (path, base64 content), since no tar library is among the dependencies. Restoring writes
// only regular files under the target folder, 0600, in folders 0700.
import { existsSync, lstatSync, readdirSync, readFileSync } from 'node:fs';
import { gunzipSync, gzipSync } from 'node:zlib';
import { join, relative, sep } from 'node:path';
import { Lab } from '../../state/cluster/lab.js';
import { ensurePrivateDir, writeFileAtomic } from '../../state/store.js';
import { writeSecretFile } from '../../state/cluster/logins.js';
import { CLASS_FILE } from './classroom.js';
import { ClassError } from './roster.js';

export const BUNDLE_FORMAT = 'cucm-sim-class-bundle';
/** bytes a restored bundle may expand to (--max-restore-bytes) */
export const DEFAULT_MAX_RESTORE = 1024 * 1024 * 1024;

interface Bundle {
  format: typeof BUNDLE_FORMAT;
  version: 1;
  createdAt: string;
  files: Array<{ path: string; data: string }>;
}

/** Left out: a lab's lock (it names this machine's process) and temporary files of a write. */
function skipped(name: string): boolean {
  return name === 'lock.json' || name.includes('.tmp-');
}

function walk(dir: string, root: string, out: Bundle['files']): void {
  for (const e of readdirSync(dir).sort()) {
    const p = join(dir, e);
    const st = lstatSync(p);
    if (st.isDirectory()) walk(p, root, out);
    else if (st.isFile() && !skipped(e)) out.push({ path: relative(root, p).split(sep).join('/'), data: readFileSync(p).toString('base64') });
  }
}

/** Writes the class folder to one file; refused while the class is served (its labs are locked). */
export function archiveClass(dir: string, file: string): number {
  if (!existsSync(join(dir, CLASS_FILE))) throw new ClassError(`${dir} is no class folder (it has no ${CLASS_FILE})`);
  // each lab is opened (and so locked, and any interrupted change finished) while it is read
  const labsDir = join(dir, 'labs');
  const labs = existsSync(labsDir) ? readdirSync(labsDir).filter((n) => Lab.exists(join(labsDir, n))) : [];
  const open: Lab[] = [];
  try {
    for (const n of labs) open.push(Lab.open(join(labsDir, n), 'cucm-sim class archive'));
    const bundle: Bundle = { format: BUNDLE_FORMAT, version: 1, createdAt: new Date().toISOString(), files: [] };
    walk(dir, dir, bundle.files);
    writeSecretFile(file, gzipSync(JSON.stringify(bundle)));
    return bundle.files.length;
  } finally {
    for (const l of open) l.close();
  }
}

/** A path from a bundle, checked: relative, no `..`, no empty or odd parts. */
function safePath(p: unknown): string {
  if (typeof p !== 'string' || !p || p.length > 1024) throw new ClassError('the bundle names a file badly');
  const parts = p.split('/');
  for (const part of parts) {
    if (!part || part === '.' || part === '..' || part.includes('\\') || part.includes('\0')) throw new ClassError(`the bundle names a file outside the class folder: ${JSON.stringify(p.slice(0, 80))}`);
  }
  return parts.join(sep);
}

/** Restores a bundle into a new (or empty) folder; the number of files. */
export function restoreClass(file: string, dir: string, maxBytes = DEFAULT_MAX_RESTORE): number {
  if (existsSync(dir) && readdirSync(dir).length) throw new ClassError(`${dir} is not empty: restore into a new folder`);
  let bundle: Bundle;
  try {
    const raw = gunzipSync(readFileSync(file), { maxOutputLength: maxBytes });
    bundle = JSON.parse(raw.toString('utf8')) as Bundle;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ERR_BUFFER_TOO_LARGE') throw new ClassError(`${file} expands to more than --max-restore-bytes ${maxBytes}`);
    throw new ClassError(`${file} is no class archive (${code ?? (e as Error).message.split('\n')[0]})`);
  }
  if (bundle?.format !== BUNDLE_FORMAT || !Array.isArray(bundle.files)) throw new ClassError(`${file} is no class archive made by 'cucm-sim class archive'`);
  const paths = bundle.files.map((f) => safePath(f.path));
  if (!paths.includes(CLASS_FILE)) throw new ClassError(`${file} holds no ${CLASS_FILE}`);
  ensurePrivateDir(dir);
  bundle.files.forEach((f, i) => {
    if (typeof f.data !== 'string') throw new ClassError('the bundle holds a file without content');
    const target = join(dir, paths[i]);
    ensurePrivateDir(join(target, '..'));
    writeFileAtomic(target, Buffer.from(f.data, 'base64'));
  });
  return bundle.files.length;
}
