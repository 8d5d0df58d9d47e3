// The cluster model: nodes, certificates, services, trust files, parameters and the simulated clock.
// Everything here is terminal-free; commands and the lab console call these methods.
import { mkdirSync, existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Store, StoreError, Change } from '../store.js';
import {
  CERT_UNITS,
  CertUnit,
  FreshKeys,
  KeySource,
  SeededKeys,
  StoredCert,
  buildPkcs12,
  certView,
  commonNameFor,
  issueSelfSigned,
  keyPem,
  p12Password,
  privateKey,
} from '../crypto/certs.js';
import { Topology, defaultTopology } from './topology.js';
import { ServiceState, initialServices, findService, TFTP, TVS, CALLMANAGER, CAPF } from './services.js';
import { buildItl, buildCtl, buildEtokenCtl, EtokenState, createEtokens } from '../trust/trustfiles.js';
import { initFleet } from '../phones/fleet.js';
import { createHash } from 'node:crypto';

export const HOLD_TIMER_MS = 5 * 60 * 1000;
export const LAB_FORMAT = 1;

export interface NodeState {
  name: string;
  ip: string;
  publisher: boolean;
  tftp: boolean;
  callmanager: boolean;
  up: boolean;
  /** short random tag in the CAPF subject (CAPF-xxxxxxxx) */
  capfTag: string;
  certs: Record<string, StoredCert>;
  /** sim-time of the last certificate regeneration on this node, for the hold timer */
  lastRegen?: { unit: string; at: number };
  services: ServiceState[];
  /** OS trust store, as replicated: key "<unit>-trust/<file>.pem" */
  trust: Record<string, string>;
  /** the certificate TVS presents to phones (changes when TVS restarts) */
  tvsPresented?: string;
  /** after `utils itl reset`, the copied ITL stays until the next ordinary Tftp restart */
  itlFromReset: boolean;
  /** the node's own domain when it differs from the cluster's (lab console `node domain`) */
  domain?: string;
  /**
   * The CallManager certificate the database still lists when it differs from CallManager.pem on
   * disk: a DRS restore without CallManager.pem (bug CSCtn50405). Cleared by regenerating CallManager.
   */
  dbCallManagerPem?: string;
  /** replication events missed while down */
  pendingReplication: ReplicationEvent[];
  /** when the node joined the cluster (for show network cluster) */
  since: number;
}

export type ReplicationEvent = { kind: 'trust'; key: string; pem: string | null } | { kind: 'ctl'; data: string | null };

export interface LabState {
  format: number;
  name: string;
  version: string;
  domain: string;
  timezone: string;
  subject: Topology['subject'];
  accounts: Topology['accounts'];
  params: {
    clusterSecurityMode: 0 | 1;
    rollbackToPre80: boolean;
  };
  clock: { fixed: boolean; simMs: number; wallMs: number };
  seed?: number;
  counters: { keys: number; serials: number };
  createdAt: number;
  nodes: NodeState[];
  etokens?: EtokenState;
  cli: { pagination: boolean; sessionTimeoutMin: number };
  /** per-account failed logins for SSH lockout */
  accountLock: { failures: number; lockedUntil: number };
  /** opaque sections owned by other parts (phones, lab console) */
  ext: Record<string, unknown>;
}

export class LabError extends Error {}

export interface CreateOptions {
  dir: string;
  topology?: Topology;
  seed?: number;
  clock?: string;
}

const STATE_FILE = 'lab.json';

function tftpRel(node: string, file = ''): string {
  return join('nodes', node, 'tftp', file);
}

export class Lab {
  private mutex: Promise<void> = Promise.resolve();
  private pending = new Map<string, Buffer | null>();
  private listeners = new Set<() => void>();
  private keys: KeySource;
  readonly store: Store;

  private constructor(
    public state: LabState,
    store: Store,
  ) {
    this.store = store;
    this.keys = state.seed !== undefined ? new SeededKeys(state.seed, state.counters) : new FreshKeys();
  }

  // ------------------------------------------------------------ lifecycle

  static exists(dir: string): boolean {
    return existsSync(join(dir, STATE_FILE));
  }

  /** Builds a new lab as a fresh CUCM install would be: certificates, services, ITL per TFTP node. */
  static async create(opts: CreateOptions): Promise<Lab> {
    const topo = opts.topology ?? defaultTopology();
    mkdirSync(opts.dir, { recursive: true });
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
      cli: { pagination: true, sessionTimeoutMin: 30 },
      accountLock: { failures: 0, lockedUntil: 0 },
      ext: {},
    };
    if (topo.devicePools || topo.phones) state.ext.topologyPhones = { devicePools: topo.devicePools, phones: topo.phones };
    const lab = new Lab(state, store);
    // Key order is fixed before any await so seeded labs draw the same keys in any run.
    const jobs: Array<Promise<void>> = [];
    for (const node of state.nodes) {
      node.capfTag = lab.keys.serial().subarray(0, 4).toString('hex');
      for (const unit of CERT_UNITS) {
        const serial = lab.keys.serial();
        const keyPromise = lab.keys.take(1024);
        jobs.push(
          keyPromise.then((key) => {
            node.certs[unit] = {
              unit,
              keyPem: keyPem(key),
              certPem: issueSelfSigned({
                commonName: commonNameFor(unit, lab.fqdn(node), node.capfTag),
                fields: state.subject,
                key,
                serial,
                notBefore: new Date(simMs),
                years: unit === 'ITLRecovery' ? 20 : 5,
                unit,
              }),
              description: 'Self-signed certificate generated by system',
            };
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
    for (const node of state.nodes) {
      node.tvsPresented = node.certs.TVS.certPem;
      lab.rebuildTrustStore(node);
    }
    store.lock(`cucm-sim pid ${process.pid}`);
    for (const node of state.nodes) if (node.tftp) lab.writeItl(node);
    if (topo.ctl === 'etoken' && state.etokens) {
      state.params.clusterSecurityMode = 1;
      // the eToken certificates were uploaded as Phone-SAST-trust so TVS can vouch for them
      for (const node of state.nodes) for (const t of state.etokens.tokens) node.trust[`Phone-SAST-trust/${t.label}.pem`] = t.certPem;
      const ctl = buildEtokenCtl(lab);
      for (const node of state.nodes) lab.stageTftp(node, 'CTLFile.tlv', ctl);
    }
    lab.stageTftp(lab.publisher(), 'ITLRecovery.p12', lab.itlRecoveryP12());
    initFleet(lab, topo);
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
      let state: LabState;
      try {
        state = JSON.parse(raw.toString('utf8'));
      } catch {
        throw new LabError(
          `The lab file ${join(dir, STATE_FILE)} is corrupted and cannot be read. Reset the lab with 'cucm-sim lab reset-lab --force' (or delete ${dir}) to start over.`,
        );
      }
      if (!state || state.format !== LAB_FORMAT || !Array.isArray(state.nodes) || state.nodes.length === 0) {
        throw new LabError(
          `The lab file ${join(dir, STATE_FILE)} is not a cucm-sim lab of a known format. Reset the lab with 'cucm-sim lab reset-lab --force' (or delete ${dir}) to start over.`,
        );
      }
      return new Lab(state, store);
    } catch (e) {
      store.unlock();
      throw e;
    }
  }

  close(): void {
    this.store.unlock();
  }

  // ------------------------------------------------------------ change management

  onChange(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /**
   * Runs a change with exclusive access. On success the state and staged files are committed
   * together; on failure (or a cancelled dialog) everything is rolled back.
   */
  async mutate<T>(fn: () => Promise<T> | T): Promise<T> {
    const prev = this.mutex;
    let release!: () => void;
    this.mutex = new Promise<void>((r) => (release = r));
    await prev;
    const snapshot = JSON.stringify(this.state);
    try {
      const result = await fn();
      this.flush();
      return result;
    } catch (e) {
      this.state = JSON.parse(snapshot);
      this.keys = this.state.seed !== undefined ? new SeededKeys(this.state.seed, this.state.counters) : new FreshKeys();
      this.pending.clear();
      throw e;
    } finally {
      release();
    }
  }

  /** Writes the state and every staged TFTP file as one atomic change set. */
  flush(): void {
    if (!this.state.clock.fixed) {
      this.state.clock.simMs = this.nowMs();
      this.state.clock.wallMs = Date.now();
    }
    const changes: Change[] = [];
    for (const [path, data] of this.pending) changes.push({ path, data });
    changes.push({ path: STATE_FILE, data: Buffer.from(JSON.stringify(this.state)) });
    this.pending.clear();
    this.store.commit(changes);
    for (const l of this.listeners) l();
  }

  // ------------------------------------------------------------ clock

  nowMs(): number {
    const c = this.state.clock;
    return c.fixed ? c.simMs : c.simMs + (Date.now() - c.wallMs);
  }
  now(): Date {
    return new Date(this.nowMs());
  }
  advanceClock(ms: number): void {
    this.state.clock.simMs = this.nowMs() + ms;
    this.state.clock.wallMs = Date.now();
  }

  // ------------------------------------------------------------ nodes

  get nodes(): NodeState[] {
    return this.state.nodes;
  }
  publisher(): NodeState {
    return this.state.nodes.find((n) => n.publisher) ?? this.state.nodes[0];
  }
  node(name: string): NodeState | undefined {
    const want = name.toLowerCase();
    return this.state.nodes.find((n) => n.name.toLowerCase() === want || this.fqdn(n).toLowerCase() === want || n.ip === name);
  }
  fqdn(node: NodeState): string {
    return `${node.name}.${node.domain ?? this.state.domain}`;
  }
  service(node: NodeState, name: string): ServiceState | undefined {
    return findService(node.services, name);
  }
  serviceRunning(node: NodeState, name: string): boolean {
    const s = findService(node.services, name);
    return !!s && node.up && s.activated && s.status === 'STARTED';
  }
  /** Nodes whose Tftp is activated and running: the "active Tftp servers" of the cluster. */
  activeTftpNodes(): NodeState[] {
    return this.state.nodes.filter((n) => n.tftp && this.serviceRunning(n, TFTP));
  }
  tvsNodes(): NodeState[] {
    return this.state.nodes.filter((n) => n.callmanager);
  }
  cert(node: NodeState, unit: string) {
    return certView(node.certs[unit].certPem);
  }
  /** The key that signs TFTP files on this node. */
  callManagerKey(node: NodeState) {
    return privateKey(node.certs.CallManager.keyPem);
  }

  // ------------------------------------------------------------ TFTP files

  tftpDir(node: NodeState): string {
    return join(this.store.dir, tftpRel(node.name));
  }
  /** Reads a file as the TFTP directory holds it now (staged changes first). */
  readTftp(node: NodeState, file: string): Buffer | undefined {
    const rel = tftpRel(node.name, file);
    if (this.pending.has(rel)) return this.pending.get(rel) ?? undefined;
    return this.store.read(rel);
  }
  listTftp(node: NodeState): string[] {
    const names = new Set(this.store.list(tftpRel(node.name)));
    for (const [rel, data] of this.pending) {
      const prefix = tftpRel(node.name) + '/';
      if (rel.startsWith(prefix)) {
        const f = rel.slice(prefix.length);
        if (data === null) names.delete(f);
        else names.add(f);
      }
    }
    return [...names].sort();
  }
  tftpMtime(node: NodeState, file: string): number | undefined {
    const m = (this.state.ext.mtimes as Record<string, number> | undefined)?.[`${node.name}/${file}`];
    return m;
  }
  stageTftp(node: NodeState, file: string, data: Buffer | null): void {
    this.pending.set(tftpRel(node.name, file), data);
    const mt = ((this.state.ext.mtimes as Record<string, number>) ??= {});
    if (data === null) delete mt[`${node.name}/${file}`];
    else mt[`${node.name}/${file}`] = this.nowMs();
  }

  // ------------------------------------------------------------ trust files

  writeItl(node: NodeState, signer: 'CallManager' | 'ITLRecovery' = 'CallManager'): Buffer {
    const itl = buildItl(this, node, signer);
    this.stageTftp(node, 'ITLFile.tlv', itl);
    return itl;
  }

  itlRecoveryP12(): Buffer {
    const pub = this.publisher();
    const c = pub.certs.ITLRecovery;
    const det = this.state.seed !== undefined ? `p12:${this.state.seed}:${certView(c.certPem).serialHex}` : undefined;
    return buildPkcs12(c.certPem, c.keyPem, p12Password(this.state.accounts.securityPassword), det);
  }

  // ------------------------------------------------------------ certificates

  async newKeyAndSerial(bits: 1024 | 2048) {
    const serial = this.keys.serial();
    const key = await this.keys.take(bits);
    return { serial, key };
  }

  /** Milliseconds left on the node's hold timer, or 0. */
  holdRemaining(node: NodeState): number {
    if (!node.lastRegen) return 0;
    const left = node.lastRegen.at + HOLD_TIMER_MS - this.nowMs();
    return left > 0 ? left : 0;
  }

  /** Replaces a unit's certificate and key (2048-bit as CUCM regenerates them). */
  async regenerateCert(node: NodeState, unit: CertUnit, opts: { holdTimer?: boolean } = {}): Promise<void> {
    const { serial, key } = await this.newKeyAndSerial(2048);
    node.certs[unit] = {
      unit,
      keyPem: keyPem(key),
      certPem: issueSelfSigned({
        commonName: commonNameFor(unit, this.fqdn(node), node.capfTag),
        fields: this.state.subject,
        key,
        serial,
        notBefore: this.now(),
        years: unit === 'ITLRecovery' ? 20 : 5,
        unit,
      }),
      description: 'Self-signed certificate generated by system',
    };
    if (opts.holdTimer !== false) node.lastRegen = { unit, at: this.nowMs() };
    if (unit === 'CallManager') delete node.dbCallManagerPem;
    this.rebuildTrustStore(node);
    this.replicateCert(node, unit);
    const affected = servicesForUnit(unit);
    for (const s of affected) {
      const svc = findService(node.services, s);
      if (svc && svc.activated) svc.needsRestart = true;
    }
    if (unit === 'ITLRecovery' && node.publisher) this.stageTftp(node, 'ITLRecovery.p12', this.itlRecoveryP12());
  }

  /** Installs an ITLRecovery pair fetched from elsewhere (utils itl reset remotekey). */
  replaceItlRecovery(certPem: string, keyPemText: string): void {
    const pub = this.publisher();
    pub.certs.ITLRecovery = { unit: 'ITLRecovery', certPem, keyPem: keyPemText, description: 'Self-signed certificate generated by system' };
    this.rebuildTrustStore(pub);
    this.replicateCert(pub, 'ITLRecovery');
    this.stageTftp(pub, 'ITLRecovery.p12', this.itlRecoveryP12());
  }

  /** The node's own trust units, as `show cert list trust` lists them. */
  rebuildTrustStore(node: NodeState): void {
    for (const n of this.state.nodes) {
      if (n !== node && !node.up) continue;
      this.applyTrustFrom(node, n);
    }
  }

  private applyTrustFrom(target: NodeState, source: NodeState): void {
    for (const [key, pem] of trustEntriesOf(source, this.fqdn(source))) target.trust[key] = pem;
  }

  /** A certificate change reaches every node that is up; the others catch up when powered on. */
  private replicateCert(source: NodeState, unit: string): void {
    void unit; // every entry of the source is re-sent: replication is idempotent
    const entries = trustEntriesOf(source, this.fqdn(source));
    for (const n of this.state.nodes) {
      for (const [key, pem] of entries) {
        if (n.up) n.trust[key] = pem;
        else n.pendingReplication.push({ kind: 'trust', key, pem });
      }
    }
  }

  /** Copies the CTL to every node; a node that is down gets it when it comes back. */
  distributeCtl(data: Buffer | null): { copied: NodeState[]; missed: NodeState[] } {
    const copied: NodeState[] = [];
    const missed: NodeState[] = [];
    for (const n of this.state.nodes) {
      if (n.up) {
        this.stageTftp(n, 'CTLFile.tlv', data);
        copied.push(n);
      } else {
        n.pendingReplication.push({ kind: 'ctl', data: data === null ? null : data.toString('base64') });
        missed.push(n);
      }
    }
    return { copied, missed };
  }

  buildCtl(): Buffer {
    return buildCtl(this);
  }

  /**
   * utils itl reset: the publisher's ITL re-signed with the ITLRecovery key, copied to every active
   * TFTP node, whose Tftp restarts keep it until their next ordinary restart.
   */
  resetItl(): NodeState[] {
    const targets = this.activeTftpNodes();
    const itl = buildItl(this, this.publisher(), 'ITLRecovery');
    for (const n of targets) {
      this.stageTftp(n, 'ITLFile.tlv', itl);
      const svc = findService(n.services, TFTP)!;
      this.restartService(n, svc, { keepResetItl: true });
    }
    return targets;
  }

  // ------------------------------------------------------------ services

  /** Stops and starts a service with the side effects CUCM has; returns the states it went through. */
  restartService(node: NodeState, svc: ServiceState, opts: { keepResetItl?: boolean } = {}): void {
    svc.status = 'STARTED';
    svc.commandedOut = false;
    svc.needsRestart = false;
    this.onServiceStarted(node, svc, opts);
  }

  stopService(svc: ServiceState): void {
    svc.status = 'STOPPED';
    svc.commandedOut = true;
  }

  startService(node: NodeState, svc: ServiceState): void {
    const wasStopped = svc.status !== 'STARTED';
    svc.status = 'STARTED';
    svc.commandedOut = false;
    if (wasStopped) {
      svc.needsRestart = false;
      this.onServiceStarted(node, svc, {});
    }
  }

  private onServiceStarted(node: NodeState, svc: ServiceState, opts: { keepResetItl?: boolean }): void {
    if (svc.name === TFTP && node.tftp) {
      if (opts.keepResetItl) node.itlFromReset = true;
      else {
        node.itlFromReset = false;
        this.writeItl(node, 'CallManager');
      }
    }
    if (svc.name === TVS) node.tvsPresented = node.certs.TVS.certPem;
  }

  // ------------------------------------------------------------ power

  setPower(node: NodeState, up: boolean): void {
    if (node.up === up) return;
    node.up = up;
    if (up) {
      for (const ev of node.pendingReplication) {
        if (ev.kind === 'trust') {
          if (ev.pem === null) delete node.trust[ev.key];
          else node.trust[ev.key] = ev.pem;
        } else this.stageTftp(node, 'CTLFile.tlv', ev.data === null ? null : Buffer.from(ev.data, 'base64'));
      }
      node.pendingReplication = [];
      for (const n of this.state.nodes) if (n !== node) this.applyTrustFrom(node, n);
      // a boot starts every service afresh
      for (const s of node.services) if (s.activated && !s.commandedOut) {
        s.status = 'STARTED';
        s.needsRestart = false;
        this.onServiceStarted(node, s, {});
      }
      node.since = this.nowMs();
    }
  }

  /** Services waiting for a restart, for status lines. */
  pendingRestarts(node: NodeState): string[] {
    return node.services.filter((s) => s.needsRestart).map((s) => s.name);
  }

  /** Hash of everything that affects output, for tests and caches. */
  fingerprint(): string {
    return createHash('sha1').update(JSON.stringify(this.state)).digest('hex');
  }

  /**
   * Takes over a freshly built lab's state and TFTP files in place (lab console `reset-lab`), so every
   * session holding this Lab sees the new cluster. Call inside mutate(); `fresh` can be closed after.
   */
  replaceWith(fresh: Lab): void {
    for (const n of this.state.nodes) for (const f of this.listTftp(n)) this.stageTftp(n, f, null);
    this.state = fresh.state;
    this.keys = fresh.keys;
    for (const n of this.state.nodes) for (const f of fresh.listTftp(n)) this.stageTftp(n, f, fresh.readTftp(n, f) ?? null);
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
}

/** Which services use a certificate unit (and so must restart after it changes). */
export function servicesForUnit(unit: string): string[] {
  switch (unit) {
    case 'CallManager':
      return [CALLMANAGER, TFTP, 'Cisco CTIManager'];
    case 'TVS':
      return [TVS];
    case 'CAPF':
      return [CAPF];
    case 'ITLRecovery':
      return [TFTP];
    case 'tomcat':
      return ['Cisco Tomcat'];
    default:
      return [];
  }
}

/** What a node contributes to every node's trust store. */
export function trustEntriesOf(node: NodeState, fqdn: string): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  const add = (unit: string, pem: string | undefined) => {
    if (pem) out.push([`${unit}-trust/${fqdn}.pem`, pem]);
  };
  add('CallManager', node.certs.CallManager?.certPem);
  add('tomcat', node.certs.tomcat?.certPem);
  add('ipsec', node.certs.ipsec?.certPem);
  add('TVS', node.certs.TVS?.certPem);
  if (node.certs.CAPF) out.push([`CallManager-trust/CAPF-${node.capfTag}.pem`, node.certs.CAPF.certPem]);
  if (node.certs.CAPF) out.push([`CAPF-trust/CAPF-${node.capfTag}.pem`, node.certs.CAPF.certPem]);
  if (node.publisher && node.certs.ITLRecovery) add('ITLRecovery', node.certs.ITLRecovery.certPem);
  return out;
}

export { StoreError };
