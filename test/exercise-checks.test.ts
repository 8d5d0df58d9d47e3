// Exercise checks on hand erases and trust lists: the phones each erase reached as the command
// resolved them, the models a constraint allows, and what the CTL and the served ITLs list.
import { describe, it, expect, vi } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { scratchPerTest } from './helpers.js';
import { labRun, phones } from './phone-helpers.js';
import { Lab } from '../state/cluster/lab.js';
import { loadExerciseFile } from '../state/exercises/loader.js';
import { evaluateExercise } from '../state/exercises/results.js';
import { createExerciseLab } from '../src/runbook/exercise.js';
import { CliSession } from '../src/console/admin-console.js';
import { drive } from '../src/console/drive.js';

vi.setConfig({ testTimeout: 60000 });

const { tmp, labs } = scratchPerTest('cucm-sim-exercise-');

const BASE = `id: demo
title: A demo
version: 10.5.1.10000-7
minutes: 5
briefing: Something to do.
topology: { nodes: 3 }
setup:
  - lab: status
goals:
  - check: phones-locked-count
    count: 0
    hint: Look at the phones.
`;

describe('erases by hand and trust-list checks', () => {
  const ERASES =
    BASE +
    `constraints:
  - check: no-manual-ctl-delete
    except-model: 7940, 7960
  - check: no-manual-itl-delete
  - check: no-walk-visit
  - check: no-walk-visit
    except-model: 7940
`;
  async function start(text: string): Promise<Lab> {
    const file = join(tmp(), 'demo.yaml');
    writeFileSync(file, text);
    const lab = await createExerciseLab(loadExerciseFile(file), join(tmp(), 'lab'), { name: 'class' });
    labs.push(lab);
    return lab;
  }
  const broken = (lab: Lab) => evaluateExercise(lab, lab.state.exercise!).constraints.map((c) => (c.ok ? 'kept' : `BROKEN (${c.detail})`));

  it('keep the phones each erase reached, resolved when it ran, and allow only the models named', async () => {
    const lab = await start(ERASES);
    const x = lab.state.exercise!;
    expect(x.constraints.map((c) => c.name)).toEqual([
      'No CTL erased by hand on a phone except on a 7940/7960',
      'No ITL erased by hand on a phone',
      'Nobody walked to a phone (no trust list erased by hand)',
      'Nobody walked to a phone except on a 7940 (no trust list erased by hand elsewhere)',
    ]);
    const old = phones(lab, (p) => p.model === '7940')[0];
    // a target that names nothing reaches no phone
    expect((await labRun(lab, ['phones delete-itl SEP000000000000'])).statuses).toEqual([1]);
    expect(broken(lab)).toEqual(['kept', 'kept', 'kept', 'kept']);
    await labRun(lab, [`phones delete-ctl ${old.name}`]);
    expect(x.events.filter((e) => e.kind === 'erase')).toEqual([{ at: expect.any(Number), kind: 'erase', list: 'CTL', phones: [{ name: old.name, model: '7940', devicePool: old.devicePool }] }]);
    expect(broken(lab)).toEqual(['kept', 'kept', 'BROKEN (1 phone visited)', 'kept']);
    await labRun(lab, ['phones delete-ctl DP-Branch']);
    const branch = phones(lab, (p) => p.devicePool === 'DP-Branch').map((p) => p.name);
    expect(branch.length).toBeGreaterThan(0);
    expect(x.events.filter((e) => e.kind === 'erase').at(-1)).toMatchObject({ list: 'CTL', phones: branch.map((name) => ({ name, devicePool: 'DP-Branch' })) });
    const n = `${branch.length} phone${branch.length === 1 ? '' : 's'} visited`;
    expect(broken(lab)).toEqual([`BROKEN (${n})`, 'kept', `BROKEN (${branch.length + 1} phones visited)`, `BROKEN (${n})`]);
    await labRun(lab, [`phones delete-itl ${old.name}`]);
    expect(broken(lab)[1]).toBe('BROKEN (1 phone visited)');
  });

  it('a lab from before erases were kept counts every erase command', async () => {
    const lab = await start(ERASES);
    const x = lab.state.exercise!;
    delete x.tallies.erased;
    x.tallies.commands['lab:phones delete-itl'] = 1;
    expect(broken(lab)).toEqual(['kept', 'BROKEN (1 erase command)', 'BROKEN (1 erase command)', 'BROKEN (1 erase command)']);
  });

  it('itl-lists-cert finds hash-only records by SHA-1 and reads what each Tftp serves; phones-trust-state reads the phones', async () => {
    const lab = await start(BASE);
    const x = lab.state.exercise!;
    x.goals = [
      { check: 'itl-lists-cert', name: 'tvs', params: { node: 'cucm-sub1', unit: 'TVS' } },
      { check: 'itl-lists-cert', name: 'tvs on sub2', params: { node: 'cucm-sub1', unit: 'TVS', tftp: 'cucm-sub2' } },
      { check: 'itl-lists-cert', name: 'recovery', params: { node: 'cucm-pub', unit: 'ITLRecovery' } },
      { check: 'ctl-lists-cert', name: 'ctl', params: { node: 'cucm-pub' } },
      { check: 'phones-trust-state', name: 'trusted', params: { state: 'trusted' } },
      { check: 'phones-trust-state', name: 'locked', params: { state: 'locked', phones: 'DP-Branch' } },
    ];
    const unmet = () => evaluateExercise(lab, x).goals.filter((g) => !g.ok).map((g) => `${g.spec.name}${g.detail ? ` (${g.detail})` : ''}`);
    // non-secure: no CTL anywhere
    expect(unmet()).toEqual(['ctl (not in the CTLFile.tlv of cucm-pub, cucm-sub1, cucm-sub2)', 'locked (3 of 3 SBD phones not yet)']);
    const sub1 = new CliSession({ lab, node: lab.node('cucm-sub1')! });
    await drive(sub1, 'set cert regen TVS', { answers: ['yes'] });
    expect(unmet()).toContain('tvs (not in the served ITL of cucm-pub, cucm-sub1, cucm-sub2)');
    await drive(new CliSession({ lab, node: lab.node('cucm-sub2')! }), 'utils service restart Cisco Tftp');
    expect(unmet().slice(0, 2)).toEqual(['tvs (not in the served ITL of cucm-pub, cucm-sub1)', 'ctl (not in the CTLFile.tlv of cucm-pub, cucm-sub1, cucm-sub2)']);
  });

  it('ctl-lists-cert reads the CTL on disk of every node, and with served: true what each running Tftp serves', async () => {
    const lab = await start(BASE.replace('  - lab: status', '  - admin: utils ctl set-cluster mixed-mode\n    answers: [y]'));
    const x = lab.state.exercise!;
    x.goals = [
      { check: 'ctl-lists-cert', name: 'on disk', params: { node: 'cucm-sub2' } },
      { check: 'ctl-lists-cert', name: 'served', params: { node: 'cucm-sub2', served: true } },
    ];
    const unmet = () => evaluateExercise(lab, x).goals.filter((g) => !g.ok).map((g) => `${g.spec.name}${g.detail ? ` (${g.detail})` : ''}`);
    expect(unmet()).toEqual(['served (not in the served CTL of cucm-pub, cucm-sub1, cucm-sub2)']);
    await drive(new CliSession({ lab, node: lab.publisher() }), 'utils service restart Cisco Tftp');
    expect(unmet()).toEqual(['served (not in the served CTL of cucm-sub1, cucm-sub2)']);
    await drive(new CliSession({ lab, node: lab.node('cucm-sub2')! }), 'set cert regen CallManager', { answers: ['yes'] });
    expect(unmet()).toEqual(['on disk (not in the CTLFile.tlv of cucm-pub, cucm-sub1, cucm-sub2)', 'served (not in the CTLFile.tlv of cucm-pub, cucm-sub1, cucm-sub2)']);
  });
});
