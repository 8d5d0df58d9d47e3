// Keys typed ahead: both interactive front ends queue every key they decode and hand them to the
// line editor only while it takes keys. A pasted block of lines therefore runs line after line,
// exactly as if each had been typed after the previous command's prompt, and the answer to a
// question may be typed (or pasted) before the question is shown.
import type { EditOp, Key, LineEditor } from './line-editor.js';

/** Keys held while a command runs, unless the front end says otherwise; the rest is dropped. */
export const DEFAULT_TYPEAHEAD = 16384;

export interface TypeaheadOptions {
  /** most keys held at once */
  max?: number;
  /** false while the front end cannot take keys (closed, or its client is not reading) */
  open?(): boolean;
  /** carries out the editor's operations; returns false when one was a refused key (bell) */
  apply(ops: EditOp[]): boolean;
  /** once per burst of refused keys, not once per key of a pasted flood */
  bell?(): void;
}

export class Typeahead {
  private queue: Key[] = [];
  private head = 0;
  private pumping = false;
  private readonly max: number;

  constructor(
    private readonly editor: LineEditor,
    private readonly opts: TypeaheadOptions,
  ) {
    this.max = opts.max ?? DEFAULT_TYPEAHEAD;
  }

  /** Keys waiting for the editor. */
  get waiting(): number {
    return this.queue.length - this.head;
  }

  /** Queues keys (past the limit they are dropped) and hands over what the editor can take now. */
  push(keys: Key[]): void {
    const room = this.max - this.waiting;
    if (room <= 0) return;
    for (const k of keys.length > room ? keys.slice(0, room) : keys) this.queue.push(k);
    this.pump();
  }

  /** Drops every waiting key. */
  clear(): void {
    this.queue = [];
    this.head = 0;
  }

  /** Hands waiting keys to the editor until it stops taking them (a command runs). */
  pump(): void {
    // apply() may run a command that ends at once and pumps again: one loop at a time
    if (this.pumping) return;
    this.pumping = true;
    let rang = false;
    try {
      while (this.head < this.queue.length && (this.opts.open?.() ?? true)) {
        const k = this.queue[this.head];
        if (this.editor.mode === 'busy') {
          // Ctrl-C cannot stop a running command; it is not kept for later either
          if ('key' in k && k.key === 'ctrl-c') this.head++;
          else break;
          continue;
        }
        this.head++;
        if (!this.opts.apply(this.editor.key(k)) && !rang) {
          rang = true;
          this.opts.bell?.();
        }
      }
    } finally {
      this.pumping = false;
    }
    if (this.head === this.queue.length) this.clear();
    else if (this.head > 4096) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
  }
}
