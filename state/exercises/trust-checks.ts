// Checks on what the trust lists hold and what the phones made of them: a certificate listed in the
// CTL or in the ITL the TFTP nodes serve, and the trust state of the phones.
import type { Lab, NodeState } from '../cluster/lab.js';
import { servedTrustFile } from '../cluster/running.js';
import { CERT_UNITS, certView, type CertView } from '../crypto/certs.js';
import { supportsSbd } from '../phones/model.js';
import { tftpServing } from '../phones/tftpfiles.js';
import { parseTrustList } from '../trust/tlv-parse.js';
import { inScope, opt, req, s, scope, servedMd5, tally, type CheckResult, type KindDef, type P } from './check-util.js';

const STATES = ['trusted', 'any-signer', 'locked', 'non-secure'] as const;

/** The certificate a list should carry: the node's own, except ITLRecovery, which is the publisher's. */
export function listedCert(lab: Lab, p: P): CertView | undefined {
  const unit = s(p.unit || 'CallManager');
  const owner = unit === 'ITLRecovery' ? lab.publisher() : lab.node(s(p.node));
  const pem = owner?.certs[unit]?.certPem;
  return pem ? certView(pem) : undefined;
}

/** A record for the certificate: by serial, or by SHA-1 where the record holds only a hash (TVS, CAPF in the ITL). */
function lists(file: Buffer | undefined, v: CertView): boolean {
  const parsed = file ? parseTrustList(file) : undefined;
  if (!parsed?.ok) return false;
  return parsed.list.records.some((r) => (r.certificate || !r.certHash ? !!r.serial?.equals(v.serial) : r.certHash.equals(v.sha1)));
}

function missingFrom(names: string[], what: string): CheckResult {
  return names.length === 0 ? { ok: true } : { ok: false, detail: `not in the ${what} of ${names.join(', ')}` };
}

const tftpNodes = (lab: Lab): NodeState[] => lab.nodes.filter((n) => n.tftp && tftpServing(lab, n));

export const TRUST_KINDS: Record<string, KindDef> = {
  'phones-trust-state': {
    params: { state: req(STATES), phones: opt('text') },
    describe: (p) =>
      p.state === 'any-signer'
        ? `Every SBD phone${inScope(p)} holds the blank ITL its TFTP server serves and accepts any signer`
        : `Every SBD phone${inScope(p)} is ${s(p.state)}`,
    evaluate(lab, _x, p) {
      const phones = scope(lab, p).filter((ph) => supportsSbd(ph.model));
      const bad = phones.filter((ph) => ph.trust !== p.state || (p.state === 'any-signer' && (!ph.itl || ph.itl !== servedMd5(lab, ph, 'ITLFile.tlv'))));
      return tally(bad.length, phones.length, 'SBD phone');
    },
  },
  'ctl-lists-cert': {
    params: { node: req('text'), unit: opt(CERT_UNITS), served: opt('bool') },
    describe: (p) => `The CTL on every node lists the current ${s(p.unit || 'CallManager')} certificate of ${s(p.node)}${p.served ? ', and so does the CTL every running Cisco Tftp serves' : ''}`,
    evaluate(lab, _x, p) {
      const v = listedCert(lab, p);
      if (!v) return { ok: false };
      const bad = lab.nodes.filter((n) => !lists(lab.readTftp(n, 'CTLFile.tlv'), v)).map((n) => n.name);
      if (bad.length || !p.served) return missingFrom(bad, 'CTLFile.tlv');
      return missingFrom(tftpNodes(lab).filter((n) => !lists(servedTrustFile(lab, n, 'CTL'), v)).map((n) => n.name), 'served CTL');
    },
  },
  'ctl-signed-by': {
    params: { signer: req(['CallManager', 'ITLRecovery']), served: opt('bool') },
    describe: (p) => `The CTL on every node is signed by the publisher's current ${s(p.signer)} certificate${p.served ? ', and so is the CTL every running Cisco Tftp serves' : ''}`,
    evaluate(lab, _x, p) {
      const pem = lab.publisher().certs[s(p.signer)]?.certPem;
      if (!pem) return { ok: false };
      const serial = certView(pem).serial;
      const signed = (file: Buffer | undefined) => {
        const parsed = file ? parseTrustList(file) : undefined;
        return !!parsed?.ok && parsed.list.signerSerial.equals(serial);
      };
      const bad = lab.nodes.filter((n) => !signed(lab.readTftp(n, 'CTLFile.tlv'))).map((n) => n.name);
      const what = `signer of the CTLFile.tlv`;
      if (bad.length || !p.served) return bad.length ? { ok: false, detail: `not the ${what} of ${bad.join(', ')}` } : { ok: true };
      const served = tftpNodes(lab).filter((n) => !signed(servedTrustFile(lab, n, 'CTL'))).map((n) => n.name);
      return served.length ? { ok: false, detail: `not the signer of the served CTL of ${served.join(', ')}` } : { ok: true };
    },
  },
  'itl-lists-cert': {
    params: { node: req('text'), unit: req(CERT_UNITS), tftp: opt('text') },
    describe: (p) =>
      `The ITL ${p.tftp ? s(p.tftp) : 'every TFTP node'} serves lists the current ${s(p.unit)} certificate of ${p.unit === 'ITLRecovery' ? 'the publisher' : s(p.node)}`,
    evaluate(lab, _x, p) {
      const v = listedCert(lab, p);
      const nodes = p.tftp ? [lab.node(s(p.tftp))].filter((n): n is NodeState => !!n) : tftpNodes(lab);
      if (!v || nodes.length === 0) return { ok: false };
      return missingFrom(nodes.filter((n) => !tftpServing(lab, n) || !lists(servedTrustFile(lab, n, 'ITL'), v)).map((n) => n.name), 'served ITL');
    },
  },
};
