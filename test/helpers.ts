// Shared test helpers: temporary deterministic labs and a session driven like script mode.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Lab } from '../state/cluster/lab.js';
import { normalizeTopology, Topology } from '../state/cluster/topology.js';
import { CliSession } from '../src/console/core.js';
import { Cancelled } from '../src/console/registry.js';

export function tempDir(prefix = 'cucm-sim-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export async function seededLab(opts: { seed?: number; topology?: Partial<Topology> | Record<string, unknown>; dir?: string } = {}): Promise<Lab> {
  const dir = opts.dir ?? tempDir();
  return Lab.create({
    dir,
    seed: opts.seed ?? 1,
    clock: '2025-01-06T09:00:00Z',
    topology: opts.topology ? normalizeTopology(opts.topology) : undefined,
  });
}

export function cleanup(lab: Lab): void {
  lab.close();
  rmSync(lab.store.dir, { recursive: true, force: true });
}

/** Runs command lines with queued answers; returns the text a terminal would show. */
export async function transcript(lab: Lab, lines: string[], opts: { node?: string; answers?: string[] } = {}) {
  const node = opts.node ? lab.node(opts.node)! : lab.publisher();
  const s = new CliSession({ lab, node });
  let text = '';
  s.on((t) => (text += t));
  const answers = [...(opts.answers ?? [])];
  const statuses: number[] = [];
  for (const line of lines) {
    s.showPrompt();
    const r = await s.run(line, {
      answer: async () => {
        const a = answers.shift();
        if (a === undefined || a === '\x03') throw new Cancelled();
        return a;
      },
    });
    statuses.push(r.status);
  }
  return { text, statuses };
}

import { LineQueue, runScript } from '../src/frontends/script/script.js';
import { Writable } from 'node:stream';
import type { TransferClient } from '../src/console/registry.js';

/** Drives the script front end: `input` is what a user would pipe in (commands and answers). */
export async function scriptRun(lab: Lab, input: string, opts: { node?: string; transfer?: TransferClient } = {}) {
  const node = opts.node ? lab.node(opts.node)! : lab.publisher();
  const s = new CliSession({ lab, node, transfer: opts.transfer });
  const q = new LineQueue();
  for (const l of input.split('\n')) q.push(l);
  q.close();
  let out = '';
  const sink = new Writable({
    write(chunk, _enc, cb) {
      out += chunk.toString();
      cb();
    },
  });
  const status = await runScript(s, q, sink);
  return { out, status };
}

import { parseTrustList, verifyTrustList } from '../state/trust/tlv.js';
import { afterAll, afterEach } from 'vitest';

/** What is wrong with the trust files on every node: each ITL/CTL present must parse and verify. */
export function trustFileProblems(lab: Lab, opts: { allowMissingItl?: boolean } = {}): string[] {
  const problems: string[] = [];
  for (const node of lab.nodes) {
    for (const file of ['ITLFile.tlv', 'CTLFile.tlv']) {
      const data = lab.readTftp(node, file);
      if (!data) {
        if (file === 'ITLFile.tlv' && node.tftp && !opts.allowMissingItl) problems.push(`${node.name}: ITLFile.tlv is missing`);
        continue;
      }
      const parsed = parseTrustList(data);
      if (!parsed.ok) problems.push(`${node.name}/${file} does not parse: ${parsed.error}`);
      else if (!verifyTrustList(data, parsed.list)) problems.push(`${node.name}/${file} does not verify`);
    }
  }
  return problems;
}

/** Routes transfers of this test file to the lab's local SFTP folder: nothing may reach the network. */
export function useLocalSftp(): void {
  const saved = process.env.CUCM_SIM_SFTP;
  process.env.CUCM_SIM_SFTP = 'local';
  afterAll(() => {
    if (saved === undefined) delete process.env.CUCM_SIM_SFTP;
    else process.env.CUCM_SIM_SFTP = saved;
  });
}

/** A fresh deterministic lab per test, cleaned up after it. */
export function labPerTest(): (topology?: Record<string, unknown>) => Promise<Lab> {
  let current: Lab | undefined;
  afterEach(() => {
    if (current) cleanup(current);
    current = undefined;
  });
  return async (topology) => (current = await seededLab({ topology }));
}
