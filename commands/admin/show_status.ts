// show status: host, date, time zone, product and OS versions, uptime, CPU, memory and disks
// (layout: versions.md §0; the figures match the VMware block of the start-up banner; the versions are
// the lab's build and its profile's OS).
import type { CommandContext, CommandModule } from '../../src/console/command.js';
import { profileOf } from '../../state/cluster/profile.js';

function dateParts(ms: number, tz: string, opts: Intl.DateTimeFormatOptions): Record<string, string> {
  let f: Intl.DateTimeFormat;
  try {
    f = new Intl.DateTimeFormat('en-US', { timeZone: tz, ...opts });
  } catch {
    f = new Intl.DateTimeFormat('en-US', { timeZone: 'UTC', ...opts });
  }
  const out: Record<string, string> = {};
  for (const p of f.formatToParts(new Date(ms))) out[p.type] = p.value;
  return out;
}

const CLOCK: Intl.DateTimeFormatOptions = { weekday: 'short', month: 'short', day: '2-digit', year: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' };

/** `Fri Sep 29, 2023 17:20:40` */
export function statusDate(ms: number, tz: string): string {
  const p = dateParts(ms, tz, CLOCK);
  return `${p.weekday} ${p.month} ${p.day}, ${p.year} ${p.hour}:${p.minute}:${p.second}`;
}

/** `Central Daylight Time (America/Mexico_City)` */
export function timeZoneLine(ms: number, tz: string): string {
  const p = dateParts(ms, tz, { timeZoneName: 'long' });
  return `${p.timeZoneName} (${tz})`;
}

/** The `uptime` line as procps prints it: ` 17:20:42 up 141 days,  1:12,  1 user,  load average: ...` */
export function uptimeLine(nowMs: number, sinceMs: number, tz: string): string {
  const p = dateParts(nowMs, tz, { hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });
  const mins = Math.max(0, Math.floor((nowMs - sinceMs) / 60_000));
  const days = Math.floor(mins / 1440);
  const hours = Math.floor((mins % 1440) / 60);
  const m = mins % 60;
  let up = days ? `${days} day${days === 1 ? '' : 's'}, ` : '';
  up += hours ? `${String(hours).padStart(2)}:${String(m).padStart(2, '0')}, ` : `${m} min, `;
  return ` ${p.hour}:${p.minute}:${p.second} up ${up} 1 user,  load average: 0.31, 0.24, 0.19`;
}

function pct(x: number): string {
  return x.toFixed(2).padStart(5, '0') + '%';
}

/** A disk row: total, free, used in KB, and df's rounded-up use percentage. */
function diskRow(label: string, total: number, used: number): string {
  const free = total - used;
  const use = Math.ceil((used * 100) / (used + free));
  return `${label}${`${total}K`.padStart(29 - label.length)}${`${free}K`.padStart(16)}${`${used}K`.padStart(16)} (${use}%)`;
}

function status(ctx: CommandContext): number {
  const lab = ctx.lab;
  const tz = lab.state.timezone;
  const now = lab.nowMs();
  const memTotal = 8061124;
  const mem: Array<[string, number]> = [
    ['Memory Total:', memTotal],
    ['Free:', 241884],
    ['Used:', 4388112],
    ['Cached:', 3248316],
    ['Shared:', 301552],
    ['Buffers:', 3431128],
  ];
  ctx.out(
    '',
    `Host Name          : ${ctx.node.name}`,
    `Date               : ${statusDate(now, tz)}`,
    `Time Zone          : ${timeZoneLine(now, tz)}`,
    'Locale             : en_US.UTF-8',
    `Product Ver        : ${lab.state.version}`,
    `Unified OS Version : ${profileOf(lab).osVersion}`,
    '',
    'Uptime:',
    uptimeLine(now, ctx.node.since, tz),
    '',
    `CPU Idle:   ${pct(91.54)}  System:   ${pct(3.52)}    User:   ${pct(4.44)}`,
    `  IOWAIT:   ${pct(0.25)}     IRQ:   ${pct(0)}    Soft:   ${pct(0.25)}`,
    '',
    ...mem.map(([k, v]) => `${k.padStart(13)}${`${v}K`.padStart(16)}`),
    '',
    `${'Total'.padStart(29)}${'Free'.padStart(16)}${'Used'.padStart(16)}`,
    diskRow('Disk/active', 19805412, 11437848),
    diskRow('Disk/inactive', 19805412, 1196604),
    diskRow('Disk/logging', 69234984, 9612876),
  );
  return 0;
}

const showStatus: CommandModule = {
  commands: [
    {
      path: ['show', 'status'],
      summary: 'This command displays basic platform status: host name, date, time zone, versions, uptime, CPU, memory and disk usage.',
      example: ['admin:show status'],
      run: status,
    },
  ],
};

export default showStatus;
