// The lab's state and the files beside it: change sets committed atomically, a burst of changes in
// one write; the simulated clock, node and service lookups, and the TFTP directories. The cluster
// operations take a LabCore.
import { AsyncLocalStorage } from 'node:async_hooks';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { Change, Store } from '../store.js';
import { restore, snapshot } from '../undo.js';
import { certView } from '../crypto/certs.js';
import { FreshKeys, KeySource, SeededKeys, privateKey } from '../crypto/keys.js';
import type { KeyObject } from 'node:crypto';
import { profileOf, VersionProfile } from './profile.js';
import { ServiceState, findService, TFTP } from './services.js';
import type { LabState, NodeState } from './state.js';
import { STATE_FILE } from './labfile.js';

function tftpRel(node: string, file = ''): string {
  return join('nodes', node, 'tftp', file);
}

/** A burst of changes is written this long after its last change: one write for many quick changes. */
const WRITE_DELAY_MS = 4;
/** A burst that never pauses (a script at fast pace) is still written this often: a crash loses less. */
const MAX_WAIT_MS = 100;

export class LabCore {
  private mutex: Promise<void> = Promise.resolve();
  /** the change running now, seen by code it calls (nested mutate() joins it) */
  private active = new AsyncLocalStorage<{ open: boolean }>();
  private pending = new Map<string, Buffer | null>();
  private listeners = new Set<() => void>();
  /** a change ran since the last write; `changing`: one is running, so the state is half done */
  private dirty = false;
  private changing = false;
  private closed = false;
  private timer?: ReturnType<typeof setTimeout>;
  /** when the first change not yet written ended (performance.now()) */
  private since = 0;
  /** a write the timer could not make (disk full, folder gone): the next change reports it */
  private failed?: Error;
  /** lab.json as last written (or read): a change that changed nothing writes nothing */
  private onDisk?: string;
  protected keys: KeySource;
  readonly store: Store;

  protected constructor(
    public state: LabState,
    store: Store,
  ) {
    this.store = store;
    this.keys = state.seed !== undefined ? new SeededKeys(state.seed, state.counters) : new FreshKeys();
  }

  /** Writes what is still waiting, then lets the lab go. */
  close(): void {
    this.flush();
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.store.unlock();
  }

  /** Records the lab.json just read, so that opening a lab writes nothing until it changes. */
  protected readFrom(raw: Buffer): void {
    this.onDisk = raw.toString('utf8');
  }

  // ------------------------------------------------------------ change management

  onChange(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /**
   * Runs a change with exclusive access. On success the state and staged files are written together
   * a few milliseconds later, with any changes that follow meanwhile (flush() writes at once); on
   * failure (or a cancelled dialog) this change alone is rolled back. Changes run one at a time per
   * lab, so the rollback restores the state in place: every object a session holds (a node, a
   * service) stays the live one. A mutate() called from inside a change joins that change.
   */
  async mutate<T>(fn: () => Promise<T> | T): Promise<T> {
    const outer = this.active.getStore();
    if (outer?.open) return fn();
    const prev = this.mutex;
    let release!: () => void;
    this.mutex = new Promise<void>((r) => (release = r));
    await prev;
    if (this.failed) {
      const e = this.failed;
      this.failed = undefined;
      release();
      throw e;
    }
    const root = this.state;
    const before = snapshot(root);
    // files staged by earlier changes not yet written survive this one's rollback
    const staged = new Map(this.pending);
    const token = { open: true };
    this.changing = true;
    let result: T;
    try {
      result = await this.active.run(token, fn);
      token.open = false;
      if (!this.dirty) this.since = performance.now();
      this.dirty = true;
    } catch (e) {
      token.open = false;
      restore(before);
      this.state = root;
      this.keys = this.state.seed !== undefined ? new SeededKeys(this.state.seed, this.state.counters) : new FreshKeys();
      this.pending = staged;
      throw e;
    } finally {
      this.changing = false;
      if (this.dirty && performance.now() - this.since >= MAX_WAIT_MS) this.writeNow();
      else if (this.dirty || this.pending.size) this.schedule();
      release();
    }
    // sessions and servers react to the change at once, whenever it reaches the disk
    for (const l of this.listeners) l();
    return result;
  }

  private schedule(): void {
    if (this.timer || this.closed) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      // a change under way reschedules when it ends; its half-done state is never written
      if (!this.closed) this.writeNow();
    }, WRITE_DELAY_MS);
  }

  /** flush() for the write path's own triggers: a failure is reported by the next change. */
  private writeNow(): void {
    try {
      this.flush();
    } catch (e) {
      this.failed = e as Error;
    }
  }

  /**
   * Writes the state and every staged TFTP file now, as one atomic change set; lab.json only when it
   * differs from what is on disk. Inside a change it does nothing.
   */
  flush(): void {
    // a change under way is half done: it schedules the write when it ends
    if (this.changing) return;
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    const changes: Change[] = [];
    for (const [path, data] of this.pending) changes.push({ path, data });
    let json = this.onDisk;
    if (this.dirty || json === undefined) {
      json = JSON.stringify(this.state);
      if (json !== this.onDisk) changes.push({ path: STATE_FILE, data: Buffer.from(json) });
    }
    // on failure everything stays waiting for the next write
    this.store.commit(changes);
    this.pending.clear();
    this.onDisk = json;
    this.dirty = false;
  }

  /**
   * Takes over a freshly built lab's state and TFTP files in place (lab console `reset-lab`), so every
   * session holding this Lab sees the new cluster. Call inside mutate(); `fresh` can be closed after.
   */
  replaceWith(fresh: LabCore): void {
    for (const n of this.state.nodes) for (const f of this.listTftp(n)) this.stageTftp(n, f, null);
    // the same state object, so a rollback and every session still work on the live one
    const live = this.state as unknown as Record<string, unknown>;
    for (const k of Object.keys(live)) delete live[k];
    Object.assign(live, fresh.state);
    this.keys = fresh.keys;
    for (const n of this.state.nodes) for (const f of fresh.listTftp(n)) this.stageTftp(n, f, fresh.readTftp(n, f) ?? null);
  }

  /** Hash of everything that affects output, for tests and caches. */
  fingerprint(): string {
    return createHash('sha1').update(JSON.stringify(this.state)).digest('hex');
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

  async newKeyAndSerial(bits: 1024 | 2048) {
    const serial = this.keys.serial();
    const key = await this.keys.take(bits);
    return { serial, key };
  }

  /** The release profile the lab runs (cluster/profile.ts). */
  get profile(): VersionProfile {
    return profileOf(this);
  }

  /**
   * The serial and key of a unit's next certificate, drawn at once in call order (seeded labs draw the
   * same keys in every run): the profile's RSA size at install or regeneration, its curve for -ECDSA.
   */
  drawUnitKey(unit: string, when: 'install' | 'regen'): { serial: Buffer; key: Promise<KeyObject> } {
    const p = this.profile;
    const serial = this.keys.serial();
    const key = unit.endsWith('-ECDSA') && p.ecdsa ? this.keys.takeEc(p.ecdsa.curve) : this.keys.take(p[when].rsaBits);
    return { serial, key };
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
  /** Services waiting for a restart, for status lines. */
  pendingRestarts(node: NodeState): string[] {
    return node.services.filter((s) => s.needsRestart).map((s) => s.name);
  }
  cert(node: NodeState, unit: string) {
    return certView(node.certs[unit].certPem);
  }
  /** The key that signs TFTP files on this node. */
  callManagerKey(node: NodeState) {
    return privateKey(node.certs.CallManager.keyPem);
  }

  // ------------------------------------------------------------ TFTP files

  /** The node's TFTP folder on disk, with every change made so far written to it. */
  tftpDir(node: NodeState): string {
    if (this.dirty || this.pending.size) this.flush();
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
    return this.state.mtimes[`${node.name}/${file}`];
  }
  stageTftp(node: NodeState, file: string, data: Buffer | null): void {
    this.pending.set(tftpRel(node.name, file), data);
    const mt = this.state.mtimes;
    if (data === null) delete mt[`${node.name}/${file}`];
    else mt[`${node.name}/${file}`] = this.nowMs();
  }
}
