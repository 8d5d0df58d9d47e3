// Tab completion and `?` help for a partly typed line, from a console's command tree.
import type { CommandSpec, CompletionContext } from './command.js';
import { columns, tokenize, type Registry, type Token } from './registry.js';

export interface Completion {
  /** the new line content */
  line: string;
  /** candidates to list above the prompt (already formatted) */
  list?: string[];
}

function commonPrefix(words: string[]): string {
  if (words.length === 0) return '';
  let p = words[0];
  for (const w of words.slice(1)) {
    let i = 0;
    while (i < p.length && i < w.length && p[i] === w[i]) i++;
    p = p.slice(0, i);
  }
  return p;
}

/** Tab completion: completes a unique word, lists candidates (with `*` for menus), or repeats the line. */
export function complete(reg: Registry, line: string, cctx: CompletionContext, width = 80): Completion {
  const toks = tokenize(line);
  const endsWithSpace = line.length === 0 || /\s$/.test(line);
  const done = endsWithSpace ? toks : toks.slice(0, -1);
  const partial = endsWithSpace ? '' : toks[toks.length - 1].text;
  const base = endsWithSpace ? line : line.slice(0, toks[toks.length - 1].start);
  let n = reg.root;
  let pi = 0;
  for (let i = 0; i < done.length; i++) {
    if (n.command && (n.children.size === 0 || reg.match(n, done[i].text).length === 0)) {
      // inside the parameters of a command
      pi = done.length - i;
      return completeParam(reg, n.command, pi, line, base, partial, done.slice(i), cctx, width);
    }
    const m = reg.match(n, done[i].text);
    if (m.length !== 1) return { line };
    n = m[0];
  }
  if (n.command && n.children.size === 0) return completeParam(reg, n.command, 0, line, base, partial, [], cctx, width);
  const cands = partial ? reg.match(n, partial) : [...n.children.values()];
  if (cands.length === 0) {
    if (n.command) return completeParam(reg, n.command, 0, line, base, partial, [], cctx, width);
    return { line };
  }
  if (cands.length === 1) return { line: base + cands[0].word + ' ' };
  const prefix = commonPrefix(cands.map((c) => c.word));
  if (partial && prefix.length > partial.length) return { line: base + prefix };
  return { line, list: reg.listing(cands, width) };
}

function completeParam(
  reg: Registry,
  spec: CommandSpec,
  index: number,
  line: string,
  base: string,
  partial: string,
  _done: Token[],
  cctx: CompletionContext,
  width: number,
): Completion {
  const params = spec.params ?? [];
  // a rest parameter (service names) completes over its whole typed text
  const restIdx = params.findIndex((p) => p.rest);
  if (restIdx >= 0 && restIdx <= index) {
    const p = params[restIdx];
    const values = typeof p.values === 'function' ? p.values(cctx) : p.values;
    if (!values) return { line };
    const toks = tokenize(line);
    const before = toks.slice(0, spec.path.length + restIdx);
    const restStart = before.length ? before[before.length - 1].end + 1 : 0;
    const typed = line.slice(Math.min(restStart, line.length)).replace(/^\s+/, '');
    const head = line.slice(0, line.length - typed.length);
    const cands = values.filter((v) => v.toLowerCase().startsWith(typed.toLowerCase()));
    if (cands.length === 0) return { line };
    if (cands.length === 1) return { line: head + cands[0] };
    // complete to the next word boundary the candidates share
    const prefix = commonPrefix(cands);
    if (prefix.length > typed.length) return { line: head + prefix };
    return { line, list: columns(cands, width) };
  }
  const p = params[index];
  if (!p) return { line };
  const values = typeof p.values === 'function' ? p.values(cctx) : p.values;
  if (!values) return { line };
  const cands = values.filter((v) => v.toLowerCase().startsWith(partial.toLowerCase()));
  if (cands.length === 0) return { line };
  if (cands.length === 1) return { line: base + cands[0] + ' ' };
  const prefix = commonPrefix(cands);
  if (prefix.length > partial.length) return { line: base + prefix };
  void reg;
  return { line, list: columns(cands, width) };
}

/** What `?` prints for the line typed so far (without the `?`). */
export function questionHelp(reg: Registry, line: string, cctx: CompletionContext, width = 80): string[] {
  const toks = tokenize(line);
  const endsWithSpace = line.length === 0 || /\s$/.test(line);
  let n = reg.root;
  for (let i = 0; i < toks.length; i++) {
    const last = i === toks.length - 1;
    if (n.command && n.children.size === 0) return reg.syntaxHelp(n.command);
    const m = reg.match(n, toks[i].text);
    if (last && !endsWithSpace) {
      const exact = n.children.get(toks[i].text.toLowerCase());
      if (exact) {
        n = exact;
        break;
      }
      if (m.length === 1 && !m[0].children.size && m[0].command) return reg.syntaxHelp(m[0].command);
      if (m.length === 0) return n.command ? reg.syntaxHelp(n.command) : [];
      if (m.length === 1) {
        n = m[0];
        break;
      }
      return reg.listing(m, width);
    }
    if (m.length !== 1) {
      if (n.command) return reg.syntaxHelp(n.command);
      return m.length ? reg.listing(m, width) : [];
    }
    n = m[0];
  }
  void cctx;
  if (n.command && n.children.size === 0) return reg.syntaxHelp(n.command);
  const list = reg.listing([...n.children.values()], width);
  if (n.command) return [...reg.syntaxHelp(n.command), ...list];
  return list;
}

/**
 * Tab and `?` as a front end asks for them: a console that fails to complete (a lab closed under it)
 * offers nothing rather than ending the session.
 */
export function tabFor(session: { completion(line: string): Completion }, line: string): Completion | undefined {
  try {
    return session.completion(line);
  } catch {
    return undefined;
  }
}

export function questionFor(session: { question(line: string): string[] }, line: string): string[] {
  try {
    return session.question(line);
  } catch {
    return [];
  }
}
