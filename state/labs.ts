// Where labs live and how a front end gets one: --data-dir, CUCM_SIM_HOME, or a per-user data folder;
// a new lab is the cluster with its phone fleet.
import { homedir } from 'node:os';
import { join } from 'node:path';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { CreateOptions, Lab, LabError, LabInit } from './cluster/lab.js';
import { defaultTopology, loadTopology, normalizeTopology, Topology } from './cluster/topology.js';
import { profileById, resolveVersion, VersionError } from './cluster/profile.js';
import type { KeySource } from './crypto/keys.js';
import type { LabState } from './cluster/state.js';
import { readLabFile, STATE_FILE } from './cluster/labfile.js';
import { initFleet } from './phones/fleet.js';
import { ensurePrivateDir, Store } from './store.js';

export interface LabOptions {
  dataDir?: string;
  lab?: string;
  seed?: number;
  clock?: string;
  topology?: string;
  /** node count or names, the publisher first (lab create) */
  nodes?: number | string[];
  /** the CUCM version profile of a new lab (`10.5`, `12.5`, ...): lab creation gives it its meaning */
  version?: string;
}

/** What lab creation reports while it works: keys are the slow part when they are fresh. */
export interface CreateProgress {
  /** how many steps there are: one per private key, one for the phones */
  start(total: number): void;
  step(detail: string): void;
}

/** A Lab whose key source reports each key as it arrives, while the lab is being built. */
function reportingLab(progress: CreateProgress) {
  return class ReportingLab extends Lab {
    private inner?: KeySource;
    constructor(state: LabState, store: Store) {
      super(state, store);
      const inner = this.keys;
      this.inner = inner;
      this.keys = {
        take: (bits) => inner.take(bits).then((k) => (progress.step(`${bits}-bit key`), k)),
        takeEc: (curve) => inner.takeEc(curve).then((k) => (progress.step(`${curve} key`), k)),
        serial: () => inner.serial(),
      };
    }
    /** back to the plain key source once the lab is built */
    quiet(): void {
      if (this.inner) this.keys = this.inner;
      this.inner = undefined;
    }
  };
}

/** Builds a new lab: the cluster as a fresh install, then its phones booted against it. */
export async function newLab(opts: CreateOptions, progress?: CreateProgress): Promise<Lab> {
  if (!progress) return Lab.create(opts, initFleet);
  const topo = opts.topology ?? defaultTopology();
  // an estimate for the progress line: the release's units on every node
  let units = 6;
  try {
    units = profileById(resolveVersion(topo.version).profile).units.length;
  } catch {
    // a version lab creation refuses: it says so itself
  }
  progress.start(topo.nodes.length * units + (topo.ctl === 'etoken' ? 3 : 0) + 1);
  const Reporting = reportingLab(progress);
  const lab = await Reporting.create({ ...opts, topology: topo }, (l, t) => {
    progress.step('booting phones');
    initFleet(l, t);
  });
  (lab as InstanceType<typeof Reporting>).quiet();
  return lab;
}

/** Lab as the package exports it: its create() builds the phone fleet too, as newLab() does. */
export class PackageLab extends Lab {
  static override create(opts: CreateOptions, init: LabInit = initFleet): Promise<Lab> {
    return super.create(opts, init);
  }
}

export function dataDir(explicit?: string): string {
  if (explicit) return explicit;
  if (process.env.CUCM_SIM_HOME) return process.env.CUCM_SIM_HOME;
  const xdg = process.env.XDG_DATA_HOME || join(homedir(), '.local', 'share');
  return join(xdg, 'cucm-sim');
}

export const LAB_NAME_RULE = 'letters, digits, . _ -, at most 64, not starting with . _ -';
export const validLabName = (name: string) => /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(name);

export function labDir(opts: LabOptions): string {
  const name = opts.lab ?? 'default';
  if (!validLabName(name)) throw new LabError(`invalid lab name '${name.replace(/[\x00-\x1f\x7f-\x9f]/g, '?').slice(0, 64)}' (${LAB_NAME_RULE})`);
  return join(dataDir(opts.dataDir), 'labs', name);
}

export interface LabSummary {
  name: string;
  nodes: string[];
  seed?: number;
  version?: string;
  /** when its folder was made (the lab's own clock may be fixed in the past) */
  created: Date;
  /** why its lab.json cannot be read */
  problem?: string;
}

/** The labs of a data folder, by name; read without taking their locks (a served lab is listed too). */
export function listLabs(dir?: string): LabSummary[] {
  const root = join(dataDir(dir), 'labs');
  let names: string[];
  try {
    names = readdirSync(root).filter((n) => validLabName(n)).sort();
  } catch {
    return [];
  }
  const out: LabSummary[] = [];
  for (const name of names) {
    const labPath = join(root, name);
    const file = join(labPath, STATE_FILE);
    if (!existsSync(file)) continue;
    const st = statSync(labPath);
    const created = st.birthtimeMs > 0 ? st.birthtime : st.mtime;
    try {
      const state = readLabFile(readFileSync(file), labPath);
      out.push({ name, nodes: state.nodes.map((n) => n.name), seed: state.seed, version: state.version, created });
    } catch (e) {
      out.push({ name, nodes: [], created, problem: (e as Error).message.split('\n')[0] });
    }
  }
  return out;
}

/** The build a `--version` value names (10.5, 14, a build string); a one-line error otherwise. */
function requestedBuild(text: string): string {
  try {
    return resolveVersion(text).build;
  } catch (e) {
    if (e instanceof VersionError) throw new LabError(e.message);
    throw e;
  }
}

/** `--lab NAME` for a lab that is not there: the labs that are, and how to make it. */
function noSuchLab(opts: LabOptions, name: string): LabError {
  const names = listLabs(opts.dataDir).map((l) => l.name);
  const have = names.length ? `labs: ${names.join(', ')}` : 'no labs yet';
  return new LabError(`no lab '${name}' (${have}); create it with 'cucm-sim lab create ${name}'`);
}

/** The cluster a new lab is built from: a topology file or the default, with --nodes and the lab's name. */
function topologyFor(opts: LabOptions): Topology | undefined {
  let topology: Topology | undefined;
  if (opts.topology) topology = loadTopology(opts.topology);
  if (opts.nodes !== undefined) {
    const nodes = normalizeTopology({ nodes: opts.nodes }, '--nodes').nodes;
    topology = { ...(topology ?? defaultTopology()), nodes };
    // device pools of a topology file name its nodes: with other nodes they would point nowhere
    if (topology.devicePools?.some((p) => p.callManagerGroup.some((n) => !nodes.some((x) => x.name === n)))) {
      throw new LabError(`--nodes: the topology's device pools name nodes that --nodes leaves out`);
    }
  }
  if (opts.version !== undefined) {
    topology ??= defaultTopology();
    topology.version = requestedBuild(opts.version);
  }
  if (opts.lab && (topology || opts.lab !== 'default')) {
    topology ??= defaultTopology();
    topology.name = opts.lab;
  }
  return topology;
}

/** A lab that exists is used as it is: options that only shape a new lab are refused, not ignored. */
function checkExisting(lab: Lab, opts: LabOptions): void {
  const name = opts.lab ?? 'default';
  const made = (what: string) => `the lab '${name}' exists; ${what} only applies when a lab is created ('cucm-sim lab create NAME ${what}' makes another)`;
  if (opts.topology) throw new LabError(made('--topology'));
  if (opts.nodes !== undefined) throw new LabError(made('--nodes'));
  // naming the release the lab already runs is harmless; another one cannot apply any more
  if (opts.version !== undefined && requestedBuild(opts.version) !== lab.state.version) {
    throw new LabError(`the lab '${name}' runs CUCM ${lab.state.version}; --version only applies when a lab is created ('cucm-sim lab create NAME --version ${opts.version}' makes another)`);
  }
  const seed = lab.state.seed;
  if (opts.seed !== undefined && seed !== opts.seed) {
    const was = seed === undefined ? 'with fresh keys (no seed)' : `with seed ${seed}`;
    throw new LabError(`the lab '${name}' was made ${was}, not seed ${opts.seed}; leave --seed out, or make another lab with 'cucm-sim lab create NAME --seed ${opts.seed}'`);
  }
}

/**
 * Opens the named lab. Only the default lab is created on first use (zero configuration); another
 * name must exist (`createNamedLab`), so a typo in --lab never builds a stray lab.
 */
export async function openOrCreateLab(
  opts: LabOptions,
  owner?: string,
  progress?: CreateProgress,
): Promise<{ lab: Lab; created: boolean }> {
  const dir = labDir(opts);
  const name = opts.lab ?? 'default';
  if (Lab.exists(dir)) {
    const lab = Lab.open(dir, owner);
    try {
      checkExisting(lab, opts);
    } catch (e) {
      lab.close();
      throw e;
    }
    return { lab, created: false };
  }
  if (name !== 'default' && !existsSync(dir)) throw noSuchLab(opts, name);
  return { lab: await buildLab(opts, dir, progress), created: true };
}

/** `cucm-sim lab create NAME`: a new lab; one that exists is refused. */
export async function createNamedLab(opts: LabOptions, progress?: CreateProgress): Promise<Lab> {
  const dir = labDir(opts);
  if (Lab.exists(dir)) throw new LabError(`the lab '${opts.lab ?? 'default'}' exists already ('cucm-sim lab list' shows the labs)`);
  return buildLab(opts, dir, progress);
}

async function buildLab(opts: LabOptions, dir: string, progress?: CreateProgress): Promise<Lab> {
  // labs hold private keys and passwords: the data folder and its labs folder are this user's only
  ensurePrivateDir(dataDir(opts.dataDir));
  ensurePrivateDir(join(dataDir(opts.dataDir), 'labs'));
  if (existsSync(join(dir, 'nodes')) || existsSync(join(dir, 'journal.json'))) {
    // files of a lab without its state: never build a new lab over them silently
    throw new LabError(
      `The lab folder ${dir} has node files but no lab.json. Reset it with 'cucm-sim lab reset-lab --force${opts.lab ? ` --lab ${opts.lab}` : ''}' (or delete the folder) to start over.`,
    );
  }
  const topology = topologyFor(opts);
  // a seeded lab takes its keys from the committed pool: nothing slow to show
  return newLab({ dir, topology, seed: opts.seed, clock: opts.clock }, opts.seed === undefined ? progress : undefined);
}
