// Private keys: the parsed-key cache, and the key sources a lab draws from (a committed key pool
// walked from a seed for reproducible labs, or fresh keys).
import { createECDH, createHash, createPrivateKey, createPublicKey, generateKeyPair, KeyObject } from 'node:crypto';
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

/** The EC curves the -ECDSA certificate units use. */
export type EcCurve = 'secp384r1';
const JWK_CURVE: Record<EcCurve, string> = { secp384r1: 'P-384' };

export interface KeySource {
  /** Returns a private key of the given size. */
  take(bits: 1024 | 2048): Promise<KeyObject>;
  /** Returns an EC private key on the curve. */
  takeEc(curve: EcCurve): Promise<KeyObject>;
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
  /** The private scalar is a hash of the seed and the key counter: the same key in every run. */
  async takeEc(curve: EcCurve): Promise<KeyObject> {
    const i = this.counter.keys++;
    const d = createHash('sha384').update(`ec:${curve}:${this.seed}:${i}`).digest();
    return ecKeyFromScalar(curve, d);
  }
  serial(): Buffer {
    const i = this.counter.serials++;
    const b = createHash('sha256').update(`serial:${this.seed}:${i}`).digest().subarray(0, 16);
    b[0] &= 0x7f;
    if (b[0] === 0) b[0] = 0x41;
    return Buffer.from(b);
  }
}

/**
 * Fresh keys kept ready per size once a fresh lab exists, so `set cert regen` does not wait for one;
 * a process that creates fresh labs often (a class server, the bench) raises it with
 * prepareFreshKeys(): a default lab takes 18 keys of 1024 bits.
 */
const FRESH_TARGET: Record<1024 | 2048, number> = { 1024: 2, 2048: 2 };
/** Key generations in flight at once: the pool fills in the background without taking every core. */
const FRESH_PARALLEL = 2;
/** A lab takes its keys in a burst: the refill starts once the burst is over, not during it. */
const REFILL_DELAY_MS = 200;
let refillTimer: NodeJS.Timeout | undefined;

function refillSoon(): void {
  if (refillTimer) return;
  // unref'd: a one-shot command that made a fresh lab does not stay to fill the pool
  refillTimer = setTimeout(() => {
    refillTimer = undefined;
    refill();
  }, REFILL_DELAY_MS);
  refillTimer.unref();
}
const ready: Record<1024 | 2048, KeyObject[]> = { 1024: [], 2048: [] };
const inFlight: Record<1024 | 2048, number> = { 1024: 0, 2048: 0 };
let generating = 0;
let filling = false;
let fillWaiters: Array<() => void> = [];

function generate(bits: 1024 | 2048): Promise<KeyObject> {
  // node's async generateKeyPair runs on libuv's threadpool, not on the thread serving sessions
  return new Promise((resolve, reject) =>
    generateKeyPair('rsa', { modulusLength: bits, publicExponent: 65537 }, (err, _pub, priv) => (err ? reject(err) : resolve(priv))),
  );
}

function refill(): void {
  filling = true;
  while (generating < FRESH_PARALLEL) {
    const bits = ([2048, 1024] as const).find((b) => ready[b].length + inFlight[b] < FRESH_TARGET[b]);
    if (!bits) break;
    generating++;
    inFlight[bits]++;
    generate(bits).then(
      (k) => {
        generating--;
        inFlight[bits]--;
        ready[bits].push(k);
        refill();
      },
      () => {
        // no retry loop: take() generates on demand when the pool is empty
        generating--;
        inFlight[bits]--;
        if (generating === 0) settle();
      },
    );
  }
  if (generating === 0) settle();
}

function settle(): void {
  filling = false;
  const w = fillWaiters;
  fillWaiters = [];
  for (const r of w) r();
}

/** Raises the fresh-key pool's sizes and fills it; resolves once it is full. */
export function prepareFreshKeys(target: Partial<Record<1024 | 2048, number>> = {}): Promise<void> {
  for (const b of [1024, 2048] as const) FRESH_TARGET[b] = Math.max(FRESH_TARGET[b], target[b] ?? 0);
  refill();
  return filling ? new Promise((r) => fillWaiters.push(r)) : Promise.resolve();
}

export class FreshKeys implements KeySource {
  constructor() {
    refillSoon();
  }
  async take(bits: 1024 | 2048): Promise<KeyObject> {
    const k = ready[bits].shift();
    refillSoon();
    return k ?? generate(bits);
  }
  takeEc(curve: EcCurve): Promise<KeyObject> {
    // the -ECDSA units are few and EC keys are quick to make: no pool
    return generateEc(curve);
  }
  serial(): Buffer {
    const b = forge.random.getBytesSync(16);
    const buf = Buffer.from(b, 'binary');
    buf[0] &= 0x7f;
    if (buf[0] === 0) buf[0] = 0x41;
    return buf;
  }
}

/** An EC private key from its scalar: ECDH works out the public point a JWK needs. */
function ecKeyFromScalar(curve: EcCurve, d: Buffer): KeyObject {
  const ecdh = createECDH(curve);
  ecdh.setPrivateKey(d);
  const pub = ecdh.getPublicKey();
  const half = (pub.length - 1) / 2;
  const b64u = (b: Buffer) => b.toString('base64url');
  return createPrivateKey({ key: { kty: 'EC', crv: JWK_CURVE[curve], d: b64u(d), x: b64u(pub.subarray(1, 1 + half)), y: b64u(pub.subarray(1 + half)) }, format: 'jwk' });
}

function generateEc(curve: EcCurve): Promise<KeyObject> {
  return new Promise((resolve, reject) => generateKeyPair('ec', { namedCurve: curve }, (err, _pub, priv) => (err ? reject(err) : resolve(priv))));
}

const pemCache = new WeakMap<KeyObject, string>();

/** PKCS#8 PEM of a key; the pool's keys sign every seeded lab, so their export is done once. */
export function keyPem(key: KeyObject): string {
  let pem = pemCache.get(key);
  if (pem === undefined) {
    pem = key.export({ type: 'pkcs8', format: 'pem' }).toString();
    pemCache.set(key, pem);
  }
  return pem;
}

export interface PublicKeyInfo {
  der: Buffer;
  /** RSA modulus size, or the EC curve's size */
  bits: number;
  type: 'rsa' | 'ec';
}
const spkiCache = new WeakMap<KeyObject, PublicKeyInfo>();
const CURVE_BITS: Record<string, number> = { prime256v1: 256, secp384r1: 384, secp521r1: 521 };

/** SubjectPublicKeyInfo DER and key size of a private key's public half, once per key object. */
export function publicKeyInfo(key: KeyObject): PublicKeyInfo {
  let info = spkiCache.get(key);
  if (!info) {
    const pub = createPublicKey(key);
    const der = pub.export({ type: 'spki', format: 'der' }) as Buffer;
    const d = pub.asymmetricKeyDetails;
    info =
      pub.asymmetricKeyType === 'ec'
        ? { der, bits: CURVE_BITS[d?.namedCurve ?? ''] ?? 0, type: 'ec' }
        : { der, bits: d?.modulusLength ?? 2048, type: 'rsa' };
    spkiCache.set(key, info);
  }
  return info;
}
