// The progress indicator of long work: drawn in place on a terminal, silent when piped.
import { describe, expect, it } from 'vitest';
import { startProgress } from '../src/cli/progress.js';

function stream(isTTY: boolean, columns = 80) {
  const writes: string[] = [];
  return { isTTY, columns, writes, write: (s: string) => writes.push(s) };
}

describe('startProgress', () => {
  it('draws label, count and detail in place on a terminal and clears the line when done', () => {
    const s = stream(true);
    const p = startProgress('Creating lab', 3, s);
    p.tick('keys');
    p.tick('phones');
    p.done();
    p.tick('late');
    expect(s.writes).toEqual([
      '\rCreating lab [0/3]\x1b[K',
      '\rCreating lab [1/3] keys\x1b[K',
      '\rCreating lab [2/3] phones\x1b[K',
      '\r\x1b[K',
    ]);
  });

  it('writes nothing when the stream is not a terminal', () => {
    const s = stream(false);
    const p = startProgress('Running runbooks', 2, s);
    p.tick('a.txt');
    p.done();
    expect(s.writes).toEqual([]);
  });

  it('counts without a total, cuts the line to the width and shows control characters as ?', () => {
    const s = stream(true, 20);
    const p = startProgress('Work', undefined, s);
    p.tick('a\x1b[2Jvery long detail text');
    expect(s.writes[0]).toBe('\rWork 0\x1b[K');
    expect(s.writes[1]).toBe('\rWork 1 a?[2Jvery...\x1b[K');
  });
});
