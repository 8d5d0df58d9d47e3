// The SSH line mode: exec requests and shells without a PTY read whole lines, with no editing.
import { drive } from '../../console/drive.js';
import { Cancelled } from '../../console/command.js';
import { isPagerEvent } from '../../console/io.js';
import { LineQueue } from '../script/script.js';
import { FrontEnd, MAX_LINE, terminalSafe } from './front-end.js';

/** Lines read from stdin in line mode over a whole session. */
const MAX_LINES = 10000;
/** Characters of lines waiting to be run or answered before stdin stops being read. */
const MAX_QUEUED = 256 * 1024;

/**
 * Line mode: exec requests (`ssh host 'show itl'`) and shells without a PTY. Commands come from
 * the exec string or from stdin; answers to questions are the next stdin lines. Nothing is
 * echoed except answers in exec mode, so a transcript still shows what was answered.
 */
export class LineShell extends FrontEnd {
  private q = new LineQueue();
  private partial = '';
  private lastCR = false;
  private lines = 0;
  private running = false;
  private pendingAnswer = false;
  /** characters of the lines in the queue; past MAX_QUEUED the channel is not read */
  private queued = 0;
  private inputHeld = false;

  /** Runs the commands (or, without any, stdin lines with banner and prompts); returns the status. */
  async start(commands?: string[]): Promise<number> {
    const exec = commands !== undefined;
    let skipEcho = false;
    this.off = this.session.on((text, kind) => {
      if (isPagerEvent(kind)) return;
      if (kind === 'echo') {
        // the first echo of a run is the command line itself
        if (skipEcho || !exec) return void (skipEcho = false);
      }
      this.write(terminalSafe(text));
    });
    this.ch.on('data', (d: Buffer) => this.input(d));
    this.ch.on('end', () => this.eof());
    this.touch();
    let failed = false;
    // each question is answered by the next stdin line; stdin that ends there ends the session as
    // Ctrl-D does in the PTY shell (no Ctrl-C line)
    const answers = async () => {
      this.pendingAnswer = true;
      const a = await this.nextLine();
      this.pendingAnswer = false;
      if (a === undefined) throw new Cancelled(true);
      return a;
    };
    try {
      if (!exec) await this.session.banner();
      for (let i = 0; !this.closed; i++) {
        let line: string | undefined;
        if (exec) line = commands[i];
        else {
          this.session.showPrompt();
          line = await this.nextLine();
        }
        if (line === undefined) break;
        if (exec && !line.trim()) continue;
        this.running = true;
        skipEcho = true;
        const r = await drive(this.session, line, { answers });
        this.running = false;
        if (r.status !== 0) failed = true;
        if (r.ended) break;
        await this.drained();
      }
    } catch {
      failed = true;
    }
    const status = failed ? 1 : 0;
    this.end(undefined, true, status);
    return status;
  }

  private async nextLine(): Promise<string | undefined> {
    const line = await this.q.next();
    if (line !== undefined) this.queued -= line.length;
    if (this.inputHeld && this.queued <= MAX_QUEUED / 2) {
      this.inputHeld = false;
      try {
        if (!this.paused) this.ch.resume();
      } catch {
        // the channel is already gone
      }
    }
    return line;
  }

  protected mayRead(): boolean {
    return !this.inputHeld;
  }

  private push(line: string): void {
    this.queued += line.length;
    this.q.push(line);
  }

  protected isBusy(): boolean {
    return this.running && !this.pendingAnswer;
  }

  protected cancelPending(): void {
    this.q.close();
  }

  private input(d: Buffer): void {
    if (this.closed) return;
    this.touch();
    const s = d.toString('utf8');
    for (const c of s) {
      if (c === '\n' && this.lastCR) {
        this.lastCR = false;
        continue;
      }
      this.lastCR = c === '\r';
      if (c === '\r' || c === '\n') {
        // a flood of lines is not buffered without end
        if (++this.lines <= MAX_LINES) this.push(this.partial);
        this.partial = '';
      } else if (this.partial.length < MAX_LINE) this.partial += c;
    }
    // a client that sends faster than its commands run waits, instead of filling memory
    if (this.queued > MAX_QUEUED && !this.inputHeld) {
      this.inputHeld = true;
      this.ch.pause();
    }
  }

  private eof(): void {
    if (this.partial) this.push(this.partial);
    this.partial = '';
    this.q.close();
  }
}
