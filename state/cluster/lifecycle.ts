// Services started, stopped and restarted, and nodes powered off and on, with what each start does:
// Tftp rebuilds its ITL (or keeps the one `utils itl reset` copied), and every service loads what it
// uses until its next start (running.ts).
import { buildItl } from '../trust/itl.js';
import type { LabCore } from './core.js';
import type { NodeState } from './state.js';
import { ServiceState, findService, TFTP } from './services.js';
import { trustCluster, writeItl } from './trustfiles.js';
import { catchUp } from './replication.js';
import { loadService } from './running.js';
import { recordServiceStart } from '../exercises/events.js';

/** Stops and starts a service with the side effects CUCM has. */
export function restartService(lab: LabCore, node: NodeState, svc: ServiceState, opts: { keepResetItl?: boolean } = {}): void {
  svc.status = 'STARTED';
  svc.commandedOut = false;
  svc.needsRestart = false;
  onServiceStarted(lab, node, svc, opts);
}

export function stopService(svc: ServiceState): void {
  svc.status = 'STOPPED';
  svc.commandedOut = true;
}

export function startService(lab: LabCore, node: NodeState, svc: ServiceState): void {
  const wasStopped = svc.status !== 'STARTED';
  svc.status = 'STARTED';
  svc.commandedOut = false;
  if (wasStopped) {
    svc.needsRestart = false;
    onServiceStarted(lab, node, svc, {});
  }
}

function onServiceStarted(lab: LabCore, node: NodeState, svc: ServiceState, opts: { keepResetItl?: boolean }): void {
  if (svc.name === TFTP && node.tftp) {
    if (opts.keepResetItl) node.itlFromReset = true;
    else {
      node.itlFromReset = false;
      writeItl(lab, node);
    }
  }
  loadService(lab, node, svc.name);
  recordServiceStart(lab, node.name, svc.name);
}

/** Restarts every service that was running, as a reboot does (each loads what it uses afresh). */
export function rebootServices(lab: LabCore, node: NodeState): void {
  if (!node.up) return;
  for (const s of node.services) if (s.activated && !s.commandedOut) restartService(lab, node, s);
}

/**
 * utils itl reset: the publisher's ITL re-signed with the other key than usual (before 12.0 the
 * ITLRecovery key, from 12.0 the publisher's CallManager key), copied to every active TFTP node, whose
 * Tftp restarts keep it until their next ordinary restart.
 */
export function resetItl(lab: LabCore): NodeState[] {
  const targets = lab.activeTftpNodes();
  const other = lab.profile.itlSigner === 'ITLRecovery' ? 'CallManager' : 'ITLRecovery';
  const itl = buildItl(trustCluster(lab), lab.publisher(), other);
  for (const n of targets) {
    lab.stageTftp(n, 'ITLFile.tlv', itl);
    const svc = findService(n.services, TFTP)!;
    restartService(lab, n, svc, { keepResetItl: true });
  }
  return targets;
}

export function setPower(lab: LabCore, node: NodeState, up: boolean): void {
  if (node.up === up) return;
  node.up = up;
  if (up) {
    catchUp(lab, node);
    // a boot starts every service afresh
    for (const s of node.services) if (s.activated && !s.commandedOut) {
      s.status = 'STARTED';
      s.needsRestart = false;
      onServiceStarted(lab, node, s, {});
    }
    node.since = lab.nowMs();
  }
}
