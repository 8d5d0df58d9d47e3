// `cucm-sim serve --class`: real ssh2 clients against a served class of two trainees. Each trainee
// logs in with their own name to a lab of their own; what one does is not seen by the other; the
// instructor's console lists the class, acts on a trainee's lab, assigns, and broadcasts a wall
// message that a trainee sees without losing the line being typed; a restart resumes every lab;
// `class report`, `class archive` and `class restore` work on the folder serve kept.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { existsSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { createHash } from 'node:crypto';
import { execa } from 'execa';
import { requireTool } from './prerequisites.js';
import { serve } from '../src/cli/serve.js';
import { classMain } from '../src/cli/class.js';
import { Lab } from '../state/cluster/lab.js';
import { login, shell, type Term } from './ssh-harness.js';
import { tempDir, waitFor } from './helpers.js';

vi.setConfig({ testTimeout: 90_000, hookTimeout: 120_000 });

const LAB_PW = 'instructor-pw-1';
const ALICE_PW = 'alice-secret-1';

interface Served {
  stopped: boolean;
  printed: () => string;
  ports: number[];
  stop(): Promise<number>;
}

/** Starts `serve` in-process on free ports and waits for its banner. */
async function startClass(flags: Record<string, unknown>): Promise<Served> {
  let printed = '';
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation(((chunk: string | Uint8Array) => {
    printed += chunk.toString();
    return true;
  }) as typeof process.stdout.write);
  let stop!: () => void;
  const until = new Promise<void>((r) => (stop = r));
  let finished = false;
  const done = serve({ seed: 1, port: 0, tftpPort: 0, labPassword: LAB_PW, ...flags }, { until }).finally(() => (finished = true));
  await waitFor('the class banner', () => {
    if (finished) throw new Error(`serve ended early: ${printed}`);
    return printed.includes('Press Ctrl-C');
  }, 60_000);
  const ports = [...printed.matchAll(/^cucm-\S+\s+127\.0\.0\.1:(\d+)/gm)].map((m) => Number(m[1]));
  const served: Served = {
    stopped: false,
    printed: () => printed,
    ports,
    async stop() {
      served.stopped = true;
      stop();
      const status = await done;
      spy.mockRestore();
      return status;
    },
  };
  return served;
}

/** The admin: prompt of a trainee's shell (the CLI's prompt is admin: whatever the account). */
async function traineeShell(port: number, user: string, password: string): Promise<Term> {
  return shell(port, { user, password, rows: 0 });
}

async function labShell(port: number): Promise<Term> {
  const t = await shell(port, { user: 'lab', password: LAB_PW, rows: 0, waitPrompt: false });
  await t.expect(/lab>$/);
  return t;
}

async function labCommand(t: Term, line: string, answers: string[] = []): Promise<string> {
  t.send(line + '\r');
  let text = '';
  for (const a of answers) {
    text += await t.expect(/\(yes\|no\)\? $/);
    t.send(a + '\r');
  }
  return text + (await t.expect(/\rlab>$/));
}

describe('serve --class', () => {
  const root = tempDir('cucm-sim-class-');
  const dir = join(root, 'room1');
  const classFile = join(root, 'room1.txt');
  let s: Served;
  let bobPw: string;

  beforeAll(async () => {
    writeFileSync(classFile, `# trainees of room 1\nalice ${ALICE_PW}\n\nbob\n`);
    s = await startClass({ classFile, classDir: dir });
  });

  afterAll(async () => {
    if (s && !s.stopped) await s.stop();
    rmSync(root, { recursive: true, force: true });
  });

  it('prints the endpoints, the login line and the passwords once, and keeps them on a 0600 sheet', () => {
    const out = s.printed();
    expect(s.ports).toHaveLength(3);
    expect(out).toContain(`ssh -p ${s.ports[0]} alice@127.0.0.1`);
    expect(out).toMatch(new RegExp(`^  alice +${ALICE_PW}$`, 'm'));
    const sheet = readFileSync(join(dir, 'passwords.txt'), 'utf8');
    expect(statSync(join(dir, 'passwords.txt')).mode & 0o777).toBe(0o600);
    bobPw = /^bob +(\S+)$/m.exec(sheet)![1];
    expect(bobPw).toMatch(/^[a-z2-9]{10}$/);
    expect(out).toMatch(new RegExp(`^  bob +${bobPw}$`, 'm'));
    expect(out).toContain(`password ${LAB_PW}`);
  });

  it('logs each trainee in with their own name as the OS administrator, on their own nodes by port', async () => {
    const a = await traineeShell(s.ports[0], 'alice', ALICE_PW);
    const me = await a.command('show myself');
    expect(me).toContain('Machine Name    : cucm-pub');
    expect(me).toContain('account name    : alice');
    a.end();
    const b = await traineeShell(s.ports[2], 'bob', bobPw);
    expect(await b.command('show myself')).toContain('Machine Name    : cucm-sub2');
    b.end();
    // a trainee's password opens no other account, and the default account is gone
    await expect(login(s.ports[0], { user: 'bob', password: ALICE_PW })).rejects.toThrow();
    await expect(login(s.ports[0], { user: 'admin', password: 'cisco123' })).rejects.toThrow();
  });

  it("keeps one trainee's changes out of the other's lab", async () => {
    const a = await traineeShell(s.ports[0], 'alice', ALICE_PW);
    const b = await traineeShell(s.ports[0], 'bob', bobPw);
    const bobItl = await b.command('show itl');
    const bobCtl = await b.command('show ctl');
    const aliceItl = await a.command('show itl');
    expect(aliceItl).toContain('Length of ITL file');
    // alice moves her cluster to mixed mode and regenerates CallManager
    a.send('utils ctl set-cluster mixed-mode\r');
    await a.expect('(y/n):');
    a.send('y\r');
    await a.expect(/\radmin:$/, 30_000);
    expect(await a.command('show ctl')).toMatch(/Length of CTL file: [1-9]/);
    a.send('set cert regen CallManager\r');
    await a.expect('(yes|no)? ');
    a.send('yes\r');
    await a.expect(/\radmin:$/, 30_000);
    a.send('utils service restart Cisco Tftp\r');
    await a.expect(/\radmin:$/, 30_000);
    expect(await a.command('show itl')).not.toBe(aliceItl);
    // bob's files are byte for byte what they were
    expect(await b.command('show itl')).toBe(bobItl);
    expect(await b.command('show ctl')).toBe(bobCtl);
    expect(bobCtl).toContain('CTL File not found');
    // each trainee's TFTP ports hand out that trainee's own files
    const tftpBin = requireTool('tftp', 'tftp-hpa');
    const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex');
    for (const who of ['alice', 'bob']) {
      const port = Number(new RegExp(`^  ${who} +127\\.0\\.0\\.1:(\\d+)`, 'm').exec(s.printed())![1]);
      const local = join(root, `${who}-itl.tlv`);
      await execa(tftpBin, ['127.0.0.1', String(port), '-m', 'binary', '-c', 'get', 'ITLFile.tlv', local], { timeout: 10_000 });
      expect(md5(readFileSync(local))).toBe(md5(readFileSync(join(dir, 'labs', who, 'nodes', 'cucm-pub', 'tftp', 'ITLFile.tlv'))));
    }
    expect(md5(readFileSync(join(root, 'alice-itl.tlv')))).not.toBe(md5(readFileSync(join(root, 'bob-itl.tlv'))));
    a.end();
    b.end();
  });

  it("gives the instructor the class: list, lab commands with --trainee, assign, and wall messages", async () => {
    const b = await traineeShell(s.ports[1], 'bob', bobPw);
    const t = await labShell(s.ports[0]);
    expect(t.out).toContain("cucm-sim class 'room1': 2 trainees");
    // sessions that ended are no longer counted (the server learns of an ended client a moment later)
    let list = '';
    await waitFor('the sessions of earlier tests to end', async () => /^alice +0 /m.test((list = await labCommand(t, 'class list'))) && /^bob +1 /m.test(list));
    expect(list).toMatch(/^alice +0 +mixed +12\/0\/12 +- +- +- +\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ$/m);
    expect(list).toMatch(/^bob +1 +non-secure /m);
    expect(await labCommand(t, 'status --trainee alice')).toContain('Cluster Security Mode: 1 (mixed mode)');
    expect(await labCommand(t, 'status --trainee bob')).toContain('Cluster Security Mode: 0 (non-secure)');
    expect(await labCommand(t, 'status')).toContain('Name the trainee whose lab this is for: status --trainee NAME');
    expect(await labCommand(t, 'status --trainee carol')).toContain("No trainee 'carol' in this class");
    // Tab completes a trainee's name after --trainee
    t.send('status --trainee al\t');
    await t.expect('status --trainee alice ');
    expect(await labCommand(t, '')).toContain('Cluster Security Mode: 1 (mixed mode)');

    // bob is half-way through a command when the message arrives
    b.send('show vers');
    await b.expect('show vers');
    expect(await labCommand(t, 'class message Break until 10:30, please save your work --trainee bob')).toContain('Message sent to 1 session of bob.');
    const wall = await b.expect(/show vers$/);
    expect(wall).toMatch(/\r\nBroadcast message from lab@cucm-sub1 \(pts\/0\) \(\w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d \d{4}\):\r\n\r\nBreak until 10:30, please save your work\r\n\r\nadmin:show vers$/);
    b.send('ion active\r');
    expect(await b.expect(/\radmin:$/)).toContain('Active Master Version:');

    const assigned = await labCommand(t, 'class assign f-mixed-mode bob');
    expect(assigned).toContain('Exercise f-mixed-mode assigned to bob.');
    // of the exercise's four goals only "no service waits for a restart" holds in the starting state
    expect(await labCommand(t, 'class list')).toMatch(/^bob +1 +non-secure +\S+ +f-mixed-mode +1\/4 +not yet/m);
    expect(await labCommand(t, 'exercise check --trainee bob')).toContain('Score: 25% (1 of 4 goals met)');
    // the gradebook while the class goes on: written into the class folder from the labs as served
    expect(await labCommand(t, 'class report')).toContain(`Gradebook of 2 trainees: ${join(dir, 'report')}/gradebook.csv`);
    const live = readFileSync(join(dir, 'report', 'gradebook.csv'), 'utf8').split('\n');
    expect(live.find((l) => l.startsWith('bob,'))).toMatch(/^bob,f-mixed-mode,1,1,4,25,false,\d+,\d+,0,1,\d+$/);
    expect(statSync(join(dir, 'report', 'gradebook.json')).mode & 0o777).toBe(0o600);
    // bob keeps his own account after the lab was rebuilt for the exercise
    b.end();
    const b2 = await traineeShell(s.ports[0], 'bob', bobPw);
    expect(b2.out).toContain('Lab exercise f-mixed-mode is running');
    b2.end();
    t.end();
  });

  it("gives each trainee a lab console of their own lab as NAME+lab, without the instructor's commands", async () => {
    const t = await shell(s.ports[0], { user: 'bob+lab', password: bobPw, rows: 0, waitPrompt: false });
    await t.expect(/lab>$/);
    expect(await labCommand(t, 'status')).toContain('Cluster Security Mode: 0 (non-secure)');
    expect(await labCommand(t, 'exercise status')).toContain('f-mixed-mode');
    expect(await labCommand(t, 'phones list')).toContain('SEP');
    expect(await labCommand(t, 'unlock alice')).toContain("Unknown command 'unlock'. Type 'help' for the list");
    expect(await labCommand(t, 'set password lab new-password-1')).toContain("Unknown command 'set'. Type 'help' for the list");
    expect(await labCommand(t, 'reset-lab')).toContain("Unknown command 'reset-lab'. Type 'help' for the list");
    expect(await labCommand(t, 'help')).not.toMatch(/^ *(unlock|reset-lab|set password)\b/m);
    t.end();
    // the trainee's own password only, and only for a trainee of this class
    await expect(login(s.ports[0], { user: 'alice+lab', password: bobPw })).rejects.toThrow();
    await expect(login(s.ports[0], { user: 'carol+lab', password: bobPw })).rejects.toThrow();
    expect(s.printed()).toContain(`ssh -p ${s.ports[0]} alice+lab@127.0.0.1`);
  });

  it("powers off a node of one trainee's lab only: that trainee's sessions there get the shutdown broadcast", async () => {
    const a = await traineeShell(s.ports[1], 'alice', ALICE_PW);
    const b = await traineeShell(s.ports[1], 'bob', bobPw);
    const t = await labShell(s.ports[0]);
    expect(await labCommand(t, 'node power cucm-sub1 off --trainee bob')).toContain('cucm-sub1 powered off');
    await b.waitClosed();
    expect(b.out).toContain('The system is going down for power off NOW!');
    // alice's cucm-sub1 is still on: her session goes on, and bob cannot log in to his until it is back
    expect(await a.command('show myself')).toContain('account name    : alice');
    await expect(login(s.ports[1], { user: 'bob', password: bobPw })).rejects.toThrow();
    expect(await labCommand(t, 'node power cucm-sub1 on --trainee bob')).toContain('cucm-sub1 powered on');
    (await login(s.ports[1], { user: 'bob', password: bobPw })).end();
    a.end();
    t.end();
  });

  it('locks out only the trainee who guessed wrong, until the instructor unlocks them', async () => {
    for (let i = 0; i < 3; i++) await expect(login(s.ports[0], { user: 'alice', password: 'wrong-guess' })).rejects.toThrow();
    await expect(login(s.ports[0], { user: 'alice', password: ALICE_PW })).rejects.toThrow();
    (await login(s.ports[0], { user: 'bob', password: bobPw })).end();
    const t = await labShell(s.ports[0]);
    expect(await labCommand(t, 'class unlock alice')).toContain('Unlocked alice (1 lockout lifted).');
    t.end();
    (await login(s.ports[0], { user: 'alice', password: ALICE_PW })).end();
  });

  it("never locks the instructor out: a trainee's wrong guesses at lab from the same address are slowed, the right password still gets in", async () => {
    for (let i = 0; i < 4; i++) await expect(login(s.ports[0], { user: 'lab', password: `guess-${i}` })).rejects.toThrow();
    const t = await labShell(s.ports[0]);
    expect(await labCommand(t, 'class list')).toMatch(/^alice /m);
    t.end();
  });

  it('resumes every lab after a restart, with the same passwords and without printing them again', async () => {
    expect(await s.stop()).toBe(0);
    s = await startClass({ classDir: dir });
    expect(s.printed()).toContain(`Passwords: ${join(dir, 'passwords.txt')}`);
    expect(s.printed()).not.toContain(bobPw);
    const a = await traineeShell(s.ports[0], 'alice', ALICE_PW);
    expect(await a.command('show ctl')).toMatch(/Length of CTL file: [1-9]/);
    a.end();
    const b = await traineeShell(s.ports[0], 'bob', bobPw);
    expect(b.out).toContain('Lab exercise f-mixed-mode is running');
    expect(await b.command('show ctl')).toContain('CTL File not found');
    b.end();
    expect(await s.stop()).toBe(0);
  });

  it('class report writes a CSV and JSON gradebook and every recorded session, 0600', async () => {
    let out = '';
    expect(await classMain({}, ['report', dir], { write: (x: string) => (out += x) })).toBe(0);
    expect(out).toContain('Gradebook of 2 trainees');
    const report = join(dir, 'report');
    const csv = readFileSync(join(report, 'gradebook.csv'), 'utf8').trim().split('\n').map((l) => l.split(','));
    expect(csv[0]).toEqual(['trainee', 'exercise', 'attempt', 'goals_met', 'goals_total', 'score', 'passed', 'time_seconds', 'lab_seconds', 'hints', 'checks', 'sessions']);
    const row = (name: string) => Object.fromEntries(csv[0].map((k, i) => [k, csv.find((r) => r[0] === name)![i]]));
    // alice has no exercise; bob is on the first attempt of f-mixed-mode with 1 of 4 goals (25%)
    expect(row('alice')).toMatchObject({ exercise: '', goals_total: '0', score: '0', passed: 'false' });
    expect(row('bob')).toMatchObject({ exercise: 'f-mixed-mode', attempt: '1', goals_met: '1', goals_total: '4', score: '25', passed: 'false', hints: '0', checks: '1' });
    // alice opened four shells in this file (logins without a shell record nothing)
    expect(row('alice').sessions).toBe('4');
    const json = JSON.parse(readFileSync(join(report, 'gradebook.json'), 'utf8')) as { rows: Array<{ trainee: string; score: number }> };
    expect(json.rows.map((r) => [r.trainee, r.score])).toEqual([
      ['alice', 0],
      ['bob', 25],
    ]);
    const files = readdirSync(join(report, 'transcripts', 'alice'));
    const texts = files.filter((f) => f.endsWith('.txt')).map((f) => readFileSync(join(report, 'transcripts', 'alice', f), 'utf8'));
    expect(texts.join('')).toMatch(/admin:show myself\nMachine Name    : cucm-pub\naccount name    : alice\n/);
    const cast = files.find((f) => f.endsWith('.cast'))!;
    const header = JSON.parse(readFileSync(join(report, 'transcripts', 'alice', cast), 'utf8').split('\n')[0]) as { version: number };
    expect(header.version).toBe(2);
    for (const f of files) expect(statSync(join(report, 'transcripts', 'alice', f)).mode & 0o777).toBe(0o600);
    expect(statSync(join(report, 'gradebook.csv')).mode & 0o777).toBe(0o600);
    // the recordings serve made are private too
    for (const f of readdirSync(join(dir, 'transcripts', 'bob'))) expect(statSync(join(dir, 'transcripts', 'bob', f)).mode & 0o777).toBe(0o600);
  });

  it('class archive and class restore carry the whole class to a new folder; a hostile archive writes nothing', async () => {
    const file = join(root, 'room1.bundle.gz');
    const copy = join(root, 'copy');
    expect(await classMain({}, ['archive', dir, file], { write: () => 0 })).toBe(0);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(await classMain({}, ['restore', file, copy], { write: () => 0 })).toBe(0);
    expect(readFileSync(join(copy, 'passwords.txt'), 'utf8')).toBe(readFileSync(join(dir, 'passwords.txt'), 'utf8'));
    const lab = Lab.open(join(copy, 'labs', 'alice'));
    expect(lab.state.params.clusterSecurityMode).toBe(1);
    expect(lab.state.accounts.admin.user).toBe('alice');
    lab.close();
    let err = '';
    const e = { write: (x: string) => (err += x) };
    expect(await classMain({}, ['restore', file, copy], { write: () => 0 }, e)).toBe(2);
    expect(err).toContain('is not empty');
    const evil = join(root, 'evil.gz');
    const payload = { format: 'cucm-sim-class-bundle', version: 1, files: [{ path: 'class.json', data: '' }, { path: '../escaped.txt', data: Buffer.from('x').toString('base64') }] };
    writeFileSync(evil, gzipSync(JSON.stringify(payload)));
    err = '';
    expect(await classMain({}, ['restore', evil, join(root, 'evil-out')], { write: () => 0 }, e)).toBe(2);
    expect(err).toContain('outside the class folder');
    expect(existsSync(join(root, 'escaped.txt'))).toBe(false);
    expect(existsSync(join(root, 'evil-out'))).toBe(false);
  });
});
