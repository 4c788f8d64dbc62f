/**
 * The tutorial's claims about activation functions, each turned into a measurement. A claim that does not hold as
 * stated is a finding, reported with its numbers, not an error.
 * @module
 */
import type { Engine } from '../engine.js';
import type { ActivationSpec } from '../activation-table.js';
import type { Network, NetworkBuilder } from '../network.js';
import type { LabData } from './experiment.js';
import { InvalidArgumentError } from '../errors.js';
import { xorshift32Uniform } from '../util/random.js';
import { xorTruthTable } from '../util/xor.js';

/** A series for a chart: x values and y values. */
export interface Series { readonly name: string; readonly x: number[]; readonly y: number[] }

/** A chart of a claim's report section. */
export interface ClaimChart {
  readonly title: string;
  readonly xLabel: string;
  readonly yLabel: string;
  readonly logY?: boolean;
  readonly caption?: string;
  readonly series: Series[];
}

/** What checking one claim measured at one seed. */
interface ClaimRun {
  readonly id: number;
  readonly title: string;
  readonly statement: string;
  readonly holds: boolean;
  readonly summary: string;
  readonly numbers: Record<string, number | string>;
  readonly charts: ClaimChart[];
}

/** Smallest, median and largest value of one measured number over the seeds. */
export interface Spread { readonly min: number; readonly median: number; readonly max: number }

/** What checking one claim measured, over several seeds. */
export interface ClaimResult {
  readonly id: number;
  readonly title: string;
  /** The claim as the tutorial states it. */
  readonly statement: string;
  /**
   * The verdict over the seeds: the claim holds when the measurement supports it at a majority of them (3 of 5), so
   * one unlucky initialization does not flip it. `holdsAt` has the verdict per seed.
   */
  readonly holds: boolean;
  /** One-line verdict with the numbers of the first seed and the count of seeds at which the claim held. */
  readonly summary: string;
  /** The measured numbers of the first seed, by name (`spread` has them over every seed). */
  readonly numbers: Record<string, number | string>;
  /** The seeds of initialization and shuffling the claim was checked at (the data split stays the same). */
  readonly seeds: readonly number[];
  /** Whether the measurement supported the claim at each seed (same order as `seeds`). */
  readonly holdsAt: readonly boolean[];
  /** Every numeric entry of `numbers` over the seeds. */
  readonly spread: Readonly<Record<string, Spread>>;
  /** Data for the report's charts (from the first seed). */
  readonly charts: ClaimChart[];
}

/** Options of the claim checks. */
export interface ClaimOptions {
  /** Real data for the training claims (the digits by default). */
  readonly data: LabData;
  /** The first seed; the others follow it (seed + 1, seed + 2, ...). */
  readonly seed: number;
  /** How many seeds each claim runs at (default 5); the verdict is the majority. */
  readonly seeds?: number;
  /** Epochs of the training claims (kept small so `rectify claims` runs in seconds). */
  readonly epochs: number;
}

/** One seed's options, with a cache for the parts of a claim that do not depend on the seed. */
interface RunOptions extends ClaimOptions { readonly cache: Map<string, unknown> }

type Claim = (engine: Engine, o: RunOptions) => Promise<ClaimRun>;

function linspace(lo: number, hi: number, n: number): Float32Array {
  return Float32Array.from({ length: n }, (_, i) => lo + ((hi - lo) * i) / (n - 1));
}

async function trainXor(engine: Engine, act: ActivationSpec, seed: number): Promise<number> {
  const { x, y } = xorTruthTable();
  let b: NetworkBuilder<number, number> = engine.network({ inputs: 2, seed }).dense(8, act);
  if ((act as { name: string }).name === 'linear') b = b.dense(8, act);
  const net = b.dense(2, 'softmax').build({ loss: 'crossEntropy', optimizer: { name: 'adam', learningRate: 0.05 } });
  try {
    await net.fit(x, y, { epochs: 400, batchSize: 4 });
    return net.evaluate(x, y).accuracy!;
  } finally { net.dispose(); }
}

async function trainData(engine: Engine, o: ClaimOptions, act: ActivationSpec, layers: number[], opt: { lr?: number; epochs?: number; optimizer?: 'sgd' | 'adam'; bias?: number } = {}) {
  let b: NetworkBuilder<number, number> = engine.network({ inputs: o.data.inputs, seed: o.seed });
  for (const u of layers) b = b.dense(u, act);
  const net = b.dense(o.data.classes, 'softmax').build({
    loss: 'crossEntropy', optimizer: { name: opt.optimizer ?? 'adam', learningRate: opt.lr ?? 0.003 },
  });
  if (opt.bias) net.parameters().filter((p) => p.name.endsWith('.bias') && p.name !== `dense${layers.length}.bias`).forEach((p) => p.data.fill(opt.bias!));
  const accs: number[] = [];
  const history = await net.fit(o.data.trainX, o.data.trainY, {
    epochs: opt.epochs ?? o.epochs, batchSize: 32, validationData: [o.data.testX, o.data.testY],
    onEpochEnd: (l) => { accs.push(l.valAccuracy ?? 0); },
  });
  return { net, history, accs, test: net.evaluate(o.data.testX, o.data.testY).accuracy! };
}

const claim1: Claim = async (engine, o) => {
  // Two linear layers equal one with W = W1 W2, b = b1 W2 + b2 (W stored [in, out]).
  const net = engine.network({ inputs: 5, seed: o.seed }).dense(7, 'linear').dense(3, 'linear').build({ loss: 'mse' });
  const [W1, b1, W2, b2] = net.parameters().map((p) => Float64Array.from(p.data));
  const W = new Float64Array(5 * 3), b = new Float64Array(3);
  for (let i = 0; i < 5; i++) for (let j = 0; j < 3; j++) { let s = 0; for (let k = 0; k < 7; k++) s += W1![i * 7 + k]! * W2![k * 3 + j]!; W[i * 3 + j] = s; }
  for (let j = 0; j < 3; j++) { let s = b2![j]!; for (let k = 0; k < 7; k++) s += b1![k]! * W2![k * 3 + j]!; b[j] = s; }
  const one = engine.network({ inputs: 5, seed: o.seed }).dense(3, 'linear').build({ loss: 'mse' });
  one.parameters()[0]!.data.set(W); one.parameters()[1]!.data.set(b);
  const r = xorshift32Uniform(o.seed + 1);
  const x = Float32Array.from({ length: 1000 * 5 }, () => r() * 4 - 2);
  const y2 = net.predict(x), y1 = one.predict(x);
  let maxDiff = 0, maxAbs = 0;
  for (let i = 0; i < y1.length; i++) { maxDiff = Math.max(maxDiff, Math.abs(y1[i]! - y2[i]!)); maxAbs = Math.max(maxAbs, Math.abs(y2[i]!)); }
  net.dispose(); one.dispose();
  const linAcc = await trainXor(engine, { name: 'linear' }, o.seed);
  const reluAcc = await trainXor(engine, { name: 'relu' }, o.seed);
  const holds = maxDiff <= 1e-5 * Math.max(1, maxAbs) && linAcc <= 0.75 && reluAcc === 1;
  return {
    id: 1, title: 'Linear layers collapse into one', holds,
    statement: 'Two linear layers equal one with W = W2 W1, b = W2 b1 + b2; a linear network cannot fit XOR, a relu one can.',
    summary: `max |two layers - one layer| = ${maxDiff.toExponential(2)} on 1000 random inputs (outputs up to ${maxAbs.toFixed(2)}, f32 rounding); XOR accuracy: linear ${pct(linAcc)}, relu ${pct(reluAcc)}`,
    numbers: { maxDifference: maxDiff, xorAccuracyLinear: linAcc, xorAccuracyRelu: reluAcc },
    charts: [],
  };
};

const claim2: Claim = async (engine, o) => {
  const xs = linspace(-8, 8, 16001);
  const d = engine.activation('sigmoid').derivative(xs);
  let best = 0, at = 0;
  d.forEach((v, i) => { if (v > best) { best = v; at = xs[i]!; } });
  // Per-layer gradient norms of a 10-layer network at initialization, on one batch of real data.
  const depth = 10, width = 32;
  const norms: Record<string, number[]> = {};
  const x = o.data.trainX.subarray(0, 128 * o.data.inputs), y = o.data.trainY.subarray(0, 128);
  for (const act of ['sigmoid', 'relu', 'leakyRelu', 'elu'] as const) {
    let b: NetworkBuilder<number, number> = engine.network({ inputs: o.data.inputs, seed: o.seed });
    for (let l = 0; l < depth; l++) b = b.dense(width, act);
    const net = b.dense(o.data.classes, 'softmax').build({ loss: 'crossEntropy', capacity: 128 });
    const { gradients } = net.lossAndGradients(x, y);
    const names = net.parameters().map((p) => p.name);
    norms[act] = [];
    for (let l = 0; l < depth; l++) {
      const g = gradients[names.indexOf(`dense${l}.weight`)]!;
      norms[act]!.push(Math.sqrt(g.reduce((s, v) => s + v * v, 0)));
    }
    net.dispose();
  }
  const ratio = (a: number[]) => a[0]! / a[a.length - 1]!;
  // Geometric shrink: the log-norms fall on a line of negative slope toward the input.
  const sig = norms.sigmoid!;
  const perLayer = Math.exp((Math.log(sig[0]!) - Math.log(sig[depth - 1]!)) / (depth - 1));
  const holds = Math.abs(best - 0.25) < 1e-6 && Math.abs(at) < 1e-3 && ratio(sig) < 1e-2 &&
    ['relu', 'leakyRelu', 'elu'].every((a) => ratio(norms[a]!) > 0.1);
  return {
    id: 2, title: 'Vanishing gradients in deep sigmoid networks', holds,
    statement: "sigmoid'(x) = s(1 - s) peaks at 1/4 at x = 0; in a 10-layer sigmoid network the gradient norms shrink geometrically toward the input, unlike relu, leakyRelu and elu.",
    summary: `max sigmoid' = ${best.toFixed(7)} at x = ${at}; first/last layer gradient norm: sigmoid ${ratio(sig).toExponential(2)} (x${perLayer.toFixed(3)} per layer), relu ${ratio(norms.relu!).toFixed(2)}, leakyRelu ${ratio(norms.leakyRelu!).toFixed(2)}, elu ${ratio(norms.elu!).toFixed(2)}`,
    numbers: { maxDerivative: best, argmax: at, sigmoidRatio: ratio(sig), sigmoidPerLayerFactor: perLayer, reluRatio: ratio(norms.relu!), leakyReluRatio: ratio(norms.leakyRelu!), eluRatio: ratio(norms.elu!) },
    charts: [{
      title: 'Gradient norm per layer at initialization (10 layers of 32, digits)', xLabel: 'layer (1 = input side)', yLabel: '||dL/dW||', logY: true,
      series: Object.entries(norms).map(([name, v]) => ({ name, x: v.map((_, i) => i + 1), y: v })),
    }],
  };
};

const claim3: Claim = async (engine, o) => {
  const a = await trainData(engine, o, { name: 'relu', subgradient: 0 }, [64, 64]);
  const b = await trainData(engine, o, { name: 'relu', subgradient: 1 }, [64, 64]);
  a.net.dispose(); b.net.dispose();
  const diff = Math.abs(a.test - b.test);
  return {
    id: 3, title: "relu'(0): 0 or 1 does not matter in practice", holds: diff <= 0.01,
    statement: "relu is not differentiable at 0, and the choice of f'(0) (0 or 1) does not matter in practice.",
    summary: `test accuracy with f'(0) = 0: ${pct(a.test)}, with f'(0) = 1: ${pct(b.test)} (difference ${(diff * 100).toFixed(2)} points)`,
    numbers: { testAccuracySubgradient0: a.test, testAccuracySubgradient1: b.test, difference: diff },
    charts: [{ title: "Test accuracy per epoch, relu with f'(0) = 0 and 1", xLabel: 'epoch', yLabel: 'test accuracy', series: [
      { name: "f'(0) = 0", x: a.accs.map((_, i) => i + 1), y: a.accs }, { name: "f'(0) = 1", x: b.accs.map((_, i) => i + 1), y: b.accs }] }],
  };
};

const claim4: Claim = async (engine, o) => {
  // Two ways to kill relu units: a large learning rate, and a negative bias at initialization.
  const scenarios = [
    { label: 'Adam lr 0.05', lr: 0.05, bias: 0 },
    { label: 'bias -1 at init, Adam lr 0.003', lr: 0.003, bias: -1 },
  ];
  const dead: Record<string, number> = {};
  const curves: Series[] = [];
  let alphas: number[] = [];
  let diverged = false;
  for (const sc of scenarios) {
    for (const act of ['relu', 'leakyRelu', 'prelu'] as const) {
      const run = await trainData(engine, o, { name: act }, [64, 64], { lr: sc.lr, optimizer: 'adam', bias: sc.bias });
      const last = run.history.epochs[run.history.epochs.length - 1]!;
      if (!Number.isFinite(last.loss)) diverged = true;
      const key = `${act} (${sc.label})`;
      dead[key] = (last.deadFraction[0]! + last.deadFraction[1]!) / 2;
      curves.push({ name: key, x: run.history.epochs.map((e) => e.epoch + 1), y: run.history.epochs.map((e) => (e.deadFraction[0]! + e.deadFraction[1]!) / 2) });
      if (act === 'prelu' && sc.bias === 0) alphas = last.activationParams.slice(0, 2).map((p) => p.alpha as number);
      run.net.dispose();
    }
  }
  const [a, b] = scenarios.map((sc) => sc.label);
  const holds = !diverged && dead[`relu (${a})`]! > 0 && dead[`relu (${b})`]! > 0 &&
    Object.entries(dead).filter(([k]) => !k.startsWith('relu ')).every(([, v]) => v === 0);
  return {
    id: 4, title: 'Dying relu', holds,
    statement: 'With a large learning rate or a negative bias, a measurable fraction of relu units become permanently inactive; leakyRelu and prelu keep none dead, and prelu learns its slopes.',
    summary: `fraction of hidden units with zero gradient on every probe row after ${o.epochs} epochs — ${scenarios.map((sc) => `${sc.label}: relu ${pct(dead[`relu (${sc.label})`]!)}, leakyRelu ${pct(dead[`leakyRelu (${sc.label})`]!)}, prelu ${pct(dead[`prelu (${sc.label})`]!)}`).join('; ')}; prelu learned alpha = ${alphas.map((v) => v.toFixed(3)).join(', ')} (init 0.25)${diverged ? '; a run diverged (NaN loss)' : ''}`,
    numbers: { ...Object.fromEntries(Object.entries(dead).map(([k, v]) => [`dead ${k}`, v])), preluAlphas: alphas.map((v) => v.toFixed(4)).join(' ') },
    charts: [{ title: 'Dead-unit fraction per epoch', xLabel: 'epoch', yLabel: 'fraction of dead units', series: curves }],
  };
};

const claim5: Claim = async (engine, o) => {
  const target = 0.9;
  const runs: Record<string, { accs: number[]; test: number }> = {};
  for (const act of ['sigmoid', 'tanh'] as const) {
    const r = await trainData(engine, o, { name: act }, [64, 64], { optimizer: 'sgd', lr: 0.1 });
    runs[act] = { accs: r.accs, test: r.test };
    r.net.dispose();
  }
  const reach = (a: number[]) => { const i = a.findIndex((v) => v >= target); return i < 0 ? null : i + 1; };
  const es = reach(runs.sigmoid!.accs), et = reach(runs.tanh!.accs);
  const holds = et !== null && (es === null || et <= es);
  return {
    id: 5, title: 'tanh trains faster than sigmoid', holds,
    statement: 'tanh is "sometimes used instead of sigmoid": it trains faster on the same network (zero-centred outputs).',
    summary: `epochs to ${pct(target)} test accuracy (SGD, lr 0.1): sigmoid ${es ?? 'not reached'}, tanh ${et ?? 'not reached'}; final test accuracy sigmoid ${pct(runs.sigmoid!.test)}, tanh ${pct(runs.tanh!.test)}`,
    numbers: { epochsSigmoid: es ?? 'not reached', epochsTanh: et ?? 'not reached', testSigmoid: runs.sigmoid!.test, testTanh: runs.tanh!.test },
    charts: [{ title: 'Test accuracy per epoch (SGD, lr 0.1)', xLabel: 'epoch', yLabel: 'test accuracy', series: Object.entries(runs).map(([n, r]) => ({ name: n, x: r.accs.map((_, i) => i + 1), y: r.accs })) }],
  };
};

/**
 * Number of linear pieces of a relu network along a segment: changes of the activation pattern over a fine sampling.
 * (Same f64 arithmetic in the same order as a plain per-sample evaluation; only the pattern bookkeeping is typed.)
 */
function countRegions(net: Network, depth: number, samples: number, seed: number): number {
  const ps = net.parameters();
  const r = xorshift32Uniform(seed);
  const a = [r() * 4 - 2, r() * 4 - 2], b = [r() * 4 - 2, r() * 4 - 2];
  const layers = Array.from({ length: depth }, (_, l) => ({ W: ps[2 * l]!.data, bias: ps[2 * l + 1]!.data, out: ps[2 * l]!.shape[1]! }));
  const units = layers.reduce((n, l) => n + l.out, 0);
  const widest = Math.max(2, ...layers.map((l) => l.out));
  let prev = new Uint8Array(units), cur = new Uint8Array(units);
  let h = new Float64Array(widest), z = new Float64Array(widest);
  let regions = 0;
  for (let s = 0; s < samples; s++) {
    const t = s / (samples - 1);
    h[0] = a[0]! + (b[0]! - a[0]!) * t;
    h[1] = a[1]! + (b[1]! - a[1]!) * t;
    let width = 2, k = 0;
    for (const { W, bias, out } of layers) {
      for (let j = 0; j < out; j++) {
        let v = bias[j]!;
        for (let i = 0; i < width; i++) v += h[i]! * W[i * out + j]!;
        z[j] = v;
        cur[k++] = v > 0 ? 1 : 0;
      }
      for (let j = 0; j < out; j++) z[j] = Math.max(0, z[j]!);
      [h, z] = [z, h];
      width = out;
    }
    let same = s > 0;
    for (let i = 0; same && i < units; i++) same = cur[i] === prev[i];
    if (!same) regions++;
    [prev, cur] = [cur, prev];
  }
  return regions;
}

const claim6: Claim = async (engine, o) => {
  const width = 16, samples = 20000;
  const counts: number[] = [];
  for (let depth = 1; depth <= 6; depth++) {
    let total = 0;
    for (let rep = 0; rep < 5; rep++) {
      let b: NetworkBuilder<number, number> = engine.network({ inputs: 2, seed: o.seed + rep });
      for (let l = 0; l < depth; l++) b = b.dense(width, 'relu');
      const net = b.dense(1, 'linear').build({ loss: 'mse' });
      // Random biases so that the hyperplanes do not all pass through the origin.
      const rb = xorshift32Uniform(o.seed * 31 + rep);
      net.parameters().filter((p) => p.name.endsWith('.bias')).forEach((p) => p.data.forEach((_, i, d) => { d[i] = rb() - 0.5; }));
      total += countRegions(net, depth, samples, o.seed + 100 * rep);
      net.dispose();
    }
    counts.push(total / 5);
  }
  const increasing = counts.every((c, i) => i === 0 || c >= counts[i - 1]!);
  return {
    id: 6, title: 'Deeper relu networks carve more linear pieces', holds: increasing && counts[5]! > counts[0]!,
    statement: 'Deeper relu networks carve the input into more linear pieces (counted along a line through input space, fixed width).',
    summary: `linear pieces along a random segment (width ${width}, mean of 5 random networks): ${counts.map((c, i) => `depth ${i + 1}: ${c.toFixed(1)}`).join(', ')}`,
    numbers: Object.fromEntries(counts.map((c, i) => [`depth${i + 1}`, c])),
    charts: [{ title: `Linear pieces along a line vs depth (width ${width})`, xLabel: 'depth', yLabel: 'linear pieces', series: [{ name: 'relu', x: counts.map((_, i) => i + 1), y: counts }] }],
  };
};

const claim7: Claim = async (engine, o) => {
  const xs = linspace(-4, 4, 801);
  const sig = engine.activation('sigmoid').forward(xs), relu = engine.activation('relu').forward(xs);
  type Fit = { k: number; alpha: number; domain: string; rmse: number };
  // The grid search does not depend on the seed: once per checkClaims call.
  const cached = o.cache.get('claim7.best') as Record<string, Fit> | undefined;
  const best: Record<string, Fit> = cached ?? {};
  if (!cached) o.cache.set('claim7.best', best);
  if (!cached) for (const domain of ['clamp', 'sigmoid'] as const) {
    for (let k = 0.05; k <= 4.001; k += 0.05) {
      for (let a = 0.05; a <= 0.951; a += 0.05) {
        const act = engine.activation({ name: 'sbaf', k, alpha: a, domain } as never);
        const y = act.forward(xs);
        act.dispose();
        for (const [target, ref] of [['sigmoid', sig], ['relu', relu]] as const) {
          let s = 0;
          for (let i = 0; i < xs.length; i++) s += (y[i]! - ref[i]!) ** 2;
          const rmse = Math.sqrt(s / xs.length);
          if (!best[target] || rmse < best[target]!.rmse) best[target] = { k, alpha: a, domain, rmse };
        }
      }
    }
  }
  const bs = best.sigmoid!, br = best.relu!;
  const run = await trainData(engine, o, { name: 'sbaf', domain: 'sigmoid' } as never, [64]);
  run.net.dispose();
  const curve = (f: Fit) => { const a = engine.activation({ name: 'sbaf', k: f.k, alpha: f.alpha, domain: f.domain } as never); const y = a.forward(xs); a.dispose(); return Array.from(y); };
  return {
    id: 7, title: 'SBAF approximates sigmoid and relu', holds: bs.rmse < 0.05 && br.rmse < 0.05,
    statement: 'SBAF 1/(1 + k x^alpha (1-x)^(1-alpha)) "can approximate the sigmoid and the ReLU under certain conditions".',
    summary: `best fit on [-4, 4]: to sigmoid RMSE ${bs.rmse.toFixed(4)} (k ${bs.k.toFixed(2)}, alpha ${bs.alpha.toFixed(2)}, domain ${bs.domain}); to relu RMSE ${br.rmse.toFixed(4)} (k ${br.k.toFixed(2)}, alpha ${br.alpha.toFixed(2)}, domain ${br.domain}) — SBAF is bounded by 1/(1+0) = 1, relu is not; trained on digits: test accuracy ${pct(run.test)}`,
    numbers: { sigmoidRmse: bs.rmse, sigmoidK: bs.k, sigmoidAlpha: bs.alpha, sigmoidDomain: bs.domain, reluRmse: br.rmse, reluK: br.k, reluAlpha: br.alpha, reluDomain: br.domain, digitsTestAccuracy: run.test },
    charts: [{ title: 'Best SBAF fits on [-4, 4]', xLabel: 'x', yLabel: 'y', series: [
      { name: 'sigmoid', x: Array.from(xs), y: Array.from(sig) }, { name: 'relu', x: Array.from(xs), y: Array.from(relu) },
      { name: 'SBAF fit to sigmoid', x: Array.from(xs), y: curve(bs) }, { name: 'SBAF fit to relu', x: Array.from(xs), y: curve(br) }] }],
  };
};

const claim8: Claim = async (engine, o) => {
  const xs = linspace(-2, 2, 4001);
  const relu = engine.activation('relu').forward(xs);
  const ns = [3, 2, 1.5, 1.2, 1.1, 1.01, 1];
  const errs = ns.map((n) => {
    const a = engine.activation({ name: 'arelu', k: 1, n } as never);
    const y = a.forward(xs);
    a.dispose();
    return y.reduce((m, v, i) => Math.max(m, Math.abs(v - relu[i]!)), 0);
  });
  // Slope just right of 0: k n x^(n-1) -> 0 for n > 1 (smooth), k for n = 1 (kink), infinite for n < 1.
  const slopes = [0.5, 1, 1.5, 2].map((n) => {
    const a = engine.activation({ name: 'arelu', k: 1, n } as never);
    const d = a.derivative(Float32Array.from([1e-6]))[0]!;
    a.dispose();
    return [n, d] as const;
  });
  const run = await trainData(engine, o, { name: 'arelu' } as never, [64]);
  run.net.dispose();
  const decreasing = errs.every((e, i) => i === 0 || e <= errs[i - 1]! + 1e-7);
  return {
    id: 8, title: 'A-ReLU k x^n approximates relu and is smooth at 0 for n > 1', holds: decreasing && errs[errs.length - 1]! === 0,
    statement: 'A-ReLU k x^n approximates relu while being differentiable everywhere.',
    summary: `max |arelu - relu| on [-2, 2] (k = 1): ${ns.map((n, i) => `n ${n}: ${errs[i]!.toPrecision(3)}`).join(', ')}; slope at x = 1e-6: ${slopes.map(([n, d]) => `n ${n}: ${d.toPrecision(3)}`).join(', ')} (differentiable at 0 only for n > 1, and then it is not relu); digits test accuracy ${pct(run.test)}`,
    numbers: { ...Object.fromEntries(ns.map((n, i) => [`maxErrorN${n}`, errs[i]!])), digitsTestAccuracy: run.test },
    charts: [{ title: 'max |A-ReLU - relu| on [-2, 2] as n -> 1', xLabel: 'n', yLabel: 'max error', series: [{ name: 'k = 1', x: ns, y: errs }] }],
  };
};

const claim9: Claim = async (engine, o) => {
  const alpha = 1;
  const far = engine.activation({ name: 'elu', alpha }).forward(Float32Array.from([-5, -10, -20, -40]));
  // Mean activation of the first hidden layer on real data, after training, elu vs relu.
  const means: Record<string, number> = {};
  for (const act of ['elu', 'relu'] as const) {
    const run = await trainData(engine, o, { name: act }, [64]);
    const [W, b] = run.net.parameters();
    const rows = Math.min(500, o.data.trainX.length / o.data.inputs), out = W!.shape[1]!;
    const z = new Float32Array(rows * out);
    for (let r = 0; r < rows; r++) for (let j = 0; j < out; j++) {
      let s = b!.data[j]!;
      for (let i = 0; i < o.data.inputs; i++) s += o.data.trainX[r * o.data.inputs + i]! * W!.data[i * out + j]!;
      z[r * out + j] = s;
    }
    const y = engine.activation(act).forward(z);
    means[act] = y.reduce((s, v) => s + v, 0) / y.length;
    run.net.dispose();
  }
  const holds = Math.abs(far[3]! + alpha) < 1e-6 && Math.abs(means.elu!) < Math.abs(means.relu!);
  return {
    id: 9, title: 'ELU saturates to -alpha and keeps activations nearer zero', holds,
    statement: 'ELU saturates smoothly to -alpha and keeps mean activations nearer zero than relu.',
    summary: `elu(-5, -10, -20, -40) = ${Array.from(far).map((v) => v.toFixed(6)).join(', ')} (alpha ${alpha}); mean first-layer activation after training: elu ${means.elu!.toFixed(4)}, relu ${means.relu!.toFixed(4)}`,
    numbers: { eluAtMinus40: far[3]!, meanElu: means.elu!, meanRelu: means.relu! },
    charts: [],
  };
};

/** Every claim check, in the tutorial's order. */
const CLAIMS: readonly Claim[] = [claim1, claim2, claim3, claim4, claim5, claim6, claim7, claim8, claim9];

/** The claims' numbers, 1 to 9 in the tutorial's order. */
export const CLAIM_IDS: readonly number[] = CLAIMS.map((_, i) => i + 1);

function median(sorted: readonly number[]): number {
  const m = sorted.length >> 1;
  return sorted.length % 2 ? sorted[m]! : (sorted[m - 1]! + sorted[m]!) / 2;
}

/** Checks one claim (1-9) at `o.seeds` seeds (default 5) starting at `o.seed`; the verdict is the majority. */
export async function checkClaim(engine: Engine, id: number, o: ClaimOptions): Promise<ClaimResult> {
  return runClaim(engine, id, o, new Map());
}

async function runClaim(engine: Engine, id: number, o: ClaimOptions, cache: Map<string, unknown>): Promise<ClaimResult> {
  const claim = CLAIMS[id - 1];
  if (!Number.isInteger(id) || !claim) throw new InvalidArgumentError(`claim ${id} does not exist; claims are 1 to ${CLAIMS.length}`);
  const count = o.seeds ?? 5;
  if (!Number.isInteger(count) || count < 1 || count > 100) throw new InvalidArgumentError(`seeds must be a whole number in [1, 100], got ${count}`);
  const seeds = Array.from({ length: count }, (_, i) => (o.seed + i) >>> 0);
  const runs: ClaimRun[] = [];
  for (const seed of seeds) runs.push(await claim(engine, { ...o, seed, cache }));
  const first = runs[0]!;
  const holdsAt = runs.map((r) => r.holds);
  const held = holdsAt.filter(Boolean).length;
  const spread: Record<string, Spread> = {};
  for (const [key, v] of Object.entries(first.numbers)) {
    if (typeof v !== 'number') continue;
    const values = runs.map((r) => r.numbers[key]).filter((x): x is number => typeof x === 'number').sort((a, b) => a - b);
    spread[key] = { min: values[0]!, median: median(values), max: values[values.length - 1]! };
  }
  const seedText = count === 1 ? `seed ${seeds[0]}` : `seeds ${seeds[0]}-${seeds[count - 1]}`;
  return {
    id: first.id, title: first.title, statement: first.statement, charts: first.charts, numbers: first.numbers,
    holds: held * 2 > count, seeds, holdsAt, spread,
    summary: `${first.summary} (seed ${seeds[0]}); holds at ${held} of ${count} ${count === 1 ? 'seed' : 'seeds'} (${seedText})`,
  };
}

/**
 * Runs every claim check at `o.seeds` seeds (default 5) starting at `o.seed`; `onResult` is called as each finishes.
 * A claim holds when it holds at a majority of the seeds; each result lists the verdict per seed and the spread
 * (min, median, max) of every measured number.
 */
export async function checkClaims(engine: Engine, o: ClaimOptions, onResult?: (r: ClaimResult) => void): Promise<ClaimResult[]> {
  const out: ClaimResult[] = [];
  const cache = new Map<string, unknown>();
  for (const id of CLAIM_IDS) {
    const r = await runClaim(engine, id, o, cache);
    out.push(r);
    onResult?.(r);
  }
  return out;
}

const NUMBER_NAMES: Readonly<Record<string, string>> = {
  maxDifference: 'max |two layers - one layer|',
  xorAccuracyLinear: 'XOR accuracy, linear network',
  xorAccuracyRelu: 'XOR accuracy, relu network',
  maxDerivative: "max sigmoid'(x)",
  argmax: "x where sigmoid' peaks",
  sigmoidRatio: 'gradient norm first / last layer, sigmoid',
  sigmoidPerLayerFactor: 'gradient shrink per layer, sigmoid',
  reluRatio: 'gradient norm first / last layer, relu',
  leakyReluRatio: 'gradient norm first / last layer, leakyRelu',
  eluRatio: 'gradient norm first / last layer, elu',
  testAccuracySubgradient0: "test accuracy, relu'(0) = 0",
  testAccuracySubgradient1: "test accuracy, relu'(0) = 1",
  difference: 'difference of the two accuracies',
  preluAlphas: 'alpha prelu learned (layer 1, layer 2)',
  epochsSigmoid: 'epochs to 90% test accuracy, sigmoid',
  epochsTanh: 'epochs to 90% test accuracy, tanh',
  testSigmoid: 'final test accuracy, sigmoid',
  testTanh: 'final test accuracy, tanh',
  sigmoidRmse: 'RMSE of the best fit to sigmoid',
  sigmoidK: 'k of the best fit to sigmoid',
  sigmoidAlpha: 'alpha of the best fit to sigmoid',
  sigmoidDomain: 'domain of the best fit to sigmoid',
  reluRmse: 'RMSE of the best fit to relu',
  reluK: 'k of the best fit to relu',
  reluAlpha: 'alpha of the best fit to relu',
  reluDomain: 'domain of the best fit to relu',
  digitsTestAccuracy: 'test accuracy on the digits',
  eluAtMinus40: 'elu(-40), alpha 1',
  meanElu: 'mean first-layer activation, elu',
  meanRelu: 'mean first-layer activation, relu',
};

/** A readable name for a key of {@link ClaimResult.numbers} (`maxErrorN1.5` is "max |arelu - relu|, n = 1.5"). */
export function describeNumber(key: string): string {
  const named = NUMBER_NAMES[key];
  if (named !== undefined) return named;
  let m = /^maxErrorN(.+)$/.exec(key);
  if (m) return `max |arelu - relu|, n = ${m[1]}`;
  m = /^depth(\d+)$/.exec(key);
  if (m) return `linear pieces at depth ${m[1]}`;
  m = /^dead (\S+) \((.+)\)$/.exec(key);
  if (m) return `dead units, ${m[1]} (${m[2]})`;
  return key;
}

function pct(v: number): string { return `${(v * 100).toFixed(1)}%`; }
