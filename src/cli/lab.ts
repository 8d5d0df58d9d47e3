// `cucm-sim lab [command]`: the lab console of a lab, as one command, a REPL or script mode.
import { existsSync, rmSync } from 'node:fs';
import { Store } from '../../state/store.js';
import { Lab, LabError } from '../../state/cluster/lab.js';
import { labDir, openOrCreateLab } from '../../state/labs.js';
import type { SessionIO } from '../console/core.js';
import { Cancelled } from '../console/registry.js';
import { LabConsole } from '../console/lab-console.js';
import type { CommonFlags } from './main.js';
import { LineQueue, queueFrom, runScript } from '../frontends/script/script.js';

/** Answers questions from --force (yes) or, failing that, from stdin. */
function oneShotIO(force: boolean, q: () => LineQueue): SessionIO {
  return {
    async answer() {
      if (force) return 'yes';
      const a = await q().next();
      if (a === undefined) throw new Cancelled();
      return a;
    },
  };
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
  const { lab } = await openOrCreateLab(flags, 'cucm-sim lab');
  try {
    const interactive = !!(process.stdin.isTTY && process.stdout.isTTY);
    const con = new LabConsole({
      lab,
      pace: flags.pace ?? 'fast',
      width: process.stdout.isTTY ? process.stdout.columns || 80 : 80,
      height: interactive ? process.stdout.rows || 24 : undefined,
    });
    const recorder = flags.record
      ? (await import('../recording/transcript.js')).recordSession(con, lab, { file: flags.record, redact: flags.redact as string | undefined, width: con.width, height: con.height })
      : undefined;
    try {
      if (args.length > 0) {
        let echoed = false;
        const off = con.on((text, kind) => {
          // the command line itself is not echoed back; answers to questions are
          if (kind === 'echo' && !echoed) {
            echoed = true;
            return;
          }
          process.stdout.write(text);
        });
        let queue: LineQueue | undefined;
        try {
          const r = await con.run(args.join(' '), oneShotIO(!!flags.force, () => (queue ??= queueFrom(process.stdin))));
          return r.status;
        } finally {
          off();
        }
      }
      if (interactive) {
        const { runRepl } = await import('../frontends/repl/repl.js');
        await runRepl(con);
        return 0;
      }
      return await runScript(con, queueFrom(process.stdin), process.stdout, { banner: flags.banner });
    } finally {
      recorder?.close();
    }
  } finally {
    lab.close();
  }
}
