// The typed exports (src/generated/abi.ts, from scripts/gen-abi.mjs) match what each build really exports, with the
// same parameter counts; and the ABI description's codes are the ones the host writes into the plan.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EXPORT_ARITY, isTwinsOnly, H, L, HEADER_WORDS, LAYER_WORDS } from '../dist/generated/abi.js';

const builds = { baseline: 'rectify.wasm', relaxed: 'rectify-relaxed.wasm', twins: 'rectify-twins.wasm' } as const;

describe.each(Object.entries(builds))('%s build', (kind, file) => {
  it('exports exactly the typed list (twins-only members only in the twins build), each with its parameter count', async () => {
    const mod = await WebAssembly.compile(readFileSync(new URL(`../dist/${file}`, import.meta.url)));
    const inst = await WebAssembly.instantiate(mod, { env: { abort() { throw new Error('abort'); } } });
    const fns = WebAssembly.Module.exports(mod).filter((e) => e.kind === 'function').map((e) => e.name).sort();
    const expected = Object.keys(EXPORT_ARITY).filter((n) => kind === 'twins' || !isTwinsOnly(n)).sort();
    expect(fns).toEqual(expected);
    for (const n of fns) expect((inst.exports[n] as (...a: unknown[]) => unknown).length, n).toBe((EXPORT_ARITY as Record<string, number>)[n]);
    expect(WebAssembly.Module.exports(mod).filter((e) => e.kind === 'memory').map((e) => e.name)).toEqual(['memory']);
  });
});

it('the plan offsets are distinct and fit their blocks', () => {
  const hw = Object.values(H), lw = Object.values(L);
  expect(new Set(hw).size).toBe(hw.length);
  expect(new Set(lw).size).toBe(lw.length);
  expect(Math.max(...hw)).toBeLessThan(HEADER_WORDS);
  expect(Math.max(...lw)).toBeLessThan(LAYER_WORDS);
});
