// The layout rules of ARCHITECTURE.md, checked on the sources: import direction between rooms, no
// import cycle between files (type-only imports included), and no oversized source file.
import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..');
const ROOMS = ['src', 'state', 'commands', 'scripts'];
const MAX_LINES = 450;

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir)) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) out.push(...sources(p));
    else if (/\.(ts|tsx)$/.test(e) && !e.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

const files = ROOMS.flatMap((r) => sources(join(ROOT, r)));
const rel = (f: string) => relative(ROOT, f).split('\\').join('/');

/** Relative imports of a file (static, type-only, re-exports and dynamic), resolved to source files. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specs: string[] = [];
  const re = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)(['"])(\.{1,2}\/[^'"]+)\1/g;
  for (const m of text.matchAll(re)) specs.push(m[2]);
  const out: string[] = [];
  for (const s of specs) {
    const base = resolve(dirname(file), s.replace(/\.(js|mjs)$/, ''));
    const hit = ['.ts', '.tsx'].map((x) => base + x).find((p) => existsSync(p));
    expect(hit, `${rel(file)} imports '${s}', which is no source file`).toBeDefined();
    out.push(hit!);
  }
  return out;
}

const graph = new Map(files.map((f) => [f, importsOf(f)]));

describe('the layout', () => {
  it('has no import cycle between files', () => {
    const cycles: string[] = [];
    const state = new Map<string, 'open' | 'done'>();
    const stack: string[] = [];
    const visit = (f: string) => {
      state.set(f, 'open');
      stack.push(f);
      for (const g of graph.get(f) ?? []) {
        if (state.get(g) === 'open') cycles.push([...stack.slice(stack.indexOf(g)), g].map(rel).join(' -> '));
        else if (!state.has(g)) visit(g);
      }
      stack.pop();
      state.set(f, 'done');
    };
    for (const f of files) if (!state.has(f)) visit(f);
    expect(cycles).toEqual([]);
  });

  it('keeps the import direction between rooms', () => {
    const bad: string[] = [];
    for (const [f, deps] of graph) {
      const from = rel(f);
      for (const d of deps) {
        const to = rel(d);
        if (from.startsWith('state/') && !to.startsWith('state/')) bad.push(`${from} -> ${to} (state/ imports only state/)`);
        if (from.startsWith('commands/') && !(to.startsWith('state/') || to.startsWith('src/console/') || to.startsWith('commands/')))
          bad.push(`${from} -> ${to} (commands/ import only state/ and src/console/)`);
        if (to.startsWith('src/cli/') && !from.startsWith('src/cli/')) bad.push(`${from} -> ${to} (only src/cli/ imports src/cli/)`);
        if (from.startsWith('src/frontends/repl/') && to.startsWith('src/frontends/ssh/')) bad.push(`${from} -> ${to} (front ends are independent)`);
        if (from.startsWith('src/frontends/ssh/') && to.startsWith('src/frontends/repl/')) bad.push(`${from} -> ${to} (front ends are independent)`);
        // attached windows get the SSH and script front ends of the owner; only src/cli starts them
        if (from.startsWith('src/frontends/attach/') && to.startsWith('src/frontends/repl/')) bad.push(`${from} -> ${to} (attach serves the SSH and script front ends only)`);
        if (to.startsWith('src/frontends/attach/') && !(from.startsWith('src/frontends/attach/') || from.startsWith('src/cli/')))
          bad.push(`${from} -> ${to} (only src/cli/ starts attached windows)`);
        // a class is built on the consoles and the SSH front end, never the other way round
        const classUses = ['src/class/', 'state/', 'src/console/', 'commands/lab/', 'src/recording/', 'src/runbook/', 'src/frontends/ssh/'];
        if (from.startsWith('src/class/') && !classUses.some((r) => to.startsWith(r)))
          bad.push(`${from} -> ${to} (src/class/ imports only ${classUses.slice(1).join(', ')})`);
        if (to.startsWith('src/class/') && !['src/class/', 'src/cli/', 'src/dashboard/', 'scripts/'].some((r) => from.startsWith(r)))
          bad.push(`${from} -> ${to} (only src/cli/, src/dashboard/ and the bench use src/class/)`);
        // the dashboard's page runs in a browser: it reaches the server only through the wire format
        if (from.startsWith('src/dashboard/client/') && !(to.startsWith('src/dashboard/client/') || to === 'src/dashboard/protocol.ts'))
          bad.push(`${from} -> ${to} (the dashboard page imports only its own files and src/dashboard/protocol.ts)`);
        if (from.startsWith('src/dashboard/') && !(to.startsWith('src/dashboard/') || to.startsWith('src/class/') || to.startsWith('state/')))
          bad.push(`${from} -> ${to} (src/dashboard/ imports only src/class/ and state/)`);
        if (to.startsWith('src/dashboard/') && !from.startsWith('src/dashboard/') && !from.startsWith('src/cli/') && !from.startsWith('scripts/'))
          bad.push(`${from} -> ${to} (only src/cli/ and the bench start the dashboard)`);
      }
    }
    expect(bad).toEqual([]);
  });

  it(`has no source file over ${MAX_LINES} lines`, () => {
    const big = files
      .map((f) => [rel(f), readFileSync(f, 'utf8').split('\n').length - 1] as const)
      .filter(([, n]) => n > MAX_LINES)
      .map(([f, n]) => `${f}: ${n} lines`);
    expect(big).toEqual([]);
  });

  it('keeps terminal escape codes out of the console core and the state', () => {
    const offenders = files
      .filter((f) => /^(src\/console|state|commands)\//.test(rel(f)))
      .filter((f) => /\\x1b|\\u001b|\\e\[/.test(readFileSync(f, 'utf8')))
      .map(rel);
    expect(offenders).toEqual([]);
  });
});
