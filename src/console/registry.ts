// The command tree of a console: built from the command modules' declarations, unique-prefix
// matching of a line to a command and its parameters, and the help texts (`?` syntax, `help <command>`).
import type { CommandModule, CommandSpec, CommandTree, CompletionContext, Resolution, TreeNode } from './command.js';

export interface Token {
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

export class Registry implements CommandTree {
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

/** Names in as many columns as the width holds, the layout of the CLI's listings. */
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
