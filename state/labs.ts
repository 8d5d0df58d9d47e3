// Where labs live and how a front end gets one: --data-dir, CUCM_SIM_HOME, or a per-user data folder;
// a new lab is the cluster with its phone fleet.
import { homedir } from 'node:os';
import { join } from 'node:path';
import { existsSync } from 'node:fs';
import { CreateOptions, Lab, LabError, LabInit } from './cluster/lab.js';
import { defaultTopology, loadTopology, Topology } from './cluster/topology.js';
import { resolveVersion, VersionError } from './cluster/profile.js';
import { initFleet } from './phones/fleet.js';
import { ensurePrivateDir } from './store.js';

export interface LabOptions {
  dataDir?: string;
  lab?: string;
  seed?: number;
  clock?: string;
  topology?: string;
  /** release of a new lab: 10.5, 10.5(2), 11.5, 12.5, 14, 15 or a build string (overrides the topology's) */
  version?: string;
}

/** Builds a new lab: the cluster as a fresh install, then its phones booted against it. */
export function newLab(opts: CreateOptions): Promise<Lab> {
  return Lab.create(opts, initFleet);
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

export function labDir(opts: LabOptions): string {
  const name = opts.lab ?? 'default';
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(name)) throw new LabError(`invalid lab name '${name}' (letters, digits, . _ - only)`);
  return join(dataDir(opts.dataDir), 'labs', name);
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

/** Opens the named lab, creating it on first use (default topology unless --topology is given). */
export async function openOrCreateLab(opts: LabOptions, owner?: string): Promise<{ lab: Lab; created: boolean }> {
  const dir = labDir(opts);
  // labs hold private keys and passwords: the data folder and its labs folder are this user's only
  ensurePrivateDir(dataDir(opts.dataDir));
  ensurePrivateDir(join(dataDir(opts.dataDir), 'labs'));
  if (Lab.exists(dir)) {
    if (opts.topology) throw new LabError(`the lab '${opts.lab ?? 'default'}' already exists; --topology only applies when a lab is created`);
    const wanted = opts.version === undefined ? undefined : requestedBuild(opts.version);
    const lab = Lab.open(dir, owner);
    // naming the release the lab already runs is harmless; another one cannot apply any more
    if (wanted !== undefined && wanted !== lab.state.version) {
      lab.close();
      throw new LabError(`the lab '${opts.lab ?? 'default'}' already exists and runs CUCM ${lab.state.version}; --version only applies when a lab is created`);
    }
    return { lab, created: false };
  }
  if (existsSync(join(dir, 'nodes')) || existsSync(join(dir, 'journal.json'))) {
    // files of a lab without its state: never build a new lab over them silently
    throw new LabError(
      `The lab folder ${dir} has node files but no lab.json. Reset it with 'cucm-sim lab reset-lab --force${opts.lab ? ` --lab ${opts.lab}` : ''}' (or delete the folder) to start over.`,
    );
  }
  let topology: Topology | undefined;
  if (opts.topology) topology = loadTopology(opts.topology);
  if (topology && opts.lab) topology.name = opts.lab;
  if (opts.version !== undefined) {
    topology ??= defaultTopology();
    topology.version = requestedBuild(opts.version);
  }
  const lab = await newLab({ dir, topology, seed: opts.seed, clock: opts.clock });
  return { lab, created: true };
}
