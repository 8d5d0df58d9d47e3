// Text that came from outside (topology files, lab console arguments, SQL cells) made safe to show
// on a terminal: escape sequences and control characters are removed, so a name cannot retitle a
// window, clear a screen or hide what follows it. Linear scan, no regular expressions.

const ESC = 0x1b;
const BEL = 0x07;
const CSI_C1 = 0x9b;
const ST_C1 = 0x9c;

function isControl(c: number): boolean {
  return c < 0x20 || c === 0x7f || (c >= 0x80 && c <= 0x9f);
}

/** Index after a CSI's parameters, intermediates and final byte (or at a stray control). */
function skipCsi(s: string, i: number): number {
  while (i < s.length) {
    const c = s.charCodeAt(i);
    if (c >= 0x40 && c <= 0x7e) return i + 1;
    if (c < 0x20 || c > 0x7e) return i; // malformed: the control is handled by the caller
    i++;
  }
  return i;
}

/** Index after a control string (OSC, DCS, SOS, PM, APC): up to BEL or ST, or a stray control. */
function skipString(s: string, i: number): number {
  while (i < s.length) {
    const c = s.charCodeAt(i);
    if (c === BEL || c === ST_C1) return i + 1;
    if (c === ESC) return s[i + 1] === '\\' ? i + 2 : i;
    if (isControl(c)) return i;
    i++;
  }
  return i;
}

/** Index after the escape sequence that starts at `i` (s[i] is ESC). */
function skipEscape(s: string, i: number): number {
  const next = s[i + 1];
  if (next === undefined) return i + 1;
  if (next === '[') return skipCsi(s, i + 2);
  if (next === ']' || next === 'P' || next === 'X' || next === '^' || next === '_') return skipString(s, i + 2);
  let j = i + 1;
  // ESC, intermediates (0x20-0x2f), one final character
  while (j < s.length && s.charCodeAt(j) >= 0x20 && s.charCodeAt(j) <= 0x2f) j++;
  const c = s.charCodeAt(j);
  return j < s.length && c >= 0x30 && c <= 0x7e ? j + 1 : j;
}

/**
 * `text` without escape sequences, C0 controls, DEL and C1 controls. Characters listed in `keep`
 * (say '\n\r\t' for whole output) stay.
 */
export function stripControls(text: string, keep = ''): string {
  let i = 0;
  // the common case: nothing to remove, no copy
  for (; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (isControl(c) && !keep.includes(text[i])) break;
  }
  if (i === text.length) return text;
  let out = text.slice(0, i);
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === ESC) i = skipEscape(text, i);
    else if (c === CSI_C1) i = skipCsi(text, i + 1);
    else if (c === 0x9d || c === 0x90 || c === 0x98 || c === 0x9e || c === 0x9f) i = skipString(text, i + 1);
    else if (isControl(c) && !keep.includes(text[i])) i++;
    else out += text[i++];
  }
  return out;
}

/** Lab text (a name, a description, one value): no controls at all, not even line breaks. */
export function cleanLabText(text: string): string {
  return stripControls(text);
}

/** Every string (keys included) of a parsed YAML/JSON value, cleaned. */
export function cleanLabValues(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return cleanLabText(value);
  if (depth > 64 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => cleanLabValues(v, depth + 1));
  const out: Record<string, unknown> = {};
  // defined, not assigned: a key named __proto__ stays a plain key
  for (const [k, v] of Object.entries(value)) {
    Object.defineProperty(out, cleanLabText(k), { value: cleanLabValues(v, depth + 1), enumerable: true, writable: true, configurable: true });
  }
  return out;
}
