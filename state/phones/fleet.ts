// The phone fleet: IP phones that download trust lists and signed configuration files from their
// TFTP server and decide, as Security By Default phones do, whether to trust them.
//
// Each phone keeps what a real one keeps: its installed ITL and CTL (exact bytes, shared by MD5), its TVS cache,
// the configuration it last applied, the status messages it shows under Settings > Status > Status
// Messages, and a console log. Resetting a phone runs its boot sequence against the lab as it is now.
//
// Verification rules (the "flowchart"):
//   - no ITL and no CTL, or an ITL that is blank ("Prepare Cluster for Rollback to pre 8.0"):
//     the next CTL/ITL that verifies against its own signer record is trusted as it is; with a blank
//     ITL installed, signed configuration files are accepted whoever signed them;
//   - otherwise a file's signer must be in the CTL or the ITL (System Administrator Security Token,
//     TFTP or CCM+TFTP record, matched by serial number and issuer, or by certificate hash) and the
//     signature must verify with that record's key;
//   - failing that, a Security By Default phone asks the TVS servers of its CallManager group (taken
//     from its last applied configuration). The TLS connection only succeeds if the certificate the
//     TVS presents matches a TVS record of the phone's ITL (CERTHASH); the TVS vouches for a
//     certificate only if it is in that node's certificate store (the database: its own certificates
//     and its trust store, Phone-SAST-trust included).
//   - phones without Security By Default (7940/7960) never request an ITL and cannot use TVS.
//
// Signed configuration files (SEP<MAC>.cnf.xml.sgn) use the trust-list header of state/tlv.ts with
// FILENAME = SEP<MAC>.cnf.xml, no records, and the XML as the body: the signature covers the whole
// file minus the SIGNATURE field, exactly as for trust lists. They are generated on request and signed
// with the TFTP node's CallManager key.
import { createHash, KeyObject, X509Certificate } from 'node:crypto';
import type { Lab, NodeState } from '../cluster/lab.js';
import type { Topology, DevicePoolSpec, PhoneSpec } from '../cluster/topology.js';
import { TopologyError } from '../cluster/topology.js';
import { buildTrustList, parseTrustList, ParsedTrustList, ParsedRecord, Role, signerRecord, verifyTrustList, publicKeyFromPkcs1, fileChecksums } from '../trust/tlv.js';
import { certView } from '../crypto/certs.js';
import { signerFrom } from '../trust/trustfiles.js';
import { TFTP, TVS } from '../cluster/services.js';

// ---------------------------------------------------------------- model

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

/** Phones that do not support Security By Default: no ITL, no TVS. */
const NON_SBD = new Set(['7905', '7910', '7912', '7940', '7960']);
export function supportsSbd(model: string): boolean {
  return !NON_SBD.has(model);
}

const LOADS: Record<string, string> = {
  '7940': 'P0030801SR02',
  '7960': 'P0030801SR02',
  '7975': 'SCCP75.9-4-2SR3-1S',
  '8845': 'sip8845_65.12-8-1-0001-455',
  '8865': 'sip8845_65.12-8-1-0001-455',
};

const MAX_LOG = 160;
const MAX_STATUS = 30;
export const TVS_TTL_S = 86400;
const TVS_PORT = 2445;
const CFG_SIZE_LIMIT = 550001;

function ensureFleet(lab: Lab): FleetState {
  const ext = lab.state.ext as { phones?: FleetState };
  if (!ext.phones) {
    // a lab made before phones existed: the fleet boots once against the cluster as it is now
    const f = (ext.phones = buildFleet(lab, undefined));
    for (const p of f.phones) bootPhone(lab, p);
  }
  ext.phones.blobs ??= {};
  return ext.phones;
}

/** The lab's phone fleet (created on first use for labs made before phones existed). */
export function fleet(lab: Lab): FleetState {
  return ensureFleet(lab);
}

// ---------------------------------------------------------------- building the fleet

function macFor(i: number, model: string): string {
  const oui = model.startsWith('88') ? '58971E' : model === '7940' || model === '7960' ? '0013C4' : '001E7A';
  return oui + createHash('sha1').update(`phone:${i}`).digest('hex').slice(0, 6).toUpperCase();
}

function defaultPools(lab: Lab): DevicePoolSpec[] {
  const cm = lab.nodes.filter((n) => n.callmanager).map((n) => n.name);
  const all = cm.length ? cm : lab.nodes.map((n) => n.name);
  return [
    { name: 'DP-Main', callManagerGroup: all.slice(0, 3) },
    { name: 'DP-Branch', callManagerGroup: [all[all.length - 1]] },
  ];
}

const DEFAULT_PHONES: Array<{ model: string; pool: number; description: string }> = [
  { model: '7975', pool: 0, description: 'Reception' },
  { model: '8845', pool: 0, description: 'Sales 1' },
  { model: '8865', pool: 0, description: 'Sales 2' },
  { model: '7975', pool: 0, description: 'Support 1' },
  { model: '8845', pool: 0, description: 'Support 2' },
  { model: '8865', pool: 0, description: 'Finance' },
  { model: '7975', pool: 0, description: 'Warehouse' },
  { model: '8845', pool: 0, description: 'Conference room' },
  { model: '7940', pool: 0, description: 'Lobby (legacy)' },
  { model: '8845', pool: 1, description: 'Branch front desk' },
  { model: '7975', pool: 1, description: 'Branch office' },
  { model: '8865', pool: 1, description: 'Branch manager' },
];

function normalizeMac(text: string): string | undefined {
  const m = /^(?:SEP)?([0-9A-F]{12})$/i.exec(text.trim());
  return m ? 'SEP' + m[1].toUpperCase() : undefined;
}

function tftpNodeFor(lab: Lab, group: string[], explicit?: string): string {
  if (explicit) {
    const n = lab.node(explicit);
    if (!n) throw new TopologyError(`phone TFTP server '${explicit}' is not a node of the cluster`);
    if (!n.tftp) throw new TopologyError(`phone TFTP server '${explicit}' does not run Cisco Tftp`);
    return n.name;
  }
  for (const name of group) {
    const n = lab.node(name);
    if (n?.tftp) return n.name;
  }
  const any = lab.nodes.find((n) => n.tftp) ?? lab.publisher();
  return any.name;
}

function newPhone(lab: Lab, name: string, model: string, pool: DevicePoolSpec, description: string, tftp?: string): PhoneState {
  return {
    name,
    model,
    description,
    devicePool: pool.name,
    tftpNode: tftpNodeFor(lab, pool.callManagerGroup, tftp),
    tvsCache: [],
    configVersion: 1,
    webAccess: true,
    trust: 'non-secure',
    statusMessages: [],
    log: [],
    logSeq: 0,
    tftpSeq: 0,
    clockUs: 0,
  };
}

function buildFleet(lab: Lab, topo: Pick<Topology, 'devicePools' | 'phones'> | undefined): FleetState {
  const ext = lab.state.ext as { topologyPhones?: Pick<Topology, 'devicePools' | 'phones'> };
  const spec = topo?.devicePools || topo?.phones ? topo : ext.topologyPhones;
  let pools = defaultPools(lab);
  if (spec?.devicePools) {
    if (!Array.isArray(spec.devicePools) || spec.devicePools.length === 0) throw new TopologyError('devicePools must be a non-empty list');
    pools = spec.devicePools.map((p) => {
      const name = String((p as DevicePoolSpec)?.name ?? '');
      if (!name) throw new TopologyError('every device pool needs a name');
      const group = (p as DevicePoolSpec).callManagerGroup;
      if (!Array.isArray(group) || group.length < 1 || group.length > 3) throw new TopologyError(`device pool '${name}': callManagerGroup lists 1 to 3 nodes`);
      return {
        name,
        callManagerGroup: group.map((g) => {
          const n = lab.node(String(g));
          if (!n) throw new TopologyError(`device pool '${name}': '${g}' is not a node of the cluster`);
          return n.name;
        }),
      };
    });
    if (new Set(pools.map((p) => p.name.toLowerCase())).size !== pools.length) throw new TopologyError('device pool names must be unique');
  }
  const phones: PhoneState[] = [];
  if (spec?.phones) {
    if (!Array.isArray(spec.phones)) throw new TopologyError('phones must be a list');
    for (const ps of spec.phones as PhoneSpec[]) {
      const name = normalizeMac(String(ps?.mac ?? ''));
      if (!name) throw new TopologyError(`phone mac '${ps?.mac}' is not 12 hex digits (optionally after SEP)`);
      if (phones.some((p) => p.name === name)) throw new TopologyError(`phone ${name} is listed twice`);
      const model = String(ps.model ?? '8845');
      const pool = pools.find((p) => p.name.toLowerCase() === String(ps.devicePool ?? pools[0].name).toLowerCase());
      if (!pool) throw new TopologyError(`phone ${name}: unknown device pool '${ps.devicePool}'`);
      phones.push(newPhone(lab, name, model, pool, ps.description ? String(ps.description) : `Phone ${name}`, ps.tftp));
    }
  } else {
    DEFAULT_PHONES.forEach((d, i) => {
      const pool = pools[Math.min(d.pool, pools.length - 1)];
      phones.push(newPhone(lab, 'SEP' + macFor(i, d.model), d.model, pool, d.description));
    });
  }
  return { devicePools: pools, phones, blobs: {} };
}

/**
 * Called once when a lab is created: remembers the topology (for the lab console's reset-lab),
 * creates the fleet and boots every phone once, so each installs its TFTP server's ITL.
 */
export function initFleet(lab: Lab, topo: Topology): void {
  lab.state.ext.origin = JSON.parse(JSON.stringify(topo));
  const f = buildFleet(lab, topo);
  lab.state.ext.phones = f;
  for (const p of f.phones) bootPhone(lab, p);
}

// ---------------------------------------------------------------- lookups

export function findPhone(lab: Lab, text: string): PhoneState | undefined {
  const name = normalizeMac(text);
  if (!name) return undefined;
  return fleet(lab).phones.find((p) => p.name === name);
}

export function findPool(lab: Lab, text: string): DevicePoolSpec | undefined {
  return fleet(lab).devicePools.find((p) => p.name.toLowerCase() === text.toLowerCase());
}

/** `all`, a device pool name, or a phone (SEP name or MAC). */
export function selectPhones(lab: Lab, target: string): { phones: PhoneState[]; label: string } | { error: string } {
  const f = fleet(lab);
  if (target.toLowerCase() === 'all') return { phones: [...f.phones], label: 'all phones' };
  const pool = findPool(lab, target);
  if (pool) return { phones: f.phones.filter((p) => p.devicePool === pool.name), label: `device pool ${pool.name}` };
  const phone = findPhone(lab, target);
  if (phone) return { phones: [phone], label: phone.name };
  return { error: `No phone or device pool named '${target}' (see 'phones list' and 'pools list').` };
}

export function targetNames(lab: Lab): string[] {
  const f = fleet(lab);
  return ['all', ...f.devicePools.map((p) => p.name), ...f.phones.map((p) => p.name)];
}

export function poolOf(lab: Lab, p: PhoneState): DevicePoolSpec | undefined {
  return fleet(lab).devicePools.find((d) => d.name === p.devicePool);
}

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
  return key ? decoded(fleet(lab).blobs[key]) : undefined;
}

/** Installs (or, with undefined, erases) a trust list on a phone; unreferenced bytes are dropped. */
function setInstalled(lab: Lab, p: PhoneState, kind: 'ITL' | 'CTL', data: Buffer | undefined): void {
  const f = fleet(lab);
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

// ---------------------------------------------------------------- files the TFTP server offers

/** Splits a signed file into its parsed header and its body. */
export function parseSignedFile(buf: Buffer): { list: ParsedTrustList; body: Buffer } | undefined {
  if (buf.length < 10 || buf[0] !== 1 || buf[5] !== 2) return undefined;
  const hlen = buf.readUInt16BE(8);
  if (hlen > buf.length) return undefined;
  const r = parseTrustList(buf.subarray(0, hlen));
  if (!r.ok) return undefined;
  return { list: r.list, body: buf.subarray(hlen) };
}

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** The phone's configuration file as the TFTP service builds it from the database. */
export function configXml(lab: Lab, p: PhoneState): string {
  const pool = poolOf(lab, p);
  const group = (pool?.callManagerGroup ?? []).map((n) => lab.node(n)).filter((n): n is NodeState => !!n);
  const sip = p.model.startsWith('88');
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<device>',
    '<fullConfig>true</fullConfig>',
    `<deviceProtocol>${sip ? 'SIP' : 'SCCP'}</deviceProtocol>`,
    '<devicePool>',
    `<name>${esc(p.devicePool)}</name>`,
    '<callManagerGroup>',
    '<members>',
    ...group.flatMap((n, i) => [
      `<member priority="${i}">`,
      '<callManager>',
      `<name>${esc(n.name)}</name>`,
      `<processNodeName>${esc(lab.fqdn(n))}</processNodeName>`,
      '</callManager>',
      '</member>',
    ]),
    '</members>',
    '</callManagerGroup>',
    '</devicePool>',
    '<TVS>',
    '<members>',
    ...group.filter((n) => n.callmanager).flatMap((n, i) => [`<member priority="${i}">`, `<port>${TVS_PORT}</port>`, `<address>${n.ip}</address>`, '</member>']),
    '</members>',
    '</TVS>',
    `<loadInformation>${LOADS[p.model] ?? ''}</loadInformation>`,
    '<vendorConfig>',
    `<webAccess>${p.webAccess ? 0 : 1}</webAccess>`,
    '</vendorConfig>',
    `<versionStamp>${p.configVersion}</versionStamp>`,
    '</device>',
    '',
  ];
  return lines.join('\n');
}

function parseConfig(xml: string, signer: string): AppliedConfig {
  const tvsBlock = /<TVS>([\s\S]*?)<\/TVS>/.exec(xml)?.[1] ?? '';
  return {
    version: Number(/<versionStamp>(\d+)<\/versionStamp>/.exec(xml)?.[1] ?? 0),
    devicePool: /<devicePool>\s*<name>([^<]*)<\/name>/.exec(xml)?.[1] ?? '',
    tvs: [...tvsBlock.matchAll(/<address>([^<]*)<\/address>/g)].map((m) => m[1]),
    webAccess: /<webAccess>(\d)<\/webAccess>/.exec(xml)?.[1] !== '1',
    signer,
  };
}

/** SEP<MAC>.cnf.xml.sgn: the configuration signed with the TFTP node's CallManager key. */
export function signedConfig(lab: Lab, node: NodeState, p: PhoneState): Buffer {
  const c = node.certs.CallManager;
  return buildTrustList({
    filename: `${p.name}.cnf.xml`,
    timestamp: Math.floor(lab.nowMs() / 1000),
    signer: signerFrom(certView(c.certPem), c.keyPem),
    records: [],
    body: Buffer.from(configXml(lab, p), 'utf8'),
  });
}

/**
 * What a node's TFTP service answers for a file name: per-phone trust list names map to the node's
 * ITLFile.tlv / CTLFile.tlv, configuration files are built for phones of the cluster, anything else
 * comes from the TFTP directory (never the ITLRecovery key bag).
 */
export function resolveTftpFile(lab: Lab, node: NodeState, filename: string): Buffer | undefined {
  const name = filename.replace(/^\/+/, '');
  const per = /^(ITL|CTL)(SEP[0-9A-Fa-f]{12})\.tlv$/i.exec(name);
  if (per) {
    if (!findPhone(lab, per[2])) return undefined;
    return lab.readTftp(node, per[1].toUpperCase() === 'ITL' ? 'ITLFile.tlv' : 'CTLFile.tlv');
  }
  const cfg = /^(SEP[0-9A-Fa-f]{12})\.cnf\.xml(\.sgn)?$/i.exec(name);
  if (cfg) {
    const p = findPhone(lab, cfg[1]);
    if (!p) return undefined;
    return cfg[2] ? signedConfig(lab, node, p) : Buffer.from(configXml(lab, p), 'utf8');
  }
  if (/\.p12$/i.test(name) || name.includes('/')) return undefined;
  return lab.readTftp(node, name);
}

/** Whether a node answers TFTP requests at all. */
export function tftpServing(lab: Lab, node: NodeState): boolean {
  return node.up && lab.serviceRunning(node, TFTP);
}

// ---------------------------------------------------------------- TVS

/** The certificates a node's TVS can vouch for: the database's certificate table. */
export function tvsStore(node: NodeState): string[] {
  const out: string[] = [];
  for (const [unit, c] of Object.entries(node.certs)) out.push(unit === 'CallManager' ? (node.dbCallManagerPem ?? c.certPem) : c.certPem);
  // the trust store includes Phone-SAST-trust (the eTokens of a CTL made with the CTL Client)
  out.push(...Object.values(node.trust));
  return out;
}

function sha1hex(b: Buffer): string {
  return createHash('sha1').update(b).digest('hex');
}

// ---------------------------------------------------------------- boot sequence

const TZ_FMT = new Map<string, Intl.DateTimeFormat>();
function clockText(us: number, tz: string): string {
  let f = TZ_FMT.get(tz);
  if (!f) {
    try {
      f = new Intl.DateTimeFormat('en-US', { timeZone: tz, hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });
    } catch {
      f = new Intl.DateTimeFormat('en-US', { timeZone: 'UTC', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });
    }
    TZ_FMT.set(tz, f);
  }
  const ms = Math.floor(us / 1000);
  const parts: Record<string, string> = {};
  for (const x of f.formatToParts(new Date(ms))) parts[x.type] = x.value;
  const micro = String(Math.floor(us % 1_000_000)).padStart(6, '0');
  return `${parts.hour}:${parts.minute}:${parts.second}.${micro}`;
}

/** hh:mm:ss of a lab time in the lab's time zone, as a phone shows it. */
export function statusTime(lab: Lab, ms: number): string {
  return clockText(ms * 1000, lab.state.timezone).slice(0, 8);
}

type Verdict = { ok: true; signer: string } | { ok: false };

interface SignerQuery {
  /** the certificate the file carries for its signer (trust lists), if any */
  der?: Buffer;
  serial: Buffer;
  issuer: string;
  subject: string;
}

const SIGNING_ROLES = new Set<number>([Role.SAST, Role.TFTP, Role.CCM_TFTP]);

function recordKey(r: ParsedRecord): KeyObject | undefined {
  try {
    if (r.publicKey) return publicKeyFromPkcs1(r.publicKey);
    if (r.certificate) return new X509Certificate(r.certificate).publicKey;
  } catch {
    return undefined;
  }
  return undefined;
}

function findSigner(list: ParsedTrustList | undefined, q: SignerQuery): ParsedRecord | undefined {
  if (!list) return undefined;
  const hash = q.der ? createHash('sha1').update(q.der).digest() : undefined;
  return list.records.find((r) => {
    if (r.func === undefined || !SIGNING_ROLES.has(r.func)) return false;
    if (r.serial && r.serial.equals(q.serial) && (r.issuerName === undefined || r.issuerName === q.issuer)) return true;
    if (hash && r.certificate && createHash('sha1').update(r.certificate).digest().equals(hash)) return true;
    if (hash && r.certHash && r.certHash.equals(hash)) return true;
    return false;
  });
}

/** One run of the phone's firmware: writes the console log and status messages as it goes. */
class PhoneRun {
  readonly sbd: boolean;
  refused = false;
  constructor(
    readonly lab: Lab,
    readonly p: PhoneState,
  ) {
    this.sbd = supportsSbd(p.model);
    const start = lab.nowMs() * 1000 + 1_500_000;
    if (p.clockUs < start) p.clockUs = start;
  }

  private step(): number {
    // deterministic spacing between log lines: 0.6 to 12 ms
    const h = createHash('sha1').update(`${this.p.name}:${this.p.logSeq}`).digest();
    return 600 + (h.readUInt16BE(0) % 11400);
  }

  log(text: string, sev: 'NOT' | 'ERR' = 'NOT'): void {
    const p = this.p;
    p.clockUs += this.step();
    p.logSeq += 1;
    p.log.push(`${p.logSeq}: ${sev} ${clockText(p.clockUs, this.lab.state.timezone)} ${text}`);
    if (p.log.length > MAX_LOG) p.log.splice(0, p.log.length - MAX_LOG);
  }

  status(text: string): void {
    const p = this.p;
    p.statusMessages.push({ at: Math.floor(p.clockUs / 1000), text });
    if (p.statusMessages.length > MAX_STATUS) p.statusMessages.splice(0, p.statusMessages.length - MAX_STATUS);
  }

  tftpNode(): NodeState | undefined {
    return this.lab.node(this.p.tftpNode);
  }

  /** A TFTP read from the phone's server; undefined when not found, null when the server does not answer. */
  tftpGet(file: string, sizeLimit?: number): Buffer | undefined | null {
    const node = this.tftpNode();
    const p = this.p;
    p.tftpSeq = (p.tftpSeq % 99) + 1;
    const id = p.tftpSeq;
    const ip = node?.ip ?? p.tftpNode;
    this.log(`TFTP: [${id}]:Requesting ${file} from ${ip}${sizeLimit ? ` with size limit of ${sizeLimit}` : ''}`);
    if (!node || !tftpServing(this.lab, node)) {
      this.log(`TFTP: [${id}]:Timeout --> no response from ${ip}`, 'ERR');
      return null;
    }
    const data = resolveTftpFile(this.lab, node, file);
    if (!data) {
      this.log(`TFTP: [${id}]:Error --> File not found`, 'ERR');
      return undefined;
    }
    this.log(`TFTP: [${id}]:Finished --> rcvd ${data.length} bytes`);
    return data;
  }

  // ---------------------------------------------------------- TVS

  /** Asks the phone's TVS servers about a certificate; returns the certificate PEM it vouched for. */
  askTvs(q: SignerQuery, itl: ParsedTrustList, ctlPresent: boolean): string | undefined {
    const lab = this.lab;
    const p = this.p;
    const now = lab.nowMs();
    this.log('SECD: processTvsClntReq: TVS Certificate Authentication request');
    if (q.der) {
      const h = sha1hex(q.der);
      const hit = p.tvsCache.find((e) => e.sha1 === h && e.until > now);
      if (hit) {
        this.log('SECD: lookupAuthCertTvsCacheEntry: Matching entry found at cache');
        return new X509Certificate(q.der).toString();
      }
    }
    this.log('SECD: lookupAuthCertTvsCacheEntry: No matching entry found at cache');
    const servers = p.applied?.tvs.length ? p.applied.tvs : (poolOf(lab, p)?.callManagerGroup ?? []).map((n) => lab.node(n)?.ip ?? n);
    if (servers.length === 0) {
      this.log('SECD: EROR:getTvsServerInfo: No TVS server configured', 'ERR');
      return undefined;
    }
    this.log('SECD: processTvsClntReq: No server sock exists, must be created');
    this.log('SECD: secReq_initClient: clnt sock fd 11 bound to </tmp/secClnt_sec>');
    this.log('SECD: getTvsServerInfo: Phone in IPv4 only mode');
    this.log('SECD: getTvsServerInfo: Retrieiving IPv4 address');
    for (const addr of servers.slice(0, 3)) {
      const node = lab.node(addr);
      if (!node || !node.up || !lab.serviceRunning(node, TVS)) {
        this.log(`SECD: EROR:connectToTvsServer: Failed to connect to the TVS server: IP:${addr}, port:${TVS_PORT} (default)`, 'ERR');
        continue;
      }
      this.log(
        `SECD: connectToTvsServer: Successfully started a TLS connection establishment to the TVS server: IP:${addr}, port:${TVS_PORT} (default); Waiting for it to get connected.`,
      );
      this.log('SECD: srvr_cert_vfy: Server Certificate Validation needs to be done');
      const presented = certView(node.tvsPresented ?? node.certs.TVS.certPem);
      if (ctlPresent) this.log('SECD: findByIssuerAndSerialAndRoleInTL: Searching TL from CTL file');
      this.log('SECD: findByIssuerAndSerialAndRoleInTL: Searching TL from ITL file');
      const rec = itl.records.find((r) => r.func === Role.TVS && r.serial?.equals(presented.serial) && (r.issuerName === undefined || r.issuerName === presented.issuer));
      if (!rec) {
        this.log(`SECD: EROR:tvs_cert_vfy: TVS cert not found in TL, <${addr}>`, 'ERR');
        continue;
      }
      const hash = rec.certHash ?? (rec.certificate ? createHash('sha1').update(rec.certificate).digest() : undefined);
      if (!hash || !hash.equals(presented.sha1)) {
        this.log('SECD: EROR:verifyCertWithHashFromTL: cert hash and hash in TL DO NOT MATCH', 'ERR');
        this.log(`SECD: EROR:tvs_cert_vfy: TVS cert verification failed, <${addr}>`, 'ERR');
        continue;
      }
      this.log('SECD: verifyCertWithHashFromTL: cert hash and hash in TL MATCH');
      this.log(`SECD: tvs_cert_vfy: TVS cert verified with hash from TL, <${addr}>`);
      this.log('SECD: sendTvsClientReqToSrvr: Authenticate Certificate : request sent to TVS server - waiting for response');
      const found = this.tvsLookup(node, q);
      this.log(`SECD: processTvsSrvrResponse: Authentication Response received, status : ${found ? 0 : 1}`);
      if (found) {
        const v = certView(found);
        p.tvsCache = p.tvsCache.filter((e) => e.until > now && e.sha1 !== v.sha1.toString('hex'));
        p.tvsCache.push({ sha1: v.sha1.toString('hex'), until: now + TVS_TTL_S * 1000 });
        this.log(`SECD: saveCertToTvsCache: Saving certificate in TVS cache with default time-to-live value: ${TVS_TTL_S} seconds`);
        return found;
      }
    }
    return undefined;
  }

  private tvsLookup(node: NodeState, q: SignerQuery): string | undefined {
    const want = q.der ? sha1hex(q.der) : undefined;
    for (const pem of tvsStore(node)) {
      let v;
      try {
        v = certView(pem);
      } catch {
        continue;
      }
      if (want ? v.sha1.toString('hex') === want : v.serial.equals(q.serial) && v.issuer === q.issuer) return pem;
    }
    return undefined;
  }

  // ---------------------------------------------------------- verification

  /** Decides whether a downloaded file is signed by someone the phone trusts. */
  verify(kind: 'CTL' | 'ITL' | 'CONFIG', buf: Buffer, list: ParsedTrustList, cfgPath?: string): Verdict {
    const { itl, ctl, blank } = installedLists(this.lab, this.p);
    const effItl = itl && !blank ? itl : undefined;
    const own = kind === 'CONFIG' ? undefined : signerRecord(list);
    const q: SignerQuery = { der: own?.certificate, serial: list.signerSerial, issuer: list.caName, subject: list.signerName };
    const success = (): Verdict => {
      if (kind === 'CONFIG') this.log(`SECD: verifyFile: verify SUCCESS <${cfgPath}>`);
      else this.log(`SECD: validate_file_envelope: File sign verify SUCCESS; header length <${list.headerLength}>`);
      return { ok: true, signer: list.signerName };
    };
    const failure = (): Verdict => {
      if (kind === 'CONFIG') this.log(`SECD: EROR:verifyFile: verify FAILED <${cfgPath}>`, 'ERR');
      else this.log(`SECD: EROR:validate_file_envelope: File sign verify FAILED; header length <${list.headerLength}>`, 'ERR');
      return { ok: false };
    };
    if (kind === 'CONFIG' && blank && !ctl) {
      // the blank ITL of "Prepare Cluster for Rollback to pre 8.0": any signer is accepted
      return success();
    }
    if (kind !== 'CONFIG' && !effItl && !ctl) {
      // nothing to check against: the first trust list that is consistent with itself is trusted
      if (!verifyTrustList(buf, list)) return failure();
      return success();
    }
    if (ctl) this.log('SECD: findByIssuerAndSerialAndRoleInTL: Searching TL from CTL file');
    if (effItl) this.log('SECD: findByIssuerAndSerialAndRoleInTL: Searching TL from ITL file');
    const rec = findSigner(ctl, q) ?? findSigner(effItl, q);
    if (rec) {
      const key = recordKey(rec);
      return key && verifyTrustList(buf, list, key) ? success() : failure();
    }
    this.log(`SECD: EROR:validate_file_envelope: signer not in CTL/ITL <${list.signerName}>`, 'ERR');
    if (!this.sbd || !effItl) return failure();
    if (kind !== 'CONFIG' && !q.der) return failure();
    const vouched = this.askTvs(q, effItl, !!ctl);
    if (!vouched) return failure();
    return verifyTrustList(buf, list, certView(vouched).publicKey) ? success() : failure();
  }

  // ---------------------------------------------------------- steps

  /** Requests one trust list (per-phone name first, then the generic one) and installs it if trusted. */
  trustList(kind: 'CTL' | 'ITL'): 'ok' | 'absent' | 'timeout' {
    const p = this.p;
    let data: Buffer | undefined | null;
    for (const file of [`${kind}${p.name}.tlv`, `${kind}File.tlv`]) {
      this.log(`SECD: tlRequestFile: Request ${file}`);
      data = this.tftpGet(file);
      if (data === null) return 'timeout';
      if (data) break;
    }
    if (!data) return 'absent';
    const parsed = parseTrustList(data);
    if (!parsed.ok) {
      this.log(`SECD: EROR:validate_file_envelope: Invalid ${kind} file, ${parsed.error}`, 'ERR');
      this.refuseTrustList();
      return 'ok';
    }
    const verdict = this.verify(kind, data, parsed.list);
    if (!verdict.ok) {
      this.refuseTrustList();
      return 'ok';
    }
    const sum = fileChecksums(data).md5;
    const current = kind === 'ITL' ? p.itl : p.ctl;
    if (current !== sum) {
      setInstalled(this.lab, p, kind, data);
      this.log(`SECD: tlRequestFile: ${kind} file installed, ${data.length} bytes, md5 ${sum}`);
      this.status(`${kind} installed`);
    }
    return 'ok';
  }

  private refuseTrustList(): void {
    if (!this.refused) this.status('Trust List Update Failed');
    this.refused = true;
  }

  config(): 'applied' | 'refused' | 'timeout' | 'absent' {
    const p = this.p;
    const node = this.tftpNode();
    const ip = node?.ip ?? p.tftpNode;
    const xmlName = `${p.name}.cnf.xml`;
    const ram = `/usr/ram/${xmlName}`;
    const secure = !!(p.itl || p.ctl);
    this.log(`tftpClient: tftp request rcv'd from /usr/tmp/tftp, srcFile = ${xmlName}, dstFile = ${ram} max size = ${CFG_SIZE_LIMIT}`);
    this.log(`tftpClient: auth server - tftpList[0] = ::ffff:${ip}`);
    this.log('tftpClient: look up server - 0');
    if (!secure) {
      this.log('SECD: lookupCTL: TFTP SRVR not secure');
      this.log('tftpClient: retval = SRVR_NOT_SECURE');
      const data = this.tftpGet(xmlName, CFG_SIZE_LIMIT);
      if (data === null) return 'timeout';
      if (!data) return 'absent';
      this.apply(data.toString('utf8'), '');
      return 'applied';
    }
    this.log('SECD: lookupCTL: TFTP SRVR secure');
    this.log('tftpClient: secVal = 0x9');
    this.log(`tftpClient: ::ffff:${ip} is a secure server`);
    this.log('tftpClient: retval = SRVR_SECURE');
    this.log('tftpClient: Secure file requested');
    this.log(`tftpClient: authenticated file approved - add .sgn -- ${xmlName}.sgn`);
    const data = this.tftpGet(`${xmlName}.sgn`, CFG_SIZE_LIMIT);
    if (data === null) return 'timeout';
    if (!data) return 'absent';
    const sf = parseSignedFile(data);
    if (!sf) {
      this.log(`SECD: EROR:verifyFile: verify FAILED <${ram}>`, 'ERR');
      this.status('File auth error');
      return 'refused';
    }
    const verdict = this.verify('CONFIG', data, sf.list, ram);
    if (!verdict.ok) {
      this.status('File auth error');
      return 'refused';
    }
    this.apply(sf.body.toString('utf8'), verdict.signer);
    return 'applied';
  }

  private apply(xml: string, signer: string): void {
    const cfg = parseConfig(xml, signer);
    const before = this.p.applied?.version;
    this.p.applied = cfg;
    if (before !== cfg.version) this.log(`cfgparse: configuration version ${cfg.version} applied`);
  }
}

/** Resets a phone: it reboots, forgets its TVS cache and runs the whole boot sequence. */
export function bootPhone(lab: Lab, p: PhoneState): TrustState {
  const run = new PhoneRun(lab, p);
  p.tvsCache = [];
  p.lastReset = lab.nowMs();
  const ctl = run.trustList('CTL');
  if (ctl === 'timeout') return unreachable(run);
  if (run.sbd) {
    const itl = run.trustList('ITL');
    if (itl === 'timeout') return unreachable(run);
  }
  const cfg = run.config();
  if (cfg === 'timeout') return unreachable(run);
  const { itl, ctl: ctlList, blank } = installedLists(lab, p);
  let state: TrustState;
  if (run.refused || cfg === 'refused') state = 'locked';
  else if (blank && !ctlList) state = 'any-signer';
  else if (!itl && !ctlList) state = 'non-secure';
  else state = 'trusted';
  p.trust = state;
  return state;
}

function unreachable(run: PhoneRun): TrustState {
  run.status('TFTP Timeout');
  run.p.trust = 'unreachable';
  return 'unreachable';
}

/** The manual key sequence on the phone: Settings > Security Configuration > Trust List > **# > Erase. */
export function eraseTrustList(lab: Lab, p: PhoneState, which: 'ITL' | 'CTL' | 'both'): void {
  const run = new PhoneRun(lab, p);
  if (which !== 'CTL' && p.itl) {
    setInstalled(lab, p, 'ITL', undefined);
    run.log('SECD: tlUserErase: ITL file erased by user');
  }
  if (which !== 'ITL' && p.ctl) {
    setInstalled(lab, p, 'CTL', undefined);
    run.log('SECD: tlUserErase: CTL file erased by user');
  }
}

/** The Directories button: an HTTPS request to the publisher's Tomcat, authenticated via CTL/ITL or TVS. */
export function pressDirectories(lab: Lab, p: PhoneState): boolean {
  const run = new PhoneRun(lab, p);
  const pub = lab.publisher();
  const ip = pub.ip;
  const url = `https://${ip}:8443/ccmcip/xmldirectory.jsp`;
  run.log(`JVM: Startup Module Loader|cip.dir.TandunDirectories:? - Directory url ${url}`);
  const fail = () => {
    run.log(`JVM: Startup Module Loader|cip.http.ae:? - listener.httpFailed: ${url}`, 'ERR');
    run.status('Host Not Found');
    return false;
  };
  if (!pub.up || !lab.serviceRunning(pub, 'Cisco Tomcat')) {
    run.log(`SECD: EROR:clpSetupSsl: TCP connect() failed, <${ip}>`, 'ERR');
    return fail();
  }
  run.log(`SECD: clpSetupSsl: Trying to connect to IPV4, IP: ${ip}, Port : 8443`);
  run.log(`SECD: clpSetupSsl: TCP connect() waiting, <${ip}> c:8 s:9 port: 8443`);
  run.log(`SECD: clpSetupSsl: TCP connected, <${ip}> c:8 s:9`);
  run.log(`SECD: clpSetupSsl: start SSL/TLS handshake, <${ip}> c:8 s:9`);
  run.log('SECD: srvr_cert_vfy: Server Certificate Validation needs to be done');
  const tomcat = certView(pub.certs.tomcat.certPem);
  const { itl, ctl, blank } = installedLists(lab, p);
  const effItl = itl && !blank ? itl : undefined;
  run.log('SECD: findByCertAndRoleInTL: Searching TL from CTL file');
  run.log('SECD: findByCertAndRoleInTL: Searching TL from ITL file');
  const inList = [ctl, effItl].some((l) => l?.records.some((r) => r.certificate && createHash('sha1').update(r.certificate).digest().equals(tomcat.sha1)));
  if (inList) {
    run.log(`JVM: Startup Module Loader|cip.http.ae:? - listener.httpSucceed: https://${ip}:8443/ccmcip/xmldirectoryinput.jsp?name=${p.name}`, 'ERR');
    return true;
  }
  run.log(`SECD: EROR:https_cert_vfy: HTTPS cert not in CTL, <${ip}>`, 'ERR');
  if (!run.sbd || !effItl) return fail();
  const ok = run.askTvs({ der: tomcat.der, serial: tomcat.serial, issuer: tomcat.issuer, subject: tomcat.subject }, effItl, !!ctl);
  if (!ok) return fail();
  run.log('SECD: Authenticated the HTTPS conn via TVS', 'ERR');
  run.log(`JVM: Startup Module Loader|cip.http.ae:? - listener.httpSucceed: https://${ip}:8443/ccmcip/xmldirectoryinput.jsp?name=${p.name}`, 'ERR');
  return true;
}

// ---------------------------------------------------------------- summaries

export interface PhoneSummary {
  name: string;
  model: string;
  devicePool: string;
  tftpNode: string;
  trust: TrustState;
  itlMd5?: string;
  ctlMd5?: string;
  serverItlMd5?: string;
  serverCtlMd5?: string;
  appliedVersion?: number;
  configVersion: number;
  lastStatus?: string;
}

export function summary(lab: Lab, p: PhoneState): PhoneSummary {
  const node = lab.node(p.tftpNode);
  return {
    name: p.name,
    model: p.model,
    devicePool: p.devicePool,
    tftpNode: p.tftpNode,
    trust: p.trust,
    itlMd5: p.itl,
    ctlMd5: p.ctl,
    serverItlMd5: node ? md5(lab.readTftp(node, 'ITLFile.tlv')) : undefined,
    serverCtlMd5: node ? md5(lab.readTftp(node, 'CTLFile.tlv')) : undefined,
    appliedVersion: p.applied?.version,
    configVersion: p.configVersion,
    lastStatus: p.statusMessages[p.statusMessages.length - 1]?.text,
  };
}

/** Follows a node rename: TFTP server and CallManager group references. */
export function renameNodeInFleet(lab: Lab, oldName: string, newName: string): void {
  const f = fleet(lab);
  for (const pool of f.devicePools) pool.callManagerGroup = pool.callManagerGroup.map((n) => (n === oldName ? newName : n));
  for (const p of f.phones) if (p.tftpNode === oldName) p.tftpNode = newName;
}

/** A change of the devices' configuration in the database (the TFTP service rebuilds their files). */
export function bumpConfig(phones: PhoneState[]): void {
  for (const p of phones) p.configVersion += 1;
}
