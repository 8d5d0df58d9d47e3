// The lab console: a second prompt, `lab>`, for what happens around the cluster rather than on it —
// phones, power, the clock, enterprise parameters, hostnames, DRS. It offers the same interface as
// the admin: session core (CliSession) so every front end (REPL, script mode, SSH, runbooks) can drive
// it; its commands live in commands/lab/ and never appear in the admin: command tree.
import type { NodeState } from '../../state/cluster/lab.js';
import type { CommandContext } from './command.js';
import { ConsoleCore, type ConsoleOptions } from './core.js';
import { labExecRegistry, labRegistry } from '../../commands/lab/index.js';
import { localTransfer } from '../net/transfer.js';
import { fleet } from '../../state/phones/fleet.js';
import { cleanLabValues } from '../../state/text.js';
import { profileOf, type ProfileId } from '../../state/cluster/profile.js';

export const LAB_PROMPT = 'lab>';

/** The banner's second line: the release the lab emulates (a build of its own says which profile runs it). */
function releaseLine(lab: { state: { version: string; profile?: ProfileId } }): string {
  const p = profileOf(lab);
  const build = lab.state.version;
  return build === p.build ? `CUCM ${p.label}, build ${build}` : `CUCM ${build}, run as the ${p.id} profile (modelled on ${p.label})`;
}

export interface LabConsoleOptions extends ConsoleOptions {
  /** an SSH exec request: commands that throw the lab away refuse */
  exec?: boolean;
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
      registry: opts.registry ?? (opts.exec ? labExecRegistry() : labRegistry()),
    });
  }

  protected override readonly consoleKind = 'lab' as const;

  /** The console acts on the cluster as a whole; commands that need a node use the publisher. */
  get node(): NodeState {
    return this.lab.publisher();
  }

  bannerLines(): string[] {
    const s = this.lab.state;
    const phones = fleet(this.lab).phones.length;
    return [
      `cucm-sim lab console: cluster '${s.name}', ${s.nodes.length} node${s.nodes.length === 1 ? '' : 's'}, ${phones} phone${phones === 1 ? '' : 's'}`,
      releaseLine(this.lab),
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
        // what the lab console is given becomes lab text shown on terminals: controls are dropped
        return r.spec.run(ctx, cleanLabValues(r.args) as typeof r.args);
    }
  }
}
