// SSH client helpers for the bench and the load tests: interactive `admin:` sessions driven command
// by command with prompt detection, bounded-concurrency openers, latency statistics, and an OpenSSH
// sshd on 127.0.0.1 running a trivial echo loop as the baseline to compare round-trips with.
import { Client, ClientChannel } from 'ssh2';
import { spawn, spawnSync, ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect as tcpConnect } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';

export const PROMPT_RE = /(?:^|\n)admin:[ \t]*$/;
export const PAGER_RE = /Press <enter> for 1 line, <space> for one page, or <q> to quit\S*\s*$/;

export interface ShellOptions {
  host?: string;
  port: number;
  username: string;
  password?: string;
  privateKey?: string | Buffer;
  cols?: number;
  rows?: number;
  /** limit for connect-to-prompt and for each command */
  timeoutMs?: number;
}

export interface CommandResult {
  ms: number;
  output: string;
}

/** Strips ANSI/VT escape sequences so prompt matching sees what a terminal user reads. */
export function stripAnsi(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b[()][0-9A-Za-z]|\x1b[=>78DEHMc]/g, '');
}

/** One interactive shell (PTY) session, used as a trainee's terminal would use it. */
export class ShellSession {
  private buf = '';
  private waiter: { resolve: () => void; reject: (e: Error) => void; test: () => boolean } | undefined;
  private closedError: Error | undefined;
  /** time from TCP connect to the first prompt */
  connectMs = 0;

  private constructor(
    readonly client: Client,
    private stream: ClientChannel,
    private timeoutMs: number,
  ) {}

  static open(opts: ShellOptions): Promise<ShellSession> {
    const timeoutMs = opts.timeoutMs ?? 20_000;
    return new Promise((resolve, reject) => {
      const client = new Client();
      const t0 = performance.now();
      let settled = false;
      const fail = (e: Error) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        client.end();
        client.destroy();
        reject(e);
      };
      const timer = setTimeout(() => fail(new Error(`no prompt within ${timeoutMs} ms`)), timeoutMs);
      client.on('error', (e) => fail(e));
      client.on('close', () => fail(new Error('connection closed before the prompt')));
      client.on('keyboard-interactive', (_n, _i, _l, prompts, finish) => finish(prompts.map(() => opts.password ?? '')));
      client.on('ready', () => {
        client.shell({ term: 'xterm', cols: opts.cols ?? 80, rows: opts.rows ?? 500 }, (err, stream) => {
          if (err) return fail(err);
          const s = new ShellSession(client, stream, timeoutMs);
          stream.on('data', (d: Buffer) => s.onData(d));
          stream.stderr.on('data', (d: Buffer) => s.onData(d));
          stream.on('close', () => s.onClose());
          client.removeAllListeners('close');
          client.on('close', () => s.onClose());
          client.removeAllListeners('error');
          client.on('error', (e) => s.onClose(e));
          s.waitFor(() => PROMPT_RE.test(s.tail())).then(
            () => {
              if (settled) return;
              settled = true;
              clearTimeout(timer);
              s.connectMs = performance.now() - t0;
              s.buf = '';
              s.newline = false;
              resolve(s);
            },
            (e) => fail(e),
          );
        });
      });
      client.connect({
        host: opts.host ?? '127.0.0.1',
        port: opts.port,
        username: opts.username,
        password: opts.password,
        privateKey: opts.privateKey,
        tryKeyboard: opts.password !== undefined,
        readyTimeout: timeoutMs,
        hostVerifier: () => true,
        keepaliveInterval: 0,
      });
    });
  }

  /** newline seen since the buffer was last cleared */
  private newline = false;

  private visible(): string {
    return stripAnsi(this.buf).replace(/\r/g, '');
  }

  /** The end of what is shown: enough for the prompt and pager tests, cheap however long the output. */
  private tail(): string {
    return stripAnsi(this.buf.length > 400 ? this.buf.slice(-400) : this.buf).replace(/\r/g, '');
  }

  private onData(d: Buffer): void {
    const text = d.toString('utf8');
    this.buf += text;
    if (text.includes('\n')) this.newline = true;
    if (PAGER_RE.test(this.tail())) {
      // a page of output: ask for the next one, as a reader would
      this.buf = this.buf.replace(/Press <enter> for 1 line[^\n]*$/, '');
      this.stream.write(' ');
    }
    if (this.waiter && this.waiter.test()) {
      const w = this.waiter;
      this.waiter = undefined;
      w.resolve();
    }
  }

  private onClose(e?: Error): void {
    this.closedError ??= e ?? new Error('session closed');
    const w = this.waiter;
    this.waiter = undefined;
    w?.reject(this.closedError);
  }

  private waitFor(test: () => boolean): Promise<void> {
    if (test()) return Promise.resolve();
    if (this.closedError) return Promise.reject(this.closedError);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiter = undefined;
        reject(new Error(`timed out after ${this.timeoutMs} ms waiting for the prompt; got ${JSON.stringify(this.visible().slice(-200))}`));
      }, this.timeoutMs);
      this.waiter = {
        test,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      };
    });
  }

  /** Sends a line and waits for the next prompt; returns the round-trip time and what was shown. */
  async command(line: string): Promise<CommandResult> {
    this.buf = '';
    this.newline = false;
    const t0 = performance.now();
    this.stream.write(line + '\r');
    // the prompt must come after the echo of this line, not be a leftover
    await this.waitFor(() => this.newline && PROMPT_RE.test(this.tail()));
    const ms = performance.now() - t0;
    const output = this.visible();
    this.buf = '';
    this.newline = false;
    return { ms, output };
  }

  /** Writes raw bytes (answers to questions, control characters). */
  write(data: string | Buffer): void {
    this.stream.write(data);
  }

  /** Waits until the visible output matches, returning it (for dialogs). */
  async expect(re: RegExp): Promise<string> {
    await this.waitFor(() => re.test(this.tail()));
    const out = this.visible();
    this.buf = '';
    this.newline = false;
    return out;
  }

  get closed(): boolean {
    return this.closedError !== undefined;
  }

  close(): void {
    try {
      this.stream.end();
    } catch {
      // already gone
    }
    this.client.end();
    setTimeout(() => this.client.destroy(), 200).unref();
  }
}

/** Runs jobs with at most `limit` in flight; results keep the job order. */
export async function pool<T>(count: number, limit: number, job: (i: number) => Promise<T>): Promise<Array<{ ok: true; value: T } | { ok: false; error: Error }>> {
  const out: Array<{ ok: true; value: T } | { ok: false; error: Error }> = new Array(count);
  let next = 0;
  const worker = async () => {
    for (;;) {
      const i = next++;
      if (i >= count) return;
      try {
        out[i] = { ok: true, value: await job(i) };
      } catch (e) {
        out[i] = { ok: false, error: e as Error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, count) }, worker));
  return out;
}

export interface Latency {
  n: number;
  /** the same as median, under the name the percentile figures use */
  p50: number;
  median: number;
  p99: number;
  max: number;
}

/** Nearest-rank percentiles, rounded to 0.01 ms. */
export function latency(samples: number[]): Latency {
  const s = [...samples].sort((a, b) => a - b);
  const at = (p: number) => (s.length ? s[Math.min(s.length - 1, Math.max(0, Math.ceil(p * s.length) - 1))] : NaN);
  const r = (x: number) => Math.round(x * 100) / 100;
  return { n: s.length, p50: r(at(0.5)), median: r(at(0.5)), p99: r(at(0.99)), max: r(s.length ? s[s.length - 1] : NaN) };
}

export const COMMAND_MIX = ['show myself', 'show itl', 'utils service list'];

export interface RttResult extends Latency {
  sessions: number;
  errors: number;
  firstError?: string;
}

/**
 * Opens `sessions` interactive sessions, then has each send `commands` commands from the mix, all
 * at once; returns the round-trip statistics over every command.
 */
export async function measureRtt(open: () => Promise<ShellSession>, sessions: number, commands: number, mix = COMMAND_MIX): Promise<RttResult> {
  const opened = await pool(sessions, 8, () => open());
  const live = opened.filter((o) => o.ok).map((o) => (o as { value: ShellSession }).value);
  let errors = opened.length - live.length;
  let firstError = opened.find((o) => !o.ok) ? (opened.find((o) => !o.ok) as { error: Error }).error.message : undefined;
  const samples: number[] = [];
  await Promise.all(
    live.map(async (s, si) => {
      for (let i = 0; i < commands; i++) {
        try {
          const r = await s.command(mix[(i + si) % mix.length]);
          samples.push(r.ms);
        } catch (e) {
          errors++;
          firstError ??= (e as Error).message;
          return;
        }
      }
    }),
  );
  for (const s of live) s.close();
  return { sessions, errors, firstError, ...latency(samples) };
}

// ---------------------------------------------------------------- ports

/** Finds `count` consecutive free TCP ports on 127.0.0.1; returns the first. */
export async function freePortRange(count: number): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = 20000 + Math.floor(Math.random() * 30000);
    let ok = true;
    for (let p = base; p < base + count && ok; p++) ok = await portFree(p);
    if (ok) return base;
  }
  throw new Error('no free port range found');
}

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

export function waitForPort(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const attempt = () => {
      const sock = tcpConnect(port, '127.0.0.1');
      sock.once('connect', () => {
        sock.destroy();
        resolve();
      });
      sock.once('error', () => {
        sock.destroy();
        if (Date.now() > deadline) reject(new Error(`nothing listens on 127.0.0.1:${port}`));
        else setTimeout(attempt, 25);
      });
    };
    attempt();
  });
}

// ---------------------------------------------------------------- OpenSSH baseline

export interface Baseline {
  port: number;
  username: string;
  privateKey: Buffer;
  stop(): Promise<void>;
}

export const SSHD = '/usr/sbin/sshd';

/**
 * Starts OpenSSH's sshd on 127.0.0.1 with a throw-away configuration: a generated host key, one
 * authorised client key, and a forced command that echoes each line and prints `admin:`.
 * Returns undefined when sshd or ssh-keygen is missing or sshd does not come up.
 */
export async function startOpenSshBaseline(): Promise<Baseline | undefined> {
  if (!existsSync(SSHD)) return undefined;
  const keygen = ['/usr/bin/ssh-keygen', '/bin/ssh-keygen'].find((p) => existsSync(p));
  if (!keygen) return undefined;
  const dir = mkdtempSync(join(tmpdir(), 'cucm-sim-sshd-'));
  const cleanup = () => rmSync(dir, { recursive: true, force: true });
  for (const name of ['host', 'client']) {
    const r = spawnSync(keygen, ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, name)], { stdio: 'ignore' });
    if (r.status !== 0) {
      cleanup();
      return undefined;
    }
  }
  writeFileSync(join(dir, 'authorized_keys'), readFileSync(join(dir, 'client.pub')));
  writeFileSync(join(dir, 'echo.sh'), "printf 'admin:'\nwhile IFS= read -r l; do printf '%s\\nadmin:' \"$l\"; done\n");
  const root = process.getuid?.() === 0;
  if (root && !existsSync('/run/sshd')) {
    try {
      mkdirSync('/run/sshd', { mode: 0o755 });
    } catch {
      // sshd will say why it cannot start
    }
  }
  const port = await freePortRange(1);
  const config = [
    `Port ${port}`,
    'ListenAddress 127.0.0.1',
    `HostKey ${join(dir, 'host')}`,
    `PidFile ${join(dir, 'sshd.pid')}`,
    `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
    'PubkeyAuthentication yes',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    root ? 'PermitRootLogin prohibit-password' : '',
    'UsePAM no',
    'StrictModes no',
    'UseDNS no',
    'PrintMotd no',
    'PrintLastLog no',
    'MaxStartups 200',
    'MaxSessions 10',
    'LogLevel ERROR',
    `ForceCommand /bin/sh ${join(dir, 'echo.sh')}`,
  ]
    .filter(Boolean)
    .join('\n');
  writeFileSync(join(dir, 'sshd_config'), config + '\n');
  const child: ChildProcess = spawn(SSHD, ['-D', '-e', '-f', join(dir, 'sshd_config')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d) => (stderr += d));
  let exited = false;
  child.on('exit', () => (exited = true));
  try {
    await waitForPort(port, 5000);
  } catch {
    child.kill('SIGKILL');
    cleanup();
    process.stderr.write(`baseline sshd did not start: ${stderr.trim().slice(0, 300)}\n`);
    return undefined;
  }
  return {
    port,
    username: userInfo().username,
    privateKey: readFileSync(join(dir, 'client')),
    async stop() {
      if (!exited) {
        const gone = new Promise<void>((r) => child.once('exit', () => r()));
        child.kill('SIGTERM');
        await Promise.race([gone, new Promise((r) => setTimeout(r, 2000))]);
        if (!exited) child.kill('SIGKILL');
      }
      cleanup();
    },
  };
}
