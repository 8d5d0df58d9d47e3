// The Classroom API the dashboard is built on, against a real SSH endpoint of the class: the view
// of each trainee (sessions, nodes, services, trust files' MD5s, mode, phones, exercise), 'change'
// and 'transcript' events from a trainee's real session, and the instructor's actions.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createHash } from 'node:crypto';
import { readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Classroom } from '../src/class/classroom.js';
import { classEndpoints } from '../src/class/endpoints.js';
import { parseClassFile, generatedRoster } from '../src/class/roster.js';
import { serveLabs, type RunningServer } from '../src/frontends/ssh/server.js';
import { drive } from '../src/console/drive.js';
import { shell } from './ssh-harness.js';
import { tempDir, waitFor } from './helpers.js';

vi.setConfig({ testTimeout: 60_000, hookTimeout: 120_000 });

const md5 = (file: string) => createHash('md5').update(readFileSync(file)).digest('hex');

describe('Classroom', () => {
  const dir = tempDir('cucm-sim-room-');
  let room: Classroom;
  let srv: RunningServer;
  const changes: string[] = [];
  const transcripts: Array<[string, string]> = [];

  beforeAll(async () => {
    const progress: string[] = [];
    room = await Classroom.open(dir, {
      trainees: [
        { name: 'ann', password: 'ann-pass-123' },
        { name: 'ben', password: 'ben-pass-123' },
      ],
      seed: 1,
      labPassword: 'instructor-pw-2',
      progress: (done, total, name) => progress.push(`${done}/${total} ${name}`),
    });
    // labs are built side by side: counted in order, names in any order
    expect(progress.map((p) => p.split(' ')[0])).toEqual(['1/2', '2/2']);
    expect(progress.map((p) => p.split(' ')[1]).sort()).toEqual(['ann', 'ben']);
    room.on('change', (n: string) => changes.push(n));
    room.on('transcript', (n: string, t: string) => transcripts.push([n, t]));
    srv = await serveLabs(classEndpoints(room), { port: 0, failDelayMs: 5 });
  });

  afterAll(async () => {
    await srv?.close();
    room?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('shows each trainee: nodes with services and the MD5 of the files on disk, mode, phones', () => {
    const views = room.trainees();
    expect(views.map((v) => v.name)).toEqual(['ann', 'ben']);
    const ann = views[0];
    expect(ann.online).toBe(0);
    expect(ann.securityMode).toBe('non-secure');
    expect(ann.nodes.map((n) => n.name)).toEqual(['cucm-pub', 'cucm-sub1', 'cucm-sub2']);
    const pub = ann.nodes[0];
    expect(pub.up).toBe(true);
    expect(pub.services).toEqual([
      { name: 'Cisco Tftp', state: 'STARTED' },
      { name: 'Cisco Trust Verification Service', state: 'STARTED' },
      { name: 'Cisco CallManager', state: 'STARTED' },
    ]);
    expect(pub.itlMd5).toBe(md5(join(dir, 'labs', 'ann', 'nodes', 'cucm-pub', 'tftp', 'ITLFile.tlv')));
    expect(pub.ctlMd5).toBeUndefined();
    // the default fleet: 12 phones, all booted once against a non-secure cluster
    expect(ann.phones).toEqual({ registered: 12, locked: 0, untrusted: 0, total: 12 });
    expect(ann.exercise).toBeUndefined();
  });

  it("passes on a trainee's session as text and tells of the change, for that trainee only", async () => {
    const t = await shell(srv.ports[0], { user: 'ann', password: 'ann-pass-123', rows: 0 });
    await waitFor('ann to be online', () => room.trainee('ann')!.online === 1);
    expect(room.trainee('ben')!.online).toBe(0);
    changes.length = 0;
    transcripts.length = 0;
    t.send('utils ctl set-cluster mixed-mode\r');
    await t.expect('(y/n):');
    t.send('y\r');
    await t.expect(/\radmin:$/, 30_000);
    await waitFor('a change event for ann', () => changes.includes('ann'));
    expect(changes).not.toContain('ben');
    const text = transcripts.filter(([n]) => n === 'ann').map(([, x]) => x).join('');
    expect(text).toContain('utils ctl set-cluster mixed-mode\n');
    expect(text).toContain('Do you want to continue? (y/n):');
    expect(text).not.toMatch(/[\x1b\r]/);
    const ann = room.trainee('ann')!;
    expect(ann.securityMode).toBe('mixed');
    expect(ann.nodes[0].ctlMd5).toBe(md5(join(dir, 'labs', 'ann', 'nodes', 'cucm-pub', 'tftp', 'CTLFile.tlv')));
    expect(ann.lastActivity).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(room.trainee('ben')!.securityMode).toBe('non-secure');
    t.end();
    await waitFor('ann to be offline', () => room.trainee('ann')!.online === 0);
    // what was recorded: the session's text, kept in a 0600 file of the class folder
    expect(room.transcript('ann')).toContain('admin:utils ctl set-cluster mixed-mode\n');
    expect(room.transcript('ben')).toBe('');
    const rec = join(dir, 'transcripts', 'ann', '0001-cucm-pub.txt');
    expect(statSync(rec).mode & 0o777).toBe(0o600);
  });

  it('writes a wall message above the line being typed and draws that line again, cursor where it was', async () => {
    const t = await shell(srv.ports[0], { user: 'ben', password: 'ben-pass-123', rows: 0 });
    t.send('show myself');
    await t.expect('show myself');
    // three times the left arrow: the cursor is before "elf"
    t.send('\x1b[D\x1b[D\x1b[D');
    await t.expect('\b\b\b');
    expect(room.message('Five minutes left', 'ben')).toBe(1);
    const shown = await t.expect(/admin:show myself\x08\x08\x08/);
    expect(shown).toContain('\r\n\r\nBroadcast message from lab@cucm-pub (pts/0) (Mon Jan  6 ');
    expect(shown).toContain('):\r\n\r\nFive minutes left\r\n\r\nadmin:show myself');
    // the line the trainee was typing is intact: Enter runs it
    t.send('\r');
    expect(await t.expect(/\radmin:$/)).toContain('account name    : ben');
    t.end();
    // the recording shows it as the screen did: the message, the prompt again, the command
    await waitFor('the transcript of ben', () => room.transcript('ben').includes('account name    : ben'));
    expect(room.transcript('ben')).toMatch(/\nadmin:\nBroadcast message from lab@cucm-pub \(pts\/0\) \([^)]+\):\n\nFive minutes left\n\nadmin:show myself\nMachine Name {4}: cucm-pub\n/);
    await waitFor('ben to be offline', () => room.trainee('ben')!.online === 0);
  });

  it('gives a live view that goes on from the recorded text as the trainee saw it: the command after its prompt', async () => {
    const t = await shell(srv.ports[0], { user: 'ann', password: 'ann-pass-123', rows: 0 });
    // a page opening now gets what was recorded so far, then the session's output as it comes
    await waitFor('the prompt recorded', () => /\nadmin:\n?$/.test(room.transcript('ann')));
    const snapshot = room.transcript('ann');
    transcripts.length = 0;
    t.send('show myself\r');
    await t.expect(/\radmin:$/);
    await waitFor('the output passed on', () => transcripts.some(([n, x]) => n === 'ann' && x.includes('admin:')));
    const live = snapshot + transcripts.filter(([n]) => n === 'ann').map(([, x]) => x).join('');
    expect(live).toContain('\nadmin:show myself\nMachine Name    : cucm-pub\n');
    expect(live).not.toContain('admin:\nshow myself');
    t.end();
    await waitFor('ann to be offline', () => room.trainee('ann')!.online === 0);
    // the file ends the last line when the session ends; otherwise the two are the same text
    expect(live + '\n').toBe(room.transcript('ann'));
  });

  it('assigns, resets and unlocks through the API, and binds a lab console to one trainee', async () => {
    expect(await room.assign('*', 'a-regen-callmanager')).toEqual(['ann', 'ben']);
    expect(room.trainee('ann')!.exercise).toMatchObject({ id: 'a-regen-callmanager', passed: false });
    expect(room.lab('ann')!.state.accounts.admin).toEqual({ user: 'ann', password: 'ann-pass-123' });
    const c = room.labConsole('ben');
    const r = await drive(c, 'exercise status');
    expect(r.output).toContain('Exercise a-regen-callmanager');
    expect(await room.reset('ben')).toEqual(['ben']);
    expect(room.lab('ben')!.state.exercise!.attempt).toBe(2);
    expect(await room.unlock('ann')).toBe(0);
    await expect(room.assign('carol', 'a-regen-callmanager')).rejects.toThrow("no trainee 'carol'");
    // a message reaches only sessions that are open: none now
    expect(room.message('hello')).toBe(0);
  });
});

describe('class files', () => {
  it('reads names and optional passwords, and refuses bad names, duplicates and weak passwords', () => {
    const r = parseClassFile('# room 2\nann  long-password-1\n\nbo_b-2\n', 'room2.txt');
    expect(r[0]).toEqual({ name: 'ann', password: 'long-password-1' });
    expect(r[1].name).toBe('bo_b-2');
    expect(r[1].password).toMatch(/^[a-z2-9]{10}$/);
    expect(() => parseClassFile('ann\nann\n', 'x.txt')).toThrow("x.txt:2: 'ann' is listed twice");
    expect(() => parseClassFile('7up\n', 'x.txt')).toThrow("x.txt:1: invalid name '7up': a name starts with a letter (a-z)");
    expect(() => parseClassFile('Ann\n', 'x.txt')).toThrow('a name starts with a letter (a-z)');
    expect(() => parseClassFile('a.b\n', 'x.txt')).toThrow('a name has only a-z, 0-9, _ and -');
    expect(() => parseClassFile(`${'a'.repeat(33)}\n`, 'x.txt')).toThrow('a name has 1 to 32 characters');
    expect(() => parseClassFile('lab\n', 'x.txt')).toThrow("'lab' is the instructor's account");
    expect(() => parseClassFile('ann cisco123\n', 'x.txt')).toThrow('the default password everyone knows');
    expect(() => parseClassFile('ann short\n', 'x.txt')).toThrow('at least 8 characters');
    expect(() => parseClassFile('ann pw1-long-enough extra\n', 'x.txt')).toThrow('a line is a name and, optionally, a password');
    expect(() => parseClassFile('# nobody\n', 'x.txt')).toThrow('x.txt: no trainees');
    expect(() => parseClassFile('a\nb\nc\n', 'x.txt', 2)).toThrow('more than --max-trainees 2');
  });

  it('never echoes a hostile line to the terminal: control characters in names shown escaped, passwords printable ASCII', () => {
    let said = '';
    try {
      parseClassFile('\x1b]0;pwned\x07bob\n', 'x.txt');
    } catch (e) {
      said = (e as Error).message;
    }
    expect(said).toBe("x.txt:1: invalid name '\\u001b]0;pwned\\u0007bob': a name starts with a letter (a-z)");
    // U+009B is a terminal's one-byte CSI: a password is printed on the sheet and the start-up table
    expect(() => parseClassFile('ann pass\u009bword-1\n', 'x.txt')).toThrow('x.txt:1: the password of \'ann\': a password has only printable ASCII characters, no spaces');
    expect(() => parseClassFile('ann pässwort-123\n', 'x.txt')).toThrow('printable ASCII');
    expect(parseClassFile('ann P@ss~w0rd!{x}\n', 'x.txt')[0].password).toBe('P@ss~w0rd!{x}');
  });

  it('names generated trainees t01..tNN', () => {
    expect(generatedRoster(3).map((e) => e.name)).toEqual(['t01', 't02', 't03']);
    expect(generatedRoster(100, 200)[99].name).toBe('t100');
    expect(generatedRoster(100, 200)[0].name).toBe('t001');
  });
});
