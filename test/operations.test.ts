// The seed procedures, driven through the script front end on a deterministic lab.
import { describe, it, expect, afterEach } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { seededLab, cleanup, scriptRun, trustFileProblems, pkcs12Certificate, x509Name, x509Serial } from './helpers.js';
import { requireDist } from './prerequisites.js';
import { X509Certificate } from 'node:crypto';
import type { Lab } from '../state/cluster/lab.js';
import { parseTrustList } from '../state/trust/tlv-parse.js';
import { Role } from '../state/trust/tlv.js';
import { localTransfer } from '../src/net/transfer.js';

let lab: Lab;
afterEach(() => cleanup(lab));

/** Every trust file on every node parses and verifies. */
function assertTrustFilesValid(l: Lab): void {
  expect(trustFileProblems(l)).toEqual([]);
}

function parsed(l: Lab, node: string, file: string) {
  const r = parseTrustList(l.readTftp(l.node(node)!, file)!);
  if (!r.ok) throw new Error(r.error);
  return r.list;
}

function md5Line(out: string): string {
  return out.match(/^[0-9a-f]{32}\(MD5\)$/m)?.[0] ?? '';
}

describe('non-secure to mixed mode (tokenless CTL)', () => {
  it('sets ClusterSecurityMode, copies one signed CTL to every node and asks for Tftp/CallManager restarts', async () => {
    lab = await seededLab();
    const before = await scriptRun(lab, "show ctl\nrun sql select paramname,paramvalue from processconfig where paramname='ClusterSecurityMode'");
    expect(before.out).toContain('CTL File not found. Please run CTLClient plugin or run the CLI - utils ctl.. to generate the CTL file.\nError parsing the CTL File.\n');
    expect(before.out).toContain('paramname           paramvalue\n=================== ==========\nClusterSecurityMode 0         \n');
    const r = await scriptRun(lab, "utils ctl set-cluster mixed-mode\ny\nrun sql select paramname,paramvalue from processconfig where paramname='ClusterSecurityMode'");
    expect(r.status).toBe(0);
    expect(r.out).toContain(
      'admin:utils ctl set-cluster mixed-mode\nThis operation sets the cluster to Mixed mode. Do you want to continue? (y/n):y\n\nMoving Cluster to Mixed Mode\nCluster set to Mixed Mode\nPlease Restart the TFTP and Cisco CallManager services on all nodes in the cluster that run these services\nadmin:',
    );
    expect(r.out).toContain('ClusterSecurityMode 1');
    const sums = await Promise.all(lab.nodes.map(async (n) => md5Line((await scriptRun(lab, 'show ctl', { node: n.name })).out)));
    expect(new Set(sums).size).toBe(1);
    expect(sums[0]).not.toBe('');
    const ctl = parsed(lab, 'cucm-pub', 'CTLFile.tlv');
    expect(ctl.records.map((x) => x.func)).toEqual([Role.SAST, Role.CCM_TFTP, Role.CAPF, Role.CCM_TFTP, Role.CCM_TFTP]);
    expect(ctl.signerSerial.equals(x509Serial(lab.publisher().certs.CallManager.certPem))).toBe(true);
    for (const n of lab.nodes) expect(lab.pendingRestarts(n)).toEqual(expect.arrayContaining(['Cisco CallManager', 'Cisco Tftp']));
    // the ITL keeps its TFTP role until Tftp restarts, then carries CCM+TFTP
    expect(parsed(lab, 'cucm-pub', 'ITLFile.tlv').records[1].func).toBe(Role.TFTP);
    await scriptRun(lab, 'utils service restart Cisco Tftp');
    expect(parsed(lab, 'cucm-pub', 'ITLFile.tlv').records[1].func).toBe(Role.CCM_TFTP);
    assertTrustFilesValid(lab);
  });

  it('answers n without changing anything, and says so when already in mixed mode', async () => {
    lab = await seededLab();
    const fp = lab.fingerprint();
    await scriptRun(lab, 'utils ctl set-cluster mixed-mode\nn');
    expect(lab.fingerprint()).toBe(fp);
    expect(lab.readTftp(lab.publisher(), 'CTLFile.tlv')).toBeUndefined();
    await scriptRun(lab, 'utils ctl set-cluster mixed-mode\ny');
    const again = await scriptRun(lab, 'utils ctl set-cluster mixed-mode');
    expect(again.out).toContain('The cluster is already in Mixed Mode');
  });

  it('back to non-secure mode leaves placeholder server records in the CTL', async () => {
    lab = await seededLab();
    await scriptRun(lab, 'utils ctl set-cluster mixed-mode\ny');
    const r = await scriptRun(lab, 'utils ctl set-cluster non-secure-mode\ny');
    expect(r.out).toContain('This operation will set the cluster to non secure mode. Do you want to continue? (y/n):y\n\nMoving Cluster to Non Secure Mode\nCluster set to Non Secure Mode\n');
    const ctl = parsed(lab, 'cucm-sub1', 'CTLFile.tlv');
    // fields 1, 2, 4 and 10 only (seed: RECORDLENGTH 33 for a 13-byte address name)
    const stubs = ctl.records.filter((x) => x.subjectName === undefined);
    expect(stubs.length).toBe(3);
    expect(stubs[0].dnsName).toBe('192.0.2.10');
    expect(stubs[0].fields.map((f) => f.tag)).toEqual([1, 2, 4, 10]);
    expect(stubs[0].length).toBe(5 + 3 + '192.0.2.10'.length + 1 + 5 + 7);
    assertTrustFilesValid(lab);
  });
});

describe('hardware eToken CTL to tokenless', () => {
  it('utils ctl update CTLFile replaces the eToken-signed CTL with one signed by the publisher CallManager', async () => {
    lab = await seededLab({ topology: { ctl: 'etoken' } });
    const before = await scriptRun(lab, 'show ctl');
    expect(before.out).toMatch(/SUBJECTNAME     56      cn="SAST-ADN[0-9a-f]{8}        ";ou=IPCBU;o="Cisco Systems/);
    expect(before.out).toContain('ISSUERNAME      42      cn=Cisco Manufacturing CA;o=Cisco Systems');
    expect(before.out).toContain('This etoken was used to sign the CTL file.');
    expect(before.out).toContain('The CTL file was verified successfully.');
    const r = await scriptRun(lab, 'utils ctl update CTLFile\ny\nshow ctl');
    expect(r.out).toContain('This operation updates the CTLFile. Do you want to continue? (y/n):y\n\nUpdating CTL file\nCTL file Updated\nPlease Restart the TFTP and Cisco CallManager services on all nodes in the cluster that run these services\n');
    const ctl = parsed(lab, 'cucm-pub', 'CTLFile.tlv');
    expect(ctl.signerName).toBe(x509Name(lab.publisher().certs.CallManager.certPem));
    expect(ctl.records.some((x) => x.issuerName === 'cn=Cisco Manufacturing CA;o=Cisco Systems')).toBe(false);
    assertTrustFilesValid(lab);
  });
});

describe('CallManager regeneration then update CTLFile', () => {
  it('the new CallManager certificate signs the updated CTL on every node', async () => {
    lab = await seededLab();
    await scriptRun(lab, 'utils ctl set-cluster mixed-mode\ny');
    const oldSerial = x509Serial(lab.publisher().certs.CallManager.certPem);
    const r = await scriptRun(lab, 'set cert regen CallManager\nyes');
    expect(r.out).toBe(
      'admin:set cert regen CallManager\n\nWARNING: This operation will overwrite any CA signed certificate previously imported for CallManager\nProceed with regeneration (yes|no)? yes\n\n\nSuccessfully Regenerated Certificate for CallManager.\nPlease do a backup of the server as soon as possible. Failure to do so can stale the cluster in case of a crash.\nYou must restart services related to CallManager for the regenerated certificates to become active.\nadmin:\n',
    );
    // the CTL still names the old certificate until it is updated
    expect(parsed(lab, 'cucm-sub2', 'CTLFile.tlv').signerSerial.equals(oldSerial)).toBe(true);
    await scriptRun(lab, 'utils ctl update CTLFile\ny');
    const newSerial = x509Serial(lab.publisher().certs.CallManager.certPem);
    for (const n of lab.nodes) expect(parsed(lab, n.name, 'CTLFile.tlv').signerSerial.equals(newSerial)).toBe(true);
    // other nodes' OS trust stores learn the new certificate through replication
    expect(lab.node('cucm-sub1')!.trust['CallManager-trust/cucm-pub.lab.example.pem']).toBe(lab.publisher().certs.CallManager.certPem);
    assertTrustFilesValid(lab);
  });
});

describe('hold timer', () => {
  it('refuses a second regeneration on the same node within 5 minutes, allows it after', async () => {
    lab = await seededLab();
    const r = await scriptRun(lab, 'set cert regen CallManager\nyes\nset cert regen TVS');
    expect(r.status).toBe(1);
    expect(r.out).toContain('admin:set cert regen TVS\nCallManager certificate was modified in the last 5 minutes. Please re-try regenerating TVS certificate at a later time\nadmin:');
    // another node has its own timer
    expect((await scriptRun(lab, 'set cert regen TVS\nyes', { node: 'cucm-sub1' })).status).toBe(0);
    await lab.mutate(() => lab.advanceClock(5 * 60 * 1000 + 1000));
    const later = await scriptRun(lab, 'set cert regen TVS\nyes');
    expect(later.status).toBe(0);
    expect(later.out).toContain('Successfully Regenerated Certificate for TVS.');
  });

  it('ITLRecovery regeneration prints its own warning', async () => {
    lab = await seededLab();
    const r = await scriptRun(lab, 'set cert regen ITLRecovery\nyes');
    expect(r.out).toContain('WARNING: If you are using a tokenless CTL and if the CallManager certificate is recently generated');
    expect(r.out).toContain('Successfully Regenerated Certificate for ITLRecovery.\n\nYou must restart the services related to ITLRecovery for the regenerated certificates to become active.\n');
  });
});

describe('ITL recovery', () => {
  it('localkey: the ITL is signed by ITLRECOVERY on every active TFTP node until the next Tftp restart', async () => {
    lab = await seededLab();
    const r = await scriptRun(lab, 'utils itl reset localkey\ncisco123\nshow itl');
    expect(r.out).toContain(
      "admin:utils itl reset localkey\nEnter CCM Administrator password :\n\nLocating active Tftp servers in the cluster.....\n\nFollowing is the list of Active tftp servers in the cluster\n\n['cucm-pub', 'cucm-sub1', 'cucm-sub2']\nThe reset ITL file was generated successfully\n\nTransferring new reset ITL file to the TFTP server nodes in the cluster.....\n\nRestarting Cisco Tftp service on host cucm-pub\nCisco Tftp service restarted on host cucm-pub\nSuccessfully transferred reset ITL to node cucm-sub1\n\nRestarting Cisco Tftp service on host cucm-sub1\nCisco Tftp service restarted on host cucm-sub1\nSuccessfully transferred reset ITL to node cucm-sub2\n\nRestarting Cisco Tftp service on host cucm-sub2\nCisco Tftp service restarted on host cucm-sub2\n",
    );
    expect(r.out).not.toContain('cisco123');
    const recoverySubject = x509Name(lab.publisher().certs.ITLRecovery.certPem);
    for (const n of lab.nodes) expect(parsed(lab, n.name, 'ITLFile.tlv').signerName).toBe(recoverySubject);
    // the ITLRECOVERY record is the one that signed; the CallManager SAST record did not
    const pubOut = r.out.slice(r.out.indexOf('admin:show itl'));
    expect(pubOut.indexOf('This etoken was not used to sign the ITL file.')).toBeLessThan(pubOut.indexOf('This etoken was used to sign the ITL file.'));
    assertTrustFilesValid(lab);
    await scriptRun(lab, 'utils service restart Cisco Tftp', { node: 'cucm-sub1' });
    expect(parsed(lab, 'cucm-sub1', 'ITLFile.tlv').signerName).toBe(x509Name(lab.node('cucm-sub1')!.certs.CallManager.certPem));
    expect(parsed(lab, 'cucm-pub', 'ITLFile.tlv').signerName).toBe(recoverySubject);
  });

  it('localkey with a wrong CCM Administrator password changes nothing', async () => {
    lab = await seededLab();
    const fp = lab.fingerprint();
    const r = await scriptRun(lab, 'utils itl reset localkey\nwrong');
    expect(r.status).toBe(1);
    expect(lab.fingerprint()).toBe(fp);
  });

  it('remotekey: fetches ITLRecovery.p12, checks it with the cluster security password and uses that key', async () => {
    lab = await seededLab();
    const root = mkdtempSync(join(tmpdir(), 'sftp-'));
    const transfer = localTransfer(root);
    try {
      const g = await scriptRun(lab, 'file get tftp ITLRecovery.p12\ny\nbackup-server\n\nadmin\nsecret\n/home/admin', { transfer });
      expect(g.out).toContain('Would you like to proceed [y/n]? y\nSFTP server IP: backup-server\nSFTP server port [22]: \nUser ID: admin\nPassword: ******\nDownload directory: /home/admin\n\nTransfer completed.\n');
      // opened with openssl and the cluster security password
      const openedPem = pkcs12Certificate(join(root, 'backup-server', 'home', 'admin', 'ITLRecovery.p12'), 'cisco123');
      expect(x509Name(openedPem)).toMatch(/^CN=ITLRECOVERY_cucm-pub\.lab\.example;/);
      // a rebuilt publisher would have a new key; the remote one must win
      await scriptRun(lab, 'set cert regen ITLRecovery\nyes');
      const r = await scriptRun(lab, 'utils itl reset remotekey backup-server admin /home/admin/ITLRecovery.p12\nsftppw\ncisco123', { transfer });
      expect(r.status).toBe(0);
      expect(r.out).toContain('Enter Sftp password :Processing token in else 0 Voice\ncoun is 1\nProcessing token in else 0 Voice\ncoun is 1\n\nEnter CCM Administrator password :\n\nLocating active Tftp servers in the cluster.....');
      expect(new X509Certificate(lab.publisher().certs.ITLRecovery.certPem).raw.equals(new X509Certificate(openedPem).raw)).toBe(true);
      expect(parsed(lab, 'cucm-sub2', 'ITLFile.tlv').signerSerial.equals(x509Serial(openedPem))).toBe(true);
      assertTrustFilesValid(lab);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('remotekey refuses a bag that does not open with the cluster security password', async () => {
    lab = await seededLab();
    const root = mkdtempSync(join(tmpdir(), 'sftp-'));
    try {
      const transfer = localTransfer(root);
      await scriptRun(lab, 'file get tftp ITLRecovery.p12\ny\nh\n\nu\np\n/', { transfer });
      await lab.mutate(() => (lab.state.accounts.securityPassword = 'different1'));
      const fp = lab.fingerprint();
      const r = await scriptRun(lab, 'utils itl reset remotekey h u /ITLRecovery.p12\npw', { transfer });
      expect(r.status).toBe(1);
      expect(r.out).toContain('Executed command unsuccessfully');
      expect(lab.fingerprint()).toBe(fp);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('files', () => {
  it('ITLRecovery.p12 exists only on the publisher', async () => {
    lab = await seededLab();
    const sub = await scriptRun(lab, 'file get tftp ITLRecovery.p12', { node: 'cucm-sub1' });
    expect(sub.status).toBe(1);
    expect(sub.out).toContain('Please wait while the system is gathering files info ...done.\nNo files matched filter criteria.\nExecuted command unsuccessfully\n');
    const pub = await scriptRun(lab, 'file get tftp ITLRecovery.p12\nn');
    expect(pub.out).toContain(`Sub-directories were not traversed.\nNumber of files affected: 1\nTotal size in Bytes: ${lab.readTftp(lab.publisher(), 'ITLRecovery.p12')!.length}\n`);
  });

  it('file delete tftp CTLFile.tlv deletes it on this node only', async () => {
    lab = await seededLab();
    await scriptRun(lab, 'utils ctl set-cluster mixed-mode\ny');
    const r = await scriptRun(lab, 'file delete tftp CTLFile.tlv\ny\nshow ctl', { node: 'cucm-sub1' });
    expect(r.out).toContain('admin:file delete tftp CTLFile.tlv\nDelete the File CTLFile.tlv?\nEnter "y" followed by return to continue: y\nfiles: found = 1, deleted = 1\nadmin:show ctl\nLength of CTL file: 0\n');
    expect(lab.readTftp(lab.node('cucm-sub1')!, 'CTLFile.tlv')).toBeUndefined();
    expect(lab.readTftp(lab.publisher(), 'CTLFile.tlv')).toBeDefined();
    const act = await scriptRun(lab, 'file delete activelog cm/tftpdata/CTLFile.tlv noconfirm', { node: 'cucm-sub2' });
    expect(act.out).toContain('files: found = 1, deleted = 1');
    expect(lab.readTftp(lab.node('cucm-sub2')!, 'CTLFile.tlv')).toBeUndefined();
  });

  it('refuses file specs that leave the TFTP directory', async () => {
    lab = await seededLab();
    for (const spec of ['../lab.json', '/etc/passwd', '..', 'a/../../b']) {
      const r = await scriptRun(lab, `file delete tftp ${spec} noconfirm`);
      expect(r.status, spec).toBe(1);
      expect(r.out).not.toContain('deleted = 1');
    }
    expect((await scriptRun(lab, 'file delete activelog cm/tftpdata/../../lab.json noconfirm')).status).toBe(1);
    expect(lab.store.read('lab.json')).toBeDefined();
  });
});

describe('subscriber refusals', () => {
  it('publisher-only commands refuse on a subscriber', async () => {
    lab = await seededLab();
    const fp = lab.fingerprint();
    for (const cmd of ['utils ctl set-cluster mixed-mode', 'utils ctl set-cluster non-secure-mode', 'utils ctl update CTLFile', 'utils itl reset localkey', 'utils itl reset remotekey h u /p']) {
      const r = await scriptRun(lab, cmd, { node: 'cucm-sub2' });
      expect(r.status, cmd).toBe(1);
      expect(r.out).toContain('Executed command unsuccessfully');
    }
    expect((await scriptRun(lab, 'utils itl reset localkey', { node: 'cucm-sub1' })).out).toContain('This is not a publisher node.');
    expect(lab.fingerprint()).toBe(fp);
  });
});

describe('cancellation', () => {
  it('end of input in the middle of a dialog ends the session quietly and leaves the lab as it was', async () => {
    lab = await seededLab();
    const fp = lab.fingerprint();
    for (const cmd of ['utils ctl set-cluster mixed-mode', 'set cert regen CallManager', 'utils itl reset localkey', 'file delete tftp ITLFile.tlv', 'file get tftp ITLFile.tlv\ny\nhost']) {
      const r = await scriptRun(lab, cmd);
      // as Ctrl-D at a terminal: the question's line ends, no Ctrl-C line and no prompt after it
      expect(r.out, cmd).not.toContain('Control-C pressed');
      expect(r.out, cmd).toMatch(/[?:] \n$|[?:]\n$/);
      expect(r.out, cmd).not.toMatch(/admin:\n?$/);
      expect(r.status, cmd).toBe(1);
      expect(lab.fingerprint(), cmd).toBe(fp);
    }
    assertTrustFilesValid(lab);
  });
});

describe('persistence', () => {
  it('state survives closing and reopening the lab', async () => {
    lab = await seededLab();
    await scriptRun(lab, 'utils ctl set-cluster mixed-mode\ny\nset cert regen TVS\nyes');
    const fp = lab.fingerprint();
    const dir = lab.store.dir;
    lab.close();
    const { Lab } = await import('../state/cluster/lab.js');
    lab = Lab.open(dir);
    expect(lab.fingerprint()).toBe(fp);
    expect(lab.state.params.clusterSecurityMode).toBe(1);
    assertTrustFilesValid(lab);
  });

  it('a second process cannot open a lab that is in use', async () => {
    requireDist('state/cluster/lab.js');
    lab = await seededLab();
    const { execFileSync } = await import('node:child_process');
    const code = `import('${join(__dirname, '..', 'dist', 'state', 'cluster', 'lab.js')}').then(m => { try { m.Lab.open(${JSON.stringify(lab.store.dir)}); console.log('opened') } catch (e) { console.log(e.message) } })`;
    const out = execFileSync(process.execPath, ['-e', code]).toString();
    expect(out).toContain(`in use by process ${process.pid}`);
  });
});

describe('replication', () => {
  it('a node that is down misses the CTL copy and certificate changes until it is up again', async () => {
    lab = await seededLab();
    const sub2 = () => lab.node('cucm-sub2')!;
    await lab.mutate(() => lab.setPower(sub2(), false));
    await scriptRun(lab, 'utils ctl set-cluster mixed-mode\ny\nset cert regen CallManager\nyes');
    expect(lab.readTftp(sub2(), 'CTLFile.tlv')).toBeUndefined();
    const key = 'CallManager-trust/cucm-pub.lab.example.pem';
    expect(sub2().trust[key]).not.toBe(lab.publisher().certs.CallManager.certPem);
    expect(lab.node('cucm-sub1')!.trust[key]).toBe(lab.publisher().certs.CallManager.certPem);
    // the down node is not an active TFTP server for an ITL reset
    const reset = await scriptRun(lab, 'utils itl reset localkey\ncisco123');
    expect(reset.out).toContain("['cucm-pub', 'cucm-sub1']");
    await lab.mutate(() => lab.setPower(sub2(), true));
    expect(lab.readTftp(sub2(), 'CTLFile.tlv')!.equals(lab.readTftp(lab.publisher(), 'CTLFile.tlv')!)).toBe(true);
    expect(sub2().trust[key]).toBe(lab.publisher().certs.CallManager.certPem);
    assertTrustFilesValid(lab);
  });
});

describe('run sql', () => {
  it('answers the seed 000 certificate join and lists the phones as devices', async () => {
    lab = await seededLab();
    const r = await scriptRun(
      lab,
      'run sql select c.subjectname, c.serialnumber, c.ipv4address, t.name from certificate as c, certificatetrustrolemap as r, typetrustrole as t where c.pkid = r.fkcertificate and t.enum = r.tktrustrole\nrun sql select count(*) from device\nrun sql update device set description=\'x\'',
    );
    const serial = x509Serial(lab.node('cucm-sub1')!.certs.CallManager.certPem).toString('hex');
    expect(r.out).toMatch(new RegExp(`CN=cucm-sub1\\.lab\\.example;[^\\n]* ${serial} 192\\.0\\.2\\.11  Authentication and Authorization`));
    expect(r.out).toContain('(count(*))\n==========\n12        \n');
    expect(r.status).toBe(1);
    expect(r.out).toMatch(/admin:run sql update device set description='x'\n.*\nExecuted command unsuccessfully\n/);
  });
});
