// The lab console: its own command tree with help, ? and Tab; the `cucm-sim lab` entry point
// (one-shot, script mode); cluster changes it makes (status, power, clock, parameters, reset-lab).
import { describe, it, expect, vi } from 'vitest';
import { Writable } from 'node:stream';
import { mkdirSync, writeFileSync, rmSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { Lab as LabClass } from '../state/cluster/lab.js';
import { seededLab, cleanup, tempDir, transcript, labPerTest } from './helpers.js';
import { admin, lab as labCmd, labRun, phones, sbd, itlMd5, expectTrust, shownMd5 } from './phone-helpers.js';
import { LabConsole } from '../src/console/lab-console.js';
import { defaultRegistry } from '../commands/admin/index.js';
import { labRegistry } from '../commands/lab/index.js';
import { LineQueue, runScript } from '../src/frontends/script/script.js';
import { main } from '../src/cli/main.js';
import { fleet } from '../state/phones/fleet.js';

const newLab = labPerTest();

describe('command tree', () => {
  it('offers ?, Tab and help like the admin: CLI, with its own commands', async () => {
    const l = await newLab();
    const con = new LabConsole({ lab: l });
    const top = con.question('').join(' ');
    for (const w of ['clock*', 'drs*', 'node*', 'params*', 'phones*', 'pools*', 'status', 'reset-lab', 'help', 'quit']) expect(top).toContain(w);
    expect(con.completion('pho').line).toBe('phones ');
    expect(con.completion('phones re').line).toBe('phones reset ');
    expect(con.completion('phones reset DP-B').line).toBe('phones reset DP-Branch ');
    expect(con.completion('node power cucm-s').line).toBe('node power cucm-sub');
    expect(con.completion('phones d').list?.join(' ')).toMatch(/delete-ctl.*delete-itl.*directories/);
    expect(con.question('phones reset ')).toEqual([
      'Syntax:',
      'phones reset <target>',
      "target   mandatory   'all', a device pool, or a phone (SEP name or MAC)",
    ]);
    const r = await labRun(l, ['phones ?', 'help phones reset', 'help', 'phones']);
    expect(r.text).toContain('lab>phones ?\n');
    expect(r.text).toMatch(/delete-ctl\s+delete-itl\s+directories/);
    expect(r.text).toContain('reset help:\nResets phones as the Reset buttons');
    expect(r.text).toContain('  clock advance <duration>\n      Moves the simulated clock forward');
    expect(r.text).toContain("'phones' needs one more word:");
    expect(r.statuses).toEqual([0, 0, 0, 1]);
  });

  it('keeps lab commands out of the admin: tree and admin commands out of the lab console', async () => {
    const l = await newLab();
    for (const line of ['phones list', 'clock advance 6m', 'drs backup', 'reset-lab', 'pools list', 'params show', 'status']) {
      expect(defaultRegistry().resolve(line).kind).not.toBe('command');
    }
    const adminTop = defaultRegistry().listing([...defaultRegistry().root.children.values()]).join(' ');
    for (const w of ['phones', 'clock', 'drs', 'pools', 'params', 'reset-lab']) expect(adminTop).not.toContain(w);
    const t = await transcript(l, ['phones list']);
    expect(t.text).toContain('No valid command entered');
    expect(labRegistry().resolve('show itl').kind).toBe('unknown');
    const r = await labRun(l, ['show itl', 'phones reset', 'phones show SEP000000000000', 'node power nosuch off']);
    expect(r.statuses).toEqual([1, 1, 1, 1]);
    expect(r.text).toContain("Unknown command 'show'. Type 'help' for the list, or '?' after a word.");
    expect(r.text).toContain('missing target.\nSyntax:\nphones reset <target>');
    expect(r.text).toContain("No phone 'SEP000000000000' (see 'phones list').");
    expect(r.text).toContain("No node 'nosuch' in this lab (nodes: cucm-pub, cucm-sub1, cucm-sub2).");
  });
});

describe('cluster commands', () => {
  it('status shows checksums, power, pending restarts and the hold timer', async () => {
    const l = await newLab();
    await admin(l, ['set cert regen CallManager'], { answers: ['yes'] });
    await labCmd(l, ['node power cucm-sub1 off']);
    const out = await labCmd(l, ['status']);
    expect(out).toContain(await shownMd5(l, 'itl'));
    expect(out).toMatch(/cucm-sub1\.lab\.example\s+192\.0\.2\.11\s+subscriber\s+off\s+down\s+down/);
    expect(out).toMatch(/cucm-pub: waiting for a restart of .*Cisco Tftp/);
    expect(out).toContain('cucm-pub: CallManager was regenerated; hold timer 5m left');
    const clock = await labCmd(l, ['clock advance 90s', 'clock show']);
    // 09:00:00, the 3 s the regeneration takes, then 90 s
    expect(clock).toContain('Clock advanced by 1m30s: Mon Jan 06 09:01:33 UTC 2025');
    expect(clock).toContain('cucm-pub: certificate hold timer 3m30s left (CallManager regenerated)');
    const bad = await labRun(l, ['clock advance soon']);
    expect(bad.statuses).toEqual([1]);
  });

  it('enterprise parameters: rollback can be set, the security mode is read-only', async () => {
    const l = await newLab();
    const r = await labRun(l, ['params set cluster-security-mode 1', 'params set rollback-to-pre-8.0 maybe', 'params set rollback-to-pre-8.0 True', 'params show']);
    expect(r.statuses).toEqual([1, 1, 0, 0]);
    expect(r.text).toContain('Cluster Security Mode is read-only on the Enterprise Parameters page.');
    expect(r.text).toMatch(/Prepare Cluster for Rollback to pre 8\.0\s+True/);
    expect(l.state.params.rollbackToPre80).toBe(true);
    expect(await admin(l, ['show itl'])).toContain('The ITL file was verified successfully.');
    // every phone has a new configuration waiting
    for (const p of phones(l)) expect(p.configVersion).toBe(2);
  });

  it('a refused change is reported and leaves the lab as it was', async () => {
    const l = await newLab();
    const before = l.fingerprint();
    const r = await labRun(l, ['node hostname cucm-sub1 cucm-sub2', 'node hostname cucm-sub1 9bad', 'node domain cucm-sub1 lab.example']);
    expect(r.statuses).toEqual([1, 1, 1]);
    expect(r.text).toContain("a node named 'cucm-sub2' already exists");
    expect(l.fingerprint()).toBe(before);
  });

  it('a hostname change moves the node files and the phones follow it', async () => {
    const l = await newLab();
    const out = await labCmd(l, ['node hostname cucm-sub2 cucm-branch']);
    expect(out).toContain('cucm-sub2.lab.example is now cucm-branch.lab.example.');
    expect(l.node('cucm-sub2')).toBeUndefined();
    expect(l.listTftp(l.node('cucm-branch')!)).toContain('ITLFile.tlv');
    expect(fleet(l).devicePools[1].callManagerGroup).toEqual(['cucm-branch']);
    expect(phones(l, (p) => p.devicePool === 'DP-Branch').every((p) => p.tftpNode === 'cucm-branch')).toBe(true);
    await labCmd(l, ['phones reset DP-Branch']);
    expectTrust(phones(l, (p) => sbd(p) && p.devicePool === 'DP-Branch'), 'locked');
    // the main pool has cucm-pub and cucm-sub1: TVS vouches for the renamed node
    await labCmd(l, ['pools set-group DP-Main cucm-branch cucm-pub', 'phones reset DP-Main']);
    expectTrust(phones(l, (p) => sbd(p) && p.devicePool === 'DP-Main'), 'trusted');
  });

  it('reset-lab asks first, then rebuilds the same lab in place', async () => {
    const l = await newLab();
    const fresh = await seededLab();
    try {
      await admin(l, ['set cert regen CallManager'], { answers: ['yes'] });
      await admin(l, ['utils service restart Cisco Tftp']);
      const no = await labCmd(l, ['reset-lab'], ['no']);
      expect(no).toContain('Nothing was changed.');
      expect(l.publisher().certs.CallManager.certPem).not.toBe(fresh.publisher().certs.CallManager.certPem);
      await labCmd(l, ['reset-lab'], ['yes']);
      expect(l.publisher().certs.CallManager.certPem).toBe(fresh.publisher().certs.CallManager.certPem);
      expect(await shownMd5(l, 'itl')).toBe(await shownMd5(fresh, 'itl'));
      for (const p of phones(l, sbd)) expect(itlMd5(p)).toBe(await shownMd5(l, 'itl', p.tftpNode));
    } finally {
      cleanup(fresh);
    }
  });
});

describe('cucm-sim lab', () => {
  async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
    let out = '';
    let err = '';
    const o = vi.spyOn(process.stdout, 'write').mockImplementation((c: string | Uint8Array) => {
      out += String(c);
      return true;
    });
    const e = vi.spyOn(process.stderr, 'write').mockImplementation((c: string | Uint8Array) => {
      err += String(c);
      return true;
    });
    try {
      const code = await main(args);
      return { code, out, err };
    } finally {
      o.mockRestore();
      e.mockRestore();
    }
  }

  it('runs one command and exits with its status', async () => {
    const home = tempDir('cucm-sim-labcli-');
    try {
      const r = await cli(['lab', '--data-dir', home, '--seed', '1', 'phones', 'list', 'DP-Branch']);
      expect(r.code).toBe(0);
      expect(r.out.startsWith('TFTP server  Address     ITL MD5 (show itl)')).toBe(true);
      expect(r.out).toContain('SEP58971E295E64  8865   DP-Branch    cucm-sub2    trusted');
      const bad = await cli(['lab', '--data-dir', home, 'phones', 'show', 'nope']);
      expect(bad.code).toBe(1);
      const reset = await cli(['lab', '--data-dir', home, 'reset-lab', '--force']);
      expect(reset.code).toBe(0);
      expect(reset.out).toContain('Reset the lab (yes|no)? yes');
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });

  it('reset-lab --force rebuilds a lab whose file is corrupted', async () => {
    const home = tempDir('cucm-sim-labcli-');
    try {
      const dir = join(home, 'labs', 'default');
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'lab.json'), '{not json');
      const refused = await cli(['lab', '--data-dir', home, 'reset-lab']);
      expect(refused.code).toBe(2);
      expect(refused.err).toContain('is corrupted');
      const r = await cli(['lab', '--data-dir', home, '--seed', '1', 'reset-lab', '--force']);
      expect(r.code).toBe(0);
      expect(existsSync(join(dir, 'lab.json'))).toBe(true);
      const again = LabClass.open(dir);
      try {
        expect(fleet(again).phones).toHaveLength(12);
      } finally {
        again.close();
      }
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });

  it('reset-lab --force --topology rebuilds the lab from another topology', async () => {
    const home = tempDir('cucm-sim-labcli-');
    try {
      expect((await cli(['lab', '--data-dir', home, '--seed', '1', 'status'])).code).toBe(0);
      const topo = join(home, 'one.yaml');
      writeFileSync(topo, 'nodes: 1\n');
      const r = await cli(['lab', '--data-dir', home, '--seed', '1', '--topology', topo, 'reset-lab', '--force']);
      expect(r.code).toBe(0);
      const s = await cli(['lab', '--data-dir', home, 'status']);
      expect(s.out).toContain("Lab 'default': CUCM 10.5.1.10000-7, domain lab.example, 1 node, 12 phones");
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });

  it('script mode prints prompts and echoes, and ends on quit', async () => {
    const l = await newLab();
    const con = new LabConsole({ lab: l });
    const q = new LineQueue();
    for (const line of ['clock advance 6m', 'pools list', 'quit', 'status']) q.push(line);
    q.close();
    let text = '';
    const sink = new Writable({
      write(chunk, _enc, cb) {
        text += chunk.toString();
        cb();
      },
    });
    const code = await runScript(con, q, sink, { banner: true });
    expect(code).toBe(0);
    expect(text.startsWith("cucm-sim lab console: cluster 'default', 3 nodes, 12 phones\n")).toBe(true);
    expect(text).toContain('lab>clock advance 6m\nClock advanced by 6m: Mon Jan 06 09:06:00 UTC 2025\nlab>pools list\n');
    expect(text.endsWith('lab>quit\n')).toBe(true);
  });

  it('one command whose question meets the end of its input ends quietly, as Ctrl-D does', async () => {
    const { oneShot } = await import('../src/frontends/attach/one-shot.js');
    const { Readable } = await import('node:stream');
    const l = await newLab();
    const fp = l.fingerprint();
    let text = '';
    const code = await oneShot(new LabConsole({ lab: l }), 'reset-lab', { force: false, input: Readable.from([]), write: (t) => (text += t) });
    expect(code).toBe(1);
    expect(text.endsWith('Reset the lab (yes|no)? \n')).toBe(true);
    expect(text).not.toContain('Control-C pressed');
    expect(l.fingerprint()).toBe(fp);
  });
});
