// Peer: hand-written Float32Array loops, the baseline a JavaScript user would write by hand.
// Each function is a tight monomorphic loop over Float32Arrays, written the way a careful user would: branch-free
// Math.max/Math.min where that helps, one Math.exp per element where the function allows it, and backward passes
// that take x and dy (rowwise ops take the forward output y, like rectify's ABI).
// Parameters use the same names and defaults as rectify's kernel table (src/activations/*).
//
// forward:  fwd(x, y, n, p)        y[i] = f(x[i])
// backward: bwd(x, dy, dx, n, p)   dx[i] = dy[i] * f'(x[i])
// rowwise:  fwd(x, y, rows, cols); bwd(y, dy, dx, rows, cols) (y: forward output; plainPeer recomputes it from x)

const SELU_ALPHA = 1.6732632423543772;
const SELU_SCALE = 1.0507009873554805;
const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);
const INV_SQRT2 = Math.SQRT1_2;
const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);
const GELU_C = 0.044715;

// erf by Abramowitz and Stegun 7.1.26 (|error| <= 1.5e-7): a fair JS user's choice, since JS has no Math.erf.
function erf(x) {
  const s = x < 0 ? -1 : 1;
  const a = Math.abs(x);
  const t = 1 / (1 + 0.3275911 * a);
  const poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  return s * (1 - poly * Math.exp(-a * a));
}

function sigmoid(x) {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

function softplus1(x) { // log(1 + exp(x)), stable
  return Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
}

/** @type {Record<string, { fwd: Function, bwd: Function, rowwise?: boolean }>} */
export const PLAIN = {
  linear: {
    fwd(x, y, n) { for (let i = 0; i < n; i++) y[i] = x[i]; },
    bwd(x, dy, dx, n) { for (let i = 0; i < n; i++) dx[i] = dy[i]; },
  },
  relu: {
    // On the bits: clear the word when the sign bit is set. 3-8x faster here than Math.max(x, 0) or a ternary
    // (no f32 -> f64 -> f32 round trip, no mispredicted branch on random signs). relu(-0) = +0; a NaN with the
    // sign bit set gives 0 (the only difference from max(x, 0)).
    fwd(x, y, n) {
      const xi = new Int32Array(x.buffer, x.byteOffset, n);
      const yi = new Int32Array(y.buffer, y.byteOffset, n);
      for (let i = 0; i < n; i++) { const v = xi[i]; yi[i] = v & ~(v >> 31); }
    },
    bwd(x, dy, dx, n) { for (let i = 0; i < n; i++) dx[i] = x[i] > 0 ? dy[i] : 0; },
  },
  relu6: {
    fwd(x, y, n) { for (let i = 0; i < n; i++) y[i] = Math.min(Math.max(x[i], 0), 6); },
    bwd(x, dy, dx, n) { for (let i = 0; i < n; i++) { const v = x[i]; dx[i] = v > 0 && v < 6 ? dy[i] : 0; } },
  },
  leakyRelu: {
    fwd(x, y, n, p) { const s = p.slope ?? 0.01; for (let i = 0; i < n; i++) { const v = x[i]; y[i] = v > 0 ? v : s * v; } },
    bwd(x, dy, dx, n, p) { const s = p.slope ?? 0.01; for (let i = 0; i < n; i++) dx[i] = x[i] > 0 ? dy[i] : s * dy[i]; },
  },
  prelu: { // one shared alpha (per-unit prelu is the same loop with alpha[i % cols])
    fwd(x, y, n, p) { const a = p.alpha ?? 0.25; for (let i = 0; i < n; i++) { const v = x[i]; y[i] = v > 0 ? v : a * v; } },
    bwd(x, dy, dx, n, p) { const a = p.alpha ?? 0.25; for (let i = 0; i < n; i++) dx[i] = x[i] > 0 ? dy[i] : a * dy[i]; },
  },
  elu: {
    fwd(x, y, n, p) { const a = p.alpha ?? 1; for (let i = 0; i < n; i++) { const v = x[i]; y[i] = v > 0 ? v : a * Math.expm1(v); } },
    bwd(x, dy, dx, n, p) { const a = p.alpha ?? 1; for (let i = 0; i < n; i++) { const v = x[i]; dx[i] = v > 0 ? dy[i] : dy[i] * a * Math.exp(v); } },
  },
  celu: {
    fwd(x, y, n, p) { const a = p.alpha ?? 1; for (let i = 0; i < n; i++) { const v = x[i]; y[i] = v > 0 ? v : a * Math.expm1(v / a); } },
    bwd(x, dy, dx, n, p) { const a = p.alpha ?? 1; for (let i = 0; i < n; i++) { const v = x[i]; dx[i] = v > 0 ? dy[i] : dy[i] * Math.exp(v / a); } },
  },
  selu: {
    fwd(x, y, n) { for (let i = 0; i < n; i++) { const v = x[i]; y[i] = v > 0 ? SELU_SCALE * v : SELU_SCALE * SELU_ALPHA * Math.expm1(v); } },
    bwd(x, dy, dx, n) { for (let i = 0; i < n; i++) { const v = x[i]; dx[i] = dy[i] * (v > 0 ? SELU_SCALE : SELU_SCALE * SELU_ALPHA * Math.exp(v)); } },
  },
  gelu: { // erf form, erf by a 1.5e-7 rational approximation
    fwd(x, y, n) { for (let i = 0; i < n; i++) { const v = x[i]; y[i] = 0.5 * v * (1 + erf(v * INV_SQRT2)); } },
    bwd(x, dy, dx, n) {
      for (let i = 0; i < n; i++) {
        const v = x[i];
        dx[i] = dy[i] * (0.5 * (1 + erf(v * INV_SQRT2)) + v * INV_SQRT_2PI * Math.exp(-0.5 * v * v));
      }
    },
  },
  geluTanh: {
    fwd(x, y, n) {
      for (let i = 0; i < n; i++) { const v = x[i]; y[i] = 0.5 * v * (1 + Math.tanh(SQRT_2_OVER_PI * (v + GELU_C * v * v * v))); }
    },
    bwd(x, dy, dx, n) {
      for (let i = 0; i < n; i++) {
        const v = x[i];
        const t = Math.tanh(SQRT_2_OVER_PI * (v + GELU_C * v * v * v));
        dx[i] = dy[i] * (0.5 * (1 + t) + 0.5 * v * (1 - t * t) * SQRT_2_OVER_PI * (1 + 3 * GELU_C * v * v));
      }
    },
  },
  silu: {
    fwd(x, y, n, p) { const b = p.beta ?? 1; for (let i = 0; i < n; i++) { const v = x[i]; y[i] = v * sigmoid(b * v); } },
    bwd(x, dy, dx, n, p) {
      const b = p.beta ?? 1;
      for (let i = 0; i < n; i++) { const v = x[i]; const s = sigmoid(b * v); dx[i] = dy[i] * (s + b * v * s * (1 - s)); }
    },
  },
  mish: {
    fwd(x, y, n) { for (let i = 0; i < n; i++) { const v = x[i]; y[i] = v * Math.tanh(softplus1(v)); } },
    bwd(x, dy, dx, n) {
      for (let i = 0; i < n; i++) {
        const v = x[i];
        const t = Math.tanh(softplus1(v));
        dx[i] = dy[i] * (t + v * (1 - t * t) * sigmoid(v));
      }
    },
  },
  softplus: { // PyTorch form: log(1 + exp(beta x)) / beta, linear above threshold
    fwd(x, y, n, p) {
      const b = p.beta ?? 1, th = p.threshold ?? 20;
      for (let i = 0; i < n; i++) { const v = x[i]; const z = b * v; y[i] = z > th ? v : softplus1(z) / b; }
    },
    bwd(x, dy, dx, n, p) {
      const b = p.beta ?? 1, th = p.threshold ?? 20;
      for (let i = 0; i < n; i++) { const z = b * x[i]; dx[i] = z > th ? dy[i] : dy[i] * sigmoid(z); }
    },
  },
  softsign: {
    fwd(x, y, n) { for (let i = 0; i < n; i++) { const v = x[i]; y[i] = v / (1 + Math.abs(v)); } },
    bwd(x, dy, dx, n) { for (let i = 0; i < n; i++) { const d = 1 + Math.abs(x[i]); dx[i] = dy[i] / (d * d); } },
  },
  sigmoid: {
    fwd(x, y, n) { for (let i = 0; i < n; i++) y[i] = sigmoid(x[i]); },
    bwd(x, dy, dx, n) { for (let i = 0; i < n; i++) { const s = sigmoid(x[i]); dx[i] = dy[i] * s * (1 - s); } },
  },
  hardSigmoid: {
    fwd(x, y, n, p) {
      const s = p.slope ?? 1 / 6, o = p.offset ?? 0.5;
      for (let i = 0; i < n; i++) y[i] = Math.min(Math.max(s * x[i] + o, 0), 1);
    },
    bwd(x, dy, dx, n, p) {
      const s = p.slope ?? 1 / 6, o = p.offset ?? 0.5;
      for (let i = 0; i < n; i++) { const z = s * x[i] + o; dx[i] = z > 0 && z < 1 ? s * dy[i] : 0; }
    },
  },
  logSigmoid: {
    fwd(x, y, n) { for (let i = 0; i < n; i++) y[i] = -softplus1(-x[i]); },
    bwd(x, dy, dx, n) { for (let i = 0; i < n; i++) dx[i] = dy[i] * sigmoid(-x[i]); },
  },
  tanh: {
    fwd(x, y, n) { for (let i = 0; i < n; i++) y[i] = Math.tanh(x[i]); },
    bwd(x, dy, dx, n) { for (let i = 0; i < n; i++) { const t = Math.tanh(x[i]); dx[i] = dy[i] * (1 - t * t); } },
  },
  tanhShrink: {
    fwd(x, y, n) { for (let i = 0; i < n; i++) { const v = x[i]; y[i] = v - Math.tanh(v); } },
    bwd(x, dy, dx, n) { for (let i = 0; i < n; i++) { const t = Math.tanh(x[i]); dx[i] = dy[i] * t * t; } },
  },
  hardTanh: {
    fwd(x, y, n, p) { const lo = p.minVal ?? -1, hi = p.maxVal ?? 1; for (let i = 0; i < n; i++) y[i] = Math.min(Math.max(x[i], lo), hi); },
    bwd(x, dy, dx, n, p) {
      const lo = p.minVal ?? -1, hi = p.maxVal ?? 1;
      for (let i = 0; i < n; i++) { const v = x[i]; dx[i] = v > lo && v < hi ? dy[i] : 0; }
    },
  },
  hardShrink: { // |x| > lambda ? x : 0 (the band maps -0 to +0, as rectify's)
    fwd(x, y, n, p) { const l = p.lambda ?? 0.5; for (let i = 0; i < n; i++) { const v = x[i]; y[i] = Math.abs(v) > l ? v : 0; } },
    bwd(x, dy, dx, n, p) { const l = p.lambda ?? 0.5; for (let i = 0; i < n; i++) dx[i] = Math.abs(x[i]) > l ? dy[i] : 0; },
  },
  softShrink: { // x > lambda ? x - lambda : x < -lambda ? x + lambda : 0
    fwd(x, y, n, p) {
      const l = p.lambda ?? 0.5;
      for (let i = 0; i < n; i++) { const v = x[i]; y[i] = v > l ? v - l : v < -l ? v + l : 0; }
    },
    bwd(x, dy, dx, n, p) { const l = p.lambda ?? 0.5; for (let i = 0; i < n; i++) dx[i] = Math.abs(x[i]) > l ? dy[i] : 0; },
  },
  hardSwish: {
    fwd(x, y, n) { for (let i = 0; i < n; i++) { const v = x[i]; y[i] = v * Math.min(Math.max(v + 3, 0), 6) / 6; } },
    bwd(x, dy, dx, n) {
      for (let i = 0; i < n; i++) { const v = x[i]; dx[i] = v <= -3 ? 0 : v >= 3 ? dy[i] : dy[i] * (2 * v + 3) / 6; }
    },
  },
  sbaf: { // domain 'clamp': u = clamp(x, 0, 1); y = 1 / (1 + k u^a (1-u)^(1-a))
    fwd(x, y, n, p) {
      const k = p.k ?? 0.91, a = p.alpha ?? 0.5;
      for (let i = 0; i < n; i++) {
        const u = Math.min(Math.max(x[i], 0), 1);
        y[i] = 1 / (1 + k * Math.exp(a * Math.log(u) + (1 - a) * Math.log1p(-u)));
      }
    },
    bwd(x, dy, dx, n, p) {
      const k = p.k ?? 0.91, a = p.alpha ?? 0.5;
      for (let i = 0; i < n; i++) {
        const u = x[i];
        if (u > 0 && u < 1) {
          const t = k * Math.exp(a * Math.log(u) + (1 - a) * Math.log1p(-u));
          const yv = 1 / (1 + t);
          // dy/du = -y^2 t (a/u - (1-a)/(1-u)) = y^2 t (u - a) / (u (1 - u))
          dx[i] = dy[i] * yv * yv * t * (u - a) / (u * (1 - u));
        } else dx[i] = 0;
      }
    },
  },
  arelu: { // x > 0 ? k x^n : 0
    fwd(x, y, n, p) {
      const k = p.k ?? 1, e = p.n ?? 1;
      for (let i = 0; i < n; i++) { const v = x[i]; y[i] = v > 0 ? k * Math.pow(v, e) : 0; }
    },
    bwd(x, dy, dx, n, p) {
      const k = p.k ?? 1, e = p.n ?? 1;
      for (let i = 0; i < n; i++) { const v = x[i]; dx[i] = v > 0 ? dy[i] * k * e * Math.pow(v, e - 1) : 0; }
    },
  },
  softmax: {
    rowwise: true,
    fwd(x, y, rows, cols) {
      for (let r = 0, o = 0; r < rows; r++, o += cols) {
        let m = -Infinity;
        for (let j = 0; j < cols; j++) m = Math.max(m, x[o + j]);
        let s = 0;
        for (let j = 0; j < cols; j++) { const e = Math.exp(x[o + j] - m); y[o + j] = e; s += e; }
        const inv = 1 / s;
        for (let j = 0; j < cols; j++) y[o + j] *= inv;
      }
    },
    bwd(y, dy, dx, rows, cols) { // dx = y * (dy - sum(dy * y))
      for (let r = 0, o = 0; r < rows; r++, o += cols) {
        let d = 0;
        for (let j = 0; j < cols; j++) d += dy[o + j] * y[o + j];
        for (let j = 0; j < cols; j++) dx[o + j] = y[o + j] * (dy[o + j] - d);
      }
    },
  },
  logSoftmax: {
    rowwise: true,
    fwd(x, y, rows, cols) {
      for (let r = 0, o = 0; r < rows; r++, o += cols) {
        let m = -Infinity;
        for (let j = 0; j < cols; j++) m = Math.max(m, x[o + j]);
        let s = 0;
        for (let j = 0; j < cols; j++) s += Math.exp(x[o + j] - m);
        const c = m + Math.log(s);
        for (let j = 0; j < cols; j++) y[o + j] = x[o + j] - c;
      }
    },
    bwd(y, dy, dx, rows, cols) { // dx = dy - exp(y) * sum(dy)
      for (let r = 0, o = 0; r < rows; r++, o += cols) {
        let s = 0;
        for (let j = 0; j < cols; j++) s += dy[o + j];
        for (let j = 0; j < cols; j++) dx[o + j] = dy[o + j] - Math.exp(y[o + j]) * s;
      }
    },
  },
};
// Aliases, as in rectify's table.
PLAIN.swish = PLAIN.silu;

/**
 * The plain JS peer for one activation, bound to fixed buffers.
 * @returns {null | { forward: () => void, backward: () => void, y: Float32Array, dx: Float32Array }}
 */
export function plainPeer(name, { x, dy, rows, cols, params = {} }) {
  const k = PLAIN[name];
  if (!k) return null;
  const n = x.length;
  const y = new Float32Array(n);
  const dx = new Float32Array(n);
  if (k.rowwise) {
    // Backward from (x, dy), like rectify's and tfjs's public calls: recompute y into scratch, then the VJP.
    const ys = new Float32Array(n);
    return {
      forward: () => k.fwd(x, y, rows, cols),
      backward: () => { k.fwd(x, ys, rows, cols); k.bwd(ys, dy, dx, rows, cols); },
      y, dx,
    };
  }
  return { forward: () => k.fwd(x, y, n, params), backward: () => k.bwd(x, dy, dx, n, params), y, dx };
}
