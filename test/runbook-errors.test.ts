// Runbooks cannot hide a failure: a CLI error that only a wildcard covers fails the step, unless
// `#! expect-error` marks it; failures name the runbook's real lines in text, JUnit and the report.
import { describe, it, expect, afterEach } from 'vitest';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from './helpers.js';
import { isErrorLine } from '../src/runbook/errors.js';
import { runRunbook } from '../src/runbook/run.js';
import { runbooksMain } from '../src/cli/run.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function write(name: string, text: string): string {
  const d = tempDir('cucm-sim-rb-errors-');
  dirs.push(d);
  const f = join(d, name);
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

// seed 002: typed on a subscriber
const REFUSAL = 'This command can be executed only on the publisher node. On all other nodes this command is disabled.';
// seed 001: the hold timer
const HOLD = 'CallManager certificate was modified in the last 5 minutes. Please re-try regenerating TVS certificate at a later time';
const REGEN = `admin:set cert regen CallManager

WARNING: This operation will overwrite any CA signed certificate previously imported for CallManager
Proceed with regeneration (yes|no)? yes
{{...}}
`;

describe('a CLI error under a wildcard', () => {
  it('fails the step, naming the error line, the wildcard line and the command line', async () => {
    const f = write('hidden.txt', `# a refusal nobody reads\n#! node cucm-sub1\nadmin:utils ctl set-cluster mixed-mode\n{{...}}\nadmin:show myself\n{{...}}\n`);
    const r = await runRunbook(f);
    expect(r.error?.message).toBeUndefined();
    expect(r.passed).toBe(false);
    expect(r.mismatches).toHaveLength(1);
    const m = r.mismatches[0];
    expect(m).toMatchObject({ kind: 'error', line: 4, commandLine: 3, command: 'admin:utils ctl set-cluster mixed-mode', errorLine: REFUSAL });
    expect(m.diff).toContain(`"${REFUSAL}"`);
    expect(m.diff).toContain("'{{...}}' at line 4");
    expect(m.diff).toContain("'#! expect-error'");

    const out = sink();
    const junit = join(dirs[0], 'junit.xml');
    expect(await runbooksMain({ junit }, [f], out, out)).toBe(1);
    expect(out.text).toContain(`FAIL  ${f} (1 CLI error check failed, 2 commands`);
    expect(out.text).toContain(`${f}:4: 'admin:utils ctl set-cluster mixed-mode' (command at line 3): the command printed the CLI error "${REFUSAL}"`);
    const xml = readFileSync(junit, 'utf8');
    expect(xml).toContain(`<failure message="1 CLI error check failed; first at ${f}:4 (admin:utils ctl set-cluster mixed-mode, command at line 3)" type="CliError">`);
  });

  it('an error line inside a {{*}} line is hidden too; a status-only failure (the hold timer) counts its refusal', async () => {
    const f = write('hold.txt', `${REGEN}admin:set cert regen TVS\n{{*}}\n`);
    const r = await runRunbook(f);
    expect(r.mismatches.map((m) => [m.kind, m.line, m.commandLine, m.errorLine])).toEqual([['error', 7, 6, HOLD]]);
  });

  it('a lab console failure (no error text, status 1) under a wildcard fails with the status', async () => {
    const f = write('lab.txt', 'lab>phones show SEP000000000000\n{{*}}\n');
    const r = await runRunbook(f);
    expect(r.mismatches).toHaveLength(1);
    expect(r.mismatches[0].diff).toContain(`failed (status 1) with "No phone 'SEP000000000000' (see 'phones list')."`);
  });

  it('a trust file that does not parse (status 0) is an error a wildcard cannot hide', async () => {
    const f = write('ctl.txt', 'admin:show ctl\n{{...}}\n');
    const r = await runRunbook(f);
    expect(r.mismatches.map((m) => m.errorLine)).toEqual(['Error parsing the CTL File.']);
  });

  it('--update rewrites output but never passes a hidden error', async () => {
    const text = '#! node cucm-sub1\nadmin:utils ctl set-cluster mixed-mode\n{{...}}\n';
    const f = write('upd.txt', text);
    const out = sink();
    expect(await runbooksMain({ update: true }, [f], out, out)).toBe(1);
    expect(readFileSync(f, 'utf8')).toBe(text);
  });
});

describe('errors the runbook expects', () => {
  it('written out literally, they pass (the shipped subscriber-refusals runbook does this)', async () => {
    const f = write('lit.txt', `#! node cucm-sub1\nadmin:utils ctl set-cluster mixed-mode\n${REFUSAL}\nExecuted command unsuccessfully\n`);
    expect((await runRunbook(f)).passed).toBe(true);
  });

  it('#! expect-error lets a wildcard cover them, and checks the text it is given', async () => {
    const ok = write('ok.txt', `#! node cucm-sub1\n#! expect-error\nadmin:utils ctl set-cluster mixed-mode\n{{...}}\n#! expect-error publisher node\nadmin:utils ctl update CTLFile\n{{...}}\n`);
    const r = await runRunbook(ok);
    expect(r.mismatches).toEqual([]);
    expect(r.passed).toBe(true);
    const hold = write('hold.txt', `${REGEN}#! expect-error Please re-try\nadmin:set cert regen TVS\n{{*}}\n`);
    expect((await runRunbook(hold)).passed).toBe(true);

    const wrong = write('wrong.txt', `#! node cucm-sub1\n#! expect-error Invalid CCM Administrator password\nadmin:utils ctl set-cluster mixed-mode\n{{...}}\n`);
    const w = await runRunbook(wrong);
    expect(w.mismatches).toHaveLength(1);
    expect(w.mismatches[0]).toMatchObject({ kind: 'error', line: 2, commandLine: 3 });
    expect(w.mismatches[0].diff).toContain(`no error line contains that text (found "${REFUSAL}")`);
  });

  it('#! expect-error on a command that succeeds fails the step', async () => {
    const f = write('none.txt', '#! expect-error\nadmin:show myself\n{{...}}\n');
    const r = await runRunbook(f);
    expect(r.mismatches).toHaveLength(1);
    expect(r.mismatches[0]).toMatchObject({ kind: 'error', line: 1, commandLine: 2 });
    expect(r.mismatches[0].diff).toContain('but the command succeeded');
  });

  it('a misplaced #! expect-error is a runbook error with its line', async () => {
    const twice = await runRunbook(write('t.txt', 'admin:show myself\n{{...}}\n#! expect-error\n#! expect-error\nadmin:show myself\n'));
    expect(twice.error?.message).toMatch(/:4: a second '#! expect-error' for one command \(the first is at line 3\)/);
    const last = await runRunbook(write('l.txt', 'admin:show myself\n{{...}}\n#! expect-error\n'));
    expect(last.error?.message).toMatch(/:3: '#! expect-error' with no command after it/);
  });

  it('the error lines are the consoles’ refusals, not ordinary output', () => {
    for (const l of ['Executed command unsuccessfully', 'Invalid command, a dash character must be preceded by a space', 'No valid command entered', REFUSAL, 'This is not a publisher node. The ITL reset can be run on the publisher only.', HOLD, 'Error parsing the ITL file!!', 'Verification of the CTL file failed.', 'Invalid file specification: paths outside the directory are not allowed.', 'The Security Token you have inserted does not exist in the CTL File', 'Control-C pressed'])
      expect(isErrorLine(l), l).toBe(true);
    for (const l of ['The ITL file was verified successfully.', 'Cluster set to Mixed Mode', 'Successfully Regenerated Certificate for CallManager.', '', 'command count   : 2', 'The CTL File was last modified on Mon Jan 06 09:00:00 UTC 2025'])
      expect(isErrorLine(l), l).toBe(false);
  });
});

describe('line numbers of failures', () => {
  it('are the runbook lines (comments, directives, blank lines and CRLF counted) in the result, the text and JUnit', async () => {
    const lines = [
      '# line 1',
      '#! seed 1',
      '',
      '# line 4',
      'admin:show myself',
      'Machine Name    : cucm-pub',
      'account name    : admin',
      'privilege level : 4',
      'command count   : 7',
      'logging setting : 1',
      '# line 11',
      '#! node cucm-sub1',
      'admin:show myself',
      'Machine Name    : cucm-sub9',
    ];
    const f = write('lines.txt', '\uFEFF' + lines.join('\r\n') + '\r\n');
    const r = await runRunbook(f);
    expect(r.mismatches.map((m) => [m.kind, m.line, m.commandLine])).toEqual([
      ['output', 9, 5],
      ['output', 14, 13],
    ]);
    expect(r.mismatches[0].diff).toContain('\n@@ -6,5 +6,5 @@\n');
    expect(r.mismatches[1].diff).toContain('\n@@ -14,1 +14,5 @@\n-Machine Name    : cucm-sub9\n+Machine Name    : cucm-sub1\n');
    const out = sink();
    const junit = join(dirs[0], 'j.xml');
    expect(await runbooksMain({ junit }, [f], out, out)).toBe(1);
    expect(out.text).toContain(`${f}:9: output of 'admin:show myself' (command at line 5) differs`);
    expect(out.text).toContain(`${f}:14: output of 'admin:show myself' (command at line 13) differs`);
    const xml = readFileSync(junit, 'utf8');
    expect(xml).toContain(`message="2 mismatches; first at ${f}:9 (admin:show myself, command at line 5)"`);
    expect(xml).toContain(`${f}:14: output of 'admin:show myself' (command at line 13) differs`);
  });
});
