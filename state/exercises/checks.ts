// The vocabulary of goal and constraint checks: each kind's parameters (validated when a data file
// is read), its default name, and how it is evaluated on the lab state and the exercise's event log.
// What the trust lists hold is checked in trust-checks.ts, erases by hand in erase-checks.ts.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join, normalize } from 'node:path';
import type { Lab, NodeState } from '../cluster/lab.js';
import { CERT_UNITS, certView } from '../crypto/certs.js';
import { servedTrustFile } from '../cluster/running.js';
import { selectPhones } from '../phones/fleet.js';
import { supportsSbd } from '../phones/model.js';
import { tftpServing } from '../phones/tftpfiles.js';
import { parseTrustList } from '../trust/tlv-parse.js';
import { inScope, opt, plural, req, s, scope, servedMd5, tally, type CheckResult, type KindDef, type P } from './check-util.js';
import { ERASE_KINDS } from './erase-checks.js';
import { commandCount, startCount } from './events.js';
import type { CheckSpec, ExerciseRecord } from './model.js';
import { TRUST_KINDS } from './trust-checks.js';

function signedBy(lab: Lab, node: NodeState, signer: string): boolean {
  if (!tftpServing(lab, node)) return false;
  const itl = servedTrustFile(lab, node, 'ITL');
  const parsed = itl ? parseTrustList(itl) : undefined;
  if (!parsed?.ok) return false;
  const pem = signer === 'ITLRecovery' ? lab.publisher().certs.ITLRecovery?.certPem : node.certs.CallManager?.certPem;
  return !!pem && parsed.list.signerSerial.equals(certView(pem).serial);
}

/** Where the local transfer keeps a file put to `host` (src/net/transfer.ts names it the same way). */
export function localSftpPath(lab: Lab, host: string, path: string): string {
  const h = host.replace(/[^a-zA-Z0-9.-]/g, '_').replace(/^\.*$/, (m) => '_'.repeat(m.length || 1));
  return join(lab.store.dir, 'sftp', h, normalize('/' + path).replace(/^\/+/, ''));
}

export function certSha1(pem: string): string {
  return createHash('sha1').update(pem).digest('hex');
}

const node = (lab: Lab, p: P) => lab.node(s(p.node));

const CORE_KINDS: Record<string, KindDef> = {
  'phones-trust-current-itl': {
    params: { phones: opt('text') },
    describe: (p) => `Every SBD phone${inScope(p)} trusts the ITL its TFTP server serves`,
    evaluate(lab, _x, p) {
      const phones = scope(lab, p).filter((ph) => supportsSbd(ph.model));
      const bad = phones.filter((ph) => ph.trust !== 'trusted' || !ph.itl || ph.itl !== servedMd5(lab, ph, 'ITLFile.tlv'));
      return tally(bad.length, phones.length, 'SBD phone');
    },
  },
  'phones-trust-current-ctl': {
    params: { phones: opt('text') },
    describe: (p) => `Every phone${inScope(p)} trusts the CTL its TFTP server serves`,
    evaluate(lab, _x, p) {
      const phones = scope(lab, p);
      const bad = phones.filter((ph) => ph.trust !== 'trusted' || !ph.ctl || ph.ctl !== servedMd5(lab, ph, 'CTLFile.tlv'));
      return tally(bad.length, phones.length, 'phone');
    },
  },
  'phones-locked-count': {
    params: { count: req('count'), phones: opt('text') },
    describe: (p) => (Number(p.count) === 0 ? `No phone${inScope(p)} is locked` : `${plural(Number(p.count), 'phone')}${inScope(p)} locked`),
    evaluate(lab, _x, p) {
      const n = scope(lab, p).filter((ph) => ph.trust === 'locked').length;
      return n === Number(p.count) ? { ok: true } : { ok: false, detail: `${plural(n, 'phone')} locked` };
    },
  },
  'phones-config-applied': {
    params: { phones: opt('text') },
    describe: (p) => `Every phone${inScope(p)} applied its current configuration`,
    evaluate(lab, _x, p) {
      const phones = scope(lab, p);
      return tally(phones.filter((ph) => ph.applied?.version !== ph.configVersion).length, phones.length, 'phone');
    },
  },
  'cluster-mode': {
    params: { mode: req(['mixed', 'non-secure']) },
    describe: (p) => `The cluster runs in ${p.mode === 'mixed' ? 'mixed' : 'non-secure'} mode`,
    evaluate: (lab, _x, p) => ({ ok: lab.state.params.clusterSecurityMode === (p.mode === 'mixed' ? 1 : 0) }),
  },
  'ctl-same-on-all-nodes': {
    params: { served: opt('bool') },
    describe: (p) => `Every node holds the same CTL file${p.served ? ', and every running Cisco Tftp serves it' : ''}`,
    evaluate(lab, _x, p) {
      const files = lab.nodes.map((n) => lab.readTftp(n, 'CTLFile.tlv'));
      const first = files[0];
      if (!first || files.some((f) => !f || !f.equals(first))) return { ok: false };
      if (p.served) for (const n of lab.nodes) if (tftpServing(lab, n) && !servedTrustFile(lab, n, 'CTL')?.equals(first)) return { ok: false };
      return { ok: true };
    },
  },
  'itl-signed-by': {
    params: { signer: req(['CallManager', 'ITLRecovery']), node: opt('text') },
    describe: (p) => `The ITL ${p.node ? s(p.node) : 'every TFTP node'} serves is signed by the current ${s(p.signer)} certificate`,
    evaluate(lab, _x, p) {
      const nodes = p.node ? [node(lab, p)].filter((n): n is NodeState => !!n) : lab.activeTftpNodes();
      if (nodes.length === 0) return { ok: false };
      return { ok: nodes.every((n) => signedBy(lab, n, s(p.signer))) };
    },
  },
  'file-fetched': {
    params: { host: req('text'), path: req('text'), 'same-as': opt('text') },
    describe: (p) => `${s(p.path)} is on the SFTP server ${s(p.host)}`,
    evaluate(lab, _x, p) {
      const file = localSftpPath(lab, s(p.host), s(p.path));
      if (!existsSync(file)) return { ok: false };
      if (!p['same-as']) return { ok: true };
      const want = lab.readTftp(lab.publisher(), s(p['same-as']));
      return { ok: !!want && readFileSync(file).equals(want) };
    },
  },
  'service-restarted': {
    params: { service: req('text'), node: req('text') },
    describe: (p) => `${s(p.service)} restarted on ${s(p.node)}`,
    evaluate: (_lab, x, p) => ({ ok: startCount(x, s(p.node), s(p.service)) >= 1 }),
  },
  'service-restarts-at-most': {
    params: { service: req('text'), node: req('text'), count: req('count') },
    describe: (p) => `${s(p.service)} started at most ${plural(Number(p.count), 'time')} on ${s(p.node)}`,
    evaluate(_lab, x, p) {
      const n = startCount(x, s(p.node), s(p.service));
      return n <= Number(p.count) ? { ok: true } : { ok: false, detail: `started ${plural(n, 'time')}` };
    },
  },
  'cert-regenerated': {
    params: { node: req('text'), unit: req(CERT_UNITS) },
    describe: (p) => `The ${s(p.unit)} certificate of ${s(p.node)} is regenerated`,
    evaluate(lab, x, p) {
      const n = node(lab, p);
      const pem = n?.certs[s(p.unit)]?.certPem;
      return { ok: !!n && !!pem && certSha1(pem) !== x.baselineCerts[`${n.name}/${s(p.unit)}`] };
    },
  },
  'no-pending-restarts': {
    params: { node: opt('text') },
    describe: (p) => `No service${p.node ? ` of ${s(p.node)}` : ''} waits for a restart`,
    evaluate(lab, _x, p) {
      const nodes = p.node ? [node(lab, p)].filter((n): n is NodeState => !!n) : lab.nodes;
      return { ok: nodes.length > 0 && nodes.every((n) => lab.pendingRestarts(n).length === 0) };
    },
  },
  'node-power': {
    params: { node: req('text'), state: req(['on', 'off']) },
    describe: (p) => `${s(p.node)} is powered ${s(p.state)}`,
    evaluate: (lab, _x, p) => ({ ok: node(lab, p)?.up === (p.state === 'on') }),
  },
  param: {
    // `parameter`, not `name`: every check has a display `name:` of its own
    params: { parameter: req(['rollback-to-pre-8.0']), value: req('bool') },
    describe: (p) => `The enterprise parameter ${s(p.parameter)} is ${p.value ? 'True' : 'False'}`,
    evaluate: (lab, _x, p) => ({ ok: lab.state.params.rollbackToPre80 === p.value }),
  },
  'no-command': {
    params: { command: req('text'), console: opt(['admin', 'lab']) },
    describe: (p) => `'${s(p.command)}' not used`,
    evaluate: (_lab, x, p) => ({ ok: commandCount(x, p.console === 'lab' ? 'lab' : 'admin', s(p.command)) === 0 }),
  },
};

export const KINDS: Record<string, KindDef> = { ...CORE_KINDS, ...TRUST_KINDS, ...ERASE_KINDS };

/** A check's result; an unknown kind (a lab written by a newer version) is never met. */
export function evaluateCheck(lab: Lab, x: ExerciseRecord, c: CheckSpec): CheckResult {
  const k = KINDS[c.check];
  if (!k) return { ok: false, detail: `unknown check '${c.check}'` };
  return k.evaluate(lab, x, c.params);
}

/** Parameters naming things of the lab (nodes, services, phones): checked once the lab is built. */
export function labReferenceProblems(lab: Lab, c: CheckSpec): string | undefined {
  const p = c.params;
  const nodes = lab.nodes.map((n) => n.name).join(', ');
  if (p.node !== undefined && !lab.node(s(p.node))) return `node: no node '${s(p.node)}' in the lab (nodes: ${nodes})`;
  if (p.tftp !== undefined && !lab.node(s(p.tftp))?.tftp) return `tftp: no TFTP node '${s(p.tftp)}' in the lab (nodes: ${nodes})`;
  // the trust lists carry the publisher's ITLRecovery certificate only
  if (p.unit === 'ITLRecovery' && p.node !== undefined && (c.check === 'itl-lists-cert' || c.check === 'ctl-lists-cert') && s(p.node) !== lab.publisher().name)
    return `node: the ITLRecovery certificate the trust lists carry is the publisher's (${lab.publisher().name})`;
  if (p.service !== undefined) {
    const want = s(p.service).toLowerCase();
    if (!lab.nodes.some((n) => n.services.some((x) => x.name.toLowerCase() === want))) return `service: no service '${s(p.service)}' (names as 'utils service list' prints them)`;
  }
  if (p.phones !== undefined) {
    const r = selectPhones(lab, s(p.phones));
    if ('error' in r) return `phones: ${r.error}`;
  }
  return undefined;
}
