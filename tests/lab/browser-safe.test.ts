import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('../../src/', import.meta.url).pathname;
const files = ['data', 'lab'].flatMap((d) => readdirSync(join(root, d)).filter((f) => f.endsWith('.ts')).map((f) => join(root, d, f)));

describe('browser safety', () => {
  it('src/data and src/lab have no static node: imports and no Buffer/process use', () => {
    expect(files.length).toBeGreaterThan(8);
    for (const f of files) {
      const src = readFileSync(f, 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
      expect(src, f).not.toMatch(/^\s*import\s[^;]*from\s+['"]node:/m);
      expect(src, f).not.toMatch(/^\s*import\s+['"]node:/m);
      expect(src, f).not.toMatch(/\bBuffer\b|\bprocess\./);
    }
  });

  it('the deterministic generators use no engine-dependent Math functions', () => {
    for (const f of ['data/random.ts', 'data/synthetic.ts', 'data/digits.ts']) {
      const src = readFileSync(join(root, f), 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');
      expect(src, f).not.toMatch(/Math\.(sin|cos|tan|exp|expm1|log\w*|pow|sqrt|cbrt|hypot|atan\w*|asin|acos|random)\b/);
    }
  });
});
