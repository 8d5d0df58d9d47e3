// Regenerates the committed pool of RSA keys used by deterministic labs (--seed).
// Run: node dist/scripts/gen-keypool.js  (the pool is data; regenerating it changes every golden file)
import { generateKeyPairSync } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../state/paths.js';

const sizes: Array<[number, number]> = [
  [1024, 96],
  [2048, 48],
];
for (const [bits, count] of sizes) {
  const pems: string[] = [];
  for (let i = 0; i < count; i++) {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: bits, publicExponent: 65537 });
    pems.push(privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());
  }
  writeFileSync(join(projectRoot(), 'state', 'crypto', 'keypool', `rsa${bits}.pem`), pems.join(''));
}
