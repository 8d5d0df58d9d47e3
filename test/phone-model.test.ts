// The phone model on its own: the fleet, the files the TFTP service offers, signed configuration
// files, the verification rules, the console log and status messages.
import { describe, it, expect, afterEach, vi } from 'vitest';
import type { Lab } from '../state/cluster/lab.js';
import { PackageLab as LabClass } from '../state/labs.js';
import { seededLab, cleanup, tempDir, x509Name } from './helpers.js';
import { admin, lab as labCmd, labRun, phones, sbd, phone, itlMd5, ctlMd5, lastStatus, expectTrust, shownMd5 } from './phone-helpers.js';
import { fleet, resolveTftpFile, findPhone } from '../state/phones/fleet.js';
import { parseSignedFile, signedConfig } from '../state/phones/tftpfiles.js';
import { bootPhone } from '../state/phones/boot.js';
import { verifyTrustList } from '../state/trust/tlv-parse.js';
import { X509Certificate } from 'node:crypto';
import { normalizeTopology } from '../state/cluster/topology.js';

// whole scenarios with real RSA work: leave room when the suite runs in parallel
vi.setConfig({ testTimeout: 30000 });

let current: Lab | undefined;
afterEach(() => {
  if (current) cleanup(current);
  current = undefined;
});
async function newLab(topology?: Record<string, unknown>, seed = 1): Promise<Lab> {
  current = await seededLab({ topology, seed });
  return current;
}

describe('the fleet', () => {
  it('has a dozen phones in two device pools, one of them a 7940, booted once with their TFTP server ITL', async () => {
    const l = await newLab();
    const f = fleet(l);
    expect(f.devicePools).toEqual([
      { name: 'DP-Main', callManagerGroup: ['cucm-pub', 'cucm-sub1', 'cucm-sub2'] },
      { name: 'DP-Branch', callManagerGroup: ['cucm-sub2'] },
    ]);
    expect(f.phones).toHaveLength(12);
    expect(new Set(f.phones.map((p) => p.model))).toEqual(new Set(['7975', '8845', '8865', '7940']));
    expect(f.phones.filter((p) => p.model === '7940')).toHaveLength(1);
    for (const p of f.phones) {
      expect(p.name).toMatch(/^SEP[0-9A-F]{12}$/);
      expect(p.tftpNode).toBe(p.devicePool === 'DP-Main' ? 'cucm-pub' : 'cucm-sub2');
      expect(p.ctl).toBeUndefined();
    }
    expectTrust(phones(l, sbd), 'trusted');
    for (const p of phones(l, sbd)) {
      expect(itlMd5(p)).toBe(await shownMd5(l, 'itl', p.tftpNode));
      expect(lastStatus(p)).toBe('ITL installed');
    }
    const names = f.phones.map((p) => p.name);
    const other = await seededLab({ seed: 9 });
    try {
      expect(fleet(other).phones.map((p) => p.name)).toEqual(names);
    } finally {
      cleanup(other);
    }
  });

  it('follows a single-node cluster and a topology that defines its own pools and phones', async () => {
    const one = await newLab({ nodes: 1 });
    expect(fleet(one).devicePools.map((d) => d.callManagerGroup)).toEqual([['cucm-pub'], ['cucm-pub']]);
    cleanup(one);
    const l = await newLab({
      devicePools: [{ name: 'HQ', callManagerGroup: ['cucm-sub1', 'cucm-pub'] }],
      phones: [{ mac: 'sep00aabbccddee', model: '8865', devicePool: 'hq', description: 'desk' }],
    });
    expect(fleet(l).phones.map((p) => [p.name, p.devicePool, p.tftpNode, p.trust])).toEqual([['SEP00AABBCCDDEE', 'HQ', 'cucm-sub1', 'trusted']]);
  });

  it('refuses topologies with unknown pools, nodes or malformed MACs', async () => {
    const bad = [
      { phones: [{ mac: '00AABBCCDDEE', model: '8845', devicePool: 'nowhere' }] },
      { phones: [{ mac: 'SEP12345', model: '8845' }] },
      { devicePools: [{ name: 'X', callManagerGroup: ['cucm-nosuch'] }] },
      { devicePools: [{ name: 'X', callManagerGroup: ['cucm-pub', 'cucm-sub1', 'cucm-sub2', 'cucm-pub'] }] },
    ];
    for (const t of bad) {
      await expect(LabClass.create({ dir: tempDir(), seed: 1, topology: normalizeTopology(t) })).rejects.toThrow(/phone|device pool|callManagerGroup/);
    }
  });

  it('keeps the phones with the lab, and a failed change leaves them untouched', async () => {
    const l = await newLab();
    await labCmd(l, ['phones reset SEP58971E295E64']);
    const before = JSON.stringify(fleet(l));
    await expect(
      l.mutate(() => {
        bootPhone(l, findPhone(l, 'SEP58971E295E64')!);
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(JSON.stringify(fleet(l))).toBe(before);
    const dir = l.store.dir;
    l.close();
    const again = LabClass.open(dir);
    current = again;
    expect(JSON.stringify(fleet(again))).toBe(before);
  });
});

describe('what the TFTP service offers', () => {
  it('maps per-phone trust list names to the node files and builds signed configuration files', async () => {
    const l = await newLab();
    const pub = l.publisher();
    const p = phones(l, sbd)[0];
    expect(resolveTftpFile(l, pub, `ITL${p.name}.tlv`)!.equals(l.readTftp(pub, 'ITLFile.tlv')!)).toBe(true);
    expect(resolveTftpFile(l, pub, `ITL${p.name.toLowerCase()}.tlv`)).toBeDefined();
    expect(resolveTftpFile(l, pub, 'ITLSEP000000000000.tlv')).toBeUndefined();
    expect(resolveTftpFile(l, pub, `CTL${p.name}.tlv`)).toBeUndefined();
    expect(l.readTftp(pub, 'ITLRecovery.p12')).toBeDefined();
    expect(resolveTftpFile(l, pub, 'ITLRecovery.p12')).toBeUndefined();
    expect(resolveTftpFile(l, pub, '../../lab.json')).toBeUndefined();
    expect(resolveTftpFile(l, pub, `${p.name}.cnf.xml`)!.toString()).toContain(`<versionStamp>${p.configVersion}</versionStamp>`);

    const sgn = signedConfig(l, pub, p);
    const parsed = parseSignedFile(sgn)!;
    expect(parsed.list.filename).toBe(`${p.name}.cnf.xml`);
    expect(parsed.list.records).toHaveLength(0);
    expect(parsed.body.toString()).toContain('<TVS>');
    const cm = new X509Certificate(pub.certs.CallManager.certPem);
    expect(parsed.list.signerName).toBe(x509Name(pub.certs.CallManager.certPem));
    expect(verifyTrustList(sgn, parsed.list, cm.publicKey)).toBe(true);
    const tampered = Buffer.from(sgn);
    tampered[tampered.length - 3] ^= 1;
    expect(verifyTrustList(tampered, parseSignedFile(tampered)!.list, cm.publicKey)).toBe(false);
    expect(verifyTrustList(sgn, parsed.list, new X509Certificate(l.node('cucm-sub1')!.certs.CallManager.certPem).publicKey)).toBe(false);
  });
});

describe('verification rules', () => {
  it('without a reachable TVS a new CallManager signer is refused', async () => {
    const l = await newLab();
    await admin(l, ['set cert regen CallManager'], { answers: ['yes'] });
    await admin(l, ['utils service restart Cisco Tftp']);
    for (const n of l.nodes) await admin(l, ['utils service stop Cisco Trust Verification Service'], { node: n.name });
    await labCmd(l, ['phones reset DP-Main']);
    const main = phones(l, (p) => sbd(p) && p.devicePool === 'DP-Main');
    expectTrust(main, 'locked');
    expect(main[0].log.join('\n')).toContain('SECD: EROR:connectToTvsServer: Failed to connect to the TVS server: IP:192.0.2.12, port:2445 (default)');
  });

  it('a TVS that was not restarted knows its node\'s previous CallManager certificate and presents its previous certificate', async () => {
    const l = await newLab({ nodes: 1 });
    const smart = phones(l, sbd);
    const p = smart[0];
    await admin(l, ['set cert regen CallManager'], { answers: ['yes'] });
    // Tftp alone: the new ITL is signed by a key the phones do not know, and TVS does not know it yet
    await admin(l, ['utils service restart Cisco Tftp']);
    await labCmd(l, ['phones reset all']);
    expectTrust(smart, 'locked');
    expect(p.log.join('\n')).toContain('SECD: processTvsSrvrResponse: Authentication Response received, status : 1');
    // seeds 000/003: TVS and TFTP restarted after CallManager.pem is regenerated
    await admin(l, ['utils service restart Cisco Trust Verification Service']);
    await labCmd(l, ['phones reset all']);
    expectTrust(smart, 'trusted');
    expect(itlMd5(p)).toBe(await shownMd5(l, 'itl'));

    // TVS regenerated, Tftp restarted: the phones take the new ITL (signed by the CallManager key
    // they now trust), but TVS still presents the certificate of the old ITL
    await labCmd(l, ['clock advance 6m']);
    await admin(l, ['set cert regen TVS'], { answers: ['yes'] });
    await admin(l, ['utils service restart Cisco Tftp']);
    await labCmd(l, ['phones reset all']);
    expectTrust(smart, 'trusted');
    const r = await labRun(l, [`phones directories ${p.name}`]);
    expect(r.statuses).toEqual([1]);
    expect(p.log.slice(-12).join('\n')).toContain('EROR:tvs_cert_vfy: TVS cert not found in TL, <192.0.2.10>');
    await admin(l, ['utils service restart Cisco Trust Verification Service']);
    await labCmd(l, [`phones directories ${p.name}`]);
    expect(p.log.slice(-3).join('\n')).toContain('SECD: Authenticated the HTTPS conn via TVS');
  });

  it('a manual ITL delete lets a locked phone trust the next ITL', async () => {
    const l = await newLab({ nodes: 1 });
    await labCmd(l, ['node domain cucm-pub other.example', 'phones reset all']);
    const p = phones(l, sbd)[0];
    expectTrust([p], 'locked');
    const out = await labCmd(l, [`phones delete-itl ${p.name}`]);
    expect(out).toContain('ITL erased');
    expectTrust([p], 'trusted');
    expect(itlMd5(p)).toBe(await shownMd5(l, 'itl'));
    expect(p.log.join('\n')).toContain('SECD: tlUserErase: ITL file erased by user');
  });

  it('a phone without an ITL refuses an ITL that does not verify against itself', async () => {
    const l = await newLab({ nodes: 1 });
    await labCmd(l, ['drs backup']);
    const id = l.state.drsBackups[0].id;
    await labCmd(l, [`drs restore ${id} without-callmanager-pem`, 'phones delete-itl all'], ['yes']);
    for (const p of phones(l, sbd)) {
      expect(p.itl).toBeUndefined();
      expect(p.statusMessages.map((m) => m.text)).toContain('Trust List Update Failed');
      // with no trust list left it takes the unsigned configuration
      expect(p.applied!.signer).toBe('');
    }
  });

  it('the Directories button uses TVS and its cache; a locked phone shows Host Not Found', async () => {
    const l = await newLab({ nodes: 1 });
    const p = phones(l, sbd)[0];
    await labCmd(l, [`phones directories ${p.name}`]);
    let log = p.log.join('\n');
    expect(log).toContain('SECD: EROR:https_cert_vfy: HTTPS cert not in CTL, <192.0.2.10>');
    expect(log).toContain('SECD: Authenticated the HTTPS conn via TVS');
    await labCmd(l, [`phones directories ${p.name}`]);
    expect(p.log.slice(-4).join('\n')).toContain('lookupAuthCertTvsCacheEntry: Matching entry found at cache');
    await labCmd(l, ['clock advance 1d1s', `phones directories ${p.name}`]);
    expect(p.log.slice(-20).join('\n')).toContain('lookupAuthCertTvsCacheEntry: No matching entry found at cache');
    // both certificates replaced: TVS cannot be reached over TLS any more
    await labCmd(l, ['node hostname cucm-pub cucm-x', 'phones reset all']);
    const r = await labRun(l, [`phones directories ${p.name}`]);
    expect(r.statuses).toEqual([1]);
    expect(r.text).toContain('Host Not Found');
    expect(lastStatus(p)).toBe('Host Not Found');
    log = p.log.slice(-12).join('\n');
    expect(log).toContain('EROR:tvs_cert_vfy: TVS cert not found in TL, <192.0.2.10>');
  });

  it('a hardware-token CTL survives a single-node rename once the CTL Client runs again', async () => {
    const l = await newLab({ nodes: 1, ctl: 'etoken' });
    const ctl1 = await shownMd5(l, 'ctl');
    expectTrust(phones(l), 'trusted');
    for (const p of phones(l)) expect(ctlMd5(p)).toBe(ctl1);
    await labCmd(l, ['node hostname cucm-pub cucm-new', 'phones reset all']);
    expectTrust(phones(l), 'locked');
    const out = await labCmd(l, ['ctl-client']);
    expect(out).toContain('signed with the USB eToken');
    await admin(l, ['utils service restart Cisco Tftp', 'utils service restart Cisco CallManager']);
    await labCmd(l, ['phones reset all']);
    expectTrust(phones(l), 'trusted');
    const ctl2 = await shownMd5(l, 'ctl');
    for (const p of phones(l)) expect(ctlMd5(p)).toBe(ctl2);
    for (const p of phones(l, sbd)) expect(itlMd5(p)).toBe(await shownMd5(l, 'itl'));
  });
});

describe('console log and status messages', () => {
  it('are written as the phone prints them, on the lab clock and time zone', async () => {
    const l = await newLab({ timezone: 'America/New_York' });
    const p = phone(l, phones(l, sbd)[0].name);
    const itl = l.readTftp(l.publisher(), 'ITLFile.tlv')!;
    for (const line of p.log) expect(line).toMatch(/^\d+: (NOT|ERR) 04:00:\d\d\.\d{6} \S/);
    const times = p.log.map((x) => x.split(' ')[2]);
    expect([...times].sort()).toEqual(times);
    const log = p.log.join('\n');
    expect(log).toContain(`SECD: tlRequestFile: Request CTL${p.name}.tlv`);
    expect(log).toContain(`TFTP: [3]:Requesting ITL${p.name}.tlv from 192.0.2.10`);
    expect(log).toContain(`TFTP: [3]:Finished --> rcvd ${itl.length} bytes`);
    expect(log).toMatch(/SECD: validate_file_envelope: File sign verify SUCCESS; header length <\d+>/);
    expect(log).toContain(`TFTP: [4]:Requesting ${p.name}.cnf.xml.sgn from 192.0.2.10 with size limit of 550001`);
    expect(log).toContain(`SECD: verifyFile: verify SUCCESS </usr/ram/${p.name}.cnf.xml>`);
  });

  it('a powered-off TFTP server gives TFTP Timeout and the phone keeps what it has', async () => {
    const l = await newLab();
    const p = phones(l, (x) => x.devicePool === 'DP-Branch')[0];
    const itl = p.itl;
    await labCmd(l, ['node power cucm-sub2 off', 'phones reset DP-Branch']);
    expect(p.trust).toBe('unreachable');
    expect(lastStatus(p)).toBe('TFTP Timeout');
    expect(p.itl).toBe(itl);
    await labCmd(l, ['node power cucm-sub2 on', 'phones reset DP-Branch']);
    expect(p.trust).toBe('trusted');
  });

  it('an old lab without phones gets its fleet on first use', async () => {
    const l = await newLab();
    delete l.state.phones;
    await l.mutate(() => undefined);
    const dir = l.store.dir;
    l.close();
    const again = LabClass.open(dir);
    current = again;
    expect(fleet(again).phones).toHaveLength(12);
    expectTrust(phones(again, sbd), 'trusted');
  });
});
