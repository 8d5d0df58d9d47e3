// Release profiles: what changes between the CUCM releases a lab can emulate (10.5 to 15). Every fact
// comes from shared/reference/versions.md (section in brackets); "inferred" marks name the assumption
// taken where that file could not establish the fact, so a user with a real cluster can correct it.
// Pure data and lookups: no imports, so any room of state/ can read it without a cycle.

export type ProfileId = '10.5' | '10.5.2' | '11.5' | '12.5' | '14' | '15';
export const PROFILE_IDS: readonly ProfileId[] = ['10.5', '10.5.2', '11.5', '12.5', '14', '15'];
export const DEFAULT_PROFILE: ProfileId = '10.5';

/** A certificate unit a profile knows of (the two -ECDSA units exist from 11.x). */
export type ProfileUnit = 'CallManager' | 'TVS' | 'CAPF' | 'ITLRecovery' | 'tomcat' | 'ipsec' | 'CallManager-ECDSA' | 'tomcat-ECDSA';

export type SigningUnit = 'CallManager' | 'ITLRecovery';

export interface KeyRule {
  /** RSA modulus size of the RSA units */
  rsaBits: 1024 | 2048;
  hash: 'sha1' | 'sha256';
}

export interface VersionProfile {
  id: ProfileId;
  /** the release as Cisco writes it: 10.5(1), 12.5(1)SU6, 14SU2 */
  label: string;
  major: number;
  /** `Active Master Version` / `Product Ver` of a lab created with this profile */
  build: string;
  /** `show status` `Unified OS Version` */
  osVersion: string;
  /** `show hardware` `OS Version` */
  hardwareOs: string;
  /** kernel of the install's system-history.log */
  kernel: string;

  // ------------------------------------------------ trust files (§1)
  /** tokenless CTL: the SAST records in order, the first signs the CTL */
  ctlSigners: readonly SigningUnit[];
  /** the key that signs each TFTP node's ITL */
  itlSigner: SigningUnit;
  /** one ITLRecovery pair for the whole cluster, made on the publisher and copied to every node */
  clusterItlRecovery: boolean;
  /** `utils ctl reset localkey` exists */
  ctlResetLocalkey: boolean;
  /** SAST records an eToken CTL carries after its two tokens (11.5/12.0: ITLRecovery, CallManager) */
  tokenCtlUnits: readonly SigningUnit[];

  // ------------------------------------------------ certificates (§3)
  /** units each node has, in `show cert list own` order */
  units: readonly ProfileUnit[];
  /** RSA units made at install */
  install: KeyRule;
  /** RSA units made by `set cert regen` */
  regen: KeyRule;
  /** EC curve and digest of the -ECDSA units */
  ecdsa: { curve: 'secp384r1'; hash: 'sha384' } | null;
  /** validity years per unit, at install and regeneration (ITLRecovery carried by upgrade aside) */
  validityYears: (unit: string) => number;

  // ------------------------------------------------ after a regeneration (§3)
  /** units whose services restart by themselves after `set cert regen` */
  selfRestartUnits: readonly ProfileUnit[];
  /** the "Phone Interaction on Certificate Update" service parameter exists (default: reset phones) */
  phoneInteractionParam: boolean;
  /** CAPF exists only on the publisher */
  capfPublisherOnly: boolean;

  // ------------------------------------------------ mixed mode (§2)
  /** '10': "This operation sets the cluster to Mixed mode."; '11': "This operation will set ..." */
  mixedModeDialog: '10' | '11';
  /** what `utils ctl set-cluster mixed-mode` / `update CTLFile` require */
  licensing: 'none' | 'encryption-license' | 'smart-licensing';
}

const BASE_UNITS: readonly ProfileUnit[] = ['CallManager', 'TVS', 'CAPF', 'ITLRecovery', 'tomcat', 'ipsec'];
const ECDSA_UNITS: readonly ProfileUnit[] = [...BASE_UNITS, 'CallManager-ECDSA', 'tomcat-ECDSA'];

const FIVE_YEARS = (): number => 5;
/** 12.x: ITLRecovery made by a fresh install or a regeneration lives 20 years, the rest 5 (§3, stated). */
const TWELVE_VALIDITY = (unit: string): number => (unit === 'ITLRecovery' ? 20 : 5);
// inferred: RN14's "TLS certificates 3 years" read as the units TLS peers see (tomcat, CallManager and
// their -ECDSA twins); the 14 guide's "5 years, ITLRecovery 5" is taken as the older wording
const TLS_UNITS = new Set(['tomcat', 'tomcat-ECDSA', 'CallManager', 'CallManager-ECDSA']);
const FOURTEEN_VALIDITY = (unit: string): number => (unit === 'ITLRecovery' ? 20 : TLS_UNITS.has(unit) ? 3 : 5);

const RHEL6_KERNEL = '2.6.32-431.20.3.el6.x86_64';
const RHEL7_KERNEL = '3.10.0-1160.el7.x86_64';

const PROFILES: Record<ProfileId, VersionProfile> = {
  '10.5': {
    id: '10.5',
    label: '10.5(1)',
    major: 10,
    // the seeds' cluster: every seed transcript reproduces with this build
    build: '10.5.1.10000-7',
    osVersion: '10.0.0.0-2', // seen on 10.0(1); kept for 10.x (inferred)
    hardwareOs: 'UCOS 6.0.0.0-2.i386', // inferred: 10.x is UCOS 6 like 11.x
    kernel: RHEL6_KERNEL,
    ctlSigners: ['CallManager'],
    itlSigner: 'CallManager',
    clusterItlRecovery: false, // inferred: per node before 12.5
    ctlResetLocalkey: false, // inferred: the command only makes sense once ITLRecovery signs the CTL
    tokenCtlUnits: [], // stated: Token1, Token2
    units: BASE_UNITS,
    install: { rsaBits: 1024, hash: 'sha1' }, // seen on 10.5.1
    regen: { rsaBits: 2048, hash: 'sha256' }, // seen on 10.5.1 (a regenerated CallManager.pem in the seeds)
    ecdsa: null,
    validityYears: FIVE_YEARS,
    selfRestartUnits: [],
    phoneInteractionParam: false,
    capfPublisherOnly: false,
    mixedModeDialog: '10',
    licensing: 'none',
  },
  '10.5.2': {
    id: '10.5.2',
    label: '10.5(2)',
    major: 10,
    build: '10.5.2.11900-3',
    osVersion: '10.0.0.0-2', // inferred, as 10.5(1)
    hardwareOs: 'UCOS 6.0.0.0-2.i386', // inferred
    kernel: RHEL6_KERNEL,
    ctlSigners: ['CallManager', 'ITLRecovery'],
    itlSigner: 'CallManager',
    clusterItlRecovery: false, // inferred
    ctlResetLocalkey: false, // inferred
    tokenCtlUnits: [], // stated: Token1, Token2
    units: BASE_UNITS,
    install: { rsaBits: 1024, hash: 'sha1' }, // inferred: as 10.5(1)
    regen: { rsaBits: 2048, hash: 'sha256' }, // inferred: as 10.5(1)
    ecdsa: null,
    validityYears: FIVE_YEARS,
    selfRestartUnits: [],
    phoneInteractionParam: false,
    capfPublisherOnly: false,
    mixedModeDialog: '10',
    licensing: 'none',
  },
  '11.5': {
    id: '11.5',
    label: '11.5(1)',
    major: 11,
    build: '11.5.1.12900-21',
    osVersion: '6.0.0.0-2', // inferred from a UCOS 6 `show hardware`
    hardwareOs: 'UCOS 6.0.0.0-2.i386', // seen on a box taken to be 11.x (inferred)
    kernel: RHEL6_KERNEL,
    ctlSigners: ['CallManager', 'ITLRecovery'],
    itlSigner: 'CallManager',
    clusterItlRecovery: false, // inferred
    ctlResetLocalkey: false, // inferred
    tokenCtlUnits: ['ITLRecovery', 'CallManager'], // stated; their place after the second token is inferred
    units: ECDSA_UNITS,
    // inferred: a fresh 11.5 install makes 2048-bit keys (upgraded clusters keep 1024-bit ones), still
    // signed with SHA-1 (12.5 is stated to make SHA-256 the default)
    install: { rsaBits: 2048, hash: 'sha1' },
    regen: { rsaBits: 2048, hash: 'sha256' }, // inferred: as 10.5(1)
    ecdsa: { curve: 'secp384r1', hash: 'sha384' }, // inferred: EC 384 with SHA384, the strongest pair the 14 guide offers
    validityYears: FIVE_YEARS,
    selfRestartUnits: [],
    phoneInteractionParam: false,
    capfPublisherOnly: false,
    mixedModeDialog: '11',
    // the default build is 11.5(1)SU2; profileOf gives builds from SU3 the Encryption licence (stated)
    licensing: 'none',
  },
  '12.5': {
    id: '12.5',
    label: '12.5(1)SU6',
    major: 12,
    build: '12.5.1.16900-48',
    osVersion: '7.0.0.0-4', // seen
    hardwareOs: 'UCOS 7.0.0.0-4.i386', // seen
    kernel: RHEL7_KERNEL, // inferred: RHEL 7 minor not established
    ctlSigners: ['ITLRecovery', 'CallManager'],
    itlSigner: 'ITLRecovery',
    clusterItlRecovery: true,
    ctlResetLocalkey: true,
    tokenCtlUnits: ['ITLRecovery', 'CallManager'], // stated for 12.0, inferred for 12.5
    units: ECDSA_UNITS,
    install: { rsaBits: 2048, hash: 'sha256' }, // SHA256 stated; 2048 inferred
    regen: { rsaBits: 2048, hash: 'sha256' },
    ecdsa: { curve: 'secp384r1', hash: 'sha384' }, // inferred
    validityYears: TWELVE_VALIDITY,
    selfRestartUnits: [],
    phoneInteractionParam: false, // inferred: first release 14 per RN14 although the 12.5 guides mention it
    capfPublisherOnly: false,
    mixedModeDialog: '11', // inferred for 12.5
    licensing: 'smart-licensing',
  },
  '14': {
    id: '14',
    label: '14SU2',
    major: 14,
    build: '14.0.1.12900-161',
    osVersion: '7.0.0.0-4', // inferred: same UCOS 7 as 12.5
    hardwareOs: 'UCOS 7.0.0.0-4.i386', // inferred
    kernel: RHEL7_KERNEL, // inferred
    ctlSigners: ['ITLRecovery', 'CallManager'],
    itlSigner: 'ITLRecovery',
    clusterItlRecovery: true,
    ctlResetLocalkey: true,
    tokenCtlUnits: ['ITLRecovery', 'CallManager'], // inferred: as 12.0 (a token CTL carried over; 14SU3 refuses tokens)
    units: ECDSA_UNITS,
    install: { rsaBits: 2048, hash: 'sha256' },
    regen: { rsaBits: 2048, hash: 'sha256' },
    ecdsa: { curve: 'secp384r1', hash: 'sha384' }, // inferred
    validityYears: FOURTEEN_VALIDITY,
    selfRestartUnits: ['TVS', 'CAPF', 'ITLRecovery'],
    phoneInteractionParam: true,
    capfPublisherOnly: true,
    mixedModeDialog: '11', // inferred for 14
    licensing: 'smart-licensing',
  },
  '15': {
    id: '15',
    label: '15SU2',
    major: 15,
    build: '15.0.1.12900-234',
    osVersion: '8.0.0.0-1', // inferred: EL8 platform; the number itself is a guess
    hardwareOs: 'UCOS 8.0.0.0-1.x86_64', // inferred: 64-bit EL8
    kernel: '4.18.0-553.22.1.el8_10.x86_64', // seen on a VOS 15(1)SU2 node
    ctlSigners: ['ITLRecovery', 'CallManager'],
    itlSigner: 'ITLRecovery',
    clusterItlRecovery: true,
    ctlResetLocalkey: true,
    tokenCtlUnits: ['ITLRecovery', 'CallManager'], // inferred; unused, 15 refuses tokens
    units: ECDSA_UNITS,
    install: { rsaBits: 2048, hash: 'sha256' },
    regen: { rsaBits: 2048, hash: 'sha256' },
    ecdsa: { curve: 'secp384r1', hash: 'sha384' }, // inferred
    validityYears: FOURTEEN_VALIDITY,
    selfRestartUnits: ['TVS', 'CAPF', 'ITLRecovery'],
    phoneInteractionParam: true,
    capfPublisherOnly: true,
    mixedModeDialog: '11', // inferred for 15
    licensing: 'smart-licensing',
  },
};

export function profileById(id: ProfileId): VersionProfile {
  return PROFILES[id];
}

const BUILD_RE = /^(\d{1,2})\.(\d{1,2})\.(\d{1,2})\.(\d{1,6})-(\d{1,6})$/;
const SHORT: Record<string, ProfileId> = {
  '10.5': '10.5',
  '10.5(1)': '10.5',
  '10.5.1': '10.5',
  '10.5(2)': '10.5.2',
  '10.5.2': '10.5.2',
  '11.5': '11.5',
  '11.5(1)': '11.5',
  '12.5': '12.5',
  '12.5(1)': '12.5',
  '14': '14',
  '15': '15',
};

export class VersionError extends Error {}

/** The profile of a full build string (10.0.x and 10.5.1 → 10.5, 11.x → 11.5, 12.x → 12.5), or undefined. */
export function profileOfBuild(build: string): ProfileId | undefined {
  const m = BUILD_RE.exec(build);
  if (!m) return undefined;
  const [major, minor, patch] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (major === 10) return minor === 5 && patch >= 2 ? '10.5.2' : '10.5';
  if (major === 11) return '11.5'; // inferred: 11.0 behaves as 11.5 for trust files
  if (major === 12) return '12.5'; // inferred: 12.0 has a per-node ITLRecovery, modelled as 12.5
  if (major === 14) return '14';
  if (major === 15) return '15';
  return undefined;
}

/**
 * What `--version` and a topology's `version:` accept: a release (10.5, 10.5(2), 11.5, 12.5, 14, 15)
 * or a full build string of one (12.5.1.13900-152). Returns the profile and the build the lab reports.
 */
export function resolveVersion(text: string): { profile: ProfileId; build: string } {
  const t = text.trim();
  const short = SHORT[t];
  if (short) return { profile: short, build: PROFILES[short].build };
  const p = profileOfBuild(t);
  if (p) return { profile: p, build: t };
  throw new VersionError(`unknown CUCM version '${t.slice(0, 40)}' (use 10.5, 10.5(2), 11.5, 12.5, 14, 15 or a build such as 12.5.1.16900-48)`);
}

/**
 * 11.5(1)SU3 and later 11.5 builds need the Encryption licence for mixed mode (versions.md §2, stated).
 * Assumption (inferred): SU n of 11.5(1) is build 11.5.1.1n900 (SU2 12900, SU6 16900), so SU3 starts at 13900.
 */
export function needsEncryptionLicense(build: string): boolean {
  const m = BUILD_RE.exec(build);
  return !!m && m[1] === '11' && m[2] === '5' && Number(m[4]) >= 13900;
}

const ELEVEN_FIVE_SU3: VersionProfile = { ...PROFILES['11.5'], licensing: 'encryption-license' };
/** 11.0 has CallManager-ECDSA; tomcat-ECDSA came with 11.5 (§3, stated). */
const ELEVEN_ZERO: VersionProfile = { ...PROFILES['11.5'], label: '11.0(1)', units: ECDSA_UNITS.filter((u) => u !== 'tomcat-ECDSA') };

/** The profile a lab runs; labs made before profiles existed are 10.5 (or what their build string says). */
export function profileOf(lab: { state: { version: string; profile?: ProfileId } }): VersionProfile {
  const s = lab.state;
  const p = s.profile && PROFILES[s.profile] ? PROFILES[s.profile] : PROFILES[profileOfBuild(s.version) ?? DEFAULT_PROFILE];
  if (p.id !== '11.5') return p;
  // what came with 11.5 or a service update of it, not with the release: the build decides
  if (s.version.startsWith('11.0.')) return ELEVEN_ZERO;
  return needsEncryptionLicense(s.version) ? ELEVEN_FIVE_SU3 : p;
}

/** From 14SU3 (14.0.1.13900-155) the CTL Provider accepts no eToken CTL (versions.md §1, stated). */
export function refusesTokenCtl(build: string): boolean {
  const m = BUILD_RE.exec(build);
  if (!m) return false;
  const major = Number(m[1]);
  return major > 14 || (major === 14 && Number(m[4]) >= 13900);
}

/** A 12.5 build below SU3 (12.5.1.13900-152): its refresh upgrade regenerated ITLRecovery (FN70613, stated). */
export function hasFn70613Defect(build: string): boolean {
  const m = BUILD_RE.exec(build);
  if (!m || m[1] !== '12' || m[2] !== '5') return false;
  return Number(m[4]) < 13900;
}
