// lab.json: its format number, reading it back with errors that say how to recover, and the upgrade
// of files an older format wrote.
import { join } from 'node:path';
import { LabError, LabState, NodeState } from './state.js';

export const STATE_FILE = 'lab.json';
/** 2: the sections format 1 kept in an untyped `ext` object are fields of their own. */
export const LAB_FORMAT = 2;

/** What format 1 kept under `ext`: each moves to the top-level field of the same name. */
const EXT_SECTIONS = ['mtimes', 'drsBackups', 'origin', 'topologyPhones', 'phones'];

function upgradeFormat1(state: LabState & { ext?: Record<string, unknown> }): void {
  const ext = state.ext ?? {};
  const fields = state as unknown as Record<string, unknown>;
  for (const k of EXT_SECTIONS) if (ext[k] !== undefined) fields[k] = ext[k];
  delete state.ext;
  state.mtimes ??= {};
  state.drsBackups ??= [];
  state.format = LAB_FORMAT;
}

/** Labs written before services kept what they loaded had only the certificate TVS presents. */
function keepTvsPresented(node: NodeState & { tvsPresented?: string }): void {
  if (node.tvsPresented === undefined) return;
  if (!node.running?.tvs && node.certs?.CallManager) {
    node.running = { ...node.running, tvs: { certPem: node.tvsPresented, callManagerPem: node.dbCallManagerPem ?? node.certs.CallManager.certPem } };
  }
  delete node.tvsPresented;
}

/** Parses a lab's lab.json; an older format is upgraded in memory and written back on the next change. */
export function readLabFile(raw: Buffer, dir: string): LabState {
  let state: LabState;
  try {
    state = JSON.parse(raw.toString('utf8'));
  } catch {
    throw new LabError(
      `The lab file ${join(dir, STATE_FILE)} is corrupted and cannot be read. Reset the lab with 'cucm-sim lab reset-lab --force' (or delete ${dir}) to start over.`,
    );
  }
  if (state && typeof state === 'object' && state.format === 1) upgradeFormat1(state);
  if (state && Array.isArray(state.nodes)) for (const n of state.nodes) keepTvsPresented(n);
  // labs written when `set cli pagination` was stored for every session of the account
  if (state?.cli && typeof state.cli === 'object') delete (state.cli as { pagination?: boolean }).pagination;
  if (!state || state.format !== LAB_FORMAT || !Array.isArray(state.nodes) || state.nodes.length === 0) {
    throw new LabError(
      `The lab file ${join(dir, STATE_FILE)} is not a cucm-sim lab of a known format. Reset the lab with 'cucm-sim lab reset-lab --force' (or delete ${dir}) to start over.`,
    );
  }
  return state;
}
