// The lab console: a second prompt, `lab>`, for what happens around the cluster rather than on it —
// phones, power, the clock, enterprise parameters, hostnames, DRS. It offers the same interface as
// the admin: session core (CliSession) so every front end (REPL, script mode, SSH, runbooks) can drive
// it; its commands live in commands/lab/ and never appear in the admin: command tree.
import { existsSync, rmSync } from 'node:fs';
import { Lab, LabError, NodeState } from '../../state/cluster/lab.js';
import { Store } from '../../state/store.js';
import { Cancelled } from './registry.js';
import type { CommandContext, Registry, TransferClient } from './registry.js';
import { ConsoleCore, SessionIO } from './core.js';
import { labRegistry } from '../../commands/lab/index.js';
import { localTransfer } from '../net/transfer.js';
import { fleet } from '../../state/phones/fleet.js';
import { labDir, openOrCreateLab } from '../../state/labs.js';
import type { CommonFlags } from '../cli/main.js';
import { LineQueue, queueFrom, runScript } from '../frontends/script/script.js';

export const LAB_PROMPT = 'lab>';

export interface LabConsoleOptions {
  lab: Lab;
  user?: string;
  width?: number;
  height?: number;
  pace?: 'fast' | 'realistic';
  transfer?: TransferClient;
  registry?: Registry;
}

/** The lab console: the same session core as the admin: CLI, with its own commands and texts. */
export class LabConsole extends ConsoleCore {
  constructor(opts: LabConsoleOptions) {
    super({
      lab: opts.lab,
      user: opts.user ?? 'lab',
      width: opts.width,
      height: opts.height,
      pace: opts.pace,
      transfer: opts.transfer ?? localTransfer(),
      registry: opts.registry ?? labRegistry(),
    });
  }

  /** The console acts on the cluster as a whole; commands that need a node use the publisher. */
  get node(): NodeState {
    return this.lab.publisher();
  }

  bannerLines(): string[] {
    const s = this.lab.state;
    const phones = fleet(this.lab).phones.length;
    return [
      `cucm-sim lab console: cluster '${s.name}', ${s.nodes.length} node${s.nodes.length === 1 ? '' : 's'}, ${phones} phone${phones === 1 ? '' : 's'}`,
      "Type 'help' for the commands; '?' and Tab complete as on the admin: CLI.",
      '',
    ];
  }

  showPrompt(): void {
    this.emit(LAB_PROMPT);
  }

  /** A one-line summary for the REPL's status line. */
  statusText(): string {
    const lab = this.lab;
    const phones = fleet(lab).phones;
    const locked = phones.filter((p) => p.trust === 'locked').length;
    const down = lab.nodes.filter((n) => !n.up).map((n) => n.name);
    const mode = lab.state.params.clusterSecurityMode === 1 ? 'mixed mode' : 'non-secure';
    return `[lab ${lab.state.name} | ${mode} | ${phones.length} phones${locked ? `, ${locked} locked` : ''}${down.length ? ` | down: ${down.join(', ')}` : ''}]`;
  }

  protected handledBeforeRun(line: string): boolean {
    const trimmed = line.trim();
    if (trimmed.startsWith('#')) return true;
    if (trimmed.endsWith('?')) {
      // typed as a whole line (script mode, SSH without a terminal): the same help as the ? key
      const help = this.question(line.slice(0, line.lastIndexOf('?')));
      if (help.length) this.emit(help.join('\n') + '\n');
      return true;
    }
    return false;
  }

  protected async dispatch(line: string, ctx: CommandContext): Promise<number | void> {
    const reg = this.registry;
    const r = reg.resolve(line, { lab: this.lab, node: this.node });
    switch (r.kind) {
      case 'empty':
        return 0;
      case 'unknown':
        return ctx.fail(`Unknown command '${[...r.path, r.word].join(' ')}'. Type 'help' for the list, or '?' after a word.`);
      case 'ambiguous':
        return ctx.fail(`'${r.word}' is ambiguous: ${r.candidates.join(', ')}`);
      case 'incomplete': {
        const path = r.path.join(' ');
        ctx.out(`'${path}' needs one more word:`);
        for (const c of [...r.node.children.values()].sort((a, b) => a.word.localeCompare(b.word))) {
          ctx.out(`  ${(path + ' ' + c.word).padEnd(28)} ${c.summary}`);
        }
        return 1;
      }
      case 'badparam':
        ctx.out(`${r.message}.`, ...reg.syntaxHelp(r.spec));
        return 1;
      case 'command':
        return r.spec.run(ctx, r.args);
    }
  }
}

// ---------------------------------------------------------------- `cucm-sim lab`

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
