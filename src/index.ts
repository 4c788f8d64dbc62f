/**
 * rectify: SIMD WebAssembly activations, dense layers and training for JavaScript.
 * @module
 */
export { createEngine, Engine } from './engine.js';
export type { EngineOptions } from './engine.js';
export { Activation } from './activation.js';
export type { CallOptions, Input, ParamValues, DomainPolicy } from './activation.js';
export { Tensor } from './tensor.js';
export { ACTIVATIONS, activationNames, findActivation } from './activation-table.js';
export type { ActivationDef, ActivationName, ActivationSpec, ActivationExtras, ParamDef, KernelKind } from './activation-table.js';
export type { MemoryStats } from './arena.js';
export { confusionMatrix, Network, NetworkBuilder } from './network.js';
export type {
  BuildOptions, DenseOptions, EpochLog, FitOptions, History, InitName, LearningRateSchedule, LossName, MetricName, OptimizerSpec, ParameterView, Targets,
  NetworkMetadata, TrainingStats,
} from './network.js';
export type { LoadOptions, NetworkJSON } from './serialize/format.js';
export { supportsRelaxedSimd } from './wasm.js';
export type { WasmSource } from './wasm.js';
export {
  RectifyError, InvalidArgumentError, ShapeError, UnknownActivationError, InvalidParameterError, DomainError,
  DisposedError, OutOfMemoryError, WasmLoadError, DataError, ModelFormatError, OnnxError, TrainingAbortedError,
} from './errors.js';
export { TrainingDivergedError, NetworkBusyError } from './errors.js';
export { KernelError, WorkerThreadError } from './errors.js';
export { DataFormatError, DataArgumentError, DataFileError, DataLimitError, ChartError, ReportError } from './errors.js';
