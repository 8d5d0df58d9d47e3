// The real OpenSSH client against the endpoints: under a PTY (util-linux `script`) as a trainee
// would type, and non-interactively for exec requests.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { spawn, ChildProcess } from 'node:child_process';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Rig, rig } from './ssh-harness.js';
import { tempDir } from './helpers.js';
import { unlockAccounts } from '../state/cluster/logins.js';
import { requireTool } from './prerequisites.js';

vi.setConfig({ testTimeout: 60_000, hookTimeout: 60_000 });


const SSH_OPTS = [
  '-F', '/dev/null',
  '-o', 'StrictHostKeyChecking=no',
  '-o', 'UserKnownHostsFile=/dev/null',
  '-o', 'PubkeyAuthentication=no',
  '-o', 'PreferredAuthentications=keyboard-interactive,password',
  '-o', 'NumberOfPasswordPrompts=1',
];

/** A child process under a PTY whose output can be waited on, expect-style. */
class Pty {
  out = '';
  private mark = 0;
  code: number | null | undefined;
  private waiters: Array<() => void> = [];
  constructor(readonly child: ChildProcess) {
    child.stdout!.on('data', (d: Buffer) => this.add(d));
    child.stderr!.on('data', (d: Buffer) => this.add(d));
    child.on('exit', (c) => {
      this.code = c;
      this.add(Buffer.alloc(0));
    });
  }
  private add(d: Buffer) {
    this.out += d.toString('utf8');
    for (const w of this.waiters.splice(0)) w();
  }
  send(s: string) {
    this.child.stdin!.write(s);
  }
  async expect(re: RegExp | string, ms = 15_000): Promise<string> {
    const deadline = Date.now() + ms;
    for (;;) {
      const tail = this.out.slice(this.mark);
      const i = typeof re === 'string' ? tail.indexOf(re) : tail.search(re);
      if (i >= 0) {
        const len = typeof re === 'string' ? re.length : tail.slice(i).match(re)![0].length;
        this.mark += i + len;
        return tail.slice(0, i + len);
      }
      if (this.code !== undefined || Date.now() > deadline) throw new Error(`waiting for ${re}; got ${JSON.stringify(tail.slice(-500))}`);
      await new Promise<void>((r) => {
        const t = setTimeout(r, 200);
        this.waiters.push(() => {
          clearTimeout(t);
          r();
        });
      });
    }
  }
  async exited(ms = 15_000): Promise<number | null> {
    const deadline = Date.now() + ms;
    while (this.code === undefined) {
      if (Date.now() > deadline) throw new Error('still running');
      await new Promise((r) => setTimeout(r, 50));
    }
    return this.code;
  }
}

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

let r: Rig;
let SSH: string;
let SCRIPT: string;
beforeAll(async () => {
  SSH = requireTool('ssh', 'openssh-client');
  SCRIPT = requireTool('script', 'bsdutils');
  r = await rig({ allowExec: true });
});
afterAll(async () => {
  await r?.stop();
});

describe('OpenSSH client', () => {
  it('logs in interactively (ssh -tt under a PTY), runs show myself, completes with Tab, and exits', async () => {
    const cmd = [SSH, '-tt', '-p', String(r.port()), ...SSH_OPTS, 'admin@127.0.0.1'].map(quote).join(' ');
    const p = new Pty(spawn(SCRIPT, ['-qfec', cmd, '/dev/null'], { stdio: ['pipe', 'pipe', 'pipe'] }));
    try {
      await p.expect(/[Pp]assword: ?$/);
      p.send('cisco123\r');
      const banner = await p.expect('\r\n\r\nadmin:');
      expect(banner).toContain('Command Line Interface is starting up, please wait ...\r\n\r\n   Welcome to the Platform Command Line Interface\r\n');
      p.send('show myself\r');
      expect(await p.expect('\radmin:')).toContain('Machine Name    : cucm-pub\r\naccount name    : admin\r\n');
      p.send('show cli pag\t');
      await p.expect('show cli pagination');
      p.send('\r');
      expect(await p.expect('\radmin:')).toContain('Automatic Pagination : On.');
      p.send('exit\r');
      expect(await p.exited()).toBe(0);
      expect(p.out).toContain('Connection to 127.0.0.1 closed.');
    } finally {
      p.child.kill();
    }
  });

  it('pages with space and q, shows ? help at once, and refuses a wrong password', async () => {
    const cmd = [SSH, '-tt', '-p', String(r.port()), ...SSH_OPTS, 'admin@127.0.0.1'].map(quote).join(' ');
    const p = new Pty(spawn(SCRIPT, ['-qfec', `stty rows 8 cols 80; ${cmd}`, '/dev/null'], { stdio: ['pipe', 'pipe', 'pipe'] }));
    try {
      await p.expect(/[Pp]assword: ?$/);
      p.send('cisco123\r');
      await p.expect('\r\n\r\nadmin:');
      p.send('utils service list\r');
      await p.expect('\x1b[1mPress <enter> for 1 line, <space> for one page, or <q> to quit\x1b[0m');
      p.send(' ');
      await p.expect('\r\x1b[K');
      await p.expect('to quit\x1b[0m');
      p.send('q');
      await p.expect('\r\x1b[K\radmin:');
      p.send('show cli ?');
      expect(await p.expect('admin:show cli ')).toMatch(/pagination/);
      p.send('\x15quit\r');
      expect(await p.exited()).toBe(0);
    } finally {
      p.child.kill();
    }

    // ssh takes the first value of an option: keyboard-interactive only, one prompt
    const once = [SSH, '-tt', '-p', String(r.port()), '-o', 'PreferredAuthentications=keyboard-interactive', ...SSH_OPTS, 'admin@127.0.0.1'].map(quote).join(' ');
    const bad = new Pty(spawn(SCRIPT, ['-qfec', once, '/dev/null'], { stdio: ['pipe', 'pipe', 'pipe'] }));
    try {
      await bad.expect(/[Pp]assword: ?$/);
      bad.send('not-the-password\r');
      expect(await bad.exited()).toBe(255);
      expect(bad.out).toContain('Permission denied');
    } finally {
      bad.child.kill();
    }
    await unlockAccounts(r.lab);
  });

  it('exec requests return the command status to ssh (0 and 1)', async () => {
    const dir = tempDir('cucm-sim-askpass-');
    const askpass = join(dir, 'askpass.sh');
    writeFileSync(askpass, '#!/bin/sh\necho cisco123\n');
    chmodSync(askpass, 0o700);
    const env = { ...process.env, SSH_ASKPASS: askpass, SSH_ASKPASS_REQUIRE: 'force', DISPLAY: ':0' };
    // asynchronously: the server runs in this process and must keep answering
    const run = (command: string) =>
      new Promise<{ stdout: string; status: number | null }>((resolve) => {
        const child = spawn(SSH, ['-p', String(r.port()), ...SSH_OPTS, '-o', 'LogLevel=ERROR', 'admin@127.0.0.1', command], {
          env,
          stdio: ['ignore', 'pipe', 'pipe'],
          timeout: 20_000,
        });
        let stdout = '';
        child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
        child.on('close', (status) => resolve({ stdout, status }));
      });
    const ok = await run('show myself');
    expect(ok.stdout).toContain('Machine Name    : cucm-pub');
    expect(ok.status).toBe(0);
    const bad = await run('show nothing-like-this');
    expect(bad.stdout).toContain('Executed command unsuccessfully');
    expect(bad.status).toBe(1);
  });

  it('a server shutdown is shown to the user before the connection closes', async () => {
    const own = await rig();
    const cmd = [SSH, '-tt', '-p', String(own.port()), ...SSH_OPTS, 'admin@127.0.0.1'].map(quote).join(' ');
    const p = new Pty(spawn(SCRIPT, ['-qfec', cmd, '/dev/null'], { stdio: ['pipe', 'pipe', 'pipe'] }));
    try {
      await p.expect(/[Pp]assword: ?$/);
      p.send('cisco123\r');
      await p.expect('\r\n\r\nadmin:');
      await own.stop();
      await p.exited();
      expect(p.out).toContain('The system is going down');
      expect(p.out).toContain('Connection to 127.0.0.1 closed.');
    } finally {
      p.child.kill();
    }
  });
});
