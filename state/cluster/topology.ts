// Topology files describe a cluster to build: node names, domain, certificate subject fields.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { SubjectFields } from '../crypto/certs.js';
import { cleanLabValues } from '../text.js';
import { resolveVersion, VersionError } from './profile.js';

export interface NodeSpec {
  name: string;
  ip: string;
  /** runs Cisco Tftp */
  tftp: boolean;
  /** runs Cisco CallManager (and so TVS) */
  callmanager: boolean;
}

export interface PhoneSpec {
  mac: string;
  model: string;
  devicePool: string;
  tftp?: string;
  description?: string;
}

export interface DevicePoolSpec {
  name: string;
  /** CallManager group: up to three node names, in priority order */
  callManagerGroup: string[];
}

export interface Topology {
  name: string;
  /** a full build string; the file may give a release (10.5, 11.5, 12.5, 14, 15), turned into its build */
  version: string;
  domain: string;
  subject: SubjectFields;
  timezone: string;
  nodes: NodeSpec[];
  accounts: {
    admin: { user: string; password: string };
    application: { user: string; password: string };
    securityPassword: string;
  };
  /** starting CTL state: none, or a CTL made earlier with hardware eTokens (mixed mode) */
  ctl: 'none' | 'etoken';
  devicePools?: DevicePoolSpec[];
  phones?: PhoneSpec[];
}

export class TopologyError extends Error {}

export function defaultTopology(): Topology {
  return {
    name: 'default',
    version: '10.5.1.10000-7',
    domain: 'lab.example',
    subject: { OU: 'Voice', O: 'Example', L: 'RTP', ST: 'NC', C: 'US' },
    timezone: 'UTC',
    nodes: ['cucm-pub', 'cucm-sub1', 'cucm-sub2'].map((name, i) => ({ name, ip: `192.0.2.${10 + i}`, tftp: true, callmanager: true })),
    accounts: {
      admin: { user: 'admin', password: 'cisco123' },
      application: { user: 'ccmadmin', password: 'cisco123' },
      securityPassword: 'cisco123',
    },
    ctl: 'none',
  };
}

const HOST_RE = /^[a-zA-Z][a-zA-Z0-9-]{0,62}$/;
const DOMAIN_RE = /^[a-zA-Z0-9]([a-zA-Z0-9-]{0,62})(\.[a-zA-Z0-9]([a-zA-Z0-9-]{0,62}))*$/;

/** Reads and validates a YAML or JSON topology; unknown fields are refused so typos are caught. */
export function loadTopology(path: string): Topology {
  let raw: unknown;
  try {
    // loaded only when a topology file is read: most starts never need a YAML parser
    const YAML = createRequire(import.meta.url)('yaml') as typeof import('yaml');
    raw = YAML.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new TopologyError(`${path}: ${(e as Error).message.split('\n')[0]}`);
  }
  return normalizeTopology(raw, path);
}

export function normalizeTopology(raw: unknown, where = 'topology'): Topology {
  const t = defaultTopology();
  // names and descriptions end up on terminals: no control characters or escape sequences
  raw = cleanLabValues(raw);
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new TopologyError(`${where}: expected a mapping at the top level`);
  const r = raw as Record<string, unknown>;
  const known = ['name', 'version', 'domain', 'subject', 'timezone', 'nodes', 'accounts', 'ctl', 'devicePools', 'phones'];
  for (const k of Object.keys(r)) if (!known.includes(k)) throw new TopologyError(`${where}: unknown field '${k}' (known: ${known.join(', ')})`);
  if (r.name !== undefined) t.name = String(r.name);
  if (r.version !== undefined) {
    try {
      t.version = resolveVersion(String(r.version)).build;
    } catch (e) {
      if (e instanceof VersionError) throw new TopologyError(`${where}: ${e.message}`);
      throw e;
    }
  }
  if (r.domain !== undefined) {
    t.domain = String(r.domain);
    if (!DOMAIN_RE.test(t.domain)) throw new TopologyError(`${where}: invalid domain '${t.domain}'`);
  }
  if (r.timezone !== undefined) t.timezone = String(r.timezone);
  if (r.subject !== undefined) {
    const s = r.subject as Record<string, unknown>;
    for (const k of Object.keys(s)) {
      if (!['OU', 'O', 'L', 'ST', 'C'].includes(k)) throw new TopologyError(`${where}: unknown subject field '${k}'`);
      (t.subject as unknown as Record<string, string>)[k] = String(s[k]);
    }
  }
  if (r.nodes !== undefined) {
    let list: unknown[];
    if (typeof r.nodes === 'number') {
      const n = r.nodes;
      list = Array.from({ length: n }, (_, i) => (i === 0 ? 'cucm-pub' : `cucm-sub${i}`));
    } else if (Array.isArray(r.nodes)) list = r.nodes;
    else throw new TopologyError(`${where}: nodes must be a list or a count`);
    if (list.length < 1 || list.length > 8) throw new TopologyError(`${where}: a cluster has 1 to 8 nodes (got ${list.length})`);
    t.nodes = list.map((n, i) => {
      const o = typeof n === 'string' ? { name: n } : (n as Record<string, unknown>);
      const name = String(o.name ?? '');
      if (!HOST_RE.test(name)) throw new TopologyError(`${where}: invalid node name '${name}'`);
      return {
        name,
        ip: o.ip ? String(o.ip) : `192.0.2.${10 + i}`,
        tftp: o.tftp === undefined ? true : Boolean(o.tftp),
        callmanager: o.callmanager === undefined ? true : Boolean(o.callmanager),
      };
    });
    const names = new Set(t.nodes.map((n) => n.name));
    if (names.size !== t.nodes.length) throw new TopologyError(`${where}: node names must be unique`);
  }
  if (r.accounts !== undefined) {
    const a = r.accounts as Record<string, Record<string, unknown> | string>;
    if (a.admin && typeof a.admin === 'object') Object.assign(t.accounts.admin, a.admin);
    if (a.application && typeof a.application === 'object') Object.assign(t.accounts.application, a.application);
    if (a.securityPassword !== undefined) t.accounts.securityPassword = String(a.securityPassword);
  }
  if (r.ctl !== undefined) {
    if (r.ctl !== 'none' && r.ctl !== 'etoken') throw new TopologyError(`${where}: ctl must be 'none' or 'etoken'`);
    t.ctl = r.ctl;
  }
  if (r.devicePools !== undefined) t.devicePools = r.devicePools as DevicePoolSpec[];
  if (r.phones !== undefined) t.phones = r.phones as PhoneSpec[];
  return t;
}
