// The services a CUCM 10.5 node runs, as `utils service list` names them.

export type ServiceStatus = 'STARTED' | 'STOPPED' | 'STARTING' | 'STOPPING';

export interface ServiceState {
  name: string;
  /** platform daemons print a space before the bracket and are not controlled by utils service */
  platform: boolean;
  activated: boolean;
  status: ServiceStatus;
  /** set when a certificate or security mode change is waiting for this service to restart */
  needsRestart: boolean;
  /** stopped on purpose with `utils service stop` */
  commandedOut: boolean;
}

export const TFTP = 'Cisco Tftp';
export const CALLMANAGER = 'Cisco CallManager';
export const TVS = 'Cisco Trust Verification Service';
export const CAPF = 'Cisco Certificate Authority Proxy Function';
export const CTL_PROVIDER = 'Cisco CTL Provider';
export const TOMCAT = 'Cisco Tomcat';
export const CTIMANAGER = 'Cisco CTIManager';

const PLATFORM = ['System SSH', 'Cluster Manager', 'Password Reset', 'Service Manager'];

// name, where it is activated: all | pub | cm (nodes running CallManager) | tftp | never
const APP: Array<[string, 'all' | 'pub' | 'cm' | 'tftp' | 'never']> = [
  ['A Cisco DB', 'all'],
  ['A Cisco DB Replicator', 'all'],
  ['Cisco AMC Service', 'all'],
  ['Cisco AXL Web Service', 'pub'],
  ['Cisco Audit Event Service', 'all'],
  ['Cisco Bulk Provisioning Service', 'pub'],
  ['Cisco CDP', 'all'],
  ['Cisco CDP Agent', 'all'],
  [CTIMANAGER, 'cm'],
  [CTL_PROVIDER, 'cm'],
  [CALLMANAGER, 'cm'],
  ['Cisco CallManager Admin', 'all'],
  ['Cisco CallManager Cisco IP Phone Services', 'cm'],
  ['Cisco CallManager Serviceability', 'all'],
  ['Cisco CallManager Serviceability RTMT', 'all'],
  [CAPF, 'pub'],
  ['Cisco Certificate Change Notification', 'all'],
  ['Cisco Certificate Expiry Monitor', 'all'],
  ['Cisco Change Credential Application', 'all'],
  ['Cisco DRF Local', 'all'],
  ['Cisco DRF Master', 'pub'],
  ['Cisco Database Layer Monitor', 'all'],
  ['Cisco Dialed Number Analyzer', 'never'],
  ['Cisco Extension Mobility', 'cm'],
  ['Cisco Log Partition Monitoring Tool', 'all'],
  ['Cisco RIS Data Collector', 'all'],
  ['Cisco Serviceability Reporter', 'pub'],
  [TFTP, 'tftp'],
  [TOMCAT, 'all'],
  ['Cisco Tomcat Stats Servlet', 'all'],
  ['Cisco Trace Collection Service', 'all'],
  [TVS, 'cm'],
  ['Host Resources Agent', 'all'],
  ['MIB2 Agent', 'all'],
  ['Platform Administrative Web Service', 'all'],
  ['SNMP Master Agent', 'all'],
  ['System Application Agent', 'all'],
];

export function initialServices(opts: { publisher: boolean; callmanager: boolean; tftp: boolean }): ServiceState[] {
  const out: ServiceState[] = PLATFORM.map((name) => ({
    name,
    platform: true,
    activated: name !== 'Password Reset',
    status: name === 'Password Reset' ? 'STOPPED' : 'STARTED',
    needsRestart: false,
    commandedOut: false,
  }));
  for (const [name, where] of APP) {
    const activated =
      where === 'all' || (where === 'pub' && opts.publisher) || (where === 'cm' && opts.callmanager) || (where === 'tftp' && opts.tftp);
    out.push({ name, platform: false, activated, status: activated ? 'STARTED' : 'STOPPED', needsRestart: false, commandedOut: false });
  }
  return out;
}

/** The service a user typed, matched case-insensitively on the full name (CUCM wants the whole name). */
export function findService(list: ServiceState[], typed: string): ServiceState | undefined {
  const want = typed.trim().replace(/\s+/g, ' ').toLowerCase();
  return list.find((s) => s.name.toLowerCase() === want);
}
