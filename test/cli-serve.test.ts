// What `cucm-sim serve` prints when ready is pasted as it is, and lab creation's progress shows on a
// terminal only: the binary in a scratch data folder, driven by real tools (tftp-hpa, script).
import { describe, it, expect, beforeAll } from 'vitest';
import { execa } from 'execa';
import { spawn } from 'node:child_process';
import { connect } from 'node:net';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { scratchPerTest, waitFor } from './helpers.js';
import { requireDist, requireTool } from './prerequisites.js';

const ROOT = resolve(import.meta.dirname, '..');
const BIN = join(ROOT, 'bin', 'cucm-sim.js');
beforeAll(() => requireDist());
// a scratch data folder per test, removed after it
const { tmp: home } = scratchPerTest('cucm-sim-cliserve-');

/** The first line an SSH server sends on a port. */
function sshBanner(port: number): Promise<string> {
  return new Promise((res, rej) => {
    const s = connect(port, '127.0.0.1');
    s.once('data', (d) => {
      res(d.toString().split('\r\n')[0]);
      s.destroy();
    });
    s.once('error', rej);
  });
}

describe('serve', () => {
  it('prints a ready-to-paste ssh line per node, the lab console login and the TFTP endpoints, and they work', async () => {
    const tftp = requireTool('tftp', 'tftp-hpa');
    const h = home();
    expect((await execa(process.execPath, [BIN, 'lab', 'create', 'class', '--seed', '1', '--nodes', 'pub,sub1'], { env: { CUCM_SIM_HOME: h } })).exitCode).toBe(0);
    const child = spawn(process.execPath, [BIN, 'serve', '--lab', 'class', '--port', '0', '--tftp-port', '0'], { env: { ...process.env, CUCM_SIM_HOME: h }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
    try {
      await waitFor('serve to be ready', () => out.includes('Press Ctrl-C'), 60_000);
      const port = (node: string) => Number(new RegExp(`^${node}\\s+127\\.0\\.0\\.1:(\\d+)\\s`, 'm').exec(out)![1]);
      const pub = port('pub');
      const sub = port('sub1');
      const pwFile = join(h, 'labs', 'class', 'ssh', 'lab-password');
      const password = readFileSync(pwFile, 'utf8').trim();
      const ready = out.slice(out.indexOf('\nSSH,') + 1);
      const tftpLines = [...ready.matchAll(/^ {2}(pub|sub1) {2,}tftp 127\.0\.0\.1 (\d+)$/gm)];
      expect(ready).toBe(
        [
          "SSH, one line per node (OS administrator 'admin', password cisco123):",
          `  pub   ssh -p ${pub} admin@127.0.0.1`,
          `  sub1  ssh -p ${sub} admin@127.0.0.1`,
          '',
          `Lab console, for the instructor (account 'lab', password ${password}, kept in ${pwFile}):`,
          `        ssh -p ${pub} lab@127.0.0.1`,
          '',
          'TFTP, read-only, one endpoint per node:',
          `  pub   tftp 127.0.0.1 ${tftpLines[0]?.[2]}`,
          `  sub1  tftp 127.0.0.1 ${tftpLines[1]?.[2]}`,
          'Press Ctrl-C to stop.',
          '',
        ].join('\n'),
      );
      // the printed ports answer: SSH on each, and the TFTP line as typed fetches the node's ITL
      for (const p of [pub, sub]) expect(await sshBanner(p)).toMatch(/^SSH-2\.0-/);
      const got = join(h, 'itl.tlv');
      const [host, tport] = [...tftpLines[1][0].trim().split(/\s+/).slice(2)];
      const r = await execa(tftp, [host, tport, '-m', 'binary', '-c', 'get', 'ITLFile.tlv', got], { reject: false, timeout: 30_000 });
      expect(r.exitCode, r.stderr + r.stdout).toBe(0);
      expect(readFileSync(got).equals(readFileSync(join(h, 'labs', 'class', 'nodes', 'sub1', 'tftp', 'ITLFile.tlv')))).toBe(true);
    } finally {
      child.kill('SIGTERM');
      await exited;
    }
  }, 120_000);
});

describe('progress of lab creation', () => {
  it('shows on a terminal while fresh keys are made, and nothing when piped', async () => {
    const script = requireTool('script', 'bsdutils');
    const h = home();
    // script(1) gives the program a pseudo-terminal; its output is what that terminal received
    const tty = await execa(script, ['-qec', `'${process.execPath}' '${BIN}' lab create fresh`, '/dev/null'], { env: { CUCM_SIM_HOME: h }, reject: false, timeout: 120_000 });
    expect(tty.exitCode, tty.stdout).toBe(0);
    expect(tty.stdout).toContain("\rCreating lab 'fresh' (fresh keys) [0/19]\x1b[K");
    expect(tty.stdout).toContain("\rCreating lab 'fresh' (fresh keys) [18/19] 1024-bit key\x1b[K");
    expect(tty.stdout).toContain("\rCreating lab 'fresh' (fresh keys) [19/19] booting phones\x1b[K\r\x1b[K");
    expect(tty.stdout).toContain("Created lab 'fresh': cucm-pub, cucm-sub1, cucm-sub2, fresh keys");
    const piped = await execa(process.execPath, [BIN, 'lab', 'create', 'quiet'], { env: { CUCM_SIM_HOME: h }, reject: false, timeout: 120_000 });
    expect(piped.exitCode).toBe(0);
    expect(piped.stderr).toBe('');
    expect(piped.stdout).not.toContain('\x1b');
    expect(existsSync(join(h, 'labs', 'quiet', 'lab.json'))).toBe(true);
  }, 240_000);
});
