// What each service read at its last start and keeps using until it restarts: phones see a
// regenerated CallManager certificate once TVS and Tftp have restarted (seeds 000/003) and a new CTL
// once Tftp and CallManager have restarted on the node serving them (seeds 002/004). The files on
// disk (show itl, show ctl, file list tftp) may be newer.
//   Cisco Tftp: the ITL it built at its start, the CTL it read then, and the CallManager key pair
//     it signs configuration files with (the TFTP key of CallManager.pem, seeds 000/003).
//   Cisco CallManager: the certificate it presents and the cluster security mode it read.
//   Cisco Trust Verification Service: the certificate it presents and its own node's CallManager
//     certificate; certificates replicated from the other nodes and the certificates of the CTL on
//     disk reach it while it runs (change notification, and its CTL cache monitor in seeds 002/004).
//   Cisco Tomcat: the certificate HTTPS clients see.
import { createHash } from 'node:crypto';
import type { LabCore } from './core.js';
import type { NodeState, RunningServices } from './state.js';
import { CALLMANAGER, TFTP, TOMCAT, TVS } from './services.js';

function running(node: NodeState): RunningServices {
  return (node.running ??= {});
}

function keep(lab: LabCore, data: Buffer | undefined): string | undefined {
  if (!data) return undefined;
  const key = createHash('md5').update(data).digest('hex');
  (lab.state.loadedFiles ??= {})[key] = data.toString('base64');
  return key;
}

/** Drops loaded files no running Tftp refers to any more. */
function prune(lab: LabCore): void {
  const files = lab.state.loadedFiles;
  if (!files) return;
  const used = new Set<string>();
  for (const n of lab.nodes) for (const k of [n.running?.tftp?.itl, n.running?.tftp?.ctl]) if (k) used.add(k);
  for (const k of Object.keys(files)) if (!used.has(k)) delete files[k];
}

/** Cisco Tftp starts: it reads the trust files in its directory and the CallManager key pair. */
export function loadTftp(lab: LabCore, node: NodeState): void {
  const c = node.certs.CallManager;
  running(node).tftp = {
    itl: keep(lab, lab.readTftp(node, 'ITLFile.tlv')),
    ctl: keep(lab, lab.readTftp(node, 'CTLFile.tlv')),
    signer: { certPem: c.certPem, keyPem: c.keyPem },
  };
  prune(lab);
}

/** The running Tftp rebuilt its ITL without a restart (enterprise parameter change): it serves the new one. */
export function tftpRebuiltItl(lab: LabCore, node: NodeState, itl: Buffer): void {
  const t = node.running?.tftp;
  if (!t || !lab.serviceRunning(node, TFTP)) return;
  t.itl = keep(lab, itl);
  prune(lab);
}

/** Records what a service loads as it starts. */
export function loadService(lab: LabCore, node: NodeState, name: string): void {
  if (name === TFTP && node.tftp) loadTftp(lab, node);
  else if (name === CALLMANAGER) running(node).callmanager = { certPem: node.certs.CallManager.certPem, mixed: lab.state.params.clusterSecurityMode === 1 };
  else if (name === TVS) running(node).tvs = { certPem: node.certs.TVS.certPem, callManagerPem: node.dbCallManagerPem ?? node.certs.CallManager.certPem };
  else if (name === TOMCAT) running(node).tomcat = { certPem: node.certs.tomcat.certPem };
}

/** Every running service of a node loads what it uses (a new lab, a reboot). */
export function loadRunning(lab: LabCore, node: NodeState): void {
  for (const name of [TFTP, CALLMANAGER, TVS, TOMCAT]) if (lab.serviceRunning(node, name)) loadService(lab, node, name);
}

/**
 * The ITL or CTL the node's Tftp serves: what it loaded at its start. A lab made before services
 * kept what they loaded serves the files on disk.
 */
export function servedTrustFile(lab: LabCore, node: NodeState, kind: 'ITL' | 'CTL'): Buffer | undefined {
  const t = node.running?.tftp;
  const file = kind === 'ITL' ? 'ITLFile.tlv' : 'CTLFile.tlv';
  if (!t) return lab.readTftp(node, file);
  const key = kind === 'ITL' ? t.itl : t.ctl;
  if (!key) return undefined;
  const b64 = lab.state.loadedFiles?.[key];
  return b64 === undefined ? lab.readTftp(node, file) : Buffer.from(b64, 'base64');
}

/** The key pair the node's Tftp signs configuration files with. */
export function tftpSigner(node: NodeState): { certPem: string; keyPem: string } {
  return node.running?.tftp?.signer ?? node.certs.CallManager;
}

export function tvsPresented(node: NodeState): string {
  return node.running?.tvs?.certPem ?? node.certs.TVS.certPem;
}

/** The node's own CallManager certificate as its TVS knows it. */
export function tvsCallManager(node: NodeState): string {
  return node.running?.tvs?.callManagerPem ?? node.dbCallManagerPem ?? node.certs.CallManager.certPem;
}

export function tomcatPresented(node: NodeState): string {
  return node.running?.tomcat?.certPem ?? node.certs.tomcat.certPem;
}

/** What the running services of a node still use from before a change, for the lab console's status. */
export function staleNotes(lab: LabCore, node: NodeState): string[] {
  if (!node.up) return [];
  const out: string[] = [];
  const r = node.running ?? {};
  if (node.tftp && r.tftp && lab.serviceRunning(node, TFTP)) {
    const onDisk = (f: string) => {
      const d = lab.readTftp(node, f);
      return d ? createHash('md5').update(d).digest('hex') : undefined;
    };
    const itlDisk = onDisk('ITLFile.tlv');
    if (r.tftp.itl !== itlDisk) out.push(`Cisco Tftp serves the ITL it built at its last start until it restarts (${itlDisk ? 'ITLFile.tlv on disk differs' : 'ITLFile.tlv is not on disk any more'})`);
    const ctlDisk = onDisk('CTLFile.tlv');
    if (r.tftp.ctl !== ctlDisk) {
      if (!r.tftp.ctl) out.push('Cisco Tftp serves no CTL until it restarts (there was none at its last start; CTLFile.tlv is on disk now)');
      else out.push(`Cisco Tftp serves the CTL it read at its last start until it restarts (${ctlDisk ? 'CTLFile.tlv on disk differs' : 'CTLFile.tlv is not on disk any more'})`);
    }
    if (r.tftp.signer.certPem !== node.certs.CallManager.certPem) out.push('Cisco Tftp signs configuration files with the previous CallManager key until it restarts');
  }
  if (node.callmanager && r.callmanager && lab.serviceRunning(node, CALLMANAGER)) {
    if (r.callmanager.certPem !== node.certs.CallManager.certPem) out.push('Cisco CallManager presents its previous certificate until it restarts');
    if (r.callmanager.mixed !== (lab.state.params.clusterSecurityMode === 1)) out.push(`Cisco CallManager runs in ${r.callmanager.mixed ? 'mixed' : 'non-secure'} mode until it restarts`);
  }
  if (node.callmanager && r.tvs && lab.serviceRunning(node, TVS)) {
    if (r.tvs.certPem !== node.certs.TVS.certPem) out.push('TVS presents its previous certificate until it restarts');
    if (r.tvs.callManagerPem !== (node.dbCallManagerPem ?? node.certs.CallManager.certPem)) out.push("TVS knows only this node's previous CallManager certificate until it restarts");
  }
  if (r.tomcat && lab.serviceRunning(node, TOMCAT) && r.tomcat.certPem !== node.certs.tomcat.certPem) out.push('Cisco Tomcat presents its previous certificate until it restarts');
  return out;
}
