// The line editor on its own: keys in, the line, the cursor and the screen operations out.
import { describe, expect, it } from 'vitest';
import { LineEditor, type EditOp, type Key, type KeyName } from '../src/console/line-editor.js';
import { Typeahead } from '../src/console/typeahead.js';

const k = (name: KeyName): Key => ({ key: name });
const chars = (s: string): Key[] => [...s].map((ch) => ({ ch }));

/** An editor at a fresh prompt with `text` typed; the typing's own operations are dropped. */
function typed(text = '', opts: { maxLine?: number } = {}): LineEditor {
  const e = new LineEditor(opts);
  e.prompt();
  for (const key of chars(text)) e.key(key);
  return e;
}

const press = (e: LineEditor, ...keys: Key[]): EditOp[] => keys.flatMap((key) => e.key(key));

describe('typing and moving', () => {
  it('echoes typed characters one cell at a time', () => {
    const e = typed();
    expect(press(e, ...chars('ab'))).toEqual([
      { op: 'write', text: 'a' },
      { op: 'write', text: 'b' },
    ]);
    expect([e.line, e.cursor]).toEqual(['ab', 2]);
  });

  it('inserts in the middle by rewriting the tail and backing up to the cursor', () => {
    const e = typed('ab');
    expect(press(e, k('left'))).toEqual([{ op: 'back', n: 1 }]);
    expect(press(e, { ch: 'X' })).toEqual([
      { op: 'write', text: 'Xb' },
      { op: 'back', n: 1 },
    ]);
    expect([e.line, e.cursor]).toEqual(['aXb', 2]);
  });

  it('deletes before the cursor: back, rewrite the tail, blank the last cell, back again', () => {
    const e = typed('abc');
    press(e, k('left'));
    expect(press(e, k('backspace'))).toEqual([
      { op: 'back', n: 1 },
      { op: 'write', text: 'c' },
      { op: 'erase', n: 1 },
      { op: 'back', n: 1 },
    ]);
    expect([e.line, e.cursor]).toEqual(['ac', 1]);
  });

  it('deletes under the cursor with delete', () => {
    const e = typed('abc');
    press(e, k('home'));
    expect(press(e, k('delete'))).toEqual([
      { op: 'write', text: 'bc' },
      { op: 'erase', n: 1 },
      { op: 'back', n: 2 },
    ]);
    expect([e.line, e.cursor]).toEqual(['bc', 0]);
  });

  it('moves right by writing the cells passed over, home and end by whole stretches', () => {
    const e = typed('show');
    expect(press(e, k('home'))).toEqual([{ op: 'back', n: 4 }]);
    expect(press(e, k('right'))).toEqual([{ op: 'write', text: 's' }]);
    expect(press(e, k('end'))).toEqual([{ op: 'write', text: 'how' }]);
    expect(press(e, k('end'))).toEqual([]);
  });

  it('cuts before the cursor with Ctrl-U and after it with Ctrl-K', () => {
    const e = typed('show itl');
    press(e, k('left'), k('left'), k('left'));
    expect(press(e, k('ctrl-k'))).toEqual([{ op: 'erase', n: 3 }]);
    expect([e.line, e.cursor]).toEqual(['show ', 5]);
    press(e, k('left'));
    expect(press(e, k('ctrl-u'))).toEqual([
      { op: 'back', n: 4 },
      { op: 'write', text: ' ' },
      { op: 'erase', n: 4 },
      { op: 'back', n: 1 },
    ]);
    expect([e.line, e.cursor]).toEqual([' ', 0]);
  });

  it('rings the bell for moves and deletions past either end', () => {
    const e = typed('a');
    expect(press(e, k('right'))).toEqual([{ op: 'bell' }]);
    expect(press(e, k('delete'))).toEqual([{ op: 'bell' }]);
    press(e, k('home'));
    expect(press(e, k('left'))).toEqual([{ op: 'bell' }]);
    expect(press(e, k('backspace'))).toEqual([{ op: 'bell' }]);
    expect(e.line).toBe('a');
  });

  it('rings the bell instead of growing a line past its limit', () => {
    const e = typed('abc', { maxLine: 3 });
    expect(press(e, { ch: 'd' })).toEqual([{ op: 'bell' }]);
    expect(e.line).toBe('abc');
  });
});

describe('command lines', () => {
  it('submits the line on Enter and takes no keys until the next prompt', () => {
    const e = typed('show itl');
    expect(press(e, k('enter'))).toEqual([{ op: 'submit', line: 'show itl' }]);
    expect(e.mode).toBe('busy');
    expect([e.line, e.cursor]).toEqual(['', 0]);
    expect(press(e, { ch: 'x' }, k('ctrl-c'), k('enter'))).toEqual([]);
    e.prompt();
    expect(e.mode).toBe('edit');
  });

  it('asks for help with ? and shows the line again, cursor at its end', () => {
    const e = typed('show it');
    press(e, k('left'), k('left'));
    expect(press(e, { ch: '?' })).toEqual([
      { op: 'help', line: 'show it' },
      { op: 'reprint', text: 'show it' },
    ]);
    expect([e.line, e.cursor]).toEqual(['show it', 7]);
  });

  it('asks for completion on Tab and applies a unique completion as an edit', () => {
    const e = typed('sh');
    expect(press(e, k('tab'))).toEqual([{ op: 'complete', line: 'sh' }]);
    expect(e.completion({ line: 'show ' })).toEqual([{ op: 'write', text: 'ow ' }]);
    expect([e.line, e.cursor]).toEqual(['show ', 5]);
    expect(e.completion({ line: 'show ' })).toEqual([]);
  });

  it('lists several candidates and shows the line again below them', () => {
    const e = typed('show c');
    expect(e.completion({ line: 'show c', list: ['cert*  ctl'] })).toEqual([
      { op: 'list', line: 'show c', lines: ['cert*  ctl'] },
      { op: 'reprint', text: 'show c' },
    ]);
    expect([e.line, e.cursor]).toEqual(['show c', 6]);
  });

  it('drops the line on Ctrl-C and stays at the prompt', () => {
    const e = typed('show');
    expect(press(e, k('ctrl-c'))).toEqual([{ op: 'cancel', line: 'show' }]);
    expect([e.line, e.cursor, e.mode]).toEqual(['', 0, 'edit']);
  });

  it('ends the session on Ctrl-D at an empty line; on a non-empty line it deletes under the cursor', () => {
    const e = typed('xy');
    // at the end of the line there is nothing under the cursor
    expect(press(e, k('ctrl-d'))).toEqual([{ op: 'bell' }]);
    press(e, k('left'));
    expect(press(e, k('ctrl-d'))).toEqual([{ op: 'erase', n: 1 }]);
    expect([e.line, e.cursor]).toEqual(['x', 1]);
    press(e, k('backspace'));
    expect(press(e, k('ctrl-d'))).toEqual([{ op: 'eof' }]);
    expect(e.mode).toBe('busy');
  });

  it('Ctrl-W deletes the word before the cursor and the spaces after it', () => {
    const e = typed('show cert list  ');
    expect(press(e, k('ctrl-w'))).toEqual([
      { op: 'back', n: 6 },
      { op: 'erase', n: 6 },
    ]);
    expect([e.line, e.cursor]).toEqual(['show cert ', 10]);
    press(e, k('left'), k('left'));
    // from inside a word: the part before the cursor goes, the rest moves left
    expect(press(e, k('ctrl-w'))).toEqual([
      { op: 'back', n: 3 },
      { op: 'write', text: 't ' },
      { op: 'erase', n: 3 },
      { op: 'back', n: 2 },
    ]);
    expect([e.line, e.cursor]).toEqual(['show t ', 5]);
    press(e, k('home'));
    expect(press(e, k('ctrl-w'))).toEqual([{ op: 'bell' }]);
  });

  it('F2 asks the front end to switch consoles at a command line, not at a question', () => {
    const e = typed('show');
    expect(press(e, k('f2'))).toEqual([{ op: 'switch' }]);
    e.ask({});
    expect(press(e, k('f2'))).toEqual([]);
  });
});

describe('history', () => {
  function withHistory(...lines: string[]): LineEditor {
    const e = typed();
    for (const l of lines) {
      press(e, ...chars(l), k('enter'));
      e.prompt();
    }
    return e;
  }

  it('recalls older commands with up and comes back to an empty line with down', () => {
    const e = withHistory('show itl', 'show ctl');
    expect(press(e, k('up'))).toEqual([{ op: 'write', text: 'show ctl' }]);
    expect(press(e, k('up'))).toEqual([
      { op: 'back', n: 3 },
      { op: 'write', text: 'itl' },
    ]);
    expect(e.line).toBe('show itl');
    // the oldest entry stays put
    expect(press(e, k('up'))).toEqual([]);
    press(e, k('down'));
    expect(e.line).toBe('show ctl');
    expect(press(e, k('down'))).toEqual([
      { op: 'back', n: 8 },
      { op: 'erase', n: 8 },
    ]);
    expect([e.line, e.cursor]).toEqual(['', 0]);
  });

  it('rings the bell with nothing to recall', () => {
    const e = typed();
    expect(press(e, k('up'))).toEqual([{ op: 'bell' }]);
    expect(press(e, k('down'))).toEqual([{ op: 'bell' }]);
  });

  it('keeps neither blank lines nor the same command twice in a row', () => {
    const e = withHistory('show itl', '   ', 'show itl');
    expect(press(e, k('up'))).toEqual([{ op: 'write', text: 'show itl' }]);
    expect(press(e, k('up'))).toEqual([]);
  });

  it('moves the cursor to the end of the line before replacing it', () => {
    const e = withHistory('ab');
    press(e, ...chars('xyz'), k('home'));
    expect(press(e, k('up'))).toEqual([
      { op: 'write', text: 'xyz' },
      { op: 'back', n: 3 },
      { op: 'write', text: 'ab' },
      { op: 'erase', n: 1 },
    ]);
    expect([e.line, e.cursor]).toEqual(['ab', 2]);
  });
});

describe('answers', () => {
  it('takes ? and Tab as text, ignores up and down, and returns the answer on Enter', () => {
    const e = typed();
    press(e, k('enter'));
    e.ask({});
    expect(press(e, { ch: '?' }, k('tab'), k('up'), k('down'))).toEqual([{ op: 'write', text: '?' }]);
    expect(press(e, k('enter'))).toEqual([{ op: 'answer', text: '?', hidden: false }]);
    expect(e.mode).toBe('busy');
  });

  it('shows a password as stars, edits it in stars, and answers with the typed text', () => {
    const e = new LineEditor();
    e.ask({ password: true });
    expect(press(e, ...chars('ab'))).toEqual([
      { op: 'write', text: '*' },
      { op: 'write', text: '*' },
    ]);
    expect(press(e, k('backspace'))).toEqual([
      { op: 'back', n: 1 },
      { op: 'erase', n: 1 },
    ]);
    expect(e.view()).toEqual({ text: '*', cursor: 1 });
    expect(press(e, k('enter'))).toEqual([{ op: 'answer', text: 'a', hidden: false }]);
  });

  it('shows nothing at all with echo off', () => {
    const e = new LineEditor();
    e.ask({ hidden: true });
    expect(press(e, ...chars('secret'), k('left'), k('backspace'))).toEqual([]);
    expect(e.view()).toEqual({ text: '', cursor: 0 });
    expect(press(e, k('enter'))).toEqual([{ op: 'answer', text: 'secrt', hidden: true }]);
  });

  it('cancels the question on Ctrl-C', () => {
    const e = new LineEditor();
    e.ask({});
    press(e, ...chars('y'));
    expect(press(e, k('ctrl-c'))).toEqual([{ op: 'cancelAnswer' }]);
    expect([e.line, e.mode]).toEqual(['', 'busy']);
  });
});

describe('the pager prompt', () => {
  it('maps Enter, space and q (or Q, or Ctrl-C) to a line, a page or quit, and ignores other keys', () => {
    const cases: Array<[Key, 'line' | 'page' | 'quit']> = [
      [k('enter'), 'line'],
      [{ ch: ' ' }, 'page'],
      [{ ch: 'q' }, 'quit'],
      [{ ch: 'Q' }, 'quit'],
      [k('ctrl-c'), 'quit'],
    ];
    for (const [key, choice] of cases) {
      const e = new LineEditor();
      e.page();
      expect(press(e, { ch: 'x' }, k('tab'))).toEqual([]);
      expect(press(e, key)).toEqual([{ op: 'page', choice }]);
      expect(e.mode).toBe('busy');
    }
  });
});

describe('end of input at a question', () => {
  it('Ctrl-D on an empty answer ends the session; on a typed answer it deletes under the cursor', () => {
    const e = typed();
    press(e, k('enter'));
    e.ask({});
    press(e, ...chars('ye'), k('left'));
    expect(press(e, k('ctrl-d'))).toEqual([{ op: 'erase', n: 1 }]);
    press(e, k('backspace'));
    expect(press(e, k('ctrl-d'))).toEqual([{ op: 'eof' }]);
    expect(e.mode).toBe('busy');
  });
});

describe('typeahead', () => {
  /** A front end in miniature: submitted lines "run" until finish() is called. */
  function frontEnd() {
    const e = new LineEditor();
    const done: string[] = [];
    const answers: string[] = [];
    let running = false;
    const t = new Typeahead(e, {
      apply(ops) {
        for (const o of ops) {
          if (o.op === 'submit') {
            done.push(o.line);
            running = true;
          }
          if (o.op === 'answer') answers.push(o.text);
        }
        return !ops.some((o) => o.op === 'bell');
      },
    });
    e.prompt();
    return {
      e,
      t,
      done,
      answers,
      finish() {
        running = false;
        e.prompt();
        t.pump();
      },
      get running() {
        return running;
      },
    };
  }

  it('runs each line of a paste in order, one after the other command ends', () => {
    const f = frontEnd();
    f.t.push([...chars('show myself'), k('enter'), ...chars('show itl'), k('enter'), ...chars('show ctl'), k('enter')]);
    expect(f.done).toEqual(['show myself']);
    f.finish();
    expect(f.done).toEqual(['show myself', 'show itl']);
    f.finish();
    expect(f.done).toEqual(['show myself', 'show itl', 'show ctl']);
    expect(f.t.waiting).toBe(0);
  });

  it('keeps a typed-ahead answer for the question the command asks', () => {
    const f = frontEnd();
    f.t.push([...chars('set cert regen tomcat'), k('enter'), ...chars('yes'), k('enter'), ...chars('show itl'), k('enter')]);
    expect(f.done).toEqual(['set cert regen tomcat']);
    f.e.ask({});
    f.t.pump();
    expect(f.answers).toEqual(['yes']);
    f.finish();
    expect(f.done).toEqual(['set cert regen tomcat', 'show itl']);
  });

  it('honours control keys in the same chunk as text, in order', () => {
    const f = frontEnd();
    // typo, Ctrl-U, retyped; then a word removed with Ctrl-W and a character fixed after arrows
    f.t.push([...chars('shwo'), k('ctrl-u'), ...chars('show ixl xx'), k('ctrl-w'), k('backspace'), k('left'), k('left'), k('delete'), ...chars('t'), k('enter')]);
    expect(f.done).toEqual(['show itl']);
  });

  it('drops Ctrl-C typed while a command runs, and keys past its limit', () => {
    const e = new LineEditor();
    const t = new Typeahead(e, { max: 3, apply: () => true });
    // the editor takes no keys yet (a command runs): three are held, then Ctrl-C is dropped
    t.push([k('ctrl-c'), ...chars('abcd')]);
    expect(t.waiting).toBe(2);
    e.prompt();
    t.pump();
    expect(e.line).toBe('ab');
  });
});
