// Start-up shared by the local admin: session and `cucm-sim lab`: opens the lab (or, while another
// process has it open, runs the session there: cli/attach.ts), lets other windows attach, attaches
// the recorder, runs one command, the REPL or script mode, and closes everything.
import type { Lab } from '../../state/cluster/lab.js';
import { openOrCreateLab } from '../../state/labs.js';
import type { ConsoleCore } from '../console/core.js';
import { queueFrom, runScript } from '../frontends/script/script.js';
import { oneShot } from '../frontends/attach/one-shot.js';
import { type CommonFlags, UsageError } from './args.js';
import { listenForWindows, openOrAttach } from './attach.js';
import { withCreationProgress } from './progress.js';

export interface ConsoleStart {
  /** who holds the lab's lock while the console runs */
  owner: string;
  /** makes the console on the opened lab; `interactive` when stdin and stdout are terminals */
  open(lab: Lab, interactive: boolean): ConsoleCore;
  /** command words to run once instead of the REPL or script mode */
  command?: string[];
  /** report a --record/--redact that cannot be used as a usage error (the local session does) */
  recordErrorIsUsage?: boolean;
  /** which console a window attached to another process asks for (default the admin: CLI on --node) */
  console?: 'admin' | 'lab';
}

/** Runs a console on the lab the flags name; returns the exit status. */
export async function runConsole(flags: CommonFlags, start: ConsoleStart): Promise<number> {
  const interactive = !!(process.stdin.isTTY && process.stdout.isTTY);
  const command = start.command?.length ? start.command.join(' ') : undefined;
  const mode = command !== undefined ? 'one' : interactive ? 'repl' : 'script';
  const req = { console: start.console ?? 'admin', node: flags.node, mode, command, force: flags.force, banner: flags.banner, pace: flags.pace, width: process.stdout.isTTY ? process.stdout.columns : undefined } as const;
  const lab = await openOrAttach(flags, req, async () => (await withCreationProgress(flags.lab, (p) => openOrCreateLab(flags, start.owner, p))).lab);
  if (typeof lab === 'number') return lab;
  // a one-shot command holds the lab for a moment: a window opened meanwhile waits for it instead
  const windows = command === undefined ? await listenForWindows(lab, start.owner) : undefined;
  try {
    const con = start.open(lab, interactive);
    const recorder = flags.record ? await startRecording(flags, lab, con, !!start.recordErrorIsUsage) : undefined;
    try {
      if (command !== undefined) return await oneShot(con, command, { force: !!flags.force, input: process.stdin, write: (t) => process.stdout.write(t) });
      if (interactive) {
        const { runRepl } = await import('../frontends/repl/repl.js');
        // the console behind F2 is recorded in the same file
        await runRepl(con, { opened: (other) => recorder?.attach(other), switching: (on) => (on ? recorder?.pause() : recorder?.resume()) });
        return 0;
      }
      return await runScript(con, queueFrom(process.stdin), process.stdout, { banner: flags.banner });
    } finally {
      recorder?.close();
    }
  } finally {
    await windows?.close();
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
