// The lab console's CTL Client (hardware eTokens) and what it refuses, as seeds 002/004 describe the
// way back from a tokenless CTL: the token is not in the CTL until the CTL file is deleted, and then
// the client warns that a mixed-mode cluster has no CTL and writes one signed by an eToken.
import { afterEach, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Lab } from '../state/cluster/lab.js';
import { cleanup, seededLab, transcript } from './helpers.js';
import { labRun } from './phone-helpers.js';

// seed 002, "De una solución sin tokens a eTokens de hardware"
const TOKEN_NOT_IN_CTL =
  'The Security Token you have inserted does not exist in the CTL File\n' +
  'Please remove any Security Tokens already inserted and insert another\n' +
  'Security Token. Click Ok when done.\n';
// seed 002 step 12 (seed 004 wraps the same two sentences)
const NO_CTL =
  'No CTL File exists on the server but the Call Manager Cluster Security Mode is in Secure Mode.\n' +
  'For the system to function, you must create the CTL File and set Call Manager Cluster the Secure Mode.\n';

let lab: Lab | undefined;
afterEach(() => {
  if (lab) cleanup(lab);
  lab = undefined;
});

function ctlFile(l: Lab, node = 'cucm-pub'): Buffer | undefined {
  // tftpDir() writes the changes still waiting first
  const p = join(l.tftpDir(l.node(node)!), 'CTLFile.tlv');
  return existsSync(p) ? readFileSync(p) : undefined;
}

const md5 = (b: Buffer | undefined) => (b ? createHash('md5').update(b).digest('hex') : undefined);

describe('ctl-client', () => {
  it('updates a CTL made with the eTokens', async () => {
    lab = await seededLab({ topology: { ctl: 'etoken' } });
    const before = md5(ctlFile(lab));
    const r = await labRun(lab, ['ctl-client']);
    expect(r.statuses).toEqual([0]);
    expect(r.text).toContain('CTLFile.tlv signed with the USB eToken, copied to cucm-pub, cucm-sub1, cucm-sub2.');
    expect(r.text).not.toContain('No CTL File exists');
    expect(md5(ctlFile(lab))).not.toBe(before);
  });

  it('refuses a tokenless CTL, then after file delete tftp CTLFile.tlv warns and writes one signed by an eToken', async () => {
    lab = await seededLab({ topology: { ctl: 'etoken' } });
    // tokenless: the CTL is rebuilt from the server certificates, the eToken records are gone
    const upd = await transcript(lab, ['utils ctl update CTLFile'], { answers: ['y'] });
    expect(upd.statuses).toEqual([0]);
    const tokenless = ctlFile(lab)!;
    expect(tokenless.includes(Buffer.from('SAST-ADN'))).toBe(false);

    const refused = await labRun(lab, ['ctl-client']);
    expect(refused.statuses).toEqual([1]);
    expect(refused.text).toContain('lab>ctl-client\n' + TOKEN_NOT_IN_CTL);
    expect(md5(ctlFile(lab))).toBe(md5(tokenless));
    expect(md5(ctlFile(lab, 'cucm-sub1'))).toBe(md5(tokenless));

    const del = await transcript(lab, ['file delete tftp CTLFile.tlv'], { answers: ['y'] });
    expect(del.text).toContain('files: found = 1, deleted = 1');
    expect(ctlFile(lab)).toBeUndefined();

    const ok = await labRun(lab, ['ctl-client']);
    expect(ok.statuses).toEqual([0]);
    expect(ok.text).toContain('lab>ctl-client\n' + NO_CTL);
    expect(ok.text).toContain('CTLFile.tlv signed with the USB eToken');
    const shown = await transcript(lab, ['show ctl']);
    expect(shown.text).toContain('ou=IPCBU;o="Cisco Systems');
    expect(shown.text).toContain('This etoken was used to sign the CTL file.');
    expect(shown.text).toContain(`${md5(ctlFile(lab))}(MD5)`);
    expect(md5(ctlFile(lab, 'cucm-sub2'))).toBe(md5(ctlFile(lab)));
  });

  it('does not warn when the cluster is not in mixed mode and has no CTL', async () => {
    lab = await seededLab({ topology: { ctl: 'etoken' } });
    await transcript(lab, ['utils ctl set-cluster non-secure-mode', 'file delete tftp CTLFile.tlv'], { answers: ['y', 'y'] });
    expect(ctlFile(lab)).toBeUndefined();
    const r = await labRun(lab, ['ctl-client']);
    expect(r.statuses).toEqual([0]);
    expect(r.text).not.toContain('No CTL File exists');
    const sql = await transcript(lab, ["run sql select paramname,paramvalue from processconfig where paramname='ClusterSecurityMode'"]);
    expect(sql.text).toContain('ClusterSecurityMode 1');
  });

  it('is refused in a lab without eTokens', async () => {
    lab = await seededLab();
    const r = await labRun(lab, ['ctl-client']);
    expect(r.statuses).toEqual([1]);
    expect(r.text).toContain('This lab has no USB eTokens');
  });
});
