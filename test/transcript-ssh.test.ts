// A transcript captured on the client side of an interactive SSH session (PTY, 80x24, pager and
// hidden password prompt included) replays as a passing runbook.
import { describe, it, expect } from 'vitest';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import ssh2 from 'ssh2';
import type { ClientChannel } from 'ssh2';
import { seededLab, cleanup, tempDir, waitFor } from './helpers.js';
import { terminalText } from '../src/recording/terminal-text.js';
import { runRunbook } from '../src/runbook/run.js';


describe('SSH transcripts', () => {
  it('a session typed over SSH, recorded from the terminal stream, is a passing runbook', async () => {
    const { startServer } = await import(['..', 'src', 'frontends', 'ssh', 'server.js'].join('/'));
    const lab = await seededLab();
    const srv = await startServer(lab, { port: 0, failDelayMs: 5 });
    const dir = tempDir('cucm-sim-ssh-rec-');
    const client = new ssh2.Client();
    try {
      await new Promise<void>((resolve, reject) => {
        client.on('ready', () => resolve());
        client.on('error', reject);
        client.on('keyboard-interactive', (_n, _i, _l, prompts, finish) => finish(prompts.map(() => 'cisco123')));
        client.connect({ host: '127.0.0.1', port: srv.ports[0], username: 'admin', password: 'cisco123', tryKeyboard: true, readyTimeout: 10_000 });
      });
      const ch = await new Promise<ClientChannel>((resolve, reject) =>
        client.shell({ term: 'xterm', cols: 80, rows: 24 }, (e, s) => (e ? reject(e) : resolve(s))),
      );
      let raw = '';
      ch.on('data', (d: Buffer) => (raw += d.toString('utf8')));
      const until = async (re: RegExp, onPager = false) => {
        for (let i = 0; i < 400; i++) {
          if (re.test(raw)) return;
          if (onPager && /to quit\x1b\[0m$/.test(raw)) ch.write(' ');
          await new Promise((r) => setTimeout(r, 25));
        }
        throw new Error(`no ${re} in ${JSON.stringify(raw.slice(-200))}`);
      };
      // typed key by key, as a person would
      const type = async (s: string) => {
        for (const c of s) ch.write(c);
      };
      await until(/admin:$/);
      await type('show myself\r');
      await until(/logging setting : 1\r\n\r?admin:$/);
      await type('utils ctl set-cluster mixed-mode\r');
      await until(/\(y\/n\):$/);
      await type('y\r');
      await until(/these services\r\n\r?admin:$/);
      const before = raw.length;
      await type('show ctl\r');
      await until(/The CTL file was verified successfully\.\r\n\r?admin:$/, true);
      expect(raw.slice(before)).toContain('Press <enter> for 1 line');
      await type('utils itl reset localkey\r');
      await until(/password :$/);
      await type('cisco123\r');
      await until(/restarted on host cucm-sub2\r\n\r?admin:$/);
      await type('exit\r');
      await new Promise<void>((r) => ch.on('close', () => r()));

      const text = terminalText(raw);
      expect(text).not.toContain('cisco123');
      expect(text).not.toContain('Press <enter>');
      const file = join(dir, 'ssh-session.txt');
      writeFileSync(file, text);
      const r = await runRunbook(file);
      expect(r.error?.message).toBeUndefined();
      expect(r.mismatches.map((m) => m.diff).join('\n')).toBe('');
      expect(r.passed).toBe(true);
      expect(r.commands).toBe(5);
      expect(readFileSync(file, 'utf8')).toMatch(/^Command Line Interface is starting up/);
    } finally {
      client.end();
      await srv.close();
      cleanup(lab);
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it('serve --record writes one transcript per SSH session, and it replays as a runbook', async () => {
    const { startServer } = await import(['..', 'src', 'frontends', 'ssh', 'server.js'].join('/'));
    const { shell } = await import('./ssh-harness.js');
    const lab = await seededLab();
    const dir = tempDir('cucm-sim-ssh-rec-');
    // a recording of an earlier run of the server is kept: the session takes the next free number
    writeFileSync(join(dir, 'class-cucm-sub1-1.txt'), 'earlier\n');
    const srv = await startServer(lab, { port: 0, failDelayMs: 5, record: join(dir, 'class.txt') });
    try {
      const t = await shell(srv.ports[1], { rows: 200 });
      await t.command('show myself');
      await t.command('utils service restart Cisco Tftp');
      t.send('exit\r');
      await t.waitClosed();
      expect(readFileSync(join(dir, 'class-cucm-sub1-1.txt'), 'utf8')).toBe('earlier\n');
      const file = join(dir, 'class-cucm-sub1-2.txt');
      // the server closes the recording when the session ends, with its last line
      await waitFor('the recording to end with the exit', () => existsSync(file) && readFileSync(file, 'utf8').endsWith('admin:exit\n'));
      const text = readFileSync(file, 'utf8');
      expect(text).toContain('admin:show myself\nMachine Name    : cucm-sub1\n');
      // recorded on a subscriber: replayed there, as its first line says (or as --node says)
      expect(text).toMatch(/^Command Line Interface is starting up[^]*\n#! node cucm-sub1\nadmin:show myself\n/);
      for (const node of [undefined, 'cucm-sub1']) {
        const r = await runRunbook(file, { node });
        expect(r.mismatches.map((m) => m.diff).join('\n')).toBe('');
        expect(r.passed).toBe(true);
      }
    } finally {
      await srv.close();
      cleanup(lab);
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
