// The local interactive front end: an Ink REPL over the session core.
// Finished lines go to <Static> scrollback; the live area holds the current prompt line and a status line.
import React, { useEffect, useRef, useState } from 'react';
import { Box, Static, Text, render, useApp, useInput } from 'ink';
import { Cancelled, AskOptions } from '../../console/registry.js';
import type { ConsoleCore } from '../../console/core.js';
import { TFTP } from '../../../state/cluster/services.js';

interface Pending {
  kind: 'answer' | 'pager';
  opts?: AskOptions;
  resolve: (v: string) => void;
  reject: (e: Error) => void;
}

interface Item {
  id: number;
  text: string;
}

/** What the REPL drives: the admin: session, or anything with the same interface (the lab console). */
export type ReplSession = Pick<ConsoleCore, 'lab' | 'node' | 'on' | 'emit' | 'banner' | 'showPrompt' | 'run' | 'completion' | 'question'> & {
  /** replaces the admin: status line */
  statusText?(): string;
};

function StatusLine({ session }: { session: ReplSession }) {
  if (session.statusText) return <Text dimColor>{session.statusText()}</Text>;
  const lab = session.lab;
  const node = session.node;
  const mode = lab.state.params.clusterSecurityMode === 1 ? 'mixed mode' : 'non-secure';
  const pending = lab.pendingRestarts(node);
  const tftp = lab.serviceRunning(node, TFTP) ? '' : ' | Tftp down';
  return (
    <Text dimColor>
      {`[${node.name}${node.publisher ? ' (publisher)' : ''} | ${mode}${tftp}${pending.length ? ` | restart needed: ${pending.join(', ')}` : ''}]`}
    </Text>
  );
}

function Repl({ session, onExit }: { session: ReplSession; onExit: () => void }) {
  const { exit } = useApp();
  const [items, setItems] = useState<Item[]>([]);
  const [partial, setPartial] = useState('');
  const [line, setLine] = useState('');
  const [cursor, setCursor] = useState(0);
  const [busy, setBusy] = useState(false);
  const [pending, setPending] = useState<Pending | undefined>();
  const [, setTick] = useState(0);
  const history = useRef<string[]>([]);
  const histPos = useRef(-1);
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
    const off = session.on((text, kind) => {
      if (kind === 'pager') {
        // the pager prompt lives in the live area, never in scrollback
        return;
      }
      push(text);
    });
    const offLab = session.lab.onChange(() => setTick((t) => t + 1));
    (async () => {
      await session.banner();
      session.showPrompt();
    })();
    return () => {
      off();
      offLab();
    };
  }, [session]);

  const submit = async (text: string) => {
    const waiting = pendingRef.current;
    if (waiting?.kind === 'answer') {
      setPending(undefined);
      pendingRef.current = undefined;
      waiting.resolve(text);
      return;
    }
    if (text.trim()) history.current.push(text);
    histPos.current = -1;
    setBusy(true);
    const r = await session.run(text, {
      answer: (opts) =>
        new Promise<string>((resolve, reject) => {
          const p: Pending = { kind: 'answer', opts, resolve, reject };
          pendingRef.current = p;
          setPending(p);
        }),
      pager: () =>
        new Promise<'line' | 'page' | 'quit'>((resolve, reject) => {
          const p: Pending = { kind: 'pager', resolve: (v) => resolve(v as 'line' | 'page' | 'quit'), reject };
          pendingRef.current = p;
          setPending(p);
        }),
    });
    setBusy(false);
    busyRef.current = false;
    if (r.ended) {
      onExit();
      exit();
      return;
    }
    session.showPrompt();
  };

  // Keys may arrive several to a chunk (fast typing, paste): printable runs are split per character
  // so that Tab, '?' and Enter inside a chunk still act.
  const lineRef = useRef('');
  const cursorRef = useRef(0);
  lineRef.current = line;
  cursorRef.current = cursor;
  const setEdit = (l: string, c: number) => {
    lineRef.current = l;
    cursorRef.current = c;
    setLine(l);
    setCursor(c);
  };
  const pendingRef = useRef<Pending | undefined>(undefined);
  pendingRef.current = pending;
  const busyRef = useRef(false);
  busyRef.current = busy;

  const onChar = (ch: string) => {
    const p = pendingRef.current;
    const l = lineRef.current;
    const c = cursorRef.current;
    if (ch === '\r' || ch === '\n') {
      if (busyRef.current && !p) return;
      setEdit('', 0);
      if (!p) busyRef.current = true;
      void submit(l);
      return;
    }
    if (busyRef.current && !p) return;
    if (!p && ch === '\t') {
      const comp = session.completion(l);
      if (comp.list?.length) {
        session.emit(l + '\n', 'echo');
        session.emit(comp.list.join('\n') + '\n');
        session.showPrompt();
      }
      setEdit(comp.line, comp.line.length);
      return;
    }
    if (!p && ch === '?') {
      const help = session.question(l);
      session.emit(l + '?\n', 'echo');
      if (help.length) session.emit(help.join('\n') + '\n');
      session.showPrompt();
      return;
    }
    if (/[\x00-\x1f\x7f]/.test(ch)) return;
    setEdit(l.slice(0, c) + ch + l.slice(c), c + 1);
  };

  useInput((input, key) => {
    const p = pendingRef.current;
    if (p?.kind === 'pager') {
      if (key.return) {
        setPending(undefined);
        p.resolve('line');
      } else if (input === ' ') {
        setPending(undefined);
        p.resolve('page');
      } else if (input === 'q' || (key.ctrl && input === 'c')) {
        setPending(undefined);
        p.resolve('quit');
      }
      return;
    }
    const l = lineRef.current;
    const c = cursorRef.current;
    if (key.ctrl && input === 'c') {
      if (p?.kind === 'answer') {
        setPending(undefined);
        setEdit('', 0);
        p.reject(new Cancelled());
      } else if (!busyRef.current) {
        session.emit(l + '^C\n', 'echo');
        setEdit('', 0);
        session.showPrompt();
      }
      return;
    }
    if (key.ctrl && input === 'd') {
      if (!busyRef.current && !p && l === '') {
        onExit();
        exit();
      }
      return;
    }
    if (key.return) return onChar('\r');
    if (key.tab) return onChar('\t');
    if (!p && (key.upArrow || key.downArrow)) {
      const h = history.current;
      if (!h.length) return;
      if (key.upArrow) histPos.current = histPos.current < 0 ? h.length - 1 : Math.max(0, histPos.current - 1);
      else if (histPos.current >= 0) histPos.current++;
      else return;
      if (histPos.current >= h.length) {
        histPos.current = -1;
        setEdit('', 0);
      } else setEdit(h[histPos.current], h[histPos.current].length);
      return;
    }
    if (key.leftArrow) return setEdit(l, Math.max(0, c - 1));
    if (key.rightArrow) return setEdit(l, Math.min(l.length, c + 1));
    if (key.backspace || key.delete) {
      if (c > 0) setEdit(l.slice(0, c - 1) + l.slice(c), c - 1);
      return;
    }
    if (key.ctrl && input === 'a') return setEdit(l, 0);
    if (key.ctrl && input === 'e') return setEdit(l, l.length);
    if (key.ctrl && input === 'u') return setEdit(l.slice(c), 0);
    if (!input || key.ctrl || key.meta || key.escape) return;
    for (const ch of input) onChar(ch);
  });

  const opts = pending?.kind === 'answer' ? pending.opts : undefined;
  const masked = opts?.hidden ? '' : opts?.password ? '*'.repeat(line.length) : line;
  const showInput = !busy || pending?.kind === 'answer';
  return (
    <>
      <Static items={items}>{(it) => <Text key={it.id}>{it.text || ' '}</Text>}</Static>
      <Box flexDirection="column">
        {pending?.kind === 'pager' ? (
          <Text bold>Press {'<enter>'} for 1 line, {'<space>'} for one page, or {'<q>'} to quit</Text>
        ) : (
          <Text>
            {partial}
            {showInput ? masked.slice(0, cursor) : ''}
            {showInput ? <Text inverse>{masked[cursor] ?? ' '}</Text> : ''}
            {showInput ? masked.slice(cursor + 1) : ''}
          </Text>
        )}
        <StatusLine session={session} />
      </Box>
    </>
  );
}

export async function runRepl(session: ReplSession): Promise<void> {
  await new Promise<void>((resolve) => {
    const app = render(<Repl session={session} onExit={() => resolve()} />, { exitOnCtrlC: false });
    app.waitUntilExit().then(() => resolve());
  });
}
