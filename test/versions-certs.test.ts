// Certificates per release profile: units (the -ECDSA pair from 11.x), key sizes and digests at install
// and regeneration, validity per unit, ECDSA certificates judged by OpenSSL and node, ITLRecovery
// regenerated once for the whole cluster from 12.5, and the self-restarting services of 14+.
// Expected values: versions.md §3 (written out here as literals).
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Lab } from '../state/cluster/lab.js';
import { profileOf } from '../state/cluster/profile.js';
import { refreshUpgradeFn70613 } from '../state/ops/upgrade.js';
import { parseTrustListStrict } from '../state/trust/tlv-parse.js';
import { seededLab, cleanup } from './helpers.js';
import { requireTool } from './prerequisites.js';

let openssl: string;
let scratch: string;
beforeAll(() => {
  openssl = requireTool('openssl', 'openssl');
  scratch = mkdtempSync(join(tmpdir(), 'cucm-sim-versions-'));
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const YEAR_S = 365 * 86400;
/** Validity in seconds as node reads it (notAfter - notBefore). */
function validitySeconds(pem: string): number {
  const x = new X509Certificate(pem);
  return (Date.parse(x.validTo) - Date.parse(x.validFrom)) / 1000;
}

function opensslText(pem: string): string {
  return execFileSync(openssl, ['x509', '-noout', '-text'], { input: pem, encoding: 'utf8' });
}

/** OpenSSL checks the self-signature of a self-signed certificate. */
function opensslVerifiesSelfSigned(pem: string): boolean {
  const path = join(scratch, 'cert.pem');
  writeFileSync(path, pem);
  const out = execFileSync(openssl, ['verify', '-CAfile', path, '-check_ss_sig', path], { encoding: 'utf8' }).trim();
  return out === `${path}: OK`;
}

const UNITS_105 = ['CallManager', 'TVS', 'CAPF', 'ITLRecovery', 'tomcat', 'ipsec'];
const UNITS_11 = [...UNITS_105, 'CallManager-ECDSA', 'tomcat-ECDSA'];

const CASES = [
  { version: '10.5', units: UNITS_105, years: { CallManager: 5, TVS: 5, CAPF: 5, ITLRecovery: 5, tomcat: 5, ipsec: 5 } },
  { version: '11.5', units: UNITS_11, years: { CallManager: 5, TVS: 5, CAPF: 5, ITLRecovery: 5, tomcat: 5, ipsec: 5, 'CallManager-ECDSA': 5, 'tomcat-ECDSA': 5 } },
  { version: '12.5', units: UNITS_11, years: { CallManager: 5, TVS: 5, CAPF: 5, ITLRecovery: 20, tomcat: 5, ipsec: 5, 'CallManager-ECDSA': 5, 'tomcat-ECDSA': 5 } },
  { version: '14', units: UNITS_11, years: { CallManager: 3, TVS: 5, CAPF: 5, ITLRecovery: 20, tomcat: 3, ipsec: 5, 'CallManager-ECDSA': 3, 'tomcat-ECDSA': 3 } },
  { version: '15', units: UNITS_11, years: { CallManager: 3, TVS: 5, CAPF: 5, ITLRecovery: 20, tomcat: 3, ipsec: 5, 'CallManager-ECDSA': 3, 'tomcat-ECDSA': 3 } },
];

describe.each(CASES)('CUCM $version certificates', (c) => {
  let lab: Lab;
  beforeAll(async () => {
    lab = await seededLab({ topology: { version: c.version, nodes: 2 } });
  });
  afterAll(() => cleanup(lab));

  it('the publisher has the release units, each valid its years (365-day years less a second)', () => {
    const pub = lab.publisher();
    expect(Object.keys(pub.certs).sort()).toEqual([...c.units].sort());
    for (const u of c.units) expect({ u, s: validitySeconds(pub.certs[u].certPem) }).toEqual({ u, s: (c.years as Record<string, number>)[u] * YEAR_S - 1 });
  });

  it('ECDSA units: P-384 keys signed with ECDSA-SHA384, accepted by OpenSSL and node', () => {
    const pub = lab.publisher();
    for (const u of c.units.filter((x) => x.endsWith('-ECDSA'))) {
      const pem = pub.certs[u].certPem;
      const text = opensslText(pem);
      expect(text).toContain('Public-Key: (384 bit)');
      expect(text).toContain('ASN1 OID: secp384r1');
      expect(text).toContain('Signature Algorithm: ecdsa-with-SHA384');
      expect(text).toContain('Subject: C = US, O = Example, OU = Voice, CN = cucm-pub-EC.lab.example, ST = NC, L = RTP');
      const x = new X509Certificate(pem);
      expect(x.publicKey.asymmetricKeyType).toBe('ec');
      expect(x.verify(x.publicKey)).toBe(true);
      expect(opensslVerifiesSelfSigned(pem)).toBe(true);
      // the subscriber's trust store holds it under the -EC name, in its RSA twin's store
      const store = u === 'CallManager-ECDSA' ? 'CallManager-trust' : 'tomcat-trust';
      expect(lab.node('cucm-sub1')!.trust[`${store}/cucm-pub-EC.lab.example.pem`]).toBe(pem);
    }
  });

  it('regeneration: RSA 2048 with SHA-256, ECDSA stays P-384 with SHA-384, validity as at install', async () => {
    const pub = lab.publisher();
    for (const u of c.units.filter((x) => x === 'tomcat' || x.endsWith('-ECDSA'))) {
      const before = pub.certs[u].certPem;
      await lab.mutate(() => lab.regenerateCert(pub, u as 'tomcat'));
      const pem = pub.certs[u].certPem;
      expect(pem).not.toBe(before);
      const text = opensslText(pem);
      if (u === 'tomcat') {
        expect(text).toContain('Public-Key: (2048 bit)');
        expect(text).toContain('Signature Algorithm: sha256WithRSAEncryption');
      } else {
        expect(text).toContain('Public-Key: (384 bit)');
        expect(text).toContain('Signature Algorithm: ecdsa-with-SHA384');
        expect(opensslVerifiesSelfSigned(pem)).toBe(true);
      }
      expect(validitySeconds(pem)).toBe((c.years as Record<string, number>)[u] * YEAR_S - 1);
    }
  });

  it('a unit the release does not have is refused', async () => {
    const pub = lab.publisher();
    if (c.units.includes('CallManager-ECDSA')) return expect(Object.hasOwn(pub.certs, 'CallManager-ECDSA')).toBe(true);
    await expect(lab.mutate(() => lab.regenerateCert(pub, 'CallManager-ECDSA'))).rejects.toThrow('cucm-pub has no CallManager-ECDSA certificate in CUCM 10.5(1)');
  });
});

describe('ITLRecovery regeneration', () => {
  it('12.5: the publisher regenerates the one cluster pair, 20 years; a subscriber is refused', async () => {
    const lab = await seededLab({ topology: { version: '12.5', nodes: 3 } });
    try {
      const old = lab.publisher().certs.ITLRecovery.certPem;
      await lab.mutate(() => lab.regenerateCert(lab.publisher(), 'ITLRecovery'));
      const pem = lab.publisher().certs.ITLRecovery.certPem;
      expect(pem).not.toBe(old);
      for (const n of lab.nodes) expect(n.certs.ITLRecovery.certPem).toBe(pem);
      expect(validitySeconds(pem)).toBe(20 * YEAR_S - 1);
      await expect(lab.mutate(() => lab.regenerateCert(lab.node('cucm-sub1')!, 'ITLRecovery'))).rejects.toThrow('ITLRecovery can be regenerated on the publisher only in CUCM 12.5(1)SU6');
    } finally {
      cleanup(lab);
    }
  });

  it('10.5: each node has and regenerates its own', async () => {
    const lab = await seededLab({ topology: { nodes: 2 } });
    try {
      const sub = lab.node('cucm-sub1')!;
      const pubPem = lab.publisher().certs.ITLRecovery.certPem;
      await lab.mutate(() => lab.regenerateCert(sub, 'ITLRecovery'));
      expect(lab.publisher().certs.ITLRecovery.certPem).toBe(pubPem);
      expect(sub.certs.ITLRecovery.certPem).not.toBe(pubPem);
    } finally {
      cleanup(lab);
    }
  });
});

describe('Field Notice 70613: the refresh upgrade to 12.5 below SU3', () => {
  const recoverySerial = (ctl: Buffer) => parseTrustListStrict(ctl).records.find((r) => r.subjectName?.startsWith('CN=ITLRECOVERY_'))!.serial!.toString('hex');

  it('regenerates ITLRecovery: the CTL on disk keeps the old record until utils ctl reset localkey', async () => {
    const lab = await seededLab({ topology: { version: '12.5.1.11900-57', nodes: 2 } });
    try {
      await lab.mutate(() => {
        lab.state.params.clusterSecurityMode = 1;
        lab.distributeCtl(lab.buildCtl());
      });
      const before = new X509Certificate(lab.publisher().certs.ITLRecovery.certPem).serialNumber.toLowerCase();
      expect(recoverySerial(lab.readTftp(lab.publisher(), 'CTLFile.tlv')!)).toBe(before);
      await lab.mutate(() => refreshUpgradeFn70613(lab));
      const after = new X509Certificate(lab.publisher().certs.ITLRecovery.certPem).serialNumber.toLowerCase();
      expect(after).not.toBe(before);
      for (const n of lab.nodes) expect(recoverySerial(lab.readTftp(n, 'CTLFile.tlv')!)).toBe(before);
      // the ITL every Tftp built at the reboot is signed by the new pair
      for (const n of lab.nodes) expect(parseTrustListStrict(lab.readTftp(n, 'ITLFile.tlv')!).signerSerial.toString('hex')).toBe(after);
      const reset = parseTrustListStrict(lab.buildCtl('CallManager'));
      expect(reset.signerName).toBe('CN=cucm-pub.lab.example;OU=Voice;O=Example;L=RTP;ST=NC;C=US');
      expect(recoverySerial(lab.buildCtl('CallManager'))).toBe(after);
    } finally {
      cleanup(lab);
    }
  });

  it('is refused from SU3 on', async () => {
    const lab = await seededLab({ topology: { version: '12.5.1.13900-152', nodes: 1 } });
    try {
      await expect(lab.mutate(() => refreshUpgradeFn70613(lab))).rejects.toThrow(
        'CUCM 12.5.1.13900-152 does not have the defect of Field Notice 70613 (12.5 builds below 12.5.1.13900-152 do)',
      );
    } finally {
      cleanup(lab);
    }
  });
});

describe('services after a regeneration', () => {
  const pending = (lab: Lab) => lab.nodes.flatMap((n) => n.services.filter((s) => s.needsRestart).map((s) => `${n.name}/${s.name}`)).sort();

  it('12.5: TVS regeneration leaves TVS and every Tftp waiting for a restart', async () => {
    const lab = await seededLab({ topology: { version: '12.5', nodes: 2 } });
    try {
      const r = await lab.mutate(() => lab.regenerateCert(lab.node('cucm-sub1')!, 'TVS'));
      expect(r.restarted).toEqual([]);
      expect(pending(lab)).toEqual(['cucm-pub/Cisco Tftp', 'cucm-sub1/Cisco Tftp', 'cucm-sub1/Cisco Trust Verification Service']);
    } finally {
      cleanup(lab);
    }
  });

  it('14: TVS, CAPF and ITLRecovery restart by themselves; CallManager still waits for its restarts', async () => {
    const lab = await seededLab({ topology: { version: '14', nodes: 2 } });
    try {
      const sub = lab.node('cucm-sub1')!;
      const r = await lab.mutate(() => lab.regenerateCert(sub, 'TVS'));
      expect(r.restarted).toEqual([
        { node: 'cucm-sub1', service: 'Cisco Trust Verification Service' },
        { node: 'cucm-sub1', service: 'Cisco Tftp' },
        { node: 'cucm-pub', service: 'Cisco Tftp' },
      ]);
      expect(pending(lab)).toEqual([]);
      const capf = await lab.mutate(() => lab.regenerateCert(lab.publisher(), 'CAPF'));
      expect(capf.restarted.map((x) => `${x.node}/${x.service}`)).toEqual(['cucm-pub/Cisco Certificate Authority Proxy Function', 'cucm-pub/Cisco Tftp', 'cucm-sub1/Cisco Tftp']);
      await expect(lab.mutate(() => lab.regenerateCert(sub, 'CAPF'))).rejects.toThrow('cucm-sub1 has no CAPF certificate in CUCM 14SU2');
      const rec = await lab.mutate(() => lab.regenerateCert(lab.publisher(), 'ITLRecovery'));
      expect(rec.restarted.map((x) => `${x.node}/${x.service}`)).toEqual(['cucm-pub/Cisco Tftp', 'cucm-sub1/Cisco Tftp']);
      const cm = await lab.mutate(() => lab.regenerateCert(sub, 'CallManager'));
      expect(cm.restarted).toEqual([]);
      expect(pending(lab)).toEqual(['cucm-sub1/Cisco CTIManager', 'cucm-sub1/Cisco CallManager', 'cucm-sub1/Cisco Tftp', 'cucm-sub1/Cisco Trust Verification Service']);
    } finally {
      cleanup(lab);
    }
  });
});

describe('labs made before release profiles', () => {
  it('a lab.json without a profile runs as 10.5, or as its build string says', async () => {
    const lab = await seededLab({ topology: { nodes: 1 } });
    try {
      delete lab.state.profile;
      expect(profileOf(lab).id).toBe('10.5');
      lab.state.version = '11.5.1.12900-21';
      expect(profileOf(lab).id).toBe('11.5');
    } finally {
      cleanup(lab);
    }
  });
});
