// The cucm-sim command line as a new user meets it: version, help pages, one-line usage errors with
// exit status 2, labs made on purpose, recordings that are never overwritten by accident.
import { describe, it, expect, beforeAll } from 'vitest';
import { execa } from 'execa';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { scratchPerTest } from './helpers.js';
import { requireDist } from './prerequisites.js';

const ROOT = resolve(import.meta.dirname, '..');
const BIN = join(ROOT, 'bin', 'cucm-sim.js');
beforeAll(() => requireDist());
// a scratch data folder per test, removed after it
const { tmp: home } = scratchPerTest('cucm-sim-cmdline-');

function cli(h: string, args: string[], input = '') {
  return execa(process.execPath, [BIN, ...args], { input, reject: false, env: { CUCM_SIM_HOME: h }, timeout: 60_000 });
}

describe('version and help', () => {
  it('--version and -V print the package version, exit 0', async () => {
    const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    for (const flag of ['--version', '-V']) {
      const r = await cli(home(), [flag]);
      expect(r.exitCode).toBe(0);
      expect(r.stdout).toBe(`cucm-sim ${version}`);
      expect(r.stderr).toBe('');
    }
  });

  it('help, help COMMAND and COMMAND --help exit 0; each command has its own page with examples', async () => {
    const h = home();
    const top = await cli(h, ['help']);
    expect(top.exitCode, top.stderr).toBe(0);
    expect(top.stdout).toContain('Usage: cucm-sim [options]');
    expect((await cli(h, ['--help'])).stdout).toBe(top.stdout);
    const pages = new Map<string, string>();
    for (const sub of ['serve', 'lab', 'run', 'exercise']) {
      const a = await cli(h, ['help', sub]);
      const b = await cli(h, [sub, '--help']);
      expect(a.exitCode, a.stderr).toBe(0);
      expect(b.exitCode, b.stderr).toBe(0);
      expect(b.stdout).toBe(a.stdout);
      expect(a.stdout.startsWith(`Usage: cucm-sim ${sub}`)).toBe(true);
      expect(a.stdout).toMatch(new RegExp(`Examples:\\n  cucm-sim ${sub} `));
      pages.set(sub, a.stdout);
    }
    expect(new Set(pages.values()).size).toBe(4);
    // a flag is listed where it means something, and only there
    expect(pages.get('serve')).toContain('--port N');
    expect(pages.get('run')).not.toContain('--port N');
    expect(pages.get('run')).toContain('--junit FILE');
    expect(pages.get('lab')).toContain('cucm-sim lab create NAME [--seed N] [--nodes N|pub,sub1,...] [--topology FILE] [--version V]');
    expect(top.stdout).not.toContain('--junit');
    // nothing was created by asking for help
    expect(existsSync(join(h, 'labs'))).toBe(false);
  });
});

describe('usage errors: one line, a hint, exit 2', () => {
  const cases: Array<[string[], string, string]> = [
    [['--bogus'], "unknown option '--bogus'", 'cucm-sim --help'],
    [['serve', '--prot', '3'], "unknown option '--prot' (did you mean --port?)", 'cucm-sim serve --help'],
    [['srve'], "unknown command 'srve' (commands: serve, lab, run, exercise, class, help)", 'cucm-sim --help'],
    [['help', 'nope'], "no help for 'nope' (commands: serve, lab, run, exercise, class)", 'cucm-sim --help'],
    [['serve', '--port', '99999'], "--port takes a whole number from 0 to 65535 (got '99999')", 'cucm-sim serve --help'],
    [['--port', 'abc', 'serve'], "--port takes a whole number from 0 to 65535 (got 'abc')", 'cucm-sim serve --help'],
    [['--clock', 'notadate'], "--clock takes an ISO time such as 2025-01-06T09:00:00Z (got 'notadate')", 'cucm-sim --help'],
    [['serve', '--host', '999.1.1.1'], "--host takes an IP address or a host name (got '999.1.1.1')", 'cucm-sim serve --help'],
    [['serve', '--sftp-allow', '999.1.1.1:22'], "--sftp-allow takes HOST or HOST:PORT with an IP address or a host name (got '999.1.1.1:22')", 'cucm-sim serve --help'],
    [['--pace', 'slow'], "--pace is fast or realistic (got 'slow')", 'cucm-sim --help'],
    [['serve', '--max-sessions', '-1'], "--max-sessions takes a whole number above 0, at most 100000 (got '-1')", 'cucm-sim serve --help'],
    [['serve', '--max-auth-tries', '2.5'], "--max-auth-tries takes a whole number above 0, at most 100 (got '2.5')", 'cucm-sim serve --help'],
    [['serve', '--tftp-port', '1e3'], "--tftp-port takes a whole number from 0 to 65535 (got '1e3')", 'cucm-sim serve --help'],
    [['--seed', 'x'], "--seed takes a whole number from 0 to 2147483647 (got 'x')", 'cucm-sim --help'],
    [['--sql-max-rows', '0'], "--sql-max-rows takes a whole number above 0, at most 1000000 (got '0')", 'cucm-sim --help'],
    [['--lab', '../x'], "--lab takes a lab name (letters, digits, . _ -, at most 64, not starting with . _ -) (got '../x')", 'cucm-sim --help'],
    [['--seed'], '--seed needs a value (N)', 'cucm-sim --help'],
    [['--seed', '1', '--seed', '2'], '--seed is given twice', 'cucm-sim --help'],
    [['serve', '--json'], "--json does not apply to 'serve'", 'cucm-sim serve --help'],
    [['--port', '2222'], '--port does not apply to the admin: session', 'cucm-sim --help'],
    [['lab', 'create'], 'lab create needs a lab name (cucm-sim lab create NAME)', 'cucm-sim lab --help'],
    [['lab', 'create', 'a', '--nodes', '9'], "--nodes takes a whole number above 0, at most 8 (got '9')", 'cucm-sim lab --help'],
    [['lab', 'create', 'a', '--nodes', 'pub,pub'], "--nodes takes a count from 1 to 8 or 1 to 8 distinct node names separated by commas (got 'pub,pub')", 'cucm-sim lab --help'],
    [['lab', 'status', '--nodes', '2'], "--nodes applies to 'lab create' only", 'cucm-sim lab --help'],
    [['serve', 'extra'], "serve takes no arguments (got 'extra')", 'cucm-sim serve --help'],
    [['--clock', '\x1b[2J'], "--clock takes an ISO time such as 2025-01-06T09:00:00Z (got '?[2J')", 'cucm-sim --help'],
  ];
  it.each(cases)('%j', async (args, message, help) => {
    const h = home();
    const r = await cli(h, args);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toBe(`cucm-sim: ${message}\nTry '${help}'.`);
    expect(r.stdout).toBe('');
    expect(existsSync(join(h, 'labs'))).toBe(false);
  });
});

describe('labs are made on purpose', () => {
  it('lab create and lab list; an existing name is refused', async () => {
    const h = home();
    const empty = await cli(h, ['lab', 'list']);
    expect(empty.stdout).toBe("No labs yet; 'cucm-sim lab create NAME' makes one (the default lab is made on first use).");
    const a = await cli(h, ['lab', 'create', 'class1', '--seed', '3', '--nodes', '2']);
    expect(a.exitCode, a.stderr).toBe(0);
    expect(a.stdout.split('\n')[0]).toBe(`Created lab 'class1': cucm-pub, cucm-sub1, seed 3, in ${join(h, 'labs', 'class1')}`);
    expect(a.stderr).toBe('');
    expect((await cli(h, ['lab', 'create', 'branch', '--nodes', 'hq,br-1', '--seed', '4'])).exitCode).toBe(0);
    const again = await cli(h, ['lab', 'create', 'class1']);
    expect(again.exitCode).toBe(2);
    expect(again.stderr).toBe("cucm-sim: the lab 'class1' exists already ('cucm-sim lab list' shows the labs)");
    const list = await cli(h, ['lab', 'list']);
    expect(list.exitCode).toBe(0);
    const lines = list.stdout.split('\n');
    expect(lines[0]).toBe('NAME    NODES               SEED  CREATED');
    expect(lines[1]).toMatch(/^branch  hq,br-1             4     \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(lines[2]).toMatch(/^class1  cucm-pub,cucm-sub1  3     \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    // the lab is used as made: two nodes, the names given
    const r = await cli(h, ['--lab', 'branch', '--node', 'br-1'], 'show myself\n');
    expect(r.stdout).toContain('Machine Name    : br-1');
  });

  it('--lab NAME that does not exist is refused with the labs there are, and nothing is created', async () => {
    const h = home();
    const none = await cli(h, ['--lab', 'nope'], 'show myself\n');
    expect(none.exitCode).toBe(2);
    expect(none.stderr).toBe("cucm-sim: no lab 'nope' (no labs yet); create it with 'cucm-sim lab create nope'");
    expect(existsSync(join(h, 'labs', 'nope'))).toBe(false);
    await cli(h, ['lab', 'create', 'b', '--seed', '1', '--nodes', '1']);
    await cli(h, ['lab', 'create', 'a', '--seed', '1', '--nodes', '1']);
    for (const args of [['--lab', 'nope'], ['serve', '--lab', 'nope', '--port', '0'], ['lab', '--lab', 'nope', 'status']]) {
      const r = await cli(h, args, 'show myself\n');
      expect(r.exitCode).toBe(2);
      expect(r.stderr).toBe("cucm-sim: no lab 'nope' (labs: a, b); create it with 'cucm-sim lab create nope'");
    }
    const x = await cli(h, ['exercise', 'check', '--lab', 'nope']);
    expect(x.exitCode).toBe(2);
    expect(x.stderr).toBe("cucm-sim: no lab 'nope' (start an exercise with 'cucm-sim exercise start ID --lab nope'); labs: a, b");
    expect(readdirSync(join(h, 'labs')).sort()).toEqual(['a', 'b']);
  });

  it('the default lab is still made on first use; --seed that differs from the lab\'s is refused', async () => {
    const h = home();
    const first = await cli(h, ['--seed', '3'], 'show myself\n');
    expect(first.exitCode).toBe(0);
    expect(first.stdout).toContain('Machine Name    : cucm-pub');
    expect((await cli(h, ['--seed', '3'], 'show myself\n')).exitCode).toBe(0);
    const other = await cli(h, ['--seed', '4'], 'show myself\n');
    expect(other.exitCode).toBe(2);
    expect(other.stderr).toBe(
      "cucm-sim: the lab 'default' was made with seed 3, not seed 4; leave --seed out, or make another lab with 'cucm-sim lab create NAME --seed 4'",
    );
    expect(other.stdout).toBe('');
    const nodes = await cli(h, ['--nodes', '2', 'lab', 'status']);
    expect(nodes.stderr).toBe("cucm-sim: --nodes applies to 'lab create' only\nTry 'cucm-sim lab --help'.");
  });

  it('--version with a word is the lab profile of lab create, carried without a check here', async () => {
    const h = home();
    const r = await cli(h, ['lab', 'create', 'v', '--version', '12.5', '--seed', '1', '--nodes', '1']);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain("Created lab 'v'");
    const bad = await cli(h, ['lab', 'create', 'w', '--version', '$(x)']);
    expect(bad.stderr).toBe("cucm-sim: --version takes a version such as 12.5 (got '$(x)')\nTry 'cucm-sim lab --help'.");
  });
});

describe('recordings and local files', () => {
  it('--record refuses an existing file unless --force', async () => {
    const h = home();
    const rec = join(h, 'session.txt');
    writeFileSync(rec, 'keep me\n');
    const r = await cli(h, ['--seed', '1', '--record', rec], 'show myself\n');
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toBe(`cucm-sim: --record ${rec}: the file exists (--force overwrites it)\nTry 'cucm-sim --help'.`);
    expect(readFileSync(rec, 'utf8')).toBe('keep me\n');
    const lab = await cli(h, ['lab', '--record', rec, 'status']);
    expect(lab.exitCode).toBe(2);
    expect(lab.stderr).toBe(`cucm-sim: --record ${rec}: the file exists (--force overwrites it)\nTry 'cucm-sim lab --help'.`);
    const forced = await cli(h, ['--seed', '1', '--record', rec, '--force'], 'show myself\n');
    expect(forced.exitCode).toBe(0);
    expect(readFileSync(rec, 'utf8')).toContain('admin:show myself\nMachine Name    : cucm-pub');
  });

  it("file get tftp to the host 'local' says where the file was written", async () => {
    const h = home();
    const r = await cli(h, ['--seed', '1'], 'file get tftp ITLFile.tlv\ny\nlocal\n\nadmin\nsecret\n/backups\n');
    expect(r.exitCode).toBe(0);
    const path = join(h, 'labs', 'default', 'sftp', 'local', 'backups', 'ITLFile.tlv');
    expect(r.stdout).toContain(`Transfer completed.\n\nDownloading file: /usr/local/cm/tftp/ITLFile.tlv\n\n(local) written to ${path}\nadmin:`);
    expect(readFileSync(path).equals(readFileSync(join(h, 'labs', 'default', 'nodes', 'cucm-pub', 'tftp', 'ITLFile.tlv')))).toBe(true);
  });
});
