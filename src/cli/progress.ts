// A one-line progress indicator for long work (lab creation with fresh keys, runbook suites): drawn
// on stderr only when it is a terminal, so piped output and logs never carry it.
import type { CreateProgress } from '../../state/labs.js';

export interface Progress {
  /** one more step done; `detail` names what is being worked on */
  tick(detail?: string): void;
  /** clears the line; later ticks draw nothing */
  done(): void;
}

/** Where the indicator is drawn: stderr by default; tests pass a stream of their own. */
export interface ProgressStream {
  isTTY?: boolean;
  columns?: number;
  write(s: string): unknown;
}

const SILENT: Progress = { tick() {}, done() {} };

/** Control characters in a detail would move the cursor: they are shown as '?'. */
function printable(s: string): string {
  return s.replace(/[\x00-\x1f\x7f-\x9f]/g, '?');
}

/**
 * `label [n/total] detail` (or `label n detail` without a total), redrawn in place and cut to the
 * terminal's width so it never wraps; nothing at all when the stream is not a terminal.
 */
export function startProgress(label: string, total?: number, stream: ProgressStream = process.stderr): Progress {
  if (!stream.isTTY) return SILENT;
  let n = 0;
  let finished = false;
  const draw = (detail?: string) => {
    const count = total !== undefined && total > 0 ? `[${Math.min(n, total)}/${total}]` : `${n}`;
    let line = printable(`${label} ${count}${detail ? ' ' + detail : ''}`);
    // one column kept free: writing the last column makes some terminals wrap at once
    const width = Math.max(10, (stream.columns || 80) - 1);
    if (line.length > width) line = line.slice(0, width - 3) + '...';
    // carriage return, the line, then erase what a longer earlier line left to the right
    stream.write(`\r${line}\x1b[K`);
  };
  draw();
  return {
    tick(detail?: string) {
      if (finished) return;
      n++;
      draw(detail);
    },
    done() {
      if (finished) return;
      finished = true;
      stream.write('\r\x1b[K');
    },
  };
}

/** Lab creation's progress (one step per key, one for the phones) on this indicator. */
export function labCreationProgress(name: string, stream: ProgressStream = process.stderr): CreateProgress & { done(): void } {
  let p: Progress | undefined;
  return {
    start(total) {
      p?.done();
      p = startProgress(`Creating lab '${name}' (fresh keys)`, total, stream);
    },
    step(detail) {
      p?.tick(detail);
    },
    done() {
      p?.done();
    },
  };
}

/** Runs `fn` with lab creation's progress on stderr, cleared whatever happens. */
export async function withCreationProgress<T>(name: string | undefined, fn: (p: CreateProgress) => Promise<T>): Promise<T> {
  const p = labCreationProgress(name ?? 'default');
  try {
    return await fn(p);
  } finally {
    p.done();
  }
}
