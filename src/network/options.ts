/**
 * Checks of the options a caller passes to the network API (build, fit, early stopping). Each failure is a typed
 * error that says what to fix; nothing here touches memory.
 * @module
 */
import type { ActivationName, ActivationSpec } from '../activation-table.js';
import { describe } from '../util/describe.js';
import { InvalidArgumentError } from '../errors.js';
import type { FitOptions, Targets } from './types.js';
import { checkSchedule, type CheckedSchedule } from './schedule.js';

/** Largest finite f32, smallest positive normal f32, largest f32 below 1. */
export const F32_MAX = 3.4028234663852886e38;
export const F32_MIN_NORMAL = 1.1754943508222875e-38;
export const F32_BELOW_1 = 0.9999999403953552;

/** A spec as an object (per-unit parameters are checked against the layer width by the network). */
export function specObject(spec: ActivationName | ActivationSpec): Record<string, unknown> {
  return typeof spec === 'string' ? { name: spec } : spec === null || typeof spec !== 'object' ? { name: spec } : { ...(spec as object) };
}

/** The name in a spec (a string, or the spec object's `name`). */
export function activationName(a: ActivationName | ActivationSpec): string {
  return typeof a === 'string' ? a : (a as { name: string }).name;
}

/** Rejects keys an options object does not know (a misspelled option would otherwise be ignored). */
export function checkKeys(o: object, known: readonly string[], what: string): void {
  for (const k of Object.keys(o)) {
    if (!known.includes(k)) throw new InvalidArgumentError(`${what} has no option "${k}"; its options: ${known.join(', ')}`);
  }
}

/** The seed of `engine.network({ seed })`: a u32 (0 when absent). */
export function checkSeed(seed: unknown): number {
  if (seed === undefined) return 0;
  if (typeof seed !== 'number' || !Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
    throw new InvalidArgumentError(`seed must be a whole number in [0, 2^32), got ${describe(seed)}`);
  }
  return seed;
}

/** Fit options with their defaults filled in. */
export interface CheckedFit {
  epochs: number; batchSize: number; shuffle: boolean; validationSplit: number; yieldEveryMs: number;
  validationData?: readonly [Float32Array, Targets];
  onBatchEnd?: FitOptions['onBatchEnd']; onEpochEnd?: FitOptions['onEpochEnd'];
  earlyStopping?: FitOptions['earlyStopping']; signal?: AbortSignal; schedule?: CheckedSchedule;
  validationSplitMode: 'stratified' | 'last'; metrics?: unknown; sampleWeight?: unknown; classWeight?: unknown;
}

/** Checks fit's options (unknown keys, ranges, callback and signal types) and fills in the defaults. */
export function checkFitOptions(o: FitOptions): CheckedFit {
  if (o === null || typeof o !== 'object') throw new InvalidArgumentError(`fit options must be an object, got ${describe(o)}`);
  const known = ['epochs', 'batchSize', 'shuffle', 'validationSplit', 'validationData', 'onBatchEnd', 'onEpochEnd', 'earlyStopping', 'signal', 'yieldEveryMs', 'schedule', 'validationSplitMode', 'metrics', 'sampleWeight', 'classWeight'];
  checkKeys(o, known, 'fit');
  const epochs = o.epochs ?? 1, batchSize = o.batchSize ?? 32, split = o.validationSplit ?? 0;
  if (!Number.isInteger(epochs) || epochs < 1) throw new InvalidArgumentError(`epochs must be a whole number >= 1, got ${describe(o.epochs)}`);
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 1 << 16) throw new InvalidArgumentError(`batchSize must be a whole number in [1, 65536], got ${describe(o.batchSize)}`);
  if (typeof split !== 'number' || !(split >= 0 && split < 1)) throw new InvalidArgumentError(`validationSplit must be in [0, 1), got ${describe(o.validationSplit)}`);
  if (o.validationData !== undefined && (!Array.isArray(o.validationData) || o.validationData.length !== 2)) {
    throw new InvalidArgumentError('validationData must be [x, y]');
  }
  const shuffle = o.shuffle ?? true, yieldEveryMs = o.yieldEveryMs ?? 16;
  if (typeof shuffle !== 'boolean') throw new InvalidArgumentError(`shuffle must be true or false, got ${describe(o.shuffle)}`);
  if (typeof yieldEveryMs !== 'number' || !(yieldEveryMs >= 0) || !Number.isFinite(yieldEveryMs)) {
    throw new InvalidArgumentError(`yieldEveryMs must be a finite number >= 0, got ${describe(o.yieldEveryMs)}`);
  }
  for (const k of ['onBatchEnd', 'onEpochEnd'] as const) {
    if (o[k] !== undefined && typeof o[k] !== 'function') throw new InvalidArgumentError(`${k} must be a function, got ${describe(o[k])}`);
  }
  if (o.signal !== undefined) {
    const sg = o.signal as unknown as { aborted?: unknown; addEventListener?: unknown } | null;
    if (sg === null || typeof sg !== 'object' || typeof sg.aborted !== 'boolean' || typeof sg.addEventListener !== 'function') {
      throw new InvalidArgumentError(`signal must be an AbortSignal, got ${describe(o.signal)}`);
    }
  }
  if (o.earlyStopping !== undefined) checkEarlyStopping(o.earlyStopping);
  const validationSplitMode = o.validationSplitMode ?? 'stratified';
  if (validationSplitMode !== 'stratified' && validationSplitMode !== 'last') {
    throw new InvalidArgumentError(`validationSplitMode must be 'stratified' or 'last', got ${describe(o.validationSplitMode)}`);
  }
  const schedule = o.schedule === undefined ? undefined : checkSchedule(o.schedule, epochs);
  return {
    ...(schedule ? { schedule } : {}), ...(o.metrics !== undefined ? { metrics: o.metrics } : {}),
    sampleWeight: o.sampleWeight, classWeight: o.classWeight,
    epochs, batchSize, shuffle, validationSplit: split, yieldEveryMs, validationSplitMode,
    ...(o.validationData ? { validationData: o.validationData } : {}),
    ...(o.onBatchEnd ? { onBatchEnd: o.onBatchEnd } : {}), ...(o.onEpochEnd ? { onEpochEnd: o.onEpochEnd } : {}),
    ...(o.earlyStopping !== undefined ? { earlyStopping: o.earlyStopping } : {}), ...(o.signal !== undefined ? { signal: o.signal } : {}),
  };
}

function checkEarlyStopping(es: unknown): void {
  if (es === null || typeof es !== 'object') throw new InvalidArgumentError(`earlyStopping must be an object, got ${describe(es)}`);
  checkKeys(es, ['monitor', 'patience', 'minDelta', 'restoreBest'], 'earlyStopping');
  const e = es as Record<string, unknown>;
  if (e.monitor !== undefined && e.monitor !== 'loss' && e.monitor !== 'valLoss') {
    throw new InvalidArgumentError(`earlyStopping.monitor must be 'loss' or 'valLoss', got ${describe(e.monitor)}`);
  }
  if (e.patience !== undefined && (typeof e.patience !== 'number' || !Number.isInteger(e.patience) || e.patience < 0)) {
    throw new InvalidArgumentError(`earlyStopping.patience must be a whole number >= 0, got ${describe(e.patience)}`);
  }
  if (e.minDelta !== undefined && (typeof e.minDelta !== 'number' || !(e.minDelta >= 0) || !Number.isFinite(e.minDelta))) {
    throw new InvalidArgumentError(`earlyStopping.minDelta must be a finite number >= 0, got ${describe(e.minDelta)}`);
  }
  if (e.restoreBest !== undefined && typeof e.restoreBest !== 'boolean') {
    throw new InvalidArgumentError(`earlyStopping.restoreBest must be true or false, got ${describe(e.restoreBest)}`);
  }
}
