// The pager: splits a command's output into screens when the terminal height is known and
// pagination is on, and waits for a key between screens.
import type { OutputKind, SessionIO } from './io.js';

/** What the pager prompt says; how it looks on a terminal is up to the front end layer. */
export const PAGER_TEXT = 'Press <enter> for 1 line, <space> for one page, or <q> to quit';

/** What the pager needs of its console. */
export interface PagerHost {
  /** rows the output may use (the front end leaves out its own furniture, such as a status line) */
  readonly height?: number;
  /** columns: a line wider than this takes several rows */
  readonly width: number;
  /** `set cli pagination` of this session */
  readonly pagination: boolean;
  emit(text: string, kind?: OutputKind): void;
}

/** Rows a line of output takes on a terminal `width` columns wide (the line end not counted). */
export function rowsOf(line: string, width: number): number {
  const cells = line.endsWith('\n') ? line.length - 1 : line.length;
  return Math.max(1, Math.ceil(cells / Math.max(1, width)));
}

/**
 * Splits output into screens when the terminal height is known and pagination is on. It counts
 * rows, not lines: a wrapped line takes several, and the pager prompt takes the last one, so the
 * first row of a screen is still in sight when the prompt asks for a key.
 */
export class Pager {
  private buf = '';
  /** rows of the screen used since the last page break (or question) */
  private rows = 0;
  private quit = false;
  /** rows that may still go out after <enter> (one line) before the prompt comes back */
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
    this.rows = 0;
  }

  async flush(): Promise<void> {
    if (!this.buf) return;
    const text = this.buf;
    this.buf = '';
    const h = this.s.height;
    if (!h || h < 3 || !this.s.pagination || !this.io.pager) {
      this.s.emit(text);
      return;
    }
    const w = this.s.width;
    // the pager prompt takes the last row (or rows, on a narrow terminal)
    const page = Math.max(1, h - rowsOf(PAGER_TEXT, w));
    const parts = text.split(/(?<=\n)/);
    // output that fits on the rest of the screen goes out whole
    if (this.allowance === 0) {
      let need = 0;
      for (const part of parts) if (part.endsWith('\n')) need += rowsOf(part, w);
      if (this.rows + need <= page) {
        this.rows += need;
        this.s.emit(text);
        return;
      }
    }
    // lines go out in one piece per screenful, not one event per line
    let chunk = '';
    for (const part of parts) {
      if (this.quit) return;
      const r = part.endsWith('\n') ? rowsOf(part, w) : 0;
      if (this.allowance === 0 && r > 0 && this.rows + r > page && this.rows > 0) {
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
        else this.rows = 0;
      }
      chunk += part;
      if (r > 0) {
        if (this.allowance > 0) this.allowance--;
        else this.rows += r;
      }
    }
    this.s.emit(chunk);
  }
}
