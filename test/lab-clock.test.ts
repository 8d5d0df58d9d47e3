// The lab clock of a deterministic lab moves by the time each long-running command takes, so every
// rebuilt trust file is stamped anew (seeds 002/004 prove an update by its new MD5), while two runs
// with the same seed and clock stay byte-identical.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { Lab } from '../state/cluster/lab.js';
import { cleanup, seededLab, tempDir, transcript } from './helpers.js';
import { requireDist } from './prerequisites.js';

const BIN = join(__dirname, '..', 'bin', 'cucm-sim.js');

/** The MD5 and modification line `show ctl` / `show itl` print. */
function shown(text: string, kind: 'CTL' | 'ITL') {
  const md5 = new RegExp(`The checksum value of the ${kind} file:\\n([0-9a-f]{32})\\(MD5\\)`).exec(text)?.[1];
  const modified = new RegExp(`The ${kind} File was last modified on (.+)`).exec(text)?.[1];
  return { md5, modified };
}

/** The file as the disk holds it (tftpDir() first writes the changes still waiting). */
function fileMd5(lab: Lab, node: string, file: string): string {
  return createHash('md5').update(readFileSync(join(lab.tftpDir(lab.node(node)!), file))).digest('hex');
}

describe('a deterministic lab clock that moves with the commands', () => {
  let lab: Lab;
  beforeAll(async () => {
    lab = await seededLab({ seed: 7 });
  });
  afterAll(() => cleanup(lab));

  it('gives every CTL update its own timestamp and MD5, as show ctl and the file on disk agree', async () => {
    const md5s: string[] = [];
    const stamps: string[] = [];
    const first = await transcript(lab, ['utils ctl set-cluster mixed-mode', 'show ctl'], { answers: ['y'] });
    for (const text of [first.text]) {
      const s = shown(text.slice(text.indexOf('admin:show ctl')), 'CTL');
      md5s.push(s.md5!);
      stamps.push(s.modified!);
    }
    expect(md5s[0]).toBe(fileMd5(lab, 'cucm-pub', 'CTLFile.tlv'));
    for (let i = 0; i < 2; i++) {
      const r = await transcript(lab, ['utils ctl update CTLFile', 'show ctl'], { answers: ['y'] });
      expect(r.statuses).toEqual([0, 0]);
      const s = shown(r.text.slice(r.text.indexOf('admin:show ctl')), 'CTL');
      expect(s.md5).toBe(fileMd5(lab, 'cucm-pub', 'CTLFile.tlv'));
      md5s.push(s.md5!);
      stamps.push(s.modified!);
    }
    expect(new Set(md5s).size).toBe(3);
    expect(new Set(stamps).size).toBe(3);
    // every node got the same new file
    expect(fileMd5(lab, 'cucm-sub2', 'CTLFile.tlv')).toBe(md5s[2]);
  });

  it('rebuilds the ITL with a new date when Cisco Tftp restarts, and file list tftp shows the later time', async () => {
    const before = await transcript(lab, ['show itl', 'file list tftp ITLFile.tlv detail']);
    await transcript(lab, ['utils service restart Cisco Tftp']);
    const after = await transcript(lab, ['show itl', 'file list tftp ITLFile.tlv detail']);
    expect(shown(after.text, 'ITL').md5).not.toBe(shown(before.text, 'ITL').md5);
    expect(shown(after.text, 'ITL').modified).not.toBe(shown(before.text, 'ITL').modified);
    const listed = (t: string) => /\n(\d\d \w{3},\d{4} \d\d:\d\d:\d\d) +[\d,]+ {2}ITLFile\.tlv\n/.exec(t)?.[1];
    expect(listed(before.text)).toBeDefined();
    expect(Date.parse(listed(after.text)!.replace(',', ' ') + 'Z')).toBeGreaterThan(Date.parse(listed(before.text)!.replace(',', ' ') + 'Z'));
  });

  it('does not run out the 5-minute hold timer with the regeneration itself (seed 001)', async () => {
    const r = await transcript(lab, ['set cert regen CallManager', 'set cert regen TVS'], { answers: ['yes', 'yes'] });
    expect(r.text).toContain('Successfully Regenerated Certificate for CallManager.');
    expect(r.text).toContain('admin:set cert regen TVS\nCallManager certificate was modified in the last 5 minutes. Please re-try regenerating TVS certificate at a later time\n');
  });

  it('keeps the moved clock in the lab file', async () => {
    const now = lab.nowMs();
    expect(now).toBeGreaterThan(Date.parse('2025-01-06T09:00:00Z'));
    const dir = lab.store.dir;
    lab.close();
    lab = Lab.open(dir);
    expect(lab.nowMs()).toBe(now);
  });
});

describe('two runs with the same seed and clock', () => {
  const dirs: string[] = [];
  beforeAll(() => requireDist());
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

  it('print the same bytes, updates and restarts included', async () => {
    const script = [
      'utils ctl set-cluster mixed-mode',
      'y',
      'show ctl',
      'utils ctl update CTLFile',
      'y',
      'show ctl',
      'utils service restart Cisco Tftp',
      'show itl',
      'file list tftp * detail',
      'show status',
      '',
    ].join('\n');
    const run = async () => {
      const d = tempDir('cucm-sim-clock-');
      dirs.push(d);
      const r = await execa(process.execPath, [BIN, '--seed', '5', '--clock', '2025-03-01T12:00:00Z', '--data-dir', d], { input: script, reject: false, timeout: 60_000 });
      expect(r.stderr).toBe('');
      expect(r.exitCode).toBe(0);
      return r.stdout;
    };
    const a = await run();
    const b = await run();
    expect(b).toBe(a);
    const ctls = a.split('admin:show ctl').slice(1).map((t) => shown(t, 'CTL').md5);
    expect(ctls).toHaveLength(2);
    expect(ctls[0]).not.toBe(ctls[1]);
  });
});
