/**
 * rectify/serve: serve a trained network over HTTP from Workers, Deno, Bun or Node, on the fetch API.
 * `createPredictHandler(net, options)` returns `(request: Request) => Promise<Response>`; `featureStats(x, inputs)`
 * records the training range the handler checks inputs against; `toNodeListener(handler)` adapts it to node:http.
 * @module
 */
export { createPredictHandler, SERVE_ERROR_STATUS } from './handler.js';
export type { OutputForm, PredictHandlerOptions, Predictor, PredictorMetadata, RangeCheck, RangeFinding, ServeErrorCode } from './handler.js';
export { featureStats } from './stats.js';
export type { FeatureStats, FeatureStatsOptions } from './stats.js';
export { toNodeListener } from './node.js';
export type { NodeRequestLike, NodeResponseLike } from './node.js';
