// The bench's table: one row per figure with its target and the ratio to it.
import type { Latency } from '../ssh-harness.js';
import { type Figures, TARGETS, ratio } from './figures.js';

export function table(f: Figures): string {
  const rows: string[][] = [['figure', 'median', 'p99', 'n', 'target', 'ratio to target']];
  const fmt = (x: number | undefined | null) => (x === undefined || x === null || !Number.isFinite(x) ? '-' : String(x));
  const lat = (name: string, l: Latency | null, target?: number, extra = '') => {
    if (!l) rows.push([name, 'null', '', '', TARGETS[name] ?? '', extra]);
    else rows.push([name, fmt(l.median), fmt(l.p99), String(l.n), TARGETS[name] ?? '', target ? `${fmt(ratio(l.median, target))}${extra}` : extra]);
  };
  lat('lab_create_ms', f.lab_create_ms, 250);
  rows.push(['lab_create_first_ms', fmt(f.lab_create_first_ms), '', '1', '(first create in a process)', '']);
  lat('lab_create_fresh_ms', f.lab_create_fresh_ms, 250);
  lat('cmd_show_itl_ms', f.cmd_show_itl_ms, 2);
  lat('cmd_show_ctl_ms', f.cmd_show_ctl_ms);
  lat('cmd_mixed_mode_ms', f.cmd_mixed_mode_ms);
  lat('cmd_itl_reset_ms', f.cmd_itl_reset_ms);
  lat('runbooks_all_ms', f.runbooks_all_ms, 3000, f.runbooks_all_ms ? ` (${f.runbooks_all_ms.runbooks} runbooks via ${f.runbooks_all_ms.via})` : '');
  lat('ssh_connect_to_prompt_ms', f.ssh_connect_to_prompt_ms, 150);
  for (const n of ['1', '10', '50']) {
    const r = f.ssh_rtt_ms?.[n];
    const b = f.baseline_ssh_rtt_ms?.[n];
    const name = `ssh_rtt_ms @${n}`;
    if (!r) rows.push([name, 'null', '', '', n === '50' ? TARGETS.ssh_rtt_ms : '', '']);
    else
      rows.push([
        name,
        fmt(r.median),
        fmt(r.p99),
        String(r.n),
        n === '50' ? TARGETS.ssh_rtt_ms : '',
        `${n === '50' ? `${fmt(ratio(r.p99, 25))} of 25 ms; ` : ''}${b ? `${fmt(ratio(r.p99, b.p99))}x baseline p99` : 'no baseline'}${r.errors ? `; ${r.errors} errors` : ''}`,
      ]);
  }
  for (const n of ['1', '10', '50']) {
    const b = f.baseline_ssh_rtt_ms?.[n];
    rows.push([`baseline_ssh_rtt_ms @${n}`, b ? fmt(b.median) : 'null', b ? fmt(b.p99) : '', b ? String(b.n) : '', 'OpenSSH sshd echo loop', b?.errors ? `${b.errors} errors` : '']);
  }
  rows.push(['ssh_rss_per_session_kb', fmt(f.ssh_rss_per_session_kb), '', f.ssh_rss_per_session_kb === null ? '' : '200', TARGETS.ssh_rss_per_session_kb, fmt(ratio(f.ssh_rss_per_session_kb ?? undefined, 3072))]);
  rows.push(['ssh_sessions_max', fmt(f.ssh_sessions_max), '', '', 'reached without errors', '']);
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) => r.map((c, i) => (i === 0 || i >= 4 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ').trimEnd();
  const out = [line(rows[0]), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(line)];
  out.push('', `All times in ms; ${f.machine.cpus} CPUs, Node ${f.machine.node}; bench took ${(f.duration_ms / 1000).toFixed(1)} s.`);
  if (f.notes.length) out.push('', 'Notes:', ...f.notes.map((n) => `  - ${n}`));
  return out.join('\n');
}
