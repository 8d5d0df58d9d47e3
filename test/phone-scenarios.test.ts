// The phone scenarios: the admin: CLI changes the cluster, the lab console resets phones, and the
// phones end trusted or locked as the seed documents describe.
import { describe, it, expect } from 'vitest';
import { execa } from 'execa';
import { createHash } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Lab } from '../state/cluster/lab.js';
import { transcript, tempDir, labPerTest, waitFor } from './helpers.js';
import { requireTool } from './prerequisites.js';
import { admin, lab as labCmd, labRun, shownMd5, phones, sbd, phone, itlMd5, ctlMd5, lastStatus, statusSince, itlSigner, expectTrust } from './phone-helpers.js';
import { startTftpEndpoints } from '../src/net/tftp-endpoints.js';
import { backups } from '../state/cluster/drs.js';

const YES = ['yes'];
const RESTART_TFTP = 'utils service restart Cisco Tftp';
const RESTART_TVS = 'utils service restart Cisco Trust Verification Service';
const RESTART_CM = 'utils service restart Cisco CallManager';

/** Seeds 002/004: "restart the TFTP and Cisco CallManager services on all nodes in the cluster that run these services". */
async function restartTftpAndCallManager(l: Lab): Promise<void> {
  for (const n of l.nodes) {
    const lines = [...(n.tftp ? [RESTART_TFTP] : []), ...(n.callmanager ? [RESTART_CM] : [])];
    if (lines.length) await admin(l, lines, { node: n.name });
  }
}

const newLab = labPerTest();

const onPub = (l: Lab) => (p: { tftpNode: string }) => p.tftpNode === l.publisher().name;

describe('scenario 1: CallManager regenerated on the publisher', () => {
  it('phones verify the new ITL through TVS and end trusted, with the checksum of show itl', async () => {
    const l = await newLab();
    const before = await shownMd5(l, 'itl');
    await admin(l, ['set cert regen CallManager'], { answers: YES });
    await admin(l, [RESTART_TFTP, RESTART_TVS]);
    const after = await shownMd5(l, 'itl');
    expect(after).not.toBe(before);
    await labCmd(l, ['phones reset all']);
    const main = phones(l, (p) => sbd(p) && onPub(l)(p));
    expectTrust(main, 'trusted');
    for (const p of main) {
      expect(itlMd5(p)).toBe(after);
      const log = p.log.join('\n');
      expect(log).toContain('SECD: verifyCertWithHashFromTL: cert hash and hash in TL MATCH');
      expect(log).toContain('SECD: processTvsSrvrResponse: Authentication Response received, status : 0');
      expect(log).toContain(`SECD: verifyFile: verify SUCCESS </usr/ram/${p.name}.cnf.xml>`);
    }
    // the branch phones use cucm-sub2, whose ITL did not change
    const sub2 = await shownMd5(l, 'itl', 'cucm-sub2');
    const branch = phones(l, (p) => p.devicePool === 'DP-Branch');
    expectTrust(branch, 'trusted');
    for (const p of branch) expect(itlMd5(p)).toBe(sub2);
    // the 7940 has no ITL: it takes the unsigned configuration
    expectTrust(phones(l, (p) => !sbd(p)), 'non-secure');
    // the lab console shows the same checksums side by side
    const listing = await labCmd(l, ['phones list']);
    expect(listing).toContain(after);
    expect(listing).not.toMatch(/[0-9a-f]{8}\*/);
  });
});

describe('scenario 2 and 3: single node, CallManager and TVS regenerated', () => {
  it('locks the phones, then utils itl reset localkey brings them back, and a Tftp restart keeps them', async () => {
    const l = await newLab({ nodes: 1 });
    await admin(l, ['set cert regen CallManager'], { answers: YES });
    // the hold timer refuses TVS within five minutes
    const early = await transcript(l, ['set cert regen TVS'], { answers: YES });
    expect(early.text).toContain('CallManager certificate was modified in the last 5 minutes. Please re-try regenerating TVS certificate at a later time');
    await labCmd(l, ['clock advance 6m']);
    await admin(l, ['set cert regen TVS'], { answers: YES });
    await admin(l, [RESTART_TFTP, RESTART_TVS]);
    await labCmd(l, ['phones set web-access all disabled']);
    const counts = new Map(phones(l).map((p) => [p.name, p.statusMessages.length]));
    await labCmd(l, ['phones reset all']);
    const smart = phones(l, sbd);
    expectTrust(smart, 'locked');
    const showItl = await shownMd5(l, 'itl');
    for (const p of smart) {
      expect(statusSince(p, counts.get(p.name)!)).toContain('Trust List Update Failed');
      expect(itlMd5(p)).not.toBe(showItl);
      // new config not applied
      expect(p.applied!.version).toBeLessThan(p.configVersion);
      expect(p.applied!.webAccess).toBe(true);
      const log = p.log.join('\n');
      expect(log).toContain('SECD: EROR:validate_file_envelope: File sign verify FAILED');
      expect(log).toContain(`SECD: EROR:verifyFile: verify FAILED </usr/ram/${p.name}.cnf.xml>`);
    }
    const shown = await labCmd(l, [`phones show ${smart[0].name}`]);
    expect(shown).toContain('(new configuration not applied)');
    expect(shown).toContain('Trust List Update Failed');

    // scenario 3: the ITL recovery key the phones already trust
    const reset = await admin(l, ['utils itl reset localkey'], { answers: ['cisco123'] });
    expect(reset).toContain('The reset ITL file was generated successfully');
    await labCmd(l, ['phones reset all']);
    expectTrust(smart, 'trusted');
    for (const p of smart) {
      expect(itlSigner(l, p)).toMatch(/^CN=ITLRECOVERY_/);
      expect(p.applied!.version).toBe(p.configVersion);
      expect(p.applied!.webAccess).toBe(false);
      expect(itlMd5(p)).toBe(await shownMd5(l, 'itl'));
    }
    await admin(l, [RESTART_TFTP]);
    await labCmd(l, ['phones reset all']);
    expectTrust(smart, 'trusted');
    const md5 = await shownMd5(l, 'itl');
    for (const p of smart) {
      expect(itlSigner(l, p)).toBe(`CN=cucm-pub.lab.example;OU=Voice;O=Example;L=RTP;ST=NC;C=US`);
      expect(itlMd5(p)).toBe(md5);
    }
  });
});

describe('scenario 4: both certificates regenerated on one subscriber', () => {
  it('phones with another TVS server in their group stay trusted; a group of only that subscriber locks', async () => {
    const l = await newLab({
      devicePools: [
        { name: 'DP-Main', callManagerGroup: ['cucm-pub', 'cucm-sub1', 'cucm-sub2'] },
        { name: 'DP-Branch', callManagerGroup: ['cucm-sub2'] },
        { name: 'DP-Rescue', callManagerGroup: ['cucm-sub2', 'cucm-sub1'] },
      ],
      phones: [
        { mac: '001E7A000001', model: '7975', devicePool: 'DP-Main' },
        { mac: '58971E000002', model: '8845', devicePool: 'DP-Main', tftp: 'cucm-sub2' },
        { mac: '58971E000003', model: '8865', devicePool: 'DP-Branch' },
        { mac: '001E7A000004', model: '7975', devicePool: 'DP-Branch' },
        { mac: '58971E000005', model: '8845', devicePool: 'DP-Rescue' },
      ],
    });
    const sub2 = 'cucm-sub2';
    await admin(l, ['set cert regen CallManager'], { node: sub2, answers: YES });
    await labCmd(l, ['clock advance 5m1s']);
    await admin(l, ['set cert regen TVS'], { node: sub2, answers: YES });
    await admin(l, [RESTART_TFTP, RESTART_TVS], { node: sub2 });
    await labCmd(l, ['phones reset all']);
    const newItl = await shownMd5(l, 'itl', sub2);
    // on the publisher's TFTP: nothing changed for them
    expectTrust([phone(l, 'SEP001E7A000001')], 'trusted');
    // on cucm-sub2's TFTP, but cucm-pub and cucm-sub1 are in the group: they vouch for the new signer
    for (const name of ['SEP58971E000002', 'SEP58971E000005']) {
      const p = phone(l, name);
      expectTrust([p], 'trusted');
      expect(itlMd5(p)).toBe(newItl);
    }
    // in DP-Rescue cucm-sub2's TVS comes first and is refused (its new certificate is not in the
    // phone's ITL); cucm-sub1 answers
    expect(phone(l, 'SEP58971E000005').log.join('\n')).toMatch(
      /EROR:tvs_cert_vfy: TVS cert not found in TL, <192\.0\.2\.12>[\s\S]*TVS cert verified with hash from TL, <192\.0\.2\.11>/,
    );
    // only cucm-sub2 in the group: nobody can vouch
    for (const name of ['SEP58971E000003', 'SEP001E7A000004']) {
      const p = phone(l, name);
      expectTrust([p], 'locked');
      expect(lastStatus(p)).toBe('File auth error');
      expect(p.statusMessages.map((m) => m.text)).toContain('Trust List Update Failed');
      expect(itlMd5(p)).not.toBe(newItl);
    }
    // adding a server to the locked phones' group does not help: they cannot read the new config
    await labCmd(l, ['pools set-group DP-Branch cucm-sub2 cucm-sub1', 'phones reset DP-Branch']);
    expectTrust([phone(l, 'SEP58971E000003')], 'locked');
  });
});

describe('scenario 5: mixed mode', () => {
  it('phones install the CTL; after CallManager regeneration and update CTLFile SBD phones follow through TVS, the 7940 refuses until its CTL is deleted', async () => {
    const l = await newLab();
    const pub = l.publisher().name;
    await admin(l, ['utils ctl set-cluster mixed-mode'], { answers: ['y'] });
    await restartTftpAndCallManager(l);
    await labCmd(l, ['phones reset all']);
    const ctl1 = await shownMd5(l, 'ctl');
    const all = phones(l);
    expectTrust(all, 'trusted');
    for (const p of all) {
      expect(ctlMd5(p)).toBe(ctl1);
      expect(p.statusMessages.map((m) => m.text)).toContain('CTL installed');
    }
    const legacy = phones(l, (p) => !sbd(p));
    expect(legacy).toHaveLength(1);
    expect(legacy[0].itl).toBeUndefined();

    await admin(l, ['set cert regen CallManager'], { answers: YES });
    await admin(l, ['utils ctl update CTLFile'], { answers: ['y'] });
    await restartTftpAndCallManager(l);
    const ctl2 = await shownMd5(l, 'ctl');
    expect(ctl2).not.toBe(ctl1);
    await labCmd(l, ['phones reset all']);
    const smart = phones(l, sbd);
    expectTrust(smart, 'trusted');
    const pubItl = await shownMd5(l, 'itl', pub);
    for (const p of smart) {
      expect(ctlMd5(p)).toBe(ctl2);
      expect(p.log.join('\n')).toContain('SECD: processTvsSrvrResponse: Authentication Response received, status : 0');
      if (p.tftpNode === pub) expect(itlMd5(p)).toBe(pubItl);
    }
    const old = legacy[0];
    expectTrust([old], 'locked');
    expect(ctlMd5(old)).toBe(ctl1);
    expect(old.statusMessages.map((m) => m.text)).toContain('Trust List Update Failed');
    expect(old.log.join('\n')).not.toContain('processTvsClntReq');

    const out = await labCmd(l, [`phones delete-ctl ${old.name}`]);
    expect(out).toContain('CTL erased');
    expectTrust([old], 'trusted');
    expect(ctlMd5(old)).toBe(ctl2);
  });
});

describe('scenario 6: rollback parameter, hostname change, restore without CallManager.pem', () => {
  it('a single-node hostname change locks the phones unless the cluster was prepared for rollback', async () => {
    const l = await newLab({ nodes: 1 });
    await labCmd(l, ['node hostname cucm-pub cucm-pub2', 'phones reset all']);
    expectTrust(phones(l, sbd), 'locked');
    for (const p of phones(l, sbd)) expect(p.statusMessages.map((m) => m.text)).toContain('Trust List Update Failed');
    const itl = await admin(l, ['show itl'], { node: 'cucm-pub2' });
    // the recovery record keeps the publisher's original name
    expect(itl).toContain('CN=ITLRECOVERY_cucm-pub.lab.example;');
    expect(itl).toContain('CN=cucm-pub2.lab.example;');
    expect(itl).toContain('The ITL file was verified successfully.');
  });

  it('with Prepare Cluster for Rollback to pre 8.0 the phones accept any signer and come back afterwards', async () => {
    const l = await newLab({ nodes: 1 });
    const out = await labCmd(l, ['params set rollback-to-pre-8.0 True', 'phones reset all']);
    expect(out).toContain('ITL rebuilt by the TFTP service on: cucm-pub');
    const smart = phones(l, sbd);
    expectTrust(smart, 'any-signer');
    const blank = await shownMd5(l, 'itl');
    for (const p of smart) expect(itlMd5(p)).toBe(blank);
    await labCmd(l, ['node hostname cucm-pub cucm-new', 'phones reset all']);
    expectTrust(smart, 'any-signer');
    for (const p of smart) expect(p.applied!.version).toBe(p.configVersion);
    await labCmd(l, ['params set rollback-to-pre-8.0 False', 'phones reset all']);
    expectTrust(smart, 'trusted');
    const md5 = await shownMd5(l, 'itl', 'cucm-new');
    for (const p of smart) {
      expect(itlMd5(p)).toBe(md5);
      expect(itlSigner(l, p)).toMatch(/^CN=cucm-new\.lab\.example;/);
    }
  });

  it('a restore without CallManager.pem makes corrupt ITLs until CallManager is regenerated', async () => {
    const l = await newLab();
    await labCmd(l, ['drs backup']);
    const id = backups(l)[0].id;
    // control: a restore with CallManager.pem is harmless
    await labCmd(l, [`drs restore ${id}`, 'phones reset all'], YES);
    expect(await admin(l, ['show itl'])).toContain('The ITL file was verified successfully.');
    expectTrust(phones(l, sbd), 'trusted');

    const r = await labRun(l, [`drs restore ${id} without-callmanager-pem`], YES);
    expect(r.statuses).toEqual([0]);
    const itl = await admin(l, ['show itl']);
    expect(itl).toContain('This etoken was not used to sign the ITL file.');
    expect(itl).not.toContain('This etoken was used to sign the ITL file.');
    expect(itl).toContain('Verification of the ITL file failed.\nError parsing the ITL file!!');
    await labCmd(l, ['phones reset all']);
    expectTrust(phones(l, sbd), 'locked');
    const status = await labCmd(l, ['status']);
    expect(status).toContain('cucm-pub: CallManager.pem differs from the certificate in the database');

    // the fix on the publisher: regenerate CallManager, restart TVS and Tftp (seeds 000/003)
    await admin(l, ['set cert regen CallManager'], { answers: YES });
    await admin(l, [RESTART_TFTP, RESTART_TVS]);
    expect(await admin(l, ['show itl'])).toContain('The ITL file was verified successfully.');
    await labCmd(l, ['phones reset all']);
    const main = phones(l, (p) => sbd(p) && onPub(l)(p));
    expectTrust(main, 'trusted');
    const md5 = await shownMd5(l, 'itl');
    for (const p of main) expect(itlMd5(p)).toBe(md5);
    // cucm-sub2 was restored the same way and still serves a corrupt ITL
    expectTrust(phones(l, (p) => p.devicePool === 'DP-Branch'), 'locked');
  });
});

describe('scenario 7: a real tftp client', () => {
  it('downloads ITLSEP<MAC>.tlv and its MD5 equals show itl and the phone trust list', async () => {
    const l = await newLab();
    const tftp = requireTool('tftp', 'tftp-hpa');
    const logs: string[] = [];
    const eps = await startTftpEndpoints(l, { basePort: 0, log: (line) => logs.push(line) });
    const dir = tempDir('cucm-sim-tftp-');
    try {
      const p = phones(l, (x) => sbd(x) && x.devicePool === 'DP-Branch')[0];
      const idx = l.nodes.findIndex((n) => n.name === p.tftpNode);
      const port = eps.endpoints[idx].port;
      const dest = join(dir, `ITL${p.name}.tlv`);
      const r = await execa(tftp, ['127.0.0.1', String(port), '-m', 'binary', '-c', 'get', `ITL${p.name}.tlv`, dest], { reject: false, timeout: 20000 });
      expect(r.exitCode).toBe(0);
      const got = createHash('md5').update(readFileSync(dest)).digest('hex');
      expect(got).toBe(await shownMd5(l, 'itl', p.tftpNode));
      expect(got).toBe(itlMd5(p));

      // the signed configuration file is there too, signed by the node's CallManager key
      const cfg = join(dir, `${p.name}.cnf.xml.sgn`);
      const c = await execa(tftp, ['127.0.0.1', String(port), '-m', 'binary', '-c', 'get', `${p.name}.cnf.xml.sgn`, cfg], { reject: false, timeout: 20000 });
      expect(c.exitCode).toBe(0);
      expect(readFileSync(cfg).toString('latin1')).toContain(`<name>${p.devicePool}</name>`);

      // Tftp stopped: the port stops answering
      await admin(l, ['utils service stop Cisco Tftp'], { node: p.tftpNode });
      await waitFor('the TFTP port to close', () => logs.some((line) => line.startsWith(`tftp ${p.tftpNode} stopped answering`)));
      const t = await execa(tftp, ['127.0.0.1', String(port)], { input: `mode binary\nrexmt 1\ntimeout 2\nget ITL${p.name}.tlv ${join(dir, 'x')}\nquit\n`, reject: false, timeout: 20000 });
      expect(t.stdout + t.stderr).toMatch(/timed out|refused/i);
    } finally {
      await eps.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 30000);
});
