// Validation of an exercise data file, by hand: every error names the file and the field, and unknown
// fields are refused so a misspelt key never passes silently. The format is scripts/exercises/README.md.
import { basename, extname } from 'node:path';
import { normalizeTopology, TopologyError } from '../cluster/topology.js';
import type { ParamType } from './check-util.js';
import { KINDS } from './checks.js';
import { ExerciseError, type CheckSpec, type ExerciseDef, type SetupStep } from './model.js';

export const DEFAULT_EXERCISE_SEED = 1;
export const DEFAULT_EXERCISE_CLOCK = '2025-01-06T09:00:00Z';

const ID_RE = /^[a-z0-9][a-z0-9-]{0,63}$/;
const VERSION_RE = /^\d+\.\d+\.\d+\.\d+-\d+$/;
const NODE_RE = /^[A-Za-z][A-Za-z0-9-]{0,62}$/;
const TOP = ['id', 'title', 'version', 'minutes', 'briefing', 'topology', 'seed', 'clock', 'node', 'setup', 'goals', 'constraints'];

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);

class Reader {
  constructor(readonly file: string) {}
  fail(field: string, msg: string): never {
    throw new ExerciseError(`${this.file}: ${field}: ${msg}`);
  }
  text(o: Obj, key: string, field: string, opts: { required?: boolean; oneLine?: boolean } = {}): string | undefined {
    const v = o[key];
    if (v === undefined || v === null) return opts.required ? this.fail(field, 'is required') : undefined;
    if (typeof v !== 'string' && typeof v !== 'number') this.fail(field, 'must be text');
    const t = String(v).trim();
    if (!t && opts.required) this.fail(field, 'must not be empty');
    if (opts.oneLine && t.includes('\n')) this.fail(field, 'must be one line');
    if (/[\x00-\x08\x0b-\x1f\x7f]/.test(t)) this.fail(field, 'holds control characters');
    return t;
  }
  known(o: Obj, keys: string[], field: string): void {
    for (const k of Object.keys(o)) if (!keys.includes(k)) this.fail(field ? `${field}.${k}` : k, `unknown field (known: ${keys.join(', ')})`);
  }
}

/** `lab> CMD`, `admin: CMD`, `admin@NODE: CMD`, or the words of a mapping key (`lab`, `admin@NODE`). */
function consoleOf(r: Reader, prompt: string, field: string): Pick<SetupStep, 'console' | 'node'> {
  const p = prompt.trim();
  if (p === 'lab' || p === 'lab>') return { console: 'lab' };
  if (p === 'admin' || p === 'admin:') return { console: 'admin' };
  const m = /^admin@([^:\s]+):?$/.exec(p);
  if (m) {
    if (!NODE_RE.test(m[1])) r.fail(field, `'${m[1]}' is not a node name`);
    return { console: 'admin', node: m[1] };
  }
  return r.fail(field, `'${p}' is not a console: use 'lab', 'admin' or 'admin@NODE'`);
}

function step(r: Reader, raw: unknown, field: string): SetupStep {
  if (typeof raw === 'string') {
    const m = /^(lab>|admin:|admin@[^:\s]+:)\s*(.*)$/.exec(raw.trim());
    if (!m) r.fail(field, `'${raw}' does not start with 'lab>', 'admin:' or 'admin@NODE:'`);
    if (!m[2].trim()) r.fail(field, 'has no command after the prompt');
    return { ...consoleOf(r, m[1], field), command: m[2].trim(), answers: [] };
  }
  if (!isObj(raw)) return r.fail(field, "must be a step such as 'lab: phones reset all' or 'admin@cucm-pub: set cert regen CallManager'");
  const keys = Object.keys(raw).filter((k) => k !== 'answers');
  if (keys.length !== 1) r.fail(field, `needs exactly one console key (lab, admin or admin@NODE) besides answers (got ${keys.join(', ') || 'none'})`);
  const where = consoleOf(r, keys[0], `${field}.${keys[0]}`);
  const command = r.text(raw, keys[0], `${field}.${keys[0]}`, { required: true, oneLine: true })!;
  let answers: string[] = [];
  if (raw.answers !== undefined) {
    if (!Array.isArray(raw.answers)) r.fail(`${field}.answers`, "must be a list such as ['yes']");
    answers = raw.answers.map((a, i) => {
      if (typeof a === 'string' || typeof a === 'number' || typeof a === 'boolean') return String(a);
      return r.fail(`${field}.answers[${i}]`, 'must be text');
    });
  }
  return { ...where, command, answers };
}

function paramValue(r: Reader, v: unknown, type: ParamType, field: string): string | number | boolean {
  if (type === 'count') {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) r.fail(field, 'must be a whole number (0 or more)');
    return v;
  }
  if (type === 'bool') {
    if (typeof v !== 'boolean') r.fail(field, 'must be true or false');
    return v;
  }
  if (typeof v !== 'string' && typeof v !== 'number') r.fail(field, 'must be text');
  const t = String(v).trim();
  if (!t) r.fail(field, 'must not be empty');
  if (Array.isArray(type) && !type.includes(t)) r.fail(field, `must be one of ${type.join(', ')} (got '${t}')`);
  return t;
}

function check(r: Reader, raw: unknown, field: string, goal: boolean): CheckSpec {
  if (!isObj(raw)) return r.fail(field, "must be a mapping with 'check:' and its parameters");
  const kind = r.text(raw, 'check', `${field}.check`, { required: true, oneLine: true })!;
  const def = KINDS[kind];
  if (!def) r.fail(`${field}.check`, `unknown check '${kind}' (known: ${Object.keys(KINDS).join(', ')})`);
  r.known(raw, ['check', 'name', 'hint', ...Object.keys(def.params)], field);
  const params: CheckSpec['params'] = {};
  for (const [k, spec] of Object.entries(def.params)) {
    if (raw[k] === undefined || raw[k] === null) {
      if (spec.required) r.fail(`${field}.${k}`, `is required by '${kind}'`);
      continue;
    }
    params[k] = paramValue(r, raw[k], spec.type, `${field}.${k}`);
  }
  const hint = r.text(raw, 'hint', `${field}.hint`, { required: goal });
  const name = r.text(raw, 'name', `${field}.name`, { oneLine: true }) || def.describe(params);
  return { check: kind, name, ...(hint ? { hint } : {}), params };
}

function checks(r: Reader, raw: unknown, field: string, goal: boolean): CheckSpec[] {
  if (raw === undefined || raw === null) return goal ? r.fail(field, 'is required (at least one goal)') : [];
  if (!Array.isArray(raw)) return r.fail(field, 'must be a list');
  if (goal && raw.length === 0) r.fail(field, 'needs at least one goal');
  return raw.map((c, i) => check(r, c, `${field}[${i}]`, goal));
}

/** Checks a parsed data file and returns the exercise; throws ExerciseError naming file and field. */
export function validateExercise(raw: unknown, file: string): ExerciseDef {
  const r: Reader = new Reader(file);
  if (!isObj(raw)) return r.fail('(top level)', 'expected a mapping of fields (id, title, ...)');
  r.known(raw, TOP, '');
  const id = r.text(raw, 'id', 'id', { required: true, oneLine: true })!;
  if (!ID_RE.test(id)) r.fail('id', `'${id}' must be lower-case letters, digits and '-'`);
  const stem = basename(file, extname(file));
  if (/\.ya?ml$/i.test(file) && stem !== id) r.fail('id', `'${id}' differs from the file name '${stem}'`);
  const title = r.text(raw, 'title', 'title', { required: true, oneLine: true })!;
  const version = r.text(raw, 'version', 'version', { required: true, oneLine: true })!;
  if (!VERSION_RE.test(version)) r.fail('version', `'${version}' is not a CUCM version such as 10.5.1.10000-7`);
  const minutes = raw.minutes;
  if (typeof minutes !== 'number' || !Number.isInteger(minutes) || minutes < 1 || minutes > 240) r.fail('minutes', 'must be a whole number of minutes, 1 to 240');
  const briefing = r.text(raw, 'briefing', 'briefing', { required: true })!;
  let topology: Obj | undefined;
  if (raw.topology !== undefined && raw.topology !== null) {
    if (!isObj(raw.topology)) r.fail('topology', 'must be a mapping (the fields of a --topology file)');
    for (const k of ['name', 'version']) if (k in raw.topology) r.fail(`topology.${k}`, k === 'name' ? 'is the lab name: leave it out' : "is given by the exercise's 'version'");
    topology = raw.topology;
    try {
      normalizeTopology({ ...topology, version }, `${file}: topology`);
    } catch (e) {
      if (e instanceof TopologyError) throw new ExerciseError(e.message);
      throw e;
    }
  }
  let seed = DEFAULT_EXERCISE_SEED;
  if (raw.seed !== undefined) {
    if (typeof raw.seed !== 'number' || !Number.isInteger(raw.seed) || raw.seed < 0) r.fail('seed', 'must be a whole number');
    seed = raw.seed;
  }
  let clock = DEFAULT_EXERCISE_CLOCK;
  if (raw.clock !== undefined) {
    // YAML reads an unquoted timestamp as text with the yaml package's default schema; a Date is accepted too
    const c = raw.clock instanceof Date ? raw.clock.toISOString() : r.text(raw, 'clock', 'clock', { oneLine: true })!;
    if (Number.isNaN(Date.parse(c))) r.fail('clock', `'${c}' is not an ISO time such as ${DEFAULT_EXERCISE_CLOCK}`);
    clock = c;
  }
  const node = r.text(raw, 'node', 'node', { oneLine: true }) || undefined;
  if (node !== undefined && !NODE_RE.test(node)) r.fail('node', `'${node}' is not a node name`);
  if (!Array.isArray(raw.setup) || raw.setup.length === 0) r.fail('setup', 'must be a list of at least one step');
  const setup = raw.setup.map((x, i) => step(r, x, `setup[${i}]`));
  const goals = checks(r, raw.goals, 'goals', true);
  const constraints = checks(r, raw.constraints, 'constraints', false);
  return { id, title, version, minutes, briefing, topology, seed, clock, ...(node ? { node } : {}), setup, goals, constraints, source: file };
}
