// Entry point of the `cucm-sim` command: local session (REPL or script), serve, lab, run.
import { existsSync } from 'node:fs';
import { LabError } from '../../state/cluster/lab.js';
import { StoreError } from '../../state/store.js';
import { configureSql } from '../../state/sql/host.js';
import { TopologyError } from '../../state/cluster/topology.js';
import { ExerciseError } from '../../state/exercises/model.js';
import { CliSession } from '../console/admin-console.js';
import { type CommonFlags, FLAGS, type Sub, UsageError, parseCommon, shown, subOf, SUBS } from './args.js';
import { runConsole } from './console-session.js';
import { overview, subHelp, versionLine } from './help.js';

/** A usage error: one line saying what, one pointing at the help of the command it was about. */
function usageError(e: UsageError, sub?: Sub): number {
  const which = e.sub ?? sub;
  const help = which && which !== 'session' ? `cucm-sim ${which} --help` : 'cucm-sim --help';
  process.stderr.write(`cucm-sim: ${e.message}\nTry '${help}'.\n`);
  return 2;
}

/** --record never replaces a file unless --force says so (a recording is often someone's only copy). */
function refuseOverwrite(flags: CommonFlags, sub: Sub, paths: string[]): void {
  if (!flags.record || flags.force) return;
  for (const p of paths) if (existsSync(p)) throw new UsageError(`--record ${shown(p, 1024)}: the file exists (--force overwrites it)`, sub);
}

/** Options given to a subcommand they mean nothing to are refused rather than ignored. */
function checkApplies(flags: CommonFlags, sub: Sub): void {
  for (const f of FLAGS) {
    const key = f.key ?? f.name.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
    if (flags[key] !== undefined && !f.subs.includes(sub)) {
      const where = sub === 'session' ? 'the admin: session' : `'${sub}'`;
      throw new UsageError(`--${f.name} does not apply to ${where}`, sub);
    }
  }
}

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
    if (e instanceof UsageError) return usageError(e);
    throw e;
  }
  const { flags, positionals } = parsed;
  if (flags.showVersion) {
    process.stdout.write(versionLine());
    return 0;
  }
  const sub = subOf(positionals);
  if (positionals[0] === 'help' || flags.help) {
    const topic = positionals[0] === 'help' ? positionals[1] : sub === 'session' ? undefined : positionals[0];
    if (topic === undefined) {
      process.stdout.write(overview());
      return 0;
    }
    if (!(SUBS as readonly string[]).includes(topic) || topic === 'session') {
      return usageError(new UsageError(`no help for '${shown(topic)}' (commands: serve, lab, run, exercise, class)`));
    }
    process.stdout.write(subHelp(topic as Sub));
    return 0;
  }
  if (sub === undefined || sub === 'session') {
    if (positionals.length > 0) return usageError(new UsageError(`unknown command '${shown(positionals[0])}' (commands: serve, lab, run, exercise, class, help)`));
  }
  try {
    if (sub) checkApplies(flags, sub);
  } catch (e) {
    return usageError(e as UsageError);
  }
  configureSql({ timeoutMs: flags.sqlTimeout === undefined ? undefined : flags.sqlTimeout * 1000, maxRows: flags.sqlMaxRows });
  try {
    switch (sub) {
      case 'session':
        refuseOverwrite(flags, sub, [flags.record!]);
        return await localSession(flags);
      case 'serve': {
        if (positionals.length > 1) throw new UsageError(`serve takes no arguments (got '${shown(positionals[1])}')`, 'serve');
        const { serve } = await import('./serve.js');
        return await serve(flags);
      }
      case 'run': {
        const { runbooksMain, recordPathFor } = await import('./run.js');
        // --fill FILE is one more runbook, as run.ts counts them
        const files = [...(typeof flags.fill === 'string' ? [flags.fill] : []), ...positionals.slice(1)];
        if (flags.record) refuseOverwrite(flags, sub, files.map((f) => recordPathFor(flags.record!, f, files.length)));
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
        refuseOverwrite(flags, sub, [flags.record!]);
        return await labConsoleMain(flags, positionals.slice(1));
      }
      default:
        return usageError(new UsageError(`unknown command '${shown(String(positionals[0]))}' (commands: serve, lab, run, exercise, class, help)`));
    }
  } catch (e) {
    if (e instanceof UsageError) return usageError(e, sub);
    if (e instanceof LabError || e instanceof StoreError || e instanceof TopologyError || e instanceof ExerciseError) {
      process.stderr.write(`cucm-sim: ${e.message}\n`);
      return 2;
    }
    process.stderr.write(`cucm-sim: internal error: ${String((e as Error)?.message ?? e).split('\n')[0]}\n`);
    return 70;
  }
}

