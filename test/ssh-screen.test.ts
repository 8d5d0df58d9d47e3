// The SSH PTY shell as a user meets it: an ssh2 client for the bytes (paste, keys in one packet,
// window changes, questions, end of input), and the OpenSSH client in a tmux pane for the screen.
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Rig, Term, rig, shell } from './ssh-harness.js';
import { requireTool } from './prerequisites.js';
import { TmuxPane } from './tmux.js';

vi.setConfig({ testTimeout: 60_000, hookTimeout: 60_000 });

const ROOT = resolve(import.meta.dirname, '..');
const PAGER = 'Press <enter> for 1 line, <space> for one page, or <q> to quit';
const PAGER_BYTES = `\x1b[1m${PAGER}\x1b[0m`;
// `show itl` of the seed-1 lab, as the golden transcript has it
const ITL = readFileSync(join(ROOT, 'test/golden/show-itl.txt'), 'utf8').split('\n').slice(1);

let r: Rig;
beforeAll(async () => {
  r = await rig();
}, 60_000);
afterAll(async () => {
  await r?.stop();
});

let open: Array<Term | TmuxPane> = [];
afterEach(async () => {
  for (const t of open) await (t instanceof TmuxPane ? t.kill() : t.end());
  open = [];
});

async function term(o: { rows?: number; cols?: number } = {}): Promise<Term> {
  const t = await shell(r.port(), { rows: o.rows ?? 24, cols: o.cols ?? 100 });
  open.push(t);
  return t;
}

describe('ssh2 client: paste, keys and questions', () => {
  it('runs every line of a 3-line paste in order, each after the previous prompt', async () => {
    const t = await term();
    t.send('show myself\rshow cli pagination\rshow version active\r');
    await t.expect('Active Master Version');
    await t.expect(/\radmin:$/);
    const text = t.out.replace(/\r/g, '');
    const order = ['admin:show myself\nMachine Name    : cucm-pub', 'admin:show cli pagination\nAutomatic Pagination : On.', 'admin:show version active\nActive Master Version: 10.5.1.10000-7'];
    const at = order.map((s) => text.indexOf(s));
    expect(at.every((i) => i >= 0)).toBe(true);
    expect([...at].sort((a, b) => a - b)).toEqual(at);
  });

  it('honours control keys in one packet with text, and keeps an answer typed ahead', async () => {
    const t = await term();
    // Ctrl-U wipes the typo, Backspace the stray x, three Lefts and a Backspace fix the z
    t.send('shwo\x15show myzelfx\x7f\x1b[D\x1b[D\x1b[D\x7fs\r');
    expect(await t.expect(/\radmin:$/)).toContain('Machine Name    : cucm-pub');
    t.send('file get tftp ITLFile.tlv\rn\rshow myself\r');
    const out = await t.expect('Machine Name');
    expect(out).toContain('Would you like to proceed [y/n]? n\r\n');
  });

  it('Ctrl-W, Ctrl-D under the cursor, Ctrl-A/E and Ctrl-K edit the line', async () => {
    const t = await term();
    t.send('xshow myselfff\x01\x04\x05\x7f\x02\x04\x17myself\r');
    // x goes with Ctrl-D at Home, one f with Backspace at the end, one under the cursor after
    // Ctrl-B; Ctrl-W takes "myself" and it is typed again
    const out = await t.expect(/\radmin:$/);
    expect(out).toContain('Machine Name    : cucm-pub');
    t.send('show version active\x01\x06\x06\x06\x06\x06\x0b\x0bmyself\r');
    expect(await t.expect(/\radmin:$/)).toContain('Machine Name');
  });

  it('moves across rows, not with a backspace, on a line wider than the terminal', async () => {
    const t = await term({ cols: 20 });
    // admin: (6) + 14 characters fill the first row exactly: CR LF puts the cursor on the next row
    t.send('show abcdefghi');
    await t.expect('show abcdefghi\r\n');
    // Backspace at the start of the second row: up one row to the last column, blank that cell,
    // (which leaves the cursor at the start of the next row again) and back up to it
    t.send('\x7f');
    await t.expect('\x1b[1A\r\x1b[19C \r\n\x1b[1A\r\x1b[19C');
    // Home from the second row: up one row, to column 6 (after the prompt)
    t.send('pq\x01');
    await t.expect('p\r\nq\x1b[1A\r\x1b[6C');
  });

  it('Ctrl-C at a question cancels the command with the CLI text', async () => {
    const t = await term();
    t.send('file get tftp ITLFile.tlv\r');
    await t.expect('Would you like to proceed [y/n]? ');
    t.send('\x03');
    const out = await t.expect(/\radmin:$/);
    expect(out).toBe('\r\nControl-C pressed\r\n\radmin:');
  });

  it('Ctrl-D (end of input) at a question ends the session cleanly', async () => {
    const t = await term();
    t.send('file get tftp ITLFile.tlv\r');
    await t.expect('Would you like to proceed [y/n]? ');
    t.send('\x04');
    await t.waitClosed();
    expect(t.exitCode).toBe(0);
    expect(t.out).not.toContain('Control-C pressed');
    expect(t.out.endsWith('Would you like to proceed [y/n]? \r\n')).toBe(true);
  });

  it('quit closes the session with no prompt after it', async () => {
    const t = await term();
    t.send('quit\r');
    await t.waitClosed();
    expect(t.exitCode).toBe(0);
    expect(t.out.endsWith('admin:quit\r\n')).toBe(true);
  });
});

describe('ssh2 client: paging', () => {
  /** The rows of output sent before the pager prompt, after the command's own line. */
  async function firstPage(t: Term): Promise<string[]> {
    t.send('show itl\r');
    const out = await t.expect(PAGER_BYTES);
    return out.slice(out.indexOf('show itl\r\n') + 'show itl\r\n'.length, -PAGER_BYTES.length).split('\r\n');
  }

  it('the first page at 100x24 is 23 rows, the MD5 line second, and the prompt on the last row', async () => {
    const t = await term();
    const page = await firstPage(t);
    // 23 finished lines and the start of the 24th row, where the prompt goes
    expect(page).toEqual([...ITL.slice(0, 23), '']);
    expect(page[1]).toBe('eb8c7a262788a6b07434d15e995c854b(MD5)');
    t.send('q');
    await t.expect(/\radmin:$/);
  });

  it('follows a window change: at 60x15 wrapped lines and the 2-row prompt are counted', async () => {
    const t = await term();
    t.ch.setWindow(15, 60, 0, 0);
    // the server takes the change before the next command (window-change comes first on the channel)
    t.send('show myself\r');
    await t.expect(/\radmin:$/);
    const page = await firstPage(t);
    // 13 rows for output: "The ITL File was last modified ..." (62 characters) takes two
    expect(page).toEqual([...ITL.slice(0, 12), '']);
    // the prompt wrapped onto a second row: both rows are wiped when a key is pressed
    t.send(' ');
    await t.expect('\r\x1b[K\x1b[A\x1b[K');
    t.send('q');
    await t.expect(/\radmin:$/);
  });

  it('set cli pagination off lasts for the session only', async () => {
    const a = await term();
    await a.command('set cli pagination off');
    const all = await a.command('show itl');
    expect(all).not.toContain(PAGER);
    expect(all).toContain('The ITL file was verified successfully.');
    const b = await term();
    expect(await b.command('show cli pagination')).toContain('Automatic Pagination : On.');
    expect(await a.command('show cli pagination')).toContain('Automatic Pagination : Off.');
  });
});

describe('OpenSSH in a terminal', () => {
  it('shows a wrapped line, its edits, and the first page of show itl as a user sees them', async () => {
    const ssh = requireTool('ssh', 'openssh-client');
    const p = new TmuxPane();
    open.push(p);
    p.start(
      [ssh, '-F', '/dev/null', '-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null', '-o', 'PubkeyAuthentication=no', '-o', 'PreferredAuthentications=keyboard-interactive,password', '-p', String(r.port()), 'admin@127.0.0.1'],
      { cols: 100, rows: 24 },
    );
    await p.waitScreen('the password prompt', (s) => s.some((l) => /password:$/i.test(l)));
    p.paste('cisco123\r');
    await p.waitScreen('the admin: prompt', (s) => s.includes('admin:'));
    p.paste(`show ${'y'.repeat(120)}`);
    let s = await p.waitScreen('the wrapped line', (x) => x.includes('admin:show ' + 'y'.repeat(89)));
    let row = s.indexOf('admin:show ' + 'y'.repeat(89));
    expect(s[row + 1]).toBe('y'.repeat(31));
    p.keys('Home', 'Right', 'Right', 'Right', 'Right', 'Right');
    p.paste('ZZ');
    s = await p.waitScreen('the insertion', (x) => x.some((l) => l.startsWith('admin:show ZZ')));
    row = s.findIndex((l) => l.startsWith('admin:show ZZ'));
    expect([s[row], s[row + 1]]).toEqual(['admin:show ZZ' + 'y'.repeat(87), 'y'.repeat(33)]);
    expect(p.cursor()).toEqual({ x: 13, y: row });
    // back to one row: the second row is left blank
    p.keys('End', ...Array<string>(34).fill('BSpace'));
    s = await p.waitScreen('one row again', (x) => x.includes('admin:show ZZ' + 'y'.repeat(86)));
    row = s.indexOf('admin:show ZZ' + 'y'.repeat(86));
    expect(s[row + 1]).toBe('');
    expect(p.cursor()).toEqual({ x: 99, y: row });
    p.keys('C-a', 'C-k');
    p.paste('show itl\r');
    s = await p.waitScreen('the pager prompt', (x) => x.includes(PAGER));
    // every row of the first page is on the screen, from the top row to the prompt on the last
    expect(s.indexOf(PAGER)).toBe(23);
    expect(s.slice(0, 23)).toEqual(ITL.slice(0, 23));
    expect(s[1]).toBe('eb8c7a262788a6b07434d15e995c854b(MD5)');
    p.keys('q');
    await p.waitScreen('the prompt after q', (x) => x[x.length - 1] === 'admin:' || x.includes('admin:'));
  });
});
