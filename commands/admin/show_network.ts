// show network cluster, show network eth0 [detail]. The lab's nodes sit on a /24 with the gateway at
// .1 and a DNS server at .2 (addresses only displayed, never contacted).
import { createHash } from 'node:crypto';
import type { CommandContext, CommandModule } from '../../src/console/command.js';
import type { NodeState } from '../../state/cluster/lab.js';
import { ctimeDate } from '../format.js';

/** The address on the node's /24 that ends in `last` (gateway .1, DNS .2). */
export function neighbour(ip: string, last: number): string {
  const p = ip.split('.');
  return p.length === 4 ? `${p[0]}.${p[1]}.${p[2]}.${last}` : ip;
}

/** A VMware MAC address (OUI 00:50:56), fixed per lab and node. */
export function macAddress(labName: string, node: NodeState): string {
  const h = createHash('sha1').update(`${labName}/${node.name}`).digest();
  return ['00', '50', '56', ...[h[0] & 0x3f, h[1], h[2]].map((b) => b.toString(16).padStart(2, '0'))].join(':');
}

function cluster(ctx: CommandContext): number {
  const lab = ctx.lab;
  const tz = lab.state.timezone;
  const lines: string[] = [];
  const others = lab.nodes.filter((n) => n !== ctx.node);
  for (const n of [...others, ctx.node]) {
    const role = n.publisher ? 'Publisher' : 'Subscriber';
    const db = n.publisher ? 'DBPub' : 'DBSub';
    let line = `${n.ip} ${lab.fqdn(n)} ${n.name} ${role} callmanager ${db}`;
    if (n === ctx.node) line += ' authenticated';
    else if (!n.up) line += ' unreachable';
    else line += ` authenticated using TCP since ${ctimeDate(Math.max(n.since, ctx.node.since), tz)}`;
    lines.push(line);
  }
  if (ctx.node.publisher) {
    lines.push('', 'Server Table (processnode) Entries', '----------------------------------', ...lab.nodes.map((n) => lab.fqdn(n)));
  }
  ctx.out(...lines);
  return 0;
}

/** The CLI prints the mask with three digits per octet. */
const MASK = '255.255.255.000';

function eth0(ctx: CommandContext, a: Record<string, string>): number {
  const detail = a.detail;
  if (detail !== undefined && detail !== 'detail') return ctx.fail(`Invalid option: ${detail}`);
  const lab = ctx.lab;
  const n = ctx.node;
  const lines = [
    'Ethernet 0',
    'DHCP       : disabled   Status     : up',
    `IP Address : ${n.ip.padEnd(15)} IP Mask    : ${MASK}`,
    'Link Detected: yes      Mode       : Auto disabled, Full, 10000 Mb/s',
    'Duplicate IP : no',
  ];
  if (detail) {
    // counters grow with the node's uptime on the lab clock, so they are the same on every run
    const secs = Math.max(1, Math.floor((lab.nowMs() - n.since) / 1000));
    const rxPackets = secs * 41 + 1187;
    const txPackets = secs * 37 + 953;
    lines.push(
      'Queue Length : 1000     MTU        : 1500',
      `MAC Address  : ${macAddress(lab.state.name, n)}`,
      'RX stats:',
      `  bytes: ${rxPackets * 212}  packets: ${rxPackets}  errors: 0  dropped: 0  overrun: 0  multicast: ${Math.floor(secs / 30)}`,
      'TX stats:',
      `  bytes: ${txPackets * 188}  packets: ${txPackets}  errors: 0  dropped: 0  overrun: 0  carrier: 0  collisions: 0`,
    );
  }
  lines.push(
    '',
    'DNS',
    `Primary    : ${neighbour(n.ip, 2).padEnd(15)} Secondary  : Not Configured`,
    'Options    : timeout:5 attempts:2',
    `Domain     : ${n.domain ?? lab.state.domain}`,
    `Gateway    : ${neighbour(n.ip, 1)} on Ethernet 0`,
  );
  ctx.out(...lines);
  return 0;
}

const showNetwork: CommandModule = {
  menus: [{ path: ['show', 'network'], summary: 'Show network information' }],
  commands: [
    {
      path: ['show', 'network', 'cluster'],
      summary: 'This command lists nodes in the network cluster.',
      run: cluster,
    },
    {
      path: ['show', 'network', 'eth0'],
      summary: 'This command shows the configuration of Ethernet port 0: address, mask, link, DNS and gateway.',
      params: [{ name: 'detail', required: false, help: 'also show the interface statistics', values: ['detail'] }],
      example: ['admin:show network eth0 detail'],
      run: eth0,
    },
  ],
};

export default showNetwork;
