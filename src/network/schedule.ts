/**
 * Learning-rate schedules of `fit` and the learning-rate word of the plan. The rate lives in the plan (H.LR, an
 * f32) that the training step reads; a schedule writes it at the start of every epoch.
 *
 * Every rate is computed with IEEE +, -, *, / only (no JS Math: its transcendental functions differ between engines),
 * so a scheduled run gives the same bits in every runtime. The cosine uses its own series (below).
 * @module
 */
import { describe } from '../util/describe.js';
import { InvalidParameterError } from '../errors.js';
import { H } from './plan.js';
/** What the rate accessors need of a network's state (its plan in the engine's memory). */
interface PlanHolder { readonly core: { readonly arena: { readonly f32: Float32Array } }; readonly plan: number }
import type { LearningRateSchedule } from './types.js';
/** Smallest positive normal f32 (as in options.ts, which imports this file). */
const F32_MIN_NORMAL = 1.1754943508222875e-38;

/** The learning rate the training step uses now (the f32 in the plan). */
export function readLearningRate(st: PlanHolder): number {
  return st.core.arena.f32[(st.plan >> 2) + H.LR]!;
}

/** Writes a rate (already checked, or clamped by a schedule) into the plan. */
export function writeLearningRate(st: PlanHolder, lr: number): void {
  st.core.arena.f32[(st.plan >> 2) + H.LR] = lr;
}

/** Checks a learning rate given by the caller: a number whose f32 value is finite and > 0 (a positive normal). */
export function checkLearningRate(lr: unknown, what = 'learningRate'): number {
  const f = typeof lr === 'number' ? Math.fround(lr) : NaN;
  if (typeof lr !== 'number' || !Number.isFinite(f) || !(f >= F32_MIN_NORMAL)) {
    throw new InvalidParameterError(`${what} must be a finite number > 0 that an f32 holds (between ${F32_MIN_NORMAL} ` +
      `and 3.4e38), got ${describe(lr)}${typeof lr === 'number' && f !== lr ? ` (as f32: ${f})` : ''}`);
  }
  return f;
}

/** A checked schedule, every default filled in. */
export type CheckedSchedule =
  | { name: 'constant' }
  | { name: 'step'; every: number; gamma: number }
  | { name: 'exponential'; gamma: number }
  | { name: 'cosine'; epochs: number; warmup: number; minLr: number }
  | { name: 'reduceOnPlateau'; factor: number; patience: number; minLr: number; minDelta: number; monitor: 'loss' | 'valLoss' };

const KEYS: Record<CheckedSchedule['name'], readonly string[]> = {
  constant: ['name'],
  step: ['name', 'every', 'gamma'],
  exponential: ['name', 'gamma'],
  cosine: ['name', 'epochs', 'warmup', 'minLr'],
  reduceOnPlateau: ['name', 'factor', 'patience', 'minLr', 'minDelta', 'monitor'],
};

function wholeAtLeast(v: unknown, min: number, what: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > 1e9) {
    throw new InvalidParameterError(`schedule ${what} must be a whole number >= ${min}, got ${describe(v)}`);
  }
  return v;
}

function factorIn01(v: unknown, what: string): number {
  if (typeof v !== 'number' || !(v > 0 && v < 1)) throw new InvalidParameterError(`schedule ${what} must be a number in (0, 1), got ${describe(v)}`);
  return v;
}

function minLrOf(v: unknown, what: string): number {
  if (v === undefined || v === 0) return 0;
  return checkLearningRate(v, `schedule ${what}.minLr`);
}

/** Checks a schedule spec (a name, or an object with `name`) against the fit's epoch count; fills in the defaults. */
export function checkSchedule(s: unknown, epochs: number): CheckedSchedule {
  const o = (typeof s === 'string' ? { name: s } : s) as Record<string, unknown> | null;
  if (o === null || typeof o !== 'object' || typeof o.name !== 'string' || !Object.hasOwn(KEYS, o.name)) {
    throw new InvalidParameterError(`schedule must be one of ${Object.keys(KEYS).map((k) => `'${k}'`).join(', ')} , got ${describe(s)}`);
  }
  const name = o.name as CheckedSchedule['name'];
  for (const k of Object.keys(o)) {
    if (!KEYS[name].includes(k)) throw new InvalidParameterError(`schedule ${name} has no setting "${k}"; its settings: ${KEYS[name].join(', ')}`);
  }
  switch (name) {
    case 'constant': return { name };
    case 'step': {
      if (o.every === undefined) throw new InvalidParameterError('schedule step needs every');
      return { name, every: wholeAtLeast(o.every, 1, 'step.every'), gamma: factorIn01(o.gamma ?? 0.1, 'step.gamma') };
    }
    case 'exponential': {
      if (o.gamma === undefined) throw new InvalidParameterError('schedule exponential needs gamma');
      return { name, gamma: factorIn01(o.gamma, 'exponential.gamma') };
    }
    case 'cosine': {
      const total = o.epochs === undefined ? epochs : wholeAtLeast(o.epochs, 1, 'cosine.epochs');
      const warmup = o.warmup === undefined ? 0 : wholeAtLeast(o.warmup, 0, 'cosine.warmup');
      if (warmup >= total) throw new InvalidParameterError(`schedule cosine.warmup (${warmup}) must be less than its epochs (${total})`);
      return { name, epochs: total, warmup, minLr: minLrOf(o.minLr, name) };
    }
    case 'reduceOnPlateau': {
      const monitor = o.monitor ?? 'valLoss';
      if (monitor !== 'loss' && monitor !== 'valLoss') throw new InvalidParameterError(`schedule reduceOnPlateau.monitor must be 'loss' or 'valLoss', got ${describe(o.monitor)}`);
      const minDelta = o.minDelta ?? 0;
      if (typeof minDelta !== 'number' || !(minDelta >= 0) || !Number.isFinite(minDelta)) {
        throw new InvalidParameterError(`schedule reduceOnPlateau.minDelta must be a finite number >= 0, got ${describe(o.minDelta)}`);
      }
      return {
        name, factor: factorIn01(o.factor ?? 0.1, 'reduceOnPlateau.factor'),
        patience: o.patience === undefined ? 10 : wholeAtLeast(o.patience, 0, 'reduceOnPlateau.patience'),
        minLr: minLrOf(o.minLr, name), minDelta, monitor,
      };
    }
  }
}

/** cos(pi t) for t in [0, 1], with + - * / only (a Taylor series after folding to [0, pi/2]): the same bits everywhere. */
export function cosPi(t: number): number {
  let sign = 1;
  if (t > 0.5) { t = 1 - t; sign = -1; }
  const x = 3.141592653589793 * t;
  const x2 = x * x;
  // cos x = sum (-1)^k x^2k / (2k)!, 13 terms: the first omitted one is below 1e-22 for x <= pi/2.
  let term = 1, sum = 1;
  for (let k = 1; k <= 13; k++) { term = -term * x2 / ((2 * k - 1) * (2 * k)); sum += term; }
  return sign * sum;
}

/**
 * Where a schedule stands: its checked settings, the epochs it has run (over every fit call), the rate it started
 * from, and reduce-on-plateau's best monitored loss and epochs waited. A network keeps the position of its last
 * scheduled fit (and saves it, format version 4), so a later fit with the same schedule continues it.
 */
export interface SchedulePosition {
  readonly spec: CheckedSchedule;
  readonly epoch: number;
  readonly base: number;
  readonly best: number;
  readonly wait: number;
}

/** A fit's schedule: the rate of each epoch, and what reduce-on-plateau has seen. */
export class Scheduler {
  private current: number;
  pos: SchedulePosition;

  /**
   * Continues `last` (the network's position) when it has the same settings as `spec`, else starts `spec` at epoch 0
   * from `inEffect` (the rate in the plan when fit starts; reduce-on-plateau always continues from it).
   */
  constructor(spec: CheckedSchedule, inEffect: number, last: SchedulePosition | undefined) {
    this.current = inEffect;
    this.pos = last && JSON.stringify(last.spec) === JSON.stringify(spec) ? last : { spec, epoch: 0, base: inEffect, best: Infinity, wait: 0 };
  }

  /** The rate of the next epoch, as an f32 value > 0. */
  rate(): number {
    const { spec: s, base: b, epoch } = this.pos;
    let r: number;
    switch (s.name) {
      case 'constant': r = b; break;
      case 'step': r = b; for (let i = s.every; i <= epoch; i += s.every) r *= s.gamma; break;
      case 'exponential': r = b; for (let i = 0; i < epoch; i++) r *= s.gamma; break;
      case 'cosine':
        if (epoch < s.warmup) r = b * (epoch + 1) / s.warmup;
        else if (epoch >= s.epochs) r = s.minLr;
        else r = s.minLr + (b - s.minLr) * (1 + cosPi((epoch - s.warmup) / (s.epochs - s.warmup))) / 2;
        break;
      case 'reduceOnPlateau': r = this.current; break;
    }
    const f = Math.fround(r);
    return f >= F32_MIN_NORMAL ? f : F32_MIN_NORMAL;
  }

  /**
   * After an epoch: counts it and, for reduce-on-plateau, compares the monitored loss (valLoss, or loss without
   * validation) with the best so far; after `patience` epochs (counted as Keras does) without an improvement larger
   * than minDelta, multiplies `inEffect` (the rate the epoch ended with) by factor, not below minLr.
   */
  observe(loss: number, valLoss: number | undefined, inEffect: number): void {
    const s = this.pos.spec;
    let { best, wait } = this.pos;
    if (s.name === 'reduceOnPlateau') {
      this.current = inEffect;
      const m = s.monitor === 'valLoss' && valLoss !== undefined ? valLoss : loss;
      if (m < best - s.minDelta) { best = m; wait = 0; } else if (++wait >= s.patience) {
        const r = inEffect * s.factor;
        this.current = r > s.minLr ? r : s.minLr > 0 ? s.minLr : r;
        wait = 0;
      }
    }
    this.pos = { ...this.pos, epoch: this.pos.epoch + 1, best, wait };
  }
}
