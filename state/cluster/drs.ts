// DRS backup and restore of the cluster (lab console `drs`): certificates and keys, trust stores,
// enterprise parameters and CTL files; a restore without CallManager.pem reproduces bug CSCtn50405.
import type { StoredCert } from '../crypto/certs.js';
import type { Lab } from './lab.js';
import { Backup, LabError, NodeState } from './state.js';
import { rebootServices } from './lifecycle.js';

export type { Backup, BackupNode } from './state.js';

const MAX_BACKUPS = 10;

export function backups(lab: Lab): Backup[] {
  return lab.state.drsBackups;
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
  lab.stageTftp(pub, 'ITLRecovery.p12', await lab.itlRecoveryP12());
  // after a restore every node is rebooted
  for (const n of lab.nodes) {
    for (const s of n.services) s.needsRestart = false;
    rebootServices(lab, n);
  }
  return { backup: b, mismatched };
}
