// Load with a hostile neighbour (loopback only, bounded in count and time): 50 sessions from five
// addresses keep getting their commands answered while one address floods the server with
// connections, garbage, half handshakes and wrong passwords, all under the default limits.
import { describe, expect, it, vi } from 'vitest';
import { connect as tcpConnect, Socket } from 'node:net';
import { DEFAULT_LIMITS } from '../src/frontends/ssh/limits.js';
import { Rig, Term, login, rig, shell } from './ssh-harness.js';
import { waitFor } from './helpers.js';

vi.setConfig({ hookTimeout: 60_000 });

const SOURCES = ['127.0.0.30', '127.0.0.31', '127.0.0.32', '127.0.0.33', '127.0.0.34'];
const FLOODER = '127.0.0.66';
const COMMANDS: Array<[string, RegExp]> = [
  ['show myself', /Machine Name\s*: cucm-/],
  ['show itl', /The ITL file was verified successfully\./],
  ['show version active', /Active Master Version/],
  ['show accountlocking', /Retry Count : 3 attempts/],
];

/** One address's flood for `ms`: raw connections (some sending garbage or half a handshake) and wrong passwords. */
async function flood(r: Rig, ms: number): Promise<{ opened: number; heldAtEnd: number }> {
  const sockets: Socket[] = [];
  const closed = new Set<Socket>();
  const logins: Array<Promise<unknown>> = [];
  const until = Date.now() + ms;
  let i = 0;
  // bounded: at most 400 connections and 20 logins, whatever the machine's speed
  while (Date.now() < until && i < 400) {
    const s = tcpConnect({ port: r.srv.ports[i % r.srv.ports.length], host: '127.0.0.1', localAddress: FLOODER });
    s.on('error', () => {});
    s.on('close', () => closed.add(s));
    if (i % 3 === 0) s.write(Buffer.from(`GET / HTTP/1.1\r\n${'\u0000\u00ff'.repeat(300)}\r\n\r\n`, 'latin1'));
    else if (i % 3 === 1) s.write('SSH-2.0-flood\r\n');
    sockets.push(s);
    if (i % 20 === 0 && logins.length < 20) logins.push(login(r.port(), { password: `guess${i}`, localAddress: FLOODER }).then((c) => c.end(), () => undefined));
    i++;
    await new Promise((res) => setTimeout(res, 5));
  }
  await Promise.all(logins);
  // give the server a moment to turn away the last ones, then count what it holds
  await waitFor('the flood held to the per-source limit', () => sockets.length - closed.size <= DEFAULT_LIMITS.maxStartups, 5_000).catch(() => undefined);
  const heldAtEnd = sockets.length - closed.size;
  for (const s of sockets) s.destroy();
  return { opened: sockets.length, heldAtEnd };
}

describe('50 sessions and a flooding neighbour', () => {
  it('every session keeps getting answers, a newcomer gets in, and the flood is held to its own slots', async () => {
    // the default limits, with a short pause after wrong passwords to keep the test brief
    const r = await rig({ failDelayMs: 50 });
    const terms: Term[] = [];
    try {
      // ten sessions from each of five addresses: within the default per-user cap
      for (const [k, address] of SOURCES.entries()) {
        for (let batch = 0; batch < 2; batch++) {
          const opened = await Promise.all(
            Array.from({ length: 5 }, (_, j) => shell(r.srv.ports[(k + batch + j) % r.srv.ports.length], { localAddress: address, rows: 0 })),
          );
          terms.push(...opened);
        }
      }
      expect(terms.length).toBe(50);

      const errors: string[] = [];
      const answered = new Array<number>(terms.length).fill(0);
      let flooding = true;
      const work = terms.map(async (t, n) => {
        for (let step = 0; flooding && step < 200; step++) {
          const [line, ok] = COMMANDS[(n + step) % COMMANDS.length];
          try {
            const out = await t.command(line, 20_000);
            if (!ok.test(out)) errors.push(`session ${n}: ${line}: ${out.slice(-200)}`);
            else answered[n]++;
          } catch (e) {
            errors.push(`session ${n}: ${(e as Error).message.slice(0, 300)}`);
            return;
          }
        }
      });
      const newcomer = (async () => {
        await new Promise((res) => setTimeout(res, 500));
        const t = await shell(r.port(), { localAddress: '127.0.0.77', rows: 0 });
        const out = await t.command('show myself', 20_000);
        t.end();
        return out;
      })();
      const f = await flood(r, 3_000);
      const late = await newcomer;
      flooding = false;
      await Promise.all(work);

      expect(errors.slice(0, 5)).toEqual([]);
      expect(answered.filter((n) => n === 0)).toEqual([]);
      expect(late).toMatch(/Machine Name\s*: cucm-pub/);
      expect(f.opened).toBeGreaterThan(DEFAULT_LIMITS.maxStartups);
      expect(f.heldAtEnd).toBeLessThanOrEqual(DEFAULT_LIMITS.maxStartups);
      // the flooder's wrong passwords locked only the flooder: admin still logs in from elsewhere
      expect(await login(r.port(), { localAddress: '127.0.0.78' }).then((c) => (c.end(), 'in'), (e: Error) => e.message)).toBe('in');
    } finally {
      for (const t of terms) t.end();
      await r.stop();
    }
  }, 120_000);
});
