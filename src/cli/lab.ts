// `cucm-sim lab [command]`: the lab console of a lab, as one command, a REPL or script mode.
import { existsSync, rmSync } from 'node:fs';
import { Store } from '../../state/store.js';
import { Lab, LabError } from '../../state/cluster/lab.js';
import { labDir, openOrCreateLab } from '../../state/labs.js';
import { LabConsole } from '../console/lab-console.js';
import type { CommonFlags } from './args.js';
import { runConsole } from './console-session.js';

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
    const { lab } = await openOrCreateLab(flags, 'cucm-sim lab');
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
  const { lab } = await openOrCreateLab(flags, 'cucm-sim lab');
  lab.close();
  process.stdout.write(`The lab at ${dir} was rebuilt.\n`);
  return 0;
}

/** `cucm-sim lab [command words]`: one command, else the REPL on a terminal, else script mode. */
export async function labConsoleMain(flags: CommonFlags, args: string[]): Promise<number> {
  if (args[0] === 'reset-lab') {
    const done = await resetFromScratch(flags);
    if (done !== undefined) return done;
  }
  return runConsole(flags, {
    owner: 'cucm-sim lab',
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
