// Finding and reading exercise data files: scripts/exercises/ of the package (or a folder given with
// --exercise-dir or CUCM_SIM_EXERCISES), one YAML file per exercise.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import YAML from 'yaml';
import { projectRoot } from '../paths.js';
import { ExerciseError, type ExerciseDef } from './model.js';
import { validateExercise } from './schema.js';

const MAX_FILE = 1024 * 1024;

/** The folder exercises are read from. */
export function exerciseDir(explicit?: string): string {
  if (explicit) return resolve(explicit);
  if (process.env.CUCM_SIM_EXERCISES) return resolve(process.env.CUCM_SIM_EXERCISES);
  return join(projectRoot(), 'scripts', 'exercises');
}

/** Reads and validates one data file; throws ExerciseError naming the file (and field). */
export function loadExerciseFile(file: string): ExerciseDef {
  let text: string;
  try {
    if (statSync(file).size > MAX_FILE) throw new ExerciseError(`${file}: too large for an exercise (at most ${MAX_FILE} bytes)`);
    text = readFileSync(file, 'utf8');
  } catch (e) {
    if (e instanceof ExerciseError) throw e;
    throw new ExerciseError(`${file}: cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  const doc = YAML.parseDocument(text, { uniqueKeys: true });
  if (doc.errors.length) {
    const e = doc.errors[0];
    const line = e.linePos?.[0]?.line;
    const msg = e.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
    throw new ExerciseError(`${file}${line ? `:${line}` : ''}: not valid YAML: ${msg}`);
  }
  let raw: unknown;
  try {
    raw = doc.toJS({ maxAliasCount: 100 });
  } catch (e) {
    throw new ExerciseError(`${file}: not valid YAML: ${(e as Error).message.split('\n')[0]}`);
  }
  return validateExercise(raw, file);
}

/** The data files of a folder, sorted by name. */
export function exerciseFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => /\.ya?ml$/i.test(f))
    .sort()
    .map((f) => join(dir, f));
}

/** Every exercise of a folder; files that do not validate are reported, not thrown. */
export function listExercises(dir: string): { exercises: ExerciseDef[]; errors: string[] } {
  const exercises: ExerciseDef[] = [];
  const errors: string[] = [];
  for (const f of exerciseFiles(dir)) {
    try {
      exercises.push(loadExerciseFile(f));
    } catch (e) {
      if (!(e instanceof ExerciseError)) throw e;
      errors.push(e.message);
    }
  }
  return { exercises, errors };
}

/**
 * An exercise by id (looked up in each folder in turn) or by the path of its file. The error lists
 * the ids available, so a typo is easy to see.
 */
export function findExercise(idOrPath: string, dirs: string[]): ExerciseDef {
  if (/[\\/]/.test(idOrPath) || /\.ya?ml$/i.test(idOrPath)) {
    if (!existsSync(idOrPath)) throw new ExerciseError(`no exercise file '${idOrPath}'`);
    return loadExerciseFile(idOrPath);
  }
  for (const dir of dirs) {
    for (const ext of ['.yaml', '.yml']) {
      const f = join(dir, idOrPath + ext);
      if (existsSync(f)) return loadExerciseFile(f);
    }
  }
  const ids = dirs.flatMap((d) => exerciseFiles(d).map((f) => f.replace(/^.*[\\/]/, '').replace(/\.ya?ml$/i, '')));
  throw new ExerciseError(`no exercise '${idOrPath}' (${ids.length ? `available: ${[...new Set(ids)].join(', ')}` : `none in ${dirs.join(', ')}`})`);
}
