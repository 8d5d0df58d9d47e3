// ITLRecovery.p12: the PKCS#12 bag CUCM keeps of the ITLRecovery certificate and key.
import { createHash } from 'node:crypto';
import forge from 'node-forge';

/** Bundles the ITLRecovery certificate and key as CUCM's ITLRecovery.p12. */
export function buildPkcs12(certPem: string, keyPemText: string, password: string, deterministicSeed?: string): Buffer {
  const key = forge.pki.privateKeyFromPem(keyPemText);
  const cert = forge.pki.certificateFromPem(certPem);
  const opts: Record<string, unknown> = { algorithm: '3des', friendlyName: 'ITLRecovery', generateLocalKeyId: true };
  if (deterministicSeed !== undefined) {
    // forge draws salts and IVs from its global PRNG; a seeded instance keeps the bytes reproducible
    const prng = forge.random.createInstance();
    let n = 0;
    prng.seedFileSync = (needed: number) => {
      let out = '';
      while (out.length < needed) out += createHash('sha256').update(`${deterministicSeed}:${n++}`).digest().toString('binary');
      return out.slice(0, needed);
    };
    const saved = forge.random.getBytesSync;
    forge.random.getBytesSync = (c: number) => (prng as unknown as { getBytesSync(n: number): string }).getBytesSync(c);
    try {
      const asn1 = forge.pkcs12.toPkcs12Asn1(key, [cert], password, opts);
      return Buffer.from(forge.asn1.toDer(asn1).getBytes(), 'binary');
    } finally {
      forge.random.getBytesSync = saved;
    }
  }
  const asn1 = forge.pkcs12.toPkcs12Asn1(key, [cert], password, opts);
  return Buffer.from(forge.asn1.toDer(asn1).getBytes(), 'binary');
}

/** Opens a PKCS#12 bag; returns undefined when the password is wrong or the bag is malformed. */
export function openPkcs12(p12: Buffer, password: string): { certPem: string; keyPem: string } | undefined {
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

/** The PKCS#12 password is derived from the cluster security password (CUCM does not publish how). */
export function p12Password(clusterSecurityPassword: string): string {
  return clusterSecurityPassword;
}
