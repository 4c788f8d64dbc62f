// The generated documentation matches what generates it.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as esbuild from 'esbuild';
import { describe, expect, it } from 'vitest';

describe('docs', () => {
  it('docs/activations.md is the kernel table as it is now (node scripts/activation-table.mjs)', async () => {
    const r = spawnSync(process.execPath, ['scripts/activation-table.mjs', '--check'], { encoding: 'utf8' });
    expect(r.stderr + r.stdout).toBe('');
    expect(r.status).toBe(0);
    const { ACTIVATIONS } = await import('../dist/index.js');
    const page = readFileSync('docs/activations.md', 'utf8');
    for (const d of ACTIVATIONS) expect(page).toContain(`| \`${d.name}\``);
  });

  it('rectify/docs documents every row of ACTIVATIONS, and the core bundle carries none of the texts', async () => {
    const core = await import('../dist/index.js');
    const docs = await import('../dist/docs.js');
    expect(docs.ACTIVATIONS.map((d) => d.name)).toEqual(core.ACTIVATIONS.map((d) => d.name));
    const texts: string[] = [];
    for (const d of docs.ACTIVATIONS) {
      for (const t of [d.formula, d.derivative, d.source, ...d.params.map((p) => p.doc)]) {
        expect(typeof t === 'string' && t.length > 0, `${d.name}: every text is written`).toBe(true);
        texts.push(t);
      }
      expect(docs.activationDoc(d.name)).toBe(d);
      for (const a of d.aliases ?? []) expect(docs.activationDoc(a)).toBe(d);
    }
    expect(docs.activationDoc('nope')).toBeUndefined();
    const r = await esbuild.build({
      entryPoints: ['dist/index.js'], bundle: true, minify: true, write: false, format: 'esm', platform: 'browser',
      logLevel: 'silent', external: ['*.wasm'],
    });
    const bundle = r.outputFiles[0]!.text;
    // Sources and parameter notes are long and unique; a short formula ('x') may occur in any code.
    const leaked = docs.ACTIVATIONS.flatMap((d) => [d.source, ...d.params.map((p) => p.doc)]).filter((t) => bundle.includes(t.slice(0, 40)));
    expect(leaked).toEqual([]);
  });
});
