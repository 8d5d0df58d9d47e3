// The SSH PTY shell: raw keys go through the console's line editor, and its operations are echoed
// with plain bytes (BS, text, spaces), the way the CUCM CLI redraws a line.
import { Cancelled } from '../../console/command.js';
import type { Completion } from '../../console/completion.js';
import type { RunResult } from '../../console/io.js';
import { LineEditor, type EditOp, type Key, type PagerChoice } from '../../console/line-editor.js';
import { crlf, terminalBytes } from '../terminal.js';
import { FrontEnd, MAX_LINE, terminalSafe } from './front-end.js';
import { KeyDecoder } from './keys.js';

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
  private queue: Key[] = [];
  private head = 0;
  private pumping = false;

  async start(): Promise<void> {
    // typed text is echoed by the editor as it is typed, so the core's echoes are not sent
    this.off = this.session.on((text, kind) => {
      if (kind !== 'echo') this.write(crlf(terminalBytes(terminalSafe(text), kind)));
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
    const keys = this.decoder.feed(d);
    const room = MAX_TYPEAHEAD - (this.queue.length - this.head);
    if (room <= 0) return;
    for (const k of keys.length > room ? keys.slice(0, room) : keys) this.queue.push(k);
    this.pump();
  }

  private pump(): void {
    if (this.pumping) return;
    this.pumping = true;
    let bell = false;
    try {
      while (!this.closed && !this.paused && this.head < this.queue.length) {
        const k = this.queue[this.head];
        if (this.editor.mode === 'busy') {
          // Ctrl-C cannot stop a running command; it is not kept for later either
          if ('key' in k && k.key === 'ctrl-c') this.head++;
          else break;
          continue;
        }
        this.head++;
        // one bell per burst of refused keys, not one per key of a pasted flood
        if (!this.render(this.editor.key(k)) && !bell) {
          bell = true;
          this.write('\x07');
        }
      }
    } finally {
      this.pumping = false;
    }
    if (this.head === this.queue.length) {
      this.queue = [];
      this.head = 0;
    } else if (this.head > 4096) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
  }

  /** Carries out the editor's operations; false when one of them is the bell. */
  private render(ops: EditOp[]): boolean {
    let ok = true;
    for (const o of ops) {
      switch (o.op) {
        case 'back':
          this.write('\b'.repeat(o.n));
          break;
        case 'write':
          this.write(o.text);
          break;
        case 'erase':
          this.write(' '.repeat(o.n) + '\b'.repeat(o.n));
          break;
        case 'bell':
          ok = false;
          break;
        case 'submit':
          this.write('\r\n');
          void this.runCommand(o.line);
          break;
        case 'answer': {
          // a hidden answer (echo off) leaves the cursor where it was, as the real terminal does
          if (!o.hidden) this.write('\r\n');
          const asking = this.asking;
          this.asking = undefined;
          asking?.resolve(o.text);
          break;
        }
        case 'complete': {
          let c: Completion;
          try {
            c = this.session.completion(o.line);
          } catch {
            break;
          }
          this.render(this.editor.completion(c));
          break;
        }
        case 'help': {
          let help: string[];
          try {
            help = this.session.question(o.line);
          } catch {
            help = [];
          }
          this.write('?\r\n');
          if (help.length) this.write(crlf(terminalSafe(help.join('\n')) + '\n'));
          break;
        }
        case 'list':
          this.write('\r\n' + o.lines.map(terminalSafe).join('\r\n') + '\r\n');
          break;
        case 'reprint':
          this.session.showPrompt();
          this.write(o.text);
          break;
        case 'cancel':
          this.write('^C\r\n');
          this.prompt();
          break;
        case 'cancelAnswer': {
          this.write('\r\n');
          const asking = this.asking;
          this.asking = undefined;
          asking?.reject(new Cancelled());
          break;
        }
        case 'eof':
          this.end('\r\n', true);
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

  /** The prompt after a command: a CR first, as the real CLI sends `\r\nadmin:` ... `\radmin:`. */
  private prompt(): void {
    this.write('\r');
    this.session.showPrompt();
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
