// What users see per release profile: the build and OS strings of show version active, show status and
// show hardware; the utils ctl dialogs of 10.x and of 11.x and later (whole, against the literals of
// shared/reference/versions.md §2, cucm-cli.md §3.3 and seed 002); the Smart Licensing refusal; the
// certificate units (ECDSA from 11.x, CAPF on the publisher only from 14); set cert regen's after-text
// on 14+; utils ctl reset localkey from 12.x; the lab console's profile and release-only parameters.
import { afterEach, describe, expect, it } from 'vitest';
import type { Lab } from '../state/cluster/lab.js';
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { cleanup, seededLab, tempDir, transcript } from './helpers.js';
import { requireDist } from './prerequisites.js';
import { parseCommon } from '../src/cli/args.js';
import { labRun } from './phone-helpers.js';
import { defaultRegistry } from '../commands/admin/index.js';
import { CliSession } from '../src/console/admin-console.js';
import { parseTrustList } from '../state/trust/tlv-parse.js';
import { certView } from '../state/crypto/certs.js';

const BIN = join(import.meta.dirname, '..', 'bin', 'cucm-sim.js');

const labs: Lab[] = [];
afterEach(() => {
  for (const l of labs.splice(0)) cleanup(l);
});

async function labOf(version: string, topology: Record<string, unknown> = {}): Promise<Lab> {
  const l = await seededLab({ topology: { version, nodes: 2, ...topology } });
  labs.push(l);
  return l;
}

/** Builds and OS strings as versions.md §0 lists them (the 10.5 build is the seeds' cluster). */
const RELEASES = [
  { v: '10.5', build: '10.5.1.10000-7', os: '10.0.0.0-2' },
  { v: '11.5', build: '11.5.1.12900-21', os: '6.0.0.0-2' },
  { v: '12.5', build: '12.5.1.16900-48', os: '7.0.0.0-4' },
  { v: '14', build: '14.0.1.12900-161', os: '7.0.0.0-4' },
  { v: '15', build: '15.0.1.12900-234', os: '8.0.0.0-1' },
];

describe('build and OS strings', () => {
  for (const r of RELEASES) {
    it(`${r.v}: show version active, show status and the lab console report ${r.build}`, async () => {
      const l = await labOf(r.v);
      const { text } = await transcript(l, ['show version active', 'show status']);
      expect(text).toContain(`admin:show version active\nActive Master Version: ${r.build}\nActive Version Installed Software Options:\nNo Installed Software Options Found.\n`);
      expect(text).toContain(`Product Ver        : ${r.build}\nUnified OS Version : ${r.os}\n`);
      const con = await labRun(l, ['status', 'profile']);
      expect(con.statuses).toEqual([0, 0]);
      expect(con.text).toContain(`: CUCM ${r.build}, domain lab.example, 2 nodes`);
      expect(con.text).toContain(`Release profile: ${r.v}, Unified OS ${r.os}`);
      expect(con.text).toMatch(new RegExp(`Build \\(show version active, show status\\) +${r.build.replace(/\./g, '\\.')}\n`));
    });
  }

  it('show hardware: the UCOS layout, with the OS Version line of the release (seen on 11.x and 12.5)', async () => {
    for (const [v, os] of [
      ['11.5', 'UCOS 6.0.0.0-2.i386'],
      ['12.5', 'UCOS 7.0.0.0-4.i386'],
    ]) {
      const l = await labOf(v);
      const { text, statuses } = await transcript(l, ['show hardware']);
      expect(statuses).toEqual([0]);
      const lines = text.split('\n');
      // field names and their padding as the pyATS VOS capture prints them
      expect(lines.slice(2, 10).map((x) => x.slice(0, 20))).toEqual([
        'HW Platform       : ',
        'Processors        : ',
        'Type              : ',
        'CPU Speed         : ',
        'Memory            : ',
        'Object ID         : ',
        'OS Version        : ',
        'Serial Number     : ',
      ]);
      expect(text).toContain(`\nOS Version        : ${os}\n`);
      expect(text).toContain('\nHW Platform       : VMware Virtual Machine\n');
      expect(text).toContain('\nRAID Version      :\nNo RAID controller information is available\n');
      expect(text).toContain('\n   Device Boot    Start       End   #sectors  Id  System\n/dev/sda1   *      2048  29028351   29026304  83  Linux\n/dev/sda2      29028352  58054655   29026304  83  Linux\n');
      expect(text).toMatch(/\nSerial Number     : VMware-([0-9a-f]{2} ){7}[0-9a-f]{2}-([0-9a-f]{2} ){7}[0-9a-f]{2}\n/);
    }
  });
});

// versions.md §2 / cucm-cli.md §3.3, the 10.5.1 transcript with its reconstructed line breaks
const MIXED_10 = `admin:utils ctl set-cluster mixed-mode
This operation sets the cluster to Mixed mode. Do you want to continue? (y/n):y

Moving Cluster to Mixed Mode
Cluster set to Mixed Mode
Please Restart the TFTP and Cisco CallManager services on all nodes in the cluster that run these services
`;

// versions.md §2, the 11.x/12.x-era transcript (up to the next prompt): two spaces after "Mixed mode.", a trailing space after "CTL file."
const MIXED_11_AUTOREG = `admin:utils ctl set-cluster mixed-mode
This operation will set the cluster to Mixed mode.  Auto-registration is enabled on at least one CM node. Do you want to continue? (y/n): y
Moving Cluster to Mixed Mode
Cluster set to Mixed Mode
You must reset all phones to ensure they received the updated CTL file. 
You must restart Cisco CTIManager services on all the nodes in the cluster that have the service activated.
`;

// the same without auto-registration: seed 002's question line
const MIXED_11 = `admin:utils ctl set-cluster mixed-mode
This operation will set the cluster to Mixed mode. Do you want to continue? (y/n):y
Moving Cluster to Mixed Mode
Cluster set to Mixed Mode
You must reset all phones to ensure they received the updated CTL file. 
You must restart Cisco CTIManager services on all the nodes in the cluster that have the service activated.
`;

// seed 002's question and layout; the advice of the 11.x family (inferred for update CTLFile)
const UPDATE_11 = `admin:utils ctl update CTLFile
This operation will update the CTLFile. Do you want to continue? (y/n):y

Updating CTL file
CTL file Updated
You must reset all phones to ensure they received the updated CTL file. 
You must restart Cisco CTIManager services on all the nodes in the cluster that have the service activated.
`;

const UPDATE_10 = `admin:utils ctl update CTLFile
This operation updates the CTLFile. Do you want to continue? (y/n):y

Updating CTL file
CTL file Updated
Please Restart the TFTP and Cisco CallManager services on all nodes in the cluster that run these services
`;

describe('utils ctl dialogs per release', () => {
  it('10.5: "sets the cluster", restarts of Tftp and CallManager', async () => {
    const l = await labOf('10.5');
    const { text } = await transcript(l, ['utils ctl set-cluster mixed-mode', 'utils ctl update CTLFile'], { answers: ['y', 'y'] });
    expect(text).toBe(MIXED_10 + UPDATE_10);
  });

  for (const v of ['11.5', '12.5', '14', '15']) {
    it(`${v}: "will set the cluster", the auto-registration sentence only when it is on`, async () => {
      const plain = await labOf(v);
      const a = await transcript(plain, ['utils ctl set-cluster mixed-mode', 'utils ctl update CTLFile'], { answers: ['y', 'y'] });
      expect(a.text).toBe(MIXED_11 + UPDATE_11);

      const auto = await labOf(v);
      expect((await labRun(auto, ['params set auto-registration True'])).statuses).toEqual([0]);
      const b = await transcript(auto, ['utils ctl set-cluster mixed-mode'], { answers: [' y'] });
      expect(b.text).toBe(MIXED_11_AUTOREG);
    });
  }

  it('10.5 and 11.5 have no auto-registration sentence in their own wording either way', async () => {
    const l = await labOf('10.5');
    await labRun(l, ['params set auto-registration True']);
    const { text } = await transcript(l, ['utils ctl set-cluster mixed-mode'], { answers: ['y'] });
    expect(text).toBe(MIXED_10);
  });

  it('12.5+: without export-controlled functionality set-cluster mixed-mode and update CTLFile refuse; 11.5 has no such gate', async () => {
    const l = await labOf('12.5');
    expect((await labRun(l, ['params set export-controlled False'])).statuses).toEqual([0]);
    const r = await transcript(l, ['utils ctl set-cluster mixed-mode', 'utils ctl update CTLFile']);
    expect(r.statuses).toEqual([1, 1]);
    expect(r.text.split('The system is not registered with Smart Licensing with export-controlled functionality allowed.').length).toBe(3);
    expect(l.state.params.clusterSecurityMode).toBe(0);
    expect(l.readTftp(l.publisher(), 'CTLFile.tlv')).toBeUndefined();

    const old = await labOf('11.5');
    const refused = await labRun(old, ['params set export-controlled False']);
    expect(refused.statuses).toEqual([1]);
    expect(refused.text).toContain("Smart Licensing's export-controlled functionality gates mixed mode from CUCM 12.5; this lab runs 11.5(1).");
  });

  it('utils ctl reset localkey exists from 12.x: its CTL is signed by CallManager and lists the current ITLRecovery', async () => {
    for (const v of ['10.5', '11.5']) {
      const l = await labOf(v);
      expect(defaultRegistry(l).resolve('utils ctl reset localkey').kind).not.toBe('command');
      expect(new CliSession({ lab: l, node: l.publisher() }).question('utils ctl ').join(' ')).not.toContain('reset');
    }
    const l = await labOf('12.5');
    expect(defaultRegistry(l).resolve('utils ctl reset localkey').kind).toBe('command');
    expect(new CliSession({ lab: l, node: l.publisher() }).question('utils ctl ').join(' ')).toContain('reset*');
    const r = await transcript(l, ['utils ctl set-cluster mixed-mode', 'utils ctl reset localkey', 'show ctl'], { answers: ['y', 'y'] });
    expect(r.statuses).toEqual([0, 0, 0]);
    expect(r.text).toContain(
      'admin:utils ctl reset localkey\nThis operation will reset the CTL file and sign it with the CallManager key. Do you want to continue? (y/n):y\nResetting CTL file\nCTL file reset successfully, signed with the CallManager key\nYou must reset all phones to ensure they received the updated CTL file. \nYou must restart Cisco CallManager and Cisco CTIManager services on all the nodes in the cluster that have the services activated.\n',
    );
    // the CTL shown after the reset is signed by the publisher's CallManager certificate
    const shown = r.text.slice(r.text.lastIndexOf('admin:show ctl'));
    expect(shown).toMatch(/SIGNERNAME\s+\d+\s+CN=cucm-pub\.lab\.example;/);
    const parsed = parseTrustList(l.readTftp(l.publisher(), 'CTLFile.tlv')!);
    if (!parsed.ok) throw new Error(parsed.error);
    const pub = l.publisher().certs;
    expect(parsed.list.signerSerial.equals(certView(pub.CallManager.certPem).serial)).toBe(true);
    expect(parsed.list.records.some((rec) => rec.serial?.equals(certView(pub.ITLRecovery.certPem).serial))).toBe(true);
    // every node got the same file
    expect(l.readTftp(l.node('cucm-sub1')!, 'CTLFile.tlv')!.equals(l.readTftp(l.publisher(), 'CTLFile.tlv')!)).toBe(true);
    const sub = await transcript(l, ['utils ctl reset localkey'], { node: 'cucm-sub1', answers: ['y'] });
    expect(sub.statuses).toEqual([1]);
  });
});

describe('certificate units and set cert regen per release', () => {
  const BASE = ['CallManager', 'TVS', 'CAPF', 'ITLRecovery', 'tomcat', 'ipsec'];
  const own = (units: string[]) => units.map((u) => `${u}/${u}.pem: Self-signed certificate generated by system`).join('\n');

  it('10.5 has no ECDSA units; 11.5 lists CallManager-ECDSA and tomcat-ECDSA', async () => {
    const ten = await labOf('10.5');
    expect((await transcript(ten, ['show cert list own'])).text).toBe(`admin:show cert list own\n${own(BASE)}\n`);
    const r = await transcript(ten, ['set cert regen CallManager-ECDSA']);
    expect(r.statuses).toEqual([1]);
    expect(r.text).toContain('Invalid unit name CallManager-ECDSA. The valid units are: CallManager, TVS, CAPF, ITLRecovery, tomcat, ipsec');

    const eleven = await labOf('11.5');
    expect((await transcript(eleven, ['show cert list own'])).text).toBe(`admin:show cert list own\n${own([...BASE, 'CallManager-ECDSA', 'tomcat-ECDSA'])}\n`);
    // the ? help of the release (the 10.5 line is in test/golden/help.txt)
    expect(new CliSession({ lab: eleven, node: eleven.publisher() }).question('set cert regen')).toContain(
      'unit-name   mandatory   CallManager|TVS|CAPF|ITLRecovery|tomcat|ipsec|CallManager-ECDSA|tomcat-ECDSA',
    );
    const regen = await transcript(eleven, ['set cert regen tomcat-ECDSA'], { answers: ['yes'] });
    expect(regen.statuses).toEqual([0]);
    expect(regen.text).toContain('\nSuccessfully Regenerated Certificate for tomcat-ECDSA.\n');
  });

  it('CAPF is on every CallManager node up to 12.5 and on the publisher only from 14', async () => {
    const twelve = await labOf('12.5');
    expect((await transcript(twelve, ['show cert list own'], { node: 'cucm-sub1' })).text).toContain('CAPF/CAPF.pem');
    for (const v of ['14', '15']) {
      const l = await labOf(v);
      const sub = await transcript(l, ['show cert list own', 'set cert regen CAPF'], { node: 'cucm-sub1' });
      expect(sub.text).not.toContain('CAPF/CAPF.pem');
      expect(sub.statuses).toEqual([0, 1]);
      expect(sub.text).toContain('Invalid unit name CAPF. The valid units are: CallManager, TVS, ITLRecovery, tomcat, ipsec, CallManager-ECDSA, tomcat-ECDSA');
      expect((await transcript(l, ['show cert list own'])).text).toContain('CAPF/CAPF.pem');
    }
  });

  it('12.5+: ITLRecovery is regenerated on the publisher only', async () => {
    const l = await labOf('12.5');
    const r = await transcript(l, ['set cert regen ITLRecovery'], { node: 'cucm-sub1', answers: ['yes'] });
    expect(r.statuses).toEqual([1]);
    expect(r.text).toContain('ITLRecovery certificate can be regenerated only on the publisher node.');
  });

  it('14+: TVS restarts by itself after set cert regen TVS; before 14 the CLI asks for the restart', async () => {
    const twelve = await labOf('12.5');
    const a = await transcript(twelve, ['set cert regen TVS'], { answers: ['yes'] });
    expect(a.text).toContain('\nSuccessfully Regenerated Certificate for TVS.\nPlease do a backup of the server as soon as possible. Failure to do so can stale the cluster in case of a crash.\nYou must restart services related to TVS for the regenerated certificates to become active.\n');
    for (const v of ['14', '15']) {
      const l = await labOf(v);
      const b = await transcript(l, ['set cert regen TVS'], { answers: ['yes'] });
      expect(b.text).toContain('\nSuccessfully Regenerated Certificate for TVS.\nPlease do a backup of the server as soon as possible. Failure to do so can stale the cluster in case of a crash.\nThe services related to TVS were restarted automatically.\n');
      expect(l.pendingRestarts(l.publisher())).not.toContain('Cisco Trust Verification Service');
    }
  });
});

describe('lab console: Phone Interaction on Certificate Update', () => {
  it('is set and shown on 14 and 15', async () => {
    for (const v of ['14', '15']) {
      const l = await labOf(v);
      const before = await labRun(l, ['params show']);
      expect(before.text).toMatch(/Phone Interaction on Certificate Update +Reset Phones Automatically +phone-interaction-on-certificate-update\n/);
      const set = await labRun(l, ['params set phone-interaction-on-certificate-update manual', 'params show', 'profile']);
      expect(set.statuses).toEqual([0, 0, 0]);
      expect(set.text).toContain('Phone Interaction on Certificate Update = Reset Phones Manually\n');
      expect(set.text).toMatch(/Phone Interaction on Certificate Update +Reset Phones Manually +phone-interaction-on-certificate-update\n/);
      expect(l.state.params.phoneInteraction).toBe('manual');
      const bad = await labRun(l, ['params set phone-interaction-on-certificate-update sometimes']);
      expect(bad.statuses).toEqual([1]);
    }
  });

  it('is refused with one clear line before 14', async () => {
    for (const [v, label] of [
      ['10.5', '10.5(1)'],
      ['11.5', '11.5(1)'],
      ['12.5', '12.5(1)SU6'],
    ]) {
      const l = await labOf(v);
      const r = await labRun(l, ['params set phone-interaction-on-certificate-update manual', 'params show']);
      expect(r.statuses).toEqual([1, 0]);
      expect(r.text).toContain(`Phone Interaction on Certificate Update exists from CUCM 14; this lab runs ${label}.`);
      expect(r.text.slice(r.text.indexOf('lab>params show'))).not.toContain('Phone Interaction');
      expect(l.state.params.phoneInteraction).toBeUndefined();
    }
  });
});

describe('--version on the command line', () => {
  it('creates the lab with that release; a lab that exists refuses it', () => {
    requireDist();
    expect(parseCommon(['--version', '12.5', '--lab', 'x']).flags.version).toBe('12.5');
    const home = tempDir();
    try {
      const run = (args: string[], input: string) => spawnSync('node', [BIN, '--data-dir', home, ...args], { input, encoding: 'utf8' });
      const created = run(['lab', 'create', 'v14', '--version', '14', '--seed', '1'], '');
      expect(created.stderr).toBe('');
      expect(created.status).toBe(0);
      const made = run(['--lab', 'v14'], 'show version active\n');
      expect(made.stderr).toBe('');
      expect(made.stdout).toContain('Active Master Version: 14.0.1.12900-161\n');
      const again = run(['--lab', 'v14', '--version', '12.5'], 'show version active\n');
      expect(again.status).not.toBe(0);
      expect(again.stderr).toContain('--version only applies when a lab is created');
      const bad = run(['lab', 'create', 'v9', '--version', '9.1'], '');
      expect(bad.status).not.toBe(0);
      expect(bad.stderr).toContain("unknown CUCM version '9.1'");
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  }, 60_000);
});

describe('lab console: refresh-upgrade (Field Notice 70613)', () => {
  it('refuses on builds without the defect; on 12.5(1)SU1 regenerates ITLRecovery and leaves the CTL as it was', async () => {
    for (const v of ['12.5', '10.5', '14']) {
      const l = await labOf(v);
      const r = await labRun(l, ['refresh-upgrade']);
      expect(r.statuses).toEqual([1]);
      expect(r.text).toContain('does not have the defect of Field Notice 70613: only 12.5 builds below 12.5(1)SU3 (12.5.1.13900-152) do.');
    }
    const l = await labOf('12.5.1.11900-57');
    await transcript(l, ['utils ctl set-cluster mixed-mode'], { answers: ['y'] });
    const ctl = l.readTftp(l.publisher(), 'CTLFile.tlv')!;
    const before = l.publisher().certs.ITLRecovery.certPem;
    const r = await labRun(l, ['refresh-upgrade', 'profile']);
    expect(r.statuses).toEqual([0, 0]);
    expect(r.text).toContain('Refresh upgrade to CUCM 12.5.1.11900-57 done: the upgrade regenerated the ITLRecovery pair (Field Notice 70613) and every node rebooted.');
    expect(r.text).toContain("Lab 'default' runs CUCM 12.5.1.11900-57 (profile 12.5, modelled on 12.5(1)SU6).");
    expect(r.text).toContain('Build 12.5.1.11900-57 is below 12.5(1)SU3: a refresh upgrade to it regenerates ITLRecovery (Field Notice 70613).');
    expect(l.publisher().certs.ITLRecovery.certPem).not.toBe(before);
    // one pair for the cluster: every node has the new one
    for (const n of l.nodes) expect(n.certs.ITLRecovery.certPem).toBe(l.publisher().certs.ITLRecovery.certPem);
    for (const n of l.nodes) expect(l.readTftp(n, 'CTLFile.tlv')!.equals(ctl)).toBe(true);
  });
});
