// Test helpers: ulp distances against f64 references, a seeded generator, and the input sweeps.
import { mulberry32 } from '../src/util/random.js';

/**
 * The build with every kernel exported (dist/rectify-kernels.wasm of `npm run build`, not published): rectify.wasm's
 * code compiled the same way, whose GEMM, loss, optimizer, dispatch and layer kernels the tests call one by one
 * (rectify.wasm exports only what the host calls). Pass it as `createEngine({ wasm: KERNELS_WASM })`.
 */
export const KERNELS_WASM = new URL('../dist/rectify-kernels.wasm', import.meta.url);

/** Size of one f32 ulp at |v| (subnormal spacing below the smallest normal). */
export function ulp32(v: number): number {
  const a = Math.abs(v);
  if (!Number.isFinite(a)) return Infinity;
  if (a < 2 ** -126) return 2 ** -149;
  return 2 ** (Math.floor(Math.log2(a)) - 23);
}

/** Error of an f32 result against an f64 reference, in f32 ulps of max(|ref|, floor). NaN/Inf must match exactly. */
export function ulpError(got: number, ref: number, floor = 0): number {
  if (Number.isNaN(ref)) return Number.isNaN(got) ? 0 : Infinity;
  if (!Number.isFinite(ref)) {
    // An f64 reference beyond the f32 range rounds to Inf.
    return got === ref ? 0 : Infinity;
  }
  if (Number.isNaN(got)) return Infinity;
  const r32 = Math.fround(ref);
  if (!Number.isFinite(r32)) return got === r32 ? 0 : Infinity;
  if (!Number.isFinite(got)) return Infinity;
  return Math.abs(got - ref) / ulp32(Math.max(Math.abs(ref), floor));
}

/** Deterministic 32-bit generator (mulberry32, from src/util/random.ts) so failures replay; the seed is printed by the tests. */
export const rng: (seed: number) => () => number = mulberry32;

/** Values every op must handle: signed zeros, infinities, NaN, subnormals, huge and tiny magnitudes. */
export const SPECIALS: readonly number[] = [
  0, -0, Infinity, -Infinity, NaN, 1e-45, -1e-45, 1e-40, -1e-40, 2 ** -126, -(2 ** -126), 1e-30, -1e-30,
  1e-7, -1e-7, 1e30, -1e30, 3.4028234663852886e38, -3.4028234663852886e38, 1, -1, 0.5, -0.5, 88, -88, 89, -89,
  104, -104, 200, -200,
];

/** A dense sweep over [lo, hi] (every f32 of a grid, the ends and 0 included), specials, and log-spaced magnitudes. */
export function sweep(lo: number, hi: number, n = 4097): Float32Array {
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push(Math.fround(lo + ((hi - lo) * i) / (n - 1)));
  for (let e = -38; e <= 38; e += 0.5) { out.push(Math.fround(10 ** e), Math.fround(-(10 ** e))); }
  out.push(...SPECIALS);
  return Float32Array.from(out);
}
