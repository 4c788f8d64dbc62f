// The typed exports (src/generated/abi.ts, from scripts/gen-abi.mjs) match what each build really exports, with the
// same parameter counts (the shipped builds export the host's kernels under short names: mapped back here as the
// engine does); and the ABI description's codes are the ones the host writes into the plan.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EXPORT_ARITY, isTwinsOnly, H, L, HEADER_WORDS, LAYER_WORDS } from '../dist/generated/abi.js';
import { ACTIVATIONS, createEngine } from '../dist/index.js';
import { hostKernels, shortExportName } from '../dist/kernel-names.js';

const host = hostKernels(ACTIVATIONS, false);
/** The readable name of an export of a shipped build. */
const readable = new Map(host.map((n, i) => [shortExportName(i), n]));

const builds = { baseline: 'rectify.wasm', relaxed: 'rectify-relaxed.wasm', threads: 'rectify-threads.wasm', twins: 'rectify-twins.wasm' } as const;

describe.each(Object.entries(builds))('%s build', (kind, file) => {
  it('exports exactly the typed list (twins-only members only in the twins build), each with its parameter count', async () => {
    const mod = await WebAssembly.compile(readFileSync(new URL(`../dist/${file}`, import.meta.url)));
    const memory = new WebAssembly.Memory({ initial: 1, maximum: 16384, shared: true });
    const inst = await WebAssembly.instantiate(mod, { env: { memory, abort() { throw new Error('abort'); } } });
    const raw = WebAssembly.Module.exports(mod).filter((e) => e.kind === 'function').map((e) => e.name);
    // The twins build exports every name as written; the shipped builds each host kernel under its short name.
    expect(raw.filter((n) => readable.has(n)).length).toBe(kind === 'twins' ? 0 : host.length);
    const fns = raw.map((n) => readable.get(n) ?? n).sort();
    const expected = Object.keys(EXPORT_ARITY).filter((n) => kind === 'twins' || !isTwinsOnly(n)).sort();
    expect(fns).toEqual(expected);
    for (const n of raw) expect((inst.exports[n] as (...a: unknown[]) => unknown).length, n).toBe((EXPORT_ARITY as Record<string, number>)[readable.get(n) ?? n]);
    expect(WebAssembly.Module.exports(mod).filter((e) => e.kind === 'memory').map((e) => e.name)).toEqual(['memory']);
  });
});

it('an engine on a shipped build calls every host kernel by its readable name', async () => {
  const engine = await createEngine();
  const ex = engine.exports as unknown as Record<string, unknown>;
  for (const n of host) expect(typeof ex[n], n).toBe('function');
  expect(Object.keys(ex).filter((n) => /^_[0-9a-z]+$/.test(n))).toEqual([]); // no short name is left
});

it('the plan offsets are distinct and fit their blocks', () => {
  const hw = Object.values(H), lw = Object.values(L);
  expect(new Set(hw).size).toBe(hw.length);
  expect(new Set(lw).size).toBe(lw.length);
  expect(Math.max(...hw)).toBeLessThan(HEADER_WORDS);
  expect(Math.max(...lw)).toBeLessThan(LAYER_WORDS);
});
