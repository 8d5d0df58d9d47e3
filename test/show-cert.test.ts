// show cert own / show cert trust: the certificate block of seed 002 ("Certificate File Data"). Fixed
// lines are the seed's; values that differ per system (serial, key, subject host) are compared with
// node's X509Certificate and OpenSSL on the same certificate.
import { describe, it, expect, afterAll } from 'vitest';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { X509Certificate } from 'node:crypto';
import { parseTrustList } from '../state/trust/tlv-parse.js';
import { certDump } from '../commands/admin/show_cert.js';
import type { Lab } from '../state/cluster/lab.js';
import { newLab } from '../state/labs.js';
import { normalizeTopology } from '../state/cluster/topology.js';
import { seededLab, cleanup, transcript, tempDir } from './helpers.js';
import { requireTool } from './prerequisites.js';

const labs: Lab[] = [];
afterAll(() => labs.forEach(cleanup));

// the seed 002 system: Krakow, in Central European time
const SEED_TOPOLOGY = {
  nodes: ['cucm-1051-a-pub', 'cucm-1051-a-sub1'],
  domain: 'tac.lab',
  timezone: 'Europe/Warsaw',
  subject: { OU: 'TAC', O: 'Cisco', L: 'Krakow', ST: 'Malopolska', C: 'PL' },
};

async function seedLab(clock: string): Promise<Lab> {
  const lab = await newLab({ dir: tempDir(), seed: 3, clock, topology: normalizeTopology(SEED_TOPOLOGY) });
  labs.push(lab);
  return lab;
}

/** The block lines of one command's output (without the echoed command line). */
async function block(lab: Lab, command: string, node?: string): Promise<string[]> {
  const r = await transcript(lab, [command], { node });
  expect(r.statuses, r.text).toEqual([0]);
  return r.text.split('\n').slice(1, -1);
}

const KU_TEXT: Record<string, string> = {
  'Digital Signature': 'digitalSignature',
  'Non Repudiation': 'nonRepudiation',
  'Key Encipherment': 'keyEncipherment',
  'Data Encipherment': 'dataEncipherment',
  'Key Agreement': 'keyAgreement',
  'Certificate Sign': 'keyCertSign',
  'CRL Sign': 'cRLSign',
};

/** Checks a block against the seed's layout and against the certificate itself. */
function expectSeedBlock(lines: string[], pem: string, fixed: { sig: string; from: string; to: string; keyPrefix: string; cn: string }): void {
  const x = new X509Certificate(pem);
  const name = `L=Krakow, ST=Malopolska, CN=${fixed.cn}, OU=TAC, O=Cisco, C=PL`;
  const keyStart = lines.indexOf('Key value:') + 1;
  const extAt = lines.findIndex((l) => /^Extensions: \d+ present$/.test(l));
  // the seed's lines, in the seed's order
  expect(lines.slice(0, keyStart)).toEqual([
    '[',
    'Version: V3',
    `Serial Number: ${x.serialNumber.toUpperCase()}`,
    fixed.sig,
    `Issuer Name: ${name}`,
    fixed.from,
    fixed.to,
    `Subject Name: ${name}`,
    'Key: RSA (1.2.840.113549.1.1.1)',
    'Key value:',
  ]);
  expect(lines[2]).toMatch(/^Serial Number: [0-9A-F]{32}$/);
  // key value: the PKCS#1 key in lower-case hex, in lines no wider than the seed's (82-84)
  const keyLines = lines.slice(keyStart, extAt);
  expect(keyLines.join('')).toBe((x.publicKey.export({ type: 'pkcs1', format: 'der' }) as Buffer).toString('hex'));
  expect(keyLines[0].startsWith(fixed.keyPrefix)).toBe(true);
  for (const l of keyLines) expect(l.length).toBeLessThanOrEqual(84);
  // seed: "Extensions: 3 present", then one [ ... ] block per extension, then the closing ]
  expect(lines[extAt]).toBe('Extensions: 3 present');
  expect(lines.at(-1)).toBe(']');
  const blocks = lines.slice(extAt + 1, -1).join('\n').split(/^\]$/m).filter((b) => b.trim());
  expect(blocks.length).toBe(3);
  for (const b of blocks) expect(b.trim().split('\n')[0]).toBe('[');
  // block contents against OpenSSL's reading of the same certificate
  const openssl = requireTool('openssl', 'openssl');
  const ext = (e: string) => execFileSync(openssl, ['x509', '-noout', '-ext', e], { input: pem, encoding: 'utf8' }).split('\n')[1].trim();
  const kuWords = ext('keyUsage').split(', ').map((w) => KU_TEXT[w]);
  const text = lines.join('\n');
  expect(text).toContain(['   Extension: KeyUsage (OID.2.5.29.15)', '   Critical: false', `   Usages: ${kuWords.map((w) => `${w}, `).join('')}`].join('\n'));
  expect(text).toContain(['   Extension: ExtKeyUsageSyntax (OID.2.5.29.37)', '   Critical: false', `   Usage oids: ${x.keyUsage.map((o) => `${o}, `).join('')}`].join('\n'));
  expect(text).toContain(['   Extension: SubjectKeyIdentifier (OID.2.5.29.14)', '   Critical: false', `   ski: ${ext('subjectKeyIdentifier').replace(/:/g, '').toLowerCase()}`].join('\n'));
}

describe('show cert own', () => {
  it('prints an installed certificate as seed 002 shows its CallManager.pem', async () => {
    // seed 002: Validity From: Thu Jun 05 18:31:39 CEST 2014
    const lab = await seedLab('2014-06-05T16:31:39Z');
    const lines = await block(lab, 'show cert own CallManager/CallManager.pem');
    expectSeedBlock(lines, lab.publisher().certs.CallManager.certPem, {
      sig: 'SignatureAlgorithm: SHA1withRSA (1.2.840.113549.1.1.5)',
      from: 'Validity From: Thu Jun 05 18:31:39 CEST 2014',
      to: 'To: Tue Jun 04 18:31:38 CEST 2019',
      keyPrefix: '30818902818100',
      cn: 'cucm-1051-a-pub.tac.lab',
    });
    // the unit name alone names the same certificate
    expect(await block(lab, 'show cert own CallManager')).toEqual(lines);
  }, 60_000);

  it('prints a regenerated certificate as seed 002 shows the new CallManager.pem', async () => {
    // seed 002 after the regeneration: Validity From: Mon Mar 09 17:06:37 CET 2015
    const lab = await seedLab('2015-03-09T16:06:37Z');
    await lab.regenerateCert(lab.publisher(), 'CallManager');
    const lines = await block(lab, 'show cert own CallManager/CallManager.pem');
    expectSeedBlock(lines, lab.publisher().certs.CallManager.certPem, {
      sig: 'SignatureAlgorithm: SHA256withRSA (1.2.840.113549.1.1.11)',
      from: 'Validity From: Mon Mar 09 17:06:37 CET 2015',
      to: 'To: Sat Mar 07 17:06:36 CET 2020',
      keyPrefix: '3082010a0282010100',
      cn: 'cucm-1051-a-pub.tac.lab',
    });
  }, 60_000);

  it('every unit prints as many extension blocks as its certificate carries', async () => {
    const lab = await seededLab();
    labs.push(lab);
    for (const unit of ['CallManager', 'TVS', 'CAPF', 'ITLRecovery', 'tomcat', 'ipsec']) {
      const lines = await block(lab, `show cert own ${unit}/${unit}.pem`);
      const pem = lab.publisher().certs[unit].certPem;
      const count = (execFileSync(requireTool('openssl', 'openssl'), ['x509', '-noout', '-text'], { input: pem, encoding: 'utf8' }).match(/^ {12}X509v3 /gm) ?? []).length;
      expect(lines).toContain(`Extensions: ${count} present`);
      expect(lines.filter((l) => l.startsWith('   Extension: ')).length).toBe(count);
      expect(lines.filter((l) => l === '[').length).toBe(count + 1);
    }
  }, 60_000);

  it('refuses unknown units and file names without a stack trace', async () => {
    const lab = await seededLab();
    labs.push(lab);
    const r = await transcript(lab, ['show cert own Nope', 'show cert own CallManager/tomcat.pem', 'show cert own __proto__', 'show cert trust nothing.pem', 'show cert trust constructor']);
    expect(r.statuses).toEqual([1, 1, 1, 1, 1]);
    expect(r.text).toContain('Nope: no such certificate');
    expect(r.text).not.toMatch(/at .*\.(ts|js):\d+/);
  });
});

describe('show cert trust', () => {
  it("prints another node's certificate as that node prints it as its own", async () => {
    const lab = await seededLab();
    labs.push(lab);
    const sub = lab.node('cucm-sub1')!;
    const file = Object.keys(lab.publisher().trust).find((k) => k.startsWith('CallManager-trust/') && lab.publisher().trust[k] === sub.certs.CallManager.certPem);
    if (!file) throw new Error("the publisher's CallManager-trust holds no copy of cucm-sub1's CallManager certificate");
    expect(await block(lab, `show cert trust ${file}`)).toEqual(await block(lab, 'show cert own CallManager/CallManager.pem', 'cucm-sub1'));
  });
});

describe('the block for certificates the lab did not make', () => {
  it('lists every extension of the real CUCM CTL certificates, including subjectAltName', () => {
    const r = parseTrustList(readFileSync(join(__dirname, 'fixtures', 'cucm-real-CTLFile.tlv')));
    if (!r.ok) throw new Error(r.error);
    const openssl = requireTool('openssl', 'openssl');
    for (const rec of r.list.records.filter((x) => x.certificate)) {
      const x = new X509Certificate(rec.certificate!);
      const lines = certDump(x.toString(), 'UTC');
      const count = (execFileSync(openssl, ['x509', '-noout', '-text'], { input: x.toString(), encoding: 'utf8' }).match(/^ {12}X509v3 /gm) ?? []).length;
      expect(lines).toContain(`Extensions: ${count} present`);
      expect(lines.filter((l) => l.startsWith('   Extension: ')).length).toBe(count);
      expect(lines).toContain(`Serial Number: ${x.serialNumber.toUpperCase()}`);
      expect(lines).toContain('SignatureAlgorithm: SHA1withRSA (1.2.840.113549.1.1.5)');
    }
    // the 8.x-made certificate names its URI, in its DER order reversed (CN first in DER)
    const first = certDump(new X509Certificate(r.list.records[0].certificate!).toString(), 'UTC');
    expect(first).toContain('   URIName: http://gigantic-6.cisco.com');
    expect(first).toContain('Subject Name: C=US, ST=CA, L=SJ, O=Alpha, OU=VTG, CN=gigantic-6.cisco.com');
    expect(first).toContain('Validity From: Thu Feb 10 22:12:26 UTC 2011');
  });
});
