// The phone fleet: the lab's IP phones and device pools, built from the topology when the lab is
// made, and picked by name, MAC or pool for the lab console.
import { createHash } from 'node:crypto';
import type { Lab, NodeState } from '../cluster/lab.js';
import type { Topology, DevicePoolSpec, PhoneSpec } from '../cluster/topology.js';
import { TopologyError } from '../cluster/topology.js';
import { FleetState, fleetOf, normalizeMac, phoneIn, PhoneState, TrustState } from './model.js';
import { md5 } from './trustlists.js';
import { servedFile } from './tftpfiles.js';
import { bootPhone } from './boot.js';

/** The lab's phone fleet (created on first use for labs made before phones existed). */
export function fleet(lab: Lab): FleetState {
  if (!lab.state.phones) {
    // a lab made before phones existed: the fleet boots once against the cluster as it is now
    const f = (lab.state.phones = buildFleet(lab, undefined));
    for (const p of f.phones) bootPhone(lab, p);
  }
  return fleetOf(lab);
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
  const spec = topo?.devicePools || topo?.phones ? topo : lab.state.topologyPhones;
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

/** Called once when a lab is created: creates the fleet and boots every phone once, so each installs its TFTP server's ITL. */
export function initFleet(lab: Lab, topo: Topology): void {
  const f = buildFleet(lab, topo);
  lab.state.phones = f;
  for (const p of f.phones) bootPhone(lab, p);
}

// ---------------------------------------------------------------- lookups

export function findPhone(lab: Lab, text: string): PhoneState | undefined {
  return phoneIn(fleet(lab), text);
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

/** What a node's TFTP service answers for a file name (see servedFile), for requests from outside the lab. */
export function resolveTftpFile(lab: Lab, node: NodeState, filename: string): Buffer | undefined {
  fleet(lab);
  return servedFile(lab, node, filename);
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
