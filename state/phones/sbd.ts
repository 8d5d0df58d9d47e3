// The Security By Default rules by which a phone decides whether to trust a signed file, and the TVS
// servers it asks about a signer that is in neither its CTL nor its ITL.
import { createHash, KeyObject, X509Certificate } from 'node:crypto';
import type { Lab, NodeState } from '../cluster/lab.js';
import { TVS } from '../cluster/services.js';
import { tvsCallManager, tvsPresented } from '../cluster/running.js';
import { certView } from '../crypto/certs.js';
import { Role } from '../trust/tlv.js';
import { parseTrustList, ParsedRecord, ParsedTrustList, publicKeyFromPkcs1, signerRecord, verifyTrustList } from '../trust/tlv-parse.js';
import { poolOf } from './model.js';
import { installedLists } from './trustlists.js';
import { TVS_PORT } from './tftpfiles.js';
import type { PhoneRun } from './run.js';

export const TVS_TTL_S = 86400;

/**
 * The certificates a node's TVS can vouch for: the database's certificate table, with its own node's
 * CallManager certificate as it was when TVS started, and the certificates of the CTL on disk (TVS
 * recaches CTLFile.tlv when it changes, seeds 002/004).
 */
export function tvsStore(lab: Lab, node: NodeState): string[] {
  const out: string[] = [tvsCallManager(node)];
  for (const [unit, c] of Object.entries(node.certs)) if (unit !== 'CallManager') out.push(c.certPem);
  // the trust store includes Phone-SAST-trust (the eTokens of a CTL made with the CTL Client)
  const own = `CallManager-trust/${lab.fqdn(node)}.pem`;
  for (const [key, pem] of Object.entries(node.trust)) if (key !== own) out.push(pem);
  const ctl = lab.readTftp(node, 'CTLFile.tlv');
  const parsed = ctl ? parseTrustList(ctl) : undefined;
  if (parsed?.ok) for (const r of parsed.list.records) if (r.certificate) out.push(new X509Certificate(r.certificate).toString());
  return out;
}

function sha1hex(b: Buffer): string {
  return createHash('sha1').update(b).digest('hex');
}

export type Verdict = { ok: true; signer: string } | { ok: false };

export interface SignerQuery {
  /** the certificate the file carries for its signer (trust lists), if any */
  der?: Buffer;
  serial: Buffer;
  issuer: string;
  subject: string;
}

const SIGNING_ROLES = new Set<number>([Role.SAST, Role.TFTP, Role.CCM_TFTP]);

function recordKey(r: ParsedRecord): KeyObject | undefined {
  try {
    if (r.publicKey) return publicKeyFromPkcs1(r.publicKey);
    if (r.certificate) return new X509Certificate(r.certificate).publicKey;
  } catch {
    return undefined;
  }
  return undefined;
}

function findSigner(list: ParsedTrustList | undefined, q: SignerQuery): ParsedRecord | undefined {
  if (!list) return undefined;
  const hash = q.der ? createHash('sha1').update(q.der).digest() : undefined;
  return list.records.find((r) => {
    if (r.func === undefined || !SIGNING_ROLES.has(r.func)) return false;
    if (r.serial && r.serial.equals(q.serial) && (r.issuerName === undefined || r.issuerName === q.issuer)) return true;
    if (hash && r.certificate && createHash('sha1').update(r.certificate).digest().equals(hash)) return true;
    if (hash && r.certHash && r.certHash.equals(hash)) return true;
    return false;
  });
}

/** Asks the phone's TVS servers about a certificate; returns the certificate PEM it vouched for. */
export function askTvs(run: PhoneRun, q: SignerQuery, itl: ParsedTrustList, ctlPresent: boolean): string | undefined {
  const lab = run.lab;
  const p = run.p;
  const now = lab.nowMs();
  run.log('SECD: processTvsClntReq: TVS Certificate Authentication request');
  if (q.der) {
    const h = sha1hex(q.der);
    const hit = p.tvsCache.find((e) => e.sha1 === h && e.until > now);
    if (hit) {
      run.log('SECD: lookupAuthCertTvsCacheEntry: Matching entry found at cache');
      return new X509Certificate(q.der).toString();
    }
  }
  run.log('SECD: lookupAuthCertTvsCacheEntry: No matching entry found at cache');
  const servers = p.applied?.tvs.length ? p.applied.tvs : (poolOf(lab, p)?.callManagerGroup ?? []).map((n) => lab.node(n)?.ip ?? n);
  if (servers.length === 0) {
    run.log('SECD: EROR:getTvsServerInfo: No TVS server configured', 'ERR');
    return undefined;
  }
  run.log('SECD: processTvsClntReq: No server sock exists, must be created');
  run.log('SECD: secReq_initClient: clnt sock fd 11 bound to </tmp/secClnt_sec>');
  run.log('SECD: getTvsServerInfo: Phone in IPv4 only mode');
  run.log('SECD: getTvsServerInfo: Retrieiving IPv4 address');
  for (const addr of servers.slice(0, 3)) {
    const node = lab.node(addr);
    if (!node || !node.up || !lab.serviceRunning(node, TVS)) {
      run.log(`SECD: EROR:connectToTvsServer: Failed to connect to the TVS server: IP:${addr}, port:${TVS_PORT} (default)`, 'ERR');
      continue;
    }
    run.log(
      `SECD: connectToTvsServer: Successfully started a TLS connection establishment to the TVS server: IP:${addr}, port:${TVS_PORT} (default); Waiting for it to get connected.`,
    );
    run.log('SECD: srvr_cert_vfy: Server Certificate Validation needs to be done');
    const presented = certView(tvsPresented(node));
    if (ctlPresent) run.log('SECD: findByIssuerAndSerialAndRoleInTL: Searching TL from CTL file');
    run.log('SECD: findByIssuerAndSerialAndRoleInTL: Searching TL from ITL file');
    const rec = itl.records.find((r) => r.func === Role.TVS && r.serial?.equals(presented.serial) && (r.issuerName === undefined || r.issuerName === presented.issuer));
    if (!rec) {
      run.log(`SECD: EROR:tvs_cert_vfy: TVS cert not found in TL, <${addr}>`, 'ERR');
      continue;
    }
    const hash = rec.certHash ?? (rec.certificate ? createHash('sha1').update(rec.certificate).digest() : undefined);
    if (!hash || !hash.equals(presented.sha1)) {
      run.log('SECD: EROR:verifyCertWithHashFromTL: cert hash and hash in TL DO NOT MATCH', 'ERR');
      run.log(`SECD: EROR:tvs_cert_vfy: TVS cert verification failed, <${addr}>`, 'ERR');
      continue;
    }
    run.log('SECD: verifyCertWithHashFromTL: cert hash and hash in TL MATCH');
    run.log(`SECD: tvs_cert_vfy: TVS cert verified with hash from TL, <${addr}>`);
    run.log('SECD: sendTvsClientReqToSrvr: Authenticate Certificate : request sent to TVS server - waiting for response');
    const found = tvsLookup(lab, node, q);
    run.log(`SECD: processTvsSrvrResponse: Authentication Response received, status : ${found ? 0 : 1}`);
    if (found) {
      const v = certView(found);
      p.tvsCache = p.tvsCache.filter((e) => e.until > now && e.sha1 !== v.sha1.toString('hex'));
      p.tvsCache.push({ sha1: v.sha1.toString('hex'), until: now + TVS_TTL_S * 1000 });
      run.log(`SECD: saveCertToTvsCache: Saving certificate in TVS cache with default time-to-live value: ${TVS_TTL_S} seconds`);
      return found;
    }
  }
  return undefined;
}

function tvsLookup(lab: Lab, node: NodeState, q: SignerQuery): string | undefined {
  const want = q.der ? sha1hex(q.der) : undefined;
  for (const pem of tvsStore(lab, node)) {
    let v;
    try {
      v = certView(pem);
    } catch {
      continue;
    }
    if (want ? v.sha1.toString('hex') === want : v.serial.equals(q.serial) && v.issuer === q.issuer) return pem;
  }
  return undefined;
}

/**
 * Decides whether a downloaded file is signed by someone the phone trusts:
 *   - no ITL and no CTL, or an ITL that is blank ("Prepare Cluster for Rollback to pre 8.0"):
 *     the next CTL/ITL that verifies against its own signer record is trusted as it is; with a blank
 *     ITL installed, signed configuration files are accepted whoever signed them;
 *   - otherwise a file's signer must be in the CTL or the ITL (System Administrator Security Token,
 *     TFTP or CCM+TFTP record, matched by serial number and issuer, or by certificate hash) and the
 *     signature must verify with that record's key;
 *   - failing that, a Security By Default phone asks the TVS servers of its CallManager group (taken
 *     from its last applied configuration). The TLS connection only succeeds if the certificate the
 *     TVS presents matches a TVS record of the phone's ITL (CERTHASH); the TVS vouches for a
 *     certificate only if it is in that node's certificate store (the database: its own certificates
 *     and its trust store, Phone-SAST-trust included).
 *   - phones without Security By Default (7940/7960) never request an ITL and cannot use TVS.
 */
export function verify(run: PhoneRun, kind: 'CTL' | 'ITL' | 'CONFIG', buf: Buffer, list: ParsedTrustList, cfgPath?: string): Verdict {
  const { itl, ctl, blank } = installedLists(run.lab, run.p);
  const effItl = itl && !blank ? itl : undefined;
  const own = kind === 'CONFIG' ? undefined : signerRecord(list);
  const q: SignerQuery = { der: own?.certificate, serial: list.signerSerial, issuer: list.caName, subject: list.signerName };
  const success = (): Verdict => {
    if (kind === 'CONFIG') run.log(`SECD: verifyFile: verify SUCCESS <${cfgPath}>`);
    else run.log(`SECD: validate_file_envelope: File sign verify SUCCESS; header length <${list.headerLength}>`);
    return { ok: true, signer: list.signerName };
  };
  const failure = (): Verdict => {
    if (kind === 'CONFIG') run.log(`SECD: EROR:verifyFile: verify FAILED <${cfgPath}>`, 'ERR');
    else run.log(`SECD: EROR:validate_file_envelope: File sign verify FAILED; header length <${list.headerLength}>`, 'ERR');
    return { ok: false };
  };
  if (kind === 'CONFIG' && blank && !ctl) {
    // the blank ITL of "Prepare Cluster for Rollback to pre 8.0": any signer is accepted
    return success();
  }
  if (kind !== 'CONFIG' && !effItl && !ctl) {
    // nothing to check against: the first trust list that is consistent with itself is trusted
    if (!verifyTrustList(buf, list)) return failure();
    return success();
  }
  if (ctl) run.log('SECD: findByIssuerAndSerialAndRoleInTL: Searching TL from CTL file');
  if (effItl) run.log('SECD: findByIssuerAndSerialAndRoleInTL: Searching TL from ITL file');
  const rec = findSigner(ctl, q) ?? findSigner(effItl, q);
  if (rec) {
    const key = recordKey(rec);
    return key && verifyTrustList(buf, list, key) ? success() : failure();
  }
  run.log(`SECD: EROR:validate_file_envelope: signer not in CTL/ITL <${list.signerName}>`, 'ERR');
  if (!run.sbd || !effItl) return failure();
  if (kind !== 'CONFIG' && !q.der) return failure();
  const vouched = askTvs(run, q, effItl, !!ctl);
  if (!vouched) return failure();
  return verifyTrustList(buf, list, certView(vouched).publicKey) ? success() : failure();
}
