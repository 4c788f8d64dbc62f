import { describe } from '../util/describe.js';
import { DataArgumentError } from '../errors.js';
import { createRng, type Rng } from './random.js';
import type { Dataset } from './types.js';

/**
 * Two-dimensional toy classification sets (spirals, moons, xor).
 *
 * Bit-identical on every JavaScript engine: the points come from the integer-only
 * generator in `random.ts`, Gaussian noise is a sum of 12 uniforms, and the spirals'
 * angles use {@link polySin} / {@link polyCos} below, which use only + - * / and
 * `Math.round` (all exactly specified by IEEE 754), never `Math.sin`/`Math.cos`,
 * whose last bits differ between engines.
 *
 * Samples are ordered by class (all of class 0, then class 1, ...); class sizes differ by at most one.
 */

/** Options shared by the synthetic generators. */
export interface SyntheticOptions {
  /** Standard deviation of the Gaussian noise added to each coordinate. Default 0.1 (xor: 0.05). */
  noise?: number;
  /** Seed of the generator. Default 1. */
  seed?: number;
}

/** Options of {@link spirals}. */
export interface SpiralOptions extends SyntheticOptions {
  /** Number of arms (= classes), 2 or more. Default 2. */
  classes?: number;
  /** Number of turns of each arm. Default 1.5. */
  turns?: number;
}

const PI = 3.141592653589793;
const HALF_PI = 1.5707963267948966;
const TWO_PI = 6.283185307179586;

/**
 * Sine from + - * / only: reduce x to [-pi, pi] with `Math.round`, fold to [-pi/2, pi/2]
 * (sin(pi - y) = sin y), then evaluate the Taylor polynomial to degree 15 in Horner form.
 * Absolute error below 1e-11 for |x| < 1e4 (the reduction with a double 2*pi loses a little
 * for larger x). Deterministic on every engine.
 * @param x angle in radians
 */
export function polySin(x: number): number {
  let y = x - Math.round(x / TWO_PI) * TWO_PI;
  if (y > HALF_PI) y = PI - y;
  else if (y < -HALF_PI) y = -PI - y;
  const y2 = y * y;
  // 1 - y^2/3! + y^4/5! - ... - y^14/15!, Horner form
  let p = -1 / 1307674368000;
  p = p * y2 + 1 / 6227020800;
  p = p * y2 - 1 / 39916800;
  p = p * y2 + 1 / 362880;
  p = p * y2 - 1 / 5040;
  p = p * y2 + 1 / 120;
  p = p * y2 - 1 / 6;
  p = p * y2 + 1;
  return y * p;
}

/**
 * Cosine as `polySin(x + pi/2)`; same accuracy and determinism as {@link polySin}.
 * @param x angle in radians
 */
export function polyCos(x: number): number {
  return polySin(x + HALF_PI);
}

/** Most points a synthetic generator makes: 2^24 (16,777,216; 128 MiB of coordinates). */
export const MAX_SYNTHETIC_POINTS = 2 ** 24;

function checkCount(n: number, min: number, name: string): void {
  if (typeof n !== 'number' || !Number.isInteger(n) || n < min || n > MAX_SYNTHETIC_POINTS) {
    throw new DataArgumentError(`${name}: n must be an integer >= ${min} and <= ${MAX_SYNTHETIC_POINTS}, got ${describe(n)}`);
  }
}

/** Checks the options object and its seed; returns it (or {} when undefined). */
function checkSynthetic<T extends SyntheticOptions>(options: T | undefined, name: string): T {
  if (options === undefined) return {} as T;
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new DataArgumentError(`${name}: options must be an object like { noise: 0.1, seed: 1 }, got ${options === null ? 'null' : typeof options}`);
  }
  const seed = options.seed;
  if (seed !== undefined && (typeof seed !== 'number' || !Number.isSafeInteger(seed))) {
    throw new DataArgumentError(`${name}: seed must be an integer, got ${describe(seed)}`);
  }
  return options;
}

function checkNoise(noise: number, name: string): void {
  if (typeof noise !== 'number' || !Number.isFinite(noise) || noise < 0 || noise > 1e6) {
    throw new DataArgumentError(`${name}: noise must be a number in [0, 1e6], got ${describe(noise)}`);
  }
}

/** Size of class c when n samples are split into k classes (first n % k classes get one more). */
function classSize(n: number, k: number, c: number): number {
  return Math.floor(n / k) + (c < n % k ? 1 : 0);
}

function makeSet(n: number, classes: number): Dataset {
  return { x: new Float32Array(n * 2), rows: n, cols: 2, labels: new Uint8Array(n), classes };
}

function put(d: Dataset, i: number, px: number, py: number, label: number): void {
  d.x[2 * i] = px;
  d.x[2 * i + 1] = py;
  d.labels[i] = label;
}

/**
 * Interleaved spirals: `classes` arms starting at the origin, each turned by 2*pi/classes.
 * Point j of an arm of m points sits at radius r = (j + 0.5) / m and angle
 * r * turns * 2*pi + arm offset; coordinates lie roughly in [-1, 1].
 * @param n total number of points (>= classes)
 * @param options noise (default 0.1), seed (default 1), classes (default 2), turns (default 1.5)
 * @returns a data set with cols = 2 and Uint8Array labels
 */
export function spirals(n: number, options: SpiralOptions = {}): Dataset {
  options = checkSynthetic(options, 'spirals');
  const k = options.classes ?? 2;
  const turns = options.turns ?? 1.5;
  const noise = options.noise ?? 0.1;
  if (typeof k !== 'number' || !Number.isInteger(k) || k < 2 || k > 255) {
    throw new DataArgumentError(`spirals: classes must be an integer in 2..255, got ${describe(k)}`);
  }
  if (typeof turns !== 'number' || !Number.isFinite(turns) || turns <= 0 || turns > 1e4) {
    throw new DataArgumentError(`spirals: turns must be a number in (0, 10000], got ${describe(turns)}`);
  }
  checkCount(n, k, 'spirals');
  checkNoise(noise, 'spirals');
  const rng = createRng(options.seed ?? 1);
  const d = makeSet(n, k);
  let i = 0;
  for (let c = 0; c < k; c++) {
    const m = classSize(n, k, c);
    const offset = (TWO_PI * c) / k;
    for (let j = 0; j < m; j++) {
      const r = (j + 0.5) / m;
      const t = r * turns * TWO_PI + offset;
      put(d, i++, r * polyCos(t) + noise * rng.nextGaussian(), r * polySin(t) + noise * rng.nextGaussian(), c);
    }
  }
  return d;
}

/**
 * Two interleaving half circles ("moons"). Class 0: (cos t, sin t); class 1: (1 - cos t, 0.5 - sin t),
 * with t evenly spaced in [0, pi]; the set is then centred by subtracting (0.5, 0.25).
 * The half-circle points use {@link polySin}/{@link polyCos}.
 * @param n total number of points (>= 2)
 * @param options noise (default 0.1), seed (default 1)
 * @returns a data set with cols = 2, classes = 2
 */
export function moons(n: number, options: SyntheticOptions = {}): Dataset {
  options = checkSynthetic(options, 'moons');
  const noise = options.noise ?? 0.1;
  checkCount(n, 2, 'moons');
  checkNoise(noise, 'moons');
  const rng = createRng(options.seed ?? 1);
  const d = makeSet(n, 2);
  let i = 0;
  for (let c = 0; c < 2; c++) {
    const m = classSize(n, 2, c);
    for (let j = 0; j < m; j++) {
      const t = m === 1 ? HALF_PI : (PI * j) / (m - 1);
      const cx = c === 0 ? polyCos(t) : 1 - polyCos(t);
      const cy = c === 0 ? polySin(t) : 0.5 - polySin(t);
      put(d, i++, cx - 0.5 + noise * rng.nextGaussian(), cy - 0.25 + noise * rng.nextGaussian(), c);
    }
  }
  return d;
}

function uniformIn(rng: Rng, lo: number, hi: number): number {
  return lo + (hi - lo) * rng.nextFloat();
}

/**
 * XOR: points uniform in the four quadrants of [-1, 1]^2 (kept 0.05 away from the axes before noise);
 * class 1 when x and y have different signs. Each class gets half the points, split evenly
 * between its two quadrants.
 * @param n total number of points (>= 4)
 * @param options noise (default 0.05), seed (default 1)
 * @returns a data set with cols = 2, classes = 2
 */
export function xor(n: number, options: SyntheticOptions = {}): Dataset {
  options = checkSynthetic(options, 'xor');
  const noise = options.noise ?? 0.05;
  checkCount(n, 4, 'xor');
  checkNoise(noise, 'xor');
  const rng = createRng(options.seed ?? 1);
  const d = makeSet(n, 2);
  // quadrant signs: class 0 = (+,+), (-,-); class 1 = (+,-), (-,+)
  const quads: ReadonlyArray<readonly [number, number, number]> = [
    [1, 1, 0], [-1, -1, 0], [1, -1, 1], [-1, 1, 1],
  ];
  let i = 0;
  for (let c = 0; c < 2; c++) {
    const m = classSize(n, 2, c);
    for (let j = 0; j < m; j++) {
      const q = quads[2 * c + (j & 1)];
      const px = q[0] * uniformIn(rng, 0.05, 1) + noise * rng.nextGaussian();
      const py = q[1] * uniformIn(rng, 0.05, 1) + noise * rng.nextGaussian();
      put(d, i++, px, py, q[2]);
    }
  }
  return d;
}
