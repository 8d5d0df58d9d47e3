// The REPL's keyboard side: Ink keys through the console's line editor, and what the editor asks
// for (run a line, answer a question, complete, help, page) done on the console.
import { useEffect, useReducer, useRef, useState } from 'react';
import { useApp, useInput } from 'ink';
import { Cancelled } from '../../console/command.js';
import type { Completion } from '../../console/completion.js';
import { LineEditor, type EditOp, type PagerChoice } from '../../console/line-editor.js';
import { editorKeys } from './ink-keys.js';
import type { ReplSession } from './session.js';

export function useConsole(session: ReplSession, onExit: () => void): LineEditor {
  const { exit } = useApp();
  // typing may start while the banner is still printed
  const [editor] = useState(() => {
    const e = new LineEditor();
    e.prompt();
    return e;
  });
  const [, redraw] = useReducer((n: number) => n + 1, 0);
  const asking = useRef<{ resolve(v: string): void; reject(e: Error): void }>(undefined);
  const paging = useRef<(v: PagerChoice) => void>(undefined);

  useEffect(() => {
    (async () => {
      await session.banner();
      session.showPrompt();
    })();
  }, [session]);

  const quit = () => {
    onExit();
    exit();
  };

  const run = async (line: string) => {
    const r = await session.run(line, {
      answer: (opts) =>
        new Promise<string>((resolve, reject) => {
          asking.current = { resolve, reject };
          editor.ask(opts);
          redraw();
        }),
      pager: () =>
        new Promise<PagerChoice>((resolve) => {
          paging.current = resolve;
          editor.page();
          redraw();
        }),
    });
    if (r.ended) return quit();
    session.showPrompt();
    editor.prompt();
    redraw();
  };

  // the typed line is drawn from the editor's state, so its cell operations need nothing here
  const apply = (ops: EditOp[]) => {
    for (const o of ops) {
      switch (o.op) {
        case 'submit':
          void run(o.line);
          break;
        case 'answer':
        case 'cancelAnswer': {
          const a = asking.current;
          asking.current = undefined;
          if (o.op === 'answer') a?.resolve(o.text);
          else a?.reject(new Cancelled());
          break;
        }
        case 'complete': {
          let c: Completion;
          try {
            c = session.completion(o.line);
          } catch {
            break;
          }
          apply(editor.completion(c));
          break;
        }
        case 'help': {
          let help: string[];
          try {
            help = session.question(o.line);
          } catch {
            help = [];
          }
          session.emit(o.line + '?\n', 'echo');
          if (help.length) session.emit(help.join('\n') + '\n');
          break;
        }
        case 'list':
          session.emit(o.line + '\n', 'echo');
          session.emit(o.lines.join('\n') + '\n');
          break;
        case 'reprint':
          session.showPrompt();
          break;
        case 'cancel':
          session.emit(o.line + '^C\n', 'echo');
          session.showPrompt();
          break;
        case 'eof':
          quit();
          break;
        case 'page': {
          const p = paging.current;
          paging.current = undefined;
          p?.(o.choice);
          break;
        }
      }
    }
  };

  useInput((input, key) => {
    for (const k of editorKeys(input, key)) apply(editor.key(k));
    redraw();
  });

  return editor;
}
