// `cucm-sim lab [command]`: the lab console of a lab, as one command, a REPL or script mode.
import { existsSync, rmSync } from 'node:fs';
import { LabBusy, Store } from '../../state/store.js';
import { Lab, LabError } from '../../state/cluster/lab.js';
import { createNamedLab, labDir, listLabs } from '../../state/labs.js';
import { LabConsole } from '../console/lab-console.js';
import { type CommonFlags, UsageError, shown, validLabNameOrThrow } from './args.js';
import { runConsole } from './console-session.js';
import { labCreationProgress } from './progress.js';

/** Options that shape a new lab: given to any other lab command they are refused (they would be ignored). */
const CREATE_ONLY = ['nodes', 'version'] as const;

/** `cucm-sim lab create NAME [--seed N] [--nodes ...] [--topology F] [--version V]` */
async function create(flags: CommonFlags, args: string[]): Promise<number> {
  const [name, ...extra] = args;
  if (name === undefined) throw new UsageError(`lab create needs a lab name (cucm-sim lab create NAME)`, 'lab');
  if (extra.length) throw new UsageError(`lab create takes one name (got also '${shown(extra[0])}')`, 'lab');
  validLabNameOrThrow(name);
  if (flags.lab !== undefined && flags.lab !== name) throw new UsageError(`lab create names the lab once: '${shown(name)}' or --lab ${flags.lab}`, 'lab');
  const progress = labCreationProgress(name);
  let lab;
  try {
    lab = await createNamedLab({ ...flags, lab: name }, progress);
  } finally {
    progress.done();
  }
  const nodes = lab.nodes.map((n) => n.name);
  const seed = lab.state.seed;
  lab.close();
  process.stdout.write(
    `Created lab '${name}': ${nodes.join(', ')}, ${seed === undefined ? 'fresh keys' : `seed ${seed}`}, in ${labDir({ ...flags, lab: name })}\n` +
      `Log in with 'cucm-sim --lab ${name}'; serve it with 'cucm-sim serve --lab ${name}'.\n`,
  );
  return 0;
}

/** `cucm-sim lab list`: name, nodes, seed, creation time, one lab a line. */
function list(flags: CommonFlags, args: string[]): number {
  if (args.length) throw new UsageError(`lab list takes no arguments (got '${shown(args[0])}')`, 'lab');
  const labs = listLabs(flags.dataDir);
  if (!labs.length) {
    process.stdout.write(`No labs yet; 'cucm-sim lab create NAME' makes one (the default lab is made on first use).\n`);
    return 0;
  }
  const rows = [
    ['NAME', 'NODES', 'SEED', 'CREATED'],
    ...labs.map((l) => [l.name, l.problem ? `(unreadable: ${l.problem})` : l.nodes.join(','), l.seed === undefined ? '-' : String(l.seed), l.created.toISOString().slice(0, 19) + 'Z']),
  ];
  const w = [0, 1, 2].map((i) => Math.max(...rows.map((r) => r[i].length)));
  for (const r of rows) process.stdout.write(`${r[0].padEnd(w[0])}  ${r[1].padEnd(w[1])}  ${r[2].padEnd(w[2])}  ${r[3]}\n`);
  return 0;
}

/**
 * `cucm-sim lab reset-lab --force` works even when the lab cannot be opened, and with --topology it
 * rebuilds the lab from that file instead of the one it was made from.
 */
async function resetFromScratch(flags: CommonFlags): Promise<number | undefined> {
  const dir = labDir(flags);
  if (!Lab.exists(dir)) {
    // nothing to repair (the lab is created as usual), unless a lab's files lost their lab.json
    if (!(flags.force && existsSync(dir))) return undefined;
    rmSync(dir, { recursive: true, force: true });
    const lab = await createNamedLab(flags);
    lab.close();
    process.stdout.write(`The lab at ${dir} was rebuilt.\n`);
    return 0;
  }
  if (!(flags.force && flags.topology)) {
    try {
      const lab = Lab.open(dir, 'cucm-sim lab');
      lab.close();
      return undefined; // opens fine: the ordinary command handles it
    } catch (e) {
      if (e instanceof LabBusy) return undefined; // held by another window: attach to it
      if (!(e instanceof LabError)) throw e;
      if (!flags.force) {
        process.stderr.write(`cucm-sim: ${e.message}\n`);
        return 2;
      }
    }
  }
  const store = new Store(dir);
  store.lock('cucm-sim lab reset-lab');
  rmSync(dir, { recursive: true, force: true });
  const lab = await createNamedLab(flags);
  lab.close();
  process.stdout.write(`The lab at ${dir} was rebuilt.\n`);
  return 0;
}

/** `cucm-sim lab [command words]`: one command, else the REPL on a terminal, else script mode. */
export async function labConsoleMain(flags: CommonFlags, args: string[]): Promise<number> {
  if (args[0] === 'create') return create(flags, args.slice(1));
  for (const k of CREATE_ONLY) if (flags[k] !== undefined) throw new UsageError(`--${k} applies to 'lab create' only`, 'lab');
  if (args[0] === 'list') return list(flags, args.slice(1));
  if (args[0] === 'reset-lab') {
    const done = await resetFromScratch(flags);
    if (done !== undefined) return done;
  }
  return runConsole(flags, {
    owner: 'cucm-sim lab',
    console: 'lab',
    command: args,
    open: (lab, interactive) =>
      new LabConsole({
        lab,
        pace: flags.pace ?? 'fast',
        width: process.stdout.isTTY ? process.stdout.columns || 80 : 80,
        height: interactive ? process.stdout.rows || 24 : undefined,
      }),
  });
}
