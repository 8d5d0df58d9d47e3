// The trust files in the cluster's TFTP directories: each TFTP node's ITL, the CTL copied to every
// node, and the CTL Client run again with the hardware eTokens.
import { buildItl } from '../trust/itl.js';
import { buildCtl, buildEtokenCtl } from '../trust/ctl.js';
import type { TrustCluster } from '../trust/records.js';
import type { LabCore } from './core.js';
import { LabError, NodeState } from './state.js';
import { CALLMANAGER, CAPF, TFTP } from './services.js';
import { tftpRebuiltItl } from './running.js';
import type { SigningUnit } from './profile.js';

/** The cluster as the trust-file builders see it, now. */
export function trustCluster(lab: LabCore): TrustCluster {
  const pub = lab.publisher();
  return {
    publisher: pub,
    nodes: lab.nodes,
    mixed: lab.state.params.clusterSecurityMode === 1,
    rollbackToPre80: lab.state.params.rollbackToPre80,
    capfActive: !!lab.service(pub, CAPF)?.activated,
    nowMs: lab.nowMs(),
    ctlSigners: lab.profile.ctlSigners,
    itlSigner: lab.profile.itlSigner,
    tokenCtlUnits: lab.profile.tokenCtlUnits,
  };
}

/**
 * The node's Tftp builds its ITL: written to its directory, and served from now on if Tftp runs.
 * Signed by the release's ITL signer unless `signer` says otherwise.
 */
export function writeItl(lab: LabCore, node: NodeState, signer?: SigningUnit): Buffer {
  const itl = buildItl(trustCluster(lab), node, signer);
  lab.stageTftp(node, 'ITLFile.tlv', itl);
  tftpRebuiltItl(lab, node, itl);
  return itl;
}

/**
 * A tokenless CTL of the cluster as it is now, signed by the release's first SAST role, or by the
 * CallManager key (`utils ctl reset localkey`, 12.0+).
 */
export function clusterCtl(lab: LabCore, signer?: SigningUnit): Buffer {
  return buildCtl(trustCluster(lab), signer);
}

/** A CTL signed by the lab's hardware eTokens (labs created with `ctl: etoken`). */
export function etokenCtl(lab: LabCore): Buffer {
  return buildEtokenCtl(trustCluster(lab), lab.state.etokens!);
}

/**
 * Copies the CTL to every node; a node that is down gets it when it comes back. The running Tftp
 * services keep serving the CTL they read at their start until they restart.
 */
export function distributeCtl(lab: LabCore, data: Buffer | null): { copied: NodeState[]; missed: NodeState[] } {
  const copied: NodeState[] = [];
  const missed: NodeState[] = [];
  for (const n of lab.state.nodes) {
    if (n.up) {
      lab.stageTftp(n, 'CTLFile.tlv', data);
      copied.push(n);
    } else {
      n.pendingReplication.push({ kind: 'ctl', data: data === null ? null : data.toString('base64') });
      missed.push(n);
    }
  }
  return { copied, missed };
}

/**
 * The CTL Client plugin run again with the USB eTokens (labs created with `ctl: etoken`): a CTL from
 * the current certificates, signed by an eToken, copied to every node; Tftp and CallManager must restart.
 */
export function runCtlClient(lab: LabCore): { copied: NodeState[]; missed: NodeState[] } {
  if (!lab.state.etokens) throw new LabError("This lab has no USB eTokens: the CTL Client needs a lab created with 'ctl: etoken' in its topology.");
  lab.state.params.clusterSecurityMode = 1;
  const r = distributeCtl(lab, etokenCtl(lab));
  for (const n of lab.nodes) {
    for (const name of [TFTP, CALLMANAGER]) {
      const s = lab.service(n, name);
      if (s?.activated) s.needsRestart = true;
    }
  }
  return r;
}
