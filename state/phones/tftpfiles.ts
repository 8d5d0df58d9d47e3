// What a node's TFTP service offers phones: configuration files built from the database, plain and
// signed, per-phone trust list names, and the files of its TFTP directory.
import type { Lab, NodeState } from '../cluster/lab.js';
import { TFTP } from '../cluster/services.js';
import { servedTrustFile, tftpSigner } from '../cluster/running.js';
import { certView } from '../crypto/certs.js';
import { buildTrustList } from '../trust/tlv-build.js';
import { parseTrustList, ParsedTrustList } from '../trust/tlv-parse.js';
import { signerFrom } from '../trust/records.js';
import { AppliedConfig, fleetOf, phoneIn, PhoneState, poolOf } from './model.js';

const LOADS: Record<string, string> = {
  '7940': 'P0030801SR02',
  '7960': 'P0030801SR02',
  '7975': 'SCCP75.9-4-2SR3-1S',
  '8845': 'sip8845_65.12-8-1-0001-455',
  '8865': 'sip8845_65.12-8-1-0001-455',
};

/** where phones reach TVS; the configuration file lists it */
export const TVS_PORT = 2445;

/** Splits a signed file into its parsed header and its body. */
export function parseSignedFile(buf: Buffer): { list: ParsedTrustList; body: Buffer } | undefined {
  if (buf.length < 10 || buf[0] !== 1 || buf[5] !== 2) return undefined;
  const hlen = buf.readUInt16BE(8);
  if (hlen > buf.length) return undefined;
  const r = parseTrustList(buf.subarray(0, hlen));
  if (!r.ok) return undefined;
  return { list: r.list, body: buf.subarray(hlen) };
}

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** The phone's configuration file as the TFTP service builds it from the database. */
export function configXml(lab: Lab, p: PhoneState): string {
  const pool = poolOf(lab, p);
  const group = (pool?.callManagerGroup ?? []).map((n) => lab.node(n)).filter((n): n is NodeState => !!n);
  const sip = p.model.startsWith('88');
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<device>',
    '<fullConfig>true</fullConfig>',
    `<deviceProtocol>${sip ? 'SIP' : 'SCCP'}</deviceProtocol>`,
    '<devicePool>',
    `<name>${esc(p.devicePool)}</name>`,
    '<callManagerGroup>',
    '<members>',
    ...group.flatMap((n, i) => [
      `<member priority="${i}">`,
      '<callManager>',
      `<name>${esc(n.name)}</name>`,
      `<processNodeName>${esc(lab.fqdn(n))}</processNodeName>`,
      '</callManager>',
      '</member>',
    ]),
    '</members>',
    '</callManagerGroup>',
    '</devicePool>',
    '<TVS>',
    '<members>',
    ...group.filter((n) => n.callmanager).flatMap((n, i) => [`<member priority="${i}">`, `<port>${TVS_PORT}</port>`, `<address>${n.ip}</address>`, '</member>']),
    '</members>',
    '</TVS>',
    `<loadInformation>${LOADS[p.model] ?? ''}</loadInformation>`,
    '<vendorConfig>',
    `<webAccess>${p.webAccess ? 0 : 1}</webAccess>`,
    '</vendorConfig>',
    `<versionStamp>${p.configVersion}</versionStamp>`,
    '</device>',
    '',
  ];
  return lines.join('\n');
}

export function parseConfig(xml: string, signer: string): AppliedConfig {
  const tvsBlock = /<TVS>([\s\S]*?)<\/TVS>/.exec(xml)?.[1] ?? '';
  return {
    version: Number(/<versionStamp>(\d+)<\/versionStamp>/.exec(xml)?.[1] ?? 0),
    devicePool: /<devicePool>\s*<name>([^<]*)<\/name>/.exec(xml)?.[1] ?? '',
    tvs: [...tvsBlock.matchAll(/<address>([^<]*)<\/address>/g)].map((m) => m[1]),
    webAccess: /<webAccess>(\d)<\/webAccess>/.exec(xml)?.[1] !== '1',
    signer,
  };
}

/**
 * SEP<MAC>.cnf.xml.sgn: the configuration signed with the CallManager key the node's Tftp loaded at
 * its start (seeds 000/003: the TFTP private key of CallManager.pem signs it). It is a
 * trust-list header (FILENAME = SEP<MAC>.cnf.xml, no records) followed by the XML; the signature
 * covers the whole file minus the SIGNATURE field, as for trust lists.
 */
export function signedConfig(lab: Lab, node: NodeState, p: PhoneState): Buffer {
  const c = tftpSigner(node);
  return buildTrustList({
    filename: `${p.name}.cnf.xml`,
    timestamp: Math.floor(lab.nowMs() / 1000),
    signer: signerFrom(certView(c.certPem), c.keyPem),
    records: [],
    body: Buffer.from(configXml(lab, p), 'utf8'),
  });
}

/**
 * What a node's TFTP service answers for a file name: per-phone trust list names map to the node's
 * ITLFile.tlv / CTLFile.tlv as its Tftp loaded them at its start (the files on disk may be newer),
 * configuration files are built for phones of the cluster, anything else
 * comes from the TFTP directory (never the ITLRecovery key bag). The fleet must exist: requests from
 * outside go through resolveTftpFile (fleet.ts).
 */
export function servedFile(lab: Lab, node: NodeState, filename: string): Buffer | undefined {
  const name = filename.replace(/^\/+/, '');
  const per = /^(ITL|CTL)(SEP[0-9A-Fa-f]{12})\.tlv$/i.exec(name);
  if (per) {
    if (!phoneIn(fleetOf(lab), per[2])) return undefined;
    return servedTrustFile(lab, node, per[1].toUpperCase() === 'ITL' ? 'ITL' : 'CTL');
  }
  if (name === 'ITLFile.tlv' || name === 'CTLFile.tlv') return servedTrustFile(lab, node, name === 'ITLFile.tlv' ? 'ITL' : 'CTL');
  const cfg = /^(SEP[0-9A-Fa-f]{12})\.cnf\.xml(\.sgn)?$/i.exec(name);
  if (cfg) {
    const p = phoneIn(fleetOf(lab), cfg[1]);
    if (!p) return undefined;
    return cfg[2] ? signedConfig(lab, node, p) : Buffer.from(configXml(lab, p), 'utf8');
  }
  if (/\.p12$/i.test(name) || name.includes('/')) return undefined;
  return lab.readTftp(node, name);
}

/** Whether a node answers TFTP requests at all. */
export function tftpServing(lab: Lab, node: NodeState): boolean {
  return node.up && lab.serviceRunning(node, TFTP);
}
