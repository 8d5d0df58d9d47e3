// The bench's table: one row per figure with its target and the ratio to it.
import type { Latency } from '../ssh-harness.js';
import { type Figures, TARGETS, ratio } from './figures.js';

export function table(f: Figures): string {
  const rows: string[][] = [['figure', 'p50', 'p99', 'n', 'target', 'ratio to target']];
  const fmt = (x: number | undefined | null) => (x === undefined || x === null || !Number.isFinite(x) ? '-' : String(x));
  const lat = (name: string, l: Latency | null, target?: number, extra = '') => {
    if (!l) rows.push([name, 'null', '', '', TARGETS[name] ?? '', extra]);
    else rows.push([name, fmt(l.median), fmt(l.p99), String(l.n), TARGETS[name] ?? '', target ? `${fmt(ratio(l.median, target))}${extra}` : extra]);
  };
  lat('lab_create_ms', f.lab_create_ms, 30);
  rows.push(['lab_create_first_ms', fmt(f.lab_create_first_ms), '', '1', '(first create in a process)', '']);
  lat('lab_create_fresh_ms', f.lab_create_fresh_ms, 100);
  lat('cmd_show_itl_ms', f.cmd_show_itl_ms, 2);
  lat('cmd_show_ctl_ms', f.cmd_show_ctl_ms);
  lat('cmd_mixed_mode_ms', f.cmd_mixed_mode_ms);
  lat('cmd_itl_reset_ms', f.cmd_itl_reset_ms);
  rows.push(['bytes_written_per_readonly_cmd', fmt(f.bytes_written_per_readonly_cmd), '', '', TARGETS.bytes_written_per_readonly_cmd, '']);
  rows.push(['bytes_written_per_mutation', fmt(f.bytes_written_per_mutation), '', '', '', '']);
  rows.push(['lab_json_bytes_after_1000_resets', fmt(f.lab_json_bytes_after_1000_resets), '', '', '', '']);
  lat('runbooks_all_ms', f.runbooks_all_ms, 3000, f.runbooks_all_ms ? ` (${f.runbooks_all_ms.runbooks} runbooks via ${f.runbooks_all_ms.via})` : '');
  lat('ssh_connect_to_prompt_ms', f.ssh_connect_to_prompt_ms, 150);
  const vsBase = (a: number | undefined, b: number | undefined) => (b ? `${fmt(ratio(a, b))}x` : '-');
  for (const n of ['1', '10', '50', '200']) {
    const r = f.ssh_rtt_ms?.[n];
    const b = f.baseline_ssh_rtt_ms?.[n];
    const name = `ssh_rtt_ms @${n}`;
    const target = n === '50' || n === '200' ? TARGETS.ssh_rtt_ms : '';
    if (!r) rows.push([name, 'null', '', '', target, '']);
    else rows.push([name, fmt(r.p50), fmt(r.p99), String(r.n), target, `baseline p50 ${vsBase(r.p50, b?.p50)}, p99 ${vsBase(r.p99, b?.p99)}${r.errors ? `; ${r.errors} errors` : ''}`]);
  }
  for (const n of ['1', '10', '50', '200']) {
    const b = f.baseline_ssh_rtt_ms?.[n];
    rows.push([`baseline_ssh_rtt_ms @${n}`, b ? fmt(b.p50) : 'null', b ? fmt(b.p99) : '', b ? String(b.n) : '', 'OpenSSH sshd echo loop', b?.errors ? `${b.errors} errors` : '']);
  }
  const burst = f.burst_show_itl_200_ms;
  const bb = f.baseline_burst_200_ms;
  if (!burst) rows.push(['burst_show_itl_200_ms', 'null', '', '', TARGETS.burst_show_itl_200_ms, '']);
  else rows.push(['burst_show_itl_200_ms', fmt(burst.p50), fmt(burst.p99), String(burst.n), TARGETS.burst_show_itl_200_ms, `${fmt(ratio(burst.p99, 50))} of 50 ms; baseline p99 ${vsBase(burst.p99, bb?.p99)}${burst.errors ? `; ${burst.errors} errors` : ''}`]);
  rows.push(['baseline_burst_200_ms', bb ? fmt(bb.p50) : 'null', bb ? fmt(bb.p99) : '', bb ? String(bb.n) : '', 'OpenSSH sshd echo loop', '']);
  rows.push(['ssh_rss_per_session_kb', fmt(f.ssh_rss_per_session_kb), '', f.ssh_rss_per_session_kb === null ? '' : '200', TARGETS.ssh_rss_per_session_kb, fmt(ratio(f.ssh_rss_per_session_kb ?? undefined, 3072))]);
  rows.push(['ssh_sessions_max', fmt(f.ssh_sessions_max), '', '', 'reached without errors', '']);
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) => r.map((c, i) => (i === 0 || i >= 4 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ').trimEnd();
  const out = [line(rows[0]), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(line)];
  out.push('', `All times in ms; ${f.machine.cpus} CPUs, Node ${f.machine.node}; bench took ${(f.duration_ms / 1000).toFixed(1)} s.`);
  if (f.notes.length) out.push('', 'Notes:', ...f.notes.map((n) => `  - ${n}`));
  return out.join('\n');
}
