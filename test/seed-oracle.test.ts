// The seeds are the oracle: every admin: transcript passage of ../shared/seeds that the emulator can
// reproduce is kept verbatim in test/fixtures/seeds/ (header: seed file and line range, twin copy), run
// on a lab set up as the seed's cluster was, and compared line by line under the one normalisation
// rule written at the top of test/seed-normalise.ts. The fixtures are never rewritten by a test run.
//
// Covered (seed file, lines: command):
//   002  72-75    show ctl (no CTL file)
//   002  85-88    run sql select paramname,paramvalue from processconfig where paramname='ClusterSecurityMode'
//   004  24-73    utils ctl set-cluster mixed-mode; show ctl          (twin 002 99-106, 125-179)
//   004  78-100   show ctl (CTL made with hardware eTokens)           (twin 002 195-220)
//   004 102-151   utils ctl update CTLFile; show ctl                  (twin 002 231-304)
//   004 160-272   show ctl, the whole listing                         (twin 002 327-476)
//   002 485-488   file delete tftp CTLFile.tlv                        (twin 004 274-277)
//   004 282-320   show ctl after the CTL Client re-signed with eTokens (twin 002 578-634)
//   004 370-420   show ctl; utils ctl update CTLFile after a CallManager regeneration (twin 002 706-760, 855-862)
//   004 436-479   show ctl signed by the regenerated certificate      (twin 002 886-941)
//   002 125-179, 195-220, 245-304, 327-476, 578-634, 706-760, 886-941  the Spanish copies of the
//                 show ctl outputs above, compared too (their garbles differ from 004's)
//   001  89-107   utils itl reset localkey
//   001 114-138   utils itl reset remotekey <host> <user> <path>
//   001 147-299   show itl before the reset
//   001 306-454   show itl after the reset
//   001 467-491   set cert regen CallManager; set cert regen TVS (hold timer refusal)
//   001 526-550   file get tftp ITLRecovery.p12 (SFTP, new host key)
//   001 567-571   show itl (the checksum lines only)
//   000 555       show itl: 'This etoken was not used to sign the ITL file.' (after a DRS restore without
//                 CallManager.pem, CSCtn50405)                        (twin 003 575)
//   000 561-562   show itl: the verification failure that ends the listing, same restore (twin 003 581, 585)
// Not covered, and why:
//   000 121-231 / 003 121-238  show itl of CUCM 8.x: a CA-signed CallManager certificate (CANAME
//                 CN=JASBURNS-AD, 10-byte serial), no SIGNATUREINFO header tags (HeaderLength 296),
//                 the CCM+TFTP function in the ITL, TVS before CAPF, no ITLRECOVERY record; the
//                 emulator models 10.x trust files with self-signed certificates only. The passage is
//                 also cut by prose and tables in both copies.
//   000 483-495 / 003 499-511  an excerpt of the same 8.x listing (record #3 is TVS there, CAPF in 10.x)
//   000 547-549 / 003 567-569  run sql over certificate/certificatetrustrolemap/typetrustrole: the
//                 query only, no output to compare
//   002  99-106, 231-238, 855-862  the same dialogs as 004 24-30, 102-107, 414-420, but the prompts
//                 read 'This operation will set ...' (the reference's 11.x-12.x start, there followed by
//                 an auto-registration sentence) and 'will update ...' (no release's); the seed's
//                 cluster is 10.5, whose wording ('sets', 'updates') 004 has
//   000, 003      phone console logs (NOT ... SECD/TFTP lines), packet captures, GUI pages, flowcharts
//   001 493-507   the same hold-timer message on the OS Administration page (GUI)
//   001  82, 521  a subscriber refusing utils itl reset / file get tftp ITLRecovery.p12: prose only
//   002/004       TVS debug traces (002 653-676, 868-880, 958-973; 004 330-353, 421-435, 487-502),
//                 phone console logs, the CTL Client's and SafeNet's dialogs (002 319-321, 536-537;
//                 004 156-157, 278-281), certificate detail pages (002 762-850), Enterprise
//                 Parameters page (002 111-116)
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdirSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { lookup } from 'node:dns/promises';
import { createLab, type TestLab } from '../src/library.js';
import { sftpTransfer } from '../src/net/sftp.js';
import type { TransferClient } from '../src/console/command.js';
import { compare, normalise, type Names } from './seed-normalise.js';
import { startSftpServer, type SftpTestServer } from './sftp-test-server.js';
import { tempDir } from './helpers.js';

const FIXTURES = join(__dirname, 'fixtures', 'seeds');

/** The fixture's seed lines without its header, and the seed line number of the first one. */
function fixture(name: string): { text: string; firstLine: number } {
  const lines = readFileSync(join(FIXTURES, name), 'utf8').split('\n');
  let i = 0;
  while (lines[i]?.startsWith('# ')) i++;
  const from = / lines (\d+)-\d+/.exec(lines[0]);
  if (!from) throw new Error(`${name}: the header does not name the seed lines`);
  return { text: lines.slice(i).join('\n'), firstLine: Number(from[1]) };
}

interface Step {
  /** the command, or a function of the previous step's output */
  cmd: string | ((previous: string) => string);
  answers?: string[];
  node?: string;
  /** a lab console command */
  lab?: boolean;
  /** run but not part of the passage (the seed did it elsewhere, e.g. on a GUI page) */
  hidden?: boolean;
}

interface Case {
  fixture: string;
  topology: Record<string, unknown>;
  seedNames: Names;
  setup?: Step[];
  steps: Step[];
  /** the seed quotes a part of the output: what it left out before and/or after */
  elided?: { before?: boolean; after?: boolean };
  sftp?: boolean;
}

const LAB_NAMES: Names = {
  nodes: { pub: ['cucm-pub.lab.example', 'cucm-pub'], sub1: ['cucm-sub1.lab.example', 'cucm-sub1'] },
  sftpHost: ['localhost'],
};

// 002/004: a two-node 10.5 cluster without a DNS domain (certificate names are bare host names; the
// emulator always has a domain, so both forms are the node's name)
const KRAKOW = { subject: { OU: 'TAC', O: 'Cisco', L: 'Krakow', ST: 'Malopolska', C: 'PL' }, nodes: ['cucm-pub', 'cucm-sub1'] };
const KRAKOW_NAMES: Names = { nodes: { pub: ['cucm-1051-a-pub'], sub1: ['cucm-1051-a-sub1'] } };

const MIXED_MODE: Step = { cmd: 'utils ctl set-cluster mixed-mode', answers: ['y'] };
const UPDATE: Step = { cmd: 'utils ctl update CTLFile', answers: ['y'] };

// 001: a two-node 10.0 cluster, domain joemar2.lab; the subscriber's TVS certificate is 2048-bit
const JOEMAR = { subject: { OU: 'tac', O: 'cisco', L: 'rtp', ST: 'nc', C: 'US' }, nodes: ['cucm-pub', 'cucm-sub1'] };
const JOEMAR_NAMES: Names = {
  nodes: { pub: ['test10pub.joemar2.lab', 'test10pub'], sub1: ['test10sub.joemar2.lab', 'test10sub'] },
  sftpHost: ['joemar2-server.cisco.com'],
};
const JOEMAR_SETUP: Step[] = [
  { cmd: 'set cert regen TVS', answers: ['yes'], node: 'cucm-sub1' },
  { cmd: 'utils service restart Cisco Trust Verification Service', node: 'cucm-sub1' },
  { cmd: 'utils service restart Cisco Tftp' },
];

// 000: the publisher restored from a DRS backup that lacks CallManager.pem (CSCtn50405)
const TWO_NODES = { nodes: ['cucm-pub', 'cucm-sub1'] };
const BBBBURNS_NAMES: Names = { nodes: { pub: ['CUCM8-Publisher.bbbburns.lab', 'CUCM8-Publisher'] } };
const RESTORED_WITHOUT_PEM: Step[] = [
  { cmd: 'drs backup without-callmanager-pem', lab: true },
  { cmd: 'drs list', lab: true },
  { cmd: (list) => `drs restore ${/\d{4}(?:-\d\d){5}/.exec(list)![0]} without-callmanager-pem`, lab: true, answers: ['yes'] },
];

const SFTP_USER = 'joemar2';
const SFTP_PASSWORD = 'sftp1';
const FILE_GET_ANSWERS = ['y', 'localhost', '', SFTP_USER, SFTP_PASSWORD, '/home/joemar2/', 'yes'];

const CASES: Case[] = [
  { fixture: '002-show-ctl-no-ctl.txt', topology: KRAKOW, seedNames: KRAKOW_NAMES, steps: [{ cmd: 'show ctl' }] },
  {
    fixture: '002-run-sql-cluster-security-mode.txt',
    topology: KRAKOW,
    seedNames: KRAKOW_NAMES,
    steps: [{ cmd: "run sql select paramname,paramvalue from processconfig where paramname='ClusterSecurityMode'" }],
  },
  {
    fixture: '004-set-cluster-mixed-mode-show-ctl.txt',
    topology: KRAKOW,
    seedNames: KRAKOW_NAMES,
    steps: [MIXED_MODE, { cmd: 'show ctl' }],
  },
  { fixture: '004-show-ctl-etoken.txt', topology: { ...KRAKOW, ctl: 'etoken' }, seedNames: KRAKOW_NAMES, steps: [{ cmd: 'show ctl' }] },
  {
    fixture: '004-update-ctlfile-show-ctl.txt',
    topology: { ...KRAKOW, ctl: 'etoken' },
    seedNames: KRAKOW_NAMES,
    steps: [UPDATE, { cmd: 'show ctl' }],
  },
  {
    // the seed's cluster went from eTokens to tokenless, then through an upgrade that kept the file
    fixture: '004-show-ctl-full.txt',
    topology: { ...KRAKOW, ctl: 'etoken' },
    seedNames: KRAKOW_NAMES,
    setup: [UPDATE],
    steps: [{ cmd: 'show ctl' }],
  },
  {
    fixture: '002-file-delete-ctlfile.txt',
    topology: { ...KRAKOW, ctl: 'etoken' },
    seedNames: KRAKOW_NAMES,
    setup: [UPDATE],
    steps: [{ cmd: 'file delete tftp CTLFile.tlv', answers: ['y'] }],
  },
  {
    // back to eTokens: the CTL file is deleted, the CTL Client (with both eTokens) writes a new one
    fixture: '004-show-ctl-after-ctl-client.txt',
    topology: { ...KRAKOW, ctl: 'etoken' },
    seedNames: KRAKOW_NAMES,
    setup: [UPDATE, { cmd: 'file delete tftp CTLFile.tlv', answers: ['y'] }, { cmd: 'ctl-client', lab: true }],
    steps: [{ cmd: 'show ctl' }],
  },
  {
    fixture: '004-show-ctl-regen-update.txt',
    topology: KRAKOW,
    seedNames: KRAKOW_NAMES,
    setup: [MIXED_MODE],
    steps: [{ cmd: 'show ctl' }, { cmd: 'set cert regen CallManager', answers: ['yes'], hidden: true }, UPDATE],
  },
  {
    fixture: '004-show-ctl-after-regen.txt',
    topology: KRAKOW,
    seedNames: KRAKOW_NAMES,
    setup: [MIXED_MODE, { cmd: 'set cert regen CallManager', answers: ['yes'] }, UPDATE],
    steps: [{ cmd: 'show ctl' }],
  },
  // the Spanish copies of the same show ctl outputs, with their own garbles
  { fixture: '002-show-ctl-after-mixed-mode.txt', topology: KRAKOW, seedNames: KRAKOW_NAMES, setup: [MIXED_MODE], steps: [{ cmd: 'show ctl' }] },
  { fixture: '002-show-ctl-etoken.txt', topology: { ...KRAKOW, ctl: 'etoken' }, seedNames: KRAKOW_NAMES, steps: [{ cmd: 'show ctl' }] },
  { fixture: '002-show-ctl-after-update.txt', topology: { ...KRAKOW, ctl: 'etoken' }, seedNames: KRAKOW_NAMES, setup: [UPDATE], steps: [{ cmd: 'show ctl' }] },
  { fixture: '002-show-ctl-full.txt', topology: { ...KRAKOW, ctl: 'etoken' }, seedNames: KRAKOW_NAMES, setup: [UPDATE], steps: [{ cmd: 'show ctl' }] },
  {
    fixture: '002-show-ctl-after-ctl-client.txt',
    topology: { ...KRAKOW, ctl: 'etoken' },
    seedNames: KRAKOW_NAMES,
    setup: [UPDATE, { cmd: 'file delete tftp CTLFile.tlv', answers: ['y'] }, { cmd: 'ctl-client', lab: true }],
    steps: [{ cmd: 'show ctl' }],
  },
  { fixture: '002-show-ctl-before-regen.txt', topology: KRAKOW, seedNames: KRAKOW_NAMES, setup: [MIXED_MODE], steps: [{ cmd: 'show ctl' }] },
  {
    fixture: '002-show-ctl-after-regen.txt',
    topology: KRAKOW,
    seedNames: KRAKOW_NAMES,
    setup: [MIXED_MODE, { cmd: 'set cert regen CallManager', answers: ['yes'] }, UPDATE],
    steps: [{ cmd: 'show ctl' }],
  },
  { fixture: '001-utils-itl-reset-localkey.txt', topology: JOEMAR, seedNames: JOEMAR_NAMES, setup: JOEMAR_SETUP, steps: [{ cmd: 'utils itl reset localkey', answers: ['cisco123'] }] },
  {
    fixture: '001-utils-itl-reset-remotekey.txt',
    topology: JOEMAR,
    seedNames: JOEMAR_NAMES,
    sftp: true,
    setup: [...JOEMAR_SETUP, { cmd: 'file get tftp ITLRecovery.p12', answers: FILE_GET_ANSWERS }],
    steps: [{ cmd: `utils itl reset remotekey localhost ${SFTP_USER} /home/joemar2/ITLRecovery.p12`, answers: [SFTP_PASSWORD, 'cisco123'] }],
  },
  { fixture: '001-show-itl-before-reset.txt', topology: JOEMAR, seedNames: JOEMAR_NAMES, setup: JOEMAR_SETUP, steps: [{ cmd: 'show itl' }] },
  {
    fixture: '001-show-itl-after-reset.txt',
    topology: JOEMAR,
    seedNames: JOEMAR_NAMES,
    setup: [...JOEMAR_SETUP, { cmd: 'utils itl reset localkey', answers: ['cisco123'] }],
    steps: [{ cmd: 'show itl' }],
  },
  {
    fixture: '001-set-cert-regen-hold-timer.txt',
    topology: JOEMAR,
    seedNames: JOEMAR_NAMES,
    steps: [{ cmd: 'set cert regen CallManager', answers: ['yes'] }, { cmd: 'set cert regen TVS' }],
  },
  { fixture: '001-file-get-itlrecovery.txt', topology: JOEMAR, seedNames: JOEMAR_NAMES, sftp: true, steps: [{ cmd: 'file get tftp ITLRecovery.p12', answers: FILE_GET_ANSWERS }] },
  { fixture: '001-show-itl-checksum.txt', topology: JOEMAR, seedNames: JOEMAR_NAMES, setup: JOEMAR_SETUP, steps: [{ cmd: 'show itl' }], elided: { after: true } },
  { fixture: '000-show-itl-etoken-not-used.txt', topology: TWO_NODES, seedNames: BBBBURNS_NAMES, setup: RESTORED_WITHOUT_PEM, steps: [{ cmd: 'show itl' }], elided: { before: true, after: true } },
  { fixture: '000-show-itl-verification-failed.txt', topology: TWO_NODES, seedNames: BBBBURNS_NAMES, setup: RESTORED_WITHOUT_PEM, steps: [{ cmd: 'show itl' }], elided: { before: true } },
];

let sftp: SftpTestServer;
let sftpRoot: string;
beforeAll(async () => {
  sftpRoot = tempDir('cucm-sim-seed-sftp-');
  mkdirSync(join(sftpRoot, 'home', 'joemar2'), { recursive: true });
  sftp = await startSftpServer({ root: sftpRoot, user: SFTP_USER, password: SFTP_PASSWORD });
});
afterAll(async () => {
  await sftp?.close();
  rmSync(sftpRoot, { recursive: true, force: true });
});

/** Real SFTP to the test server: the port the seed left at its default (22) is the test server's. */
function toTestServer(): TransferClient {
  const inner = sftpTransfer({ timeoutMs: 10_000 });
  const at = <T extends { port: number }>(t: T): T => ({ ...t, port: sftp.port });
  return {
    checkHost: (t, ctx) => inner.checkHost!(at(t), ctx),
    put: (t, p, d, ctx) => inner.put(at(t), p, d, ctx),
    get: (t, p, ctx) => inner.get(at(t), p, ctx),
  };
}

async function run(lab: TestLab, step: Step, previous: string): Promise<{ cmd: string; output: string; status: number }> {
  const cmd = typeof step.cmd === 'string' ? step.cmd : step.cmd(previous);
  const r = step.lab ? await lab.console().run(cmd, step.answers ?? []) : await lab.session(step.node).run(cmd, step.answers ?? []);
  return { cmd, ...r };
}

describe('seed passages reproduced by the emulator', () => {
  it('every fixture has a case and every case a fixture', () => {
    expect(readdirSync(FIXTURES).sort()).toEqual(CASES.map((c) => c.fixture).sort());
  });

  for (const c of CASES) {
    it(c.fixture, async () => {
      const lab = await createLab({ topology: c.topology, transfer: c.sftp ? toTestServer() : undefined });
      try {
        let previous = '';
        if (c.sftp) expect((await lookup('localhost')).address, 'the SFTP passages type localhost: it must resolve to the test server at 127.0.0.1').toBe('127.0.0.1');
        for (const s of c.setup ?? []) {
          const r = await run(lab, s, previous);
          // a setup step that failed would leave the lab unlike the seed's cluster
          expect(r.status, `setup: ${r.cmd}\n${r.output}`).toBe(0);
          previous = r.output;
        }
        let transcript = '';
        for (const s of c.steps) {
          const r = await run(lab, s, previous);
          previous = r.output;
          if (!s.hidden) transcript += `admin:${r.cmd}\n${r.output}`;
        }
        const f = fixture(c.fixture);
        const seed = normalise(f.text, 'seed', c.seedNames, f.firstLine);
        const emu = normalise(transcript, 'emulator', LAB_NAMES);
        const diffs = compare(seed, emu, { elidedBefore: c.elided?.before, elidedAfter: c.elided?.after });
        expect(diffs, `${c.fixture}\n${diffs.join('\n')}\n--- emulator transcript ---\n${transcript}`).toEqual([]);
      } finally {
        await lab.cleanup();
      }
    });
  }
});

describe('the normalisation rule', () => {
  const seedNames: Names = { nodes: { pub: ['test10pub.joemar2.lab', 'test10pub'] } };
  const diff = (seed: string, emu: string, opts = {}) => compare(normalise(seed, 'seed', seedNames), normalise(emu, 'emulator', LAB_NAMES), opts);

  it('sets aside layout, names, wraps and per-system values', () => {
    const seed = [
      '```',
      'admin:show itl',
      'ITL Record #:1',
      '3 SUBJECTNAME 57 CN=test10pub.joemar2.lab;OU=tac;O=cisco;L=rtp;',
      'ST=nc;C=US',
      '5 ISSUERNAM 57 CN=test10pub.joemar2.lab;OU=tac;O=cisco;L=rtp;ST=nc;C=US',
      '6 SERIALNUMBER 16 61:40:52:E9:1E:E9:7C:77:9B:7B:5E:81:0A:B1:46:A5',
      '9 CERTIFICATE 684 01 9C 4C 3D 27 D7 4D 82 CB B1 84 84 D4 2A 63 9F',
      '71 78 BE A9 (SHA1 Hash HEX)',
      '10 IPADDRESS 4 This etoken was used to sign the CTL file.',
      '```',
    ].join('\n');
    const emu = [
      'admin:show itl',
      '        ITL Record #:1',
      '3       SUBJECTNAME     60      CN=cucm-pub.lab.example;OU=tac;O=cisco;L=rtp;ST=nc;C=US',
      '5       ISSUERNAME      60      CN=cucm-pub.lab.example;OU=tac;O=cisco;L=rtp;ST=nc;C=US',
      '6       SERIALNUMBER    16      31:03:8E:E4:F5:DB:C5:E1:7E:E6:E9:0E:70:2A:A4:89',
      '9       CERTIFICATE     694     A4 D0 85 3A 26 63 CC A4 A5 D1 1A 60 94 38 A8 9B BE FB CD C4 (SHA1 Hash HEX)',
      '10      IPADDRESS       4',
      'This etoken was used to sign the CTL file.',
      '',
    ].join('\n');
    expect(diff(seed, emu)).toEqual([]);
  });

  it('keeps the lengths of records that name no node', () => {
    const seed = 'CTL Record #:5\n1 RECORDLENGTH 2 1186\n3 SUBJECTNAME 56 cn="SAST-ADN008580ef ";ou=IPCBU;o="Cisco Systems\n9 CERTIFICATE 902';
    expect(diff(seed, 'CTL Record #:5\n1 RECORDLENGTH 2 1186\n3 SUBJECTNAME 56 cn="SAST-ADN2127859a        ";ou=IPCBU;o="Cisco Systems\n9 CERTIFICATE 902')).toEqual([]);
    expect(diff(seed, 'CTL Record #:5\n1 RECORDLENGTH 2 793\n3 SUBJECTNAME 56 cn="SAST-ADN2127859a        ";ou=IPCBU;o="Cisco Systems\n9 CERTIFICATE 902')).not.toEqual([]);
  });

  it('reports a different word, key size, node or missing line', () => {
    expect(diff('4 FUNCTION 2 CCM+TFTP', '4       FUNCTION        2       TFTP')).not.toEqual([]);
    expect(diff('7 PUBLICKEY 140', '7       PUBLICKEY       270')).not.toEqual([]);
    expect(diff('3 SUBJECTNAME 57 CN=test10pub.joemar2.lab;OU=tac', '3 SUBJECTNAME 62 CN=cucm-sub1.lab.example;OU=tac')).not.toEqual([]);
    expect(diff('Length of CTL file: 0', 'Length of CTL file: 4947')).not.toEqual([]);
    expect(diff('Cluster set to Mixed Mode\nPlease Restart the TFTP', 'Cluster set to Mixed Mode')).not.toEqual([]);
    expect(diff('Cluster set to Mixed Mode', 'Cluster set to Mixed Mode\nPlease Restart the TFTP')).not.toEqual([]);
  });

  it('repairs garbles on the seed side only', () => {
    expect(diff('5 ISSUENAME 42 cn=Cisco Manufacturing CA', '5 ISSUERNAME 42 cn=Cisco Manufacturing CA')).toEqual([]);
    expect(diff('5 ISSUERNAME 42 cn=Cisco Manufacturing CA', '5 ISSUENAME 42 cn=Cisco Manufacturing CA')).not.toEqual([]);
  });

  it('holds per-system values to a one-to-one correspondence', () => {
    const seed = '5 SERIALNUMBER 16 61:40:52:E9:1E:E9:7C:77:9B:7B:5E:81:0A:B1:46:A5\n6 SERIALNUMBER 16 61:40:52:E9:1E:E9:7C:77:9B:7B:5E:81:0A:B1:46:A5';
    const same = '5 SERIALNUMBER 16 31:03:8E:E4:F5:DB:C5:E1:7E:E6:E9:0E:70:2A:A4:89\n6 SERIALNUMBER 16 31:03:8E:E4:F5:DB:C5:E1:7E:E6:E9:0E:70:2A:A4:89';
    const other = '5 SERIALNUMBER 16 31:03:8E:E4:F5:DB:C5:E1:7E:E6:E9:0E:70:2A:A4:89\n6 SERIALNUMBER 16 16:16:46:3D:ED:C8:1A:FF:C8:1F:84:81:3E:8F:27:1A';
    expect(diff(seed, same)).toEqual([]);
    expect(diff(seed, other)).toHaveLength(1);
    expect(diff('a Wed Feb 26 10:24:27 PST 2014\nb Wed Feb 26 10:34:46 PST 2014', 'a Mon Jan 06 09:00:00 UTC 2025\nb Mon Jan 06 09:00:00 UTC 2025')).toHaveLength(1);
  });

  it('lets an elision stand for any lines, and nothing else', () => {
    expect(diff('CTL Record #:1\n[...]\nThe CTL file was verified successfully.', 'CTL Record #:1\nx\ny\nThe CTL file was verified successfully.')).toEqual([]);
    expect(diff('CTL Record #:1\nThe CTL file was verified successfully.', 'CTL Record #:1\nx\nThe CTL file was verified successfully.')).not.toEqual([]);
    expect(diff('Error parsing the ITL file!!', 'show itl\nx\nError parsing the ITL file!!', { elidedBefore: true })).toEqual([]);
    expect(diff('Error parsing the ITL file!!', 'show itl\nError parsing the ITL file!!\nx', { elidedBefore: true })).not.toEqual([]);
  });
});
