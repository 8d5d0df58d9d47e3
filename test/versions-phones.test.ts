// Phones under each release's rules. Before 12.0 the ITL is signed by the CallManager key, so
// regenerating CallManager and TVS together before the phones took the new ITL leaves them with no
// trust anchor (versions.md §3: "never regenerate CallManager and TVS together, 8.x–11.5"); from
// 12.0 ITLRecovery signs the ITL and the phones accept the new one by its signer. On 14+ the TVS
// regeneration restarts TVS and Tftp by itself and "Phone Interaction on Certificate Update" resets
// the phones, so they take the new ITL without an administrator.
import { describe, it, expect } from 'vitest';
import { createHash, X509Certificate } from 'node:crypto';
import type { Lab, NodeState } from '../state/cluster/lab.js';
import { findService, TFTP, TVS } from '../state/cluster/services.js';
import { bootPhone } from '../state/phones/boot.js';
import { fleet } from '../state/phones/fleet.js';
import type { PhoneState } from '../state/phones/model.js';
import { installedLists } from '../state/phones/trustlists.js';
import { regenerateCertificate } from '../state/ops/regen.js';
import { seededLab, cleanup, transcript } from './helpers.js';

const smart = (lab: Lab): PhoneState[] => fleet(lab).phones.filter((p) => p.model !== '7940');
const restart = (lab: Lab, node: NodeState, name: string) => lab.mutate(() => lab.restartService(node, findService(node.services, name)!));
const RECOVERY_SIGNER = 'CN=ITLRECOVERY_cucm-pub.lab.example;OU=Voice;O=Example;L=RTP;ST=NC;C=US';

/** CallManager then TVS regenerated on a single node, the services restarted by hand, every phone reset. */
async function regenerateBoth(lab: Lab) {
  const pub = lab.publisher();
  const cm = await lab.mutate(() => regenerateCertificate(lab, pub, 'CallManager'));
  const tvs = await lab.mutate(() => regenerateCertificate(lab, pub, 'TVS'));
  return { cm, tvs };
}

describe.each([
  { version: '10.5', after: 'locked' },
  { version: '11.5', after: 'locked' },
  { version: '12.5', after: 'trusted' },
  { version: '14', after: 'trusted' },
  { version: '15', after: 'trusted' },
])('CUCM $version: CallManager and TVS regenerated together', ({ version, after }) => {
  it(`phones end ${after} after Tftp and TVS restart and a reset`, async () => {
    const lab = await seededLab({ topology: { version, nodes: 1 } });
    try {
      for (const p of smart(lab)) expect(p.trust).toBe('trusted');
      await regenerateBoth(lab);
      const pub = lab.publisher();
      await restart(lab, pub, TFTP);
      await restart(lab, pub, TVS);
      await lab.mutate(() => {
        for (const p of fleet(lab).phones) bootPhone(lab, p);
      });
      for (const p of smart(lab)) expect({ phone: p.name, trust: p.trust }).toEqual({ phone: p.name, trust: after });
      if (after === 'trusted') for (const p of smart(lab)) expect(installedLists(lab, p).itl?.signerName).toBe(RECOVERY_SIGNER);
    } finally {
      cleanup(lab);
    }
  });
});

describe('12.5: the ITLRecovery regeneration procedure of the security guide', () => {
  it('regen, utils itl reset localkey (CallManager signs), reset, Tftp restart (ITLRecovery signs again), reset', async () => {
    const lab = await seededLab({ topology: { version: '12.5', nodes: 2 } });
    try {
      const resetAll = () => lab.mutate(() => fleet(lab).phones.forEach((p) => bootPhone(lab, p)));
      const signers = () => [...new Set(smart(lab).map((p) => installedLists(lab, p).itl?.signerName))];
      const pub = lab.publisher();
      await lab.mutate(() => lab.regenerateCert(pub, 'ITLRecovery'));
      await lab.mutate(() => lab.resetItl());
      await resetAll();
      expect(signers()).toEqual(['CN=cucm-pub.lab.example;OU=Voice;O=Example;L=RTP;ST=NC;C=US']);
      for (const p of smart(lab)) expect(p.trust).toBe('trusted');
      for (const n of lab.nodes) await restart(lab, n, TFTP);
      await resetAll();
      expect(signers()).toEqual([RECOVERY_SIGNER]);
      const serial = new X509Certificate(pub.certs.ITLRecovery.certPem).serialNumber.toLowerCase();
      for (const p of smart(lab)) {
        expect(p.trust).toBe('trusted');
        expect(installedLists(lab, p).itl!.signerSerial.toString('hex')).toBe(serial);
      }
    } finally {
      cleanup(lab);
    }
  });
});

describe('14: Phone Interaction on Certificate Update', () => {
  /** SHA-1 of the node's TVS certificate, as the ITL's TVS record holds it. */
  const tvsHash = (node: NodeState) => createHash('sha1').update(new X509Certificate(node.certs.TVS.certPem).raw).digest();

  it('at its default the phones are reset once TVS and Tftp restarted themselves, and hold the new TVS record', async () => {
    const lab = await seededLab({ topology: { version: '14', nodes: 1 } });
    try {
      const resets = new Map(fleet(lab).phones.map((p) => [p.name, p.lastReset]));
      await lab.mutate(() => lab.advanceClock(60_000));
      const r = await lab.mutate(() => regenerateCertificate(lab, lab.publisher(), 'TVS'));
      expect(r.restarted.map((x) => x.service)).toEqual(['Cisco Trust Verification Service', 'Cisco Tftp']);
      expect(r.phonesReset).toBe(fleet(lab).phones.length);
      for (const p of fleet(lab).phones) expect(p.lastReset).not.toBe(resets.get(p.name));
      for (const p of smart(lab)) {
        expect(p.trust).toBe('trusted');
        const tvsRecords = installedLists(lab, p).itl!.records.filter((rec) => rec.func === 21);
        expect(tvsRecords.some((rec) => rec.certHash?.equals(tvsHash(lab.publisher())))).toBe(true);
      }
    } finally {
      cleanup(lab);
    }
  });

  it('admin: set cert regen TVS resets the phones through the cluster, as the parameter says', async () => {
    const lab = await seededLab({ topology: { version: '14', nodes: 1 } });
    try {
      const resets = new Map(fleet(lab).phones.map((p) => [p.name, p.lastReset]));
      await lab.mutate(() => lab.advanceClock(60_000));
      const r = await transcript(lab, ['set cert regen TVS'], { answers: ['yes'] });
      expect(r.statuses).toEqual([0]);
      for (const p of fleet(lab).phones) expect(p.lastReset).not.toBe(resets.get(p.name));
      for (const p of smart(lab)) {
        expect(p.trust).toBe('trusted');
        expect(installedLists(lab, p).itl!.records.some((rec) => rec.func === 21 && rec.certHash?.equals(tvsHash(lab.publisher())))).toBe(true);
      }
    } finally {
      cleanup(lab);
    }
  });

  it('set to manual the phones keep the old ITL until they are reset', async () => {
    const lab = await seededLab({ topology: { version: '14', nodes: 1 } });
    try {
      await lab.mutate(() => {
        lab.state.params.phoneInteraction = 'manual';
      });
      const before = new Map(smart(lab).map((p) => [p.name, p.itl]));
      const r = await lab.mutate(() => regenerateCertificate(lab, lab.publisher(), 'TVS'));
      expect(r.phonesReset).toBe(0);
      for (const p of smart(lab)) expect(p.itl).toBe(before.get(p.name));
    } finally {
      cleanup(lab);
    }
  });

  it('12.5 has no such parameter: nothing is restarted and no phone is reset', async () => {
    const lab = await seededLab({ topology: { version: '12.5', nodes: 1 } });
    try {
      const r = await lab.mutate(() => regenerateCertificate(lab, lab.publisher(), 'TVS'));
      expect(r).toEqual({ restarted: [], phonesReset: 0 });
    } finally {
      cleanup(lab);
    }
  });
});
