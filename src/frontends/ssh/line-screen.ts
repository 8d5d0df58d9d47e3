// Where the cursor of an edited line is on a character terminal, so that a line longer than the
// terminal is wide (wrapped over several rows) is redrawn correctly: a backspace cannot leave its
// row, so moves across rows go up or down and then to the column.

const CSI = /\x1b\[[0-9;?]*[\x40-\x7e]/g;

/** Turns the line editor's cell operations (back, write, erase) into bytes for a terminal. */
export class LineScreen {
  /** column the output has reached, from the text written so far */
  private col = 0;
  /** column the edited line starts at (after the prompt or question) */
  private base = 0;
  /** cursor and end of the line shown, in cells from the line's start */
  private at = 0;
  private shown = 0;

  constructor(private readonly width: () => number) {}

  /** Output (not the edited line) was written: the cursor column follows it. */
  wrote(text: string): void {
    // escape sequences (the bold pager prompt, its wiping) take no cells
    const plain = text.replace(CSI, '');
    const i = Math.max(plain.lastIndexOf('\n'), plain.lastIndexOf('\r'));
    this.col = i >= 0 ? plain.length - i - 1 : this.col + plain.length;
  }

  /** A new edited line starts where the output stands (after a prompt or a question). */
  start(): void {
    this.base = this.col % this.width();
    this.at = 0;
    this.shown = 0;
  }

  back(n: number): string {
    return this.moveTo(this.at - n);
  }

  write(text: string): string {
    this.at += text.length;
    this.shown = Math.max(this.shown, this.at);
    return text + this.wrapped();
  }

  /** Blanks n cells from the cursor on (the end of a line that got shorter); the cursor stays. */
  erase(n: number): string {
    const spaces = ' '.repeat(n);
    this.at += n;
    const out = spaces + this.wrapped();
    this.shown = this.at - n;
    return out + this.moveTo(this.at - n);
  }

  /** To the end of the line, where the next output may start on a fresh row. */
  toEnd(): string {
    const out = this.moveTo(this.shown);
    this.col = (this.base + this.shown) % this.width();
    return out;
  }

  /**
   * A write that filled its row exactly leaves the cursor waiting at the row's last cell; CR LF
   * puts it where the next cell really is, so later moves can count rows.
   */
  private wrapped(): string {
    const abs = this.base + this.at;
    return this.at > 0 && abs % this.width() === 0 ? '\r\n' : '';
  }

  private moveTo(to: number): string {
    const w = this.width();
    const a = this.base + this.at;
    const b = this.base + to;
    this.at = to;
    if (a === b) return '';
    const [ra, ca, rb, cb] = [Math.floor(a / w), a % w, Math.floor(b / w), b % w];
    if (ra === rb) return cb < ca ? '\b'.repeat(ca - cb) : `\x1b[${cb - ca}C`;
    const rows = ra > rb ? `\x1b[${ra - rb}A` : `\x1b[${rb - ra}B`;
    return rows + '\r' + (cb > 0 ? `\x1b[${cb}C` : '');
  }
}
