// The cucm-sim binary in script mode, as `printf 'show itl\n' | cucm-sim` runs it.
import { describe, it, expect, afterAll, beforeAll } from 'vitest';
import { execa } from 'execa';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from './helpers.js';
import { requireDist } from './prerequisites.js';

const BIN = join(__dirname, '..', 'bin', 'cucm-sim.js');
// the binary runs the compiled code
beforeAll(() => requireDist());
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function home(): string {
  const d = tempDir('cucm-sim-cli-');
  dirs.push(d);
  return d;
}

async function cli(args: string[], input: string, env: Record<string, string> = {}) {
  return execa(process.execPath, [BIN, ...args], { input, reject: false, env, timeout: 30000 });
}

describe('script mode', () => {
  it('creates the default lab on first start and prints show itl as a terminal would', async () => {
    const h = home();
    const r = await cli([], 'show itl\n', { CUCM_SIM_HOME: h });
    expect(r.exitCode).toBe(0);
    expect(r.stdout.startsWith('admin:show itl\nThe checksum value of the ITL file:\n')).toBe(true);
    expect(r.stdout).toContain('The ITL file was verified successfully.\nadmin:');
    expect(r.stderr).toBe('');
  });

  it('exits 1 when any command failed, 0 otherwise', async () => {
    const h = home();
    expect((await cli(['--seed', '3'], 'show version active\nshow myself\n', { CUCM_SIM_HOME: h })).exitCode).toBe(0);
    const bad = await cli(['--seed', '3'], 'show version active\nno such command\nshow myself\n', { CUCM_SIM_HOME: h });
    expect(bad.exitCode).toBe(1);
    expect(bad.stdout).toContain('admin:show myself\nMachine Name    : cucm-pub');
  });

  it('keeps the lab between processes and logs in to the node asked for', async () => {
    const h = home();
    expect((await cli(['lab', 'create', 'keep', '--seed', '2'], '', { CUCM_SIM_HOME: h })).exitCode).toBe(0);
    await cli(['--seed', '2', '--lab', 'keep'], 'utils ctl set-cluster mixed-mode\ny\n', { CUCM_SIM_HOME: h });
    const r = await cli(['--lab', 'keep', '--node', 'cucm-sub2'], "run sql select paramvalue from processconfig where paramname='ClusterSecurityMode'\nshow myself\n", { CUCM_SIM_HOME: h });
    expect(r.stdout).toContain('paramvalue\n==========\n1         \n');
    expect(r.stdout).toContain('Machine Name    : cucm-sub2');
  });

  it('deterministic labs give byte-identical output in separate data directories', async () => {
    const a = await cli(['--seed', '7', '--data-dir', home()], 'show itl\nshow cert own CallManager/CallManager.pem\nutils ctl set-cluster mixed-mode\ny\nshow ctl\n');
    const b = await cli(['--seed', '7', '--data-dir', home()], 'show itl\nshow cert own CallManager/CallManager.pem\nutils ctl set-cluster mixed-mode\ny\nshow ctl\n');
    expect(a.stdout).toBe(b.stdout);
    expect(a.stdout.length).toBeGreaterThan(5000);
  });

  it('refuses bad flags and unknown nodes with a clear message and no stack trace', async () => {
    const h = home();
    const r1 = await cli(['--bogus'], '', { CUCM_SIM_HOME: h });
    expect(r1.exitCode).toBe(2);
    expect(r1.stderr).toBe("cucm-sim: unknown option '--bogus'\nTry 'cucm-sim --help'.");
    const r2 = await cli(['--node', 'nope'], 'show myself\n', { CUCM_SIM_HOME: h });
    expect(r2.exitCode).toBe(2);
    expect(r2.stderr).toContain("no node 'nope'");
    expect(r2.stderr).not.toMatch(/\n\s+at /);
  });
});

describe('damaged labs', () => {
  it('node files without lab.json are not silently replaced; lab reset-lab --force rebuilds them', async () => {
    const h = home();
    await cli(['--seed', '4'], 'show version active\n', { CUCM_SIM_HOME: h });
    const { rmSync: rm } = await import('node:fs');
    rm(join(h, 'labs', 'default', 'lab.json'));
    const r = await cli([], 'show itl\n', { CUCM_SIM_HOME: h });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('has node files but no lab.json');
    expect(r.stderr).toContain("cucm-sim lab reset-lab --force");
    const fix = await cli(['lab', 'reset-lab', '--force', '--seed', '4'], '', { CUCM_SIM_HOME: h });
    expect(fix.exitCode).toBe(0);
    expect((await cli([], 'show itl\n', { CUCM_SIM_HOME: h })).exitCode).toBe(0);
  });
});
