// The interactive SSH shell and exec requests, driven by an ssh2 client as CUCM automation does.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
// CUCM's pager prompt, in bold, as a terminal receives it
const PAGER_PROMPT = '\x1b[1mPress <enter> for 1 line, <space> for one page, or <q> to quit\x1b[0m';
import { LAB_PASSWORD, Rig, exec, login, rig, shell } from './ssh-harness.js';

// a lab and three RSA host keys per server take seconds on a loaded machine
vi.setConfig({ testTimeout: 30_000, hookTimeout: 60_000 });

// Prompt patterns of real CUCM clients (Unicon vos plugin, cisco-cucm-mcp)
const UNICON_PROMPT = /^(.*?)([\r\n]|\x1b\[K)admin:\s*/s;
const MCP_PROMPT = /(?:^|\n)[A-Za-z0-9_-]+:\s*$/;
const stripAnsi = (s: string) => s.replace(/\x1b\[[0-9;]*[A-Za-z]/g, '');

let r: Rig;
beforeAll(async () => {
  // twenty sessions from 127.0.0.1 at once below: one source's limits are raised for them
  r = await rig({ allowExec: true, maxStartups: 20, maxSessionsPerUser: 30 });
}, 30_000);
afterAll(async () => {
  await r?.stop();
});

// what CUCM prints after login (the tab-indented hardware lines of the reference transcripts)
const BANNER = [
  'Command Line Interface is starting up, please wait ...',
  '',
  '   Welcome to the Platform Command Line Interface',
  '',
  'VMware Installation:',
  '\t2 vCPU: Intel(R) Xeon(R) CPU E5-2680 v4 @ 2.40GHz',
  '\tDisk 1: 110GB, Partitions aligned',
  '\t8192 Mbytes RAM',
  '',
];

describe('login and banner', () => {
  it('logs in with keyboard-interactive and sends the start-up banner with CRLF, then admin: without a trailing space', async () => {
    const t = await shell(r.port());
    expect(t.out).toBe(BANNER.join('\r\n') + '\r\nadmin:');
    expect(t.out).toMatch(UNICON_PROMPT);
    expect(stripAnsi(t.out).slice(-80)).toMatch(MCP_PROMPT);
    // the newline nudge of cisco-cucm-mcp gets the bytes a real CUCM sends: CR LF, then CR + prompt
    t.send('\n');
    await t.expect(/\radmin:$/);
    expect(t.out.endsWith('admin:\r\n\radmin:')).toBe(true);
    t.end();
  });

  it('accepts the password method too', async () => {
    const t = await shell(r.port(), { method: 'password' });
    expect(await t.command('show myself')).toContain('account name    : admin');
    t.end();
  });

  it('exit and quit close the channel with status 0', async () => {
    for (const word of ['exit', 'quit']) {
      const t = await shell(r.port());
      t.send(word + '\r');
      await t.waitClosed();
      expect(t.exitCode).toBe(0);
      expect(t.out.endsWith(`admin:${word}\r\n`)).toBe(true);
    }
  });

  it('Ctrl-D on an empty line ends the session; on a typed line it does nothing', async () => {
    const t = await shell(r.port());
    t.send('sh\x04');
    // typing on shows the line was kept and the session goes on
    t.send('ow myself\r');
    expect(await t.expect(/\radmin:$/)).toContain('Machine Name');
    expect(t.closed).toBe(false);
    t.send('\x15\x04');
    await t.waitClosed();
  });
});

describe('line editing', () => {
  it('echoes typed text once (the core echo is not repeated) and converts output to CRLF', async () => {
    const t = await shell(r.port());
    const text = await t.command('show myself');
    expect(text).toBe('show myself\r\nMachine Name    : cucm-pub\r\naccount name    : admin\r\nprivilege level : 4\r\ncommand count   : 1\r\nlogging setting : 1\r\n\radmin:');
    t.end();
  });

  it('Tab completes a unique word in place and lists candidates, then redraws admin: and the line', async () => {
    const t = await shell(r.port());
    t.send('show myse\t');
    await t.expect('show myself');
    expect(await t.command('')).toContain('Machine Name');

    t.send('show c\t');
    await t.expect('admin:show c');
    expect(t.out).toContain('show c\r\ncert*  cli*   ctl\r\nadmin:show c');
    t.send('\x15');
    await t.command('');
    t.end();
  });

  it('? shows the help for what is typed at once and offers the line again', async () => {
    const t = await shell(r.port());
    t.send('show ?');
    const shown = await t.expect('\r\nadmin:show ');
    expect(shown).toBe(
      'show ?\r\naccountlocking  cert*           cli*            ctl             hardware\r\nitl             myself          network*        status          version*\r\nadmin:show ',
    );
    // typing continues on the same line
    expect(await t.command('myself')).toContain('Machine Name');
    t.end();
  });

  it('backspace, arrows, Ctrl-A/E/U and history edit the line as a terminal shows it', async () => {
    const t = await shell(r.port());
    t.send('shox\x7fw myelf\x1b[D\x1b[D\x1b[Ds\x05\r'); // typo rubbed out, a letter inserted mid-word
    expect(await t.expect(/\radmin:$/)).toContain('Machine Name');
    t.send('\x1b[A'); // recall
    await t.expect('show myself');
    expect(await t.command('')).toContain('Machine Name');
    t.send('junk\x01\x0bmore junk\x15'); // Ctrl-A + Ctrl-K, then Ctrl-U at the end: empty again
    t.send('show cli pagination\r');
    expect(await t.expect(/\radmin:$/)).toContain('Automatic Pagination');
    // an arrow split across packets still counts as one key: the ESC goes out on its own first
    await new Promise((res) => t.ch.write('\x1b', res));
    t.send('[A');
    await t.expect('show cli pagination');
    t.send('\x15');
    await t.command('');
    t.end();
  });

  it('Ctrl-C discards the typed line and gives a new prompt', async () => {
    const t = await shell(r.port());
    t.send('show my\x03');
    expect(await t.expect(/\radmin:$/)).toBe('show my^C\r\n\radmin:');
    expect(await t.command('show myself')).toContain('Machine Name');
    t.end();
  });
});

describe('dialogs and pager', () => {
  it('a y/n question answered n deletes nothing', async () => {
    const t = await shell(r.port());
    t.send('file delete tftp ITLFile.tlv\r');
    await t.expect('Enter "y" followed by return to continue: ');
    t.send('n\r');
    const rest = await t.expect(/\radmin:$/);
    expect(rest).toBe('n\r\nfiles: found = 1, deleted = 0\r\n\radmin:');
    expect(r.lab.listTftp(r.lab.publisher())).toContain('ITLFile.tlv');
    t.end();
  });

  it('Ctrl-C at a question cancels the command', async () => {
    const t = await shell(r.port());
    t.send('file delete tftp ITLFile.tlv\r');
    await t.expect('continue: ');
    t.send('y\x03'); // typed but not entered
    expect(await t.expect(/\radmin:$/)).toContain('Control-C pressed');
    expect(r.lab.listTftp(r.lab.publisher())).toContain('ITLFile.tlv');
    t.end();
  });

  it('echoes a password answer as stars and completes file get to the offline stand-in host', async () => {
    const t = await shell(r.port());
    t.send('file get tftp ITLRecovery.p12\r');
    await t.expect('[y/n]? ');
    t.send('y\rlocal\r\ruser\rsecret\r/backup\r');
    const rest = await t.expect(/\radmin:$/);
    expect(rest).toContain('Password: ******\r\n');
    expect(rest).not.toContain('secret');
    expect(rest).toContain('Transfer completed.');
    expect(existsSync(join(r.lab.store.dir, 'sftp', 'local', 'backup', 'ITLRecovery.p12'))).toBe(true);
    t.end();
  });

  it('pages long output: space shows the next page, q quits, each answer erased with ESC[K', async () => {
    const t = await shell(r.port(), { rows: 6 });
    t.send('utils service list\r');
    const first = await t.expect(PAGER_PROMPT);
    // the typed command, then rows - 1 lines of output
    expect(first.startsWith('utils service list\r\n')).toBe(true);
    expect(first.split('\r\n').length - 2).toBe(5);
    t.send(' ');
    const second = await t.expect(PAGER_PROMPT);
    expect(second.startsWith('\r\x1b[K')).toBe(true);
    expect(second.split('\r\n').length - 1).toBe(5);
    t.send('q');
    expect(await t.expect(/\radmin:$/)).toBe('\r\x1b[K\radmin:');
    expect(t.out).toMatch(/\x1b\[Kadmin:|\radmin:$/);
    t.end();
  });

  it('follows window-change: a terminal made small starts paging', async () => {
    const t = await shell(r.port(), { rows: 200 });
    expect(await t.command('utils service list')).not.toContain(PAGER_PROMPT);
    // the window change travels ahead of the command on the same channel
    t.ch.setWindow(5, 80, 0, 0);
    t.send('utils service list\r');
    await t.expect(PAGER_PROMPT);
    t.send('q');
    await t.expect(/\radmin:$/);
    t.end();
  });
});

describe('exec requests', () => {
  it('runs one command and returns 0, or 1 when it fails', async () => {
    const ok = await exec(r.port(), 'show myself');
    expect(ok.code).toBe(0);
    expect(ok.out).toBe('Machine Name    : cucm-pub\naccount name    : admin\nprivilege level : 4\ncommand count   : 1\nlogging setting : 1\n');
    const bad = await exec(r.port(), 'show nonsense');
    expect(bad.code).toBe(1);
    expect(bad.out).toContain('Executed command unsuccessfully');
  });

  it('takes answers from stdin, echoing them after the question', async () => {
    const res = await exec(r.port(), 'file delete tftp ITLFile.tlv', 'n\n');
    expect(res.code).toBe(0);
    expect(res.out).toBe('Delete the File ITLFile.tlv?\nEnter "y" followed by return to continue: n\nfiles: found = 1, deleted = 0\n');
  });

  it('a question left unanswered (stdin closed) fails the command quietly, as Ctrl-D does', async () => {
    const res = await exec(r.port(), 'file delete tftp ITLFile.tlv', '');
    expect(res.code).toBe(1);
    expect(res.out).toBe('Delete the File ITLFile.tlv?\nEnter "y" followed by return to continue: \n');
    expect(r.lab.listTftp(r.lab.publisher())).toContain('ITLFile.tlv');
  });

  it('runs several commands separated by newlines', async () => {
    const res = await exec(r.port(), 'show cli pagination\nshow myself');
    expect(res.code).toBe(0);
    expect(res.out).toMatch(/Automatic Pagination : (On|Off)\.\nMachine Name/);
  });
});

describe('sessions sharing the lab', () => {
  it('a change made on the publisher is seen from a subscriber session and from a second publisher session', async () => {
    const pub = await shell(r.port('cucm-pub'));
    const sub = await shell(r.port('cucm-sub1'));
    const pub2 = await shell(r.port('cucm-pub'));
    expect(await sub.command('show myself')).toContain('Machine Name    : cucm-sub1');
    // pagination is a setting of the session, not of the account or the lab
    expect(await pub.command('set cli pagination off')).toContain('Automatic pagination is turned off');
    expect(await pub.command('show cli pagination')).toContain('Automatic Pagination : Off.');
    expect(await sub.command('show cli pagination')).toContain('Automatic Pagination : On.');
    expect(await pub2.command('show cli pagination')).toContain('Automatic Pagination : On.');
    expect(await pub.command('set cli pagination on')).toContain('turned on');

    expect(await pub.command('file delete tftp ITLFile.tlv noconfirm')).toContain('deleted = 1');
    expect(await pub2.command('file list tftp ITLFile.tlv')).toContain('no such file or directory can be found');
    // put it back the way a TFTP restart does, for the other tests
    await pub.command('utils service restart Cisco Tftp', 20_000);
    expect(await pub2.command('file list tftp ITLFile.tlv')).toContain('ITLFile.tlv\r\ndir count = 0, file count = 1');
    for (const t of [pub, sub, pub2]) t.end();
  }, 30_000);

  it('a service stopped on a subscriber shows in utils service list there, from any session', async () => {
    const a = await shell(r.port('cucm-sub2'), { rows: 0 });
    const b = await shell(r.port('cucm-sub2'), { rows: 0 });
    await a.command('utils service stop Cisco Tftp', 20_000);
    expect(await b.command('utils service list')).toMatch(/Cisco Tftp\[STOPPED\]/);
    await a.command('utils service start Cisco Tftp', 20_000);
    expect(await b.command('utils service list')).toMatch(/Cisco Tftp\[STARTED\]/);
    a.end();
    b.end();
  }, 30_000);

  it('twenty sessions at once all get their answers', async () => {
    const terms = await Promise.all(Array.from({ length: 20 }, (_, i) => shell(r.port(r.srv.endpoints[i % 3].node))));
    const outs = await Promise.all(terms.map((t) => t.command('show myself')));
    outs.forEach((o, i) => expect(o).toContain(`Machine Name    : ${r.srv.endpoints[i % 3].node}`));
    for (const t of terms) t.end();
  }, 30_000);
});

describe('the lab user', () => {
  it('gets the lab console; powering a node off there drops its SSH sessions until it is back', async () => {
    const con = await shell(r.port(), { user: 'lab', password: LAB_PASSWORD, waitPrompt: false });
    await con.expect('lab>');
    const sub = await shell(r.port('cucm-sub1'));
    con.send('node power cucm-sub1 off\r');
    await con.expect(/\rlab>$/);
    await sub.waitClosed();
    // a powered-off node drops connections before the SSH handshake
    await expect(login(r.port('cucm-sub1'))).rejects.toThrow('Connection lost before handshake');
    con.send('node power cucm-sub1 on\r');
    await con.expect(/\rlab>$/);
    const back = await shell(r.port('cucm-sub1'));
    expect(await back.command('show myself')).toContain('cucm-sub1');
    back.end();
    con.end();
  });
});
