// The shipped exercises: each one's solution runbook ends with the exercise passed, and its wrong
// runbook (a plausible mistake) runs as written but leaves the exercise failed, for its own reason.
import { describe, it, expect } from 'vitest';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runRunbook } from '../src/runbook/run.js';

const DIR = join(import.meta.dirname, '..', 'scripts', 'exercises');

const ids = readdirSync(DIR)
  .filter((f) => f.endsWith('.yaml'))
  .map((f) => f.slice(0, -'.yaml'.length))
  .sort();

const WALKED = 'Nobody walked to a phone (no trust list erased by hand)';

/** Why each wrong runbook fails: the goals it leaves unmet and the constraints it breaks. */
const WHY: Record<string, { notMet: string[]; broken: string[] }> = {
  'b-regen-both-single-node': { notMet: [], broken: [WALKED] },
  'c-itl-reset-localkey': { notMet: ['The ITL cucm-pub serves is signed by the current CallManager certificate'], broken: [] },
  'd-tvs-rescue': { notMet: ['Every SBD phone in DP-Branch trusts the ITL its TFTP server serves'], broken: [] },
  'e-hold-timer': { notMet: ['No phone is locked', 'Every SBD phone trusts the ITL its TFTP server serves'], broken: [] },
  'f-mixed-mode': {
    notMet: ['Every node holds the same CTL file, and every running Cisco Tftp serves it', 'No service waits for a restart', 'Every phone trusts the CTL its TFTP server serves'],
    broken: [],
  },
  'g-ctl-update-7940': { notMet: [], broken: ['No CTL erased by hand on a phone except on a 7940/7960'] },
  'h-subscriber-refusals': {
    notMet: [
      'The CTL on every node lists the current CallManager certificate of cucm-sub1, and so does the CTL every running Cisco Tftp serves',
      'Cisco Tftp restarted on cucm-pub',
      'Cisco Tftp restarted on cucm-sub2',
      'Cisco CallManager restarted on cucm-pub',
    ],
    broken: [],
  },
  'i-rollback-pre-8': {
    notMet: ['Every SBD phone holds the blank ITL its TFTP server serves and accepts any signer', 'Every phone applied its current configuration'],
    broken: [],
  },
  'j-itlrecovery-regen': {
    notMet: ['Cisco Tftp restarted on cucm-sub2', 'The ITL every TFTP node serves lists the current ITLRecovery certificate of the publisher', 'No service waits for a restart'],
    broken: [],
  },
};

async function run(id: string, kind: 'solution' | 'wrong') {
  const r = await runRunbook(join(DIR, `${id}.${kind}.txt`), { expectExercise: kind === 'solution' ? 'pass' : 'fail', exerciseDir: DIR });
  expect(r.error?.message).toBeUndefined();
  expect(r.mismatches.map((m) => m.diff).join('\n')).toBe('');
  expect(r.commands).toBeGreaterThan(0);
  expect(r.exercise?.id).toBe(id);
  return r;
}

describe('the shipped exercises', () => {
  it('include the nine scenarios after the worked example, each with its two runbooks', () => {
    for (const letter of 'bcdefghij') expect(ids.some((id) => id.startsWith(`${letter}-`)), `an exercise ${letter}-*`).toBe(true);
    for (const id of Object.keys(WHY)) expect(ids).toContain(id);
    for (const id of ids) {
      for (const kind of ['solution', 'wrong']) {
        const file = join(DIR, `${id}.${kind}.txt`);
        expect(existsSync(file), file).toBe(true);
        expect(readFileSync(file, 'utf8')).toMatch(new RegExp(`^#! exercise ${id}$`, 'm'));
      }
    }
  });

  for (const id of ids) {
    it(`${id}: the solution passes it, the wrong solution does not`, async () => {
      const good = await run(id, 'solution');
      expect(good.exercise).toMatchObject({ actual: 'pass', score: 100, notMet: [], broken: [] });
      expect(good.passed).toBe(true);

      const wrong = await run(id, 'wrong');
      expect(wrong.exercise?.actual).toBe('fail');
      expect(wrong.passed).toBe(true);
      const why = WHY[id];
      if (why) expect({ notMet: wrong.exercise?.notMet, broken: wrong.exercise?.broken }).toEqual(why);
      else expect(wrong.exercise!.notMet.length + wrong.exercise!.broken.length).toBeGreaterThan(0);
    }, 60_000);
  }
});
