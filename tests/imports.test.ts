// The import graph of src/ has no circle (issue 9, part 3). Every relative import and re-export of every .ts file
// counts, `import type` included: a type-only loop still ties the files together for a reader.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve, dirname } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = resolve(__dirname, '../src');

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    return e.isDirectory() ? tsFiles(p) : e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') ? [p] : [];
  });
}

/** Relative specifiers of a file's import/export statements (static, type-only and dynamic), outside comments. */
export function importSpecifiers(text: string): string[] {
  // Statements start a line; their `from '...'` may follow several lines of names.
  const out: string[] = [];
  for (const m of text.matchAll(/^[ \t]*(?:import|export)\b(?:[^;'"`/]|\/(?![/*]))*?\bfrom\s*['"]([^'"]+)['"]/gm)) out.push(m[1]!);
  for (const m of text.matchAll(/^[ \t]*import\s*['"]([^'"]+)['"]/gm)) out.push(m[1]!);
  for (const m of text.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g)) out.push(m[1]!);
  return out.filter((s) => s.startsWith('.'));
}

/** The graph: file (relative to src/) -> the src/ .ts files it imports. */
export function importGraph(files: readonly string[]): Map<string, string[]> {
  const known = new Set(files);
  const g = new Map<string, string[]>();
  for (const f of files) {
    const deps: string[] = [];
    for (const s of importSpecifiers(readFileSync(f, 'utf8'))) {
      if (s.endsWith('.wasm')) continue;
      const base = resolve(dirname(f), s.replace(/\.js$/, ''));
      const hit = [`${base}.ts`, join(base, 'index.ts')].find((c) => known.has(c));
      if (!hit) throw new Error(`${relative(SRC, f)} imports ${s}, which is not a .ts file of src/`);
      deps.push(relative(SRC, hit));
    }
    g.set(relative(SRC, f), deps);
  }
  return g;
}

/** Every elementary circle found by a depth-first search (one per back edge), as a list of files. */
export function cycles(g: ReadonlyMap<string, readonly string[]>): string[][] {
  const state = new Map<string, 1 | 2>();
  const stack: string[] = [];
  const found: string[][] = [];
  const visit = (n: string) => {
    state.set(n, 1);
    stack.push(n);
    for (const d of g.get(n) ?? []) {
      if (state.get(d) === 1) found.push([...stack.slice(stack.indexOf(d)), d]);
      else if (!state.has(d)) visit(d);
    }
    stack.pop();
    state.set(n, 2);
  };
  for (const n of [...g.keys()].sort()) if (!state.has(n)) visit(n);
  return found;
}

describe('import graph of src/', () => {
  it('the parser sees static, type-only, multi-line, re-export and dynamic imports, and skips comments', () => {
    const text = [
      "import { a } from './a.js';",
      "import type { B } from './b.js';",
      'export {',
      '  c,',
      "} from './c.js';",
      "export * from './d/index.js';",
      "  const fs = await import('./e.js');",
      " * `import m from './not-this.js'` in a comment",
      "// import { f } from './nor-this.js';",
      "import { g } from 'vitest';",
    ].join('\n');
    expect(importSpecifiers(text)).toEqual(['./a.js', './b.js', './c.js', './d/index.js', './e.js']);
  });

  it('the cycle search finds a circle of three files and none in a tree', () => {
    expect(cycles(new Map([['a', ['b']], ['b', ['c']], ['c', ['a']]]))).toEqual([['a', 'b', 'c', 'a']]);
    expect(cycles(new Map([['a', ['b', 'c']], ['b', ['c']], ['c', []]]))).toEqual([]);
  });

  it('has no circle', () => {
    const g = importGraph(tsFiles(SRC));
    expect(g.size).toBeGreaterThan(20);
    expect(cycles(g).map((c) => c.join(' -> '))).toEqual([]);
  });
});
