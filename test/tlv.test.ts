// The trust-list format: build → parse → verify, the real CUCM sample, and corruption reporting.
import { describe, it, expect, afterAll } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseTrustList, verifyTrustList, signerRecord } from '../state/trust/tlv-parse.js';
import { Role } from '../state/trust/tlv.js';
import { describeTrustList } from '../commands/admin/show_trustlist.js';
import { seededLab, cleanup, transcript } from './helpers.js';
import type { Lab } from '../state/cluster/lab.js';

// a CTLFile.tlv written by a real CUCM cluster (a copy of the shared reference sample)
const SAMPLE = join(__dirname, 'fixtures', 'cucm-real-CTLFile.tlv');

const labs: Lab[] = [];
afterAll(() => labs.forEach(cleanup));

describe('real CUCM CTL sample', () => {
  it('parses with the record layout CUCM wrote and verifies its signature', () => {
    const buf = readFileSync(SAMPLE);
    const r = parseTrustList(buf);
    if (!r.ok) throw new Error(`the real sample does not parse: ${r.error}`);
    expect(r.list.headerLength).toBe(312);
    expect(r.list.version).toEqual([1, 2]);
    expect(r.list.filename).toBe('CTLFile.tlv');
    expect(r.list.records.map((x) => x.length)).toEqual([1147, 1147, 1171, 1085, 1161, 1143]);
    expect(r.list.records.map((x) => x.func)).toEqual([0, 2, 2, 4, 0, 2]);
    expect(r.list.signerName).toBe('CN=gigantic-6.cisco.com;OU=VTG;O=Alpha;L=SJ;ST=CA;C=US');
    expect(signerRecord(r.list)).toBe(r.list.records[0]);
    expect(verifyTrustList(buf, r.list)).toBe(true);
  });

  it('reports every single-byte corruption and every truncation, never throwing', () => {
    const buf = readFileSync(SAMPLE);
    const accepted = (b: Buffer) => {
      const r = parseTrustList(b);
      return r.ok && verifyTrustList(b, r.list);
    };
    const bad = Buffer.from(buf);
    for (let i = 0; i < buf.length; i++) {
      bad[i] ^= 0x5a;
      if (accepted(bad)) throw new Error(`corruption at byte ${i} went unnoticed`);
      bad[i] ^= 0x5a;
    }
    for (let n = 0; n < buf.length; n += 7) expect(accepted(buf.subarray(0, n)), `length ${n}`).toBe(false);
    // and the CLI listing reports it with CUCM's words rather than throwing
    bad[400] ^= 1;
    const rep = describeTrustList('CTL', bad, 0, 'UTC');
    expect(rep.ok).toBe(false);
    expect(rep.lines.slice(-2)).toEqual(['Verification of the CTL file failed.', 'Error parsing the CTL File.']);
    expect(describeTrustList('CTL', buf.subarray(0, 100), 0, 'UTC').lines.at(-1)).toBe('Error parsing the CTL File.');
  }, 60_000);
});

describe('trust lists the lab builds', () => {
  it('round-trips ITL and CTL: build, parse, verify with the signer record', async () => {
    const lab = await seededLab();
    labs.push(lab);
    await transcript(lab, ['utils ctl set-cluster mixed-mode'], { answers: ['y'] });
    for (const n of lab.nodes) {
      for (const f of ['ITLFile.tlv', 'CTLFile.tlv']) {
        const data = lab.readTftp(n, f)!;
        const r = parseTrustList(data);
        if (!r.ok) throw new Error(`${n.name}/${f} does not parse: ${r.error}`);
        expect(verifyTrustList(data, r.list)).toBe(true);
      }
    }
  });

  it('lays out records with the field lengths the seeds show for the same field sizes', async () => {
    // names of the same length as the seed 001 cluster: CN=test10pub.joemar2.lab;OU=tac;O=cisco;L=rtp;ST=nc;C=US
    const lab = await seededLab({
      topology: { nodes: ['test10pub', 'test10sub'], domain: 'joemar2.lab', subject: { OU: 'tac', O: 'cisco', L: 'rtp', ST: 'nc', C: 'US' } },
    });
    labs.push(lab);
    const itl = lab.readTftp(lab.publisher(), 'ITLFile.tlv')!;
    const r = parseTrustList(itl);
    if (!r.ok) throw new Error(r.error);
    const l = r.list;
    expect(l.headerLength).toBe(324); // seed 001: HeaderLength: 324 with 57-byte names
    expect(l.records.map((x) => x.func)).toEqual([Role.SAST, Role.TFTP, Role.CAPF, Role.TVS, Role.SAST, Role.TVS]);
    const certLen = (i: number) => l.records[i].certificate!.length;
    // full-certificate records: 5 + DNSNAME(3+2) + names 2*(3+57) + FUNCTION 5 + SERIAL 19 + PUBLICKEY 143 + SIGNATURE 131 + 3+cert
    expect(l.records[0].length).toBe(5 + 5 + 60 + 5 + 60 + 19 + 143 + 131 + 3 + certLen(0));
    expect(l.records[1].length).toBe(l.records[0].length);
    expect(l.records[2].length).toBe(439); // CAPF, CERTHASH form (seed: 439)
    expect(l.records[3].length).toBe(455); // TVS, CERTHASH form (seed: 455)
    const recName = l.records[4].subjectName!.length + 1;
    expect(l.records[4].length).toBe(5 + 5 + 2 * (3 + recName) + 5 + 19 + 143 + 131 + 3 + certLen(4)); // ITLRECOVERY
    expect(l.records[5].length).toBe(455);
    // after a reset the ITLRECOVERY name signs; the header grows with the name and stays 4-aligned
    // (seed 001: 66-byte name → HeaderLength 344; 57-byte name → 324)
    const headerFor = (n: number) => Math.ceil((209 + 2 * n) / 4) * 4;
    expect(headerFor(57)).toBe(324);
    expect(headerFor(66)).toBe(344);
    await transcript(lab, ['utils itl reset localkey'], { answers: ['cisco123'] });
    const reset = parseTrustList(lab.readTftp(lab.publisher(), 'ITLFile.tlv')!);
    if (!reset.ok) throw new Error(reset.error);
    expect(reset.list.headerLength).toBe(headerFor(recName));
    expect(reset.list.signerName).toMatch(/^CN=ITLRECOVERY_test10pub\.joemar2\.lab;/);
  });

  it('regenerated (2048-bit) certificates give 270-byte public keys and 256-byte signatures in the CTL', async () => {
    const lab = await seededLab();
    labs.push(lab);
    await transcript(lab, ['utils ctl set-cluster mixed-mode', 'set cert regen CallManager', 'utils ctl update CTLFile'], { answers: ['y', 'yes', 'y'] });
    const r = parseTrustList(lab.readTftp(lab.publisher(), 'CTLFile.tlv')!);
    if (!r.ok) throw new Error(r.error);
    expect(r.list.records[0].publicKey!.length).toBe(270);
    expect(r.list.records[0].certSignature!.length).toBe(256);
    expect(r.list.signature.length).toBe(256);
  });
});
