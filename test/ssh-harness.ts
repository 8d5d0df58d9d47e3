// Drives the SSH endpoints in-process with an ssh2 client: logins, PTY shells that wait for text, exec.
import ssh2 from 'ssh2';
import type { Client, ClientChannel } from 'ssh2';
import { generateKeyPair } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Lab } from '../state/cluster/lab.js';
import { writeFileAtomic } from '../state/store.js';
import { RunningServer, ServerOptions, startServer } from '../src/frontends/ssh/server.js';
import { cleanup, seededLab } from './helpers.js';

const { Client: SshClient } = ssh2;

export interface Rig {
  lab: Lab;
  srv: RunningServer;
  /** port of a node by name (publisher when omitted) */
  port(node?: string): number;
  stop(): Promise<void>;
}

// RSA host keys take a while to make: one set per test file, placed where the server keeps them
let keys: Promise<string[]> | undefined;
async function seedHostKeys(lab: Lab): Promise<void> {
  keys ??= Promise.all([0, 1, 2].map(() => promisify(generateKeyPair)('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
  }).then((k) => k.privateKey)));
  const k = await keys;
  lab.nodes.forEach((n, i) => {
    const file = join(lab.store.dir, 'ssh', `${n.name}.key`);
    if (!existsSync(file) && k[i]) writeFileAtomic(file, k[i]);
  });
}

/** the `lab` account's password in rigs (the lab console never takes the admin password) */
export const LAB_PASSWORD = 'instructor-pw';

export async function rig(opts: ServerOptions = {}, lab?: Lab): Promise<Rig> {
  const l = lab ?? (await seededLab());
  await seedHostKeys(l);
  const srv = await startServer(l, { port: 0, failDelayMs: 5, labPassword: LAB_PASSWORD, ...opts });
  return {
    lab: l,
    srv,
    port: (node?: string) => (node ? srv.endpoints.find((e) => e.node === node)!.port : srv.ports[0]),
    async stop() {
      await srv.close();
      if (!lab) cleanup(l);
    },
  };
}

export interface LoginOptions {
  user?: string;
  password?: string;
  method?: 'keyboard-interactive' | 'password';
  /** the client's source address (any of 127.0.0.0/8 reaches a loopback server) */
  localAddress?: string;
}

/** Connects and logs in; rejects with the ssh2 error (level 'client-authentication' for a refusal). */
export function login(port: number, o: LoginOptions = {}): Promise<Client> {
  const c = new SshClient();
  const password = o.password ?? 'cisco123';
  return new Promise((resolve, reject) => {
    c.on('ready', () => resolve(c));
    c.on('error', reject);
    c.on('close', () => reject(new Error('closed before login')));
    c.on('keyboard-interactive', (_n, _i, _l, prompts, finish) => finish(prompts.map(() => password)));
    c.connect({
      host: '127.0.0.1',
      port,
      username: o.user ?? 'admin',
      password,
      authHandler: [o.method ?? 'keyboard-interactive'],
      tryKeyboard: true,
      readyTimeout: 10_000,
      localAddress: o.localAddress,
    });
  });
}

/** An interactive PTY shell whose output is collected for byte-exact checks. */
export class Term {
  out = '';
  /** where the next expect() starts looking */
  mark = 0;
  closed = false;
  exitCode?: number;
  private waiters: Array<() => void> = [];

  constructor(
    readonly client: Client,
    readonly ch: ClientChannel,
  ) {
    ch.on('data', (d: Buffer) => {
      this.out += d.toString('utf8');
      this.wake();
    });
    ch.on('exit', (code: number) => (this.exitCode = code));
    ch.on('close', () => {
      this.closed = true;
      this.wake();
    });
  }

  private wake() {
    for (const w of this.waiters.splice(0)) w();
  }

  send(s: string | Buffer): void {
    this.ch.write(s);
  }

  /** Waits until the text after the mark matches; returns that text up to the end of the match. */
  async expect(what: string | RegExp, ms = 8000): Promise<string> {
    const deadline = Date.now() + ms;
    for (;;) {
      const tail = this.out.slice(this.mark);
      const idx = typeof what === 'string' ? (tail.includes(what) ? tail.indexOf(what) + what.length : -1) : (() => {
        const m = what.exec(tail);
        return m ? m.index + m[0].length : -1;
      })();
      if (idx >= 0) {
        this.mark += idx;
        return tail.slice(0, idx);
      }
      if (this.closed) throw new Error(`channel closed while waiting for ${String(what)}; got ${JSON.stringify(tail.slice(-400))}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${String(what)}; got ${JSON.stringify(tail.slice(-400))}`);
      await new Promise<void>((r) => {
        const t = setTimeout(r, left);
        this.waiters.push(() => {
          clearTimeout(t);
          r();
        });
      });
    }
  }

  /** Types a command and Enter; returns everything up to the next prompt. */
  async command(line: string, ms?: number): Promise<string> {
    this.send(line + '\r');
    return this.expect(/\radmin:$/, ms);
  }

  async waitClosed(ms = 5000): Promise<void> {
    if (this.closed) return;
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`channel did not close within ${ms} ms; got ${JSON.stringify(this.out.slice(-400))}`)), ms);
      const check = () => {
        if (!this.closed) return void this.waiters.push(check);
        clearTimeout(t);
        resolve();
      };
      check();
    });
  }

  end(): void {
    this.client.end();
  }
}

export async function shell(port: number, o: LoginOptions & { rows?: number; cols?: number; waitPrompt?: boolean } = {}): Promise<Term> {
  const c = await login(port, o);
  const ch = await new Promise<ClientChannel>((resolve, reject) =>
    c.shell({ term: 'vt100', rows: o.rows ?? 24, cols: o.cols ?? 80 }, (err, s) => (err ? reject(err) : resolve(s))),
  );
  const t = new Term(c, ch);
  if (o.waitPrompt !== false) await t.expect(/\r\n\r\nadmin:$/);
  return t;
}

/** Runs an exec request; stdin (if given) is sent and closed. */
export async function exec(port: number, command: string, stdin?: string, o: LoginOptions = {}): Promise<{ out: string; code: number | undefined }> {
  const c = await login(port, o);
  try {
    return await new Promise((resolve, reject) => {
      c.exec(command, (err, ch) => {
        if (err) return reject(err);
        let out = '';
        let code: number | undefined;
        ch.on('data', (d: Buffer) => (out += d.toString('utf8')));
        ch.stderr.on('data', (d: Buffer) => (out += d.toString('utf8')));
        ch.on('exit', (c: number) => (code = c));
        ch.on('close', () => resolve({ out, code }));
        if (stdin !== undefined) ch.end(stdin);
      });
    });
  } finally {
    c.end();
  }
}

/** A fresh login still works and the lab still verifies its ITL: the check after every abuse case. */
export async function healthy(r: Rig, node?: string): Promise<string> {
  const t = await shell(r.port(node), { rows: 0 });
  const text = await t.command('show itl');
  t.end();
  return text;
}
