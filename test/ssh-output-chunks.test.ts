// A command's output leaves the SSH shell in few writes: lines written across the command's awaits
// are held and sent with the prompt that follows them, not one channel write per line.
import { Duplex } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { OutputKind } from '../src/console/io.js';
import type { ShellSession } from '../src/frontends/ssh/front-end.js';
import { InteractiveShell } from '../src/frontends/ssh/interactive-shell.js';
import { waitFor } from './helpers.js';

const immediate = () => new Promise<void>((r) => setImmediate(r));

function rig(run: ShellSession['run'], emit: { fn?: (text: string, kind: OutputKind) => void }) {
  const session: ShellSession = {
    width: 80,
    on(fn) {
      emit.fn = fn;
      return () => (emit.fn = undefined);
    },
    async banner() {},
    showPrompt() {
      emit.fn?.('admin:', 'out');
    },
    run,
    completion: () => ({ kind: 'none' }) as never,
    question: () => [],
  };
  const writes: string[] = [];
  const ch = new Duplex({
    read() {},
    write(chunk, _enc, cb) {
      writes.push(chunk.toString());
      cb();
    },
  });
  return { fe: new InteractiveShell(session, ch, { idleMinutes: 0, onEnd: () => {} }), ch, writes };
}

describe('SSH output chunks', () => {
  it('sends the lines of a command written across awaits in one write with the next prompt', async () => {
    const emit: { fn?: (text: string, kind: OutputKind) => void } = {};
    const { fe, ch, writes } = rig(async () => {
      await immediate();
      emit.fn?.('line 1\n', 'out');
      await immediate();
      emit.fn?.('line 2\n', 'out');
      await new Promise((r) => setTimeout(r, 1));
      emit.fn?.('line 3\n', 'out');
      return { status: 0, ended: false };
    }, emit);
    await fe.start();
    await waitFor('the first prompt', () => writes.join('').endsWith('admin:'));
    const before = writes.length;
    ch.push('cmd\r');
    await waitFor('the second prompt', () => writes.slice(before).join('').includes('line 3') && writes.join('').endsWith('admin:'));
    const out = writes.slice(before).filter((w) => w.includes('line'));
    expect(out).toEqual(['line 1\r\nline 2\r\nline 3\r\n\radmin:']);
    fe.end(undefined, false);
  });

  it('shows a question at once, before the command goes on', async () => {
    const emit: { fn?: (text: string, kind: OutputKind) => void } = {};
    let asked = '';
    const { fe, ch, writes } = rig(async (_line, io) => {
      emit.fn?.('Continue (y/n)?', 'out');
      asked = await io.answer!({ hidden: false } as never);
      emit.fn?.(`got ${asked}\n`, 'out');
      return { status: 0, ended: false };
    }, emit);
    await fe.start();
    await waitFor('the first prompt', () => writes.join('').endsWith('admin:'));
    ch.push('cmd\r');
    await waitFor('the question', () => writes.join('').includes('Continue (y/n)?'));
    ch.push('y\r');
    await waitFor('the answer taken', () => writes.join('').includes('got y'));
    expect(asked).toBe('y');
    fe.end(undefined, false);
  });
});
