// The line editor of the interactive front ends: keys in; the line, the cursor and abstract screen
// operations out. No I/O and no escape codes: the SSH shell turns the operations into bytes, the
// Ink REPL renders the editor's state.
import type { AskOptions } from './command.js';
import type { Completion } from './completion.js';
import { History } from './history.js';

export type KeyName =
  | 'enter'
  | 'backspace'
  | 'delete'
  | 'left'
  | 'right'
  | 'up'
  | 'down'
  | 'home'
  | 'end'
  | 'tab'
  | 'ctrl-c'
  | 'ctrl-d'
  | 'ctrl-u'
  | 'ctrl-k'
  | 'ctrl-w'
  | 'f2';
export type Key = { ch: string } | { key: KeyName };

export type PagerChoice = 'line' | 'page' | 'quit';

/** Typing a command, typing an answer, waiting at the pager prompt, or not taking keys (a command runs). */
export type EditorMode = 'edit' | 'answer' | 'pager' | 'busy';

/** What a key does to the screen, and what the front end is asked to do about it. */
export type EditOp =
  /** the cursor moves n cells to the left */
  | { op: 'back'; n: number }
  /** text shown from the cursor on; the cursor ends up after it */
  | { op: 'write'; text: string }
  /** n cells from the cursor on are blanked; the cursor stays */
  | { op: 'erase'; n: number }
  /** a refused key */
  | { op: 'bell' }
  /** Enter on a command line: run it */
  | { op: 'submit'; line: string }
  /** Enter on an answer; with echo off the cursor stays where it was */
  | { op: 'answer'; text: string; hidden: boolean }
  /** Tab: the front end completes the line and hands the result to completion() */
  | { op: 'complete'; line: string }
  /** `?`: the front end shows what can follow the line */
  | { op: 'help'; line: string }
  /** Tab found several candidates for the line: the front end lists them */
  | { op: 'list'; line: string; lines: string[] }
  /** the prompt and the line shown again below, the cursor at the end */
  | { op: 'reprint'; text: string }
  /** Ctrl-C on a command line: the line is dropped, a fresh prompt follows */
  | { op: 'cancel'; line: string }
  /** Ctrl-C on an answer: the question is cancelled */
  | { op: 'cancelAnswer' }
  /** Ctrl-D on an empty command line or answer (end of input): the session ends */
  | { op: 'eof' }
  /** F2 at a command line: the front end switches to its other console, if it has one */
  | { op: 'switch' }
  /** a key at the pager prompt */
  | { op: 'page'; choice: PagerChoice };

export interface EditorOptions {
  /** longest line kept; further typing rings the bell (a paste flood stays small) */
  maxLine?: number;
}

const bell = (): EditOp[] => [{ op: 'bell' }];

export class LineEditor {
  readonly history = new History();
  private text = '';
  private pos = 0;
  private current: EditorMode = 'busy';
  private asked: AskOptions = {};
  private readonly maxLine: number;

  constructor(opts: EditorOptions = {}) {
    this.maxLine = opts.maxLine ?? Infinity;
  }

  get line(): string {
    return this.text;
  }

  get cursor(): number {
    return this.pos;
  }

  get mode(): EditorMode {
    return this.current;
  }

  /** The line as shown (stars for a password, nothing with echo off) and the cursor within it. */
  view(): { text: string; cursor: number } {
    return { text: this.display(this.text), cursor: this.display(this.text.slice(0, this.pos)).length };
  }

  /** A new command line after the prompt. */
  prompt(): void {
    this.text = '';
    this.pos = 0;
    this.current = 'edit';
  }

  /** A new answer to a question the console has printed. */
  ask(opts: AskOptions): void {
    this.text = '';
    this.pos = 0;
    this.asked = opts;
    this.current = 'answer';
  }

  /** The pager prompt is shown: the next key picks how to go on. */
  page(): void {
    this.current = 'pager';
  }

  /** No keys taken until the next prompt(), ask() or page(). */
  wait(): void {
    this.current = 'busy';
  }

  key(k: Key): EditOp[] {
    const mode = this.current;
    if (mode === 'busy') return [];
    if (mode === 'pager') return this.pagerKey(k);
    const editing = mode === 'edit';
    if ('ch' in k) {
      if (editing && k.ch === '?') {
        // `?` lists what can follow at once, then the line is offered again for more typing
        this.pos = this.text.length;
        return [
          { op: 'help', line: this.text },
          { op: 'reprint', text: this.text },
        ];
      }
      if (this.text.length >= this.maxLine) return bell();
      return this.edit(this.text.slice(0, this.pos) + k.ch + this.text.slice(this.pos), this.pos + 1);
    }
    switch (k.key) {
      case 'enter':
        return this.enter();
      case 'tab':
        return editing ? [{ op: 'complete', line: this.text }] : [];
      case 'ctrl-c': {
        const line = this.text;
        this.text = '';
        this.pos = 0;
        this.history.rewind();
        if (editing) return [{ op: 'cancel', line }];
        this.current = 'busy';
        return [{ op: 'cancelAnswer' }];
      }
      case 'ctrl-d':
        // as in readline: end of input on an empty line, else the character under the cursor goes
        if (this.text === '') {
          this.current = 'busy';
          return [{ op: 'eof' }];
        }
        if (this.pos >= this.text.length) return bell();
        return this.edit(this.text.slice(0, this.pos) + this.text.slice(this.pos + 1), this.pos);
      case 'ctrl-w': {
        // the word before the cursor and the spaces after it
        let p = this.pos;
        while (p > 0 && this.text[p - 1] === ' ') p--;
        while (p > 0 && this.text[p - 1] !== ' ') p--;
        if (p === this.pos) return bell();
        return this.edit(this.text.slice(0, p) + this.text.slice(this.pos), p);
      }
      case 'backspace':
        if (this.pos === 0) return bell();
        return this.edit(this.text.slice(0, this.pos - 1) + this.text.slice(this.pos), this.pos - 1);
      case 'delete':
        if (this.pos >= this.text.length) return bell();
        return this.edit(this.text.slice(0, this.pos) + this.text.slice(this.pos + 1), this.pos);
      case 'left':
        return this.pos > 0 ? this.edit(this.text, this.pos - 1) : bell();
      case 'right':
        return this.pos < this.text.length ? this.edit(this.text, this.pos + 1) : bell();
      case 'home':
        return this.edit(this.text, 0);
      case 'end':
        return this.edit(this.text, this.text.length);
      case 'ctrl-u':
        return this.edit(this.text.slice(this.pos), 0);
      case 'ctrl-k':
        return this.edit(this.text.slice(0, this.pos), this.pos);
      case 'f2':
        return editing ? [{ op: 'switch' }] : [];
      case 'up':
      case 'down':
        if (!editing) return [];
        return this.recall(k.key === 'up' ? this.history.older() : this.history.newer());
    }
  }

  /** Applies the completion asked for by a `complete` operation. */
  completion(c: Completion): EditOp[] {
    if (this.current !== 'edit') return [];
    if (c.list?.length) {
      const before = this.text;
      this.text = c.line.slice(0, this.maxLine);
      this.pos = this.text.length;
      return [
        { op: 'list', line: before, lines: c.list },
        { op: 'reprint', text: this.text },
      ];
    }
    if (c.line === this.text) return [];
    const to = c.line.slice(0, this.maxLine);
    return [...this.edit(this.text, this.text.length), ...this.edit(to, to.length)];
  }

  private pagerKey(k: Key): EditOp[] {
    const name = 'key' in k ? k.key : k.ch;
    const choice: PagerChoice | undefined =
      name === 'enter' ? 'line' : name === ' ' ? 'page' : name === 'q' || name === 'Q' || name === 'ctrl-c' ? 'quit' : undefined;
    if (!choice) return [];
    this.current = 'busy';
    return [{ op: 'page', choice }];
  }

  private enter(): EditOp[] {
    const text = this.text;
    this.text = '';
    this.pos = 0;
    const answering = this.current === 'answer';
    this.current = 'busy';
    if (answering) return [{ op: 'answer', text, hidden: !!this.asked.hidden }];
    this.history.add(text);
    return [{ op: 'submit', line: text }];
  }

  private recall(text: string | undefined): EditOp[] {
    if (text === undefined) return bell();
    return [...this.edit(this.text, this.text.length), ...this.edit(text, text.length)];
  }

  private display(s: string): string {
    if (this.current !== 'answer') return s;
    if (this.asked.hidden) return '';
    return this.asked.password ? '*'.repeat(s.length) : s;
  }

  /**
   * Moves from the current line and cursor to new ones with the fewest cell operations: back up to
   * where the lines differ, rewrite the tail, blank what is left over, back up to the new cursor.
   */
  private edit(line: string, cursor: number): EditOp[] {
    const oldD = this.display(this.text);
    const newD = this.display(line);
    const oldC = this.display(this.text.slice(0, this.pos)).length;
    const newC = this.display(line.slice(0, cursor)).length;
    const ops: EditOp[] = [];
    const back = (n: number) => n > 0 && ops.push({ op: 'back', n });
    const write = (text: string) => text && ops.push({ op: 'write', text });
    if (oldD === newD) {
      if (newC < oldC) back(oldC - newC);
      else write(newD.slice(oldC, newC));
    } else {
      let p = 0;
      while (p < oldD.length && p < newD.length && oldD[p] === newD[p]) p++;
      const start = Math.min(p, oldC);
      const pad = Math.max(0, oldD.length - newD.length);
      back(oldC - start);
      write(newD.slice(start));
      if (pad) ops.push({ op: 'erase', n: pad });
      back(newD.length - newC);
    }
    this.text = line;
    this.pos = cursor;
    return ops;
  }
}
