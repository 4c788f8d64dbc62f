// The typed exports (src/generated/abi.ts, from scripts/gen-abi.mjs) match what each build really exports, with the
// same parameter counts (the shipped builds export the host's kernels under short names: mapped back here as the
// engine does); and the ABI description's codes are the ones the host writes into the plan.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EXPORT_ARITY, isTwinsOnly, HEADER_WORDS, LAYER_WORDS } from '../dist/generated/abi.js';
import { ACTIVATIONS, createEngine } from '../dist/index.js';
import { hostKernels, shortExportName } from '../dist/kernel-names.js';
// @ts-expect-error: build scripts, plain JavaScript without types
import { mergeData } from '../scripts/merge-data.mjs';
// @ts-expect-error: the ABI description (the host's H and L are const enums: tsc writes their numbers in place)
import { ABI } from '../scripts/gen-abi.mjs';

const host = hostKernels(ACTIVATIONS, false);
/** The readable name of an export of a shipped build. */
const readable = new Map(host.map((n, i) => [shortExportName(i), n]));

const builds = {
  baseline: 'rectify.wasm', kernels: 'rectify-kernels.wasm', relaxed: 'rectify-relaxed.wasm', threads: 'rectify-threads.wasm',
  twins: 'rectify-twins.wasm',
} as const;

describe.each(Object.entries(builds))('%s build', (kind, file) => {
  it('exports exactly its part of the typed list (twins-only members only in the twins build), each with its parameter count', async () => {
    const mod = await WebAssembly.compile(readFileSync(new URL(`../dist/${file}`, import.meta.url)));
    const memory = new WebAssembly.Memory({ initial: 1, maximum: 16384, shared: true });
    const inst = await WebAssembly.instantiate(mod, { env: { memory, abort() { throw new Error('abort'); } } });
    const raw = WebAssembly.Module.exports(mod).filter((e) => e.kind === 'function').map((e) => e.name);
    // The twins build exports every name as written; the shipped builds each host kernel under its short name.
    expect(raw.filter((n) => readable.has(n)).length).toBe(kind === 'twins' ? 0 : host.length);
    const fns = raw.map((n) => readable.get(n) ?? n).sort();
    // rectify.wasm (the core download) exports only what the host calls; the others every kernel but the test-only ones.
    const expected = (kind === 'baseline' ? [...host, 'heap_base'] : Object.keys(EXPORT_ARITY).filter((n) => kind === 'twins' || !isTwinsOnly(n))).sort();
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

describe('scripts/merge-data.mjs (one data segment in rectify.wasm)', () => {
  const bytes = (file: string) => readFileSync(new URL(`../dist/${file}`, import.meta.url));
  /** The memory a module starts with, up to heap_base (its static data). */
  const staticData = async (b: Uint8Array) => {
    const ex = (await WebAssembly.instantiate(b, { env: { abort() { throw new Error('abort'); } } })).instance.exports;
    return new Uint8Array((ex.memory as WebAssembly.Memory).buffer, 0, (ex.heap_base as () => number)()).slice();
  };
  /** The number of segments in a module's data section. */
  const segments = (b: Uint8Array) => {
    let o = 8;
    const leb = () => { let r = 0, s = 0, x; do { x = b[o++]!; r += (x & 127) * 2 ** s; s += 7; } while (x & 128); return r; };
    while (o < b.length) {
      const id = b[o++]!, len = leb();
      if (id === 11) return leb();
      o += len;
    }
    return 0;
  };

  it('the shipped baseline build has one segment; the twins build, merged, starts with the same memory as before', async () => {
    expect(segments(bytes('rectify.wasm'))).toBe(1);
    const twins = bytes('rectify-twins.wasm');
    expect(segments(twins)).toBeGreaterThan(10); // asc writes one per constant table
    const merged = mergeData(twins);
    expect(segments(merged)).toBe(1);
    expect(merged.length).toBeLessThan(twins.length);
    expect(await staticData(merged)).toEqual(await staticData(twins));
  });

  it('refuses a module that imports its memory (the threads build)', () => {
    expect(() => mergeData(bytes('rectify-threads.wasm'))).toThrow(/imports its memory/);
  });
});

it('the plan offsets are distinct and fit their blocks', () => {
  const hw = Object.values(ABI.header) as number[], lw = Object.values(ABI.layer) as number[];
  expect(HEADER_WORDS).toBe(ABI.HEADER_WORDS);
  expect(LAYER_WORDS).toBe(ABI.LAYER_WORDS);
  expect(new Set(hw).size).toBe(hw.length);
  expect(new Set(lw).size).toBe(lw.length);
  expect(Math.max(...hw)).toBeLessThan(HEADER_WORDS);
  expect(Math.max(...lw)).toBeLessThan(LAYER_WORDS);
});
