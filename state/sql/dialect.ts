// The lexical layer of `run sql`: tokenizer, static refusal of anything but one read-only SELECT,
// and the Informix dialect rewrites, all before the statement reaches the engine.
import type { SqlTables } from './engine.js';

export interface Token {
  kind: 'word' | 'number' | 'string' | 'ident' | 'punct';
  text: string;
  start: number;
  end: number;
}

export function tokenize(sql: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const n = sql.length;
  const isWordStart = (c: string) => /[A-Za-z_\u0080-\uffff]/.test(c);
  const isWordChar = (c: string) => /[A-Za-z0-9_$\u0080-\uffff]/.test(c);
  while (i < n) {
    const c = sql[i]!;
    const start = i;
    if (/\s/.test(c)) {
      i++;
    } else if (c === '-' && sql[i + 1] === '-') {
      while (i < n && sql[i] !== '\n') i++;
    } else if (c === '/' && sql[i + 1] === '*') {
      const close = sql.indexOf('*/', i + 2);
      i = close < 0 ? n : close + 2;
    } else if (c === "'" || c === '"' || c === '`' || c === '[') {
      const close = c === '[' ? ']' : c;
      i++;
      while (i < n) {
        if (sql[i] === close) {
          if (close !== ']' && sql[i + 1] === close) i += 2;
          else {
            i++;
            break;
          }
        } else i++;
      }
      tokens.push({ kind: c === "'" ? 'string' : 'ident', text: sql.slice(start, i), start, end: i });
    } else if (/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(sql[i + 1] ?? ''))) {
      while (i < n && /[0-9A-Za-z_.]/.test(sql[i]!)) i++;
      tokens.push({ kind: 'number', text: sql.slice(start, i), start, end: i });
    } else if (isWordStart(c)) {
      while (i < n && isWordChar(sql[i]!)) i++;
      tokens.push({ kind: 'word', text: sql.slice(start, i), start, end: i });
    } else {
      i++;
      tokens.push({ kind: 'punct', text: c, start, end: i });
    }
  }
  return tokens;
}

const FORBIDDEN_WORDS = new Set([
  'attach', 'detach', 'pragma', 'vacuum', 'create', 'insert', 'update', 'delete', 'drop', 'alter',
  'reindex', 'analyze', 'load_extension',
]);

function unquoteIdent(text: string): string {
  return text.slice(1, -1).replace(/""/g, '"').replace(/``/g, '`');
}

/** Static refusal; returns an error message or null. */
export function checkTokens(tokens: Token[]): string | null {
  const significant = tokens.filter((t, i) => !(t.text === ';' && i === tokens.length - 1));
  if (!significant.length) return 'empty statement';
  if (significant.some((t) => t.kind === 'punct' && t.text === ';')) return 'only one statement is allowed';
  const first = significant[0]!;
  const head = first.kind === 'word' ? first.text.toLowerCase() : first.text;
  if (head !== 'select' && head !== 'with') {
    return `only SELECT statements are allowed${first.kind === 'word' ? ` (got ${head.toUpperCase()})` : ''}`;
  }
  for (let i = 0; i < significant.length; i++) {
    const t = significant[i]!;
    if (t.kind !== 'word') continue;
    const w = t.text.toLowerCase();
    const next = significant[i + 1];
    if (
      FORBIDDEN_WORDS.has(w) ||
      w.startsWith('pragma_') ||
      (w === 'replace' && !(next?.kind === 'punct' && next.text === '('))
    ) {
      return `${w.toUpperCase()} is not allowed: only read-only SELECT statements are accepted`;
    }
  }
  return null;
}

/**
 * Informix dialect → SQLite: `select [skip M] [first N | limit N] [unique] ...` becomes
 * `select [distinct] ... LIMIT N OFFSET M`, the LIMIT going at the end of that select's scope
 * (before the parenthesis closing a subquery, or at the end of the statement).
 */
export function rewriteInformix(sql: string, tokens: Token[]): string {
  type Edit = { start: number; end: number; text: string };
  const edits: Edit[] = [];
  const isInt = (t: Token | undefined) => t?.kind === 'number' && /^\d+$/.test(t.text);
  const isWord = (t: Token | undefined, w: string) => t?.kind === 'word' && t.text.toLowerCase() === w;
  for (let i = 0; i < tokens.length; i++) {
    if (!isWord(tokens[i], 'select')) continue;
    let j = i + 1;
    let first: string | null = null;
    let skip: string | null = null;
    const clauseStart = tokens[j]?.start ?? 0;
    let clauseEnd = clauseStart;
    for (;;) {
      const t = tokens[j];
      if (skip === null && isWord(t, 'skip') && isInt(tokens[j + 1])) skip = tokens[j + 1]!.text;
      else if (first === null && (isWord(t, 'first') || isWord(t, 'limit')) && isInt(tokens[j + 1]))
        first = tokens[j + 1]!.text;
      else break;
      clauseEnd = tokens[j + 1]!.end;
      j += 2;
    }
    if (isWord(tokens[j], 'unique')) edits.push({ start: tokens[j]!.start, end: tokens[j]!.end, text: 'DISTINCT' });
    if (first === null && skip === null) continue;
    edits.push({ start: clauseStart, end: clauseEnd, text: '' });
    // End of this select's scope.
    let depth = 0;
    let insertAt = tokens[tokens.length - 1]!.end;
    for (let k = j; k < tokens.length; k++) {
      const t = tokens[k]!;
      if (t.kind !== 'punct') continue;
      if (t.text === '(') depth++;
      else if (t.text === ')') {
        if (depth === 0) {
          insertAt = t.start;
          break;
        }
        depth--;
      } else if (t.text === ';' && depth === 0) {
        insertAt = t.start;
        break;
      }
    }
    edits.push({ start: insertAt, end: insertAt, text: ` LIMIT ${first ?? -1}${skip !== null ? ` OFFSET ${skip}` : ''}` });
  }
  edits.sort((a, b) => b.start - a.start || b.end - a.end);
  let out = sql;
  for (const e of edits) out = out.slice(0, e.start) + e.text + out.slice(e.end);
  return out;
}

/** Only the tables the statement names are loaded into the per-query database. */
export function referencedTables(tables: SqlTables, tokens: Token[]): SqlTables {
  const names = new Set<string>();
  for (const t of tokens) {
    if (t.kind === 'word') names.add(t.text.toLowerCase());
    else if (t.kind === 'ident') names.add(unquoteIdent(t.text).toLowerCase());
  }
  const out: SqlTables = {};
  for (const [name, def] of Object.entries(tables)) if (names.has(name.toLowerCase())) out[name] = def;
  return out;
}
