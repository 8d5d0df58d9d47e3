// The lab's state and the files beside it: change sets committed atomically, the simulated clock,
// node and service lookups, and the TFTP directories. The cluster operations take a LabCore.
import { AsyncLocalStorage } from 'node:async_hooks';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { Change, Store } from '../store.js';
import { restore, snapshot } from '../undo.js';
import { certView } from '../crypto/certs.js';
import { FreshKeys, KeySource, SeededKeys, privateKey } from '../crypto/keys.js';
import { ServiceState, findService, TFTP } from './services.js';
import type { LabState, NodeState } from './state.js';
import { STATE_FILE } from './labfile.js';

function tftpRel(node: string, file = ''): string {
  return join('nodes', node, 'tftp', file);
}

export class LabCore {
  private mutex: Promise<void> = Promise.resolve();
  /** the change running now, seen by code it calls (nested mutate() joins it) */
  private active = new AsyncLocalStorage<{ open: boolean }>();
  private pending = new Map<string, Buffer | null>();
  private listeners = new Set<() => void>();
  protected keys: KeySource;
  readonly store: Store;

  protected constructor(
    public state: LabState,
    store: Store,
  ) {
    this.store = store;
    this.keys = state.seed !== undefined ? new SeededKeys(state.seed, state.counters) : new FreshKeys();
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
   * together; on failure (or a cancelled dialog) this change alone is rolled back. Changes run one at
   * a time per lab, so the rollback restores the state in place: every object a session holds (a
   * node, a service) stays the live one. A mutate() called from inside a change joins that change.
   */
  async mutate<T>(fn: () => Promise<T> | T): Promise<T> {
    const outer = this.active.getStore();
    if (outer?.open) return fn();
    const prev = this.mutex;
    let release!: () => void;
    this.mutex = new Promise<void>((r) => (release = r));
    await prev;
    const root = this.state;
    const before = snapshot(root);
    const token = { open: true };
    try {
      const result = await this.active.run(token, fn);
      token.open = false;
      this.flush();
      return result;
    } catch (e) {
      token.open = false;
      restore(before);
      this.state = root;
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
    return this.state.mtimes[`${node.name}/${file}`];
  }
  stageTftp(node: NodeState, file: string, data: Buffer | null): void {
    this.pending.set(tftpRel(node.name, file), data);
    const mt = this.state.mtimes;
    if (data === null) delete mt[`${node.name}/${file}`];
    else mt[`${node.name}/${file}`] = this.nowMs();
  }
}
