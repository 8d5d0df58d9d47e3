// Runbooks: the example procedures pass, mismatches are reported as diffs at the right line,
// --update rewrites expectations, malformed runbooks fail with file and line.
import { describe, it, expect, afterEach } from 'vitest';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from './helpers.js';
import { requireDist } from './prerequisites.js';
import { align, compileExpected } from '../src/runbook/match.js';
import { parseRunbook } from '../src/runbook/parse.js';
import { runRunbook } from '../src/runbook/run.js';
import { runbooksMain } from '../src/cli/run.js';
import { createNamedLab } from '../state/labs.js';

const ROOT = join(import.meta.dirname, '..');
const EXAMPLES = join(ROOT, 'scripts', 'runbooks');
const BIN = join(ROOT, 'bin', 'cucm-sim.js');

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function tmp(): string {
  const d = tempDir('cucm-sim-runbook-');
  dirs.push(d);
  return d;
}
function write(name: string, text: string | Buffer): string {
  const f = join(tmp(), name);
  writeFileSync(f, text);
  return f;
}
function sink() {
  let text = '';
  return {
    write: (s: string) => {
      text += s;
      return true;
    },
    get text() {
      return text;
    },
  };
}

const HOLD = `# hold timer
admin:set cert regen CallManager

WARNING: This operation will overwrite any CA signed certificate previously imported for CallManager
Proceed with regeneration (yes|no)? yes


Successfully Regenerated Certificate for CallManager.
Please do a backup of the server as soon as possible. Failure to do so can stale the cluster in case of a crash.
You must restart services related to CallManager for the regenerated certificates to become active.
admin:set cert regen TVS
CallManager certificate was modified in the last 5 minutes. Please re-try regenerating TVS certificate at a later time
`;

describe('the example runbooks', () => {
  const files = readdirSync(EXAMPLES)
    .filter((f) => f.endsWith('.txt'))
    .sort();
  it('cover every seed procedure', () => {
    expect(files).toEqual(expect.arrayContaining(['mixed-mode.txt', 'tokenless-migration.txt', 'ctl-update-after-regen.txt', 'itl-reset-localkey.txt', 'itl-reset-remotekey.txt', 'hold-timer.txt', 'subscriber-refusals.txt', 'phones-locked-recovered.txt']));
  });
  for (const f of files) {
    it(`${f} passes`, async () => {
      const r = await runRunbook(join(EXAMPLES, f));
      expect(r.error?.message).toBeUndefined();
      expect(r.mismatches.map((m) => m.diff).join('\n')).toBe('');
      expect(r.passed).toBe(true);
      expect(r.commands).toBeGreaterThan(0);
    }, 60_000);
  }
});

describe('mismatches', () => {
  it('fail with a unified diff pointing at the edited line; --update makes the runbook pass again', async () => {
    const dir = tmp();
    const f = join(dir, 'mixed-mode.txt');
    copyFileSync(join(EXAMPLES, 'mixed-mode.txt'), f);
    const lines = readFileSync(f, 'utf8').split('\n');
    const at = lines.indexOf('Cluster set to Mixed Mode');
    expect(at).toBeGreaterThan(0);
    lines[at] = 'Cluster set to Mixed Mode!';
    writeFileSync(f, lines.join('\n'));
    const r = await runRunbook(f);
    expect(r.passed).toBe(false);
    expect(r.mismatches).toHaveLength(1);
    const m = r.mismatches[0];
    expect(m.line).toBe(at + 1);
    expect(m.command).toBe('admin:utils ctl set-cluster mixed-mode');
    expect(m.diff).toContain(`--- ${f} (runbook)`);
    expect(m.diff).toContain(`\n@@ -${at - 2},5 +${at - 2},5 @@\n`);
    expect(m.diff).toContain('\n-Cluster set to Mixed Mode!\n+Cluster set to Mixed Mode\n');
    expect(m.diff).toContain('\n Moving Cluster to Mixed Mode\n');

    const out = sink();
    expect(await runbooksMain({}, [f], out, out)).toBe(1);
    expect(out.text).toContain(`FAIL  ${f} (1 mismatch`);
    const cmdLine = lines.indexOf('admin:utils ctl set-cluster mixed-mode') + 1;
    expect(out.text).toContain(`${f}:${at + 1}: output of 'admin:utils ctl set-cluster mixed-mode' (command at line ${cmdLine}) differs`);

    const up = sink();
    expect(await runbooksMain({ update: true }, [f], up, up)).toBe(0);
    expect(up.text).toContain(`UPDATED ${f}`);
    expect(readFileSync(f, 'utf8')).toBe(readFileSync(join(EXAMPLES, 'mixed-mode.txt'), 'utf8'));
    expect((await runRunbook(f)).passed).toBe(true);
  }, 60_000);

  it('report missing and extra lines at the right place', async () => {
    const lines = HOLD.split('\n');
    const drop = lines.findIndex((l) => l.startsWith('Please do a backup'));
    const edited = [...lines.slice(0, drop), ...lines.slice(drop + 1)];
    edited.splice(edited.length - 1, 0, 'an extra line');
    const f = write('rb.txt', edited.join('\n'));
    const r = await runRunbook(f);
    expect(r.mismatches).toHaveLength(2);
    expect(r.mismatches[0].line).toBe(drop + 1);
    expect(r.mismatches[0].diff).toContain('\n+Please do a backup');
    expect(r.mismatches[1].line).toBe(edited.length - 1);
    expect(r.mismatches[1].diff).toContain('\n-an extra line');
  });

  it('writes JUnit XML for CI', async () => {
    const good = write('good.txt', HOLD);
    const bad = write('bad.txt', HOLD.replace('later time', 'later date'));
    const broken = write('broken.txt', '#! frobnicate\nadmin:show myself\n');
    const junit = join(tmp(), 'junit.xml');
    const out = sink();
    expect(await runbooksMain({ junit }, [good, bad, broken], out, out)).toBe(1);
    expect(out.text).toMatch(/^PASS  .*good\.txt/m);
    expect(out.text).toMatch(/^FAIL  .*bad\.txt/m);
    expect(out.text).toMatch(/^ERROR .*broken\.txt:1: unknown directive '#! frobnicate'/m);
    expect(out.text).toContain('3 runbooks: 1 passed, 2 failed');
    const xml = readFileSync(junit, 'utf8');
    expect(xml).toContain('<testsuites name="cucm-sim runbooks" tests="3" failures="1" errors="1"');
    expect(xml.match(/<testcase /g)).toHaveLength(3);
    expect(xml).toContain('<failure message="1 mismatch; first at ');
    expect(xml).toContain('-CallManager certificate was modified in the last 5 minutes. Please re-try regenerating TVS certificate at a later date');
    expect(xml).toContain('<error message="');
  });
});

describe('wildcards', () => {
  it('match single values and runs of lines; --update keeps the ones that still match', async () => {
    const text = `admin:show itl
The checksum value of the ITL file:
{{hex}}(MD5)
{{hex}}(SHA1)

Length of ITL file: {{int}}
The ITL File was last modified on {{date}}
{{...}}
The ITL file was verified successfully.
admin:show myself
Machine Name    : {{*}}
account name    : admin
privilege level : 4
command count   : 99
logging setting : 1
`;
    const f = write('w.txt', text);
    const r = await runRunbook(f, { seed: 5 });
    expect(r.mismatches).toHaveLength(1);
    expect(r.mismatches[0].line).toBe(14);
    await runRunbook(f, { seed: 5, update: true });
    expect(readFileSync(f, 'utf8')).toBe(text.replace('command count   : 99', 'command count   : 2'));
    expect((await runRunbook(f, { seed: 5 })).passed).toBe(true);
  });

  it('are small and explicit', () => {
    const t = (p: string, s: string) => (compileExpected(p) as { test: (s: string) => boolean }).test(s);
    expect(t('a {{*}} b', 'a anything b')).toBe(true);
    expect(t('{{hex}}', '31:03:8E:E4')).toBe(true);
    expect(t('{{hex}}', 'A4 D0 85 3A')).toBe(true);
    expect(t('{{hex}}', 'xyz')).toBe(false);
    expect(t('on {{date}}', 'on Mon Jan 06 09:00:00 UTC 2025')).toBe(true);
    expect(t('{{date}}', '02 Dec,2004 12:00:59')).toBe(true);
    expect(t('{{date}}', '2025-01-06T09:00:00Z')).toBe(true);
    expect(t('{{int}}', '12a')).toBe(false);
    expect(t('{{other}}', '{{other}}')).toBe(true);
    expect(t('trailing   ', 'trailing')).toBe(true);
    const ops = align(['a', '{{...}}', 'z'], ['a', 'b', 'c', 'z']);
    expect(ops.map((o) => o.op)).toEqual(['eq', 'wild', 'eq']);
  });
});

describe('dialogs', () => {
  it('take visible answers from the transcript and hidden ones from #! answer or the lab defaults', async () => {
    const f = write(
      'd.txt',
      `#! answer wrong-password
admin:utils itl reset localkey
Enter CCM Administrator password :

Invalid CCM Administrator password.
Executed command unsuccessfully
admin:utils ctl set-cluster mixed-mode
This operation sets the cluster to Mixed mode. Do you want to continue? (y/n):n
admin:run sql select paramvalue from processconfig where paramname='ClusterSecurityMode'
paramvalue
==========
0         
`,
    );
    const r = await runRunbook(f);
    expect(r.error?.message).toBeUndefined();
    expect(r.mismatches.map((m) => m.diff)).toEqual([]);
  });

  it('treat help examples (output lines starting with admin:) as output', async () => {
    const f = write('h.txt', 'admin:help show itl\n');
    await runRunbook(f, { update: true });
    const text = readFileSync(f, 'utf8');
    expect(text).toMatch(/\nadmin:show itl\n/);
    const r = await runRunbook(f);
    expect(r.passed).toBe(true);
    expect(r.commands).toBe(1);
  });

  it('check the login banner when the transcript starts with it', async () => {
    const f = write('b.txt', 'Command Line Interface is starting up, please wait ...\n\nadmin:show myself\n');
    const r = await runRunbook(f, { update: true });
    expect(r.updated).toBe(true);
    const text = readFileSync(f, 'utf8');
    expect(text).toMatch(/^Command Line Interface is starting up, please wait \.\.\.\n\n {3}Welcome to the Platform Command Line Interface\n/);
    expect((await runRunbook(f)).passed).toBe(true);
  });

  it('run against a named lab with --lab, which keeps its state', async () => {
    const dataDir = tmp();
    // a lab that does not exist is refused, and nothing is made
    const none = await runRunbook(write('n.txt', 'admin:show myself\n'), { labName: 'shared', dataDir });
    expect(none.passed).toBe(false);
    expect(none.error?.message).toContain("no lab 'shared' (no labs yet); create it with 'cucm-sim lab create shared'");
    expect(existsSync(join(dataDir, 'labs', 'shared'))).toBe(false);
    (await createNamedLab({ dataDir, lab: 'shared', seed: 1 })).close();
    const a = write('a.txt', 'admin:utils ctl set-cluster mixed-mode\nThis operation sets the cluster to Mixed mode. Do you want to continue? (y/n):y\n');
    await runRunbook(a, { labName: 'shared', dataDir, update: true });
    const b = write('b.txt', 'admin:utils ctl set-cluster mixed-mode\n');
    await runRunbook(b, { labName: 'shared', dataDir, update: true });
    expect(readFileSync(b, 'utf8')).toContain('The cluster is already in Mixed Mode');
  });
});

describe('malformed runbooks fail with the file and line, never a stack trace', () => {
  const cases: Array<[string, string | Buffer, RegExp]> = [
    ['unknown directive', 'admin:show myself\n#! bogus thing\n', /:2: unknown directive '#! bogus'/],
    ['unterminated dialog', '# c\nadmin:utils ctl set-cluster mixed-mode\nadmin:show myself\n', /:2: unterminated dialog: 'admin:utils ctl set-cluster mixed-mode' asked "This operation sets the cluster to Mixed mode\. Do you want to continue\? \(y\/n\):"/],
    ['binary junk', Buffer.concat([Buffer.from('admin:show myself\n'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d])]), /:2: not valid UTF-8 text/],
    ['NUL bytes', 'admin:show myself\nabc\0def\n', /:2: control character 0x00 at column 4/],
    ['a huge line', 'admin:show myself\n' + 'x'.repeat(100_000) + '\n', /:2: line too long \(100000 bytes/],
    ['no commands', '# only a comment\n\nsome text\n', /:3: no 'admin:' or 'lab>' command lines/],
    ['text outside a command', 'admin:show myself\n# comment\nstray output\n', /:3: output text after a directive or comment/],
    ['a late header directive', 'admin:show myself\n#! seed 3\n', /:2: '#! seed' must come before the first command/],
    ['a bad seed', '#! seed abc\nadmin:show myself\n', /:1: '#! seed' takes a whole number/],
    ['a bad topology', '#! topology nodes: 99\nadmin:show myself\n', /:1: .*a cluster has 1 to 8 nodes/],
    ['an unknown node', 'admin:show myself\n#! node nosuch\nadmin:show myself\n', /:2: no node 'nosuch' in this lab/],
    ['an unused answer', '#! answer x\nadmin:show myself\n', /:1: '#! answer' left unused/],
  ];
  for (const [name, text, re] of cases) {
    it(name, async () => {
      const f = write('bad.txt', text);
      const r = await runRunbook(f);
      expect(r.passed).toBe(false);
      expect(r.error?.message).toMatch(re);
      expect(r.error!.message.startsWith(`${f}:`)).toBe(true);
      expect(r.error!.message).not.toMatch(/\n\s+at /);
    });
  }

  it('lab console lines run through the lab console', async () => {
    const f = write('lab.txt', 'lab>help\n');
    const r = await runRunbook(f, { update: true });
    expect(r.error).toBeUndefined();
    expect(r.passed).toBe(true);
  });

  it('through the command line: exit status 1 and a one-line message on stdout, nothing on stderr', () => {
    requireDist();
    const f = write('bad.txt', Buffer.from([0xff, 0xfe, 0x00, 0x41, 0x0a]));
    const r = spawnSync('node', [BIN, 'run', f], { encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stdout).toBe(`ERROR ${f}:1: not valid UTF-8 text (binary data?)\n1 runbook: 0 passed, 1 failed\n`);
    expect(r.stderr).toBe('');
    const none = spawnSync('node', [BIN, 'run'], { encoding: 'utf8' });
    expect(none.status).toBe(2);
  }, 30_000);

  it('parseRunbook keeps directives, comments and blocks with their lines', () => {
    const rb = parseRunbook('#! seed 2\n#! topology {nodes: 2}\n# hi\nadmin:show myself\nx\n#! node cucm-sub1\nlab>status\ny\n', 'f.txt');
    expect(rb.header.seed).toBe(2);
    expect(rb.header.topology?.nodes.map((n) => n.name)).toEqual(['cucm-pub', 'cucm-sub1']);
    expect(rb.items.map((i) => (i.kind === 'command' ? `${i.line}:${i.console}:${i.command}:${i.expected.map((e) => e.line).join(',')}` : `${i.line}:#!${i.name}`))).toEqual([
      '4:admin:show myself:5',
      '6:#!node',
      '7:lab:status:8',
    ]);
  });
});

