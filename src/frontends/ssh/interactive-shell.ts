// The SSH PTY shell: raw keys go through the console's line editor, and its operations are echoed
// with plain bytes (BS, text, spaces), the way the CUCM CLI redraws a line; a line wider than the
// terminal is redrawn across its rows.
import { Cancelled } from '../../console/command.js';
import { questionFor, tabFor } from '../../console/completion.js';
import type { RunResult } from '../../console/io.js';
import { LineEditor, type EditOp, type PagerChoice } from '../../console/line-editor.js';
import { Typeahead } from '../../console/typeahead.js';
import { KeyDecoder } from '../keys.js';
import { crlf, terminalBytes } from '../terminal.js';
import { FrontEnd, MAX_LINE, terminalSafe } from './front-end.js';
import { LineScreen } from './line-screen.js';

/** Keys typed ahead while a command runs; the rest is dropped. */
const MAX_TYPEAHEAD = 16384;

/** The PTY shell: banner, `admin:` prompt, raw keys edited and echoed live. */
export class InteractiveShell extends FrontEnd {
  private decoder = new KeyDecoder();
  private editor = new LineEditor({ maxLine: MAX_LINE });
  /** the question of the running command, while the user types its answer */
  private asking?: { resolve(v: string): void; reject(e: Error): void };
  /** the pager prompt of the running command, while it waits for its key */
  private paging?: (v: PagerChoice) => void;
  private screen = new LineScreen(() => this.session.width);
  private keys = new Typeahead(this.editor, {
    max: MAX_TYPEAHEAD,
    open: () => !this.closed && !this.paused,
    apply: (ops) => this.render(ops),
    bell: () => this.write('\x07'),
  });

  async start(): Promise<void> {
    // typed text is echoed by the editor as it is typed, so the core's echoes are not sent
    this.off = this.session.on((text, kind) => {
      if (kind !== 'echo') this.out(crlf(terminalBytes(terminalSafe(text), kind, this.session.width)));
    });
    this.ch.on('data', (d: Buffer) => this.input(d));
    this.touch();
    try {
      await this.session.banner();
    } catch {
      // a banner cannot fail in a way the user could act on
    }
    if (this.closed) return;
    this.session.showPrompt();
    this.screen.start();
    this.editor.prompt();
    this.pump();
  }

  /**
   * A wall message: it starts on a line of its own, and the prompt and the text being typed are
   * drawn again after it (cursor where it was), so the typed line is neither lost nor garbled.
   */
  override notice(text: string): void {
    if (this.closed) return;
    this.write('\r\n' + crlf(terminalSafe(text)));
    const mode = this.editor.mode;
    if (mode !== 'edit' && mode !== 'answer') return;
    const { text: shown, cursor } = this.editor.view();
    if (mode === 'edit') this.session.showPrompt();
    this.write(shown + '\b'.repeat(Math.max(0, shown.length - cursor)));
  }

  protected resumed(): void {
    this.pump();
  }

  protected isBusy(): boolean {
    return this.editor.mode === 'busy';
  }

  protected cancelPending(): void {
    this.editor.wait();
    const { asking, paging } = this;
    this.asking = this.paging = undefined;
    asking?.reject(new Cancelled());
    paging?.('quit');
  }

  private input(d: Buffer): void {
    if (this.closed) return;
    this.touch();
    this.keys.push(this.decoder.feed(d));
  }

  private pump(): void {
    this.keys.pump();
  }

  /** Output of the console: the screen follows where it leaves the cursor. */
  private out(text: string): void {
    this.screen.wrote(text);
    this.write(text);
  }

  /** Carries out the editor's operations; false when one of them is the bell. */
  private render(ops: EditOp[]): boolean {
    let ok = true;
    for (const o of ops) {
      switch (o.op) {
        case 'back':
          this.write(this.screen.back(o.n));
          break;
        case 'write':
          this.write(this.screen.write(o.text));
          break;
        case 'erase':
          this.write(this.screen.erase(o.n));
          break;
        case 'bell':
          ok = false;
          break;
        case 'submit':
          this.write(this.screen.toEnd() + '\r\n');
          void this.runCommand(o.line);
          break;
        case 'answer': {
          // a hidden answer (echo off) leaves the cursor where it was, as the real terminal does
          if (!o.hidden) this.write(this.screen.toEnd() + '\r\n');
          const asking = this.asking;
          this.asking = undefined;
          asking?.resolve(o.text);
          break;
        }
        case 'complete': {
          const c = tabFor(this.session, o.line);
          if (c) this.render(this.editor.completion(c));
          break;
        }
        case 'help': {
          const help = questionFor(this.session, o.line);
          this.write(this.screen.toEnd() + '?\r\n');
          if (help.length) this.write(crlf(terminalSafe(help.join('\n')) + '\n'));
          break;
        }
        case 'list':
          this.write(this.screen.toEnd() + '\r\n' + o.lines.map(terminalSafe).join('\r\n') + '\r\n');
          break;
        case 'reprint':
          this.session.showPrompt();
          this.screen.start();
          this.write(this.screen.write(o.text));
          break;
        case 'cancel':
          this.write(this.screen.toEnd() + '^C\r\n');
          this.prompt();
          break;
        case 'cancelAnswer': {
          this.write(this.screen.toEnd() + '\r\n');
          const asking = this.asking;
          this.asking = undefined;
          asking?.reject(new Cancelled());
          break;
        }
        case 'eof':
          this.eof();
          break;
        case 'switch':
          break;
        case 'page': {
          const paging = this.paging;
          this.paging = undefined;
          paging?.(o.choice);
          break;
        }
      }
    }
    return ok;
  }

  /** End of input (Ctrl-D on an empty line): at a question the command ends, then the session. */
  private eof(): void {
    this.write(this.screen.toEnd() + '\r\n');
    const asking = this.asking;
    this.asking = undefined;
    // the running command unwinds and its run() result ends the session
    if (asking) return asking.reject(new Cancelled(true));
    this.end(undefined, true);
  }

  /** The prompt after a command: a CR first, as the real CLI sends `\r\nadmin:` ... `\radmin:`. */
  private prompt(): void {
    this.out('\r');
    this.session.showPrompt();
    this.screen.start();
    this.editor.prompt();
  }

  private async runCommand(text: string): Promise<void> {
    let r: RunResult;
    this.hold();
    try {
      r = await this.session.run(text, {
        answer: (opts) =>
          new Promise<string>((resolve, reject) => {
            if (this.closed) return reject(new Cancelled());
            // the question must reach the user; the rest of the command is held again after it
            this.release();
            this.asking = { resolve, reject };
            this.screen.start();
            this.editor.ask(opts);
            this.pump();
          }).finally(() => this.hold()),
        pager: () =>
          new Promise<PagerChoice>((resolve) => {
            if (this.closed) return resolve('quit');
            this.release();
            this.paging = resolve;
            this.editor.page();
            this.pump();
          }).finally(() => this.hold()),
      });
    } catch {
      // the core reports command failures itself; this is a fault in a front-end path
      r = { status: 1, ended: false };
    }
    if (this.closed) return;
    if (!r.ended && this.paused) this.release();
    if (r.ended) return this.end(undefined, true);
    await this.drained();
    if (this.closed) return;
    this.prompt();
    this.release();
    this.pump();
  }
}
