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
  /** bytes the lab's store wrote per read-only command (show itl, show ctl): 0 when nothing is written */
  bytes_written_per_readonly_cmd: number | null;
  /** bytes the store wrote per change (a mixed-mode or non-secure-mode switch) */
  bytes_written_per_mutation: number | null;
  /** size of lab.json after 1,000 phone resets (`phones reset all` in the lab console; logs are bounded rings) */
  lab_json_bytes_after_1000_resets: number | null;
  runbooks_all_ms: (Latency & { runbooks: number; failed: number; via: string }) | null;
  ssh_connect_to_prompt_ms: Latency | null;
  /** by sessions: '1', '10', '50', '200' */
  ssh_rtt_ms: Record<string, RttResult> | null;
  /** 200 sessions send `show itl` in the same tick */
  burst_show_itl_200_ms: RttResult | null;
  /** the same burst on the OpenSSH echo loop */
  baseline_burst_200_ms: RttResult | null;
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
  lab_create_ms: 'median <= 30',
  lab_create_fresh_ms: 'median <= 100',
  cmd_show_itl_ms: 'median <= 2',
  runbooks_all_ms: 'median <= 3000',
  ssh_connect_to_prompt_ms: 'median <= 150',
  ssh_rtt_ms: 'p50 and p99 <= 2x baseline at 50 and at 200 sessions',
  burst_show_itl_200_ms: 'p99 <= 50',
  ssh_rss_per_session_kb: '<= 3072 at 200 sessions',
  bytes_written_per_readonly_cmd: '0',
};

export function ratio(a: number | undefined, b: number | undefined): number | null {
  if (a === undefined || b === undefined || !Number.isFinite(a) || !Number.isFinite(b) || b === 0) return null;
  return Math.round((a / b) * 100) / 100;
}
