// The local interactive front end: an Ink REPL over the session core.
// Finished lines go to <Static> scrollback; the live area holds the current prompt line and a status line.
import React, { useEffect, useRef, useState } from 'react';
import { Box, Static, Text, render, useApp, useInput } from 'ink';
import { Cancelled, AskOptions } from './engine.js';
import { CliSession } from './session.js';
import { TFTP } from '../state/services.js';

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

function StatusLine({ session }: { session: CliSession }) {
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

function Repl({ session, onExit }: { session: CliSession; onExit: () => void }) {
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
    if (pending?.kind === 'answer') {
      const p = pending;
      setPending(undefined);
      setLine('');
      setCursor(0);
      p.resolve(text);
      return;
    }
    setLine('');
    setCursor(0);
    if (text.trim()) history.current.push(text);
    histPos.current = -1;
    setBusy(true);
    const r = await session.run(text, {
      answer: (opts) =>
        new Promise<string>((resolve, reject) => {
          setPending({ kind: 'answer', opts, resolve, reject });
        }),
      pager: () =>
        new Promise<'line' | 'page' | 'quit'>((resolve, reject) => {
          setPending({ kind: 'pager', resolve: (v) => resolve(v as 'line' | 'page' | 'quit'), reject });
        }),
    });
    setBusy(false);
    if (r.ended) {
      onExit();
      exit();
      return;
    }
    session.showPrompt();
  };

  useInput((input, key) => {
    if (pending?.kind === 'pager') {
      const p = pending;
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
    if (key.ctrl && input === 'c') {
      if (pending?.kind === 'answer') {
        const p = pending;
        setPending(undefined);
        setLine('');
        setCursor(0);
        p.reject(new Cancelled());
      } else if (!busy) {
        session.emit(line + '^C\n', 'echo');
        setLine('');
        setCursor(0);
        session.showPrompt();
      }
      return;
    }
    if (key.ctrl && input === 'd') {
      if (!busy && !pending && line === '') {
        onExit();
        exit();
      }
      return;
    }
    if (busy && !pending) return;
    if (key.return) {
      void submit(line);
      return;
    }
    if (!pending && key.tab) {
      const c = session.completion(line);
      if (c.list?.length) {
        session.emit(line + '\n', 'echo');
        session.emit(c.list.join('\n') + '\n');
        session.showPrompt();
      }
      setLine(c.line);
      setCursor(c.line.length);
      return;
    }
    if (!pending && input === '?') {
      const help = session.question(line);
      session.emit(line + '?\n', 'echo');
      if (help.length) session.emit(help.join('\n') + '\n');
      session.showPrompt();
      return;
    }
    if (!pending && key.upArrow) {
      const h = history.current;
      if (!h.length) return;
      histPos.current = histPos.current < 0 ? h.length - 1 : Math.max(0, histPos.current - 1);
      setLine(h[histPos.current]);
      setCursor(h[histPos.current].length);
      return;
    }
    if (!pending && key.downArrow) {
      const h = history.current;
      if (histPos.current < 0) return;
      histPos.current++;
      if (histPos.current >= h.length) {
        histPos.current = -1;
        setLine('');
        setCursor(0);
      } else {
        setLine(h[histPos.current]);
        setCursor(h[histPos.current].length);
      }
      return;
    }
    if (key.leftArrow) {
      setCursor((c) => Math.max(0, c - 1));
      return;
    }
    if (key.rightArrow) {
      setCursor((c) => Math.min(line.length, c + 1));
      return;
    }
    if (key.backspace || key.delete) {
      if (cursor > 0) {
        setLine(line.slice(0, cursor - 1) + line.slice(cursor));
        setCursor(cursor - 1);
      }
      return;
    }
    if (key.ctrl && input === 'a') return setCursor(0);
    if (key.ctrl && input === 'e') return setCursor(line.length);
    if (key.ctrl && input === 'u') {
      setLine(line.slice(cursor));
      setCursor(0);
      return;
    }
    if (input && !key.ctrl && !key.meta && !key.escape) {
      const clean = input.replace(/[\x00-\x1f\x7f]/g, '');
      if (!clean) return;
      setLine(line.slice(0, cursor) + clean + line.slice(cursor));
      setCursor(cursor + clean.length);
    }
  });

  const opts = pending?.kind === 'answer' ? pending.opts : undefined;
  const masked = opts?.hidden ? '' : opts?.password ? '*'.repeat(line.length) : line;
  const showInput = !busy || pending?.kind === 'answer';
  return (
    <>
      <Static items={items}>{(it) => <Text key={it.id}>{it.text}</Text>}</Static>
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

export async function runRepl(session: CliSession): Promise<void> {
  await new Promise<void>((resolve) => {
    const app = render(<Repl session={session} onExit={() => resolve()} />, { exitOnCtrlC: false });
    app.waitUntilExit().then(() => resolve());
  });
}
