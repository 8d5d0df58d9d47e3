// The session core shared by every front end (Ink REPL, script mode, SSH, runbooks).
// It turns command lines into output events; it knows nothing of terminals or keys.
import type { Lab, NodeState } from '../../state/cluster/lab.js';
import {
  AskOptions,
  Cancelled,
  CommandContext,
  Completion,
  Registry,
  TransferClient,
  UNSUCCESSFUL,
  complete,
  questionHelp,
} from './registry.js';
import { defaultRegistry } from '../../commands/admin/index.js';
import { defaultTransfer } from '../net/transfer.js';

export type OutputKind = 'out' | 'echo' | 'pager';

export interface SessionIO {
  /** Reads the answer to a question the session has already printed. Rejects with Cancelled on Ctrl-C. */
  answer(opts: AskOptions): Promise<string>;
  /** Waits for a key at the pager prompt. */
  pager?(): Promise<'line' | 'page' | 'quit'>;
}

export interface SessionOptions {
  lab: Lab;
  node: NodeState;
  user?: string;
  width?: number;
  /** terminal height; paging is only done when it is known */
  height?: number;
  pace?: 'fast' | 'realistic';
  transfer?: TransferClient;
  registry?: Registry;
}

export const PROMPT = 'admin:';
export const PAGER_PROMPT = '\x1b[1mPress <enter> for 1 line, <space> for one page, or <q> to quit\x1b[0m';

export interface RunResult {
  status: number;
  ended: boolean;
}

type Listener = (text: string, kind: OutputKind) => void;

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
  width: number;
  height?: number;
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

  /** Called before every command, Tab and `?`: a rolled-back change replaces the lab's node objects. */
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
      if (e instanceof Cancelled) this.emit('Control-C pressed\n');
      else {
        // never a stack trace on a console: the message (and, on the CLI, the failure line)
        const msg = e instanceof Error ? e.message : String(e);
        this.emit(this.failureLines([msg]).map((l) => l + '\n').join(''));
      }
      status = 1;
    }
    await pager.flush();
    return { status, ended: this.ended };
  }

  private context(io: SessionIO, pager: Pager, end: () => void): CommandContext {
    const session = this;
    return {
      lab: this.lab,
      node: this.node,
      session: { user: this.user, commandCount: this.commandCount, width: this.width, height: this.height },
      write: (t) => pager.push(t),
      out: (...lines) => pager.push(lines.map((l) => l + '\n').join('')),
      async ask(prompt: string, opts: AskOptions = {}) {
        await pager.flush();
        pager.resetCount();
        session.emit(prompt);
        let ans: string;
        try {
          ans = await io.answer(opts);
        } catch (e) {
          session.emit('\n', 'echo');
          throw e instanceof Cancelled ? e : new Cancelled();
        }
        // with echo off the terminal shows nothing, not even the end of the line
        if (!opts.hidden) session.emit((opts.password ? '*'.repeat(ans.length) : ans) + '\n', 'echo');
        return ans;
      },
      fail: (...lines) => {
        const all = this.failureLines(lines);
        if (all.length) pager.push(all.map((l) => l + '\n').join(''));
        return 1;
      },
      sleep: async (ms) => {
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
      registry: opts.registry ?? defaultRegistry(),
    });
    this.current = opts.node;
  }

  get node(): NodeState {
    return this.current;
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

/** Splits output into screens when the terminal height is known and pagination is on. */
class Pager {
  private buf = '';
  private lines = 0;
  private quit = false;
  private allowance = 0;
  constructor(
    private s: ConsoleCore,
    private io: SessionIO,
  ) {}

  push(text: string): void {
    if (this.quit) return;
    this.buf += text;
  }

  resetCount(): void {
    this.lines = 0;
  }

  async flush(): Promise<void> {
    if (!this.buf) return;
    const text = this.buf;
    this.buf = '';
    const h = this.s.height;
    if (!h || h < 3 || !this.s.lab.state.cli.pagination || !this.io.pager) {
      this.s.emit(text);
      return;
    }
    const page = h - 1;
    const parts = text.split(/(?<=\n)/);
    // lines go out in one piece per screenful, not one event per line
    let chunk = '';
    for (const part of parts) {
      if (this.quit) return;
      if (this.allowance === 0 && this.lines >= page) {
        this.s.emit(chunk);
        chunk = '';
        this.s.emit(PAGER_PROMPT, 'pager');
        const key = await this.io.pager();
        this.s.emit('\r\x1b[K', 'pager');
        if (key === 'quit') {
          this.quit = true;
          this.buf = '';
          return;
        }
        if (key === 'line') this.allowance = 1;
        else this.lines = 0;
      }
      chunk += part;
      if (part.endsWith('\n')) {
        if (this.allowance > 0) this.allowance--;
        else this.lines++;
      }
    }
    this.s.emit(chunk);
  }
}

/** A rolled-back change replaces the lab's node objects; a session keeps to the live one. */
function liveNode(lab: Lab, node: NodeState): NodeState {
  return lab.node(node.name) ?? node;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
