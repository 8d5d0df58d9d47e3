// Rebuilding a lab in place from the topology it was made from (lab console `reset-lab`).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Lab } from '../cluster/lab.js';
import { defaultTopology, Topology } from '../cluster/topology.js';
import { newLab } from '../labs.js';

/** The topology a lab was made from (recorded at creation), else one read back from its state. */
export function originTopology(lab: Lab): Topology {
  const o = lab.state.origin;
  if (o && Array.isArray(o.nodes)) return JSON.parse(JSON.stringify(o));
  const t = defaultTopology();
  t.name = lab.state.name;
  t.version = lab.state.version;
  t.domain = lab.state.domain;
  t.timezone = lab.state.timezone;
  t.subject = { ...lab.state.subject };
  t.accounts = JSON.parse(JSON.stringify(lab.state.accounts));
  t.nodes = lab.nodes.map((n) => ({ name: n.name, ip: n.ip, tftp: n.tftp, callmanager: n.callmanager }));
  t.ctl = lab.state.etokens ? 'etoken' : 'none';
  return t;
}

/** Builds the lab again from its topology, with the same seed and start time, in place. */
export async function rebuildLab(lab: Lab): Promise<void> {
  const topology = originTopology(lab);
  const seed = lab.state.seed;
  const clock = lab.state.clock.fixed ? new Date(lab.state.createdAt).toISOString() : undefined;
  const dir = mkdtempSync(join(tmpdir(), 'cucm-sim-rebuild-'));
  try {
    const fresh = await newLab({ dir, topology, seed, clock });
    try {
      lab.replaceWith(fresh);
    } finally {
      fresh.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
