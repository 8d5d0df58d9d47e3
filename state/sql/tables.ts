// The simulated CUCM database tables `run sql` queries (processnode, processconfig, certificate,
// certificatetrustrolemap, typetrustrole, device), rebuilt from the lab state for each query.
import { createHash } from 'node:crypto';
import type { Lab } from '../cluster/lab.js';
import { certView } from '../crypto/certs.js';
import { fleet } from '../phones/fleet.js';
import type { SqlTables } from './engine.js';

function uuid(seed: string): string {
  const h = createHash('sha1').update(seed).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

// typetrustrole as the certificate roles appear in the trust lists and TVS
const ROLES: Array<[number, string, string]> = [
  [0, 'System Administrator Security Token', 'SAST'],
  [1, 'CCM+TFTP', 'CCM+TFTP'],
  [2, 'TFTP', 'TFTP'],
  [3, 'CAPF', 'CAPF'],
  [4, 'Authentication and Authorization', 'AUTH'],
  [5, 'TVS', 'TVS'],
];

/** The database view of the cluster, rebuilt from the lab state for each query. */
export function sqlTables(lab: Lab): SqlTables {
  const pub = lab.publisher();
  const nodeRows = lab.nodes.map((n, i) => [uuid(`node:${n.name}`), lab.fqdn(n), '', i + 2, true, n.publisher ? 0 : 1, n.ip] as (string | number | boolean)[]);
  const processnode = {
    columns: ['pkid', 'name', 'description', 'nodeid', 'isactive', 'tknodeusage', 'ipv4address'],
    rows: [[uuid('node:ewd'), 'EnterpriseWideData', '', 1, true, 0, ''], ...nodeRows],
  };
  const processconfig = {
    columns: ['pkid', 'paramname', 'paramvalue', 'fkprocessnode', 'tkservice'],
    rows: [
      [uuid('pc:csm'), 'ClusterSecurityMode', String(lab.state.params.clusterSecurityMode), uuid('node:ewd'), 11],
      [uuid('pc:rollback'), 'RollBackToPre8.0', lab.state.params.rollbackToPre80 ? 'T' : 'F', uuid('node:ewd'), 11],
    ],
  };
  const certificate = { columns: ['pkid', 'servername', 'subjectname', 'issuername', 'serialnumber', 'ipv4address', 'timetolive', 'certificate'], rows: [] as (string | number)[][] };
  const map = { columns: ['pkid', 'fkcertificate', 'tktrustrole'], rows: [] as (string | number)[][] };
  const addCert = (serverName: string, ip: string, pem: string, roles: number[]) => {
    const v = certView(pem);
    const id = uuid(`cert:${v.serialHex}:${v.issuer}`);
    certificate.rows.push([id, serverName, v.subject, v.issuer, v.serial.toString('hex'), ip, Math.floor(v.notAfter.getTime() / 1000), pem.replace(/\n/g, '')]);
    for (const r of roles) map.rows.push([uuid(`map:${id}:${r}`), id, r]);
  };
  for (const n of lab.nodes) {
    // the database's copy, which differs from the disk after a restore without CallManager.pem
    addCert(n.name, n.ip, n.dbCallManagerPem ?? n.certs.CallManager.certPem, [4, lab.state.params.clusterSecurityMode ? 1 : 2]);
    if (n.callmanager) addCert(n.name, n.ip, n.certs.TVS.certPem, [5]);
  }
  addCert(pub.name, pub.ip, pub.certs.CAPF.certPem, [3]);
  addCert(pub.name, pub.ip, pub.certs.ITLRecovery.certPem, [0]);
  const typetrustrole = { columns: ['enum', 'name', 'moniker'], rows: ROLES.map(([e, n, m]) => [e, n, m]) };
  const phones = fleet(lab).phones;
  const device = {
    columns: ['pkid', 'name', 'description', 'model', 'devicepool', 'tftpserver'],
    rows: phones.map((p) => [uuid(`dev:${p.name}`), p.name, p.description, `Cisco ${p.model}`, p.devicePool, p.tftpNode]),
  };
  return { processnode, processconfig, certificate, certificatetrustrolemap: map, typetrustrole, device };
}
