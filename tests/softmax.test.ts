// softmax and logSoftmax (kind 'rowwise') against f64 row references: ulps per op over many shapes (cols 1..9 for
// the tails, 16, 1000), special rows (NaN, +-Inf, +-1e30, equal values), the VJPs against the f64 VJP (in units of
// their condition) and against finite differences, SIMD == scalar bits, in-place use and shape errors.
import { beforeAll, describe, expect, it } from 'vitest';
import { ACTIVATIONS, createEngine, InvalidArgumentError, ShapeError, type ActivationDef, type Engine } from '../dist/index.js';
import { REFERENCES } from './reference/index.js';
import { rng, ulpError } from './util.js';

let simd: Engine;
let scalar: Engine;
let relaxed: Engine;
beforeAll(async () => {
  simd = await createEngine();
  scalar = await createEngine({ scalar: true });
  relaxed = await createEngine({ relaxedSimd: true });
});

const defs = (ACTIVATIONS as readonly ActivationDef[]).filter((d) => d.kind === 'rowwise');
const SHAPES: [number, number][] = [[1, 1], [3, 2], [2, 3], [5, 4], [3, 5], [4, 6], [2, 7], [3, 8], [2, 9], [4, 16], [6, 1000], [1, 4099]];

/** Random matrix in [lo, hi]. */
function matrix(rows: number, cols: number, seed: number, lo = -10, hi = 10): Float32Array {
  const r = rng(seed);
  return Float32Array.from({ length: rows * cols }, () => Math.fround(lo + (hi - lo) * r()));
}

/** Rows that exercise the limits: each row has 7 columns. */
const SPECIAL_ROWS: number[][] = [
  [1e30, -1e30, 0, 1, -1, 5, 1e30],
  [-1e30, -1e30, -1e30, -1e30, -1e30, -1e30, -1e30],
  [Infinity, 0, 1, Infinity, -Infinity, 2, 3],
  [-Infinity, -Infinity, -Infinity, -Infinity, -Infinity, -Infinity, -Infinity],
  [NaN, 0, 1, 2, 3, 4, 5],
  [0, 0, 0, 0, 0, 0, 0],
  [88, -88, 89, -89, 104, -104, 200],
  [0, -20, -40, -60, -80, -100, -120],
  [3.4028234663852886e38, -3.4028234663852886e38, 1e-45, -1e-45, 0, -0, 1],
  [1, 1 - 2 ** -23, 1 + 2 ** -23, -200, -300, -400, -500],
  [20, -1, -2, -3, -4, -5, -6],
];

function rowsOf(x: Float32Array, cols: number): Float64Array[] {
  const out: Float64Array[] = [];
  for (let i = 0; i < x.length; i += cols) out.push(Float64Array.from(x.subarray(i, i + cols)));
  return out;
}

function sameBits(a: Float32Array, b: Float32Array, what: string): void {
  const ua = new Uint32Array(a.buffer, a.byteOffset, a.length), ub = new Uint32Array(b.buffer, b.byteOffset, b.length);
  for (let i = 0; i < a.length; i++) {
    if (ua[i] !== ub[i] && !(Number.isNaN(a[i]!) && Number.isNaN(b[i]!))) throw new Error(`${what}[${i}]: ${a[i]} vs ${b[i]}`);
  }
}

const worstUlps: Record<string, number> = {};

describe.each(defs.map((d) => [d.name, d] as const))('%s', (name, def) => {
  const ref = REFERENCES[name]!;

  function checkForward(eng: Engine, x: Float32Array, cols: number, tol: number): number {
    const y = eng.activation(name as never).forward(x, { cols });
    const want = rowsOf(x, cols).flatMap((r) => [...ref.row!(r, {})]);
    let worst = 0;
    for (let i = 0; i < y.length; i++) {
      const e = ulpError(y[i]!, want[i]!);
      if (e > worst) worst = e;
      if (!(e <= tol + 0.5)) throw new Error(`x[${i}] = ${x[i]} (cols ${cols}): got ${y[i]}, want ${want[i]} (${e} ulp)`);
    }
    return worst;
  }

  it(`forward within ${def.tolerance.forward} ulp of the f64 row reference, every shape`, () => {
    let worst = 0;
    for (const [k, [rows, cols]] of SHAPES.entries()) {
      worst = Math.max(worst, checkForward(simd, matrix(rows, cols, 100 + k), cols, def.tolerance.forward));
      worst = Math.max(worst, checkForward(simd, matrix(rows, cols, 200 + k, -100, 100), cols, def.tolerance.forward));
      worst = Math.max(worst, checkForward(simd, matrix(rows, cols, 300 + k, -0.01, 0.01), cols, def.tolerance.forward));
    }
    worstUlps[`${name} forward`] = worst;
  });

  it('special rows: limits, NaN rows, +-1e30 stay finite; other rows are unaffected', () => {
    const x = Float32Array.from(SPECIAL_ROWS.flat());
    const worst = checkForward(simd, x, 7, def.tolerance.forward);
    worstUlps[`${name} forward, special rows`] = worst;
    const y = simd.activation(name as never).forward(x, { cols: 7 });
    for (let i = 0; i < 7; i++) {
      expect(Number.isFinite(y[i]) || y[i] === -Infinity).toBe(true); // +-1e30 row
      expect(Number.isNaN(y[4 * 7 + i]!)).toBe(true); // NaN row
      expect(Number.isNaN(y[5 * 7 + i]!)).toBe(false); // next row
    }
    if (name === 'softmax') {
      expect(Array.from(y.subarray(0, 7))).toEqual([0.5, 0, 0, 0, 0, 0, 0.5]);
      expect(y[2 * 7]).toBe(0.5); expect(y[2 * 7 + 3]).toBe(0.5); expect(y[2 * 7 + 1]).toBe(0);
      for (let i = 0; i < 7; i++) expect(y[3 * 7 + i]).toBe(Math.fround(1 / 7));
    }
  });

  it('wide rows (>= 64 columns) at the limits of the fast path: within tolerance, SIMD == scalar, limits kept', () => {
    // softmax_fwd takes e^(x - m) without forming x - m on rows of >= 64 entries with |m| <= 88 and x - m >= -86
    // (vexpShift); rows just outside (|m| > 88, a wider spread, equal entries, Inf, NaN) take the general path.
    const cols = 67;
    const r = rng(77);
    const spread = (m: number, lo: number) => Array.from({ length: cols }, (_, j) => j === 5 ? m : j === 9 ? m - lo : m - lo * r());
    const rows = [
      spread(88, 86), spread(-88, 86), spread(88.01, 10), spread(-88.01, 10), spread(0, 86), spread(0, 86.01),
      spread(3.5, 0.001), spread(1e-30, 20), spread(-1e30, 5), spread(40, 200),
      Array.from({ length: cols }, () => 2.5), Array.from({ length: cols }, (_, j) => (j === 3 ? Infinity : j)),
      Array.from({ length: cols }, (_, j) => (j === 7 ? NaN : j / 10)),
    ].map((row) => row.map((v) => Math.fround(v)));
    const x = Float32Array.from(rows.flat());
    checkForward(simd, x, cols, def.tolerance.forward);
    const a = simd.activation(name as never), b = scalar.activation(name as never);
    sameBits(a.forward(x, { cols }), b.forward(x, { cols }), 'wide forward');
    const y = a.forward(x, { cols });
    for (let j = 0; j < cols; j++) expect(Number.isNaN(y[12 * cols + j]!)).toBe(true);
    if (name === 'softmax') {
      for (let j = 0; j < cols; j++) expect(y[10 * cols + j]).toBe(Math.fround(1 / cols)); // equal entries: uniform
      expect(y[11 * cols + 3]).toBe(1);
      for (const row of [0, 4, 6]) {
        let s = 0;
        for (let j = 0; j < cols; j++) s += y[row * cols + j]!;
        expect(Math.abs(s - 1)).toBeLessThan(2e-6);
      }
    }
  });

  it(`backward (VJP from the output) within ${def.tolerance.backward} units of its condition, every shape`, () => {
    let worst = 0;
    for (const [k, [rows, cols]] of SHAPES.entries()) {
      const x = matrix(rows, cols, 400 + k), dy = matrix(rows, cols, 500 + k, -2, 2);
      const dx = simd.activation(name as never).backward(x, dy, { cols });
      const xr = rowsOf(x, cols), dr = rowsOf(dy, cols);
      for (let r = 0; r < xr.length; r++) {
        const want = ref.rowVjp!(xr[r]!, dr[r]!, {});
        const p = REFERENCES.softmax!.row!(xr[r]!, {});
        // Error bound scale: eps (|dy_i| p_i-ish terms + p_i sum |dy_j| (y_j)) -- the condition of the VJP.
        let sabs = 0;
        for (let j = 0; j < cols; j++) sabs += Math.abs(dr[r]![j]!) * (name === 'softmax' ? p[j]! : 1);
        for (let j = 0; j < cols; j++) {
          const scale = name === 'softmax' ? p[j]! * (Math.abs(dr[r]![j]!) + sabs) : Math.abs(dr[r]![j]!) + p[j]! * sabs;
          const err = Math.abs(dx[r * cols + j]! - want[j]!) / (2 ** -24 * Math.max(scale, 2 ** -126));
          worst = Math.max(worst, err);
          expect(err, `row ${r} col ${j} (cols ${cols}): got ${dx[r * cols + j]}, want ${want[j]}`).toBeLessThanOrEqual(def.tolerance.backward);
        }
      }
    }
    worstUlps[`${name} backward`] = worst;
  });

  it('backward matches central differences of the f64 forward', () => {
    const cols = 7;
    const x = matrix(2, cols, 601, -3, 3), dy = matrix(2, cols, 602, -1, 1);
    const dx = simd.activation(name as never).backward(x, dy, { cols });
    for (let r = 0; r < 2; r++) {
      const xr = Float64Array.from(x.subarray(r * cols, (r + 1) * cols));
      const L = (v: Float64Array) => ref.row!(v, {}).reduce((s, y, j) => s + y * dy[r * cols + j]!, 0);
      for (let j = 0; j < cols; j++) {
        const h = 1e-6;
        const a = xr.slice(), b = xr.slice();
        a[j] += h; b[j] -= h;
        const fd = (L(a) - L(b)) / (2 * h);
        expect(Math.abs(dx[r * cols + j]! - fd), `row ${r} col ${j}`).toBeLessThan(1e-5 * Math.max(1, Math.abs(fd)));
      }
    }
  });

  it('SIMD and scalar twins give the same bits (forward and backward, every shape, special rows)', () => {
    const cases: [Float32Array, number][] = SHAPES.map(([rows, cols], k) => [matrix(rows, cols, 700 + k, -30, 30), cols]);
    cases.push([Float32Array.from(SPECIAL_ROWS.flat()), 7]);
    for (const [x, cols] of cases) {
      const a = simd.activation(name as never), b = scalar.activation(name as never);
      sameBits(a.forward(x, { cols }), b.forward(x, { cols }), `forward cols ${cols}`);
      const dy = matrix(x.length / cols, cols, 9, -2, 2);
      sameBits(a.backward(x, dy, { cols }), b.backward(x, dy, { cols }), `backward cols ${cols}`);
    }
  });

  it('in place: arrays and tensors, forward and backward', () => {
    const act = simd.activation(name as never);
    for (const cols of [1, 3, 4, 5, 9, 1000]) {
      const x = matrix(3, cols, cols), dy = matrix(3, cols, cols + 1, -1, 1);
      const y = act.forward(x, { cols });
      const dx = act.backward(x, dy, { cols });
      const a = x.slice();
      act.forward(a, { out: a, cols });
      expect(a).toEqual(y);
      const g = dy.slice();
      act.backward(x, g, { out: g, cols });
      expect(g).toEqual(dx);
      const t = simd.tensor(x), td = simd.tensor(dy);
      act.backward(t, td, { out: td, cols });
      expect(td.toArray()).toEqual(dx);
      act.forward(t, { out: t, cols });
      expect(t.toArray()).toEqual(y);
      t.dispose(); td.dispose();
    }
  });

  it('one row by default; rows or cols select the shape; empty input works', () => {
    const act = simd.activation(name as never);
    const x = matrix(2, 6, 42);
    const whole = act.forward(x);
    expect(whole).toEqual(act.forward(x, { cols: 12 }));
    expect(act.forward(x, { rows: 2 })).toEqual(act.forward(x, { cols: 6 }));
    expect(act.forward(x, { rows: 2, cols: 6 })).toEqual(act.forward(x, { cols: 6 }));
    expect(act.forward(new Float32Array(0)).length).toBe(0);
  });

  it('shape errors: rows x cols must equal the length', () => {
    const act = simd.activation(name as never);
    const x = new Float32Array(10);
    expect(() => act.forward(x, { rows: 3 })).toThrow(ShapeError);
    expect(() => act.forward(x, { cols: 3 })).toThrow(ShapeError);
    expect(() => act.forward(x, { rows: 2, cols: 4 })).toThrow(ShapeError);
    expect(() => act.backward(x, new Float32Array(9))).toThrow(ShapeError);
    expect(() => act.backward(x, new Float32Array(10), { rows: 4 })).toThrow(ShapeError);
    expect(() => act.derivative(x)).toThrow(InvalidArgumentError);
    // The engine stays usable.
    expect(act.forward(x, { rows: 2 }).length).toBe(10);
  });

  it('the relaxed-SIMD build stays within tolerance (where the engine supports it)', () => {
    if (!relaxed.relaxedSimd) return;
    let worst = 0;
    for (const [k, [rows, cols]] of SHAPES.entries()) {
      worst = Math.max(worst, checkForward(relaxed, matrix(rows, cols, 800 + k), cols, def.tolerance.forward));
    }
    worstUlps[`${name} forward (relaxed)`] = worst;
  });
});

it('report worst errors', () => {
  console.log('softmax-family worst errors:', JSON.stringify(worstUlps));
});
