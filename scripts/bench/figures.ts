// The bench's figures: their shape (the keys `--json` prints), their targets, ratios to a target.
import type { Latency, RttResult } from '../ssh-harness.js';

export interface Figures {
  lab_create_ms: Latency;
  lab_create_first_ms: number;
  lab_create_fresh_ms: Latency;
  cmd_show_itl_ms: Latency;
  cmd_show_ctl_ms: Latency;
  cmd_mixed_mode_ms: Latency;
  cmd_itl_reset_ms: Latency;
  runbooks_all_ms: (Latency & { runbooks: number; failed: number; via: string }) | null;
  ssh_connect_to_prompt_ms: Latency | null;
  ssh_rtt_ms: Record<string, RttResult> | null;
  ssh_rss_per_session_kb: number | null;
  ssh_sessions_max: number | null;
  baseline_ssh_rtt_ms: Record<string, RttResult> | null;
  ratios: Record<string, number | null>;
  targets: Record<string, string>;
  notes: string[];
  machine: { cpus: number; node: string };
  duration_ms: number;
}

export const TARGETS: Record<string, string> = {
  lab_create_ms: 'median <= 250',
  lab_create_fresh_ms: 'median <= 250',
  cmd_show_itl_ms: 'median <= 2',
  runbooks_all_ms: 'median <= 3000',
  ssh_connect_to_prompt_ms: 'median <= 150',
  ssh_rtt_ms: 'p99 at 50 sessions <= 25 and <= 3x baseline p99',
  ssh_rss_per_session_kb: '<= 3072 at 200 sessions',
};

export function ratio(a: number | undefined, b: number | undefined): number | null {
  if (a === undefined || b === undefined || !Number.isFinite(a) || !Number.isFinite(b) || b === 0) return null;
  return Math.round((a / b) * 100) / 100;
}
