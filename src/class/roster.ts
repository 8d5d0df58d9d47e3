// A class's trainees: the class file (one trainee a line: name, optional password), names made up
// for --trainees N, random passwords to hand out, and the 0600 sheet they are kept on.
import { randomInt } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_PASSWORD, LAB_ACCOUNT, MIN_PASSWORD, writeSecretFile } from '../../state/cluster/logins.js';
import type { TraineeEntry } from './types.js';

/** A bad class file or roster: reported on one line, never with a stack. */
export class ClassError extends Error {}

/** most trainees one class may have (--max-trainees) */
export const DEFAULT_MAX_TRAINEES = 100;
/** a class file larger than this is refused before it is read: 1 KB per trainee allowed, at least 64 KB */
const classFileLimit = (max: number) => Math.max(64 * 1024, max * 1024);
const MAX_PASSWORD = 128;
/** the sheet of passwords in the class folder */
export const SHEET = 'passwords.txt';

/** A trainee's name is their OS administrator account: a letter, then [a-z0-9_-], at most 32. */
export function nameProblem(name: string): string | undefined {
  if (name.length === 0 || name.length > 32) return 'a name has 1 to 32 characters';
  const first = name.charCodeAt(0);
  if (!(first >= 97 && first <= 122)) return 'a name starts with a letter (a-z)';
  for (const c of name) if (!/[a-z0-9_-]/.test(c)) return 'a name has only a-z, 0-9, _ and -';
  if (name === LAB_ACCOUNT) return `'${LAB_ACCOUNT}' is the instructor's account`;
  return undefined;
}

/** A name from a file as an error message may show it: controls as \\uXXXX, never sent to a terminal raw. */
function shown(name: string): string {
  // eslint-disable-next-line no-control-regex
  return name.slice(0, 40).replace(/[\x00-\x1f\x7f-\x9f\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function passwordProblem(pw: string): string | undefined {
  if (pw.length < MIN_PASSWORD) return `a password has at least ${MIN_PASSWORD} characters`;
  if (pw.length > MAX_PASSWORD) return `a password has at most ${MAX_PASSWORD} characters`;
  if (pw === DEFAULT_PASSWORD) return `'${DEFAULT_PASSWORD}' is the default password everyone knows`;
  // printed on the sheet and the start-up table, and typed by trainees: printable ASCII only
  for (const c of pw) if (c.charCodeAt(0) < 0x21 || c.charCodeAt(0) > 0x7e) return 'a password has only printable ASCII characters, no spaces';
  return undefined;
}

// no 0/O, 1/l/I: passwords are read off a printed sheet
const ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789';

export function randomPassword(length = 10): string {
  let s = '';
  for (let i = 0; i < length; i++) s += ALPHABET[randomInt(ALPHABET.length)];
  return s;
}

function checkCount(n: number, max: number, where: string): void {
  if (n === 0) throw new ClassError(`${where}: no trainees`);
  if (n > max) throw new ClassError(`${where}: ${n} trainees, more than --max-trainees ${max}`);
}

/** Reads a class file: `name [password]` per line; blank lines and `#` comments are skipped. */
export function readClassFile(path: string, max = DEFAULT_MAX_TRAINEES): TraineeEntry[] {
  let text: string;
  try {
    const limit = classFileLimit(max);
    if (statSync(path).size > limit) throw new ClassError(`${path}: larger than ${limit} bytes (1 KB per --max-trainees)`);
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if (e instanceof ClassError) throw e;
    throw new ClassError(`cannot read the class file ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  return parseClassFile(text, path, max);
}

export function parseClassFile(text: string, where: string, max = DEFAULT_MAX_TRAINEES): TraineeEntry[] {
  const out: TraineeEntry[] = [];
  const seen = new Set<string>();
  text.split('\n').forEach((raw, i) => {
    const line = raw.replace(/\r$/, '').trim();
    if (!line || line.startsWith('#')) return;
    const words = line.split(/[ \t]+/);
    const at = `${where}:${i + 1}`;
    if (words.length > 2) throw new ClassError(`${at}: a line is a name and, optionally, a password`);
    const [name, password] = words;
    const bad = nameProblem(name);
    if (bad) throw new ClassError(`${at}: invalid name '${shown(name)}': ${bad}`);
    if (seen.has(name)) throw new ClassError(`${at}: '${name}' is listed twice`);
    seen.add(name);
    if (password !== undefined) {
      const weak = passwordProblem(password);
      if (weak) throw new ClassError(`${at}: the password of '${name}': ${weak}`);
    }
    out.push({ name, password: password ?? randomPassword() });
    if (out.length > max) checkCount(out.length, max, where);
  });
  checkCount(out.length, max, where);
  return out;
}

/** t01..tNN (three digits from 100 on), each with a random password. */
export function generatedRoster(n: number, max = DEFAULT_MAX_TRAINEES): TraineeEntry[] {
  checkCount(n, max, '--trainees');
  const width = Math.max(2, String(n).length);
  return Array.from({ length: n }, (_, i) => ({ name: `t${String(i + 1).padStart(width, '0')}`, password: randomPassword() }));
}

/** The sheet: one trainee a line, as the table printed once at the first start. */
export function sheetLines(entries: TraineeEntry[]): string[] {
  const w = Math.max(7, ...entries.map((e) => e.name.length));
  return [`${'trainee'.padEnd(w)}  password`, ...entries.map((e) => `${e.name.padEnd(w)}  ${e.password}`)];
}

export function writeSheet(dir: string, entries: TraineeEntry[]): string {
  const path = join(dir, SHEET);
  writeSecretFile(path, sheetLines(entries).join('\n') + '\n');
  return path;
}

/** The sheet as written (name, password), or undefined when there is none. */
export function readSheet(dir: string): TraineeEntry[] | undefined {
  const path = join(dir, SHEET);
  if (!existsSync(path)) return undefined;
  const lines = readFileSync(path, 'utf8').split('\n').slice(1);
  return lines.filter((l) => l.trim()).map((l) => {
    const [name, password] = l.trim().split(/ +/);
    return { name, password };
  });
}
