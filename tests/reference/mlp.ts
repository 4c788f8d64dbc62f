// A naive f64 reference MLP: the ground truth for the network's forward pass, loss and gradients.
// Layout matches rectify: W is [in, out] row-major, Z = X W + b, Y = f(Z).
import { REFERENCES } from './index.js';

export interface RefLayer {
  W: Float64Array; // in x out
  b: Float64Array;
  in: number;
  out: number;
  act: string;
  params: Record<string, number>;
}

export type RefLoss = 'mse' | 'crossEntropy' | 'binaryCrossEntropy';

function softmaxRow(z: Float64Array): Float64Array {
  let m = -Infinity;
  for (const v of z) m = Math.max(m, v);
  const e = z.map((v) => Math.exp(v - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
}

/** Forward: returns every layer's Z and Y (rows x width, f64). */
export function refForward(layers: RefLayer[], x: Float64Array, rows: number): { Z: Float64Array[]; Y: Float64Array[] } {
  const Z: Float64Array[] = [], Y: Float64Array[] = [];
  let input = x;
  for (const l of layers) {
    const z = new Float64Array(rows * l.out);
    for (let r = 0; r < rows; r++) {
      for (let j = 0; j < l.out; j++) {
        let s = l.b[j]!;
        for (let i = 0; i < l.in; i++) s += input[r * l.in + i]! * l.W[i * l.out + j]!;
        z[r * l.out + j] = s;
      }
    }
    const y = new Float64Array(z.length);
    if (l.act === 'softmax') {
      for (let r = 0; r < rows; r++) y.set(softmaxRow(z.subarray(r * l.out, (r + 1) * l.out)), r * l.out);
    } else {
      const ref = REFERENCES[l.act]!;
      for (let k = 0; k < z.length; k++) y[k] = ref.f(z[k]!, l.params);
    }
    Z.push(z); Y.push(y);
    input = y;
  }
  return { Z, Y };
}

/** Mean loss (as rectify defines it: mean over rows, and over outputs for mse and binary cross-entropy). */
export function refLoss(layers: RefLayer[], x: Float64Array, t: Float64Array, rows: number, loss: RefLoss): number {
  const { Z, Y } = refForward(layers, x, rows);
  const y = Y[Y.length - 1]!, z = Z[Z.length - 1]!;
  const out = layers[layers.length - 1]!.out;
  let s = 0;
  if (loss === 'mse') { for (let k = 0; k < y.length; k++) s += (y[k]! - t[k]!) ** 2; return s / y.length; }
  if (loss === 'binaryCrossEntropy') {
    for (let k = 0; k < z.length; k++) s += Math.max(z[k]!, 0) + Math.log1p(Math.exp(-Math.abs(z[k]!))) - t[k]! * z[k]!;
    return s / z.length;
  }
  for (let r = 0; r < rows; r++) {
    let m = -Infinity;
    for (let j = 0; j < out; j++) m = Math.max(m, z[r * out + j]!);
    let se = 0;
    for (let j = 0; j < out; j++) se += Math.exp(z[r * out + j]! - m);
    const lse = m + Math.log(se);
    for (let j = 0; j < out; j++) s -= t[r * out + j]! * (z[r * out + j]! - lse);
  }
  return s / rows;
}

/** Gradients of the mean loss by central differences (f64), for each W and b in layer order. */
export function refNumericGrads(layers: RefLayer[], x: Float64Array, t: Float64Array, rows: number, loss: RefLoss, h = 1e-6): Float64Array[] {
  const out: Float64Array[] = [];
  for (const l of layers) {
    for (const arr of [l.W, l.b]) {
      const g = new Float64Array(arr.length);
      for (let k = 0; k < arr.length; k++) {
        const keep = arr[k]!;
        arr[k] = keep + h; const up = refLoss(layers, x, t, rows, loss);
        arr[k] = keep - h; const down = refLoss(layers, x, t, rows, loss);
        arr[k] = keep;
        g[k] = (up - down) / (2 * h);
      }
      out.push(g);
    }
  }
  return out;
}

/** Analytic gradients (f64 backprop), for each W and b in layer order. */
export function refGrads(layers: RefLayer[], x: Float64Array, t: Float64Array, rows: number, loss: RefLoss): Float64Array[] {
  const { Z, Y } = refForward(layers, x, rows);
  const n = layers.length;
  const last = layers[n - 1]!;
  let dz = new Float64Array(rows * last.out);
  const yL = Y[n - 1]!, zL = Z[n - 1]!;
  if (loss === 'crossEntropy') for (let k = 0; k < dz.length; k++) dz[k] = (yL[k]! - t[k]!) / rows;
  else if (loss === 'binaryCrossEntropy') for (let k = 0; k < dz.length; k++) dz[k] = (1 / (1 + Math.exp(-zL[k]!)) - t[k]!) / dz.length;
  else {
    const ref = REFERENCES[last.act]!;
    for (let k = 0; k < dz.length; k++) dz[k] = (2 * (yL[k]! - t[k]!) / dz.length) * ref.df(zL[k]!, last.params);
  }
  const grads: Float64Array[] = new Array(2 * n);
  for (let li = n - 1; li >= 0; li--) {
    const l = layers[li]!;
    const input = li === 0 ? x : Y[li - 1]!;
    const gW = new Float64Array(l.in * l.out), gb = new Float64Array(l.out);
    for (let r = 0; r < rows; r++) {
      for (let j = 0; j < l.out; j++) {
        const d = dz[r * l.out + j]!;
        gb[j] += d;
        for (let i = 0; i < l.in; i++) gW[i * l.out + j] += input[r * l.in + i]! * d;
      }
    }
    grads[2 * li] = gW; grads[2 * li + 1] = gb;
    if (li > 0) {
      const prev = layers[li - 1]!;
      const ref = REFERENCES[prev.act]!;
      const ndz = new Float64Array(rows * l.in);
      for (let r = 0; r < rows; r++) {
        for (let i = 0; i < l.in; i++) {
          let s = 0;
          for (let j = 0; j < l.out; j++) s += dz[r * l.out + j]! * l.W[i * l.out + j]!;
          ndz[r * l.in + i] = s * ref.df(Z[li - 1]![r * l.in + i]!, prev.params);
        }
      }
      dz = ndz;
    }
  }
  return grads;
}
