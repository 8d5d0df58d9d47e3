// Entry point of the `cucm-sim` command: local session (REPL or script), serve, lab, run.
import { parseArgs } from 'node:util';
import { Lab, LabError } from '../../state/cluster/lab.js';
import { StoreError } from '../../state/store.js';
import { TopologyError } from '../../state/cluster/topology.js';
import { CliSession } from '../console/core.js';
import { openOrCreateLab, LabOptions } from '../../state/labs.js';
import { queueFrom, runScript } from '../frontends/script/script.js';

const USAGE = `Usage:
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

export interface CommonFlags extends LabOptions {
  node?: string;
  pace?: 'fast' | 'realistic';
  record?: string;
  port?: number;
  host?: string;
  banner?: boolean;
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

export class UsageError extends Error {}

async function localSession(flags: CommonFlags): Promise<number> {
  const { lab } = await openOrCreateLab(flags, `cucm-sim (local session)`);
  try {
    const node = flags.node ? lab.node(flags.node) : lab.publisher();
    if (!node) throw new UsageError(`no node '${flags.node}' in this lab (nodes: ${lab.nodes.map((n) => n.name).join(', ')})`);
    const interactive = process.stdin.isTTY && process.stdout.isTTY;
    const session = new CliSession({
      lab,
      node,
      pace: flags.pace ?? 'fast',
      width: interactive ? process.stdout.columns || 80 : 80,
      height: interactive ? process.stdout.rows || 24 : undefined,
    });
    const recorder = flags.record ? await startRecording(flags, lab, session) : undefined;
    try {
      if (interactive) {
        const { runRepl } = await import('../frontends/repl/repl.js');
        await runRepl(session);
        return 0;
      }
      return await runScript(session, queueFrom(process.stdin), process.stdout, { banner: flags.banner });
    } finally {
      recorder?.close();
    }
  } finally {
    lab.close();
  }
}

/** --record FILE (and --redact) for a local session: the recorder listens to the session core. */
async function startRecording(flags: CommonFlags, lab: Lab, session: CliSession) {
  const { recordSession } = await import('../recording/transcript.js');
  try {
    return recordSession(session, lab, { file: flags.record!, redact: flags.redact as string | undefined, width: session.width, height: session.height });
  } catch (e) {
    throw new UsageError(`--record ${flags.record}: ${(e as Error).message}`);
  }
}

export async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseCommon(argv);
  } catch (e) {
    process.stderr.write(`cucm-sim: ${(e as Error).message}\n\n${USAGE}\n`);
    return 2;
  }
  const { flags, positionals } = parsed;
  if (flags.help) {
    process.stdout.write(USAGE + '\n');
    return 0;
  }
  try {
    const [sub] = positionals;
    switch (sub) {
      case undefined:
        return await localSession(flags);
      case 'serve': {
        const { serve } = await import('./serve.js');
        return await serve(flags);
      }
      case 'run': {
        const { runbooksMain } = await import('../runbook/runbook.js');
        return await runbooksMain(flags, positionals.slice(1));
      }
      case 'lab': {
        const { labConsoleMain } = await import('./lab.js');
        return await labConsoleMain(flags, positionals.slice(1));
      }
      default:
        throw new UsageError(`unknown command '${sub}'`);
    }
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`cucm-sim: ${e.message}\n\n${USAGE}\n`);
      return 2;
    }
    if (e instanceof LabError || e instanceof StoreError || e instanceof TopologyError) {
      process.stderr.write(`cucm-sim: ${e.message}\n`);
      return 2;
    }
    process.stderr.write(`cucm-sim: internal error: ${(e as Error).message}\n`);
    return 70;
  }
}

export { Lab };
