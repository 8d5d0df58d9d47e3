// How `run sql` prints: Informix-style column headings and the CUCM result table.
import { stripControls } from '../text.js';

/** Informix-style heading: lower case; anything that is not a plain identifier in parentheses. */
export function informixColumnName(name: string): string {
  const lower = name.toLowerCase();
  if (/^[a-z_][a-z0-9_$]*$/.test(lower)) return lower;
  if (lower.startsWith('(') && lower.endsWith(')')) {
    // Already wrapped only if the opening parenthesis closes at the very end.
    let depth = 0;
    let wrapped = true;
    for (let i = 0; i < lower.length; i++) {
      if (lower[i] === '(') depth++;
      else if (lower[i] === ')') depth--;
      if (depth === 0 && i < lower.length - 1) {
        wrapped = false;
        break;
      }
    }
    if (wrapped) return lower;
  }
  return `(${lower})`;
}

/** CUCM `run sql` table text: header, a row of '=' per column, then rows; every cell padded. */
export function formatSqlTable(columns: string[], rows: (string | number | boolean | null)[][]): string {
  if (!columns.length) return '';
  const names = columns.map((c) => informixColumnName(stripControls(c)));
  const text = (v: string | number | boolean | null | undefined): string =>
    v === null || v === undefined ? 'NULL' : v === true ? 't' : v === false ? 'f' : stripControls(String(v));
  const cells = rows.map((row) => names.map((_, i) => text(row[i])));
  const widths = names.map((name, i) => Math.max(name.length, ...cells.map((r) => r[i]!.length)));
  const line = (values: string[]) => values.map((v, i) => v.padEnd(widths[i]!)).join(' ');
  return [line(names), line(widths.map((w) => '='.repeat(w))), ...cells.map(line)].join('\n');
}
