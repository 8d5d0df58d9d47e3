// A served class records every session twice; its recorders gather writes (flushMs) instead of
// writing each output chunk, and never lose what they gathered when the session ends.
import { describe, expect, it } from 'vitest';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Recorder } from '../src/recording/recorder.js';
import { tempDir } from './helpers.js';

describe('recordings that gather their writes', () => {
  it('write nothing until flushed or closed, then everything in order; without flushMs each event is written at once', () => {
    const dir = tempDir('cucm-sim-rec-');
    try {
      const gathered = join(dir, 'gathered.txt');
      const r = new Recorder({ file: gathered, flushMs: 60_000 });
      r.event('first line\n', 'out');
      r.event('second line\n', 'out');
      expect(readFileSync(gathered, 'utf8')).toBe('');
      r.flush();
      expect(readFileSync(gathered, 'utf8')).toBe('first line\nsecond line\n');
      r.event('third line\n', 'out');
      r.close();
      expect(readFileSync(gathered, 'utf8')).toBe('first line\nsecond line\nthird line\n');

      const direct = join(dir, 'direct.txt');
      const d = new Recorder({ file: direct });
      d.event('at once\n', 'out');
      expect(readFileSync(direct, 'utf8')).toBe('at once\n');
      d.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
