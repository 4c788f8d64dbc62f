/** `import m from './x.wasm'` yields a compiled WebAssembly.Module (Workers, bundlers with a CompiledWasm rule). */
declare module '*.wasm' {
  const mod: WebAssembly.Module;
  export default mod;
}
