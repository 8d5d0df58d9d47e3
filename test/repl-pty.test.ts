// The local REPL in a real pseudo-terminal (a tmux pane of 100x24 unless said otherwise): keys and
// pastes as tmux sends them, assertions on the screen tmux shows.
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { readFileSync, rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { seededLab, tempDir } from './helpers.js';
import { requireDist } from './prerequisites.js';
import { TmuxPane, rowsWith } from './tmux.js';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 60_000 });

const ROOT = resolve(import.meta.dirname, '..');
const PAGER = 'Press <enter> for 1 line, <space> for one page, or <q> to quit';
// the first output lines of `show itl` on the seed-1 lab, as the golden transcript has them
const ITL = readFileSync(join(ROOT, 'test/golden/show-itl.txt'), 'utf8').split('\n').slice(1);

let home: string;
beforeAll(async () => {
  requireDist('src/cli/main.js');
  home = tempDir('cucm-sim-repl-');
  const lab = await seededLab({ dir: join(home, 'labs', 'default') });
  lab.close();
});
afterAll(() => rmSync(home, { recursive: true, force: true }));

let panes: TmuxPane[] = [];
afterEach(async () => {
  for (const p of panes) await p.kill();
  panes = [];
});

/** The REPL on the test lab, at its first prompt. */
async function repl(cols = 100, rows = 24): Promise<TmuxPane> {
  const p = new TmuxPane();
  panes.push(p);
  // Ink draws nothing live when it believes it runs in CI; a user's terminal is not CI
  p.start([process.execPath, join(ROOT, 'bin/cucm-sim.js')], { cols, rows, env: { CUCM_SIM_HOME: home, CI: '0', CONTINUOUS_INTEGRATION: '0' } });
  await p.waitScreen('the admin: prompt', (s) => s.some((r) => r === 'admin:'));
  return p;
}

/** Index of the last row that starts with the prompt. */
function lastPrompt(s: string[], prompt = 'admin:'): number {
  for (let i = s.length - 1; i >= 0; i--) if (s[i].startsWith(prompt)) return i;
  return -1;
}

describe('paste and typeahead', () => {
  it('runs every line of a 3-line paste in order, each after the previous command', async () => {
    const p = await repl();
    p.paste('show myself\rshow cli pagination\rshow version active\r');
    const s = await p.waitScreen('three commands and a fresh prompt', (s) => s.some((r) => r.startsWith('Active Master Version')) && s[lastPrompt(s)] === 'admin:');
    const order = ['admin:show myself', 'Machine Name    : cucm-pub', 'admin:show cli pagination', 'Automatic Pagination : On.', 'admin:show version active', 'Active Master Version: 10.5.1.10000-7'];
    const at = order.map((t) => s.findIndex((r) => r.startsWith(t)));
    expect(at.every((i) => i >= 0)).toBe(true);
    expect([...at].sort((a, b) => a - b)).toEqual(at);
  });

  it('honours control keys that arrive in one chunk with text (Ctrl-U, Backspace, arrows, Enter)', async () => {
    const p = await repl();
    // a typo wiped with Ctrl-U; a stray x removed with Backspace; z replaced after three Lefts
    p.paste('shwo\x15show myzelfx\x7f\x1b[D\x1b[D\x1b[D\x7fs\r');
    const s = await p.waitScreen('the command output', (s) => s.some((r) => r.startsWith('Machine Name')));
    const ran = s.indexOf('admin:show myself');
    expect(ran).toBeGreaterThanOrEqual(0);
    expect(s[ran + 1]).toBe('Machine Name    : cucm-pub');
  });

  it('keeps lines typed while a command runs, answers included, for after it', async () => {
    const p = await repl();
    // the answer n reaches the question of file get; show myself runs after the command ends
    p.paste('file get tftp ITLFile.tlv\rn\rshow myself\r');
    const s = await p.waitScreen('show myself after file get', (s) => s.some((r) => r.startsWith('Machine Name')));
    const q = s.findIndex((r) => r.startsWith('Would you like to proceed [y/n]?'));
    expect(s[q]).toBe('Would you like to proceed [y/n]? n');
    expect(s.indexOf('admin:show myself')).toBeGreaterThan(q);
  });
});

describe('editing keys', () => {
  it('Home/End, Ctrl-A/E, Ctrl-U, Ctrl-K, Ctrl-W, Delete, Ctrl-D, left/right and history', async () => {
    const p = await repl();
    // the screen's rows come without trailing spaces
    const line = async (want: string) => (await p.waitScreen(`the line '${want}'`, (s) => s[lastPrompt(s)] === `admin:${want}`.trimEnd()))[0];
    p.paste('xshow myselfff');
    await line('xshow myselfff');
    p.keys('Home', 'Delete');
    await line('show myselfff');
    p.keys('End', 'BSpace', 'Left', 'C-d');
    await line('show myself');
    p.keys('C-w');
    await line('show ');
    p.paste('version active');
    p.keys('C-a', 'Right', 'Right', 'Right', 'Right', 'Right', 'C-k');
    await line('show ');
    p.paste('myself');
    p.keys('C-e', 'Left', 'Left', 'C-u');
    await line('lf');
    p.keys('C-k');
    await line('');
    // history: up brings back the last command run
    p.paste('show myself\r');
    await p.waitScreen('the output', (s) => s.some((r) => r.startsWith('Machine Name')));
    p.keys('Up');
    await line('show myself');
    p.keys('Down');
    await line('');
  });

  it('edits a line longer than the terminal: it wraps over two rows and redraws on both', async () => {
    const p = await repl();
    const long = 'y'.repeat(120);
    p.paste(`show ${long}`);
    // admin: + show + 120 y = 131 cells: 100 on the first row, 31 on the next
    let s = await p.waitScreen('the wrapped line', (s) => s.some((r) => r === 'admin:show ' + 'y'.repeat(89)));
    let row = s.indexOf('admin:show ' + 'y'.repeat(89));
    expect(s[row + 1]).toBe('y'.repeat(31));
    p.keys('Home', 'Right', 'Right', 'Right', 'Right', 'Right');
    p.paste('ZZ');
    s = await p.waitScreen('the insertion', (s) => s.some((r) => r.startsWith('admin:show ZZy')));
    row = s.findIndex((r) => r.startsWith('admin:show ZZy'));
    expect(s[row]).toBe('admin:show ZZ' + 'y'.repeat(87));
    expect(s[row + 1]).toBe('y'.repeat(33));
    // deleting back to one row leaves no stale cells on the second
    p.keys('End', ...Array<string>(34).fill('BSpace'));
    s = await p.waitScreen('the line back on one row', (s) => s.some((r) => r === 'admin:show ZZ' + 'y'.repeat(86)));
    row = s.indexOf('admin:show ZZ' + 'y'.repeat(86));
    expect(s[row + 1]).toMatch(/^\[cucm-pub/);
  });
});

describe('paging', () => {
  it('the first page of show itl at 100x24 keeps every row in sight, the MD5 line included', async () => {
    const p = await repl();
    p.paste('show itl\r');
    const s = await p.waitScreen('the pager prompt', (s) => s.includes(PAGER));
    const at = s.indexOf(PAGER);
    // output from the top row down to the pager prompt, then the status line and the cursor's row
    expect(s.slice(0, at)).toEqual(ITL.slice(0, at));
    expect(s[0]).toBe('The checksum value of the ITL file:');
    expect(s[1]).toBe('eb8c7a262788a6b07434d15e995c854b(MD5)');
    expect(at).toBe(21);
    expect(s[at + 1]).toMatch(/^\[cucm-pub \(publisher\)/);
    // space: the next screenful starts with the line after the last one shown
    p.keys('Space');
    const s2 = await p.waitScreen('the second page', (x) => x.includes(PAGER) && x.indexOf(PAGER) === 21 && !x.includes(ITL[0]));
    expect(s2.slice(0, 21)).toEqual(ITL.slice(21, 42));
    p.keys('q');
    await p.waitScreen('the prompt after q', (x) => x[lastPrompt(x)] === 'admin:' && !x.includes(PAGER));
  });

  it('follows a resize: the pager counts its wrapped prompt, and output rewraps when wider', async () => {
    const p = await repl();
    p.resize(60, 15);
    // the status line cut to the new width shows that the REPL has taken the resize
    await p.waitScreen('the status line at 60 columns', (x) => x.some((r) => r.startsWith('[cucm-pub') && r.endsWith('…') && r.length <= 59));
    p.paste('show itl\r');
    const s = await p.waitScreen('the pager prompt at 60 columns', (s) => s.some((r) => r.startsWith('Press <enter> for 1 line')));
    const at = s.findIndex((r) => r.startsWith('Press <enter> for 1 line'));
    // the prompt (62 characters) takes two rows, the status line one, the cursor's row one
    expect(at).toBe(11);
    expect(s[0]).toBe('The checksum value of the ITL file:');
    // a terminal 60 wide shows each line in rows of 60 cells
    expect(s.slice(0, at)).toEqual(ITL.flatMap((l) => l.match(/.{1,60}/g) ?? ['']).slice(0, at));
    p.keys('q');
    await p.waitScreen('the prompt', (x) => x[lastPrompt(x)] === 'admin:');
    // the SIGNERNAME line (92 characters) wraps at 60 columns and is one row again at 100
    p.paste('set cli pagination off\rshow itl\r');
    const signer = ITL.find((l) => l.includes('SIGNERNAME'))!;
    await p.waitScreen('show itl at 60 columns', (x) => x.includes('The ITL file was verified successfully.') && x[lastPrompt(x)] === 'admin:');
    const narrow = p.screen(true);
    const at60 = narrow.lastIndexOf(signer.slice(0, 60));
    expect(narrow[at60 + 1]).toBe(signer.slice(60));
    p.resize(100, 24);
    await p.waitScreen('the status line at 100 columns', (x) => x.some((r) => r.startsWith('[cucm-pub') && r.endsWith('F2: lab console]')));
    const wide = p.screen(true);
    // the same line on one row again, without a stray leading space on the rows after it
    const at100 = wide.lastIndexOf(signer);
    expect(at100).toBeGreaterThanOrEqual(0);
    expect(wide[at100 + 1]).toBe(ITL[ITL.indexOf(signer) + 1]);
  });

  it('set cli pagination off lasts for the session only', async () => {
    let p = await repl();
    p.paste('set cli pagination off\rshow itl\r');
    await p.waitScreen('show itl to its end', (x) => x.includes('The ITL file was verified successfully.') && x[lastPrompt(x)] === 'admin:');
    let s = p.screen(true);
    expect(s).toContain('Automatic pagination is turned off');
    expect(s.some((r) => r.includes('Press <enter>'))).toBe(false);
    p.paste('quit\r');
    expect(await p.waitExit()).toBe(0);
    await p.kill();
    p = await repl();
    p.paste('show cli pagination\r');
    s = await p.waitScreen('the setting', (x) => x.some((r) => r.startsWith('Automatic Pagination')));
    expect(s).toContain('Automatic Pagination : On.');
  });
});

describe('questions, end of input and quit', () => {
  it('Ctrl-C at a question cancels the command with the CLI text and gives a fresh prompt', async () => {
    const p = await repl();
    p.paste('file get tftp ITLFile.tlv\r');
    await p.waitScreen('the question', (s) => s.some((r) => r.startsWith('Would you like to proceed [y/n]?')));
    p.keys('C-c');
    const s = await p.waitScreen('the cancel', (s) => s.includes('Control-C pressed') && s[lastPrompt(s)] === 'admin:');
    expect(s[s.indexOf('Control-C pressed') + 1]).toBe('admin:');
  });

  it('Ctrl-D (end of input) at a question ends the session cleanly', async () => {
    const p = await repl();
    p.paste('file get tftp ITLFile.tlv\r');
    await p.waitScreen('the question', (s) => s.some((r) => r.startsWith('Would you like to proceed [y/n]?')));
    p.keys('C-d');
    expect(await p.waitExit()).toBe(0);
    const s = p.screen();
    expect(s.some((r) => r.includes('Control-C pressed'))).toBe(false);
    expect(s.some((r) => r.startsWith('[cucm-pub'))).toBe(false);
  });

  it('quit leaves no prompt and no status line behind', async () => {
    const p = await repl();
    p.paste('quit\r');
    expect(await p.waitExit()).toBe(0);
    const s = p.screen().filter((r) => r && !r.startsWith('Pane is dead'));
    expect(s[s.length - 1]).toBe('admin:quit');
    expect(s.some((r) => r.startsWith('[cucm-pub'))).toBe(false);
  });
});

describe('lab console and status line', () => {
  it('F2 switches to the lab console and back, on the same lab in the same process', async () => {
    const p = await repl();
    p.keys('F2');
    let s = await p.waitScreen('the lab console', (x) => x[lastPrompt(x, 'lab>')] === 'lab>');
    expect(s.some((r) => r.startsWith("cucm-sim lab console: cluster 'default'"))).toBe(true);
    expect(s[lastPrompt(s, 'lab>') + 1]).toMatch(/^\[lab default .*F2: admin:\]$/);
    p.paste('node power cucm-sub2 off\r');
    p.keys('F2');
    s = await p.waitScreen('admin: again, with the node down', (x) => x[lastPrompt(x)] === 'admin:' && x.some((r) => r.includes('cucm-sub2 down')));
    expect(s[lastPrompt(s) + 1]).toBe('[cucm-pub (publisher) | non-secure | cucm-pub up, cucm-sub1 up, cucm-sub2 down | F2: lab console]');
  });

  it('--record records the lab console behind F2 too, and the recording replays as a runbook', async () => {
    const file = join(home, 'f2-record.txt');
    const p = new TmuxPane();
    panes.push(p);
    p.start([process.execPath, join(ROOT, 'bin/cucm-sim.js'), '--record', file], { cols: 100, rows: 24, env: { CUCM_SIM_HOME: home, CI: '0', CONTINUOUS_INTEGRATION: '0' } });
    await p.waitScreen('the admin: prompt', (s) => s.some((r) => r === 'admin:'));
    p.paste('show myself\r');
    await p.waitScreen('show myself', (s) => s.some((r) => r.startsWith('Machine Name')) && s[lastPrompt(s)] === 'admin:');
    // a line left half typed when F2 is pressed is no command of the recording
    p.paste('show ver');
    p.keys('F2');
    await p.waitScreen('the lab console', (x) => x[lastPrompt(x, 'lab>')] === 'lab>');
    p.paste('pools list\r');
    await p.waitScreen('pools list', (x) => x.some((r) => r.startsWith('lab>pools list')) && x[lastPrompt(x, 'lab>')] === 'lab>');
    p.keys('F2');
    await p.waitScreen('admin: again', (x) => x[lastPrompt(x)] === 'admin:' && x.some((r) => r.startsWith('[cucm-pub')));
    p.paste('quit\r');
    expect(await p.waitExit()).toBe(0);
    const text = readFileSync(file, 'utf8');
    expect(text).toContain('\nlab>pools list\n');
    expect(text).not.toContain('show ver');
    // the other console's banner is no output of a command
    expect(text).not.toContain('cucm-sim lab console:');
    const run = spawnSync(process.execPath, [join(ROOT, 'bin/cucm-sim.js'), 'run', file, '--seed', '1'], { encoding: 'utf8', env: { ...process.env, CUCM_SIM_HOME: tempDir('cucm-sim-f2run-') } });
    expect(run.stdout + run.stderr).toMatch(/1 runbook: 1 passed/);
    expect(run.status).toBe(0);
  });

  it('the status line shows every node on one row that never wraps', async () => {
    const p = await repl(50, 12);
    const s = await p.waitScreen('the status line', (x) => x.some((r) => r.startsWith('[cucm-pub')));
    const row = s.findIndex((r) => r.startsWith('[cucm-pub'));
    // cut to the width (one column kept free) with an ellipsis; the row below is the cursor's, empty
    expect(s[row]).toBe('[cucm-pub (publisher) | non-secure | cucm-pub up…');
    expect(s[row + 1]).toBe('');
  });
});
