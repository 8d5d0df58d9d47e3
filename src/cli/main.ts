// Entry point of the `cucm-sim` command: local session (REPL or script), serve, lab, run.
import { LabError } from '../../state/cluster/lab.js';
import { StoreError } from '../../state/store.js';
import { configureSql } from '../../state/sql/host.js';
import { TopologyError } from '../../state/cluster/topology.js';
import { ExerciseError } from '../../state/exercises/model.js';
import { CliSession } from '../console/admin-console.js';
import { type CommonFlags, USAGE, UsageError, parseCommon } from './args.js';
import { runConsole } from './console-session.js';

/** The local admin: session on a node (default the publisher). */
function localSession(flags: CommonFlags): Promise<number> {
  return runConsole(flags, {
    owner: `cucm-sim (local session)`,
    recordErrorIsUsage: true,
    open(lab, interactive) {
      const node = flags.node ? lab.node(flags.node) : lab.publisher();
      if (!node) throw new UsageError(`no node '${flags.node}' in this lab (nodes: ${lab.nodes.map((n) => n.name).join(', ')})`);
      return new CliSession({
        lab,
        node,
        pace: flags.pace ?? 'fast',
        width: interactive ? process.stdout.columns || 80 : 80,
        height: interactive ? process.stdout.rows || 24 : undefined,
      });
    },
  });
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
  configureSql({ timeoutMs: flags.sqlTimeout === undefined ? undefined : flags.sqlTimeout * 1000, maxRows: flags.sqlMaxRows });
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
        const { runbooksMain } = await import('./run.js');
        return await runbooksMain(flags, positionals.slice(1));
      }
      case 'exercise': {
        const { exerciseMain } = await import('./exercise.js');
        return await exerciseMain(flags, positionals.slice(1));
      }
      case 'class': {
        const { classMain } = await import('./class.js');
        return await classMain(flags, positionals.slice(1));
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
    if (e instanceof LabError || e instanceof StoreError || e instanceof TopologyError || e instanceof ExerciseError) {
      process.stderr.write(`cucm-sim: ${e.message}\n`);
      return 2;
    }
    process.stderr.write(`cucm-sim: internal error: ${(e as Error).message}\n`);
    return 70;
  }
}

