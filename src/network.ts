/**
 * Dense networks: a typed builder, SIMD forward and backprop in one wasm call per step, losses, optimizers,
 * training with `fit`, and diagnostics (gradient norms, dead and saturated units) per epoch. The parts live in
 * src/network/ (types, builder, option checks, plan layout, optimizer defaults, targets, state, fit, diagnostics,
 * summary, save glue); this module is their public face.
 * @module
 */
export { Network } from './network/network.js';
export { NetworkBuilder, networkBuilder } from './network/builder.js';
export { confusionMatrix } from './network/metrics.js';
export type {
  BuildOptions, DenseOptions, EpochLog, FitOptions, History, InitName, LearningRateSchedule, LossName, MetricName, NetworkMetadata, OptimizerName, OptimizerSpec,
  ParameterView, Targets, TrainingStats,
} from './network/types.js';
