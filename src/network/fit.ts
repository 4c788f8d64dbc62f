/**
 * `fit`: mini-batch training over data held in wasm memory for the whole run, with shuffling by the network's
 * seeded generator, validation, early stopping, callbacks, abort, yielding to the event loop, per-epoch diagnostics,
 * and divergence detection that puts back the last finite state.
 * @module
 */
import { InvalidArgumentError, TrainingAbortedError, TrainingDivergedError } from '../errors.js';
import { plainParams, probeUnits } from './diagnostics.js';
import { checkFitOptions, type CheckedFit } from './options.js';
import { permuteRows, permuteTargets, prepareTargets, rowsOf, rowWeights, sliceTargets, stratifiedOrder, type PreparedTargets } from './targets.js';
import type { NetworkState } from './state.js';
import { readLearningRate, Scheduler, writeLearningRate } from './schedule.js';
import { checkMetrics, checkMetricTargets, computeMetrics, type MetricName } from './metrics.js';
import { trainingStats } from './metadata.js';
import type { EpochLog, FitOptions, History, ParameterView, Targets, TrainingStats } from './types.js';

/** A checked fit call: its options, training rows and targets, and validation set. */
export interface FitJob {
  readonly o: CheckedFit;
  readonly x: Float32Array;
  readonly trainRows: number;
  readonly allT: PreparedTargets;
  readonly batch: number;
  readonly val: { x: Float32Array; rows: number; t: PreparedTargets } | undefined;
  readonly metrics: readonly MetricName[];
  /** Loss weight of each training row (sampleWeight times classWeight), in the order of x. */
  readonly weights: Float32Array | undefined;
}

/** What the training loop needs of the public network: its liveness check and its parameter views. */
export interface FitHost {
  /** Throws when the network or its engine was disposed (called after every await). */
  check(): void;
  parameters(): ParameterView[];
  /** Keeps the statistics of the training rows (net.metadata.featureStats), recorded when training starts. */
  recordStats(s: TrainingStats): void;
}

/** Checks fit's arguments and sizes the row buffers for the batch; changes nothing else. */
export function prepareFit(st: NetworkState, x: Float32Array, y: Targets, options: FitOptions): FitJob {
  // x is reordered (a copy) for a stratified split; the caller's array is never written.
  const { inputs, outputs, loss } = st.settings;
  const o = checkFitOptions(options);
  const allRows = rowsOf(x, inputs, 'x');
  let allT = prepareTargets(y, allRows, outputs, loss);
  let weights = rowWeights(o.sampleWeight, o.classWeight, allRows, allT, outputs);
  let trainRows = allRows;
  let val: FitJob['val'];
  if (o.validationData) {
    const [vx, vy] = o.validationData;
    const vr = rowsOf(vx, inputs, 'validationData x');
    val = { x: vx, rows: vr, t: prepareTargets(vy, vr, outputs, loss) };
  } else if (o.validationSplit > 0) {
    let vr = Math.floor(allRows * o.validationSplit);
    // Stratified (the default where the targets are classes): each class keeps its share in both parts.
    if (o.validationSplitMode === 'stratified' && allT.classes) {
      const s = stratifiedOrder(allT.classes, o.validationSplit, st.settings.seed);
      vr = s.valRows;
      if (vr >= 1 && vr < allRows) {
        x = permuteRows(x, s.order, inputs); allT = permuteTargets(allT, s.order, outputs);
        if (weights) weights = permuteRows(weights, s.order, 1);
      }
    }
    if (vr < 1 || vr >= allRows) throw new InvalidArgumentError(`validationSplit ${o.validationSplit} leaves no rows for ${vr < 1 ? 'validation' : 'training'} (${allRows} rows, ${o.validationSplitMode} split)`);
    trainRows = allRows - vr;
    val = { x: x.subarray(trainRows * inputs), rows: vr, t: sliceTargets(allT, trainRows, allRows, outputs) };
  }
  const metrics = o.metrics === undefined ? [] : checkMetrics(o.metrics, outputs);
  checkMetricTargets(metrics, allT, 'training');
  if (val) checkMetricTargets(metrics, val.t, 'validation');
  const batch = Math.min(o.batchSize, trainRows);
  st.ensureCapacity(batch);
  return { o, x, trainRows, allT, batch, val, metrics, weights };
}

/** Runs the epochs of a prepared fit. The caller holds the network's lock while this runs. */
export async function runFit(st: NetworkState, job: FitJob, host: FitHost): Promise<History> {
  const { o, x, trainRows, allT, batch, val, metrics, weights } = job;
  const { inputs, outputs } = st.settings;
  // The data set lives in wasm memory for the whole fit: shuffling gathers rows there, no per-batch JS copies.
  const arena = st.core.arena;
  const fx = st.fx;
  const temps: number[] = [];
  const take = (bytes: number) => { const p = arena.alloc(bytes); temps.push(p); return p; };
  const history: History = { epochs: [], stoppedEarly: false };
  try {
    const xs = take(trainRows * inputs * 4);
    arena.f32.set(x.subarray(0, trainRows * inputs), xs >> 2);
    host.recordStats(trainingStats(st.core, xs, trainRows, inputs));
    const idx = take(trainRows * 4);
    let ts = 0, ls = 0;
    if (allT.labels) { ls = take(trainRows * 4); new Int32Array(arena.memory.buffer).set(allT.labels.subarray(0, trainRows), ls >> 2); }
    else { ts = take(trainRows * outputs * 4); arena.f32.set(allT.targets!.subarray(0, trainRows * outputs), ts >> 2); }
    const trainT = sliceTargets(allT, 0, trainRows, outputs);
    let ws = 0;
    if (weights) { ws = take(trainRows * 4); arena.f32.set(weights.subarray(0, trainRows), ws >> 2); }
    // Class ids for the running accuracy (the output of each step's forward pass, before its update, as Keras does).
    let cs = 0;
    if (trainT.classes) { cs = take(trainRows * 4); new Int32Array(arena.memory.buffer).set(trainT.classes, cs >> 2); }
    let best = Infinity, bestEpoch = -1, wait = 0;
    let bestWeights: Float32Array[] | undefined;
    let lastYield = now();
    const recheck = () => host.check();
    const sched = o.schedule ? new Scheduler(o.schedule, readLearningRate(st), st.schedule) : undefined;
    const aborted = () => new TrainingAbortedError('training aborted by its AbortSignal; weights are as after the last batch', history);
    for (let epoch = 0; epoch < o.epochs; epoch++) {
      // The last finite state (weights, activation parameters, optimizer moments and step counters, generator):
      // one copy per epoch, put back if this epoch diverges.
      const saved = st.stateBlocks();
      const diverged = (what: string) => {
        st.restoreState(saved);
        return new TrainingDivergedError(`training diverged in epoch ${epoch}: ${what}; weights reset to the epoch's start. Lower the learning rate, set clipNorm or scale x`, history);
      };
      const t0 = now();
      if (sched) writeLearningRate(st, sched.rate());
      const learningRate = readLearningRate(st);
      const i32 = () => new Int32Array(arena.memory.buffer);
      if (o.shuffle) fx.rng_permutation(st.rng, idx, trainRows);
      else { const v = i32(); for (let i = 0; i < trainRows; i++) v[(idx >> 2) + i] = i; }
      new Float64Array(arena.memory.buffer, st.diag, st.layers.length).fill(0);
      st.setDiagnostics(true);
      let lossSum = 0, steps = 0, correct = 0;
      // Metrics use the outputs each step already computed (before its update, like the running accuracy), put back
      // in the rows' original order.
      const trainPred = metrics.length ? new Float32Array(trainRows * outputs) : undefined;
      for (let s = 0, b = 0; s < trainRows; s += batch, b++) {
        const n = Math.min(batch, trainRows - s);
        fx.gather_rows(xs, idx, s, n, inputs, st.xBuf);
        if (ls) fx.gather_i32(ls, idx, s, n, st.lBuf);
        else fx.gather_rows(ts, idx, s, n, outputs, st.tBuf);
        if (ws) { fx.gather_rows(ws, idx, s, n, 1, st.wBuf); st.setRowWeights(st.wBuf); }
        const loss = fx.net_train_step(st.plan, st.xBuf, ls ? 0 : st.tBuf, ls ? st.lBuf : 0, n);
        st.setRowWeights(0);
        if (!Number.isFinite(loss)) throw diverged(`the loss of batch ${b} is ${loss}`);
        if (trainPred) {
          const out = fx.net_output(st.plan) >> 2, f = arena.f32, order = i32();
          for (let k = 0; k < n; k++) {
            const row = order[(idx >> 2) + s + k]!;
            trainPred.set(f.subarray(out + k * outputs, out + (k + 1) * outputs), row * outputs);
          }
        }
        lossSum += loss * n; steps++;
        if (cs) {
          fx.gather_i32(cs, idx, s, n, st.cBuf);
          correct += fx.count_correct(fx.net_output(st.plan), st.cBuf, n, outputs);
        }
        if (o.onBatchEnd) { await o.onBatchEnd({ epoch, batch: b, loss }); recheck(); }
        if (o.signal?.aborted) throw aborted();
        if (now() - lastYield > o.yieldEveryMs) { await yieldToEventLoop(); recheck(); lastYield = now(); }
        if (o.signal?.aborted) throw aborted();
      }
      st.setDiagnostics(false);
      const bad = st.firstNonFinite();
      if (bad) throw diverged(bad);
      const diag = new Float64Array(arena.memory.buffer, st.diag, st.layers.length);
      const gradNorms = Array.from(diag, (v) => v / steps);
      const train = { loss: lossSum / trainRows, accuracy: cs ? correct / trainRows : undefined };
      if (!Number.isFinite(train.loss)) throw diverged(`the epoch's mean loss is ${train.loss}`);
      const v = val ? st.evaluate(val.x, val.rows, val.t) : undefined;
      const m = trainPred ? computeMetrics(metrics, trainPred, trainT, trainRows, outputs) : undefined;
      const vm = val && metrics.length ? computeMetrics(metrics, st.predict(val.x, val.rows), val.t, val.rows, outputs) : undefined;
      const probe = probeUnits(st, x, Math.min(trainRows, 512));
      const log: EpochLog = {
        epoch, loss: train.loss, ...(train.accuracy !== undefined ? { accuracy: train.accuracy } : {}),
        ...(v ? { valLoss: v.loss, ...(v.accuracy !== undefined ? { valAccuracy: v.accuracy } : {}) } : {}),
        ...(m ? { metrics: m } : {}), ...(vm ? { valMetrics: vm } : {}),
        learningRate, timeMs: now() - t0, gradNorms, deadFraction: probe.dead, saturatedFraction: probe.saturated,
        activationParams: st.layers.map((l) => plainParams(l.act)),
      };
      history.epochs.push(log);
      if (sched) { sched.observe(log.loss, log.valLoss, readLearningRate(st)); st.schedule = sched.pos; }
      let stop = false;
      if (o.onEpochEnd) {
        const r = await o.onEpochEnd(log);
        recheck();
        if (r === false) stop = true;
      }
      if (o.earlyStopping) {
        const es = o.earlyStopping;
        const metric = es.monitor === 'loss' || !v ? log.loss : log.valLoss!;
        if (metric < best - (es.minDelta ?? 0)) {
          best = metric; bestEpoch = epoch; wait = 0;
          if (es.restoreBest !== false) bestWeights = host.parameters().map((p) => p.data.slice());
        } else if (++wait >= (es.patience ?? 5)) { stop = true; history.stoppedEarly = true; }
      }
      if (stop) break;
    }
    if (bestWeights && bestEpoch >= 0) {
      history.bestEpoch = bestEpoch;
      host.parameters().forEach((p, i) => p.data.set(bestWeights![i]!));
    }
    return history;
  } finally {
    for (const p of temps) arena.release(p);
  }
}

function now(): number { return typeof performance !== 'undefined' ? performance.now() : Date.now(); }

/** Lets the event loop run (a browser page stays responsive and keeps drawing during fit). */
function yieldToEventLoop(): Promise<void> {
  const g = globalThis as { setImmediate?: (f: () => void) => void; MessageChannel?: typeof MessageChannel };
  if (g.setImmediate) return new Promise((r) => g.setImmediate!(r));
  // A message-channel task lets rendering and timers run; scheduler.yield() held both back in Chromium.
  if (g.MessageChannel) {
    return new Promise((r) => {
      const ch = new g.MessageChannel!();
      ch.port1.onmessage = () => { ch.port1.close(); r(); };
      ch.port2.postMessage(0);
    });
  }
  return new Promise((r) => setTimeout(r, 0));
}
