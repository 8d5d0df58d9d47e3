// The crypto kept off the serving thread: the PKCS#12 derivation gives forge's bytes, bags are built
// and opened in a worker and still open with the cluster password, and fresh keys come from the
// background pool at the size asked for.
import { describe, expect, it } from 'vitest';
import { X509Certificate, createHash, createPrivateKey } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { threadId } from 'node:worker_threads';
import forge from 'node-forge';
import { cleanup, seededLab } from './helpers.js';
import { requireTool } from './prerequisites.js';

type ForgeKdf = (password: string, salt: forge.util.ByteStringBuffer, id: number, iter: number, n: number) => forge.util.ByteStringBuffer;
// taken before pkcs12-bag.ts installs the fast derivation in forge
const forgeKdf = (forge.pki as unknown as { pbe: { generatePkcs12Key: ForgeKdf } }).pbe.generatePkcs12Key;

describe('PKCS#12 key derivation', () => {
  it('matches forge byte for byte over passwords, salts, ids, counts and lengths', async () => {
    const { pkcs12Kdf } = await import('../state/crypto/pkcs12-kdf.js');
    const passwords = ['', 'cisco123', 'Ünïcødé pässwörd €', 'x'.repeat(70)];
    for (const [i, pw] of passwords.entries()) {
      for (const n of [8, 20, 24, 41]) {
        // salts vary with the case but are the same on every run, so a failure can be replayed
        const salt = createHash('sha256').update(`salt:${i}:${n}`).digest().subarray(0, 1 + ((i * 7 + n) % 20));
        const id = 1 + ((i + n) % 3);
        const iter = [1, 2, 2048][(i + n) % 3];
        const ours = pkcs12Kdf(pw, salt, id, iter, n);
        const theirs = Buffer.from(forgeKdf(pw, forge.util.createBuffer(salt.toString('binary')), id, iter, n).getBytes(), 'binary');
        expect(ours.toString('hex')).toBe(theirs.toString('hex'));
      }
    }
  });

  it('builds a bag that opens with its password and not with another, the same bytes for the same seed', async () => {
    const { buildPkcs12, openPkcs12 } = await import('../state/crypto/pkcs12.js');
    const { certPem, keyText } = await itlRecoveryPair();
    const a = await buildPkcs12(certPem, keyText, 'secret', 'seed:1');
    expect((await buildPkcs12(certPem, keyText, 'secret', 'seed:1')).equals(a)).toBe(true);
    const opened = await openPkcs12(a, 'secret');
    expect(opened?.certPem.replace(/\r/g, '')).toBe(certPem.replace(/\r/g, ''));
    expect(createPrivateKey(opened!.keyPem).asymmetricKeyDetails?.modulusLength).toBe(1024);
    expect(await openPkcs12(a, 'wrong')).toBeUndefined();
    expect(await openPkcs12(Buffer.from('not a bag'), 'secret')).toBeUndefined();
  });
});

/** A fresh ITLRecovery-style pair, so no bag of it is cached. */
async function itlRecoveryPair(): Promise<{ certPem: string; keyText: string }> {
  const { issueSelfSigned } = await import('../state/crypto/certs.js');
  const { FreshKeys, keyPem } = await import('../state/crypto/keys.js');
  const keys = new FreshKeys();
  const key = await keys.take(1024);
  const certPem = issueSelfSigned({
    commonName: 'ITLRECOVERY_pub',
    fields: { OU: 'VTG', O: 'Cisco', L: 'RTP', ST: 'NC', C: 'US' },
    key,
    serial: keys.serial(),
    notBefore: new Date('2025-01-06T09:00:00Z'),
    years: 20,
    unit: 'ITLRecovery',
  });
  return { certPem, keyText: keyPem(key) };
}

/** The certificate openssl finds in a bag opened with `-nokeys`, as DER. */
function opensslBagCertificate(p12: Buffer, password: string): Buffer {
  const openssl = requireTool('openssl', 'openssl');
  const out = execFileSync(openssl, ['pkcs12', '-nokeys', '-passin', `pass:${password}`], { input: p12, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] });
  const m = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(out);
  if (!m) throw new Error(`openssl found no certificate in the bag:\n${out}`);
  return new X509Certificate(m[0]).raw;
}

describe('PKCS#12 off the serving thread', () => {
  it('a bag is built in a worker thread, opens with openssl and has the bytes of the same code run here', async () => {
    const { buildPkcs12, openPkcs12, lastPkcs12Thread } = await import('../state/crypto/pkcs12.js');
    const { certPem, keyText } = await itlRecoveryPair();
    // the last work so far is an opener's: the build must report a thread of its own
    await openPkcs12(Buffer.from('not a bag'), 'x');
    const opener = lastPkcs12Thread();
    const bag = await buildPkcs12(certPem, keyText, 'cisco123', 'seed:worker');
    const builtBy = lastPkcs12Thread();
    expect(builtBy).toBeTypeOf('number');
    expect([threadId, opener]).not.toContain(builtBy);
    expect(opensslBagCertificate(bag, 'cisco123').equals(new X509Certificate(certPem).raw)).toBe(true);
    // the worker runs the forge code of pkcs12-bag.ts: here, on this thread, it gives the same bytes
    const { makePkcs12 } = await import('../state/crypto/pkcs12-bag.js');
    expect(makePkcs12(certPem, keyText, 'cisco123', 'seed:worker').equals(bag)).toBe(true);
  });

  it('a fetched bag is opened in a worker thread', async () => {
    const { buildPkcs12, openPkcs12, lastPkcs12Thread } = await import('../state/crypto/pkcs12.js');
    const { certPem, keyText } = await itlRecoveryPair();
    const bag = await buildPkcs12(certPem, keyText, 'cisco123');
    const builtBy = lastPkcs12Thread();
    const opened = await openPkcs12(bag, 'cisco123');
    expect(new X509Certificate(opened!.certPem).raw.equals(new X509Certificate(certPem).raw)).toBe(true);
    // opening a bag from outside gets a worker of its own
    expect(lastPkcs12Thread()).toBeTypeOf('number');
    expect([threadId, builtBy]).not.toContain(lastPkcs12Thread());
  });

  it('regenerating ITLRecovery stages a bag built in a worker that openssl opens with the cluster password', async () => {
    const { lastPkcs12Thread, openPkcs12, p12Password } = await import('../state/crypto/pkcs12.js');
    const lab = await seededLab({ seed: 41 });
    try {
      const pub = lab.publisher();
      const before = pub.certs.ITLRecovery.certPem;
      // the last work so far is an opener's: the regeneration must report a thread of its own
      await openPkcs12(Buffer.from('not a bag'), 'x');
      const opener = lastPkcs12Thread();
      await lab.mutate(() => lab.regenerateCert(pub, 'ITLRecovery'));
      expect(pub.certs.ITLRecovery.certPem).not.toBe(before);
      expect(lastPkcs12Thread()).toBeTypeOf('number');
      expect([threadId, opener]).not.toContain(lastPkcs12Thread());
      const p12 = lab.readTftp(pub, 'ITLRecovery.p12')!;
      const inBag = opensslBagCertificate(p12, p12Password(lab.state.accounts.securityPassword));
      expect(inBag.equals(new X509Certificate(pub.certs.ITLRecovery.certPem).raw)).toBe(true);
    } finally {
      cleanup(lab);
    }
  });
});

describe('fresh-key pool', () => {
  it('fills in the background and hands out keys of the size asked for', async () => {
    const { FreshKeys, prepareFreshKeys } = await import('../state/crypto/keys.js');
    await prepareFreshKeys({ 1024: 3, 2048: 1 });
    const keys = new FreshKeys();
    const got = await Promise.all([keys.take(1024), keys.take(1024), keys.take(2048), keys.take(1024), keys.take(1024)]);
    expect(got.map((k) => k.asymmetricKeyDetails?.modulusLength)).toEqual([1024, 1024, 2048, 1024, 1024]);
    expect(new Set(got.map((k) => k.export({ type: 'pkcs1', format: 'der' }).toString('hex'))).size).toBe(5);
  });
});
