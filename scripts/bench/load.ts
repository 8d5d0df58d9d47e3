// Load on open sessions: round trips with the command mix (samples kept for the report's plots), and
// a burst where every session sends the same command at the same moment.
import { COMMAND_MIX, type RttResult, type ShellSession, latency, pool } from '../ssh-harness.js';

export interface Opened {
  live: ShellSession[];
  errors: number;
  firstError?: string;
}

/** Opens `n` sessions, 8 handshakes at a time (under the servers' unauthenticated caps). */
export async function openSessions(open: () => Promise<ShellSession>, n: number): Promise<Opened> {
  const opened = await pool(n, 8, () => open());
  const live = opened.filter((o) => o.ok).map((o) => (o as { value: ShellSession }).value);
  const failed = opened.find((o) => !o.ok) as { error: Error } | undefined;
  return { live, errors: n - live.length, firstError: failed?.error.message };
}

export function closeAll(o: Opened): void {
  for (const s of o.live) s.close();
}

/** Each session sends `commands` commands of the mix, the next as soon as the prompt is back. */
export function rtt(o: Opened, commands: number, mix = COMMAND_MIX): Promise<{ result: RttResult; samples: number[] }> {
  return rttPaced(o, commands, 0, mix);
}

/**
 * Every session sends a command every `everyMs` (a class at work: trainees type, read, type), the
 * sessions spread evenly over that interval, `commands` times each; 0: back to back, no timer at all.
 */
export async function rttPaced(o: Opened, commands: number, everyMs: number, mix = COMMAND_MIX): Promise<{ result: RttResult; samples: number[] }> {
  const samples: number[] = [];
  let errors = o.errors;
  let firstError = o.firstError;
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  await Promise.all(
    o.live.map(async (s, si) => {
      if (everyMs > 0) await sleep((everyMs * si) / Math.max(1, o.live.length));
      for (let i = 0; i < commands; i++) {
        const start = Date.now();
        try {
          samples.push((await s.command(mix[(i + si) % mix.length])).ms);
        } catch (e) {
          errors++;
          firstError ??= (e as Error).message;
          return;
        }
        if (everyMs > 0) await sleep(Math.max(0, everyMs - (Date.now() - start)));
      }
    }),
  );
  return { result: { sessions: o.live.length + o.errors, errors, firstError, ...latency(samples) }, samples };
}

/** Every session sends `line` in the same tick, `rounds` times (rounds apart once all answered). */
export async function burst(o: Opened, line: string, rounds: number): Promise<{ result: RttResult; samples: number[] }> {
  const samples: number[] = [];
  let errors = o.errors;
  let firstError = o.firstError;
  for (let r = 0; r < rounds; r++) {
    const all = o.live.map((s) => s.command(line));
    for (const x of await Promise.allSettled(all)) {
      if (x.status === 'fulfilled') samples.push(x.value.ms);
      else {
        errors++;
        firstError ??= (x.reason as Error).message;
      }
    }
    await new Promise((res) => setTimeout(res, 50));
  }
  return { result: { sessions: o.live.length + o.errors, errors, firstError, ...latency(samples) }, samples };
}
