// The admin: command engine: a keyword tree built from the command modules' declarations,
// unique-prefix matching, `?` syntax help, `help <command>`, Tab completion and CUCM error texts.
import type { Lab, NodeState } from '../../state/cluster/lab.js';

export interface Param {
  name: string;
  required: boolean;
  help: string;
  /** fixed choices (matched case-sensitively, as CUCM does for certificate units) */
  values?: string[] | ((ctx: CompletionContext) => string[]);
  /** takes the rest of the line verbatim (service names with spaces, SQL) */
  rest?: boolean;
  /** refuse values outside `values` (otherwise they only feed Tab completion) */
  strict?: boolean;
}

export interface CommandSpec {
  path: string[];
  summary: string;
  params?: Param[];
  /** overrides the generated syntax line */
  syntax?: string;
  example?: string[];
  /** runs only on the publisher; the text is what a subscriber answers */
  publisherOnly?: string;
  run(ctx: CommandContext, args: Record<string, string>): Promise<number | void> | number | void;
}

export interface MenuSpec {
  path: string[];
  summary: string;
}

export interface CommandModule {
  commands: CommandSpec[];
  menus?: MenuSpec[];
}

export interface CompletionContext {
  lab: Lab;
  node: NodeState;
}

export interface AskOptions {
  /** echo typed characters as '*' */
  password?: boolean;
  /** echo nothing at all (the CCM Administrator and SFTP password prompts of utils itl reset) */
  hidden?: boolean;
}

export interface TransferClient {
  /** Uploads bytes to a remote SFTP server (file get). */
  put(target: SftpTarget, remotePath: string, data: Buffer, ctx: CommandContext): Promise<void>;
  /** Downloads a remote file (utils itl reset remotekey). */
  get(target: SftpTarget, remotePath: string, ctx: CommandContext): Promise<Buffer>;
  /** Confirms the server's host key (yes/no) before the transfer starts, as CUCM asks. */
  checkHost?(target: Pick<SftpTarget, 'host' | 'port'>, ctx: CommandContext): Promise<void>;
}

export interface SftpTarget {
  host: string;
  port: number;
  user: string;
  password: string;
}

export class TransferError extends Error {}

export interface SessionInfo {
  user: string;
  commandCount: number;
  width: number;
  height?: number;
}

export interface CommandContext {
  lab: Lab;
  node: NodeState;
  session: SessionInfo;
  /** Writes text; a trailing newline is not added. */
  write(text: string): void;
  /** Writes lines, each followed by a newline. */
  out(...lines: string[]): void;
  /** Asks a question; the answer is what the user typed (without newline). Rejects with Cancelled on Ctrl-C. */
  ask(prompt: string, opts?: AskOptions): Promise<string>;
  /** Prints the lines and `Executed command unsuccessfully`; returns the failure status. */
  fail(...lines: string[]): number;
  sleep(ms: number): Promise<void>;
  pace: 'fast' | 'realistic';
  transfer: TransferClient;
  /** All commands that change the cluster run through this, one at a time per lab. */
  mutate<T>(fn: () => Promise<T> | T): Promise<T>;
  /** ends the session (quit/exit) */
  endSession(): void;
  registry: Registry;
}

export class Cancelled extends Error {
  constructor() {
    super('Control-C pressed');
  }
}

export const UNSUCCESSFUL = 'Executed command unsuccessfully';

interface TreeNode {
  word: string;
  summary: string;
  children: Map<string, TreeNode>; // key: lower-case word
  command?: CommandSpec;
}

export type Resolution =
  | { kind: 'command'; spec: CommandSpec; args: Record<string, string>; consumed: number }
  | { kind: 'incomplete'; node: TreeNode; path: string[] }
  | { kind: 'unknown'; word: string; path: string[] }
  | { kind: 'ambiguous'; word: string; candidates: string[]; path: string[] }
  | { kind: 'badparam'; spec: CommandSpec; message: string }
  | { kind: 'empty' };

interface Token {
  text: string;
  start: number;
  end: number;
}

export function tokenize(line: string): Token[] {
  const out: Token[] = [];
  const re = /\S+/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(line))) out.push({ text: m[0], start: m.index, end: m.index + m[0].length });
  return out;
}

export class Registry {
  readonly root: TreeNode = { word: '', summary: '', children: new Map() };

  constructor(modules: CommandModule[]) {
    for (const m of modules) {
      for (const menu of m.menus ?? []) this.ensure(menu.path).summary = menu.summary;
      for (const c of m.commands) {
        const n = this.ensure(c.path);
        if (n.command) throw new Error(`duplicate command ${c.path.join(' ')}`);
        n.command = c;
        if (!n.summary) n.summary = c.summary;
      }
    }
  }

  private ensure(path: string[]): TreeNode {
    let n = this.root;
    for (const w of path) {
      const k = w.toLowerCase();
      let c = n.children.get(k);
      if (!c) {
        c = { word: w, summary: '', children: new Map() };
        n.children.set(k, c);
      }
      n = c;
    }
    return n;
  }

  allCommands(): CommandSpec[] {
    const out: CommandSpec[] = [];
    const walk = (n: TreeNode) => {
      if (n.command) out.push(n.command);
      for (const c of n.children.values()) walk(c);
    };
    walk(this.root);
    return out;
  }

  /** Children whose word starts with the prefix (case-insensitive); an exact match wins alone. */
  match(n: TreeNode, word: string): TreeNode[] {
    const w = word.toLowerCase();
    const exact = n.children.get(w);
    if (exact) return [exact];
    return [...n.children.values()].filter((c) => c.word.toLowerCase().startsWith(w));
  }

  resolve(line: string, cctx?: CompletionContext): Resolution {
    const toks = tokenize(line);
    if (toks.length === 0) return { kind: 'empty' };
    let n = this.root;
    const path: string[] = [];
    let i = 0;
    for (; i < toks.length; i++) {
      if (n.command && n.children.size === 0) break;
      const m = this.match(n, toks[i].text);
      if (m.length === 0) {
        if (n.command) break; // remaining tokens are parameters
        return { kind: 'unknown', word: toks[i].text, path };
      }
      if (m.length > 1) return { kind: 'ambiguous', word: toks[i].text, candidates: m.map((c) => c.word), path };
      n = m[0];
      path.push(n.word);
    }
    if (!n.command) return { kind: 'incomplete', node: n, path };
    const spec = n.command;
    const params = spec.params ?? [];
    const args: Record<string, string> = {};
    let pi = 0;
    for (; pi < params.length; pi++) {
      const p = params[pi];
      if (i >= toks.length) {
        if (p.required) return { kind: 'badparam', spec, message: `missing ${p.name}` };
        continue;
      }
      if (p.rest) {
        args[p.name] = line.slice(toks[i].start).trimEnd();
        i = toks.length;
        continue;
      }
      const value = toks[i].text;
      const values = p.strict ? (typeof p.values === 'function' ? (cctx ? p.values(cctx) : undefined) : p.values) : undefined;
      if (values && !values.includes(value)) return { kind: 'badparam', spec, message: `invalid ${p.name} '${value}'` };
      args[p.name] = value;
      i++;
    }
    if (i < toks.length) return { kind: 'badparam', spec, message: `too many parameters` };
    return { kind: 'command', spec, args, consumed: toks.length };
  }

  // ------------------------------------------------------------ help texts

  syntaxLine(spec: CommandSpec): string {
    if (spec.syntax) return spec.syntax;
    const params = (spec.params ?? []).map((p) => (p.required ? p.name : `[${p.name}]`));
    return [...spec.path, ...params].join(' ');
  }

  /** `Syntax:` block as the CLI prints it for `command ?`. */
  syntaxHelp(spec: CommandSpec): string[] {
    const lines = ['Syntax:', this.syntaxLine(spec)];
    const params = spec.params ?? [];
    if (params.length) {
      const w = Math.max(...params.map((p) => p.name.length)) + 3;
      for (const p of params) lines.push(`${p.name.padEnd(w)}${(p.required ? 'mandatory' : 'optional').padEnd(12)}${p.help}`);
    }
    return lines;
  }

  /** `help <command>` text. */
  detailedHelp(spec: CommandSpec): string[] {
    const lines = [`${spec.path[spec.path.length - 1]} help:`, spec.summary];
    const params = spec.params ?? [];
    if (params.length) {
      lines.push('', ...this.syntaxHelp(spec));
    }
    if (spec.example?.length) lines.push('', 'Example:', ...spec.example);
    return lines;
  }

  /** Lists menu entries the way Tab and `?` do: subcommand-bearing entries marked with `*`. */
  listing(entries: TreeNode[], width = 80): string[] {
    const names = entries
      .map((e) => e.word + (e.children.size > 0 ? '*' : ''))
      .sort((a, b) => a.toLowerCase().localeCompare(b.toLowerCase()));
    return columns(names, width);
  }

  node(path: string[]): TreeNode | undefined {
    let n: TreeNode | undefined = this.root;
    for (const w of path) {
      n = n?.children.get(w.toLowerCase());
      if (!n) return undefined;
    }
    return n;
  }
}

export function columns(names: string[], width = 80): string[] {
  if (names.length === 0) return [];
  const colw = Math.max(...names.map((n) => n.length)) + 2;
  const per = Math.max(1, Math.floor(width / colw));
  const lines: string[] = [];
  for (let i = 0; i < names.length; i += per) {
    lines.push(
      names
        .slice(i, i + per)
        .map((n) => n.padEnd(colw))
        .join('')
        .trimEnd(),
    );
  }
  return lines;
}

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
