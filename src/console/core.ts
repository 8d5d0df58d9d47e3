// The console core shared by every front end (Ink REPL, script mode, SSH, runbooks).
// It turns command lines into output events; it knows nothing of terminals or keys.
import type { Lab, NodeState } from '../../state/cluster/lab.js';
import { Cancelled, type CommandContext, type TransferClient } from './command.js';
import type { Registry } from './registry.js';
import { complete, questionHelp, type Completion } from './completion.js';
import type { OutputKind, RunResult, SessionIO } from './io.js';
import { Pager } from './pager.js';
import { ask } from './dialog.js';
import { activeExercise, recordCommand } from '../../state/exercises/events.js';
import type { ConsoleKind } from '../../state/exercises/model.js';

type Listener = (text: string, kind: OutputKind) => void;

/** What a caller may set on any console; the kinds of console fill in the rest. */
export interface ConsoleOptions {
  lab: Lab;
  user?: string;
  width?: number;
  /** terminal height; paging is only done when it is known */
  height?: number;
  pace?: 'fast' | 'realistic';
  transfer?: TransferClient;
  registry?: Registry;
}

export interface CoreOptions {
  lab: Lab;
  user: string;
  width?: number;
  height?: number;
  pace?: 'fast' | 'realistic';
  transfer: TransferClient;
  registry: Registry;
}

/**
 * What every console has in common: output listeners, the command context given to commands,
 * questions, paging, Ctrl-C and error handling. The admin: CLI and the lab console differ only in
 * their command tree, prompt, banner and error texts.
 */
export abstract class ConsoleCore {
  readonly lab: Lab;
  readonly user: string;
  /** terminal size, followed as the client resizes; paging is only done when the height is known */
  width: number;
  height?: number;
  /** `set cli pagination`: it lasts for this session only, as on a real system */
  pagination = true;
  pace: 'fast' | 'realistic';
  commandCount = 0;
  ended = false;
  readonly registry: Registry;
  protected transfer: TransferClient;
  private listeners = new Set<Listener>();

  constructor(opts: CoreOptions) {
    this.lab = opts.lab;
    this.user = opts.user;
    this.width = opts.width ?? 80;
    this.height = opts.height;
    this.pace = opts.pace ?? 'fast';
    this.registry = opts.registry;
    this.transfer = opts.transfer;
  }

  /** The node commands act on. */
  abstract get node(): NodeState;
  abstract bannerLines(): string[];
  abstract showPrompt(): void;
  protected abstract dispatch(line: string, ctx: CommandContext): Promise<number | void> | number | void;

  async banner(): Promise<void> {
    this.emit(this.bannerLines().join('\n') + '\n');
  }

  on(fn: Listener): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  emit(text: string, kind: OutputKind = 'out'): void {
    if (!text) return;
    for (const l of this.listeners) l(text, kind);
  }

  /** Lines printed when a command fails (the admin: CLI adds its generic failure line). */
  protected failureLines(lines: string[]): string[] {
    return lines;
  }

  /** A line the console answers itself without running a command (comments, typed-out `?`). */
  protected handledBeforeRun(_line: string): boolean {
    return false;
  }

  /** Called before every command, Tab and `?`: a lab rebuilt in place (reset-lab) has new node objects. */
  protected refresh(): void {}

  completion(line: string): Completion {
    this.refresh();
    return complete(this.registry, line, { lab: this.lab, node: this.node }, this.width);
  }

  question(line: string): string[] {
    this.refresh();
    return questionHelp(this.registry, line, { lab: this.lab, node: this.node }, this.width);
  }

  /** Runs one command line: echoes it, executes it, prints its output. */
  async run(line: string, io: SessionIO): Promise<RunResult> {
    this.refresh();
    this.emit(line + '\n', 'echo');
    const trimmed = line.trim();
    if (!trimmed || this.handledBeforeRun(line)) return { status: 0, ended: false };
    this.commandCount++;
    const pager = new Pager(this, io);
    let status = 0;
    const ctx = this.context(io, pager, () => {
      this.ended = true;
    });
    try {
      status = (await this.dispatch(trimmed, ctx)) ?? 0;
    } catch (e) {
      await pager.flush();
      if (e instanceof Cancelled) {
        // end of input at a question ends the session quietly; Ctrl-C prints the CLI's line
        if (e.endOfInput) this.ended = true;
        else this.emit('Control-C pressed\n');
      } else {
        // never a stack trace on a console: the message (and, on the CLI, the failure line)
        const msg = e instanceof Error ? e.message : String(e);
        this.emit(this.failureLines([msg]).map((l) => l + '\n').join(''));
      }
      status = 1;
    }
    await pager.flush();
    this.noteCommand(trimmed, status);
    return { status, ended: this.ended };
  }

  /** Which console this is, in a running exercise's event log. */
  protected readonly consoleKind: ConsoleKind = 'admin';

  /**
   * Adds the command to the running exercise's event log, if any. Kept in memory only: it reaches
   * lab.json with the next change, so a read-only command still writes nothing.
   */
  private noteCommand(line: string, status: number): void {
    if (!activeExercise(this.lab)) return;
    const r = this.registry.resolve(line, { lab: this.lab, node: this.node });
    const command = r.kind === 'command' ? r.spec.path.join(' ') : undefined;
    recordCommand(this.lab, { console: this.consoleKind, node: this.node.name, line: line.slice(0, 200), command, status });
  }

  private context(io: SessionIO, pager: Pager, end: () => void): CommandContext {
    const core = this;
    return {
      lab: this.lab,
      // looked up on every use: a command waiting for another's change sees the live node after it
      get node() {
        return core.node;
      },
      session: {
        user: this.user,
        commandCount: this.commandCount,
        width: this.width,
        height: this.height,
        get pagination() {
          return core.pagination;
        },
        set pagination(on: boolean) {
          core.pagination = on;
        },
      },
      write: (t) => pager.push(t),
      out: (...lines) => pager.push(lines.map((l) => l + '\n').join('')),
      ask: (prompt, opts) => ask((t, k) => this.emit(t, k), pager, io, prompt, opts),
      fail: (...lines) => {
        const all = this.failureLines(lines);
        if (all.length) pager.push(all.map((l) => l + '\n').join(''));
        return 1;
      },
      sleep: async (ms) => {
        await pager.flush();
        if (this.pace === 'realistic') await sleep(ms);
        // lab time moves by what the operation takes on a real system, so a fixed clock still
        // stamps each rebuilt file anew; a wall clock that was really waited on moved already
        if (ms > 0 && (this.lab.state.clock.fixed || this.pace !== 'realistic')) {
          await this.lab.mutate(() => this.lab.advanceClock(ms));
        }
      },
      wait: async (ms) => {
        await pager.flush();
        if (this.pace === 'realistic') await sleep(ms);
      },
      pace: this.pace,
      transfer: this.transfer,
      mutate: (fn) => this.lab.mutate(fn),
      endSession: end,
      registry: this.registry,
    };
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
