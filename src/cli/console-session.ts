// Start-up shared by the local admin: session and `cucm-sim lab`: opens the lab, attaches the
// recorder, runs one command, the REPL or script mode, and closes everything.
import type { Lab } from '../../state/cluster/lab.js';
import { openOrCreateLab } from '../../state/labs.js';
import type { ConsoleCore } from '../console/core.js';
import { drive } from '../console/drive.js';
import { type LineQueue, queueFrom, runScript } from '../frontends/script/script.js';
import { type CommonFlags, UsageError } from './args.js';

export interface ConsoleStart {
  /** who holds the lab's lock while the console runs */
  owner: string;
  /** makes the console on the opened lab; `interactive` when stdin and stdout are terminals */
  open(lab: Lab, interactive: boolean): ConsoleCore;
  /** command words to run once instead of the REPL or script mode */
  command?: string[];
  /** report a --record/--redact that cannot be used as a usage error (the local session does) */
  recordErrorIsUsage?: boolean;
}

/** Runs a console on the lab the flags name; returns the exit status. */
export async function runConsole(flags: CommonFlags, start: ConsoleStart): Promise<number> {
  const { lab } = await openOrCreateLab(flags, start.owner);
  try {
    const interactive = !!(process.stdin.isTTY && process.stdout.isTTY);
    const con = start.open(lab, interactive);
    const recorder = flags.record ? await startRecording(flags, lab, con, !!start.recordErrorIsUsage) : undefined;
    try {
      if (start.command && start.command.length > 0) return await oneShot(con, start.command.join(' '), !!flags.force);
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

/** --record FILE (and --redact): the recorder listens to the console. */
async function startRecording(flags: CommonFlags, lab: Lab, con: ConsoleCore, usageError: boolean) {
  const { recordSession } = await import('../recording/recorder.js');
  try {
    return recordSession(con, lab, { file: flags.record!, redact: flags.redact, width: con.width, height: con.height });
  } catch (e) {
    if (!usageError) throw e;
    throw new UsageError(`--record ${flags.record}: ${(e as Error).message}`);
  }
}

/** One command: questions are answered yes with --force, else from stdin; output goes to stdout. */
async function oneShot(con: ConsoleCore, command: string, force: boolean): Promise<number> {
  let queue: LineQueue | undefined;
  let echoed = false;
  const r = await drive(con, command, {
    answers: () => (force ? 'yes' : (queue ??= queueFrom(process.stdin)).next()),
    onOutput: (text, kind) => {
      // the command line itself is not echoed back; answers to questions are
      if (kind === 'echo' && !echoed) {
        echoed = true;
        return;
      }
      process.stdout.write(text);
    },
  });
  return r.status;
}
