/** `import bytes from './model.bin'`: a Data module (wrangler.jsonc rules; Miniflare modulesRules) is an ArrayBuffer. */
declare module '*.bin' {
  const bytes: ArrayBuffer;
  export default bytes;
}

/** `import stats from './stats.json'` (written by train.mjs): bundled as a JSON module. */
declare module '*/stats.json' {
  const stats: import('rectify/serve').FeatureStats;
  export default stats;
}
