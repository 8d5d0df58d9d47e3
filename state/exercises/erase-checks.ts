// Constraints on trust lists erased by hand on phones (a technician's visit): broken when an erase
// since the start reached a phone outside the models allowed. They read the phones each erase
// reached as the command resolved them, not the command's words.
import { commandCount, erasedPhones } from './events.js';
import type { ExerciseRecord } from './model.js';
import { opt, plural, s, type CheckResult, type KindDef, type P } from './check-util.js';

type List = 'ITL' | 'CTL';

/** `except-model: 7940, 7960` as the models it allows. */
export function allowedModels(p: P): string[] {
  return p['except-model'] === undefined ? [] : s(p['except-model']).split(/[\s,/]+/).filter(Boolean).map((m) => m.toLowerCase());
}

const except = (p: P) => (p['except-model'] === undefined ? '' : ` except on a ${allowedModels(p).join('/')}`);

function erasedOutside(x: ExerciseRecord, lists: List[], p: P): CheckResult {
  // a lab from before erases were kept: any erase command counts
  if (!x.tallies.erased) {
    const n = lists.reduce((t, l) => t + commandCount(x, 'lab', `phones delete-${l.toLowerCase()}`), 0);
    return n === 0 ? { ok: true } : { ok: false, detail: `${plural(n, 'erase command')}` };
  }
  const allowed = allowedModels(p);
  const bad = new Set(erasedPhones(x, lists).filter((ph) => !allowed.includes(ph.model.toLowerCase())).map((ph) => ph.name));
  return bad.size === 0 ? { ok: true } : { ok: false, detail: `${plural(bad.size, 'phone')} visited` };
}

const params = { 'except-model': opt('text') };

export const ERASE_KINDS: Record<string, KindDef> = {
  'no-manual-itl-delete': {
    params,
    describe: (p) => `No ITL erased by hand on a phone${except(p)}`,
    evaluate: (_lab, x, p) => erasedOutside(x, ['ITL'], p),
  },
  'no-manual-ctl-delete': {
    params,
    describe: (p) => `No CTL erased by hand on a phone${except(p)}`,
    evaluate: (_lab, x, p) => erasedOutside(x, ['CTL'], p),
  },
  'no-walk-visit': {
    params,
    describe: (p) => `Nobody walked to a phone${except(p) ? `${except(p)} (no trust list erased by hand elsewhere)` : ' (no trust list erased by hand)'}`,
    evaluate: (_lab, x, p) => erasedOutside(x, ['ITL', 'CTL'], p),
  },
};
