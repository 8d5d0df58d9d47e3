// Helpers shared by the lab console's command modules.
import type { CommandContext, CompletionContext } from '../../src/console/command.js';
import type { NodeState } from '../../state/cluster/lab.js';
import { TFTP, TVS } from '../../state/cluster/services.js';
import { fileChecksums } from '../../state/trust/tlv-parse.js';

/** Left-aligned columns separated by two spaces; trailing spaces trimmed. */
export function table(rows: string[][]): string[] {
  if (rows.length === 0) return [];
  const n = Math.max(...rows.map((r) => r.length));
  const widths = Array.from({ length: n }, (_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) =>
    r
      .map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i])))
      .join('  ')
      .trimEnd(),
  );
}

export function nodeNames(c: CompletionContext): string[] {
  return c.lab.nodes.map((n) => n.name);
}

export function findNode(ctx: CommandContext, name: string): NodeState | undefined {
  return ctx.lab.node(name);
}

export function noNode(ctx: CommandContext, name: string): number {
  return ctx.fail(`No node '${name}' in this lab (nodes: ${ctx.lab.nodes.map((n) => n.name).join(', ')}).`);
}

/** `6m`, `90s`, `1h30m`, `2d`, or a bare number of seconds. */
export function parseDuration(text: string): number | undefined {
  const t = text.trim().toLowerCase();
  if (/^\d+$/.test(t)) return Number(t) * 1000;
  const m = /^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(t);
  if (!m || t === '') return undefined;
  const [d, h, mi, s] = m.slice(1).map((x) => Number(x ?? 0));
  return (((d * 24 + h) * 60 + mi) * 60 + s) * 1000;
}

export function formatDuration(ms: number): string {
  let s = Math.ceil(ms / 1000);
  const d = Math.floor(s / 86400);
  s -= d * 86400;
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  s -= m * 60;
  const parts = [d ? `${d}d` : '', h ? `${h}h` : '', m ? `${m}m` : '', s || (!d && !h && !m) ? `${s}s` : ''];
  return parts.join('');
}

export function fileMd5(ctx: { lab: CommandContext['lab'] }, node: NodeState, file: string): string | undefined {
  const data = ctx.lab.readTftp(node, file);
  return data && data.length ? fileChecksums(data).md5 : undefined;
}

export function serviceState(ctx: { lab: CommandContext['lab'] }, node: NodeState, name: typeof TFTP | typeof TVS): string {
  const s = ctx.lab.service(node, name);
  if (!s || !s.activated) return 'n/a';
  if (!node.up) return 'down';
  return s.status;
}

export function yesNo(v: boolean): string {
  return v ? 'True' : 'False';
}
