/**
 * rectify for Cloudflare Workers (the `workerd` export condition): everything dist/index.js exports, with a
 * createEngine whose default module is imported (`import m from './rectify.wasm'`), not fetched or compiled.
 * @module
 */
export * from './index.js';
export { createEngine } from './engine.workerd.js';
