// Labs on users' disks keep opening: a lab.json of format 1, which kept the TFTP file times, DRS
// backups, origin topology and phone fleet in an untyped `ext` object, opens with all of them intact.
import { afterEach, describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Lab } from '../state/cluster/lab.js';
import { cleanup, seededLab, transcript } from './helpers.js';
import { lab as labCmd } from './phone-helpers.js';

/** The sections format 1 kept under `ext`. */
const EXT_SECTIONS = ['mtimes', 'drsBackups', 'origin', 'topologyPhones', 'phones'];

/** Rewrites a saved lab.json as format 1 wrote it: the sections moved back under `ext`. */
function toFormat1(saved: Record<string, unknown>): Record<string, unknown> {
  const old: Record<string, unknown> = { ...saved, format: 1 };
  const ext: Record<string, unknown> = {};
  for (const k of EXT_SECTIONS) {
    if (k in old) ext[k] = old[k];
    delete old[k];
  }
  old.ext = ext;
  return old;
}

describe('lab.json of format 1', () => {
  let lab: Lab | undefined;
  afterEach(() => {
    if (lab) cleanup(lab);
    lab = undefined;
  });

  it('opens with its phones, backups, file times and origin intact', async () => {
    const made = await seededLab({ topology: { nodes: 2, phones: [{ mac: 'SEP001122334455', model: '8845', devicePool: 'DP-Main' }] } });
    lab = made;
    await labCmd(made, ['drs backup', 'phones reset all']);
    const adminLines = ['file list tftp * detail', 'show itl'];
    const labLines = ['drs list', 'phones list', 'status'];
    const before = { admin: (await transcript(made, adminLines)).text, console: await labCmd(made, labLines) };
    const dir = made.store.dir;
    made.close();
    lab = undefined;

    const file = join(dir, 'lab.json');
    const saved = JSON.parse(readFileSync(file, 'utf8'));
    expect(saved.drsBackups).toHaveLength(1);
    expect(saved.phones.phones).toHaveLength(1);
    writeFileSync(file, JSON.stringify(toFormat1(saved)));

    lab = Lab.open(dir);
    expect('ext' in lab.state).toBe(false);
    for (const k of EXT_SECTIONS) expect(lab.state[k as keyof typeof lab.state], k).toEqual(saved[k]);
    expect({ admin: (await transcript(lab, adminLines)).text, console: await labCmd(lab, labLines) }).toEqual(before);

    // the next change writes the current format
    await lab.mutate(() => undefined);
    lab.flush(); // changes reach the disk a few milliseconds later; flush() writes them at once
    const written = JSON.parse(readFileSync(file, 'utf8'));
    expect(written.ext).toBeUndefined();
    expect(written.format).toBe(saved.format);
    expect(written.phones).toEqual(saved.phones);
    expect(written.drsBackups).toEqual(saved.drsBackups);
  });

  it('gets a phone fleet on first use when it was made before phones existed', async () => {
    const made = await seededLab({ topology: { nodes: 1 } });
    lab = made;
    const dir = made.store.dir;
    made.close();
    lab = undefined;

    const file = join(dir, 'lab.json');
    const old = toFormat1(JSON.parse(readFileSync(file, 'utf8')));
    const ext = old.ext as Record<string, unknown>;
    delete ext.phones;
    delete ext.drsBackups;
    writeFileSync(file, JSON.stringify(old));

    lab = Lab.open(dir);
    expect(lab.state.drsBackups).toEqual([]);
    expect(await labCmd(lab, ['drs list'])).toContain('No backups yet');
    const list = await labCmd(lab, ['phones list']);
    expect(list).toContain('SEP');
    expect(lab.state.phones?.phones.length).toBeGreaterThan(0);
  });
});

describe('lab.json written while pagination was kept in the lab', () => {
  it('opens, keeps its session timeout, and drops the field on the next write', async () => {
    const made = await seededLab({ topology: { nodes: 1 } });
    const dir = made.store.dir;
    made.close();
    const file = join(dir, 'lab.json');
    const saved = JSON.parse(readFileSync(file, 'utf8'));
    // what earlier versions wrote: `set cli pagination off` stored for every later session
    saved.cli = { pagination: false, sessionTimeoutMin: 45 };
    writeFileSync(file, JSON.stringify(saved));

    const lab = Lab.open(dir);
    try {
      expect(lab.state.cli).toEqual({ sessionTimeoutMin: 45 });
      // pagination belongs to each session: a new one starts with it on
      expect((await transcript(lab, ['show cli pagination'])).text).toContain('Automatic Pagination : On.');
      await lab.mutate(() => undefined);
      lab.flush();
      expect(JSON.parse(readFileSync(file, 'utf8')).cli).toEqual({ sessionTimeoutMin: 45 });
    } finally {
      cleanup(lab);
    }
  });
});
