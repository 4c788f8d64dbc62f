/**
 * createEngine for Cloudflare Workers (workerd): the module is imported as a precompiled WebAssembly.Module, since
 * Workers forbid compiling wasm from bytes at run time. Reached through the `workerd` export condition.
 * @module
 */
import wasm from './rectify.wasm';
import { createEngineWith, type Engine, type EngineOptions } from './engine.js';

/**
 * Loads the WebAssembly module and returns an engine. On Workers the baseline module is bundled with this entry;
 * for the relaxed-SIMD build pass `relaxedWasm` (`import relaxedWasm from 'rectify/rectify-relaxed.wasm'`).
 * @example
 * const engine = await createEngine();
 * const y = engine.activation('relu').forward(new Float32Array([-1, 2]));   // [0, 2]
 */
export function createEngine(options: EngineOptions = {}): Promise<Engine> {
  return createEngineWith(options, (kind) => (kind === 'baseline' ? wasm : undefined));
}
