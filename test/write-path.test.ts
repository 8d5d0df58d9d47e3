// The write path: read-only commands write nothing, a change that changes nothing writes nothing,
// a burst of changes is one write, a rolled-back change keeps the files staged before it, and
// lab.json stays small however often the phones reboot (their logs are bounded ring buffers).
import { afterEach, describe, expect, it, vi } from 'vitest';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Lab } from '../state/cluster/lab.js';
import { DEFAULT_PHONE_LOG_LINES } from '../state/cluster/state.js';
import { fleet } from '../state/phones/fleet.js';
import { CliSession } from '../src/console/admin-console.js';
import { LabConsole } from '../src/console/lab-console.js';
import { drive } from '../src/console/drive.js';
import { cleanup, seededLab } from './helpers.js';
import { labRun } from './phone-helpers.js';

const labs: Lab[] = [];
afterEach(() => {
  for (const l of labs.splice(0)) cleanup(l);
});

async function freshLab(): Promise<Lab> {
  const lab = await seededLab();
  labs.push(lab);
  lab.flush();
  return lab;
}

const labFile = (lab: Lab) => join(lab.store.dir, 'lab.json');

/** What the store wrote while `fn` ran, everything it left waiting included. */
async function written(lab: Lab, fn: () => Promise<unknown> | unknown) {
  const before = lab.store.stats();
  await fn();
  lab.flush();
  const after = lab.store.stats();
  return { commits: after.commits - before.commits, writes: after.writes - before.writes, bytes: after.bytes - before.bytes };
}

const NOTHING = { commits: 0, writes: 0, bytes: 0 };

describe('read-only commands', () => {
  const ADMIN = [
    'show itl',
    'show ctl',
    'show status',
    'show version active',
    'show cert own CallManager/CallManager.pem',
    'utils service list',
    'file list tftp *',
    'file list tftp * detail',
    'run sql select name from device',
    'utils network ping cucm-sub1',
    'help show itl',
    'show nothing-like-this',
  ];
  for (const line of ADMIN) {
    it(`admin:${line} writes no byte`, async () => {
      const lab = await freshLab();
      const s = new CliSession({ lab, node: lab.publisher() });
      expect(await written(lab, () => drive(s, line, { answers: [] }))).toEqual(NOTHING);
    });
  }

  it('Tab and ? write no byte', async () => {
    const lab = await freshLab();
    const s = new CliSession({ lab, node: lab.publisher() });
    expect(
      await written(lab, () => {
        s.completion('show i');
        s.completion('utils service restart Cisco T');
        s.question('show ');
        s.question('file list tftp ');
      }),
    ).toEqual(NOTHING);
  });

  it('lab console listings write no byte', async () => {
    const lab = await freshLab();
    const phone = fleet(lab).phones[0].name;
    const con = new LabConsole({ lab });
    for (const line of ['status', 'phones list', `phones show ${phone}`, `phones log ${phone}`, 'params show', 'pools list']) {
      expect(await written(lab, () => drive(con, line, { answers: [] })), line).toEqual(NOTHING);
    }
  });
});

describe('changes', () => {
  it('a change that changes nothing writes nothing', async () => {
    const lab = await freshLab();
    expect(await written(lab, () => lab.mutate(() => {}))).toEqual(NOTHING);
    const s = new CliSession({ lab, node: lab.publisher() });
    expect(await written(lab, () => drive(s, 'set cli pagination on'))).toEqual(NOTHING);
  });

  it('one change writes lab.json once, whole, without a journal', async () => {
    const lab = await freshLab();
    const con = new LabConsole({ lab });
    const w = await written(lab, () => drive(con, 'phones reset all'));
    expect(w).toEqual({ commits: 1, writes: 1, bytes: statSync(labFile(lab)).size });
  });

  it('a burst of changes is written once, a few milliseconds later, or at once by flush()', async () => {
    const lab = await freshLab();
    const onDisk = readFileSync(labFile(lab), 'utf8');
    const before = lab.store.stats();
    const pub = lab.publisher();
    await Promise.all([
      lab.mutate(() => (lab.state.cli.sessionTimeoutMin = 41)),
      lab.mutate(() => lab.stageTftp(pub, 'a.txt', Buffer.from('a'))),
      lab.mutate(() => lab.stageTftp(pub, 'b.txt', Buffer.from('b'))),
    ]);
    // nothing on disk yet: the write waits for the burst to end
    expect(lab.store.stats()).toEqual(before);
    expect(readFileSync(labFile(lab), 'utf8')).toBe(onDisk);
    // the sessions of the lab see the change at once
    expect(lab.readTftp(pub, 'a.txt')?.toString()).toBe('a');
    await vi.waitFor(() => expect(lab.store.stats().commits).toBe(before.commits + 1));
    expect(JSON.parse(readFileSync(labFile(lab), 'utf8')).cli.sessionTimeoutMin).toBe(41);
    expect(readFileSync(join(lab.tftpDir(pub), 'b.txt'), 'utf8')).toBe('b');
  });

  it('a rolled-back change keeps what earlier changes staged and not yet written', async () => {
    const lab = await freshLab();
    const pub = lab.publisher();
    await lab.mutate(() => lab.stageTftp(pub, 'kept.txt', Buffer.from('kept')));
    await expect(
      lab.mutate(() => {
        lab.stageTftp(pub, 'dropped.txt', Buffer.from('x'));
        throw new Error('refused');
      }),
    ).rejects.toThrow('refused');
    expect(lab.listTftp(pub)).toContain('kept.txt');
    expect(lab.listTftp(pub)).not.toContain('dropped.txt');
    lab.flush();
    expect(readFileSync(join(lab.tftpDir(pub), 'kept.txt'), 'utf8')).toBe('kept');
    expect(lab.store.exists(join('nodes', pub.name, 'tftp', 'dropped.txt'))).toBe(false);
  });

  it('a write that fails is reported by the next change, and what it held is written later', async () => {
    const lab = await freshLab();
    const commit = lab.store.commit;
    let refused = 0;
    lab.store.commit = () => {
      refused++;
      throw new Error('no space left on device');
    };
    await lab.mutate(() => (lab.state.cli.sessionTimeoutMin = 23));
    await vi.waitFor(() => expect(refused).toBe(1));
    lab.store.commit = commit;
    await expect(lab.mutate(() => (lab.state.cli.sessionTimeoutMin = 24))).rejects.toThrow('no space left on device');
    expect(lab.state.cli.sessionTimeoutMin).toBe(23);
    lab.flush();
    expect(JSON.parse(readFileSync(labFile(lab), 'utf8')).cli.sessionTimeoutMin).toBe(23);
  });

  it('close() writes what is waiting; the reopened lab has it', async () => {
    const lab = await seededLab();
    const dir = lab.store.dir;
    await lab.mutate(() => (lab.state.cli.sessionTimeoutMin = 17));
    lab.close();
    const again = Lab.open(dir, 'write-path test');
    labs.push(again);
    expect(again.state.cli.sessionTimeoutMin).toBe(17);
    // opening a lab writes nothing
    expect(again.store.stats()).toEqual(NOTHING);
  });
});

describe('lab size', () => {
  it('lab.json stays under 256 KB after 1,000 phone resets', async () => {
    const lab = await freshLab();
    const phones = fleet(lab).phones.length;
    expect(phones).toBe(12);
    // 84 rounds of the 12 default phones: 1,008 resets
    const con = new LabConsole({ lab });
    let resets = 0;
    while (resets < 1000) {
      expect((await drive(con, 'phones reset all')).status).toBe(0);
      resets += phones;
    }
    lab.flush();
    for (const p of fleet(lab).phones) expect(p.log.length).toBeLessThanOrEqual(DEFAULT_PHONE_LOG_LINES);
    expect(statSync(labFile(lab)).size).toBeLessThan(256 * 1024);
  }, 60_000);

  it('params set phone-log-lines bounds every phone log at once', async () => {
    const lab = await freshLab();
    await labRun(lab, ['phones reset all', 'phones reset all', 'phones reset all']);
    const big = statSync(labFile(lab)).size;
    const r = await labRun(lab, ['params set phone-log-lines 10', 'params set phone-log-lines 0', 'params show']);
    expect(r.statuses).toEqual([0, 1, 0]);
    expect(r.text).toContain('Each phone keeps the last 10 lines of its console log.');
    expect(r.text).toContain('The line count is a whole number from 1 to 5000.');
    expect(r.text).toMatch(/\(lab\) Console log lines kept per phone +10 +phone-log-lines/);
    for (const p of fleet(lab).phones) expect(p.log.length).toBe(10);
    await labRun(lab, ['phones reset all']);
    for (const p of fleet(lab).phones) expect(p.log.length).toBe(10);
    lab.flush();
    expect(statSync(labFile(lab)).size).toBeLessThan(big);
    expect(JSON.parse(readFileSync(labFile(lab), 'utf8')).params.phoneLogLines).toBe(10);
  });
});
