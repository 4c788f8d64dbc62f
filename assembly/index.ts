// rectify's WebAssembly module: every exported kernel. See DEVELOPING.md for the ABI.

export {
  math_exp, math_exp_scalar, math_expm1, math_log, math_log1p, math_expneg, math_expneg24, math_expnegsplit, math_expnegsplit24,
  math_log1punit, math_expshift,
} from './math';
export * from './activations/relu';
export * from './activations/sbaf';
export * from './activations/softmax';
export * from './nn/gemm';
export * from './nn/gemv';
export * from './nn/finite';
export * from './nn/loss';
export * from './nn/optim';
export * from './nn/rng';
export * from './nn/dispatch';
export * from './nn/net';
export * from './nn/dropout';
export * from './nn/batchnorm';
export * from './nn/layernorm';
export * from './nn/stats';
export { threads_setup, thread_loop } from './nn/threads';
export * from './activations/elu';
export * from './activations/sigmoid';
export * from './activations/silu';
export * from './activations/gelu';

/** First byte the host may allocate: everything below holds the module's static data (constant tables). */
export function heap_base(): usize { return __heap_base; }
