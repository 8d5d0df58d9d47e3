// Shared test helpers: temporary deterministic labs and a session driven like script mode.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Lab } from '../state/cluster/lab.js';
import { newLab } from '../state/labs.js';
import { normalizeTopology, Topology } from '../state/cluster/topology.js';
import { CliSession } from '../src/console/admin-console.js';
import { drive } from '../src/console/drive.js';

export function tempDir(prefix = 'cucm-sim-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export async function seededLab(opts: { seed?: number; topology?: Partial<Topology> | Record<string, unknown>; dir?: string } = {}): Promise<Lab> {
  const dir = opts.dir ?? tempDir();
  return newLab({
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
  const answers = [...(opts.answers ?? [])];
  const statuses: number[] = [];
  for (const line of lines) {
    // one queue for all lines; running out of answers cancels the command as Ctrl-C does
    const r = await drive(s, line, { answers: () => answers.shift(), prompt: true, onOutput: (t) => (text += t) });
    statuses.push(r.status);
  }
  return { text, statuses };
}

import { LineQueue, runScript } from '../src/frontends/script/script.js';
import { Writable } from 'node:stream';
import type { TransferClient } from '../src/console/command.js';

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

import { parseTrustList, verifyTrustList } from '../state/trust/tlv-parse.js';
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

/** Temporary folders (`tmp()`) and labs (pushed on `labs`) removed after each test of the calling file. */
export function scratchPerTest(prefix = 'cucm-sim-test-'): { tmp: () => string; labs: Lab[] } {
  const dirs: string[] = [];
  const labs: Lab[] = [];
  afterEach(() => {
    for (const l of labs.splice(0)) l.close();
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });
  return {
    tmp() {
      const d = tempDir(prefix);
      dirs.push(d);
      return d;
    },
    labs,
  };
}

/** Polls until `cond` holds (sync or async); fails after the deadline naming what it waited for. */
export async function waitFor(what: string, cond: () => boolean | Promise<boolean>, timeoutMs = 5000, everyMs = 20): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await cond()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** A seeded generator of floats in [0, 1) (mulberry32): the same seed replays the same run. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Deterministic pseudo-random bytes for test data. */
export function seededBytes(seed: number, n: number): Buffer {
  const next = seededRandom(seed);
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = Math.floor(next() * 256);
  return b;
}

import { X509Certificate } from 'node:crypto';

/** A certificate name as CUCM prints it (CN=..;OU=..;O=..;L=..;ST=..;C=..), read with node's X509Certificate. */
export function x509Name(certPem: string, which: 'subject' | 'issuer' = 'subject'): string {
  const parts = new Map(new X509Certificate(certPem)[which].split('\n').map((l) => [l.slice(0, l.indexOf('=')), l] as const));
  return ['CN', 'OU', 'O', 'L', 'ST', 'C'].flatMap((k) => (parts.has(k) ? [parts.get(k)!] : [])).join(';');
}

/** The serial number bytes, read with node's X509Certificate. */
export function x509Serial(certPem: string): Buffer {
  const hex = new X509Certificate(certPem).serialNumber;
  return Buffer.from(hex.length % 2 ? '0' + hex : hex, 'hex');
}

import { execFileSync } from 'node:child_process';
import { requireTool } from './prerequisites.js';

/** `openssl pkcs12 -info` of a PKCS#12 file (OpenSSL 3 keeps the old bag ciphers in the legacy provider). */
export function opensslPkcs12(file: string, password: string, args: string[] = ['-nodes', '-info']): string {
  const openssl = requireTool('openssl', 'openssl');
  const run = (legacy: boolean) =>
    execFileSync(openssl, ['pkcs12', '-in', file, '-passin', `pass:${password}`, ...args, ...(legacy ? ['-legacy'] : [])], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  try {
    return run(false);
  } catch {
    return run(true);
  }
}

/** The certificate a PKCS#12 file holds, as openssl reads it (PEM). */
export function pkcs12Certificate(file: string, password: string): string {
  const out = opensslPkcs12(file, password, ['-nokeys', '-clcerts']);
  const m = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----\n?/.exec(out);
  if (!m) throw new Error(`openssl found no certificate in ${file}:\n${out}`);
  return m[0];
}
