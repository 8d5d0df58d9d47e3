// The phone fleet's records as lab.json keeps them, what each phone model supports, and the fleet as
// code handed one of its phones reaches it.
import type { Lab } from '../cluster/lab.js';
import type { DevicePoolSpec } from '../cluster/topology.js';

export type TrustState = 'trusted' | 'locked' | 'any-signer' | 'non-secure' | 'unreachable';

export interface AppliedConfig {
  version: number;
  devicePool: string;
  /** TVS server addresses, in priority order, as the configuration file listed them */
  tvs: string[];
  webAccess: boolean;
  /** subject of the certificate that signed it ('' for an unsigned .cnf.xml) */
  signer: string;
}

export interface PhoneState {
  /** SEP + 12 hex digits */
  name: string;
  model: string;
  description: string;
  devicePool: string;
  /** name of the node the phone gets its files from (DHCP option 150) */
  tftpNode: string;
  /** MD5 of the installed ITL and CTL; the exact bytes are in FleetState.blobs */
  itl?: string;
  ctl?: string;
  /** certificates TVS vouched for: SHA-1 of the DER, until when (lab time) */
  tvsCache: Array<{ sha1: string; until: number }>;
  /** server side: configuration version and settings of this device */
  configVersion: number;
  webAccess: boolean;
  applied?: AppliedConfig;
  trust: TrustState;
  statusMessages: Array<{ at: number; text: string }>;
  log: string[];
  logSeq: number;
  tftpSeq: number;
  /** the phone's own clock for its log, in microseconds (kept monotonic) */
  clockUs: number;
  lastReset?: number;
}

export interface FleetState {
  devicePools: DevicePoolSpec[];
  phones: PhoneState[];
  /** installed trust lists by MD5 (base64): phones of one TFTP server share the same bytes */
  blobs: Record<string, string>;
}

declare module '../cluster/state.js' {
  interface LabSections {
    /** the phone fleet; absent in labs made before phones existed, which get one from fleet() */
    phones?: FleetState;
  }
}

/** Phones that do not support Security By Default: no ITL, no TVS. */
const NON_SBD = new Set(['7905', '7910', '7912', '7940', '7960']);
export function supportsSbd(model: string): boolean {
  return !NON_SBD.has(model);
}

export function normalizeMac(text: string): string | undefined {
  const m = /^(?:SEP)?([0-9A-F]{12})$/i.exec(text.trim());
  return m ? 'SEP' + m[1].toUpperCase() : undefined;
}

/**
 * The fleet of a lab whose phones are in hand. Entry points without a phone go through fleet()
 * (fleet.ts), which first builds the fleet of a lab made before phones existed.
 */
export function fleetOf(lab: Lab): FleetState {
  const f = lab.state.phones;
  if (!f) throw new Error('the lab has no phone fleet yet: reach it through fleet()');
  f.blobs ??= {};
  return f;
}

/** A phone of the fleet by SEP name or MAC. */
export function phoneIn(f: FleetState, text: string): PhoneState | undefined {
  const name = normalizeMac(text);
  if (!name) return undefined;
  return f.phones.find((p) => p.name === name);
}

export function poolOf(lab: Lab, p: PhoneState): DevicePoolSpec | undefined {
  return fleetOf(lab).devicePools.find((d) => d.name === p.devicePool);
}
