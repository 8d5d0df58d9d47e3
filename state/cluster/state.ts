// The lab's state as lab.json holds it: the nodes with their certificates, services and trust stores,
// cluster parameters, the simulated clock, and the sections kept beside them.
import type { StoredCert } from '../crypto/certs.js';
import type { EtokenState } from '../trust/ctl.js';
import type { ServiceState } from './services.js';
import type { Topology } from './topology.js';
import type { ProfileId } from './profile.js';

export interface NodeState {
  name: string;
  ip: string;
  publisher: boolean;
  tftp: boolean;
  callmanager: boolean;
  up: boolean;
  /** short random tag in the CAPF subject (CAPF-xxxxxxxx) */
  capfTag: string;
  certs: Record<string, StoredCert>;
  /** sim-time of the last certificate regeneration on this node, for the hold timer */
  lastRegen?: { unit: string; at: number };
  services: ServiceState[];
  /** OS trust store, as replicated: key "<unit>-trust/<file>.pem" */
  trust: Record<string, string>;
  /** what Cisco Tftp, CallManager, TVS and Tomcat loaded at their last start (running.ts) */
  running?: RunningServices;
  /** after `utils itl reset`, the copied ITL stays until the next ordinary Tftp restart */
  itlFromReset: boolean;
  /** the node's own domain when it differs from the cluster's (lab console `node domain`) */
  domain?: string;
  /**
   * The CallManager certificate the database still lists when it differs from CallManager.pem on
   * disk: a DRS restore without CallManager.pem (bug CSCtn50405). Cleared by regenerating CallManager.
   */
  dbCallManagerPem?: string;
  /** replication events missed while down */
  pendingReplication: ReplicationEvent[];
  /** when the node joined the cluster (for show network cluster) */
  since: number;
}

/** What a service read at its last start and keeps using until it restarts. */
export interface RunningServices {
  /** Cisco Tftp: the trust files it serves (keys of LabState.loadedFiles) and the key that signs */
  tftp?: { itl?: string; ctl?: string; signer: { certPem: string; keyPem: string } };
  /** Cisco CallManager: the certificate it presents and the cluster security mode it runs in */
  callmanager?: { certPem: string; mixed: boolean };
  /** Cisco Trust Verification Service: its own certificate and its node's CallManager certificate */
  tvs?: { certPem: string; callManagerPem: string };
  /** Cisco Tomcat: the certificate HTTPS clients see */
  tomcat?: { certPem: string };
}

export type ReplicationEvent = { kind: 'trust'; key: string; pem: string | null } | { kind: 'ctl'; data: string | null };

export interface BackupNode {
  name: string;
  domain?: string;
  capfTag: string;
  certs: Record<string, StoredCert>;
  dbCallManagerPem?: string;
  trust: Record<string, string>;
  ctl?: string;
}

export interface Backup {
  id: string;
  at: number;
  /** false: made by a release with bug CSCtn50405, CallManager.pem is not in it */
  callManagerPem: boolean;
  params: { clusterSecurityMode: 0 | 1; rollbackToPre80: boolean };
  nodes: BackupNode[];
}

/**
 * Sections kept by the layers above the cluster, which add their fields here with `declare module`
 * so that the cluster never imports them (state/phones/model.ts adds `phones`).
 */
export interface LabSections {}

export interface LabState extends LabSections {
  format: number;
  name: string;
  /** the build string the CLI reports */
  version: string;
  /** the release profile (profile.ts); absent in labs made before profiles: read with profileOf() */
  profile?: ProfileId;
  domain: string;
  timezone: string;
  subject: Topology['subject'];
  accounts: Topology['accounts'];
  params: {
    clusterSecurityMode: 0 | 1;
    rollbackToPre80: boolean;
    /** lines each phone's console log keeps (lab console `params set phone-log-lines`); absent: the default */
    phoneLogLines?: number;
    /** auto-registration is enabled on at least one CallManager node (absent: off) */
    autoRegistration?: boolean;
    /** 12.5+: Smart Licensing registered with "Allow export-controlled functionality" (absent: true) */
    exportControlled?: boolean;
    /** 14+: "Phone Interaction on Certificate Update" (absent: the default, reset phones automatically) */
    phoneInteraction?: 'automatic' | 'manual';
  };
  clock: { fixed: boolean; simMs: number; wallMs: number };
  seed?: number;
  counters: { keys: number; serials: number };
  createdAt: number;
  nodes: NodeState[];
  etokens?: EtokenState;
  /** `set cli pagination` is not here: it lasts for one session (src/console/core.ts) */
  cli: { sessionTimeoutMin: number };
  /** trust files the running Tftp services loaded, by MD5 (base64); unreferenced ones are dropped */
  loadedFiles?: Record<string, string>;
  /** when each TFTP file was last written (lab time), key "<node>/<file>" */
  mtimes: Record<string, number>;
  /** DRS backups, oldest first */
  drsBackups: Backup[];
  /** the topology the lab was made from, for the lab console's reset-lab (absent in older labs) */
  origin?: Topology;
  /** device pools and phones the topology listed, for a fleet built after the lab was made */
  topologyPhones?: Pick<Topology, 'devicePools' | 'phones'>;
}

export class LabError extends Error {}

/**
 * Lines a phone's console log keeps by default: `phones log` shows 60, about two boots. Every lab
 * write carries the logs, so this bounds lab.json (a dozen phones: about 60 KB of it).
 */
export const DEFAULT_PHONE_LOG_LINES = 60;
export const MAX_PHONE_LOG_LINES = 5000;

export function phoneLogLines(state: LabState): number {
  return state.params.phoneLogLines ?? DEFAULT_PHONE_LOG_LINES;
}
