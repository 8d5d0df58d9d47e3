// The console's output as the REPL shows it: finished lines for <Static> scrollback, and the
// unfinished last line (a prompt, a question) that the input line is drawn after.
import { isPagerEvent } from '../../console/io.js';
import { useEffect, useRef, useState } from 'react';
import type { ReplSession } from './session.js';

export interface Item {
  id: number;
  text: string;
}

export function useScrollback(session: ReplSession): { items: Item[]; partial: string } {
  const [items, setItems] = useState<Item[]>([]);
  const [partial, setPartial] = useState('');
  const nextId = useRef(0);
  const partialRef = useRef('');

  useEffect(() => {
    const push = (text: string) => {
      const all = partialRef.current + text;
      const parts = all.split('\n');
      const rest = parts.pop() ?? '';
      if (parts.length) setItems((old) => [...old, ...parts.map((t) => ({ id: nextId.current++, text: t }))]);
      partialRef.current = rest;
      setPartial(rest);
    };
    return session.on((text, kind) => {
      // the pager prompt lives in the live area, never in scrollback
      if (!isPagerEvent(kind)) push(text);
    });
  }, [session]);

  return { items, partial };
}
