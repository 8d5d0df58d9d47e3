// The plain-text recording: what the terminal showed, one rendered and redacted line at a time.
import { renderLine } from './terminal-text.js';

export class TextWriter {
  private textOut = '';
  private partial = '';

  constructor(
    private readonly write: (s: string) => void,
    private readonly redact: (s: string) => string,
  ) {}

  /** Output of the session (pager prompts are never passed here). */
  output(raw: string): void {
    const all = this.partial + raw.replace(/\r\n/g, '\n');
    const nl = all.lastIndexOf('\n');
    if (nl < 0) {
      this.partial = all;
      return;
    }
    this.partial = all.slice(nl + 1);
    const done = all
      .slice(0, nl)
      .split('\n')
      .map((l) => this.finishLine(l) + '\n')
      .join('');
    this.textOut += done;
    this.write(done);
  }

  /** A line of its own, after whatever the terminal line holds so far. */
  directive(line: string): void {
    if (this.partial) this.output('\n');
    this.output(line + '\n');
  }

  /** The transcript so far, redacted. */
  text(): string {
    return this.textOut + (this.partial ? this.finishLine(this.partial) + '\n' : '');
  }

  /** The terminal moves on to a new line when the session ends. */
  close(): void {
    if (!this.partial) return;
    const last = this.finishLine(this.partial) + '\n';
    this.partial = '';
    this.textOut += last;
    this.write(last);
  }

  private finishLine(line: string): string {
    return this.redact(renderLine(line));
  }
}
