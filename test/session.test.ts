// The session core: paging, questions, Ctrl-C, command count.
import { terminalBytes } from '../src/frontends/terminal.js';
import { describe, it, expect, afterAll, beforeAll } from 'vitest';
import { seededLab, cleanup } from './helpers.js';
import { CliSession } from '../src/console/admin-console.js';
import { drive } from '../src/console/drive.js';
import type { Lab } from '../state/cluster/lab.js';

let lab: Lab;
beforeAll(async () => {
  lab = await seededLab();
});
afterAll(() => cleanup(lab));

function capture(s: CliSession) {
  const out: Array<[string, string]> = [];
  s.on((t, k) => out.push([t, k]));
  return out;
}

describe('pager', () => {
  it('stops each screenful with the bold prompt and honours enter, space and q', async () => {
    const s = new CliSession({ lab, node: lab.publisher(), height: 10 });
    const out = capture(s);
    const keys: Array<'line' | 'page' | 'quit'> = ['line', 'page', 'quit'];
    let asked = 0;
    await drive(s, 'utils service list', { answers: () => '', pager: async () => (asked++, keys.shift()!) });
    expect(asked).toBe(3);
    const pagerEvents = out.filter(([, k]) => k === 'pager').map(([t]) => t);
    // the core sends the prompt's words; each front end decides how it looks (bold on a terminal)
    expect(pagerEvents[0]).toBe('Press <enter> for 1 line, <space> for one page, or <q> to quit');
    expect(terminalBytes(pagerEvents[0], 'pager')).toBe('\x1b[1mPress <enter> for 1 line, <space> for one page, or <q> to quit\x1b[0m');
    const text = out.filter(([, k]) => k === 'out').map(([t]) => t).join('');
    // 9 lines, 1 more, 9 more, then q: 19 lines shown
    expect(text.split('\n').length - 1).toBe(19);
  });

  it('does not page when pagination is off, for that session only', async () => {
    const s = new CliSession({ lab, node: lab.publisher(), height: 10 });
    let asked = 0;
    const pager = async () => (asked++, 'page' as const);
    await drive(s, 'set cli pagination off', { answers: () => '' });
    await drive(s, 'utils service list', { answers: () => '', pager });
    expect(asked).toBe(0);
    // a new session of the same account starts with pagination on, as on a real system
    const again = new CliSession({ lab, node: lab.publisher(), height: 10 });
    let text = '';
    again.on((t) => (text += t));
    await drive(again, 'show cli pagination', { answers: () => '' });
    expect(text).toContain('Automatic Pagination : On.');
    await drive(again, 'utils service list', { answers: () => '', pager });
    expect(asked).toBeGreaterThan(0);
  });

  it('counts the rows a wrapped line takes, so the first row of a screen is still in sight', async () => {
    // 16 rows: the pager prompt (62 characters) takes 4 of them at 20 columns, 7 at 10
    const s = new CliSession({ lab, node: lab.publisher(), height: 16, width: 20 });
    const out = capture(s);
    const screens: string[] = [];
    await drive(s, 'show myself', { answers: () => '', pager: async () => (screens.push(''), 'page') });
    // show myself: 5 lines of 19 to 26 characters; at 20 columns they take 2+2+1+1+1 rows: one screen
    expect(screens).toHaveLength(0);
    s.width = 10;
    out.length = 0;
    // at 10 columns they take 3+3+2+2+2 rows, with 9 left for output: the third line ends at row
    // 8, the fourth would pass 9
    await drive(s, 'show myself', {
      answers: () => '',
      pager: async () => {
        const before = out.filter(([, k]) => k === 'out').map(([t]) => t).join('');
        const rows = before.split('\n').filter(Boolean).reduce((n, l) => n + Math.ceil(l.length / 10), 0);
        screens.push(String(rows));
        return 'page';
      },
    });
    expect(screens).toEqual(['8']);
  });

  it('set cli pagination off|on and show cli pagination print the CLI texts', async () => {
    const s = new CliSession({ lab, node: lab.publisher() });
    let text = '';
    s.on((t) => (text += t));
    for (const line of ['set cli pagination off', 'show cli pagination', 'set cli pagination on', 'show cli pagination']) {
      await drive(s, line, { answers: () => '' });
    }
    expect(text).toBe(
      'set cli pagination off\nAutomatic pagination is turned off\nshow cli pagination\nAutomatic Pagination : Off.\nset cli pagination on\nAutomatic pagination is turned on\nshow cli pagination\nAutomatic Pagination : On.\n',
    );
  });
});

describe('questions', () => {
  it('Ctrl-C cancels the dialog with "Control-C pressed" and a failure status', async () => {
    const s = new CliSession({ lab, node: lab.publisher() });
    let text = '';
    s.on((t) => (text += t));
    const fp = lab.fingerprint();
    const r = await drive(s, 'set cert regen CallManager', { answers: ['\x03'] });
    expect(r.status).toBe(1);
    expect(text).toContain('Proceed with regeneration (yes|no)? \nControl-C pressed\n');
    expect(lab.fingerprint()).toBe(fp);
  });

  it('password answers echo as stars, hidden ones not at all', async () => {
    const s = new CliSession({ lab, node: lab.publisher() });
    const echoes: string[] = [];
    s.on((t, k) => k === 'echo' && echoes.push(t));
    await drive(s, 'utils itl reset localkey', { answers: () => 'wrongpw' });
    expect(echoes).toEqual(['utils itl reset localkey\n']);
  });

  it('show myself counts the commands of the session', async () => {
    const s = new CliSession({ lab, node: lab.node('cucm-sub1')! });
    let text = '';
    s.on((t) => (text += t));
    await drive(s, 'show version active', { answers: () => '' });
    await drive(s, 'show myself', { answers: () => '' });
    expect(text).toContain('Machine Name    : cucm-sub1\naccount name    : admin\nprivilege level : 4\ncommand count   : 2\nlogging setting : 1\n');
  });
});
