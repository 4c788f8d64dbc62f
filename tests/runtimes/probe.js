/**
 * The runtime probe: the same computation in every JavaScript runtime (Node, Chromium, workerd, Deno, Bun,
 * edge-runtime), hashed bit for bit. Plain ESM JavaScript with no imports and no Node APIs, so each runtime can load
 * it as is (or bundled). Only web-standard globals: crypto.subtle, TextEncoder.
 *
 * What it computes, for every activation of the kernel table this build exports (lib.ACTIVATIONS):
 * forward, backward and parameter gradients on a fixed input set (special values, a grid over the activation's
 * range, pseudo-random values from an integer generator, random bit patterns), shared parameters, and per-unit ones
 * where the activation has them. NaNs are canonicalized (their sign and payload differ between CPUs and engines),
 * everything else is compared bit for bit.
 */

/** Elements per call: 79 rows x 13 columns, not a multiple of 4 (SIMD tails run too). */
export const ROWS = 79;
export const COLS = 13;
export const N = ROWS * COLS;

/**
 * xorshift32: the same integers in every engine (no Math.random, no floating point). A standalone copy of
 * src/util/random.ts's xorshift32 (integers here): the probe runs as plain JS in every runtime, without the build.
 */
function xorshift(seed) {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13; s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5; s >>>= 0;
    return s;
  };
}

/** Where the finite inputs (grid, uniform) start, and how many parameter gradients sum over. */
const PG_START = 35;
const PG_N = 65 * 13;

const SPECIALS = [
  0, -0, 1, -1, 0.5, -0.5, 2, -2, 6, -6, 1e-3, -1e-3, 1e-7, -1e-7, 20, -20, 88, -88, 89, -89, 100, -100,
  1e30, -1e30, 3.4028234663852886e38, -3.4028234663852886e38, 1.1754943508222875e-38, -1.1754943508222875e-38,
  1.401298464324817e-45, -1.401298464324817e-45, 1e-40, -1e-40, Infinity, -Infinity, NaN,
];

/** The input set of one activation: specials, a grid over its range, uniform values around it, random bits. */
export function inputsFor(def, seed) {
  const x = new Float32Array(N);
  const bits = new Uint32Array(x.buffer);
  const next = xorshift(seed);
  const [lo, hi] = def.range;
  let i = 0;
  for (const v of SPECIALS) x[i++] = v;
  if (i !== PG_START) throw new Error('probe: PG_START must equal the number of specials');
  const grid = 400;
  for (let k = 0; k < grid; k++) x[i++] = lo + ((hi - lo) * k) / (grid - 1);
  const uniform = 450;
  for (let k = 0; k < uniform; k++) x[i++] = 2 * lo + (2 * (hi - lo) * (next() >>> 8)) / 16777216;
  for (; i < N; i++) bits[i] = next();
  return x;
}

/** Upstream gradients: pseudo-random in [-2, 2), with zeros and ones. */
export function gradsFor(seed) {
  const dy = new Float32Array(N);
  const next = xorshift(seed ^ 0x9e3779b9);
  for (let i = 0; i < N; i++) dy[i] = (4 * (next() >>> 8)) / 16777216 - 2;
  dy[0] = 0; dy[1] = -0; dy[2] = 1; dy[3] = -1;
  return dy;
}

/** A copy of the bits with every NaN made the same quiet NaN. */
export function canonicalBits(values) {
  const f = Float32Array.from(values);
  const u = new Uint32Array(f.buffer);
  for (let i = 0; i < f.length; i++) if (f[i] !== f[i]) u[i] = 0x7fc00000;
  return u;
}

// A standalone copy of FNV-1a (src/util/hash.ts): the probe runs as plain JS in every runtime, without the build.
function fnv1a(u32) {
  let h = 0x811c9dc5;
  for (let i = 0; i < u32.length; i++) {
    let w = u32[i];
    for (let b = 0; b < 4; b++) { h ^= w & 0xff; h = Math.imul(h, 0x01000193) >>> 0; w >>>= 8; }
  }
  return h.toString(16).padStart(8, '0');
}

function hex(u32) {
  let s = '';
  for (let i = 0; i < u32.length; i++) s += u32[i].toString(16).padStart(8, '0');
  return s;
}

function nameSeed(name) {
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) { h ^= name.charCodeAt(i); h = Math.imul(h, 0x01000193) >>> 0; }
  return h;
}

/** Adds the sections of one activation: forward, backward, parameter gradients. */
function probeActivation(engine, def, add) {
  const seed = nameSeed(def.name);
  const x = inputsFor(def, seed);
  const dy = gradsFor(seed);
  const shaped = def.kind === 'rowwise' ? { cols: COLS } : {};
  const variants = [['', def.name, shaped]];
  if (def.perUnit) variants.push(['/units', { name: def.name, units: COLS }, { cols: COLS }]);
  for (const [tag, spec, shape] of variants) {
    const act = engine.activation(spec);
    try {
      add(`${def.name}${tag}/forward`, act.forward(x, shape));
      add(`${def.name}${tag}/backward`, act.backward(x, dy, shape));
      // Gradient sums over the finite part (grid and uniform values): with the specials and random bits in, every
      // sum would be NaN or Inf and say nothing. 845 = 65 rows x 13 columns.
      const g = act.paramGrads(x.subarray(PG_START, PG_START + PG_N), dy.subarray(PG_START, PG_START + PG_N), shape);
      for (const k of Object.keys(g).sort()) {
        const v = g[k];
        add(`${def.name}${tag}/paramGrad.${k}`, typeof v === 'number' ? [v] : v);
      }
    } finally {
      act.dispose();
    }
  }
}

/**
 * The shared vector math the activations are built on (exp, expm1, log, log1p: `math_<f>(x, y, n)` exports, when a build has them), on the
 * same kind of inputs, through tensors (zero-copy). The scalar engine calls the scalar twins.
 */
function probeMath(engine, add) {
  // The math_* probes exist only in the twins build (the shipped builds leave them out to save size; tests/math.test.ts
  // checks them there: ulps against f64, SIMD == scalar bits). Hash them in neither build so the sections line up;
  // across engines the math is still covered by every activation kernel built on it.
  if (engine.scalar) return [];
  const names = Object.keys(engine.exports).filter((k) => /^math_[a-z0-9]+$/.test(k)).sort();
  for (const k of names) {
    const fn = engine.exports[engine.scalar && engine.exports[`${k}_scalar`] ? `${k}_scalar` : k];
    const x = engine.tensor(inputsFor({ range: [-20, 20] }, nameSeed(k)));
    const y = engine.tensor(N);
    try {
      fn(x.ptr, y.ptr, N);
      add(`${k}`, y.data);
    } finally {
      x.dispose();
      y.dispose();
    }
  }
  return names;
}

// ---------------------------------------------------------------------------------------------------------------
// TRAINING PROBE: fill in when the network API (engine.network(...).build(), net.fit, net.parameters()) lands.
// Build a small fixed network with seeded initialization, fit a few epochs on data made here (inputsFor/gradsFor
// style, no Math.random), then add('train/<name>', Float32Array) for the trained parameters and the predictions.
// Every runtime test then compares these bits too, with no other change.
async function probeTraining(lib, engine, add) {
  if (typeof engine.network !== 'function') return false;
  // A 2-class problem made here from the probe's own generator: 96 rows of 4 features.
  const rows = 96, inputs = 4;
  // The finite part of the probe inputs (after the specials): an even grid, then uniform values.
  const x = inputsFor({ range: [-2, 2] }, nameSeed('train/x')).slice(PG_START, PG_START + rows * inputs);
  const y = new Int32Array(rows);
  for (let r = 0; r < rows; r++) y[r] = x[r * inputs] * x[r * inputs + 1] + x[r * inputs + 2] > 0 ? 1 : 0;
  const hidden = lib.ACTIVATIONS.some((d) => d.name === 'tanh') ? 'tanh' : 'relu';
  const output = lib.ACTIVATIONS.some((d) => d.name === 'softmax') ? 'softmax' : null;
  const b = engine.network({ inputs, seed: 11 }).dense(16, hidden).dense(8, { name: 'prelu' });
  const net = output
    ? b.dense(2, output).build({ loss: 'crossEntropy', optimizer: { name: 'adam', learningRate: 0.01 } })
    : b.dense(1, 'linear').build({ loss: 'mse', optimizer: { name: 'momentum', learningRate: 0.01, nesterov: true } });
  try {
    const targets = output ? y : Float32Array.from(y);
    await net.fit(x, targets, { epochs: 4, batchSize: 16 });
    for (const p of net.parameters()) add(`train/${p.name}`, p.data);
    add('train/predict', net.predict(x));
    return true;
  } finally {
    net.dispose();
  }
}

/**
 * The dropout, batchNorm and layerNorm layers in a seeded training run (masks drawn from the network's generator,
 * running statistics): the SHA-256 of the trained parameters, running statistics and predictions, kept apart from
 * the probe's main hash (which predates the layers and must not change). null where the build has no such layers.
 */
async function probeLayers(lib, engine) {
  if (typeof engine.network !== 'function' || typeof engine.network({ inputs: 1 }).dropout !== 'function') return null;
  const rows = 64, inputs = 4;
  const x = inputsFor({ range: [-2, 2] }, nameSeed('layers/x')).slice(PG_START, PG_START + rows * inputs);
  const y = new Int32Array(rows);
  for (let r = 0; r < rows; r++) y[r] = x[r * inputs] - x[r * inputs + 3] > 0 ? 1 : 0;
  const net = engine.network({ inputs, seed: 12 }).dense(12, 'relu').batchNorm().dropout(0.25).dense(8, 'tanh').layerNorm()
    .dense(2, 'softmax').build({ loss: 'crossEntropy', optimizer: { name: 'adam', learningRate: 0.01 } });
  try {
    await net.fit(x, y, { epochs: 3, batchSize: 16 });
    const parts = [...net.parameters().map((p) => p.data), ...net.buffers().map((b) => b.data), net.predict(x)];
    return await sha256(parts.map(canonicalBits));
  } finally {
    net.dispose();
  }
}
// ---------------------------------------------------------------------------------------------------------------

/**
 * Threads: a network large enough that every job of assembly/nn/threads.ts splits (GEMM, bias and activation rows,
 * bias gradient, optimizer), trained with `engineOptions` (e.g. { threads: 2 }). Returns the thread count the engine
 * used, why it used one thread (where threads cannot run), and the hash of the trained weights and predictions, which
 * must equal the single-thread one everywhere.
 */
export async function probeThreads(lib, engineOptions) {
  const engine = await lib.createEngine(engineOptions);
  try {
    const rows = 64, inputs = 96;
    const base = inputsFor({ range: [-2, 2] }, nameSeed('threads/x')).slice(PG_START);
    const x = new Float32Array(rows * inputs).map((_, i) => base[i % base.length] * (((i * 7) % 5) - 2) * 0.5);
    const y = new Int32Array(rows).map((_, r) => (x[r * inputs] > 0 ? 1 : 0) + (x[r * inputs + 1] > 0 ? 2 : 0));
    const net = engine.network({ inputs, seed: 3 }).dense(128, 'relu').dense(72, 'tanh').dense(4, 'softmax')
      .build({ loss: 'crossEntropy', optimizer: { name: 'adam', learningRate: 0.01 } });
    try {
      await net.fit(x, y, { epochs: 3, batchSize: 64 });
      const bits = [...net.parameters().map((p) => canonicalBits(p.data)), canonicalBits(net.predict(x))];
      return { threads: engine.threads, reason: engine.threadsUnavailableReason ?? null, sha256: await sha256(bits) };
    } finally {
      net.dispose();
    }
  } finally {
    engine.dispose();
  }
}

async function sha256(u32s) {
  let total = 0;
  for (const u of u32s) total += u.length;
  const all = new Uint32Array(total);
  let o = 0;
  for (const u of u32s) { all.set(u, o); o += u.length; }
  const d = new Uint8Array(await crypto.subtle.digest('SHA-256', all));
  return Array.from(d, (b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * Runs the probe. `lib` is the package's module namespace (createEngine, ACTIVATIONS); `engineOptions` go to
 * createEngine (e.g. { wasm: module }, { relaxedSimd: true }). With `withValues`, every section's bits are returned
 * too (hex), for tolerance comparisons of the relaxed build.
 */
export async function probe(lib, engineOptions = {}, { withValues = false } = {}) {
  const engine = await lib.createEngine(engineOptions);
  const sections = [];
  const bits = [];
  const add = (label, values) => {
    const u = canonicalBits(values);
    bits.push(u);
    sections.push({ label, n: u.length, fnv: fnv1a(u), ...(withValues ? { hex: hex(u) } : {}) });
  };
  try {
    // Every row of the kernel table whose kernels this build exports (all of them, unless a build is partial).
    const defs = lib.ACTIVATIONS.filter((d) => typeof engine.exports[`${d.name}_fwd`] === 'function');
    for (const def of defs) probeActivation(engine, def, add);
    const math = probeMath(engine, add);
    const trained = await probeTraining(lib, engine, add);
    const layers = await probeLayers(lib, engine);
    return {
      sha256: await sha256(bits), relaxedSimd: engine.relaxedSimd, training: trained, layers,
      activations: defs.map((d) => d.name), math, sections,
    };
  } finally {
    engine.dispose();
  }
}

/**
 * Everything a runtime test compares: the baseline probe; the same with the scalar twins (must give the same bits);
 * the relaxed build with values, where relaxed SIMD validates.
 */
export async function probeBoth(lib, baselineOptions = {}, relaxedOptions = { relaxedSimd: true }, scalarOptions = {}) {
  const baseline = await probe(lib, baselineOptions);
  const scalar = await probe(lib, { ...baselineOptions, ...scalarOptions, scalar: true });
  const relaxed = lib.supportsRelaxedSimd() ? await probe(lib, relaxedOptions, { withValues: true }) : null;
  const threads = await probeThreads(lib, { ...baselineOptions, threads: 2 });
  return { runtime: runtimeName(), baseline, scalar, relaxed, threads };
}

function runtimeName() {
  const g = globalThis;
  if (g.Deno?.version) return `deno ${g.Deno.version.deno}`;
  if (g.Bun?.version) return `bun ${g.Bun.version}`;
  if (typeof g.EdgeRuntime === 'string') return `edge-runtime (${g.EdgeRuntime})`;
  if (g.navigator?.userAgent === 'Cloudflare-Workers') return 'workerd';
  if (g.process?.versions?.node) return `node ${g.process.versions.node}`;
  if (g.navigator?.userAgent) return g.navigator.userAgent;
  return 'unknown';
}
