// The log files a node keeps under `activelog` and `install` (file list|view activelog|install):
// a few realistic files written from the lab's state, so the same lab always shows the same logs,
// and the TFTP directory as `activelog cm/tftpdata`.
import { createHash } from 'node:crypto';
import { certView } from '../crypto/certs.js';
import type { Lab, NodeState } from '../cluster/lab.js';
import { CALLMANAGER, TFTP, TVS } from '../cluster/services.js';
import { tvsPresented } from '../cluster/running.js';
import { fileChecksums } from '../trust/tlv-parse.js';

export interface LogFile {
  /** path below the area, `/`-separated */
  path: string;
  mtime: number;
  size: number;
  /** the text, or undefined for a binary file (the TFTP files) */
  text(): string | undefined;
}

export type LogArea = 'activelog' | 'install';

const partCache = new Map<string, Intl.DateTimeFormat>();
function parts(ms: number, tz: string): Record<string, string> {
  let f = partCache.get(tz);
  if (!f) {
    try {
      f = new Intl.DateTimeFormat('en-US', { timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });
    } catch {
      f = new Intl.DateTimeFormat('en-US', { timeZone: 'UTC', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });
    }
    partCache.set(tz, f);
  }
  const out: Record<string, string> = {};
  for (const p of f.formatToParts(new Date(ms))) out[p.type] = p.value;
  return out;
}

/** `01/06/2025 09:00:00` (system-history.log). */
function slashDate(ms: number, tz: string): string {
  const p = parts(ms, tz);
  return `${p.month}/${p.day}/${p.year} ${p.hour}:${p.minute}:${p.second}`;
}

/** `01/06/2025 09:00:00.000` (SDI trace lines). */
function traceDate(ms: number, tz: string): string {
  return `${slashDate(ms, tz)}.${String(ms % 1000).padStart(3, '0')}`;
}

/** `2025-01-06.09.00.00` (install log names). */
function dottedDate(ms: number, tz: string): string {
  const p = parts(ms, tz);
  return `${p.year}-${p.month}-${p.day}.${p.hour}.${p.minute}.${p.second}`;
}

function textFile(path: string, mtime: number, lines: string[]): LogFile {
  const text = lines.join('\n') + '\n';
  return { path, mtime, size: Buffer.byteLength(text), text: () => text };
}

/** Trace lines of Cisco Tftp: each trust file it built or was given, with its checksum. */
function tftpTrace(lab: Lab, node: NodeState): LogFile {
  const tz = lab.state.timezone;
  const files = lab
    .listTftp(node)
    .filter((f) => f.endsWith('.tlv'))
    .map((f) => ({ f, at: lab.tftpMtime(node, f) ?? lab.state.createdAt, data: lab.readTftp(node, f)! }))
    .sort((a, b) => a.at - b.at || a.f.localeCompare(b.f));
  const svc = lab.service(node, TFTP);
  const lines = [`${traceDate(node.since, tz)} CTFTP|Cisco Tftp started on ${lab.fqdn(node)} (${node.ip}), TFTP root /usr/local/cm/tftp`];
  for (const { f, at, data } of files) {
    const { md5 } = fileChecksums(data);
    lines.push(`${traceDate(at, tz)} CTFTP|${f} written, ${data.length} bytes, MD5 ${md5}`);
  }
  if (svc?.needsRestart) lines.push(`${traceDate(lab.nowMs(), tz)} CTFTP|certificate change notified: the trust files are rebuilt when Cisco Tftp restarts`);
  const last = Math.max(node.since, ...files.map((x) => x.at));
  return textFile('cm/trace/tftp/sdi/ctftp00000001.txt', last, lines);
}

/** Trace lines of the Trust Verification Service: the certificate it presents to phones. */
function tvsTrace(lab: Lab, node: NodeState): LogFile {
  const tz = lab.state.timezone;
  const presented = certView(tvsPresented(node));
  const current = certView(node.certs.TVS.certPem);
  const lines = [
    `${traceDate(node.since, tz)} TVS|Cisco Trust Verification Service started on ${lab.fqdn(node)} (${node.ip}), port 2445`,
    `${traceDate(node.since, tz)} TVS|presenting certificate ${presented.subject}, serial ${presented.serialHex}`,
  ];
  if (presented.serialHex !== current.serialHex) {
    lines.push(`${traceDate(current.notBefore.getTime(), tz)} TVS|certificate change notified: TVS presents the new certificate after a restart`);
  }
  return textFile('cm/trace/tvs/sdi/tvs00000001.txt', Math.max(node.since, current.notBefore.getTime()), lines);
}

/** The certificate manager's record of each own certificate, oldest first. */
function certLog(lab: Lab, node: NodeState): LogFile {
  const tz = lab.state.timezone;
  const certs = Object.values(node.certs)
    .map((c) => ({ unit: c.unit, v: certView(c.certPem) }))
    .sort((a, b) => a.v.notBefore.getTime() - b.v.notBefore.getTime() || a.unit.localeCompare(b.unit));
  const lines = certs.map(
    ({ unit, v }) =>
      `${slashDate(v.notBefore.getTime(), tz)} certMgr: ${unit}: self-signed certificate generated, ${v.keyBits} bits, serial ${v.serialHex}, valid until ${slashDate(v.notAfter.getTime(), tz)}`,
  );
  return textFile('platform/log/certMgr.log', Math.max(...certs.map((c) => c.v.notBefore.getTime())), lines);
}

/** The files under `activelog` on a node, sorted by path. */
export function activeLogs(lab: Lab, node: NodeState): LogFile[] {
  const out: LogFile[] = [];
  for (const f of lab.listTftp(node)) {
    const data = lab.readTftp(node, f);
    if (!data) continue;
    out.push({ path: `cm/tftpdata/${f}`, mtime: lab.tftpMtime(node, f) ?? lab.state.createdAt, size: data.length, text: () => undefined });
  }
  if (node.tftp && lab.service(node, TFTP)?.activated) out.push(tftpTrace(lab, node));
  if (node.callmanager && lab.service(node, CALLMANAGER)?.activated && lab.service(node, TVS)?.activated) out.push(tvsTrace(lab, node));
  out.push(certLog(lab, node));
  return out.sort((a, b) => a.path.localeCompare(b.path));
}

/** The files under `install`: the install log and the system history (installs and boots). */
export function installLogs(lab: Lab, node: NodeState): LogFile[] {
  const tz = lab.state.timezone;
  const v = lab.state.version;
  const start = lab.state.createdAt - 70 * 60_000;
  const done = lab.state.createdAt;
  const installName = `install_log_${dottedDate(start, tz)}.log`;
  const seed = createHash('sha1').update(`${lab.state.name}/${node.name}`).digest();
  const install = textFile(installName, done, [
    `${slashDate(start, tz)} install|Install ${v} started on ${node.name} (${node.publisher ? 'first node' : 'subsequent node'})`,
    `${slashDate(start + 60_000, tz)} install|Hardware check passed: VMware, 2 vCPU, 8192 Mbytes RAM, 110GB disk`,
    `${slashDate(start + (20 + (seed[0] % 10)) * 60_000, tz)} install|Operating system installed`,
    `${slashDate(start + 55 * 60_000, tz)} install|Application installed: Cisco Unified Communications Manager ${v}`,
    `${slashDate(done, tz)} install|Install ${v} completed successfully`,
  ]);
  const history = [
    '=======================================',
    'Product Name -    Cisco Unified Communications Manager',
    `Product Version - ${v}`,
    `Kernel Image -    ${lab.profile.kernel}`,
    '=======================================',
    `${slashDate(start, tz)} | root: Install ${v} Start`,
    `${slashDate(done, tz)} | root: Install ${v} Success`,
    `${slashDate(done, tz)} | root: Boot ${v} Start`,
  ];
  if (node.since > done) history.push(`${slashDate(node.since, tz)} | root: Boot ${v} Start`);
  const sys = textFile('system-history.log', Math.max(done, node.since), history);
  return [install, sys].sort((a, b) => a.path.localeCompare(b.path));
}

export function logFiles(lab: Lab, node: NodeState, area: LogArea): LogFile[] {
  return area === 'activelog' ? activeLogs(lab, node) : installLogs(lab, node);
}
