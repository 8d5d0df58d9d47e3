// Changes reach the phones only after the services the seeds name have restarted on the node that
// serves them: Cisco Tftp serves the trust files and signs with the key it loaded at its start, TVS
// presents the certificate it loaded, `show itl`/`show ctl` show the files on disk.
import { describe, it, expect, vi } from 'vitest';
import { createHash } from 'node:crypto';
import type { Lab } from '../state/cluster/lab.js';
import { labPerTest, transcript, x509Serial } from './helpers.js';
import { admin, lab as labCmd, labRun, shownMd5, phones, sbd, phone, itlMd5, ctlMd5, lastStatus, statusSince, itlSigner, expectTrust } from './phone-helpers.js';
import { resolveTftpFile } from '../state/phones/fleet.js';
import { parseSignedFile } from '../state/phones/tftpfiles.js';
import { installedLists } from '../state/phones/trustlists.js';
import { Role } from '../state/trust/tlv.js';
import { readLabFile } from '../state/cluster/labfile.js';
import { servedTrustFile, tvsPresented } from '../state/cluster/running.js';

vi.setConfig({ testTimeout: 30000 });

const YES = ['yes'];
const RESTART_TFTP = 'utils service restart Cisco Tftp';
const RESTART_TVS = 'utils service restart Cisco Trust Verification Service';
const RESTART_CM = 'utils service restart Cisco CallManager';
// seeds 002/004
const RESTART_ADVICE = 'Please Restart the TFTP and Cisco CallManager services on all nodes in the cluster that run these services';

const newLab = labPerTest();

/** Seeds 002/004: Tftp and CallManager restarted on every node that runs them. */
async function restartTftpAndCallManager(l: Lab, only?: string[]): Promise<void> {
  for (const n of l.nodes) {
    if (only && !only.includes(n.name)) continue;
    const lines = [...(n.tftp ? [RESTART_TFTP] : []), ...(n.callmanager ? [RESTART_CM] : [])];
    if (lines.length) await admin(l, lines, { node: n.name });
  }
}

/** MD5s of the ITL and CTL each phone has installed, to show that nothing changed. */
function installed(l: Lab): Record<string, [string | undefined, string | undefined]> {
  return Object.fromEntries(phones(l).map((p) => [p.name, [itlMd5(p), ctlMd5(p)]]));
}

/** Serial of the signer of the signed configuration file the node's Tftp hands out. */
function configSigner(l: Lab, node: string, phoneName: string): Buffer {
  const sgn = resolveTftpFile(l, l.node(node)!, `${phoneName}.cnf.xml.sgn`)!;
  return parseSignedFile(sgn)!.list.signerSerial;
}

function itlRecoverySerial(l: Lab, name: string): Buffer | undefined {
  const itl = installedLists(l, phone(l, name)).itl;
  return itl?.records.find((r) => r.func === Role.SAST && r.subjectName?.startsWith('CN=ITLRECOVERY_'))?.serial;
}

describe('A: CallManager regenerated alone', () => {
  it('phones see nothing new until TVS and Tftp restart, then recover through TVS', async () => {
    const l = await newLab();
    const pub = l.publisher();
    const oldCm = pub.certs.CallManager.certPem;
    const before = installed(l);
    const itl0 = await shownMd5(l, 'itl');
    const p = phones(l, (x) => sbd(x) && x.tftpNode === pub.name)[0];
    await admin(l, ['set cert regen CallManager'], { answers: YES });
    // the configuration files are still signed with the key Tftp loaded
    expect(configSigner(l, pub.name, p.name)).toEqual(x509Serial(oldCm));
    await labCmd(l, ['phones reset all']);
    expect(installed(l)).toEqual(before);
    expectTrust(phones(l, sbd), 'trusted');
    expect(p.log.join('\n')).not.toContain('processTvsClntReq');
    expect(await shownMd5(l, 'itl')).toBe(itl0);

    // seeds 000/003: "regenerate CallManager.pem and restart the TVS and TFTP services"
    await admin(l, [RESTART_TVS, RESTART_TFTP]);
    expect(configSigner(l, pub.name, p.name)).toEqual(x509Serial(pub.certs.CallManager.certPem));
    const itl1 = await shownMd5(l, 'itl');
    expect(itl1).not.toBe(itl0);
    await labCmd(l, ['phones reset all']);
    const main = phones(l, (x) => sbd(x) && x.tftpNode === pub.name);
    expectTrust(main, 'trusted');
    for (const x of main) {
      expect(itlMd5(x)).toBe(itl1);
      const log = x.log.join('\n');
      expect(log).toContain('SECD: tvs_cert_vfy: TVS cert verified with hash from TL, <192.0.2.10>');
      expect(log).toContain('SECD: processTvsSrvrResponse: Authentication Response received, status : 0');
      expect(log).toContain(`SECD: verifyFile: verify SUCCESS </usr/ram/${x.name}.cnf.xml>`);
    }
  });
});

describe('B: CallManager and TVS regenerated on a one-node cluster', () => {
  it('nothing changes before the restarts; after them the phones are locked', async () => {
    const l = await newLab({ nodes: 1 });
    await admin(l, ['set cert regen CallManager'], { answers: YES });
    await labCmd(l, ['clock advance 6m']);
    await admin(l, ['set cert regen TVS'], { answers: YES });
    const before = installed(l);
    await labCmd(l, ['phones reset all']);
    expect(installed(l)).toEqual(before);
    expectTrust(phones(l, sbd), 'trusted');

    await admin(l, [RESTART_TFTP, RESTART_TVS]);
    const counts = new Map(phones(l).map((p) => [p.name, p.statusMessages.length]));
    await labCmd(l, ['phones reset all']);
    const smart = phones(l, sbd);
    expectTrust(smart, 'locked');
    for (const p of smart) {
      expect(statusSince(p, counts.get(p.name)!)).toContain('Trust List Update Failed');
      expect(itlMd5(p)).toBe(before[p.name][0]);
      const log = p.log.join('\n');
      expect(log).toContain('SECD: EROR:tvs_cert_vfy: TVS cert not found in TL, <192.0.2.10>');
      expect(log).toContain('SECD: EROR:validate_file_envelope: File sign verify FAILED');
    }
  });
});

describe('C: recovery with utils itl reset localkey', () => {
  it('restarts Cisco Tftp itself, so the next phone reset already gets the reset ITL', async () => {
    const l = await newLab({ nodes: 1 });
    await admin(l, ['set cert regen CallManager'], { answers: YES });
    await labCmd(l, ['clock advance 6m']);
    await admin(l, ['set cert regen TVS'], { answers: YES });
    await admin(l, [RESTART_TFTP, RESTART_TVS]);
    await labCmd(l, ['phones reset all']);
    const smart = phones(l, sbd);
    expectTrust(smart, 'locked');
    const out = await admin(l, ['utils itl reset localkey'], { answers: ['cisco123'] });
    // seed 001
    expect(out).toContain('The reset ITL file was generated successfully\n\nTransferring new reset ITL file to the TFTP server nodes in the cluster.....\n\nRestarting Cisco Tftp service on host cucm-pub\nCisco Tftp service restarted on host cucm-pub');
    await labCmd(l, ['phones reset all']);
    expectTrust(smart, 'trusted');
    const reset = await shownMd5(l, 'itl');
    for (const p of smart) {
      expect(itlSigner(l, p)).toBe('CN=ITLRECOVERY_cucm-pub.lab.example;OU=Voice;O=Example;L=RTP;ST=NC;C=US');
      expect(itlMd5(p)).toBe(reset);
    }
    // the next ordinary Tftp restart signs with CallManager again
    await admin(l, [RESTART_TFTP]);
    await labCmd(l, ['phones reset all']);
    expectTrust(smart, 'trusted');
    for (const p of smart) expect(itlSigner(l, p)).toBe('CN=cucm-pub.lab.example;OU=Voice;O=Example;L=RTP;ST=NC;C=US');
  });
});

describe('D: another TVS server rescues the phones of a subscriber', () => {
  it('after the restarts on that subscriber, a second TVS server in the group vouches for its new certificate', async () => {
    const l = await newLab({
      devicePools: [
        { name: 'DP-Rescue', callManagerGroup: ['cucm-sub2', 'cucm-sub1'] },
        { name: 'DP-Alone', callManagerGroup: ['cucm-sub2'] },
      ],
      phones: [
        { mac: '58971E000005', model: '8845', devicePool: 'DP-Rescue' },
        { mac: '58971E000006', model: '8845', devicePool: 'DP-Alone' },
      ],
    });
    const sub2 = 'cucm-sub2';
    await admin(l, ['set cert regen CallManager'], { node: sub2, answers: YES });
    await labCmd(l, ['clock advance 5m1s']);
    await admin(l, ['set cert regen TVS'], { node: sub2, answers: YES });
    const before = installed(l);
    await labCmd(l, ['phones reset all']);
    expect(installed(l)).toEqual(before);
    expectTrust(phones(l), 'trusted');

    await admin(l, [RESTART_TFTP, RESTART_TVS], { node: sub2 });
    await labCmd(l, ['phones reset all']);
    const itl = await shownMd5(l, 'itl', sub2);
    const rescued = phone(l, 'SEP58971E000005');
    expectTrust([rescued], 'trusted');
    expect(itlMd5(rescued)).toBe(itl);
    expect(rescued.log.join('\n')).toMatch(
      /EROR:tvs_cert_vfy: TVS cert not found in TL, <192\.0\.2\.12>[\s\S]*TVS cert verified with hash from TL, <192\.0\.2\.11>[\s\S]*Authentication Response received, status : 0/,
    );
    const alone = phone(l, 'SEP58971E000006');
    expectTrust([alone], 'locked');
    expect(alone.statusMessages.map((m) => m.text)).toContain('Trust List Update Failed');
  });
});

describe('E: the hold timer', () => {
  it('refuses a second regeneration for five minutes; with the restarts and resets in between a single node stays trusted', async () => {
    const l = await newLab({ nodes: 1 });
    await admin(l, ['set cert regen CallManager'], { answers: YES });
    const early = await transcript(l, ['set cert regen TVS'], { answers: YES });
    // seed 001
    expect(early.text).toContain('CallManager certificate was modified in the last 5 minutes. Please re-try regenerating TVS certificate at a later time');
    await admin(l, [RESTART_TVS, RESTART_TFTP]);
    await labCmd(l, ['phones reset all']);
    const smart = phones(l, sbd);
    expectTrust(smart, 'trusted');
    const itl1 = await shownMd5(l, 'itl');
    for (const p of smart) expect(itlMd5(p)).toBe(itl1);

    await labCmd(l, ['clock advance 5m']);
    await admin(l, ['set cert regen TVS'], { answers: YES });
    // before the restarts the phones keep what they have
    await labCmd(l, ['phones reset all']);
    for (const p of smart) expect(itlMd5(p)).toBe(itl1);
    await admin(l, [RESTART_TVS, RESTART_TFTP]);
    await labCmd(l, ['phones reset all']);
    expectTrust(smart, 'trusted');
    const itl2 = await shownMd5(l, 'itl');
    expect(itl2).not.toBe(itl1);
    for (const p of smart) expect(itlMd5(p)).toBe(itl2);
    const r = await labRun(l, [`phones directories ${smart[0].name}`]);
    expect(r.statuses).toEqual([0]);
  });
});

describe('F: mixed mode with the tokenless CTL', () => {
  it('no phone sees a CTL until Tftp and CallManager restart on its node, then "CTL installed"', async () => {
    const l = await newLab();
    const out = await admin(l, ['utils ctl set-cluster mixed-mode'], { answers: ['y'] });
    expect(out).toContain(`Cluster set to Mixed Mode\n${RESTART_ADVICE}`);
    const ctl = await shownMd5(l, 'ctl');
    const status = await labCmd(l, ['status']);
    expect(status).toContain('cucm-pub: Cisco Tftp serves no CTL until it restarts');
    expect(status).toContain('cucm-sub2: Cisco CallManager runs in non-secure mode until it restarts');
    await labCmd(l, ['phones reset all']);
    for (const p of phones(l)) {
      expect(ctlMd5(p)).toBeUndefined();
      expect(p.log.join('\n')).toContain('TFTP: [1]:Error --> File not found');
    }
    // the publisher only: its phones take the CTL, those of cucm-sub2 do not yet
    await restartTftpAndCallManager(l, ['cucm-pub']);
    await labCmd(l, ['phones reset all']);
    for (const p of phones(l, (x) => x.tftpNode === 'cucm-pub')) {
      expect(ctlMd5(p)).toBe(ctl);
      expect(p.statusMessages.map((m) => m.text)).toContain('CTL installed');
    }
    const branch = phones(l, (x) => x.tftpNode === 'cucm-sub2');
    expect(branch.length).toBeGreaterThan(0);
    for (const p of branch) expect(ctlMd5(p)).toBeUndefined();
    await restartTftpAndCallManager(l);
    await labCmd(l, ['phones reset all']);
    expectTrust(phones(l), 'trusted');
    for (const p of phones(l)) {
      expect(ctlMd5(p)).toBe(ctl);
      expect(p.statusMessages.map((m) => m.text)).toContain('CTL installed');
    }

    // and back: the non-secure CTL reaches the phones after the same restarts
    const back = await admin(l, ['utils ctl set-cluster non-secure-mode'], { answers: ['y'] });
    expect(back).toContain(RESTART_ADVICE);
    const ctl2 = await shownMd5(l, 'ctl');
    await labCmd(l, ['phones reset all']);
    for (const p of phones(l)) expect(ctlMd5(p)).toBe(ctl);
    await restartTftpAndCallManager(l);
    await labCmd(l, ['phones reset all']);
    expectTrust(phones(l), 'trusted');
    for (const p of phones(l)) expect(ctlMd5(p)).toBe(ctl2);
  });

  it('file delete tftp CTLFile.tlv: Tftp serves the CTL it read until it restarts', async () => {
    const l = await newLab({ nodes: 1 });
    await admin(l, ['utils ctl set-cluster mixed-mode'], { answers: ['y'] });
    await restartTftpAndCallManager(l);
    await labCmd(l, ['phones reset all']);
    const ctl = await shownMd5(l, 'ctl');
    const p = phones(l)[0];
    expect(ctlMd5(p)).toBe(ctl);
    // seed 002
    const del = await admin(l, ['file delete tftp CTLFile.tlv'], { answers: ['y'] });
    expect(del).toContain('files: found = 1, deleted = 1');
    const seq = p.logSeq;
    await labCmd(l, ['phones reset all']);
    let log = p.log.slice(p.log.length - (p.logSeq - seq)).join('\n');
    expect(log).toMatch(/TFTP: \[\d+\]:Finished --> rcvd \d+ bytes/);
    expect(log.split('\n')[2]).toMatch(/Finished --> rcvd/);
    await admin(l, [RESTART_TFTP]);
    const seq2 = p.logSeq;
    await labCmd(l, ['phones reset all']);
    log = p.log.slice(p.log.length - (p.logSeq - seq2)).join('\n');
    expect(log).toMatch(/Requesting CTLFile\.tlv from 192\.0\.2\.10\n.*Error --> File not found/);
    // the phone keeps the CTL it has
    expect(ctlMd5(p)).toBe(ctl);
  });
});

describe('G: CTL update after a CallManager regeneration, with a 7940', () => {
  it('after Tftp and CallManager restart everywhere the SBD phones take the new CTL through TVS; the 7940 refuses it', async () => {
    const l = await newLab();
    await admin(l, ['utils ctl set-cluster mixed-mode'], { answers: ['y'] });
    await restartTftpAndCallManager(l);
    await labCmd(l, ['phones reset all']);
    const ctl1 = await shownMd5(l, 'ctl');
    expectTrust(phones(l), 'trusted');

    await admin(l, ['set cert regen CallManager'], { answers: YES });
    const upd = await admin(l, ['utils ctl update CTLFile'], { answers: ['y'] });
    // seeds 002/004
    expect(upd).toContain(`Updating CTL file\nCTL file Updated\n${RESTART_ADVICE}`);
    const ctl2 = await shownMd5(l, 'ctl');
    expect(ctl2).not.toBe(ctl1);
    const before = installed(l);
    await labCmd(l, ['phones reset all']);
    expect(installed(l)).toEqual(before);
    expectTrust(phones(l), 'trusted');

    await restartTftpAndCallManager(l);
    await labCmd(l, ['phones reset all']);
    const smart = phones(l, sbd);
    expectTrust(smart, 'trusted');
    for (const p of smart) {
      expect(ctlMd5(p)).toBe(ctl2);
      expect(p.log.join('\n')).toContain('SECD: processTvsSrvrResponse: Authentication Response received, status : 0');
    }
    const old = phones(l, (p) => !sbd(p));
    expect(old).toHaveLength(1);
    expectTrust(old, 'locked');
    expect(ctlMd5(old[0])).toBe(ctl1);
    expect(old[0].statusMessages.map((m) => m.text)).toContain('Trust List Update Failed');
  });
});

describe('H: publisher-only commands on a subscriber', () => {
  it('change nothing and restart nothing', async () => {
    const l = await newLab();
    const before = installed(l);
    const sub = l.node('cucm-sub2')!;
    const itl = await transcript(l, ['utils itl reset localkey'], { node: sub.name, answers: ['cisco123'] });
    // seed 001: run on a subscriber, the reset answers that this is not a publisher node
    expect(itl.text).toMatch(/not a publisher node/i);
    expect(itl.text).not.toContain('Restarting Cisco Tftp service');
    const ctl = await transcript(l, ['utils ctl set-cluster mixed-mode'], { node: sub.name, answers: ['y'] });
    expect(ctl.text).not.toContain('Cluster set to Mixed Mode');
    expect(l.state.params.clusterSecurityMode).toBe(0);
    for (const n of l.nodes) expect(l.pendingRestarts(n)).toEqual([]);
    await labCmd(l, ['phones reset all']);
    expect(installed(l)).toEqual(before);
    expectTrust(phones(l, sbd), 'trusted');
  });
});

describe('I: Prepare Cluster for Rollback to pre 8.0', () => {
  it('the TFTP services rebuild a blank ITL at once; phones then accept a single node regenerating everything', async () => {
    const l = await newLab({ nodes: 1 });
    await labCmd(l, ['params set rollback-to-pre-8.0 True', 'phones reset all']);
    const smart = phones(l, sbd);
    expectTrust(smart, 'any-signer');
    const blank = await shownMd5(l, 'itl');
    for (const p of smart) expect(itlMd5(p)).toBe(blank);
    await admin(l, ['set cert regen CallManager'], { answers: YES });
    await labCmd(l, ['clock advance 6m']);
    await admin(l, ['set cert regen TVS'], { answers: YES });
    await admin(l, [RESTART_TFTP, RESTART_TVS]);
    await labCmd(l, ['phones set web-access all disabled', 'phones reset all']);
    expectTrust(smart, 'any-signer');
    for (const p of smart) {
      expect(p.applied!.version).toBe(p.configVersion);
      expect(p.applied!.webAccess).toBe(false);
    }
    await labCmd(l, ['params set rollback-to-pre-8.0 False', 'phones reset all']);
    expectTrust(smart, 'trusted');
    const itl = await shownMd5(l, 'itl');
    for (const p of smart) expect(itlMd5(p)).toBe(itl);
  });
});

describe('J: ITLRecovery regenerated', () => {
  it('the ITL carries the new ITLRECOVERY record only after Cisco Tftp restarts on every TFTP node', async () => {
    const l = await newLab();
    const pub = l.publisher();
    const oldSerial = x509Serial(pub.certs.ITLRecovery.certPem);
    const out = await admin(l, ['set cert regen ITLRecovery'], { answers: YES });
    expect(out).toContain('Successfully Regenerated Certificate for ITLRecovery.');
    const newSerial = x509Serial(pub.certs.ITLRecovery.certPem);
    expect(newSerial).not.toEqual(oldSerial);
    const smart = phones(l, sbd);
    // seed 001: phones are not reset, and the ITL does not change until Tftp restarts
    await labCmd(l, ['phones reset all']);
    for (const p of smart) expect(itlRecoverySerial(l, p.name)).toEqual(oldSerial);
    for (const n of l.nodes) expect(l.pendingRestarts(n)).toEqual(['Cisco Tftp']);
    // the publisher only: phones of cucm-sub2 still get the old record
    await admin(l, [RESTART_TFTP]);
    await labCmd(l, ['phones reset all']);
    for (const p of smart) expect(itlRecoverySerial(l, p.name)).toEqual(p.tftpNode === pub.name ? newSerial : oldSerial);
    for (const n of l.nodes) if (!n.publisher) await admin(l, [RESTART_TFTP], { node: n.name });
    await labCmd(l, ['phones reset all']);
    expectTrust(smart, 'trusted');
    for (const p of smart) expect(itlRecoverySerial(l, p.name)).toEqual(newSerial);
    expect(lastStatus(smart[0])).toBe('ITL installed');
  });
});

describe('tomcat and CAPF regenerated', () => {
  it('Tomcat presents its new certificate only after Cisco Tomcat restarts', async () => {
    const l = await newLab();
    const p = phones(l, sbd)[0];
    await labCmd(l, [`phones directories ${p.name}`]);
    await admin(l, ['set cert regen tomcat'], { answers: YES });
    const seq = p.logSeq;
    await labCmd(l, [`phones directories ${p.name}`]);
    let log = p.log.slice(p.log.length - (p.logSeq - seq)).join('\n');
    expect(log).toContain('SECD: lookupAuthCertTvsCacheEntry: Matching entry found at cache');
    await admin(l, ['utils service restart Cisco Tomcat']);
    const seq2 = p.logSeq;
    await labCmd(l, [`phones directories ${p.name}`]);
    log = p.log.slice(p.log.length - (p.logSeq - seq2)).join('\n');
    expect(log).toContain('SECD: lookupAuthCertTvsCacheEntry: No matching entry found at cache');
    expect(log).toContain('SECD: processTvsSrvrResponse: Authentication Response received, status : 0');
    expect(log).toContain('SECD: Authenticated the HTTPS conn via TVS');
  });

  it('the CAPF record of the ITL changes when Cisco Tftp restarts', async () => {
    const l = await newLab({ nodes: 1 });
    const capfSerial = () => installedLists(l, phones(l, sbd)[0]).itl?.records.find((r) => r.func === Role.CAPF)?.serial;
    const old = x509Serial(l.publisher().certs.CAPF.certPem);
    expect(capfSerial()).toEqual(old);
    await admin(l, ['set cert regen CAPF'], { answers: YES });
    expect(l.pendingRestarts(l.publisher())).toEqual(expect.arrayContaining(['Cisco Certificate Authority Proxy Function', 'Cisco Tftp']));
    await labCmd(l, ['phones reset all']);
    expect(capfSerial()).toEqual(old);
    await admin(l, [RESTART_TFTP]);
    await labCmd(l, ['phones reset all']);
    expectTrust(phones(l, sbd), 'trusted');
    expect(capfSerial()).toEqual(x509Serial(l.publisher().certs.CAPF.certPem));
  });
});

describe('ipsec regenerated', () => {
  it('asks for the DRF services; phones and the trust files they get are untouched; show itl reads the file on disk', async () => {
    const l = await newLab();
    const pub = l.publisher();
    const before = installed(l);
    const served = servedTrustFile(l, pub, 'ITL');
    await admin(l, ['set cert regen ipsec'], { answers: YES });
    expect(l.pendingRestarts(pub)).toEqual(expect.arrayContaining(['Cisco DRF Local', 'Cisco DRF Master']));
    expect(l.pendingRestarts(l.node('cucm-sub1')!)).toEqual([]);
    await labCmd(l, ['phones reset all']);
    expect(installed(l)).toEqual(before);
    expect(servedTrustFile(l, pub, 'ITL')).toEqual(served);
    // the CLI shows the file on disk, whatever the running Tftp serves: a new CTL before any restart
    await admin(l, ['utils ctl set-cluster mixed-mode'], { answers: ['y'] });
    expect(servedTrustFile(l, pub, 'CTL')).toBeUndefined();
    const onDisk = createHash('md5').update(l.readTftp(pub, 'CTLFile.tlv')!).digest('hex');
    expect(await shownMd5(l, 'ctl')).toBe(onDisk);
  });
});

describe('labs written before services kept what they loaded', () => {
  it('keep the certificate TVS presented; Tftp serves the files on disk until it restarts', async () => {
    const l = await newLab({ nodes: 1 });
    const node = l.publisher();
    const presented = node.certs.TVS.certPem;
    const raw = JSON.parse(JSON.stringify(l.state));
    for (const n of raw.nodes) {
      delete n.running;
      n.tvsPresented = presented;
    }
    delete raw.loadedFiles;
    const state = readLabFile(Buffer.from(JSON.stringify(raw)), l.store.dir);
    const old = state.nodes[0];
    expect(old).not.toHaveProperty('tvsPresented');
    expect(tvsPresented(old)).toBe(presented);
    expect(servedTrustFile(l, old, 'ITL')!.equals(l.readTftp(node, 'ITLFile.tlv')!)).toBe(true);
  });
});
