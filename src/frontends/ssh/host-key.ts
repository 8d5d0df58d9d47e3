// The SSH host key of each node, generated once and kept in the lab so clients never see it change.
import { generateKeyPair } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import ssh2 from 'ssh2';
import type { Lab } from '../../../state/cluster/lab.js';
import { writeSecretFile } from '../../../state/cluster/logins.js';

/** The node's host key, generated once and kept in the lab so clients never see it change. */
export function hostKey(lab: Lab, node: string): Promise<Buffer> {
  return hostKeyIn(join(lab.store.dir, 'ssh'), node);
}

/** A node's host key kept in `dir` (a class keeps one set for all its trainees' labs). */
export async function hostKeyIn(dir: string, node: string): Promise<Buffer> {
  const path = join(dir, `${node.replace(/[^A-Za-z0-9._-]/g, '_')}.key`);
  try {
    const key = readFileSync(path);
    if (!(ssh2.utils.parseKey(key) instanceof Error)) return key;
  } catch {
    // not generated yet
  }
  const { privateKey } = await promisify(generateKeyPair)('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
  });
  // 0600 from the first byte: the temporary file is never readable by others either
  writeSecretFile(path, privateKey);
  return Buffer.from(privateKey);
}
