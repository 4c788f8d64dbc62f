/** Data loaders and generators of the activation lab (no engine needed). */
export * from '../errors.js';
export type { Dataset } from './types.js';
export * from './random.js';
export * from './gzip.js';
export * from './idx.js';
export * from './csv.js';
export * from './synthetic.js';
export * from './digits.js';
export * from './shuffle.js';
