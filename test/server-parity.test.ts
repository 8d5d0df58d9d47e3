// What a real CUCM does that automation relies on: SSH exec requests refused (unless serve
// --allow-exec), and the commands clients run on connect or in runbooks (show status, show network
// eth0, show version, file list|view activelog|install, utils network ping).
// Regenerate the golden files after an intended change with: UPDATE_GOLDEN=1 npx vitest run test/server-parity.test.ts
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Lab } from '../state/cluster/lab.js';
import { CliSession } from '../src/console/admin-console.js';
import { parseCommon } from '../src/cli/args.js';
import { cleanup, seededLab, tempDir, transcript } from './helpers.js';
import { exec, rig, shell, type Rig } from './ssh-harness.js';
import { requireTool } from './prerequisites.js';

vi.setConfig({ testTimeout: 60_000, hookTimeout: 60_000 });

const DIR = join(__dirname, 'golden');

/** Compares with the stored file; only UPDATE_GOLDEN=1 writes one, so a missing file fails. */
function golden(name: string, actual: string): void {
  const path = join(DIR, name);
  if (process.env.UPDATE_GOLDEN === '1') writeFileSync(path, actual);
  else if (!existsSync(path)) throw new Error(`golden file ${path} is missing; create it with UPDATE_GOLDEN=1 npx vitest run test/server-parity.test.ts and review it`);
  expect(actual).toBe(readFileSync(path, 'utf8'));
}

describe('SSH exec requests', () => {
  let refusing: Rig;
  let allowing: Rig;
  const dirs: string[] = [];
  beforeAll(async () => {
    refusing = await rig();
    allowing = await rig({ allowExec: true });
  });
  afterAll(async () => {
    await refusing.stop();
    await allowing.stop();
    dirs.forEach((d) => rmSync(d, { recursive: true, force: true }));
  });

  it('are refused by default: the channel request fails, the lab is untouched, a shell still works', async () => {
    const before = refusing.lab.fingerprint();
    await expect(exec(refusing.port(), 'file delete tftp ITLFile.tlv noconfirm')).rejects.toThrow(/Unable to exec/);
    expect(refusing.lab.fingerprint()).toBe(before);
    const t = await shell(refusing.port(), { rows: 0 });
    expect(await t.command('show myself')).toContain('Machine Name    : cucm-pub');
    t.end();
  });

  it('fail in OpenSSH with "exec request failed on channel 0"', async () => {
    const ssh = requireTool('ssh', 'openssh-client');
    const dir = tempDir('cucm-sim-askpass-');
    dirs.push(dir);
    const askpass = join(dir, 'askpass.sh');
    writeFileSync(askpass, '#!/bin/sh\necho cisco123\n');
    chmodSync(askpass, 0o700);
    const env = { ...process.env, SSH_ASKPASS: askpass, SSH_ASKPASS_REQUIRE: 'force', DISPLAY: ':0' };
    const opts = ['-F', '/dev/null', '-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null', '-o', 'PubkeyAuthentication=no', '-o', 'PreferredAuthentications=keyboard-interactive,password', '-o', 'NumberOfPasswordPrompts=1', '-o', 'LogLevel=ERROR'];
    const res = await new Promise<{ stdout: string; stderr: string; status: number | null }>((resolve) => {
      const child = spawn(ssh, ['-p', String(refusing.port()), ...opts, 'admin@127.0.0.1', 'show myself'], { env, stdio: ['ignore', 'pipe', 'pipe'], timeout: 20_000 });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('close', (status) => resolve({ stdout, stderr, status }));
    });
    expect(res.stderr).toContain('exec request failed on channel 0');
    expect(res.stdout).toBe('');
    expect(res.status).not.toBe(0);
  });

  it('run with allowExec, returning the command status', async () => {
    const ok = await exec(allowing.port(), 'show version active');
    expect(ok.code).toBe(0);
    expect(ok.out).toContain('Active Master Version: 10.5.1.10000-7');
  });

  it('are allowed by serve --allow-exec only', () => {
    expect(parseCommon(['serve']).flags.allowExec).toBeUndefined();
    expect(parseCommon(['serve', '--allow-exec']).flags.allowExec).toBe(true);
  });
});

describe('commands automation runs', () => {
  let lab: Lab;
  beforeAll(async () => {
    lab = await seededLab({ seed: 1 });
  });
  afterAll(() => cleanup(lab));

  it('show status: the fields and layout of versions.md §0, with the lab host, clock and release', async () => {
    const r = await transcript(lab, ['show status']);
    expect(r.statuses).toEqual([0]);
    const lines = r.text.split('\n');
    // literal lines and columns from the reference block
    expect(lines.slice(0, 9)).toEqual([
      'admin:show status',
      '',
      'Host Name          : cucm-pub',
      'Date               : Mon Jan 06, 2025 09:00:00',
      'Time Zone          : Coordinated Universal Time (UTC)',
      'Locale             : en_US.UTF-8',
      'Product Ver        : 10.5.1.10000-7',
      'Unified OS Version : 10.0.0.0-2',
      '',
    ]);
    expect(r.text).toContain('\nUptime:\n 09:00:00 up 0 min,  1 user,  load average: ');
    expect(r.text).toMatch(/\nCPU Idle: {3}\d\d\.\d\d% {2}System: {3}\d\d\.\d\d% {4}User: {3}\d\d\.\d\d%\n {2}IOWAIT: {3}\d\d\.\d\d% {5}IRQ: {3}\d\d\.\d\d% {4}Soft: {3}\d\d\.\d\d%\n/);
    expect(r.text).toMatch(/\nMemory Total: +\d+K\n {8}Free: +\d+K\n {8}Used: +\d+K\n {6}Cached: +\d+K\n {6}Shared: +\d+K\n {5}Buffers: +\d+K\n/);
    expect(r.text).toContain('\n                        Total            Free            Used\n');
    for (const disk of ['active', 'inactive', 'logging']) {
      const m = new RegExp(`\\nDisk/${disk} +(\\d+)K +(\\d+)K +(\\d+)K \\((\\d+)%\\)\\n`).exec(r.text);
      expect(m, disk).not.toBeNull();
      const [total, free, used, pct] = m!.slice(1).map(Number);
      expect(free + used).toBe(total);
      // df's percentage: used over used + free, rounded up
      expect(pct).toBe(Math.ceil((used * 100) / (used + free)));
      expect(m![0].indexOf('K') - 1).toBe(28);
    }
    golden('show-status.txt', r.text);
  });

  it('show version active|inactive and show network eth0 [detail]', async () => {
    const r = await transcript(lab, ['show version active', 'show version inactive', 'show network eth0', 'show network eth0 detail']);
    expect(r.statuses).toEqual([0, 0, 0, 0]);
    // cucm-cli.md §3.13
    expect(r.text).toContain('admin:show version active\nActive Master Version: 10.5.1.10000-7\nActive Version Installed Software Options:\nNo Installed Software Options Found.\n');
    expect(r.text).toContain('admin:show version inactive\nInactive Master Version: ');
    expect(r.text).toContain('IP Address : 192.0.2.10 ');
    expect(r.text).toMatch(/MAC Address {2}: 00:50:56(:[0-9a-f]{2}){3}\n/);
    golden('show-version-network.txt', r.text);
  });

  it('file list|view activelog and install: directories, wildcards, options and the missing-file error', async () => {
    const lines = [
      'file list activelog *',
      'file list activelog * detail',
      'file list activelog cm/trace detail',
      'file list activelog cm/trace/tf*/sdi/* detail',
      'file list activelog cm/tftpdata detail',
      'file list activelog platform/log/*.log size reverse',
      'file view activelog cm/trace/tftp/sdi/ctftp00000001.txt',
      'file view activelog platform/log/certMgr.log',
      'file list install * detail',
      'file view install system-history.log',
      'file view activelog platform/log/missing.log',
      'file list activelog nothing/here',
      'file list activelog ../etc',
      'file view activelog cm/tftpdata/ITLFile.tlv',
      // a wildcard directory must resolve to one directory (cucm-cli.md §3.9)
      'file list activelog cm/trace/*/sdi/*',
    ];
    const r = await transcript(lab, lines);
    expect(r.statuses).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1]);
    // cucm-cli.md §2.2 and §3.9: `<dir>` rows, counts, the error text
    expect(r.text).toContain('admin:file list activelog * detail\n06 Jan,2025 09:00:00      <dir>    cm\n06 Jan,2025 09:00:00      <dir>    platform\ndir count = 2, file count = 0\n');
    expect(r.text).toContain('admin:file view activelog platform/log/missing.log\nno such file or directory can be found\nExecuted command unsuccessfully\n');
    // versions.md §0: the header of system-history.log
    expect(r.text).toContain('Product Version - 10.5.1.10000-7\n');
    // the TFTP trace names the ITL with its size and checksum, as the file on disk has them
    const itl = readFileSync(join(lab.store.dir, 'nodes', 'cucm-pub', 'tftp', 'ITLFile.tlv'));
    expect(r.text).toContain(`ITLFile.tlv written, ${itl.length} bytes, MD5 ${createHash('md5').update(itl).digest('hex')}\n`);
    expect(r.text).toContain(`${itl.length.toLocaleString('en-US').padStart(13)}  ITLFile.tlv\n`);
    golden('file-logs.txt', r.text);
  });

  it('utils network ping: lab nodes answer by name or address, others time out, unknown names fail', async () => {
    const r = await transcript(lab, ['utils network ping cucm-sub1', 'utils network ping 192.0.2.12 2', 'utils network ping 198.51.100.7 3', 'utils network ping nowhere.example', 'utils network ping cucm-sub1 0']);
    expect(r.statuses).toEqual([0, 0, 0, 1, 1]);
    expect(r.text).toContain('admin:utils network ping cucm-sub1\nPING cucm-sub1.lab.example (192.0.2.11) 56(84) bytes of data.\n64 bytes from cucm-sub1.lab.example (192.0.2.11): icmp_seq=1 ttl=64 time=');
    expect(r.text).toContain('--- cucm-sub1.lab.example ping statistics ---\n4 packets transmitted, 4 received, 0% packet loss, time ');
    expect(r.text).toContain('PING 192.0.2.12 (192.0.2.12) 56(84) bytes of data.\n64 bytes from 192.0.2.12: icmp_seq=1 ttl=64');
    expect(r.text).toContain('PING 198.51.100.7 (198.51.100.7) 56(84) bytes of data.\n\n--- 198.51.100.7 ping statistics ---\n3 packets transmitted, 0 received, 100% packet loss, time ');
    // the statistics line agrees with the replies printed
    const times = [...r.text.split('admin:utils network ping 192.0.2.12 2')[1].split('admin:')[0].matchAll(/time=(\d+\.\d{3}) ms/g)].map((m) => Number(m[1]));
    expect(times).toHaveLength(2);
    const stats = /rtt min\/avg\/max\/mdev = ([\d.]+)\/([\d.]+)\/([\d.]+)\/([\d.]+) ms/.exec(r.text.split('admin:utils network ping 192.0.2.12 2')[1])!;
    expect(Number(stats[1])).toBe(Math.min(...times));
    expect(Number(stats[3])).toBe(Math.max(...times));
    expect(Math.abs(Number(stats[2]) - (times[0] + times[1]) / 2)).toBeLessThanOrEqual(0.001);
    golden('utils-network-ping.txt', r.text);
  });

  it('a powered-off node does not answer', async () => {
    await lab.mutate(() => lab.setPower(lab.node('cucm-sub2')!, false));
    try {
      const r = await transcript(lab, ['utils network ping cucm-sub2 1']);
      expect(r.text).toContain('1 packets transmitted, 0 received, 100% packet loss');
    } finally {
      await lab.mutate(() => lab.setPower(lab.node('cucm-sub2')!, true));
    }
  });

  it('are registered with ? and Tab', () => {
    const s = new CliSession({ lab, node: lab.publisher() });
    expect(s.question('show ').join(' ')).toMatch(/\bstatus\b/);
    expect(s.question('show network ').join(' ')).toMatch(/cluster +eth0/);
    expect(s.question('show version ').join(' ')).toMatch(/active +inactive/);
    expect(s.question('file ').join(' ')).toMatch(/\bview\*/);
    expect(s.question('file list activelog')).toEqual(['Syntax:', 'file list activelog file-spec [options]', 'file-spec   mandatory   file to view', 'options     optional    page|detail|reverse|[date|size]']);
    expect(s.completion('show sta').line).toBe('show status ');
    expect(s.completion('utils network p').line).toBe('utils network ping ');
    expect(s.completion('file view install sys').line).toBe('file view install system-history.log ');
    expect(s.completion('show network eth0 d').line).toBe('show network eth0 detail ');
  });
});
