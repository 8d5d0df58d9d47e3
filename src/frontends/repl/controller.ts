// The REPL without React: raw terminal input through the shared key decoder, typeahead and line
// editor; what the editor asks for (run, answer, complete, help, page) done on the console; finished
// output lines handed to the terminal as they are, so the terminal wraps (and rewraps) them. Two
// consoles on one lab (admin: and lab>) share the screen, and F2 switches between them.
import { Cancelled } from '../../console/command.js';
import { questionFor, tabFor } from '../../console/completion.js';
import { isPagerEvent } from '../../console/io.js';
import { LineEditor, type EditOp, type PagerChoice } from '../../console/line-editor.js';
import { Typeahead } from '../../console/typeahead.js';
import { KeyDecoder } from '../keys.js';
import type { ReplSession } from './session.js';

/** Longest command line or answer kept (as over SSH); further typing rings the bell. */
const MAX_LINE = 4096;

/**
 * Rows of the screen the REPL keeps for itself under the output: the status line, and the row
 * Ink leaves its cursor on below it. The pager leaves these out of each screenful.
 */
export const REPL_ROWS = 2;

/** What the controller needs of the screen. */
export interface ReplScreen {
  /** finished output lines, above the live area */
  write(text: string): void;
  /** the live area (partial line, typed line, status line) is drawn again */
  redraw(): void;
  bell(): void;
  /** the last session has ended */
  exit(): void;
  columns(): number;
  rows(): number;
}

/** What others may follow of the REPL. */
export interface ReplHooks {
  /** an F2 switch begins (true) and ends (false, before the next console's prompt) */
  switching?(on: boolean): void;
}

export class ReplController {
  readonly editor = new LineEditor({ maxLine: MAX_LINE });
  private decoder = new KeyDecoder();
  private keys = new Typeahead(this.editor, {
    open: () => !this.ended,
    apply: (ops) => this.apply(ops),
    bell: () => this.screen.bell(),
  });
  /** the unfinished last output line (a prompt or a question) the typed line follows */
  partial = '';
  private current = 0;
  private started = new Set<number>();
  private asking?: { resolve(v: string): void; reject(e: Error): void };
  private paging?: (v: PagerChoice) => void;
  private ended = false;
  private offs: Array<() => void> = [];

  constructor(
    private readonly sessions: ReplSession[],
    private readonly screen: ReplScreen,
    private readonly hooks: ReplHooks = {},
  ) {
    // every console writes to the one screen; only the one in front runs commands
    for (const s of sessions) {
      this.offs.push(
        s.on((text, kind) => {
          if (!isPagerEvent(kind)) this.output(text);
        }),
      );
    }
    this.size();
  }

  /** The console in front. */
  get session(): ReplSession {
    return this.sessions[this.current];
  }

  /** Whether F2 has another console to switch to. */
  get canSwitch(): boolean {
    return this.sessions.length > 1;
  }

  async start(): Promise<void> {
    await this.show();
    this.editor.prompt();
    this.keys.pump();
    this.screen.redraw();
  }

  /** Raw bytes from the terminal: every key in them, in order, typed ahead while a command runs. */
  input(data: string): void {
    if (this.ended) return;
    this.keys.push(this.decoder.feed(data));
    this.screen.redraw();
  }

  /** The terminal was resized: consoles page and list for the new size. */
  resize(): void {
    this.size();
    this.screen.redraw();
  }

  private size(): void {
    const cols = this.screen.columns();
    const rows = this.screen.rows();
    for (const s of this.sessions) {
      s.width = cols;
      // too few rows to page in: output goes out whole
      s.height = rows > REPL_ROWS + 2 ? rows - REPL_ROWS : undefined;
    }
  }

  close(): void {
    for (const off of this.offs) off();
    this.offs = [];
  }

  private output(text: string): void {
    const all = this.partial + text;
    const cut = all.lastIndexOf('\n');
    if (cut >= 0) this.screen.write(all.slice(0, cut + 1));
    this.partial = all.slice(cut + 1);
    this.screen.redraw();
  }

  /** Banner (the first time) and prompt of the console in front. */
  private async show(): Promise<void> {
    if (!this.started.has(this.current)) {
      this.started.add(this.current);
      await this.session.banner();
    }
    this.session.showPrompt();
  }

  private finish(): void {
    if (this.ended) return;
    this.ended = true;
    this.keys.clear();
    this.close();
    this.screen.exit();
  }

  private async run(line: string): Promise<void> {
    let ended = false;
    try {
      const r = await this.session.run(line, {
        answer: (opts) =>
          new Promise<string>((resolve, reject) => {
            this.asking = { resolve, reject };
            this.editor.ask(opts);
            this.keys.pump();
            this.screen.redraw();
          }),
        pager: () =>
          new Promise<PagerChoice>((resolve) => {
            this.paging = resolve;
            this.editor.page();
            this.keys.pump();
            this.screen.redraw();
          }),
      });
      ended = r.ended;
    } catch {
      // the core reports command failures itself
    }
    if (ended) return this.finish();
    this.session.showPrompt();
    this.editor.prompt();
    this.keys.pump();
    this.screen.redraw();
  }

  /** Carries out the editor's operations; false when one was a refused key. */
  private apply(ops: EditOp[]): boolean {
    let ok = true;
    // the typed line is drawn from the editor's state, so its cell operations need nothing here
    for (const o of ops) {
      switch (o.op) {
        case 'bell':
          ok = false;
          break;
        case 'submit':
          void this.run(o.line);
          break;
        case 'answer': {
          const a = this.asking;
          this.asking = undefined;
          a?.resolve(o.text);
          break;
        }
        case 'cancelAnswer': {
          const a = this.asking;
          this.asking = undefined;
          a?.reject(new Cancelled());
          break;
        }
        case 'complete': {
          const c = tabFor(this.session, o.line);
          if (c) this.apply(this.editor.completion(c));
          break;
        }
        case 'help': {
          const help = questionFor(this.session, o.line);
          this.session.emit(o.line + '?\n', 'echo');
          if (help.length) this.session.emit(help.join('\n') + '\n');
          break;
        }
        case 'list':
          this.session.emit(o.line + '\n', 'echo');
          this.session.emit(o.lines.join('\n') + '\n');
          break;
        case 'reprint':
          this.session.showPrompt();
          break;
        case 'cancel':
          this.session.emit(o.line + '^C\n', 'echo');
          this.session.showPrompt();
          break;
        case 'eof': {
          const a = this.asking;
          this.asking = undefined;
          // at a question the command unwinds first (ending the question's line); its run() result
          // ends the REPL
          if (a) a.reject(new Cancelled(true));
          else {
            this.session.emit('\n', 'echo');
            this.finish();
          }
          break;
        }
        case 'switch':
          if (this.canSwitch) void this.switchConsole(this.editor.line);
          break;
        case 'page': {
          const p = this.paging;
          this.paging = undefined;
          p?.(o.choice);
          break;
        }
      }
    }
    return ok;
  }

  /** F2: the line typed so far stays in the scrollback, the other console comes to the front. */
  private async switchConsole(typed: string): Promise<void> {
    this.editor.wait();
    this.hooks.switching?.(true);
    this.session.emit(typed + '\n', 'echo');
    this.current = (this.current + 1) % this.sessions.length;
    if (!this.started.has(this.current)) {
      this.started.add(this.current);
      await this.session.banner();
    }
    this.hooks.switching?.(false);
    this.session.showPrompt();
    this.editor.prompt();
    this.keys.pump();
    this.screen.redraw();
  }
}
