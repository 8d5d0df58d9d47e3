// The forge code that builds and opens ITLRecovery.p12 bags. Only the PKCS#12 worker
// (pkcs12-worker.ts) loads it: a bag costs milliseconds that the thread serving sessions never pays.
import { createHash } from 'node:crypto';
import forge from 'node-forge';
import { pkcs12Kdf } from './pkcs12-kdf.js';

/** What the main thread asks of the worker. */
export type Pkcs12Request =
  | { id: number; op: 'build'; certPem: string; keyPem: string; password: string; seed?: string }
  | { id: number; op: 'open'; p12: Uint8Array; password: string };

/** The worker's answer; `threadId` says which thread did the work. */
export interface Pkcs12Reply {
  id: number;
  threadId: number;
  bag?: Uint8Array;
  opened?: { certPem: string; keyPem: string } | null;
  error?: string;
}

type ForgeKdf = (password: string | null | undefined, salt: forge.util.ByteStringBuffer, id: number, iter: number, n: number, md?: unknown) => forge.util.ByteStringBuffer;
// forge derives the bag's key, IV and MAC key with a SHA-1 in JS that costs ~25 ms per bag; the
// same derivation on integers takes ~1 ms. Other digests keep forge's code.
const forgeKdf = (forge.pki as unknown as { pbe: { generatePkcs12Key: ForgeKdf } }).pbe.generatePkcs12Key;
const fastKdf: ForgeKdf = (password, salt, id, iter, n, md) => {
  if (md !== undefined && md !== null && (md as { algorithm?: string }).algorithm !== 'sha1') return forgeKdf(password, salt, id, iter, n, md);
  return forge.util.createBuffer(pkcs12Kdf(password, Buffer.from(salt.bytes(), 'binary'), id, iter, n).toString('binary'));
};
(forge.pki as unknown as { pbe: { generatePkcs12Key: ForgeKdf } }).pbe.generatePkcs12Key = fastKdf;
(forge.pkcs12 as unknown as { generateKey: ForgeKdf }).generateKey = fastKdf;

/** Bundles a certificate and its key as CUCM's ITLRecovery.p12; a seed makes the bytes reproducible. */
export function makePkcs12(certPem: string, keyPemText: string, password: string, deterministicSeed?: string): Buffer {
  const key = forge.pki.privateKeyFromPem(keyPemText);
  const cert = forge.pki.certificateFromPem(certPem);
  const opts: Record<string, unknown> = { algorithm: '3des', friendlyName: 'ITLRecovery', generateLocalKeyId: true };
  if (deterministicSeed !== undefined) {
    // forge draws salts and IVs from its global PRNG (the MAC salt through getBytes, the others
    // through getBytesSync); a seeded instance behind both keeps the bytes reproducible
    const prng = forge.random.createInstance();
    let n = 0;
    prng.seedFileSync = (needed: number) => {
      let out = '';
      while (out.length < needed) out += createHash('sha256').update(`${deterministicSeed}:${n++}`).digest().toString('binary');
      return out.slice(0, needed);
    };
    const draw = (c: number) => (prng as unknown as { getBytesSync(n: number): string }).getBytesSync(c);
    const random = forge.random as unknown as { getBytes(c: number): string; getBytesSync(c: number): string };
    const saved = { getBytes: random.getBytes, getBytesSync: random.getBytesSync };
    random.getBytes = draw;
    random.getBytesSync = draw;
    try {
      const asn1 = forge.pkcs12.toPkcs12Asn1(key, [cert], password, opts);
      return Buffer.from(forge.asn1.toDer(asn1).getBytes(), 'binary');
    } finally {
      random.getBytes = saved.getBytes;
      random.getBytesSync = saved.getBytesSync;
    }
  }
  const asn1 = forge.pkcs12.toPkcs12Asn1(key, [cert], password, opts);
  return Buffer.from(forge.asn1.toDer(asn1).getBytes(), 'binary');
}

/** Opens a PKCS#12 bag; undefined when the password is wrong or the bag is malformed. */
export function readPkcs12(p12: Buffer, password: string): { certPem: string; keyPem: string } | undefined {
  try {
    const asn1 = forge.asn1.fromDer(p12.toString('binary'));
    const bag = forge.pkcs12.pkcs12FromAsn1(asn1, true, password);
    const certBags = bag.getBags({ bagType: forge.pki.oids.certBag })[forge.pki.oids.certBag] ?? [];
    const keyBags = bag.getBags({ bagType: forge.pki.oids.pkcs8ShroudedKeyBag })[forge.pki.oids.pkcs8ShroudedKeyBag] ?? [];
    const c = certBags[0]?.cert;
    const k = keyBags[0]?.key;
    if (!c || !k) return undefined;
    return { certPem: forge.pki.certificateToPem(c), keyPem: forge.pki.privateKeyToPem(k) };
  } catch {
    return undefined;
  }
}
