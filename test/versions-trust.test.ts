// The trust files of every release profile, byte by byte: who signs the ITL and the tokenless CTL, the
// order of their SAST records, one ITLRecovery for the cluster from 12.5, CAPF on the publisher only
// from 14, and `utils itl reset` signing with the other key. Each file is read by the project's strict
// parser, every embedded certificate by node's X509Certificate and OpenSSL, and every file signature
// is checked by OpenSSL. Expected signers and orders: versions.md §1 (written out here as literals).
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Lab } from '../state/cluster/lab.js';
import { findService, TFTP } from '../state/cluster/services.js';
import { parseTrustListStrict, signedBytes, type ParsedTrustList } from '../state/trust/tlv-parse.js';
import { createNamedLab, openOrCreateLab } from '../state/labs.js';
import { seededLab, cleanup, tempDir } from './helpers.js';
import { requireTool } from './prerequisites.js';

const SUBJECT_TAIL = ';OU=Voice;O=Example;L=RTP;ST=NC;C=US';
const CM = (host: string) => `CN=${host}.lab.example${SUBJECT_TAIL}`;
const RECOVERY = (host: string) => `CN=ITLRECOVERY_${host}.lab.example${SUBJECT_TAIL}`;
// trust-list roles (itl-ctl-format.md)
const SAST = 0;
const CCM_TFTP = 2;
const TFTP_ROLE = 3;
const CAPF = 4;
const TVS = 21;

interface Expect {
  version: string;
  /** ITL signer of cucm-sub1's ITL, outside a reset */
  itlSigner: (host: string) => string;
  /** tokenless CTL SAST subjects in record order; the first signs */
  ctlSast: string[];
  /** RSA size and signature algorithm (OpenSSL's name) of the install's certificates */
  bits: number;
  sigAlg: string;
}

const PROFILES: Expect[] = [
  { version: '10.5', itlSigner: CM, ctlSast: [CM('cucm-pub')], bits: 1024, sigAlg: 'sha1WithRSAEncryption' },
  { version: '10.5(2)', itlSigner: CM, ctlSast: [CM('cucm-pub'), RECOVERY('cucm-pub')], bits: 1024, sigAlg: 'sha1WithRSAEncryption' },
  { version: '11.5', itlSigner: CM, ctlSast: [CM('cucm-pub'), RECOVERY('cucm-pub')], bits: 2048, sigAlg: 'sha1WithRSAEncryption' },
  { version: '12.5', itlSigner: () => RECOVERY('cucm-pub'), ctlSast: [RECOVERY('cucm-pub'), CM('cucm-pub')], bits: 2048, sigAlg: 'sha256WithRSAEncryption' },
  { version: '14', itlSigner: () => RECOVERY('cucm-pub'), ctlSast: [RECOVERY('cucm-pub'), CM('cucm-pub')], bits: 2048, sigAlg: 'sha256WithRSAEncryption' },
  { version: '15', itlSigner: () => RECOVERY('cucm-pub'), ctlSast: [RECOVERY('cucm-pub'), CM('cucm-pub')], bits: 2048, sigAlg: 'sha256WithRSAEncryption' },
];

let openssl: string;
let scratch: string;
beforeAll(() => {
  openssl = requireTool('openssl', 'openssl');
  scratch = mkdtempSync(join(tmpdir(), 'cucm-sim-versions-'));
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

let n = 0;
function file(data: Buffer | string): string {
  const path = join(scratch, `f${n++}`);
  writeFileSync(path, data);
  return path;
}

const texts = new Map<string, string>();
/** OpenSSL's reading of a DER certificate: its text dump (throws if OpenSSL refuses it); once per certificate. */
function opensslText(der: Buffer): string {
  const key = der.toString('base64');
  let text = texts.get(key);
  if (text === undefined) {
    text = execFileSync(openssl, ['x509', '-inform', 'DER', '-noout', '-text'], { input: der, encoding: 'utf8' });
    texts.set(key, text);
  }
  return text;
}

/** The file's signature checked by OpenSSL against the public key of the certificate given. */
function opensslVerifies(buf: Buffer, list: ParsedTrustList, signerDer: Buffer): boolean {
  const pub = execFileSync(openssl, ['x509', '-inform', 'DER', '-pubkey', '-noout'], { input: signerDer, encoding: 'utf8' });
  const digest = list.digestAlgorithm === 1 ? '-sha1' : list.digestAlgorithm === 2 ? '-sha256' : '-sha512';
  try {
    const out = execFileSync(openssl, ['dgst', digest, '-verify', file(pub), '-signature', file(list.signature), file(signedBytes(buf, list))], { encoding: 'utf8' });
    return out.trim() === 'Verified OK';
  } catch {
    return false;
  }
}

/** Parses strictly, checks every embedded certificate in both DER readers, and finds the signer's certificate. */
function judge(buf: Buffer, certOf: (subject: string) => Buffer): ParsedTrustList {
  const list = parseTrustListStrict(buf);
  for (const r of list.records) {
    if (!r.certificate) continue;
    const x = new X509Certificate(r.certificate);
    expect(x.raw.equals(r.certificate)).toBe(true);
    opensslText(r.certificate);
  }
  expect(opensslVerifies(buf, list, certOf(list.signerName)), `${list.filename} signed by ${list.signerName}`).toBe(true);
  return list;
}

const sastSubjects = (l: ParsedTrustList) => l.records.filter((r) => r.func === SAST).map((r) => r.subjectName);

describe.each(PROFILES)('CUCM $version', (x) => {
  let lab: Lab;
  const certOf = (subject: string): Buffer => {
    for (const node of lab.nodes)
      for (const c of Object.values(node.certs)) {
        const der = new X509Certificate(c.certPem).raw;
        if (lab.cert(node, c.unit).subject === subject) return der;
      }
    throw new Error(`no certificate ${subject}`);
  };
  beforeAll(async () => {
    lab = await seededLab({ topology: { version: x.version } });
  });
  afterAll(() => cleanup(lab));

  it('every node ITL: signer, SAST records and their order, the other records', () => {
    for (const node of lab.nodes) {
      const list = judge(lab.readTftp(node, 'ITLFile.tlv')!, certOf);
      expect(list.signerName).toBe(x.itlSigner(node.name));
      const roles = list.records.map((r) => r.func);
      if (x.itlSigner(node.name).startsWith('CN=ITLRECOVERY_')) {
        // 12.x+: the ITLRecovery SAST record first, then the node's CallManager twice
        expect(sastSubjects(list)).toEqual([RECOVERY('cucm-pub'), CM(node.name)]);
        expect(roles).toEqual([SAST, SAST, TFTP_ROLE, CAPF, TVS, TVS, TVS]);
      } else {
        // the 10.5 order of the seeds' show itl
        expect(sastSubjects(list)).toEqual([CM(node.name), RECOVERY('cucm-pub')]);
        expect(roles).toEqual([SAST, TFTP_ROLE, CAPF, TVS, SAST, TVS, TVS]);
      }
    }
  });

  it('the tokenless CTL: SAST roles in the release order, the first signs; the servers follow', async () => {
    await lab.mutate(() => {
      lab.state.params.clusterSecurityMode = 1;
    });
    const list = judge(lab.buildCtl(), certOf);
    expect(list.signerName).toBe(x.ctlSast[0]);
    expect(sastSubjects(list)).toEqual(x.ctlSast);
    expect(list.records.filter((r) => r.func === CCM_TFTP).map((r) => r.subjectName)).toEqual(['cucm-pub', 'cucm-sub1', 'cucm-sub2'].map(CM));
    expect(list.records.filter((r) => r.func === CAPF)).toHaveLength(1);
    expect(list.records[0].subjectName).toBe(x.ctlSast[0]);
    // `utils ctl reset localkey` (12.0+): the same records, signed by the CallManager key
    const reset = judge(lab.buildCtl('CallManager'), certOf);
    expect(reset.signerName).toBe(CM('cucm-pub'));
    expect(sastSubjects(reset)).toEqual(x.ctlSast);
    await lab.mutate(() => {
      lab.state.params.clusterSecurityMode = 0;
    });
  });

  it('the certificates of the install: key size and digest (OpenSSL)', () => {
    for (const node of lab.nodes) {
      for (const unit of ['CallManager', 'TVS', 'tomcat', 'ipsec']) {
        const text = opensslText(new X509Certificate(node.certs[unit].certPem).raw);
        expect(text).toContain(`Public-Key: (${x.bits} bit)`);
        expect(text).toContain(`Signature Algorithm: ${x.sigAlg}`);
      }
    }
  });

  it('ITLRecovery: one pair for the cluster from 12.5, one per node before', () => {
    const pems = new Set(lab.nodes.map((node) => node.certs.ITLRecovery.certPem));
    expect(pems.size).toBe(parseInt(x.version, 10) >= 12 ? 1 : 3);
  });

  it('CAPF: on the publisher only from 14', () => {
    const major = parseInt(x.version, 10);
    expect(Object.hasOwn(lab.publisher().certs, 'CAPF')).toBe(true);
    for (const node of lab.nodes.filter((m) => !m.publisher)) expect(Object.hasOwn(node.certs, 'CAPF')).toBe(major < 14);
  });

  it('utils itl reset signs with the other key until the next Tftp restart', async () => {
    const pubItlSigner = x.itlSigner('cucm-pub');
    const other = pubItlSigner.startsWith('CN=ITLRECOVERY_') ? CM('cucm-pub') : RECOVERY('cucm-pub');
    await lab.mutate(() => lab.resetItl());
    for (const node of lab.nodes) {
      const list = judge(lab.readTftp(node, 'ITLFile.tlv')!, certOf);
      expect(list.signerName).toBe(other);
    }
    const sub = lab.node('cucm-sub1')!;
    await lab.mutate(() => lab.restartService(sub, findService(sub.services, TFTP)!));
    expect(judge(lab.readTftp(sub, 'ITLFile.tlv')!, certOf).signerName).toBe(x.itlSigner('cucm-sub1'));
    // the publisher keeps the reset ITL until its own Tftp restarts
    expect(parseTrustListStrict(lab.readTftp(lab.publisher(), 'ITLFile.tlv')!).signerName).toBe(other);
  });
});

describe('versions and builds', () => {
  it('a full build string picks its profile and is what the lab reports', async () => {
    const lab = await seededLab({ topology: { version: '12.5.1.13900-152', nodes: 1 } });
    try {
      expect(lab.state.version).toBe('12.5.1.13900-152');
      expect(lab.state.profile).toBe('12.5');
      const list = parseTrustListStrict(lab.readTftp(lab.publisher(), 'ITLFile.tlv')!);
      expect(list.signerName).toBe(RECOVERY('cucm-pub'));
    } finally {
      cleanup(lab);
    }
  });

  it('the default lab stays 10.5.1.10000-7', async () => {
    const lab = await seededLab({ topology: { nodes: 1 } });
    try {
      expect(lab.state.version).toBe('10.5.1.10000-7');
      expect(lab.state.profile).toBe('10.5');
    } finally {
      cleanup(lab);
    }
  });

  it('LabOptions.version makes a lab of that release; naming another for an existing lab is refused', async () => {
    const dataDir = tempDir();
    try {
      // named labs are made by `lab create` only; opening one that is not there is refused
      await expect(openOrCreateLab({ dataDir, lab: 'v14', version: '14', seed: 2 })).rejects.toThrow("no lab 'v14'");
      const lab = await createNamedLab({ dataDir, lab: 'v14', version: '14', seed: 2 });
      expect([lab.state.version, lab.state.profile]).toEqual(['14.0.1.12900-161', '14']);
      lab.close();
      const again = await openOrCreateLab({ dataDir, lab: 'v14', version: '14' });
      expect(again.created).toBe(false);
      again.lab.close();
      await expect(openOrCreateLab({ dataDir, lab: 'v14', version: '12.5' })).rejects.toThrow(
        "the lab 'v14' runs CUCM 14.0.1.12900-161; --version only applies when a lab is created ('cucm-sim lab create NAME --version 12.5' makes another)",
      );
      await expect(createNamedLab({ dataDir, lab: 'other', version: 'ten' })).rejects.toThrow(
        "unknown CUCM version 'ten' (use 10.5, 10.5(2), 11.5, 12.5, 14, 15 or a build such as 12.5.1.16900-48)",
      );
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('an unknown release is refused in one line', async () => {
    await expect(seededLab({ topology: { version: '9.1' } })).rejects.toThrow(/^topology: unknown CUCM version '9\.1' \(use 10\.5, 10\.5\(2\), 11\.5, 12\.5, 14, 15 or a build such as 12\.5\.1\.16900-48\)$/);
  });
});
