// What every check kind is made of (parameters, a default name, an evaluation), and the helpers the
// kinds share: the phones in a check's scope and the tallies shown beside a goal not met.
import type { Lab } from '../cluster/lab.js';
import { selectPhones } from '../phones/fleet.js';
import type { PhoneState } from '../phones/model.js';
import { servedFile, tftpServing } from '../phones/tftpfiles.js';
import { md5 } from '../phones/trustlists.js';
import type { CheckSpec, ExerciseRecord } from './model.js';

/** text, a whole number, true/false, or one of fixed words */
export type ParamType = 'text' | 'count' | 'bool' | readonly string[];

export type P = CheckSpec['params'];
export interface CheckResult {
  ok: boolean;
  /** a short fact shown beside a goal not met (never how to meet it) */
  detail?: string;
}

export interface KindDef {
  params: Record<string, { type: ParamType; required: boolean }>;
  describe(p: P): string;
  evaluate(lab: Lab, x: ExerciseRecord, p: P): CheckResult;
}

export const s = (v: unknown) => String(v ?? '');
export const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
export const opt = (type: ParamType) => ({ type, required: false });
export const req = (type: ParamType) => ({ type, required: true });

export function scope(lab: Lab, p: P): PhoneState[] {
  const r = selectPhones(lab, s(p.phones || 'all'));
  return 'error' in r ? [] : r.phones;
}
export const inScope = (p: P) => (p.phones && s(p.phones).toLowerCase() !== 'all' ? ` in ${s(p.phones)}` : '');

export function tally(bad: number, all: number, what: string): CheckResult {
  return bad === 0 && all > 0 ? { ok: true } : { ok: false, detail: all === 0 ? `no ${what}` : `${bad} of ${plural(all, what)} not yet` };
}

/** MD5 of the trust list a phone's TFTP node serves now (undefined when that node does not answer). */
export function servedMd5(lab: Lab, p: PhoneState, file: 'ITLFile.tlv' | 'CTLFile.tlv'): string | undefined {
  const node = lab.node(p.tftpNode);
  if (!node || !tftpServing(lab, node)) return undefined;
  return md5(servedFile(lab, node, file));
}
