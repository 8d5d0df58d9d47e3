// Load over SSH (127.0.0.1 only, bounded in time): 100 concurrent sessions doing random valid commands
// end with zero errors and a consistent lab; connection and login floods are held to the server's
// limits while logged-in users go on working.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { connect as tcpConnect, Socket } from 'node:net';
import ssh2 from 'ssh2';
import { Lab } from '../state/cluster/lab.js';
import { PROMPT_RE, ShellSession, pool } from '../scripts/ssh-harness.js';
import { cleanup, seededLab, trustFileProblems, waitFor } from './helpers.js';
import { lockOf } from '../state/cluster/logins.js';

vi.setConfig({ hookTimeout: 60_000 });

type StartServer = typeof import('../src/frontends/ssh/server.js').startServer;
type Running = Awaited<ReturnType<StartServer>>;

async function loadStartServer(): Promise<StartServer> {
  return (await import('../src/frontends/ssh/server.js')).startServer;
}

/** Small deterministic generator, so a failing mix can be replayed with the same seed. */
function prng(seed: number) {
  let x = seed >>> 0 || 1;
  return (n: number) => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) % n;
  };
}

const JS_ERROR = /TypeError|ReferenceError|RangeError|Cannot read propert|is not a function|\[object Object\]|\n\s+at .+:\d+:\d+/;

interface Step {
  line: string;
  /** question and answer pairs, in order */
  dialog?: Array<[RegExp, string]>;
  /** what a successful run shows */
  ok: RegExp;
  publisherOnly?: boolean;
}

const STEPS: Step[] = [
  { line: 'show myself', ok: /Machine Name\s*:/ },
  { line: 'show itl', ok: /The ITL file was verified successfully\./ },
  { line: 'show ctl', ok: /The CTL file was verified successfully\.|CTL File not found/ },
  { line: 'utils service list', ok: /Command successful/ },
  { line: 'show network cluster', ok: /cucm-pub/ },
  { line: 'show version active', ok: /Active Master Version/ },
  { line: 'show cert list own', ok: /CallManager\/CallManager\.pem/ },
  { line: 'file list tftp *', ok: /file count = \d+/ },
  { line: "run sql select paramname,paramvalue from processconfig where paramname='ClusterSecurityMode'", ok: /ClusterSecurityMode\s+[01]/ },
  { line: 'utils service restart Cisco Tftp', ok: /Cisco Tftp\[STARTED\]/ },
  { line: 'utils ctl update CTLFile', dialog: [[/\(y\/n\):\s*$/, 'y']], ok: /CTL file Updated/, publisherOnly: true },
];

/** Runs one step in a shell session; returns a description of what went wrong, if anything. */
async function runStep(s: ShellSession, step: Step): Promise<string | undefined> {
  let out: string;
  if (step.dialog) {
    s.write(step.line + '\r');
    out = '';
    for (const [question, answer] of step.dialog) {
      out += await s.expect(question);
      s.write(answer + '\r');
    }
    out += await s.expect(PROMPT_RE);
  } else {
    out = (await s.command(step.line)).output;
  }
  if (JS_ERROR.test(out)) return `${step.line}: a JavaScript error in the output`;
  if (out.includes('Executed command unsuccessfully')) return `${step.line}: failed: ${out.slice(-300)}`;
  if (!step.ok.test(out)) return `${step.line}: unexpected output: ${out.slice(-300)}`;
  return undefined;
}


describe('SSH under load', () => {
  let startServer: StartServer;
  beforeAll(async () => {
    startServer = await loadStartServer();
  });

  it('100 concurrent sessions doing random valid commands: zero errors and a consistent lab', async () => {
    const lab = await seededLab({ seed: 21 });
    const dir = lab.store.dir;
    // every session comes from 127.0.0.1 as admin: the per-user cap is raised for this one user
    let srv: Running | undefined = await startServer(lab, { host: '127.0.0.1', port: 0, failDelayMs: 5, maxSessionsPerUser: 100 });
    const sessions: ShellSession[] = [];
    try {
      const ports = srv.ports;
      const opened = await pool(100, 10, (i) => ShellSession.open({ port: ports[i % ports.length], username: 'admin', password: 'cisco123', timeoutMs: 30_000 }));
      const openErrors = opened.filter((o) => !o.ok).map((o) => (o as { error: Error }).error.message);
      expect(openErrors).toEqual([]);
      for (const o of opened) if (o.ok) sessions.push(o.value);

      const errors: string[] = [];
      let done = 0;
      const deadline = Date.now() + 8_000;
      await Promise.all(
        sessions.map(async (s, i) => {
          const next = prng(1000 + i);
          const onPublisher = i % ports.length === 0;
          const mine = STEPS.filter((st) => onPublisher || !st.publisherOnly);
          for (let n = 0; n < 25 && Date.now() < deadline; n++) {
            try {
              const bad = await runStep(s, mine[next(mine.length)]);
              if (bad) errors.push(`session ${i}: ${bad}`);
              done++;
            } catch (e) {
              errors.push(`session ${i}: ${(e as Error).message}`);
              return;
            }
          }
        }),
      );
      expect(errors.slice(0, 5)).toEqual([]);
      expect(done).toBeGreaterThanOrEqual(100);
      for (const s of sessions) s.close();
      await srv.close();
      srv = undefined;

      // consistent: every trust file verifies, every node has the same CTL, nothing is half restarted,
      // and the disk holds what the sessions saw
      expect(trustFileProblems(lab)).toEqual([]);
      const ctls = lab.nodes.map((n) => lab.readTftp(n, 'CTLFile.tlv')?.toString('base64'));
      expect(new Set(ctls).size).toBe(1);
      for (const n of lab.nodes) for (const svc of n.services) if (svc.activated && !svc.commandedOut) expect(`${n.name}: ${svc.name} ${svc.status}`).toBe(`${n.name}: ${svc.name} STARTED`);
      const fp = lab.fingerprint();
      lab.close();
      const again = Lab.open(dir);
      try {
        expect(again.fingerprint()).toBe(fp);
        expect(trustFileProblems(again)).toEqual([]);
      } finally {
        again.close();
      }
    } finally {
      for (const s of sessions) s.close();
      await srv?.close();
      cleanup(lab);
    }
  }, 180_000);

  describe('floods', () => {
    let lab: Lab;
    let srv: Running;
    const MAX_UNAUTH = 20;
    beforeAll(async () => {
      lab = await seededLab({ seed: 22 });
      srv = await startServer(lab, { host: '127.0.0.1', port: 0, maxUnauthenticated: MAX_UNAUTH, maxSessionsPerUser: 100, failDelayMs: 50, authTimeoutMs: 5_000 });
    });
    afterAll(async () => {
      await srv?.close();
      cleanup(lab);
    });

    /** Logged-in users working through whatever `during` does; returns their errors and command count. */
    async function whileWorking(during: () => Promise<void>): Promise<{ errors: string[]; commands: number }> {
      const users = await Promise.all([0, 1, 2, 0].map((i) => ShellSession.open({ port: srv.ports[i], username: 'admin', password: 'cisco123', timeoutMs: 30_000 })));
      const errors: string[] = [];
      let commands = 0;
      let stop = false;
      const work = users.map(async (u, i) => {
        const next = prng(77 + i);
        const steps = STEPS.filter((s) => !s.dialog);
        while (!stop) {
          try {
            const bad = await runStep(u, steps[next(steps.length)]);
            if (bad) errors.push(bad);
            commands++;
          } catch (e) {
            errors.push((e as Error).message);
            return;
          }
        }
      });
      try {
        await during();
        // a few more commands after the flood, so the users are seen to be served afterwards too
        const at = commands;
        const until = Date.now() + 10_000;
        while (commands < at + 8 && Date.now() < until && errors.length === 0) await new Promise((r) => setTimeout(r, 20));
      } finally {
        stop = true;
        await Promise.all(work);
        for (const u of users) u.close();
      }
      return { errors, commands };
    }

    it('a connection flood is held to the unauthenticated limit while logged-in users work', async () => {
      let held = 0;
      const r = await whileWorking(async () => {
        const sockets: Socket[] = [];
        const closed = new Set<Socket>();
        for (let i = 0; i < 200; i++) {
          const s = tcpConnect(srv.ports[i % srv.ports.length], '127.0.0.1');
          s.on('error', () => {});
          s.on('close', () => closed.add(s));
          sockets.push(s);
        }
        // garbage instead of the protocol on some of them
        for (let i = 0; i < 30; i++) sockets[i].write(Buffer.from(`GET / HTTP/1.1\r\n${'\u0000\u00ff'.repeat(500)}\r\n\r\n`, 'latin1'));
        // the server turns away what is over the limit (within the 1.5 s the flood is given)
        const open = () => sockets.filter((s) => !closed.has(s)).length;
        await waitFor(`at most ${MAX_UNAUTH} flood connections left open`, () => open() <= MAX_UNAUTH, 1_500).catch(() => undefined);
        held = open();
        for (const s of sockets) s.destroy();
      });
      expect(r.errors).toEqual([]);
      expect(r.commands).toBeGreaterThan(4);
      expect(held).toBeLessThanOrEqual(MAX_UNAUTH);
      // and new users get in once the flood is gone (as soon as the server has seen it go)
      let late: ShellSession | undefined;
      await waitFor('a new user getting in after the flood', async () => {
        late = await ShellSession.open({ port: srv.ports[0], username: 'admin', password: 'cisco123', timeoutMs: 30_000 }).catch(() => undefined);
        return late !== undefined;
      }, 30_000);
      if (!late) throw new Error('no session after the flood');
      expect((await late.command('show myself')).output).toMatch(/Machine Name/);
      late.close();
    }, 90_000);

    function tryLogin(port: number, user: string, password: string): Promise<'in' | 'refused' | 'dropped'> {
      return new Promise((resolve) => {
        const c = new ssh2.Client();
        let settled = false;
        const done = (v: 'in' | 'refused' | 'dropped') => {
          if (settled) return;
          settled = true;
          c.end();
          c.destroy();
          resolve(v);
        };
        c.on('ready', () => done('in'));
        c.on('error', (e: Error & { level?: string }) => done(e.level === 'client-authentication' ? 'refused' : 'dropped'));
        c.on('close', () => done('dropped'));
        c.on('keyboard-interactive', (_n, _i, _l, prompts, finish) => finish(prompts.map(() => password)));
        c.connect({ host: '127.0.0.1', port, username: user, password, tryKeyboard: true, readyTimeout: 20_000, hostVerifier: () => true });
      });
    }

    it('a login flood gets nowhere, is limited, and logged-in users keep working', async () => {
      const outcomes: string[] = [];
      const r = await whileWorking(async () => {
        // wrong passwords for users that do not exist: refused or turned away, never let in
        const wave = await Promise.all(Array.from({ length: 60 }, (_, i) => tryLogin(srv.ports[i % srv.ports.length], `intruder${i}`, `guess${i}`)));
        outcomes.push(...wave);
      });
      expect(r.errors).toEqual([]);
      expect(outcomes).not.toContain('in');
      // wrong passwords were refused, and the unauthenticated limit turned part of the wave away at the door
      expect(outcomes.filter((o) => o === 'refused').length).toBeGreaterThan(0);
      expect(outcomes.filter((o) => o === 'dropped').length).toBeGreaterThan(0);
      // unknown users do not lock the administrator out
      expect(await tryLogin(srv.ports[0], 'admin', 'cisco123')).toBe('in');

      // guesses at the administrator's password lock the account, as CUCM does; sessions already in carry on
      const r2 = await whileWorking(async () => {
        const wave = await Promise.all(Array.from({ length: 20 }, (_, i) => tryLogin(srv.ports[0], 'admin', `wrong${i}`)));
        expect(wave).not.toContain('in');
      });
      expect(r2.errors).toEqual([]);
      expect(lockOf(lab, 'admin', '127.0.0.1')?.wallUntil).toBeGreaterThan(Date.now());
      expect(await tryLogin(srv.ports[0], 'admin', 'cisco123')).toBe('refused');
      // the lab's files were never touched by any of it
      expect(trustFileProblems(lab)).toEqual([]);
    }, 90_000);
  });
});
