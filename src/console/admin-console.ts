// The admin: console of one node: CUCM's start-up banner, the `admin:` prompt, and how a line
// is matched to a command (with CUCM's error texts and the publisher-only check).
import type { Lab, NodeState } from '../../state/cluster/lab.js';
import { UNSUCCESSFUL, type CommandContext } from './command.js';
import { ConsoleCore, sleep, type ConsoleOptions } from './core.js';
import { defaultRegistry } from '../../commands/admin/index.js';
import { defaultTransfer } from '../net/transfer.js';

export interface SessionOptions extends ConsoleOptions {
  node: NodeState;
}

export const PROMPT = 'admin:';

/** The admin: CLI of one node. */
export class CliSession extends ConsoleCore {
  private current: NodeState;

  constructor(opts: SessionOptions) {
    super({
      lab: opts.lab,
      user: opts.user ?? opts.lab.state.accounts.admin.user,
      width: opts.width,
      height: opts.height,
      pace: opts.pace,
      transfer: opts.transfer ?? defaultTransfer(),
      registry: opts.registry ?? defaultRegistry(opts.lab),
    });
    this.current = opts.node;
  }

  /** Looked up by name on every use, so a lab rebuilt in place (reset-lab) never leaves a stale node. */
  get node(): NodeState {
    return (this.current = liveNode(this.lab, this.current));
  }
  set node(n: NodeState) {
    this.current = n;
  }

  protected refresh(): void {
    this.current = liveNode(this.lab, this.current);
  }

  /** The start-up text of the CLI, hardware block included. */
  bannerLines(): string[] {
    return [
      'Command Line Interface is starting up, please wait ...',
      '',
      '   Welcome to the Platform Command Line Interface',
      '',
      'VMware Installation:',
      '\t2 vCPU: Intel(R) Xeon(R) CPU E5-2680 v4 @ 2.40GHz',
      '\tDisk 1: 110GB, Partitions aligned',
      '\t8192 Mbytes RAM',
      ...exerciseNotice(this.lab, this.current),
      '',
    ];
  }

  async banner(): Promise<void> {
    const lines = this.bannerLines();
    if (this.pace === 'realistic') {
      this.emit(lines[0] + '\n\n');
      await sleep(1500);
      this.emit(lines.slice(2, 4).join('\n') + '\n');
      await sleep(800);
      this.emit(lines.slice(4).join('\n') + '\n');
    } else this.emit(lines.join('\n') + '\n');
  }

  showPrompt(): void {
    this.emit(PROMPT);
  }

  protected failureLines(lines: string[]): string[] {
    return [...lines, UNSUCCESSFUL];
  }

  protected async dispatch(line: string, ctx: CommandContext): Promise<number | void> {
    const reg = this.registry;
    const r = reg.resolve(line, { lab: this.lab, node: this.node });
    switch (r.kind) {
      case 'empty':
        return 0;
      case 'unknown':
      case 'ambiguous':
        if (/^-/.test(r.word)) {
          ctx.out('Invalid command, a dash character must be preceded by a space');
          return ctx.fail();
        }
        return ctx.fail('No valid command entered');
      case 'incomplete':
        ctx.out(...reg.listing([...r.node.children.values()], this.width));
        return ctx.fail();
      case 'badparam':
        ctx.out(...reg.syntaxHelp(r.spec));
        return ctx.fail();
      case 'command': {
        if (r.spec.publisherOnly && !this.node.publisher) return ctx.fail(r.spec.publisherOnly);
        return r.spec.run(ctx, r.args);
      }
    }
  }
}

/** The lab's node of that name (reset-lab builds new node objects); the old one if it is gone. */
function liveNode(lab: Lab, node: NodeState): NodeState {
  return lab.nodes.includes(node) ? node : (lab.node(node.name) ?? node);
}

/**
 * One line at login while the lab runs an exercise (not CUCM's text: the lab's own notice), and one
 * more on another node than the exercise's own.
 */
function exerciseNotice(lab: Lab, node: NodeState): string[] {
  const x = lab.state.exercise;
  if (!x) return [];
  const out = [`Lab exercise ${x.id} is running: check it with 'exercise check' at lab> (cucm-sim lab --lab ${lab.state.name} exercise check).`];
  if (x.node && x.node !== node.name) out.push(`The exercise is worked from the admin CLI of ${x.node} (cucm-sim --lab ${lab.state.name} --node ${x.node}).`);
  return out;
}
