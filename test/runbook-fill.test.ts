// `cucm-sim run --fill`: a command-only skeleton gets the actual outputs written in (atomically,
// never over expected output without --update); suites show progress on a terminal only.
import { describe, it, expect, afterEach } from 'vitest';
import { spawnSync } from 'node:child_process';
import { chmodSync, lstatSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from './helpers.js';
import { requireDist, requireTool } from './prerequisites.js';
import { runRunbook } from '../src/runbook/run.js';
import { runbooksMain } from '../src/cli/run.js';

const BIN = join(import.meta.dirname, '..', 'bin', 'cucm-sim.js');
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function dir(): string {
  const d = tempDir('cucm-sim-rb-fill-');
  dirs.push(d);
  return d;
}
function sink(tty = false) {
  let text = '';
  return {
    isTTY: tty,
    columns: 100,
    write: (s: string) => {
      text += s;
      return true;
    },
    get text() {
      return text;
    },
  };
}

const SKELETON = `# mixed mode, then a look from a subscriber
#! answer y
admin:utils ctl set-cluster mixed-mode

admin:show myself

#! node cucm-sub1
admin:utils ctl update CTLFile
`;

describe('--fill', () => {
  it('writes the outputs under the commands, drops the answers the output now shows, and the result passes', async () => {
    const d = dir();
    const f = join(d, 'procedure.txt');
    writeFileSync(f, SKELETON);
    chmodSync(f, 0o640);
    const out = sink();
    expect(await runbooksMain({ fill: f }, [], out, out)).toBe(0);
    expect(out.text).toMatch(new RegExp(`^FILLED ${f.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\(3 blocks filled, 3 commands, `));
    // the refusal is written in, and the author is told about it
    expect(out.text).toContain(`note: ${f}:8: 'admin:utils ctl update CTLFile' failed (status 1): "This command can be executed only on the publisher node. On all other nodes this command is disabled."; the filled output now expects this error`);
    const text = readFileSync(f, 'utf8');
    // texts of seed 002/004 (the question and answer, the progress lines) and the refusal on a subscriber
    expect(text).toBe(
      [
        '# mixed mode, then a look from a subscriber',
        'admin:utils ctl set-cluster mixed-mode',
        'This operation sets the cluster to Mixed mode. Do you want to continue? (y/n):y',
        '',
        'Moving Cluster to Mixed Mode',
        'Cluster set to Mixed Mode',
        'Please Restart the TFTP and Cisco CallManager services on all nodes in the cluster that run these services',
        'admin:show myself',
        'Machine Name    : cucm-pub',
        'account name    : admin',
        'privilege level : 4',
        'command count   : 2',
        'logging setting : 1',
        '#! node cucm-sub1',
        'admin:utils ctl update CTLFile',
        'This command can be executed only on the publisher node. On all other nodes this command is disabled.',
        'Executed command unsuccessfully',
        '',
      ].join('\n'),
    );
    // replaced in one step: same mode, no temporary file left beside it
    expect(statSync(f).mode & 0o777).toBe(0o640);
    expect(readdirSync(d)).toEqual(['procedure.txt']);
    const r = await runRunbook(f);
    expect(r.mismatches).toEqual([]);
    expect(r.passed).toBe(true);
    // filling a filled runbook changes nothing
    const again = sink();
    expect(await runbooksMain({ fill: f }, [], again, again)).toBe(0);
    expect(again.text).toMatch(/^PASS /);
    expect(readFileSync(f, 'utf8')).toBe(text);
  });

  it('fills the file a symlink points at, leaving the link a link', async () => {
    const d = dir();
    const real = join(d, 'real.txt');
    const link = join(d, 'link.txt');
    writeFileSync(real, 'admin:show myself\n');
    symlinkSync(real, link);
    expect((await runRunbook(link, { fill: true })).filled).toBe(1);
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(readFileSync(real, 'utf8')).toMatch(/^admin:show myself\nMachine Name    : cucm-pub\n/);
    expect(readdirSync(d).sort()).toEqual(['link.txt', 'real.txt']);
  });

  it('never rewrites expected output that differs, unless --update is given too', async () => {
    const d = dir();
    const f = join(d, 'half.txt');
    const text = 'admin:show myself\nMachine Name    : somebody-else\nadmin:show network cluster\n';
    writeFileSync(f, text);
    const out = sink();
    expect(await runbooksMain({ fill: f }, [], out, out)).toBe(1);
    expect(readFileSync(f, 'utf8')).toBe(text);
    expect(out.text).toContain(`${f}:2: output of 'admin:show myself' (command at line 1) differs`);
    expect(out.text).toContain(`note: ${f}: not filled: 1 command with expected output differ (add --update to rewrite them too)`);

    const up = sink();
    expect(await runbooksMain({ fill: f, update: true }, [], up, up)).toBe(0);
    expect(up.text).toContain(`UPDATED ${f} (1 block filled, 1 block rewritten`);
    const now = readFileSync(f, 'utf8');
    expect(now).toContain('admin:show myself\nMachine Name    : cucm-pub\n');
    expect(now).toMatch(/admin:show network cluster\n192\.0\.2\.11 cucm-sub1\.lab\.example /);
    expect((await runRunbook(f)).passed).toBe(true);
  });

  it("a skeleton's #! expect-error must come true: filled, but failed when the command succeeds", async () => {
    const d = dir();
    const f = join(d, 'x.txt');
    writeFileSync(f, '#! expect-error\nadmin:show myself\n#! node cucm-sub1\n#! expect-error publisher\nadmin:utils ctl update CTLFile\n');
    const out = sink();
    expect(await runbooksMain({ fill: f }, [], out, out)).toBe(1);
    expect(out.text).toContain(`${f}:1: 'admin:show myself' (command at line 2): '#! expect-error' (line 1) but the command succeeded`);
    // an expected error is no surprise: no note for it
    expect(out.text).not.toContain('note:');
    expect(readFileSync(f, 'utf8')).toContain('#! expect-error publisher\nadmin:utils ctl update CTLFile\nThis command can be executed only on the publisher node.');
  });

  it('a question with no answer in the skeleton is a runbook error that says how to give one', async () => {
    const d = dir();
    const f = join(d, 'q.txt');
    writeFileSync(f, 'admin:utils ctl set-cluster mixed-mode\n');
    const r = await runRunbook(f, { fill: true });
    expect(r.error?.message).toMatch(new RegExp(`^${f.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:1: unterminated dialog: .*'#! answer TEXT' before the command\\)$`));
    expect(readFileSync(f, 'utf8')).toBe('admin:utils ctl set-cluster mixed-mode\n');
  });

  it('through the command line: every file given is filled', () => {
    requireDist();
    const d = dir();
    const a = join(d, 'a.txt');
    const b = join(d, 'b.txt');
    writeFileSync(a, 'admin:show myself\n');
    writeFileSync(b, 'lab>clock show\n');
    const r = spawnSync('node', [BIN, 'run', '--fill', a, b], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(`FILLED ${a} (1 block filled`);
    expect(r.stdout).toContain(`FILLED ${b} (1 block filled`);
    expect(readFileSync(a, 'utf8')).toMatch(/^admin:show myself\nMachine Name    : cucm-pub\n/);
    expect(readFileSync(b, 'utf8')).toMatch(/^lab>clock show\n.+/);
  }, 30_000);
});

describe('progress of a runbook suite', () => {
  it('is drawn on a terminal (runbook, count, command) and cleared before each result line', async () => {
    const d = dir();
    const a = join(d, 'a.txt');
    const b = join(d, 'b.txt');
    writeFileSync(a, 'admin:show myself\n{{...}}\n');
    writeFileSync(b, 'admin:show network cluster\n{{...}}\nlab>clock show\n{{...}}\n');
    const out = sink();
    const err = sink(true);
    expect(await runbooksMain({}, [a, b], out, err)).toBe(0);
    expect(err.text).toContain(`\rrunbook 1/2 ${a} 1 admin:show myself\x1b[K`);
    expect(err.text).toContain(`\rrunbook 2/2 ${b} 2 lab>clock show\x1b[K`);
    expect(err.text.endsWith('\r\x1b[K')).toBe(true);
    expect(out.text).not.toMatch(/[\r\x1b]/);
  });

  it('shows on a real pseudo-terminal (Python\'s pty module), with the result lines intact', () => {
    requireDist();
    const d = dir();
    const a = join(d, 'a.txt');
    writeFileSync(a, 'admin:show myself\n{{...}}\n');
    const r = spawnSync(requireTool('python3', 'python3'), ['-c', 'import os, pty, sys; sys.exit(os.waitstatus_to_exitcode(pty.spawn(sys.argv[1:])))', 'node', BIN, 'run', a], {
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(r.status, r.stdout).toBe(0);
    expect(r.stdout).toContain(`\rrunbook 1/1 ${a} 1 admin:show myself\x1b[K`);
    expect(r.stdout).toContain(`\r\x1b[KPASS  ${a} (1 command,`);
  }, 30_000);

  it('stays quiet when stderr is not a terminal', async () => {
    const d = dir();
    const a = join(d, 'a.txt');
    writeFileSync(a, 'admin:show myself\n{{...}}\n');
    const out = sink();
    const err = sink(false);
    expect(await runbooksMain({}, [a], out, err)).toBe(0);
    expect(err.text).toBe('');
    requireDist();
    const r = spawnSync('node', [BIN, 'run', a], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^PASS /);
  }, 30_000);
});
