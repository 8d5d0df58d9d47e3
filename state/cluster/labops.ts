// Cluster operations the lab console performs outside the admin: CLI: hostname/domain changes,
// enterprise parameters, DRS backup and restore, rebuilding the whole lab. Terminal-free; callers run
// them inside lab.mutate().
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Lab, LabError, NodeState } from './lab.js';
import type { CertUnit, StoredCert } from '../crypto/certs.js';
import { defaultTopology, Topology } from './topology.js';
import { CALLMANAGER, TFTP } from './services.js';
import { buildEtokenCtl } from '../trust/trustfiles.js';
import { bumpConfig, fleet, renameNodeInFleet } from '../phones/fleet.js';

/** The units CUCM regenerates when a node's hostname or domain changes (ITLRecovery keeps its name). */
export const RENAME_UNITS: CertUnit[] = ['CallManager', 'TVS', 'CAPF', 'tomcat', 'ipsec'];

const HOST_RE = /^[a-zA-Z][a-zA-Z0-9-]{0,62}$/;
const DOMAIN_RE = /^[a-zA-Z0-9]([a-zA-Z0-9-]{0,62})(\.[a-zA-Z0-9]([a-zA-Z0-9-]{0,62}))*$/;

/** Restarts every service that was running, as a reboot does (Tftp rebuilds its ITL, TVS presents its certificate). */
export function rebootServices(lab: Lab, node: NodeState): void {
  if (!node.up) return;
  for (const s of node.services) if (s.activated && !s.commandedOut) lab.restartService(node, s);
}

/** Moves a node's TFTP files to follow its new name. */
function renameKeepingFiles(lab: Lab, node: NodeState, apply: () => void): void {
  const files = lab.listTftp(node).map((f) => ({ f, data: lab.readTftp(node, f) }));
  for (const { f } of files) lab.stageTftp(node, f, null);
  apply();
  for (const { f, data } of files) if (data) lab.stageTftp(node, f, data);
}

export interface RenameResult {
  node: NodeState;
  oldFqdn: string;
  newFqdn: string;
  units: CertUnit[];
}

async function regenerateForRename(lab: Lab, node: NodeState): Promise<void> {
  for (const unit of RENAME_UNITS) if (node.certs[unit]) await lab.regenerateCert(node, unit, { holdTimer: false });
  // a hostname change ends with a reboot of the server
  rebootServices(lab, node);
}

/** `set network hostname`: new name, every certificate regenerated at once, then a reboot. */
export async function changeHostname(lab: Lab, node: NodeState, newName: string): Promise<RenameResult> {
  if (!HOST_RE.test(newName)) throw new LabError(`'${newName}' is not a valid hostname (a letter, then letters, digits or '-', at most 63)`);
  const clash = lab.node(newName);
  if (clash && clash !== node) throw new LabError(`a node named '${newName}' already exists`);
  if (node.name === newName) throw new LabError(`${node.name} already has that hostname`);
  const oldFqdn = lab.fqdn(node);
  const oldName = node.name;
  renameKeepingFiles(lab, node, () => {
    const mt = lab.state.ext.mtimes as Record<string, number> | undefined;
    if (mt) for (const k of Object.keys(mt)) if (k.startsWith(`${oldName}/`)) delete mt[k];
    node.name = newName;
  });
  renameNodeInFleet(lab, oldName, newName);
  await regenerateForRename(lab, node);
  return { node, oldFqdn, newFqdn: lab.fqdn(node), units: RENAME_UNITS };
}

/** `set network domain` on one node. */
export async function changeDomain(lab: Lab, node: NodeState, domain: string): Promise<RenameResult> {
  if (!DOMAIN_RE.test(domain)) throw new LabError(`'${domain}' is not a valid domain name`);
  const oldFqdn = lab.fqdn(node);
  if ((node.domain ?? lab.state.domain) === domain) throw new LabError(`${node.name} is already in domain ${domain}`);
  if (domain === lab.state.domain) delete node.domain;
  else node.domain = domain;
  await regenerateForRename(lab, node);
  return { node, oldFqdn, newFqdn: lab.fqdn(node), units: RENAME_UNITS };
}

// ---------------------------------------------------------------- enterprise parameters

/**
 * "Prepare Cluster for Rollback to pre 8.0": the TFTP services rebuild their ITL at once (a blank,
 * signed ITL when True) and every device configuration changes. Returns the nodes that rebuilt.
 */
export function setRollbackToPre80(lab: Lab, value: boolean): NodeState[] {
  lab.state.params.rollbackToPre80 = value;
  const rebuilt: NodeState[] = [];
  for (const n of lab.activeTftpNodes()) {
    n.itlFromReset = false;
    lab.writeItl(n, 'CallManager');
    rebuilt.push(n);
  }
  bumpConfig(fleet(lab).phones);
  return rebuilt;
}

// ---------------------------------------------------------------- CTL Client (hardware eTokens)

/**
 * The CTL Client plugin run again with the USB eTokens (labs created with `ctl: etoken`): a CTL from
 * the current certificates, signed by an eToken, copied to every node; Tftp and CallManager must restart.
 */
export function runCtlClient(lab: Lab): { copied: NodeState[]; missed: NodeState[] } {
  if (!lab.state.etokens) throw new LabError("This lab has no USB eTokens: the CTL Client needs a lab created with 'ctl: etoken' in its topology.");
  lab.state.params.clusterSecurityMode = 1;
  const r = lab.distributeCtl(buildEtokenCtl(lab));
  for (const n of lab.nodes) {
    for (const name of [TFTP, CALLMANAGER]) {
      const s = lab.service(n, name);
      if (s?.activated) s.needsRestart = true;
    }
  }
  return r;
}

// ---------------------------------------------------------------- DRS

export interface BackupNode {
  name: string;
  domain?: string;
  capfTag: string;
  certs: Record<string, StoredCert>;
  dbCallManagerPem?: string;
  trust: Record<string, string>;
  ctl?: string;
}

export interface Backup {
  id: string;
  at: number;
  /** false: made by a release with bug CSCtn50405, CallManager.pem is not in it */
  callManagerPem: boolean;
  params: { clusterSecurityMode: 0 | 1; rollbackToPre80: boolean };
  nodes: BackupNode[];
}

const MAX_BACKUPS = 10;

export function backups(lab: Lab): Backup[] {
  return ((lab.state.ext.drsBackups as Backup[] | undefined) ??= []);
}

function stamp(ms: number): string {
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getUTCFullYear()}-${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate())}-${p(d.getUTCHours())}-${p(d.getUTCMinutes())}-${p(d.getUTCSeconds())}`;
}

/** A DRS backup of the cluster: certificates and keys, trust stores, parameters, CTL files. */
export function drsBackup(lab: Lab, opts: { callManagerPem?: boolean } = {}): Backup {
  const list = backups(lab);
  let id = stamp(lab.nowMs());
  for (let i = 2; list.some((b) => b.id === id); i++) id = `${stamp(lab.nowMs())}.${i}`;
  const withCm = opts.callManagerPem !== false;
  const b: Backup = {
    id,
    at: lab.nowMs(),
    callManagerPem: withCm,
    params: { ...lab.state.params },
    nodes: lab.nodes.map((n) => {
      const certs: Record<string, StoredCert> = {};
      for (const [u, c] of Object.entries(n.certs)) if (withCm || u !== 'CallManager') certs[u] = { ...c };
      const ctl = lab.readTftp(n, 'CTLFile.tlv');
      return {
        name: n.name,
        domain: n.domain,
        capfTag: n.capfTag,
        certs,
        // the database's certificate table always holds the CallManager certificate
        dbCallManagerPem: n.dbCallManagerPem ?? n.certs.CallManager.certPem,
        trust: { ...n.trust },
        ctl: ctl ? ctl.toString('base64') : undefined,
      };
    }),
  };
  list.push(b);
  if (list.length > MAX_BACKUPS) list.splice(0, list.length - MAX_BACKUPS);
  return b;
}

export interface RestoreResult {
  backup: Backup;
  /** nodes that came back with a CallManager certificate the database does not list */
  mismatched: NodeState[];
}

/**
 * Rebuilds the cluster and restores a backup onto it. The reinstall gives every node new keys; the
 * restore puts back what the backup holds. Without CallManager.pem (CSCtn50405, or `without
 * CallManager.pem` asked for explicitly) a node keeps the CallManager certificate of the reinstall
 * while the restored database still lists the old one, and its Tftp builds ITL files that do not verify
 * until CallManager is regenerated.
 */
export async function drsRestore(lab: Lab, id: string, opts: { callManagerPem?: boolean } = {}): Promise<RestoreResult> {
  const b = backups(lab).find((x) => x.id === id);
  if (!b) throw new LabError(`no backup '${id}' (see 'drs list')`);
  for (const bn of b.nodes) if (!lab.node(bn.name)) throw new LabError(`the backup is of node ${bn.name}, which is not in the cluster any more (restore needs the same hostnames)`);
  const withCm = b.callManagerPem && opts.callManagerPem !== false;
  const mismatched: NodeState[] = [];
  // the reinstall: fresh keys for every unit the backup cannot put back (all nodes first, so the
  // replication of the new certificates happens before the databases are restored)
  if (!withCm) for (const bn of b.nodes) await lab.regenerateCert(lab.node(bn.name)!, 'CallManager', { holdTimer: false });
  for (const bn of b.nodes) {
    const node = lab.node(bn.name)!;
    for (const [u, c] of Object.entries(bn.certs)) if (withCm || u !== 'CallManager') node.certs[u] = { ...c };
    node.capfTag = bn.capfTag;
    if (bn.domain) node.domain = bn.domain;
    else delete node.domain;
    node.trust = { ...bn.trust };
    delete node.lastRegen;
    node.itlFromReset = false;
    if (withCm) {
      if (bn.dbCallManagerPem && bn.dbCallManagerPem !== node.certs.CallManager.certPem) node.dbCallManagerPem = bn.dbCallManagerPem;
      else delete node.dbCallManagerPem;
    } else {
      node.dbCallManagerPem = bn.dbCallManagerPem;
      mismatched.push(node);
    }
    lab.stageTftp(node, 'CTLFile.tlv', bn.ctl ? Buffer.from(bn.ctl, 'base64') : null);
  }
  lab.state.params = { ...b.params };
  const pub = lab.publisher();
  lab.stageTftp(pub, 'ITLRecovery.p12', lab.itlRecoveryP12());
  // after a restore every node is rebooted
  for (const n of lab.nodes) {
    for (const s of n.services) s.needsRestart = false;
    rebootServices(lab, n);
  }
  return { backup: b, mismatched };
}

// ---------------------------------------------------------------- rebuilding the lab

/** The topology a lab was made from (recorded at creation), else one read back from its state. */
export function originTopology(lab: Lab): Topology {
  const o = lab.state.ext.origin as Topology | undefined;
  if (o && Array.isArray(o.nodes)) return JSON.parse(JSON.stringify(o));
  const t = defaultTopology();
  t.name = lab.state.name;
  t.version = lab.state.version;
  t.domain = lab.state.domain;
  t.timezone = lab.state.timezone;
  t.subject = { ...lab.state.subject };
  t.accounts = JSON.parse(JSON.stringify(lab.state.accounts));
  t.nodes = lab.nodes.map((n) => ({ name: n.name, ip: n.ip, tftp: n.tftp, callmanager: n.callmanager }));
  t.ctl = lab.state.etokens ? 'etoken' : 'none';
  return t;
}

/** Builds the lab again from its topology, with the same seed and start time, in place. */
export async function rebuildLab(lab: Lab): Promise<void> {
  const topology = originTopology(lab);
  const seed = lab.state.seed;
  const clock = lab.state.clock.fixed ? new Date(lab.state.createdAt).toISOString() : undefined;
  const dir = mkdtempSync(join(tmpdir(), 'cucm-sim-rebuild-'));
  try {
    const fresh = await Lab.create({ dir, topology, seed, clock });
    try {
      lab.replaceWith(fresh);
    } finally {
      fresh.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
