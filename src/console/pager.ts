// The pager: splits a command's output into screens when the terminal height is known and
// pagination is on, and waits for a key between screens.
import type { Lab } from '../../state/cluster/lab.js';
import type { OutputKind, SessionIO } from './io.js';

/** What the pager prompt says; how it looks on a terminal is up to the front end layer. */
export const PAGER_TEXT = 'Press <enter> for 1 line, <space> for one page, or <q> to quit';

/** What the pager needs of its console. */
export interface PagerHost {
  readonly height?: number;
  readonly lab: Lab;
  emit(text: string, kind?: OutputKind): void;
}

/** Splits output into screens when the terminal height is known and pagination is on. */
export class Pager {
  private buf = '';
  private lines = 0;
  private quit = false;
  private allowance = 0;
  constructor(
    private s: PagerHost,
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
    // output that fits on the rest of the screen goes out whole, without splitting it into lines
    let nl = 0;
    for (let i = text.indexOf('\n'); i !== -1 && this.lines + nl < page; i = text.indexOf('\n', i + 1)) nl++;
    if (this.allowance === 0 && this.lines + nl < page) {
      this.lines += nl;
      this.s.emit(text);
      return;
    }
    const parts = text.split(/(?<=\n)/);
    // lines go out in one piece per screenful, not one event per line
    let chunk = '';
    for (const part of parts) {
      if (this.quit) return;
      if (this.allowance === 0 && this.lines >= page) {
        this.s.emit(chunk);
        chunk = '';
        this.s.emit(PAGER_TEXT, 'pager');
        const key = await this.io.pager();
        this.s.emit(PAGER_TEXT, 'pager-end');
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
