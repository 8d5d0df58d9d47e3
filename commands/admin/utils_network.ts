// utils network ping <destination> [count]: the platform's ping (iputils). Lab nodes that are powered
// on answer, by name, FQDN or address; any other address never answers, as on an isolated lab network.
import { createHash } from 'node:crypto';
import { isIP } from 'node:net';
import type { CommandContext, CommandModule, CompletionContext } from '../../src/console/command.js';

const MAX_COUNT = 100;

/** Round-trip times in ms, the same for the same lab, node, destination and packet. */
function rtt(labName: string, from: string, to: string, seq: number, local: boolean): number {
  const h = createHash('sha1').update(`${labName}|${from}|${to}|${seq}`).digest();
  const spread = h.readUInt16BE(0) / 65535;
  // whole microseconds, as ping measures them
  return Math.round((local ? 0.02 + spread * 0.03 : 0.19 + spread * 0.35) * 1000) / 1000;
}

function ms3(x: number): string {
  return x.toFixed(3);
}

function destinations(c: CompletionContext): string[] {
  return c.lab.nodes.flatMap((n) => [n.name, n.ip]);
}

async function ping(ctx: CommandContext, a: Record<string, string>) {
  const dest = a.destination;
  let count = 4;
  if (a.count !== undefined) {
    if (!/^\d{1,4}$/.test(a.count) || Number(a.count) < 1 || Number(a.count) > MAX_COUNT) return ctx.fail(`Invalid count ${a.count}: a number from 1 to ${MAX_COUNT}.`);
    count = Number(a.count);
  }
  const lab = ctx.lab;
  const node = lab.node(dest);
  const literal = isIP(dest) === 4;
  if (!node && !literal) return ctx.fail(`ping: unknown host ${dest}`);
  const ip = node ? node.ip : dest;
  const shown = literal ? dest : lab.fqdn(node!);
  const from = literal ? ip : `${shown} (${ip})`;
  const answers = !!node && node.up;
  const local = node === ctx.node;
  ctx.out(`PING ${shown} (${ip}) 56(84) bytes of data.`);
  const times: number[] = [];
  for (let seq = 1; seq <= count; seq++) {
    if (answers) {
      const t = rtt(lab.state.name, ctx.node.name, ip, seq, local);
      times.push(t);
      ctx.out(`64 bytes from ${from}: icmp_seq=${seq} ttl=64 time=${ms3(t)} ms`);
    }
    // one echo request a second; an unanswered one is waited for as long
    if (seq < count || !answers) await ctx.wait(1000);
  }
  const elapsed = (count - 1) * 1000 + (answers ? 3 : 0);
  const loss = Math.round(((count - times.length) * 100) / count);
  ctx.out('', `--- ${shown} ping statistics ---`, `${count} packets transmitted, ${times.length} received, ${loss}% packet loss, time ${elapsed}ms`);
  if (times.length) {
    // in whole microseconds with integer division, as ping sums them
    const us = times.map((t) => Math.round(t * 1000));
    const avg = Math.floor(us.reduce((s, t) => s + t, 0) / us.length);
    const mdev = Math.floor(Math.sqrt(Math.max(0, Math.floor(us.reduce((s, t) => s + t * t, 0) / us.length) - avg * avg)));
    ctx.out(`rtt min/avg/max/mdev = ${ms3(Math.min(...times))}/${ms3(avg / 1000)}/${ms3(Math.max(...times))}/${ms3(mdev / 1000)} ms`);
  }
  return 0;
}

const utilsNetwork: CommandModule = {
  menus: [{ path: ['utils', 'network'], summary: 'Network utility commands' }],
  commands: [
    {
      path: ['utils', 'network', 'ping'],
      summary: 'This command allows you to ping another server.',
      params: [
        { name: 'destination', required: true, help: 'IP address or host name of the server to ping', values: destinations },
        { name: 'count', required: false, help: `number of echo requests to send (1-${MAX_COUNT}, default 4)` },
      ],
      example: ['admin:utils network ping cucm-sub1'],
      run: ping,
    },
  ],
};

export default utilsNetwork;
