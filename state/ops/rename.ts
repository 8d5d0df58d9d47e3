// Hostname and domain changes of a node (lab console `node hostname` / `node domain`): every
// certificate is regenerated at once and the node reboots; the phone fleet follows a rename.
import type { CertUnit } from '../crypto/certs.js';
import { LabError, type Lab, type NodeState } from '../cluster/lab.js';
import { rebootServices } from '../cluster/lifecycle.js';
import { renameNodeInFleet } from '../phones/fleet.js';

/**
 * The units CUCM regenerates when a node's hostname or domain changes (ITLRecovery keeps its name),
 * those the node has under its release: the -ECDSA pair from 11.x, no CAPF on a 14+ subscriber.
 */
export const RENAME_UNITS: CertUnit[] = ['CallManager', 'TVS', 'CAPF', 'tomcat', 'ipsec', 'CallManager-ECDSA', 'tomcat-ECDSA'];

const HOST_RE = /^[a-zA-Z][a-zA-Z0-9-]{0,62}$/;
const DOMAIN_RE = /^[a-zA-Z0-9]([a-zA-Z0-9-]{0,62})(\.[a-zA-Z0-9]([a-zA-Z0-9-]{0,62}))*$/;

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

async function regenerateForRename(lab: Lab, node: NodeState): Promise<CertUnit[]> {
  const units = RENAME_UNITS.filter((u) => Object.hasOwn(node.certs, u));
  for (const unit of units) await lab.regenerateCert(node, unit, { holdTimer: false });
  // a hostname change ends with a reboot of the server
  rebootServices(lab, node);
  return units;
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
    const mt = lab.state.mtimes;
    for (const k of Object.keys(mt)) if (k.startsWith(`${oldName}/`)) delete mt[k];
    node.name = newName;
  });
  renameNodeInFleet(lab, oldName, newName);
  const units = await regenerateForRename(lab, node);
  return { node, oldFqdn, newFqdn: lab.fqdn(node), units };
}

/** `set network domain` on one node. */
export async function changeDomain(lab: Lab, node: NodeState, domain: string): Promise<RenameResult> {
  if (!DOMAIN_RE.test(domain)) throw new LabError(`'${domain}' is not a valid domain name`);
  const oldFqdn = lab.fqdn(node);
  if ((node.domain ?? lab.state.domain) === domain) throw new LabError(`${node.name} is already in domain ${domain}`);
  if (domain === lab.state.domain) delete node.domain;
  else node.domain = domain;
  const units = await regenerateForRename(lab, node);
  return { node, oldFqdn, newFqdn: lab.fqdn(node), units };
}
