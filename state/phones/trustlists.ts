// The trust lists installed on a phone: exact bytes kept once per MD5 in the fleet, parsed on demand.
import type { Lab } from '../cluster/lab.js';
import { Role } from '../trust/tlv.js';
import { fileChecksums, parseTrustList, ParsedTrustList } from '../trust/tlv-parse.js';
import { fleetOf, PhoneState } from './model.js';

export function decoded(b64: string | undefined): Buffer | undefined {
  return b64 === undefined ? undefined : Buffer.from(b64, 'base64');
}

export function md5(buf: Buffer | undefined): string | undefined {
  return buf ? fileChecksums(buf).md5 : undefined;
}

/** A blank ITL: signed, but without any TFTP, CCM+TFTP or TVS entry (the rollback ITL). */
export function isBlankItl(list: ParsedTrustList): boolean {
  return !list.records.some((r) => r.func === Role.TFTP || r.func === Role.CCM_TFTP || r.func === Role.TVS || r.func === Role.CCM);
}

function parsedOrUndefined(buf: Buffer | undefined): ParsedTrustList | undefined {
  if (!buf) return undefined;
  const r = parseTrustList(buf);
  return r.ok ? r.list : undefined;
}

/** The exact bytes of the ITL or CTL installed on a phone. */
export function installedFile(lab: Lab, p: PhoneState, kind: 'ITL' | 'CTL'): Buffer | undefined {
  const key = kind === 'ITL' ? p.itl : p.ctl;
  return key ? decoded(fleetOf(lab).blobs[key]) : undefined;
}

/** Installs (or, with undefined, erases) a trust list on a phone; unreferenced bytes are dropped. */
export function setInstalled(lab: Lab, p: PhoneState, kind: 'ITL' | 'CTL', data: Buffer | undefined): void {
  const f = fleetOf(lab);
  const key = data ? md5(data)! : undefined;
  if (data && key) f.blobs[key] = data.toString('base64');
  if (kind === 'ITL') {
    if (key) p.itl = key;
    else delete p.itl;
  } else if (key) p.ctl = key;
  else delete p.ctl;
  const used = new Set<string>();
  for (const x of f.phones) for (const k of [x.itl, x.ctl]) if (k) used.add(k);
  for (const k of Object.keys(f.blobs)) if (!used.has(k)) delete f.blobs[k];
}

export function installedLists(lab: Lab, p: PhoneState): { itl?: ParsedTrustList; ctl?: ParsedTrustList; blank: boolean } {
  const itl = parsedOrUndefined(installedFile(lab, p, 'ITL'));
  const ctl = parsedOrUndefined(installedFile(lab, p, 'CTL'));
  return { itl, ctl, blank: !!itl && isBlankItl(itl) };
}
