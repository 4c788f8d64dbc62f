/** `import bytes from './model.bin'`: a Data module (wrangler.jsonc rules; Miniflare modulesRules) is an ArrayBuffer. */
declare module '*.bin' {
  const bytes: ArrayBuffer;
  export default bytes;
}
