/**
 * Which activations count as relu-like (He initialization, dead-unit diagnostic) and which as saturating
 * (saturation diagnostic).
 * @module
 */

/** Relu-like activations: He initialization by default, and the dead-unit diagnostic applies. */
export const RELU_LIKE: ReadonlySet<string> = new Set(['relu', 'relu6', 'leakyRelu', 'prelu', 'elu', 'celu', 'gelu', 'geluTanh', 'silu', 'mish', 'hardSwish', 'arelu', 'softplus']);
/** Saturating activations: the saturation diagnostic applies. */
export const SATURATING: ReadonlySet<string> = new Set(['sigmoid', 'tanh', 'hardSigmoid', 'hardTanh', 'softsign', 'sbaf', 'logSigmoid']);
