// Every certificate the lab makes must load in strict parsers, not only in forgiving ones: node's
// X509Certificate and OpenSSL judge the DER, and the string types of every name are checked
// against X.680 (a PrintableString may not hold '_', which Go, Python cryptography and phones refuse).
// Expected values: seed 002 (DN order, 32-digit serials, SHA1withRSA at install, SHA256withRSA after
// a regeneration, 1825 days minus a second) and the real CUCM CTL sample.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { execFileSync } from 'node:child_process';
import { createHash, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseTrustList } from '../state/trust/tlv-parse.js';
import { p12Password } from '../state/crypto/pkcs12.js';
import type { Lab } from '../state/cluster/lab.js';
import { seededLab, cleanup, transcript } from './helpers.js';
import { requireTool } from './prerequisites.js';

const SAMPLE = join(__dirname, 'fixtures', 'cucm-real-CTLFile.tlv');
const UNITS = ['CallManager', 'TVS', 'CAPF', 'ITLRecovery', 'tomcat', 'ipsec'];
// X.680 PrintableString alphabet
const PRINTABLE = /^[A-Za-z0-9 '()+,\-./:=?]*$/;
const NAME_STRING_TYPES = new Set(['PRINTABLESTRING', 'UTF8STRING', 'T61STRING', 'IA5STRING', 'BMPSTRING']);

let openssl: string;
beforeAll(() => {
  openssl = requireTool('openssl', 'openssl');
});

interface Verdict {
  x: X509Certificate;
  /** openssl's RFC 2253 subject (reverse of the DER order) */
  subject: string;
  serial: string;
  signatureAlgorithm: string;
  /** the attribute types of the subject in DER order, with their string types */
  subjectTypes: Array<{ attr: string; type: string; value: string }>;
}

const verdicts = new Map<string, Verdict>();

/** Judges one DER certificate with node and OpenSSL; throws naming `what` when either refuses it. */
function strict(der: Buffer, what: string): Verdict {
  const key = createHash('sha256').update(der).digest('hex');
  const hit = verdicts.get(key);
  if (hit) return hit;
  let x: X509Certificate;
  try {
    x = new X509Certificate(der);
  } catch (e) {
    throw new Error(`${what}: node's X509Certificate refuses it: ${(e as Error).message}`);
  }
  expect(x.raw.equals(der), `${what}: node reads the same bytes`).toBe(true);
  const run = (args: string[]) => {
    try {
      return execFileSync(openssl, args, { input: der, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] });
    } catch (e) {
      throw new Error(`${what}: openssl ${args[0]} refuses it: ${(e as { stderr?: string }).stderr ?? e}`);
    }
  };
  const out = run(['x509', '-inform', 'DER', '-noout', '-subject', '-nameopt', 'RFC2253', '-serial']);
  const subject = /^subject=(.*)$/m.exec(out)?.[1] ?? '';
  const serial = /^serial=(.*)$/m.exec(out)?.[1] ?? '';
  const text = run(['x509', '-inform', 'DER', '-noout', '-text', '-certopt', 'no_pubkey,no_sigdump,no_extensions']);
  const signatureAlgorithm = /Signature Algorithm: (\S+)/.exec(text)?.[1] ?? '';
  const asn = run(['asn1parse', '-inform', 'DER']).split('\n');
  // every name string in the certificate (issuer and subject): a known type, and PrintableString only
  // with its alphabet
  const strings: Array<{ attr: string; type: string; value: string }> = [];
  for (let i = 0; i + 1 < asn.length; i++) {
    const obj = /prim: OBJECT\s+:(\S+)$/.exec(asn[i]);
    const val = /prim: (\w+)\s+:(.*)$/.exec(asn[i + 1]);
    if (!obj || !val || !/^(commonName|countryName|organizationName|organizationalUnitName|localityName|stateOrProvinceName)$/.test(obj[1])) continue;
    strings.push({ attr: obj[1], type: val[1], value: val[2] });
  }
  for (const s of strings) {
    expect(NAME_STRING_TYPES.has(s.type), `${what}: ${s.attr} is a ${s.type}`).toBe(true);
    if (s.type === 'PRINTABLESTRING') expect(s.value, `${what}: ${s.attr} PrintableString holds only its alphabet`).toMatch(PRINTABLE);
  }
  // issuer first, then subject: the second half is the subject
  const v: Verdict = { x, subject, serial, signatureAlgorithm, subjectTypes: strings.slice(strings.length / 2) };
  verdicts.set(key, v);
  return v;
}

const ABBR: Record<string, string> = { countryName: 'C', organizationName: 'O', organizationalUnitName: 'OU', commonName: 'CN', stateOrProvinceName: 'ST', localityName: 'L' };

/** What seed 002 shows for a CUCM 10.5 self-signed certificate. */
function expectCucmLayout(v: Verdict, what: string, regenerated: boolean): void {
  // Java prints L, ST, CN, OU, O, C: the DER order is C, O, OU, CN, ST, L
  expect(v.subjectTypes.map((s) => ABBR[s.attr]), `${what}: subject order`).toEqual(['C', 'O', 'OU', 'CN', 'ST', 'L']);
  expect(v.subject.split(/(?<!\\),/).map((p) => p.split('=')[0]), `${what}: RFC 2253 order`).toEqual(['L', 'ST', 'CN', 'OU', 'O', 'C']);
  for (const s of v.subjectTypes) expect(s.type, `${what}: ${s.attr} '${s.value}'`).toBe(PRINTABLE.test(s.value) ? 'PRINTABLESTRING' : 'UTF8STRING');
  expect(v.serial, `${what}: serial`).toMatch(/^[0-9A-F]{32}$/);
  expect(v.x.issuer, `${what}: self-signed`).toBe(v.x.subject);
  expect(v.x.verify(v.x.publicKey), `${what}: signature`).toBe(true);
  expect(v.signatureAlgorithm, what).toBe(regenerated ? 'sha256WithRSAEncryption' : 'sha1WithRSAEncryption');
  expect(v.x.publicKey.asymmetricKeyDetails?.modulusLength, what).toBe(regenerated ? 2048 : 1024);
  // 5 years of 365 days, ending a second early (Jun 05 18:31:39 2014 → Jun 04 18:31:38 2019)
  expect(Date.parse(v.x.validTo) - Date.parse(v.x.validFrom), `${what}: validity`).toBe(1825 * 86_400_000 - 1000);
}

function derOf(pem: string): Buffer {
  return new X509Certificate(pem).raw;
}

/** Every certificate inside every trust file on every node, checked strictly. */
function checkTrustFiles(lab: Lab, label: string): number {
  let n = 0;
  for (const node of lab.nodes) {
    for (const file of ['ITLFile.tlv', 'CTLFile.tlv']) {
      const data = lab.readTftp(node, file);
      if (!data) continue;
      const r = parseTrustList(data);
      if (!r.ok) throw new Error(`${label} ${node.name}/${file}: ${r.error}`);
      r.list.records.forEach((rec, i) => {
        if (!rec.certificate) return;
        strict(rec.certificate, `${label} ${node.name}/${file} record ${i + 1} (${rec.subjectName})`);
        n++;
      });
    }
  }
  return n;
}

function checkP12(lab: Lab, what: string): void {
  const p12 = lab.readTftp(lab.publisher(), 'ITLRecovery.p12');
  if (!p12) throw new Error(`${what}: no ITLRecovery.p12 on the publisher`);
  const pass = p12Password(lab.state.accounts.securityPassword);
  let pem: string;
  try {
    // OpenSSL 3 opens forge's 3DES bags with its default provider; -legacy is needed only for RC2
    pem = execFileSync(openssl, ['pkcs12', '-nokeys', '-passin', `pass:${pass}`], { input: p12, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] });
  } catch (e) {
    throw new Error(`${what}: openssl pkcs12 refuses ITLRecovery.p12: ${(e as { stderr?: string }).stderr ?? e}`);
  }
  const inBag = derOf(pem.slice(pem.indexOf('-----BEGIN CERTIFICATE-----')));
  expect(inBag.equals(derOf(lab.publisher().certs.ITLRecovery.certPem)), `${what}: the bag holds the ITLRecovery certificate byte for byte`).toBe(true);
  const v = strict(inBag, `${what}: ITLRecovery.p12`);
  expect(v.subjectTypes.find((s) => s.attr === 'commonName')).toEqual({ attr: 'commonName', type: 'UTF8STRING', value: `ITLRECOVERY_${lab.fqdn(lab.publisher())}` });
}

const labs: Lab[] = [];
afterAll(() => labs.forEach(cleanup));

describe('certificates the lab makes load in strict parsers', () => {
  it('at install: every unit on every node, every trust-file certificate, ITLRecovery.p12', async () => {
    const lab = await seededLab();
    labs.push(lab);
    await transcript(lab, ['utils ctl set-cluster mixed-mode'], { answers: ['y'] });
    for (const node of lab.nodes) {
      for (const unit of UNITS) {
        const what = `install ${node.name} ${unit}`;
        expectCucmLayout(strict(derOf(node.certs[unit].certPem), what), what, false);
      }
    }
    expect(checkTrustFiles(lab, 'install')).toBeGreaterThan(10);
    checkP12(lab, 'install');
  }, 60_000);

  it('after set cert regen of every unit on every node', async () => {
    const lab = await seededLab();
    labs.push(lab);
    for (const node of lab.nodes) {
      for (const unit of UNITS) {
        const r = await transcript(lab, [`set cert regen ${unit}`], { node: node.name, answers: ['yes'] });
        expect(r.statuses, `${node.name} ${unit}: ${r.text}`).toEqual([0]);
        lab.advanceClock(6 * 60_000); // past the hold timer
      }
    }
    await transcript(lab, ['utils ctl set-cluster mixed-mode', 'utils itl reset localkey'], { answers: ['y', 'cisco123'] });
    for (const node of lab.nodes) {
      for (const unit of UNITS) {
        const what = `regenerated ${node.name} ${unit}`;
        expectCucmLayout(strict(derOf(node.certs[unit].certPem), what), what, true);
      }
    }
    expect(checkTrustFiles(lab, 'regenerated')).toBeGreaterThan(10);
    checkP12(lab, 'regenerated');
  }, 120_000);

  it('the hardware eToken CTL: token and Cisco Manufacturing CA certificates', async () => {
    const lab = await seededLab({ topology: { ctl: 'etoken' } });
    labs.push(lab);
    const et = lab.state.etokens;
    if (!et) throw new Error('an etoken topology made no eTokens');
    const ca = strict(derOf(et.caCertPem), 'eToken CA');
    for (const t of et.tokens) {
      const v = strict(derOf(t.certPem), `eToken ${t.label}`);
      expect(v.x.verify(ca.x.publicKey), `eToken ${t.label} is issued by the CA`).toBe(true);
    }
    expect(checkTrustFiles(lab, 'etoken')).toBeGreaterThan(5);
  }, 60_000);

  it('a lab named like seed 002 gives the 694-byte CallManager certificate of its CTL record', async () => {
    // seed 002: CN=cucm-1051-a-pub;OU=TAC;O=Cisco;L=Krakow;ST=Malopolska;C=PL, CERTIFICATE 694; a
    // 15-character FQDN stands for the 15-character host name
    const lab = await seededLab({ topology: { nodes: ['cucm-1051', 'cucm-1052'], domain: 'a.pub', subject: { OU: 'TAC', O: 'Cisco', L: 'Krakow', ST: 'Malopolska', C: 'PL' } } });
    labs.push(lab);
    const der = derOf(lab.publisher().certs.CallManager.certPem);
    expect(der.length).toBe(694);
    expect(strict(der, 'seed 002 names').subject).toBe('L=Krakow,ST=Malopolska,CN=cucm-1051.a.pub,OU=TAC,O=Cisco,C=PL');
  }, 60_000);
});

describe('the real CUCM CTL sample', () => {
  it('loads every certificate it carries the same strict way', () => {
    const r = parseTrustList(readFileSync(SAMPLE));
    if (!r.ok) throw new Error(r.error);
    const certs = r.list.records.filter((x) => x.certificate);
    expect(certs.length).toBe(6);
    const seen = certs.map((rec, i) => strict(rec.certificate!, `sample record ${i + 1}`));
    // the 10.x-made CAPF and ITLRecovery certificates: the layout the lab copies
    expect(seen[3].subject).toBe('L=SJ,ST=CA,CN=CAPF-2076a1a2,OU=VTG,O=Alpha,C=US');
    expect(seen[3].serial).toBe('615DD8840A63EB4119BE843E201550E0');
    expect(seen[4].subject).toBe('L=SJ,ST=CA,CN=ITLRECOVERY_gigantic-6.cisco.com,OU=CTG,O=Alpha,C=US');
    expect(seen.map((v) => v.signatureAlgorithm)).toEqual(Array(6).fill('sha1WithRSAEncryption'));
    // validity 1825 days minus one second there too
    for (const i of [3, 4, 5]) expect(Date.parse(seen[i].x.validTo) - Date.parse(seen[i].x.validFrom)).toBe(1825 * 86_400_000 - 1000);
  });
});
