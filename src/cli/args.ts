// The command line of `cucm-sim`: one table of options (name, value, help line, subcommands, check),
// the parser that reads argv with it, and the one-line usage errors. help.ts prints from the table.
import { isIP } from 'node:net';
import { type LabOptions, LAB_NAME_RULE, validLabName } from '../../state/labs.js';
import { parseSftpAllow } from '../net/transfer.js';

/** What the help of each subcommand covers: `session` is the local admin: session (no subcommand). */
export type Sub = 'session' | 'serve' | 'lab' | 'run' | 'exercise' | 'class';
export const SUBS: readonly Sub[] = ['session', 'serve', 'lab', 'run', 'exercise', 'class'];

/** A bad command line: one line `cucm-sim: <message>`, a hint to the help, exit status 2. */
export class UsageError extends Error {
  constructor(
    message: string,
    /** the subcommand whose --help the hint points at */
    public sub?: Sub,
  ) {
    super(message);
  }
}

/** The dashboard's default port (src/dashboard is not loaded unless it is asked for). */
export const DASHBOARD_PORT = 8080;


export interface CommonFlags extends LabOptions {
  node?: string;
  pace?: 'fast' | 'realistic';
  record?: string;
  port?: number;
  host?: string;
  banner?: boolean;
  redact?: string;
  tftpPort?: number;
  tftpHost?: string;
  tftpMaxPerSource?: number;
  sftpAllow?: string[];
  maxOutputBuffer?: number;
  stalledTimeout?: number;
  allowExec?: boolean;
  maxStartups?: number;
  loginGraceTime?: number;
  maxAuthTries?: number;
  maxSessions?: number;
  maxSessionsPerNode?: number;
  maxSessionsPerUser?: number;
  labPassword?: string;
  sqlTimeout?: number;
  sqlMaxRows?: number;
  update?: boolean;
  fill?: string;
  junit?: string;
  expectExercise?: 'pass' | 'fail';
  exerciseDir?: string;
  force?: boolean;
  json?: boolean;
  classFile?: string;
  trainees?: number;
  classDir?: string;
  maxTrainees?: number;
  maxRestoreBytes?: number;
  /** the dashboard's port (`--dashboard` alone: the default port) */
  dashboard?: number;
  dashboardHost?: string;
  dashboardMaxClients?: number;
  dashboardBodyLimit?: number;
  dashboardLoginAttempts?: number;
  help?: boolean;
  /** `--version` alone or `-V`: print the program's version */
  showVersion?: boolean;
  [k: string]: unknown;
}

export interface FlagDef {
  name: string;
  short?: string;
  /** the value's placeholder in help (`N`, `FILE`); no arg: a switch */
  arg?: string;
  multiple?: boolean;
  /** the help line, written once */
  help: string;
  /** the subcommands whose help lists it */
  subs: readonly Sub[];
  /** reads and checks the value; throws the one-line reason */
  value?: (v: string, flag: string) => unknown;
  /** where it lands in CommonFlags (default: the name in camelCase) */
  key?: string;
  /** the value may be left out (`--dashboard` alone): then this is the value */
  optional?: string;
}

/** A value as an error shows it: control characters as '?', and cut, so a pasted blob stays one line. */
export const shown = (v: string, max = 64) => {
  const s = v.replace(/[\x00-\x1f\x7f-\x9f]/g, '?');
  return s.length > max ? s.slice(0, max - 3) + '...' : s;
};

const fail = (flag: string, what: string, v: string): never => {
  throw new UsageError(`${flag} takes ${what} (got '${shown(v)}')`);
};

/** A whole number within [min, max]: digits only, so `1e3`, `0x10`, `-1` and `2.5` are refused. */
export const int = (min: number, max: number) => (v: string, flag: string) =>
  /^\d{1,16}$/.test(v) && Number(v) >= min && Number(v) <= max
    ? Number(v)
    : fail(flag, min === 1 ? `a whole number above 0, at most ${max}` : `a whole number from ${min} to ${max}`, v);

const seconds = (max: number) => (v: string, flag: string) =>
  /^\d{1,9}(\.\d{1,6})?$/.test(v) && Number(v) > 0 && Number(v) <= max ? Number(v) : fail(flag, `seconds above 0, at most ${max}`, v);

const oneOf = (...choices: string[]) => (v: string, flag: string) => {
  if (choices.includes(v)) return v;
  throw new UsageError(`${flag} is ${choices.join(' or ')} (got '${shown(v)}')`);
};

const text = (what: string) => (v: string, flag: string) => (v.length > 0 && v.length <= 4096 && !/[\x00-\x1f\x7f]/.test(v) ? v : fail(flag, what, v));

const ISO = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/;
const clock = (v: string, flag: string) => (ISO.test(v) && !Number.isNaN(Date.parse(v)) ? v : fail(flag, 'an ISO time such as 2025-01-06T09:00:00Z', v));

const HOST_NAME = /^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;
/** An IPv4 or IPv6 address or a host name; digits and dots that are no IPv4 address (999.1.1.1) are refused. */
const host = (v: string, flag: string) =>
  isIP(v) || (HOST_NAME.test(v) && !/^[\d.]+$/.test(v)) ? v : fail(flag, 'an IP address or a host name', v);

const NODE_NAME = /^[A-Za-z][A-Za-z0-9-]{0,62}$/;
/** `--nodes 2` or `--nodes pub,sub1`: 1 to 8 nodes, the first is the publisher. */
const nodes = (v: string, flag: string) => {
  if (/^\d+$/.test(v)) return int(1, 8)(v, flag);
  const list = v.split(',');
  if (list.length > 8 || list.some((n) => !NODE_NAME.test(n)) || new Set(list).size !== list.length)
    return fail(flag, 'a count from 1 to 8 or 1 to 8 distinct node names separated by commas', v);
  return list;
};

const labName = (v: string, flag: string) => (validLabName(v) ? v : fail(flag, `a lab name (${LAB_NAME_RULE})`, v));

/** A lab name given as a word (`lab create NAME`), checked as --lab is. */
export function validLabNameOrThrow(name: string): void {
  if (!validLabName(name)) throw new UsageError(`'${shown(name)}' is no lab name (${LAB_NAME_RULE})`, 'lab');
}

/** A lab profile word for `lab create --version` (its meaning belongs to lab creation). */
const word = (v: string, flag: string) => (/^[A-Za-z0-9][A-Za-z0-9._()-]{0,31}$/.test(v) ? v : fail(flag, 'a version such as 12.5', v));

const sftpAllow = (v: string, flag: string) => {
  let name: string;
  try {
    name = parseSftpAllow([v])[0].host;
  } catch {
    return fail(flag, 'HOST or HOST:PORT', v);
  }
  // the host is checked as --host is: 999.1.1.1 is no address and no host name
  if (!isIP(name) && !(HOST_NAME.test(name) && !/^[\d.]+$/.test(name))) fail(flag, 'HOST or HOST:PORT with an IP address or a host name', v);
  return v;
};

const ALL = SUBS;
const CONSOLES: readonly Sub[] = ['session', 'serve', 'lab', 'run'];
const MAKE: readonly Sub[] = ['session', 'serve', 'lab', 'run', 'exercise'];

/** Every option of every subcommand: the parser, the checks and the help all read this table. */
export const FLAGS: readonly FlagDef[] = [
  { name: 'data-dir', arg: 'DIR', help: 'where labs are kept (default: $CUCM_SIM_HOME or ~/.local/share/cucm-sim)', subs: ALL, value: text('a folder') },
  { name: 'lab', arg: 'NAME', help: 'the lab to use (default: default); other labs are made with `cucm-sim lab create`', subs: ALL, value: labName },
  { name: 'node', arg: 'NAME', help: 'node to log in to (default: the publisher)', subs: ['session', 'run'], value: text('a node name') },
  { name: 'topology', arg: 'FILE', help: 'YAML/JSON cluster description, used when a lab is created', subs: ['session', 'serve', 'lab', 'run'], value: text('a file name') },
  { name: 'seed', arg: 'N', help: 'deterministic lab: pooled keys, fixed clock, reproducible output', subs: MAKE, value: int(0, 2147483647) },
  { name: 'clock', arg: 'ISO', help: 'start the simulated clock at this time (fixed clock)', subs: MAKE, value: clock },
  { name: 'nodes', arg: 'N|pub,sub1,...', help: '(lab create) node count or node names, the publisher first (1 to 8)', subs: ['lab'], value: nodes },
  { name: 'version', short: 'V', arg: 'V', help: 'the CUCM release of a lab being created: 10.5 (default), 10.5(2), 11.5, 12.5, 14, 15 or a build string; alone: print the program version', subs: MAKE, value: word },
  { name: 'pace', arg: 'fast|realistic', help: 'how long restarts and the login banner take (default fast)', subs: CONSOLES, value: oneOf('fast', 'realistic') },
  { name: 'record', arg: 'FILE', help: 'record the session (.cast for asciicast, plain text otherwise); an existing FILE needs --force', subs: CONSOLES, value: text('a file name') },
  { name: 'redact', arg: 'FILE|LIST', help: 'rewrite recordings: a JSON/YAML map, or hostnames,addresses,domain,passwords', subs: CONSOLES, value: text('a file or a list') },
  { name: 'update', help: 'rewrite the runbooks\' expected output from the actual output', subs: ['run'] },
  { name: 'fill', arg: 'FILE', help: 'write the outputs into a command-only runbook skeleton', subs: ['run'], value: text('a file name') },
  { name: 'junit', arg: 'FILE', help: 'write JUnit XML results', subs: ['run'], value: text('a file name') },
  { name: 'expect-exercise', arg: 'pass|fail', help: 'also require this exercise result after the runbook', subs: ['run'], value: oneOf('pass', 'fail') },
  { name: 'exercise-dir', arg: 'DIR', help: 'where exercise files are (default: the package\'s scripts/exercises)', subs: ['exercise', 'run'], value: text('a folder') },
  { name: 'port', arg: 'N', help: 'first SSH port, one per node (default 2222; 0 picks free ports)', subs: ['serve'], value: int(0, 65535) },
  { name: 'host', arg: 'H', help: 'SSH listen address (default 127.0.0.1)', subs: ['serve'], value: host },
  { name: 'tftp-port', arg: 'N', help: 'first TFTP port, one per node (default 6969; 0 picks free ports)', subs: ['serve'], value: int(0, 65535) },
  { name: 'tftp-host', arg: 'H', help: 'TFTP listen address (default 127.0.0.1, whatever --host is)', subs: ['serve'], value: host },
  { name: 'tftp-max-per-source', arg: 'N', help: 'concurrent TFTP transfers per client address (default 4)', subs: ['serve'], value: int(1, 64) },
  { name: 'sftp-allow', arg: 'HOST[:PORT]', multiple: true, help: 'SFTP server file get may reach besides \'local\' (repeatable)', subs: ['serve'], value: sftpAllow },
  { name: 'max-output-buffer', arg: 'N', help: 'output bytes held for an SSH client that stops reading (default 1048576)', subs: ['serve'], value: int(1024, 1073741824) },
  { name: 'stalled-timeout', arg: 'S', help: 'seconds before such a client is dropped (default 60)', subs: ['serve'], value: int(1, 86400) },
  { name: 'max-startups', arg: 'N', help: 'SSH connections not logged in yet, per source address (default 10)', subs: ['serve'], value: int(1, 10000) },
  { name: 'login-grace-time', arg: 'S', help: 'seconds from connect to login before a connection is cut (default 30)', subs: ['serve'], value: int(1, 3600) },
  { name: 'max-auth-tries', arg: 'N', help: 'password attempts per SSH connection (default 6)', subs: ['serve'], value: int(1, 100) },
  { name: 'max-sessions', arg: 'N', help: 'SSH sessions in all (default 250)', subs: ['serve'], value: int(1, 100000) },
  { name: 'max-sessions-per-node', arg: 'N', help: 'SSH sessions on one node (default 100)', subs: ['serve'], value: int(1, 100000) },
  { name: 'max-sessions-per-user', arg: 'N', help: 'SSH sessions of one account from one address (default 10)', subs: ['serve'], value: int(1, 100000) },
  { name: 'lab-password', arg: 'PW', help: 'password of the \'lab\' SSH account (default: random, kept in the lab)', subs: ['serve'], value: text('a password') },
  { name: 'class', key: 'classFile', arg: 'FILE', help: 'serve a class: one trainee a line (name [password]), each with a lab of their own', subs: ['serve'], value: text('a file name') },
  { name: 'trainees', arg: 'N', help: 'serve a class of N trainees t01..tNN with random passwords', subs: ['serve'], value: int(1, 1000) },
  { name: 'class-dir', arg: 'DIR', help: 'the class folder (default: <data-dir>/classes/<class file name, or \'class\'>)', subs: ['serve', 'class'], value: text('a folder') },
  { name: 'max-trainees', arg: 'N', help: 'most trainees one class may have (default 100)', subs: ['serve'], value: int(1, 1000) },
  { name: 'max-restore-bytes', arg: 'N', help: '(class restore) most bytes an archive may expand to (default 1073741824)', subs: ['class'], value: int(1, 68719476736) },
  { name: 'dashboard', arg: 'PORT', optional: String(DASHBOARD_PORT), help: `(with a class) the instructor's dashboard in a browser (default port ${DASHBOARD_PORT}); the lab password signs in`, subs: ['serve'], value: int(0, 65535) },
  { name: 'dashboard-host', arg: 'H', help: 'dashboard listen address (default 127.0.0.1)', subs: ['serve'], value: host },
  { name: 'dashboard-max-clients', arg: 'N', help: 'dashboard live views at once (default 20)', subs: ['serve'], value: int(1, 10000) },
  { name: 'dashboard-body-limit', arg: 'N', help: 'bytes of a dashboard request body (default 16384)', subs: ['serve'], value: int(1024, 1048576) },
  { name: 'dashboard-login-attempts', arg: 'N', help: 'failed dashboard sign-ins per address in 5 minutes (default 5)', subs: ['serve'], value: int(1, 1000) },
  { name: 'allow-exec', help: 'run SSH exec requests (ssh host \'show itl\'); refused by default, as on CUCM', subs: ['serve'] },
  { name: 'sql-timeout', arg: 'S', help: 'seconds one run sql query may take (default 5)', subs: CONSOLES, value: seconds(3600) },
  { name: 'sql-max-rows', arg: 'N', help: 'rows one run sql result may have (default 10000)', subs: CONSOLES, value: int(1, 1000000) },
  { name: 'force', help: 'overwrite an existing --record file; (lab reset-lab) rebuild without asking; (exercise start) rebuild a lab that exists', subs: ['session', 'serve', 'lab', 'run', 'exercise'] },
  { name: 'json', help: '(exercise check, status) the results as one JSON line', subs: ['exercise'] },
  { name: 'banner', help: '(script mode) print the login banner first', subs: ['session', 'lab'] },
  { name: 'help', short: 'h', help: 'this help', subs: ALL },
];

const camel = (name: string) => name.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
const byName = new Map(FLAGS.map((f) => [f.name, f]));
const byShort = new Map(FLAGS.filter((f) => f.short).map((f) => [f.short!, f]));

/** The closest option name, for a typo (edit distance at most 2). */
function closest(name: string): string | undefined {
  let best: string | undefined;
  let bestD = 3;
  for (const f of FLAGS) {
    const a = name;
    const b = f.name;
    if (Math.abs(a.length - b.length) >= bestD) continue;
    let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
    for (let i = 1; i <= a.length; i++) {
      const cur = [i];
      for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
    if (prev[b.length] < bestD) {
      bestD = prev[b.length];
      best = b;
    }
  }
  return best;
}

/** The subcommand a command line is about (for the hint of a usage error). */
export function subOf(positionals: string[]): Sub | undefined {
  const s = positionals[0];
  if (s === undefined) return 'session';
  return s !== 'session' && (SUBS as readonly string[]).includes(s) ? (s as Sub) : undefined;
}

/**
 * Reads argv: `--name value`, `--name=value`, switches, `-h`, `-V`, and `--` before positionals that
 * start with a dash. `--version` takes a value only when a word follows it (a lab profile); alone it
 * asks for the program's version.
 */
export function parseCommon(argv: string[]): { flags: CommonFlags; positionals: string[] } {
  const flags: CommonFlags = {};
  const positionals: string[] = [];
  const seen = new Set<string>();
  // the hint of an error before the subcommand word (`--port x serve`) still names that subcommand
  const ahead = argv.find((a) => a !== 'session' && (SUBS as readonly string[]).includes(a)) as Sub | undefined;
  const where = () => (positionals.length ? subOf(positionals) : (ahead ?? 'session'));
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!a.startsWith('-') || a === '-') {
      positionals.push(a);
      continue;
    }
    let def: FlagDef | undefined;
    let inline: string | undefined;
    let display = a;
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      const name = eq < 0 ? a.slice(2) : a.slice(2, eq);
      if (eq >= 0) inline = a.slice(eq + 1);
      display = '--' + name;
      def = byName.get(name);
      if (!def) {
        const near = closest(name);
        throw new UsageError(`unknown option '${shown(display)}'${near ? ` (did you mean --${near}?)` : ''}`, where());
      }
    } else {
      def = a.length === 2 ? byShort.get(a[1]) : undefined;
      if (!def) throw new UsageError(`unknown option '${shown(a)}'`, where());
    }
    const key = def.key ?? camel(def.name);
    if (def.name === 'version' && (a === '-V' || (inline === undefined && (i + 1 >= argv.length || argv[i + 1].startsWith('-'))))) {
      flags.showVersion = true;
      continue;
    }
    if (!def.arg) {
      if (inline !== undefined) throw new UsageError(`--${def.name} takes no value`, where());
      flags[key] = true;
      continue;
    }
    let v = inline;
    if (v === undefined && def.optional !== undefined && !/^\d+$/.test(argv[i + 1] ?? '')) v = def.optional;
    if (v === undefined) {
      const next = argv[i + 1];
      if (next === undefined || (next.startsWith('--') && next.length > 2)) throw new UsageError(`--${def.name} needs a value (${def.arg})`, where());
      v = next;
      i++;
    }
    if (seen.has(def.name) && !def.multiple) throw new UsageError(`--${def.name} is given twice`, where());
    seen.add(def.name);
    let parsed: unknown = v;
    try {
      if (def.value) parsed = def.value(v, `--${def.name}`);
    } catch (e) {
      if (e instanceof UsageError) e.sub ??= where();
      throw e;
    }
    if (def.multiple) flags[key] = [...((flags[key] as unknown[] | undefined) ?? []), parsed];
    else flags[key] = parsed;
  }
  return { flags, positionals };
}
