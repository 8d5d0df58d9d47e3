// The command line of `cucm-sim`: options shared by every subcommand, their parsing and the usage text.
import { parseArgs } from 'node:util';
import type { LabOptions } from '../../state/labs.js';

export const USAGE = `Usage:
  cucm-sim [options]                 admin: session on the publisher (REPL on a terminal, script mode otherwise)
  cucm-sim serve [options]           SSH and TFTP endpoints for every node of the lab
  cucm-sim lab [command] [options]   the lab console (phones, clock, power, parameters)
  cucm-sim run FILE... [options]     run runbooks against a fresh lab

Options:
  --data-dir DIR     where labs are kept (default: $CUCM_SIM_HOME or ~/.local/share/cucm-sim)
  --lab NAME         lab name (default: default)
  --node NAME        node to log in to (default: the publisher)
  --topology FILE    YAML/JSON cluster description, used when the lab is created
  --seed N           deterministic lab: pooled keys, fixed clock, reproducible output
  --clock ISO        start the simulated clock at this time (fixed clock)
  --pace fast|realistic   how long restarts and the login banner take (default fast)
  --record FILE      record the session (.cast for asciicast, plain text otherwise)
  --redact FILE|LIST rewrite recordings: a JSON/YAML map, or hostnames,addresses,domain,passwords
  --update           (run) rewrite the runbooks' expected output from the actual output
  --junit FILE       (run) write JUnit XML results
  --port N, --host H (serve) first SSH port (2222) and listen address (127.0.0.1)
  --tftp-port N      (serve) first TFTP port (6969), one per node
  --force            (lab reset-lab) rebuild without asking, even a lab that cannot be opened
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
  update?: boolean;
  junit?: string;
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
      seed: { type: 'string' },
      clock: { type: 'string' },
      pace: { type: 'string' },
      record: { type: 'string' },
      redact: { type: 'string' },
      port: { type: 'string' },
      host: { type: 'string' },
      'tftp-port': { type: 'string' },
      banner: { type: 'boolean' },
      update: { type: 'boolean' },
      junit: { type: 'string' },
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
  if (values.pace !== undefined && values.pace !== 'fast' && values.pace !== 'realistic') throw new UsageError(`--pace is fast or realistic`);
  const flags: CommonFlags = {
    dataDir: values['data-dir'],
    lab: values.lab,
    node: values.node,
    topology: values.topology,
    seed: num('seed', values.seed),
    clock: values.clock,
    pace: values.pace as 'fast' | 'realistic' | undefined,
    record: values.record,
    redact: values.redact,
    port: num('port', values.port),
    host: values.host,
    tftpPort: num('tftp-port', values['tftp-port']),
    banner: values.banner,
    update: values.update,
    junit: values.junit,
    force: values.force,
    json: values.json,
    help: values.help,
  };
  return { flags, positionals };
}
