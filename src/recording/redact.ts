// Redaction of recordings: rewrites text before it is written, with placeholders that keep their
// length so the columns of `show` tables stay aligned.
import { existsSync, readFileSync } from 'node:fs';
import YAML from 'yaml';

/** What a redactor may need to know about the lab being recorded (names, domain, secrets). */
export interface RedactContext {
  hostnames?: string[];
  domain?: string;
  passwords?: string[];
}

export interface RedactOptions {
  /** the lab's node names (in host names, FQDNs, subjects, ITLRECOVERY_<host>) */
  hostnames?: boolean;
  /** IPv4 addresses */
  addresses?: boolean;
  /** the lab's DNS domain */
  domain?: boolean;
  /** the lab's account passwords, and the length of masked password echoes */
  passwords?: boolean;
  /** literal text -> replacement */
  strings?: Record<string, string>;
  /** regular expressions; every distinct match gets its own numbered placeholder */
  patterns?: Array<{ regex: string; placeholder?: string }>;
  /** keep placeholders as long as the text they replace (default true) */
  align?: boolean;
}

export class RedactError extends Error {}

const BUILTIN = ['hostnames', 'addresses', 'domain', 'passwords'] as const;

/**
 * `--redact` takes a JSON/YAML map file, or a comma-separated list of built-in rules
 * (`hostnames,addresses,domain,passwords`, or `all`).
 */
export function parseRedactSpec(spec: string): RedactOptions {
  if (!existsSync(spec) && /^[a-z,]+$/.test(spec)) {
    const opts: RedactOptions = {};
    for (const word of spec.split(',').filter(Boolean)) {
      if (word === 'all') for (const b of BUILTIN) opts[b] = true;
      else if ((BUILTIN as readonly string[]).includes(word)) opts[word as (typeof BUILTIN)[number]] = true;
      else throw new RedactError(`--redact: unknown rule '${word}' (rules: ${BUILTIN.join(', ')}, all; or a JSON/YAML map file)`);
    }
    return opts;
  }
  let raw: unknown;
  try {
    raw = YAML.parse(readFileSync(spec, 'utf8'));
  } catch (e) {
    throw new RedactError(`--redact ${spec}: ${(e as Error).message.split('\n')[0]}`);
  }
  return redactOptionsFrom(raw, spec);
}

/**
 * A redaction map: the keys hostnames/addresses/domain/passwords (true to enable), strings (a map),
 * patterns (a list of {regex, placeholder}), align; any other key is a literal string to replace.
 */
export function redactOptionsFrom(raw: unknown, where = 'redaction map'): RedactOptions {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new RedactError(`${where}: expected a mapping`);
  const r = raw as Record<string, unknown>;
  const opts: RedactOptions = { strings: {} };
  for (const [k, v] of Object.entries(r)) {
    if ((BUILTIN as readonly string[]).includes(k) || k === 'align') {
      if (typeof v !== 'boolean') throw new RedactError(`${where}: '${k}' must be true or false`);
      (opts as Record<string, unknown>)[k] = v;
    } else if (k === 'strings') {
      if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new RedactError(`${where}: 'strings' must be a mapping of text to replacement`);
      for (const [a, b] of Object.entries(v as Record<string, unknown>)) opts.strings![a] = String(b);
    } else if (k === 'patterns') {
      if (!Array.isArray(v)) throw new RedactError(`${where}: 'patterns' must be a list of {regex, placeholder}`);
      opts.patterns = v.map((p, i) => {
        const o = (typeof p === 'string' ? { regex: p } : p) as Record<string, unknown>;
        if (!o || typeof o.regex !== 'string') throw new RedactError(`${where}: patterns[${i}] needs a 'regex'`);
        try {
          new RegExp(o.regex);
        } catch (e) {
          throw new RedactError(`${where}: patterns[${i}]: ${(e as Error).message}`);
        }
        return { regex: o.regex, placeholder: o.placeholder === undefined ? undefined : String(o.placeholder) };
      });
    } else {
      opts.strings![k] = String(v);
    }
  }
  for (const k of Object.keys(opts.strings!)) if (!k) throw new RedactError(`${where}: empty string to replace`);
  return opts;
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Fits a placeholder to `len` characters: the first candidate that fits, padded with '_'. */
function fit(candidates: string[], len: number, align: boolean): string {
  if (!align) return candidates[0];
  for (const c of candidates) if (c.length <= len) return c + '_'.repeat(len - c.length);
  return candidates[candidates.length - 1];
}

/** A documentation address (10.x.y.z) numbered n, as long as the original when possible. */
function addressPlaceholder(n: number, len: number, align: boolean): string {
  const d = ((n - 1) % 254) + 1;
  const hi = Math.floor((n - 1) / 254);
  const cs = hi === 0 ? [0, 10, 100] : [hi];
  const all: string[] = [];
  for (const a of [10, 100]) for (const b of [0, 10, 100]) for (const c of cs) all.push(`${a}.${b}.${c}.${d}`);
  if (!align) return all[0];
  return all.find((x) => x.length === len) ?? all[0];
}

const IPV4 = /(?<![\d.])(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?![\d.]*\d)/g;

/** Rewrites text consistently: the same original always gets the same placeholder. */
export class Redactor {
  private maps = new Map<string, Map<string, string>>();
  private readonly align: boolean;
  private rules: Array<(s: string) => string> = [];

  constructor(
    readonly opts: RedactOptions,
    ctx: RedactContext = {},
  ) {
    this.align = opts.align ?? true;
    const strings = Object.entries(opts.strings ?? {}).sort((a, b) => b[0].length - a[0].length);
    if (strings.length) {
      const re = new RegExp(strings.map(([k]) => escapeRe(k)).join('|'), 'g');
      const table = new Map(strings);
      this.rules.push((s) => s.replace(re, (m) => this.fixed(m, table.get(m)!)));
    }
    for (const [i, p] of (opts.patterns ?? []).entries()) {
      const re = new RegExp(p.regex, 'g');
      const base = p.placeholder ?? 'redacted';
      this.rules.push((s) => s.replace(re, (m) => (m ? this.numbered(`pattern${i}`, m, (n) => [`${base}-${n}`, `${base}${n}`, `r${n}`, `${n}`]) : m)));
    }
    if (opts.domain && ctx.domain) {
      const re = new RegExp(`(?<![A-Za-z0-9-])${escapeRe(ctx.domain)}(?![A-Za-z0-9-])`, 'g');
      this.rules.push((s) => s.replace(re, (m) => this.numbered('domain', m, (n) => [`domain-${n}`, `domain${n}`, `dom${n}`, `d${n}`])));
    }
    if (opts.hostnames && ctx.hostnames?.length) {
      const names = [...ctx.hostnames].sort((a, b) => b.length - a.length);
      const re = new RegExp(`(?<![A-Za-z0-9-])(?:${names.map(escapeRe).join('|')})(?![A-Za-z0-9-])`, 'gi');
      this.rules.push((s) => s.replace(re, (m) => this.numbered('host', m.toLowerCase(), (n) => [`host-${n}`, `host${n}`, `h${n}`, `${n}`], m.length)));
    }
    if (opts.addresses) {
      this.rules.push((s) => s.replace(IPV4, (m) => this.lookup('address', m, (n) => addressPlaceholder(n, m.length, this.align))));
    }
    if (opts.passwords) {
      const pws = [...new Set((ctx.passwords ?? []).filter((p) => p.length >= 3))].sort((a, b) => b.length - a.length);
      if (pws.length) {
        const re = new RegExp(pws.map(escapeRe).join('|'), 'g');
        this.rules.push((s) => s.replace(re, (m) => (this.align ? '*'.repeat(m.length) : '********')));
      }
      // a masked echo shows how long the password is: always show eight stars
      this.rules.push((s) => s.replace(/(password\s*:\s*)\*+/gi, '$1********'));
    }
  }

  get active(): boolean {
    return this.rules.length > 0;
  }

  apply(text: string): string {
    for (const r of this.rules) text = r(text);
    return text;
  }

  private lookup(kind: string, original: string, make: (n: number) => string): string {
    let m = this.maps.get(kind);
    if (!m) this.maps.set(kind, (m = new Map()));
    let p = m.get(original);
    if (p === undefined) {
      p = make(m.size + 1);
      m.set(original, p);
    }
    return p;
  }

  private numbered(kind: string, key: string, candidates: (n: number) => string[], len = key.length): string {
    return this.lookup(kind, key, (n) => fit(candidates(n), len, this.align));
  }

  private fixed(original: string, replacement: string): string {
    if (!this.align || replacement.length === original.length) return replacement;
    return replacement.length < original.length ? replacement + '_'.repeat(original.length - replacement.length) : replacement.slice(0, original.length);
  }
}

/** Redaction context from a lab: node names, domain, account passwords. */
export function redactContextOf(lab: {
  nodes: Array<{ name: string }>;
  state: { domain: string; accounts: { admin: { password: string }; application: { password: string }; securityPassword: string } };
}): RedactContext {
  const a = lab.state.accounts;
  return {
    hostnames: lab.nodes.map((n) => n.name),
    domain: lab.state.domain,
    passwords: [a.admin.password, a.application.password, a.securityPassword],
  };
}
