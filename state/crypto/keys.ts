// Private keys: the parsed-key cache, and the key sources a lab draws from (a committed key pool
// walked from a seed for reproducible labs, or fresh keys).
import { createHash, createPrivateKey, generateKeyPair, KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import forge from 'node-forge';
import { projectRoot } from '../paths.js';

const keyCache = new Map<string, KeyObject>();

/** Parsed private keys, cached by PEM: the same few keys sign every trust file. */
export function privateKey(pem: string): KeyObject {
  let k = keyCache.get(pem);
  if (!k) {
    if (keyCache.size > 2000) keyCache.clear();
    k = createPrivateKey(pem);
    keyCache.set(pem, k);
  }
  return k;
}

export interface KeySource {
  /** Returns a private key of the given size. */
  take(bits: 1024 | 2048): Promise<KeyObject>;
  /** 16 serial bytes with the top bit clear. */
  serial(): Buffer;
}

let poolCache: Record<number, string[]> = {};
function pool(bits: number): string[] {
  if (!poolCache[bits]) {
    const text = readFileSync(join(projectRoot(), 'state', 'crypto', 'keypool', `rsa${bits}.pem`), 'utf8');
    poolCache[bits] = text.split(/(?=-----BEGIN PRIVATE KEY-----)/).filter((s) => s.trim());
  }
  return poolCache[bits];
}

/** Deterministic keys and serials: a committed key pool walked from a seeded position. */
export class SeededKeys implements KeySource {
  constructor(
    private seed: number,
    public counter: { keys: number; serials: number },
  ) {}
  async take(bits: 1024 | 2048): Promise<KeyObject> {
    const p = pool(bits);
    const i = this.counter.keys++;
    const idx = (this.seed * 7 + i) % p.length;
    return privateKey(p[idx]);
  }
  serial(): Buffer {
    const i = this.counter.serials++;
    const b = createHash('sha256').update(`serial:${this.seed}:${i}`).digest().subarray(0, 16);
    b[0] &= 0x7f;
    if (b[0] === 0) b[0] = 0x41;
    return Buffer.from(b);
  }
}

export class FreshKeys implements KeySource {
  async take(bits: 1024 | 2048): Promise<KeyObject> {
    return new Promise((resolve, reject) =>
      generateKeyPair('rsa', { modulusLength: bits, publicExponent: 65537 }, (err, _pub, priv) => (err ? reject(err) : resolve(priv))),
    );
  }
  serial(): Buffer {
    const b = forge.random.getBytesSync(16);
    const buf = Buffer.from(b, 'binary');
    buf[0] &= 0x7f;
    if (buf[0] === 0) buf[0] = 0x41;
    return buf;
  }
}

export function keyPem(key: KeyObject): string {
  return key.export({ type: 'pkcs8', format: 'pem' }).toString();
}
