// The command line of `cucm-sim`: options shared by every subcommand, their parsing and the usage text.
import { parseArgs } from 'node:util';
import type { LabOptions } from '../../state/labs.js';

export const USAGE = `Usage:
  cucm-sim [options]                 admin: session on the publisher (REPL on a terminal, script mode otherwise)
  cucm-sim serve [options]           SSH and TFTP endpoints for every node of the lab
  cucm-sim lab [command] [options]   the lab console (phones, clock, power, parameters)
  cucm-sim run FILE... [options]     run runbooks against a fresh lab
  cucm-sim exercise list | start ID | check | hint | status | reset   exercises (--lab NAME)

Options:
  --data-dir DIR     where labs are kept (default: $CUCM_SIM_HOME or ~/.local/share/cucm-sim)
  --lab NAME         lab name (default: default)
  --node NAME        node to log in to (default: the publisher)
  --topology FILE    YAML/JSON cluster description, used when the lab is created
  --version V        CUCM release of a lab being created: 10.5 (default), 10.5(2), 11.5, 12.5, 14, 15
  --seed N           deterministic lab: pooled keys, fixed clock, reproducible output
  --clock ISO        start the simulated clock at this time (fixed clock)
  --pace fast|realistic   how long restarts and the login banner take (default fast)
  --record FILE      record the session (.cast for asciicast, plain text otherwise)
  --redact FILE|LIST rewrite recordings: a JSON/YAML map, or hostnames,addresses,domain,passwords
  --update           (run) rewrite the runbooks' expected output from the actual output
  --junit FILE       (run) write JUnit XML results
  --expect-exercise pass|fail  (run) also require this exercise result after the runbook
  --exercise-dir DIR (exercise, run) where exercise files are (default: the package's scripts/exercises)
  --port N, --host H (serve) first SSH port (2222) and listen address (127.0.0.1)
  --tftp-port N      (serve) first TFTP port (6969), one per node
  --tftp-host H      (serve) TFTP listen address (127.0.0.1, whatever --host is)
  --tftp-max-per-source N  (serve) concurrent TFTP transfers per client address (4)
  --sftp-allow HOST[:PORT] (serve, repeatable) SFTP servers file get may reach besides 'local'
  --max-output-buffer N    (serve) output bytes held for an SSH client that stops reading (1048576)
  --stalled-timeout S      (serve) seconds before such a client is dropped (60)
  --max-startups N   (serve) SSH connections not logged in yet, per source address (10)
  --login-grace-time S     (serve) seconds from connect to login before a connection is cut (30)
  --max-auth-tries N (serve) password attempts per SSH connection (6)
  --max-sessions N   (serve) SSH sessions in all (250)
  --max-sessions-per-node N  (serve) SSH sessions on one node (100)
  --max-sessions-per-user N  (serve) SSH sessions of one account from one address (10)
  --lab-password PW  (serve) password of the 'lab' SSH account (the lab console); default random, kept in the lab
  --allow-exec       (serve) run SSH exec requests (ssh host 'show itl'); refused by default, as on CUCM
  --sql-timeout S    seconds one run sql query may take (5)
  --sql-max-rows N   rows one run sql result may have (10000)
  --force            (lab reset-lab) rebuild without asking, even a lab that cannot be opened;
                     (exercise start) rebuild a lab that exists
  --json             (exercise check, status) the results as one JSON line
  --banner           (script mode) print the login banner first
  -h, --help         this help`;

/** A bad command line: reported with the usage text and exit status 2. */
export class UsageError extends Error {}

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
  junit?: string;
  expectExercise?: 'pass' | 'fail';
  exerciseDir?: string;
  force?: boolean;
  json?: boolean;
  help?: boolean;
  [k: string]: unknown;
}

export function parseCommon(argv: string[]) {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      'data-dir': { type: 'string' },
      lab: { type: 'string' },
      node: { type: 'string' },
      topology: { type: 'string' },
      // with a value: the release of a lab being created (10.5, 11.5, 12.5, 14, 15)
      version: { type: 'string' },
      seed: { type: 'string' },
      clock: { type: 'string' },
      pace: { type: 'string' },
      record: { type: 'string' },
      redact: { type: 'string' },
      port: { type: 'string' },
      host: { type: 'string' },
      'tftp-port': { type: 'string' },
      'tftp-host': { type: 'string' },
      'tftp-max-per-source': { type: 'string' },
      'sftp-allow': { type: 'string', multiple: true },
      'max-output-buffer': { type: 'string' },
      'stalled-timeout': { type: 'string' },
      'allow-exec': { type: 'boolean' },
      'max-startups': { type: 'string' },
      'login-grace-time': { type: 'string' },
      'max-auth-tries': { type: 'string' },
      'max-sessions': { type: 'string' },
      'max-sessions-per-node': { type: 'string' },
      'max-sessions-per-user': { type: 'string' },
      'lab-password': { type: 'string' },
      'sql-timeout': { type: 'string' },
      'sql-max-rows': { type: 'string' },
      banner: { type: 'boolean' },
      update: { type: 'boolean' },
      junit: { type: 'string' },
      'expect-exercise': { type: 'string' },
      'exercise-dir': { type: 'string' },
      force: { type: 'boolean' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const num = (name: string, v: string | undefined) => {
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0) throw new UsageError(`--${name} takes a whole number (got '${v}')`);
    return n;
  };
  const positive = (name: string, v: string | undefined) => {
    const n = num(name, v);
    if (n === 0) throw new UsageError(`--${name} takes a number above 0`);
    return n;
  };
  const sqlTimeout = values['sql-timeout'];
  if (sqlTimeout !== undefined && !(/^\d+(\.\d+)?$/.test(sqlTimeout) && Number(sqlTimeout) > 0 && Number(sqlTimeout) <= 3600)) {
    throw new UsageError(`--sql-timeout takes seconds above 0, at most 3600 (got '${sqlTimeout}')`);
  }
  const sqlMaxRows = positive('sql-max-rows', values['sql-max-rows']);
  if (sqlMaxRows !== undefined && sqlMaxRows > 1_000_000) throw new UsageError(`--sql-max-rows takes at most 1000000 (got '${sqlMaxRows}')`);
  if (values.pace !== undefined && values.pace !== 'fast' && values.pace !== 'realistic') throw new UsageError(`--pace is fast or realistic`);
  const expect = values['expect-exercise'];
  if (expect !== undefined && expect !== 'pass' && expect !== 'fail') throw new UsageError(`--expect-exercise is pass or fail (got '${expect}')`);
  const flags: CommonFlags = {
    dataDir: values['data-dir'],
    lab: values.lab,
    node: values.node,
    topology: values.topology,
    version: values.version,
    seed: num('seed', values.seed),
    clock: values.clock,
    pace: values.pace as 'fast' | 'realistic' | undefined,
    record: values.record,
    redact: values.redact,
    port: num('port', values.port),
    host: values.host,
    tftpPort: num('tftp-port', values['tftp-port']),
    tftpHost: values['tftp-host'],
    tftpMaxPerSource: positive('tftp-max-per-source', values['tftp-max-per-source']),
    sftpAllow: values['sftp-allow'],
    maxOutputBuffer: positive('max-output-buffer', values['max-output-buffer']),
    stalledTimeout: positive('stalled-timeout', values['stalled-timeout']),
    allowExec: values['allow-exec'],
    maxStartups: positive('max-startups', values['max-startups']),
    loginGraceTime: positive('login-grace-time', values['login-grace-time']),
    maxAuthTries: positive('max-auth-tries', values['max-auth-tries']),
    maxSessions: positive('max-sessions', values['max-sessions']),
    maxSessionsPerNode: positive('max-sessions-per-node', values['max-sessions-per-node']),
    maxSessionsPerUser: positive('max-sessions-per-user', values['max-sessions-per-user']),
    labPassword: values['lab-password'],
    sqlTimeout: sqlTimeout === undefined ? undefined : Number(sqlTimeout),
    sqlMaxRows,
    banner: values.banner,
    update: values.update,
    junit: values.junit,
    expectExercise: expect as 'pass' | 'fail' | undefined,
    exerciseDir: values['exercise-dir'],
    force: values.force,
    json: values.json,
    help: values.help,
  };
  return { flags, positionals };
}
