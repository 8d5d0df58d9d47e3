// `--report FILE.html`: one self-contained page (inline SVG and CSS, no scripts, no external assets)
// with the SSH latency distributions beside OpenSSH's at the same concurrency, and the figures.
import type { Figures } from './figures.js';

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** Value at quantile q of sorted samples (nearest rank). */
function at(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

interface Series {
  label: string;
  color: string;
  samples: number[];
}

/**
 * Percentile plot: round-trip time (log axis) against percentile on a tail scale (p50, p90, p99 and
 * p99.9 evenly spaced), so the tail the targets speak of is as wide as the middle.
 */
function cdf(title: string, series: Series[]): string {
  const W = 520;
  const H = 260;
  const L = 48;
  const B = 36;
  const T = 24;
  const R = 12;
  const all = series.flatMap((s) => s.samples).filter((x) => x > 0);
  if (all.length === 0) return `<figure><figcaption>${esc(title)}: not measured</figcaption></figure>`;
  const lo = Math.pow(10, Math.floor(Math.log10(Math.min(...all))));
  const hi = Math.pow(10, Math.ceil(Math.log10(Math.max(...all))));
  const x = (ms: number) => L + ((Math.log10(Math.max(ms, lo)) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo))) * (W - L - R);
  const tail = (q: number) => Math.min(3, -Math.log10(Math.max(1e-9, 1 - q))) / 3;
  const y = (q: number) => T + (1 - tail(q)) * (H - T - B);
  const parts: string[] = [];
  for (let d = lo; d <= hi; d *= 10) {
    parts.push(`<line x1="${x(d)}" y1="${T}" x2="${x(d)}" y2="${H - B}" class="grid"/>`);
    parts.push(`<text x="${x(d)}" y="${H - B + 14}" text-anchor="middle">${d >= 1 ? d : d.toFixed(Math.round(-Math.log10(d)))}</text>`);
  }
  for (const [q, label] of [[0, 'p0'], [0.5, 'p50'], [0.9, 'p90'], [0.99, 'p99'], [0.999, 'p99.9']] as const) {
    parts.push(`<line x1="${L}" y1="${y(q).toFixed(1)}" x2="${W - R}" y2="${y(q).toFixed(1)}" class="grid"/>`);
    parts.push(`<text x="${L - 4}" y="${(y(q) + 4).toFixed(1)}" text-anchor="end">${label}</text>`);
  }
  parts.push(`<text x="${(L + W - R) / 2}" y="${H - 6}" text-anchor="middle">round trip, ms (log scale)</text>`);
  series.forEach((s, i) => {
    if (!s.samples.length) return;
    const sorted = [...s.samples].sort((a, b) => a - b);
    // at most 400 points per curve keeps the page small whatever the sample count
    const step = Math.max(1, Math.floor(sorted.length / 400));
    const pts: string[] = [];
    for (let k = 0; k < sorted.length; k += step) pts.push(`${x(sorted[k]).toFixed(1)},${y((k + 1) / sorted.length).toFixed(1)}`);
    pts.push(`${x(sorted[sorted.length - 1]).toFixed(1)},${y(1).toFixed(1)}`);
    parts.push(`<polyline points="${pts.join(' ')}" fill="none" stroke="${s.color}" stroke-width="2"/>`);
    const p50 = at(sorted, 0.5);
    const p99 = at(sorted, 0.99);
    parts.push(`<text x="${L + 8}" y="${T + 14 + i * 14}" style="fill:${s.color}">${esc(s.label)}: p50 ${p50.toFixed(2)} ms, p99 ${p99.toFixed(2)} ms, n ${sorted.length}</text>`);
  });
  return `<figure><figcaption>${esc(title)}</figcaption><svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" role="img" aria-label="${esc(title)}">${parts.join('')}</svg></figure>`;
}

export function report(f: Figures, samples: Record<string, number[]>): string {
  const ours = '#c0392b';
  const base = '#2c3e80';
  const plots = [
    ...['1', '10', '50', '200'].map((n) =>
      cdf(`${n} concurrent session${n === '1' ? '' : 's'}: cucm-sim vs OpenSSH sshd (echo loop)`, [
        { label: 'cucm-sim', color: ours, samples: samples[`ssh_rtt_ms@${n}`] ?? [] },
        { label: 'OpenSSH', color: base, samples: samples[`baseline_ssh_rtt_ms@${n}`] ?? [] },
      ]),
    ),
    cdf('Burst: 200 sessions send `show itl` in the same instant', [
      { label: 'cucm-sim', color: ours, samples: samples['burst_show_itl_200_ms'] ?? [] },
      { label: 'OpenSSH', color: base, samples: samples['baseline_burst_200_ms'] ?? [] },
    ]),
  ];
  const ratios = Object.entries(f.ratios)
    .map(([k, v]) => `<tr><td>${esc(k)}</td><td>${v ?? '-'}</td></tr>`)
    .join('');
  const targets = Object.entries(f.targets)
    .map(([k, v]) => `<tr><td>${esc(k)}</td><td>${esc(v)}</td></tr>`)
    .join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>cucm-sim benchmark</title>
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:2em;max-width:1120px;color:#222}
figure{display:inline-block;margin:0 1em 1.5em 0;vertical-align:top}
figcaption{font-weight:600;margin-bottom:.3em}
svg text{font:11px system-ui,sans-serif;fill:#444}
svg .grid{stroke:#ddd;stroke-width:1}
table{border-collapse:collapse;margin:1em 0}td{border:1px solid #ddd;padding:2px 8px}
pre{white-space:pre-wrap;word-break:break-all;background:#f6f6f6;padding:1em}
</style></head><body>
<h1>cucm-sim benchmark</h1>
<p>${f.machine.cpus} CPUs, Node ${esc(f.machine.node)}, bench took ${(f.duration_ms / 1000).toFixed(1)} s. Each curve plots the round
trips (command sent to prompt back, log scale) against their percentile, on a scale that gives p90-p99 and p99-p99.9 as much room as
p50-p90; the baseline is OpenSSH's sshd running a shell loop that echoes
each line, driven the same way at the same concurrency in the same run.</p>
${plots.join('\n')}
<h2>Ratios</h2><table>${ratios}</table>
<h2>Targets</h2><table>${targets}</table>
${f.notes.length ? `<h2>Notes</h2><ul>${f.notes.map((n) => `<li>${esc(n)}</li>`).join('')}</ul>` : ''}
<h2>Figures (the <code>--json</code> line)</h2><pre>${esc(JSON.stringify(f, null, 1))}</pre>
</body></html>
`;
}
