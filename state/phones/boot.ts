// A phone's boot sequence (CTL, then ITL on Security By Default phones, then its configuration file),
// and what its keys do: erasing its trust lists, and the Directories button.
import { createHash } from 'node:crypto';
import type { Lab } from '../cluster/lab.js';
import { certView } from '../crypto/certs.js';
import { tomcatPresented } from '../cluster/running.js';
import { fileChecksums, parseTrustList } from '../trust/tlv-parse.js';
import { PhoneState, TrustState } from './model.js';
import { installedLists, setInstalled } from './trustlists.js';
import { parseConfig, parseSignedFile } from './tftpfiles.js';
import { PhoneRun } from './run.js';
import { askTvs, verify } from './sbd.js';

const CFG_SIZE_LIMIT = 550001;

/** Requests one trust list (per-phone name first, then the generic one) and installs it if trusted. */
function trustList(run: PhoneRun, kind: 'CTL' | 'ITL'): 'ok' | 'absent' | 'timeout' {
  const p = run.p;
  let data: Buffer | undefined | null;
  for (const file of [`${kind}${p.name}.tlv`, `${kind}File.tlv`]) {
    run.log(`SECD: tlRequestFile: Request ${file}`);
    data = run.tftpGet(file);
    if (data === null) return 'timeout';
    if (data) break;
  }
  if (!data) return 'absent';
  const parsed = parseTrustList(data);
  if (!parsed.ok) {
    run.log(`SECD: EROR:validate_file_envelope: Invalid ${kind} file, ${parsed.error}`, 'ERR');
    refuseTrustList(run);
    return 'ok';
  }
  const verdict = verify(run, kind, data, parsed.list);
  if (!verdict.ok) {
    refuseTrustList(run);
    return 'ok';
  }
  const sum = fileChecksums(data).md5;
  const current = kind === 'ITL' ? p.itl : p.ctl;
  if (current !== sum) {
    setInstalled(run.lab, p, kind, data);
    run.log(`SECD: tlRequestFile: ${kind} file installed, ${data.length} bytes, md5 ${sum}`);
    run.status(`${kind} installed`);
  }
  return 'ok';
}

function refuseTrustList(run: PhoneRun): void {
  if (!run.refused) run.status('Trust List Update Failed');
  run.refused = true;
}

function config(run: PhoneRun): 'applied' | 'refused' | 'timeout' | 'absent' {
  const p = run.p;
  const node = run.tftpNode();
  const ip = node?.ip ?? p.tftpNode;
  const xmlName = `${p.name}.cnf.xml`;
  const ram = `/usr/ram/${xmlName}`;
  const secure = !!(p.itl || p.ctl);
  run.log(`tftpClient: tftp request rcv'd from /usr/tmp/tftp, srcFile = ${xmlName}, dstFile = ${ram} max size = ${CFG_SIZE_LIMIT}`);
  run.log(`tftpClient: auth server - tftpList[0] = ::ffff:${ip}`);
  run.log('tftpClient: look up server - 0');
  if (!secure) {
    run.log('SECD: lookupCTL: TFTP SRVR not secure');
    run.log('tftpClient: retval = SRVR_NOT_SECURE');
    const data = run.tftpGet(xmlName, CFG_SIZE_LIMIT);
    if (data === null) return 'timeout';
    if (!data) return 'absent';
    apply(run, data.toString('utf8'), '');
    return 'applied';
  }
  run.log('SECD: lookupCTL: TFTP SRVR secure');
  run.log('tftpClient: secVal = 0x9');
  run.log(`tftpClient: ::ffff:${ip} is a secure server`);
  run.log('tftpClient: retval = SRVR_SECURE');
  run.log('tftpClient: Secure file requested');
  run.log(`tftpClient: authenticated file approved - add .sgn -- ${xmlName}.sgn`);
  const data = run.tftpGet(`${xmlName}.sgn`, CFG_SIZE_LIMIT);
  if (data === null) return 'timeout';
  if (!data) return 'absent';
  const sf = parseSignedFile(data);
  if (!sf) {
    run.log(`SECD: EROR:verifyFile: verify FAILED <${ram}>`, 'ERR');
    run.status('File auth error');
    return 'refused';
  }
  const verdict = verify(run, 'CONFIG', data, sf.list, ram);
  if (!verdict.ok) {
    run.status('File auth error');
    return 'refused';
  }
  apply(run, sf.body.toString('utf8'), verdict.signer);
  return 'applied';
}

function apply(run: PhoneRun, xml: string, signer: string): void {
  const cfg = parseConfig(xml, signer);
  const before = run.p.applied?.version;
  run.p.applied = cfg;
  if (before !== cfg.version) run.log(`cfgparse: configuration version ${cfg.version} applied`);
}

/** Resets a phone: it reboots, forgets its TVS cache and runs the whole boot sequence. */
export function bootPhone(lab: Lab, p: PhoneState): TrustState {
  const run = new PhoneRun(lab, p);
  p.tvsCache = [];
  p.lastReset = lab.nowMs();
  const ctl = trustList(run, 'CTL');
  if (ctl === 'timeout') return unreachable(run);
  if (run.sbd) {
    const itl = trustList(run, 'ITL');
    if (itl === 'timeout') return unreachable(run);
  }
  const cfg = config(run);
  if (cfg === 'timeout') return unreachable(run);
  const { itl, ctl: ctlList, blank } = installedLists(lab, p);
  let state: TrustState;
  if (run.refused || cfg === 'refused') state = 'locked';
  else if (blank && !ctlList) state = 'any-signer';
  else if (!itl && !ctlList) state = 'non-secure';
  else state = 'trusted';
  p.trust = state;
  return state;
}

function unreachable(run: PhoneRun): TrustState {
  run.status('TFTP Timeout');
  run.p.trust = 'unreachable';
  return 'unreachable';
}

/** The manual key sequence on the phone: Settings > Security Configuration > Trust List > **# > Erase. */
export function eraseTrustList(lab: Lab, p: PhoneState, which: 'ITL' | 'CTL' | 'both'): void {
  const run = new PhoneRun(lab, p);
  if (which !== 'CTL' && p.itl) {
    setInstalled(lab, p, 'ITL', undefined);
    run.log('SECD: tlUserErase: ITL file erased by user');
  }
  if (which !== 'ITL' && p.ctl) {
    setInstalled(lab, p, 'CTL', undefined);
    run.log('SECD: tlUserErase: CTL file erased by user');
  }
}

/** The Directories button: an HTTPS request to the publisher's Tomcat, authenticated via CTL/ITL or TVS. */
export function pressDirectories(lab: Lab, p: PhoneState): boolean {
  const run = new PhoneRun(lab, p);
  const pub = lab.publisher();
  const ip = pub.ip;
  const url = `https://${ip}:8443/ccmcip/xmldirectory.jsp`;
  run.log(`JVM: Startup Module Loader|cip.dir.TandunDirectories:? - Directory url ${url}`);
  const fail = () => {
    run.log(`JVM: Startup Module Loader|cip.http.ae:? - listener.httpFailed: ${url}`, 'ERR');
    run.status('Host Not Found');
    return false;
  };
  if (!pub.up || !lab.serviceRunning(pub, 'Cisco Tomcat')) {
    run.log(`SECD: EROR:clpSetupSsl: TCP connect() failed, <${ip}>`, 'ERR');
    return fail();
  }
  run.log(`SECD: clpSetupSsl: Trying to connect to IPV4, IP: ${ip}, Port : 8443`);
  run.log(`SECD: clpSetupSsl: TCP connect() waiting, <${ip}> c:8 s:9 port: 8443`);
  run.log(`SECD: clpSetupSsl: TCP connected, <${ip}> c:8 s:9`);
  run.log(`SECD: clpSetupSsl: start SSL/TLS handshake, <${ip}> c:8 s:9`);
  run.log('SECD: srvr_cert_vfy: Server Certificate Validation needs to be done');
  const tomcat = certView(tomcatPresented(pub));
  const { itl, ctl, blank } = installedLists(lab, p);
  const effItl = itl && !blank ? itl : undefined;
  run.log('SECD: findByCertAndRoleInTL: Searching TL from CTL file');
  run.log('SECD: findByCertAndRoleInTL: Searching TL from ITL file');
  const inList = [ctl, effItl].some((l) => l?.records.some((r) => r.certificate && createHash('sha1').update(r.certificate).digest().equals(tomcat.sha1)));
  if (inList) {
    run.log(`JVM: Startup Module Loader|cip.http.ae:? - listener.httpSucceed: https://${ip}:8443/ccmcip/xmldirectoryinput.jsp?name=${p.name}`, 'ERR');
    return true;
  }
  run.log(`SECD: EROR:https_cert_vfy: HTTPS cert not in CTL, <${ip}>`, 'ERR');
  if (!run.sbd || !effItl) return fail();
  const ok = askTvs(run, { der: tomcat.der, serial: tomcat.serial, issuer: tomcat.issuer, subject: tomcat.subject }, effItl, !!ctl);
  if (!ok) return fail();
  run.log('SECD: Authenticated the HTTPS conn via TVS', 'ERR');
  run.log(`JVM: Startup Module Loader|cip.http.ae:? - listener.httpSucceed: https://${ip}:8443/ccmcip/xmldirectoryinput.jsp?name=${p.name}`, 'ERR');
  return true;
}
