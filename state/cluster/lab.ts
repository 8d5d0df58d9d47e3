// The lab: a cluster built as a fresh CUCM install or opened from its folder. Commands and the lab
// console call the cluster operations as methods; each lives in the file of its subject beside this one.
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Store, ensurePrivateDir } from '../store.js';
import type { CertUnit } from '../crypto/certs.js';
import { createEtokens } from '../trust/ctl.js';
import { LabCore } from './core.js';
import { LabError, LabState, NodeState } from './state.js';
import { LAB_FORMAT, STATE_FILE, readLabFile } from './labfile.js';
import { Topology, defaultTopology } from './topology.js';
import { ServiceState, initialServices } from './services.js';
import { holdRemaining, itlRecoveryP12, ownUnits, rebuildTrustStore, RegenResult, regenerateCert, replaceItlRecovery, unitCert } from './certificates.js';
import { profileOfBuild, refusesTokenCtl, DEFAULT_PROFILE, SigningUnit } from './profile.js';
import { clusterCtl, distributeCtl, etokenCtl, writeItl } from './trustfiles.js';
import { resetItl, restartService, setPower, startService, stopService } from './lifecycle.js';
import { loadRunning } from './running.js';

export type { LabState, NodeState, ReplicationEvent } from './state.js';
export { LabError } from './state.js';

export interface CreateOptions {
  dir: string;
  topology?: Topology;
  seed?: number;
  clock?: string;
}

/** Fills the sections of a new lab that the layers above the cluster keep (state/labs.ts: the phone fleet). */
export type LabInit = (lab: Lab, topology: Topology) => void;

export class Lab extends LabCore {
  static exists(dir: string): boolean {
    return existsSync(join(dir, STATE_FILE));
  }

  /**
   * Builds a new lab as a fresh CUCM install would be: certificates, services, ITL per TFTP node.
   * `init` runs before the first commit, so the lab is written whole or not at all.
   */
  static async create(opts: CreateOptions, init?: LabInit): Promise<Lab> {
    const topo = opts.topology ?? defaultTopology();
    if (topo.ctl === 'etoken' && refusesTokenCtl(topo.version)) {
      throw new LabError(`CUCM ${topo.version} takes no eToken CTL: from 14SU3 the CTL Provider accepts tokenless CTLs only (utils ctl set-cluster mixed-mode)`);
    }
    ensurePrivateDir(opts.dir);
    const store = new Store(opts.dir);
    let simMs: number;
    if (opts.clock !== undefined) {
      simMs = Date.parse(opts.clock);
      if (Number.isNaN(simMs)) throw new LabError(`invalid --clock value '${opts.clock}' (use an ISO time such as 2025-01-06T09:00:00Z)`);
    } else if (opts.seed !== undefined) simMs = Date.parse('2025-01-06T09:00:00Z');
    else simMs = Date.now();
    simMs = Math.floor(simMs / 1000) * 1000;
    const fixed = opts.seed !== undefined || opts.clock !== undefined;
    const state: LabState = {
      format: LAB_FORMAT,
      name: topo.name,
      version: topo.version,
      // a build no profile knows (an older topology) runs as the default release
      profile: profileOfBuild(topo.version) ?? DEFAULT_PROFILE,
      domain: topo.domain,
      timezone: topo.timezone,
      subject: topo.subject,
      accounts: topo.accounts,
      params: { clusterSecurityMode: 0, rollbackToPre80: false },
      clock: { fixed, simMs, wallMs: Date.now() },
      seed: opts.seed,
      counters: { keys: 0, serials: 0 },
      createdAt: simMs,
      nodes: topo.nodes.map((n, i) => ({
        name: n.name,
        ip: n.ip,
        publisher: i === 0,
        tftp: n.tftp,
        callmanager: n.callmanager,
        up: true,
        capfTag: '',
        certs: {},
        services: initialServices({ publisher: i === 0, callmanager: n.callmanager, tftp: n.tftp }),
        trust: {},
        itlFromReset: false,
        pendingReplication: [],
        since: simMs,
      })),
      cli: { sessionTimeoutMin: 30 },
      mtimes: {},
      drsBackups: [],
    };
    if (topo.devicePools || topo.phones) state.topologyPhones = { devicePools: topo.devicePools, phones: topo.phones };
    // `this`: a subclass (state/labs.ts PackageLab) gets instances of its own class
    const lab = new this(state, store);
    // Key order is fixed before any await so seeded labs draw the same keys in any run.
    // the lab's own build may refine its profile (an 11.0 build has no tomcat-ECDSA)
    const prof = lab.profile;
    const jobs: Array<Promise<void>> = [];
    for (const node of state.nodes) {
      node.capfTag = lab.keys.serial().subarray(0, 4).toString('hex');
      for (const unit of ownUnits(prof, node)) {
        const { serial, key } = lab.drawUnitKey(unit, 'install');
        jobs.push(
          key.then((k) => {
            node.certs[unit] = unitCert(lab, node, unit, 'install', k, serial, new Date(simMs));
          }),
        );
      }
    }
    if (topo.ctl === 'etoken') {
      const serials = [lab.keys.serial(), lab.keys.serial(), lab.keys.serial()];
      const keys = [lab.keys.take(1024), lab.keys.take(1024), lab.keys.take(1024)];
      jobs.push(
        Promise.all(keys).then((k) => {
          state.etokens = createEtokens(k, serials, simMs);
        }),
      );
    }
    await Promise.all(jobs);
    // 12.5+: one ITLRecovery pair, made on the publisher and copied to every node (stated)
    if (prof.clusterItlRecovery) for (const node of state.nodes) if (!node.publisher) node.certs.ITLRecovery = { ...state.nodes[0].certs.ITLRecovery };
    const p12 = await lab.itlRecoveryP12();
    for (const node of state.nodes) lab.rebuildTrustStore(node);
    store.lock(`cucm-sim pid ${process.pid}`);
    for (const node of state.nodes) if (node.tftp) lab.writeItl(node);
    if (topo.ctl === 'etoken' && state.etokens) {
      state.params.clusterSecurityMode = 1;
      // the eToken certificates were uploaded as Phone-SAST-trust so TVS can vouch for them
      for (const node of state.nodes) for (const t of state.etokens.tokens) node.trust[`Phone-SAST-trust/${t.label}.pem`] = t.certPem;
      const ctl = etokenCtl(lab);
      for (const node of state.nodes) lab.stageTftp(node, 'CTLFile.tlv', ctl);
    }
    lab.stageTftp(lab.publisher(), 'ITLRecovery.p12', p12);
    // the services start with the certificates and trust files of the install
    for (const node of state.nodes) loadRunning(lab, node);
    // remembered for the lab console's reset-lab
    state.origin = JSON.parse(JSON.stringify(topo));
    init?.(lab, topo);
    lab.flush();
    return lab;
  }

  /** Opens an existing lab, finishing any interrupted change first. */
  static open(dir: string, owner = `cucm-sim pid ${process.pid}`): Lab {
    const store = new Store(dir);
    store.lock(owner);
    try {
      store.recover();
      const raw = store.read(STATE_FILE);
      if (!raw) throw new LabError(`no lab at ${dir}`);
      store.secure();
      const lab = new this(readLabFile(raw, dir), store);
      if (lab.settleServices()) lab.flush();
      else lab.readFrom(raw);
      return lab;
    } catch (e) {
      store.unlock();
      throw e;
    }
  }

  /**
   * A process that died during a service restart left the service STARTING or STOPPING: it ends as
   * the restart would have left it (started, with what a start does), or stopped on a node that is
   * down or when it was being stopped on purpose. Returns whether anything changed.
   */
  private settleServices(): boolean {
    let changed = false;
    for (const node of this.nodes) {
      for (const svc of node.services) {
        if (svc.status !== 'STARTING' && svc.status !== 'STOPPING') continue;
        changed = true;
        const stopping = svc.status === 'STOPPING' && svc.commandedOut;
        if (!node.up || !svc.activated || stopping) svc.status = 'STOPPED';
        else startService(this, node, svc);
      }
    }
    return changed;
  }

  static remove(dir: string): void {
    if (!existsSync(join(dir, STATE_FILE))) return;
    rmSync(dir, { recursive: true, force: true });
  }

  static readOwner(dir: string): string | undefined {
    try {
      return readFileSync(join(dir, 'lock.json'), 'utf8');
    } catch {
      return undefined;
    }
  }

  // ------------------------------------------------------------ trust files (trustfiles.ts)

  /** The node's ITL, signed by the release's ITL signer unless `signer` says otherwise. */
  writeItl(node: NodeState, signer?: SigningUnit): Buffer {
    return writeItl(this, node, signer);
  }
  /** The tokenless CTL; `signer` 'CallManager' is `utils ctl reset localkey` (12.0+). */
  buildCtl(signer?: SigningUnit): Buffer {
    return clusterCtl(this, signer);
  }
  distributeCtl(data: Buffer | null): { copied: NodeState[]; missed: NodeState[] } {
    return distributeCtl(this, data);
  }

  // ------------------------------------------------------------ certificates (certificates.ts)

  itlRecoveryP12(): Promise<Buffer> {
    return itlRecoveryP12(this);
  }
  holdRemaining(node: NodeState): number {
    return holdRemaining(this, node);
  }
  regenerateCert(node: NodeState, unit: CertUnit, opts: { holdTimer?: boolean } = {}): Promise<RegenResult> {
    return regenerateCert(this, node, unit, opts);
  }
  replaceItlRecovery(certPem: string, keyPemText: string): Promise<void> {
    return replaceItlRecovery(this, certPem, keyPemText);
  }
  rebuildTrustStore(node: NodeState): void {
    rebuildTrustStore(this, node);
  }

  // ------------------------------------------------------------ services and power (lifecycle.ts)

  restartService(node: NodeState, svc: ServiceState, opts: { keepResetItl?: boolean } = {}): void {
    restartService(this, node, svc, opts);
  }
  stopService(svc: ServiceState): void {
    stopService(svc);
  }
  startService(node: NodeState, svc: ServiceState): void {
    startService(this, node, svc);
  }
  resetItl(): NodeState[] {
    return resetItl(this);
  }
  setPower(node: NodeState, up: boolean): void {
    setPower(this, node, up);
  }
}
