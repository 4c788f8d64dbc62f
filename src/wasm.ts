/**
 * Loading the WebAssembly module: from a precompiled Module (Cloudflare Workers, Vercel Edge), bytes, a Response,
 * or a URL (default: the .wasm shipped next to this file).
 * @module
 */
import { instantiate } from '@assemblyscript/loader';
import { WasmLoadError } from './errors.js';
import type { WasmExports } from './generated/abi.js';
import { shortExportName } from './kernel-names.js';

/** Where the module comes from. */
export type WasmSource = WebAssembly.Module | BufferSource | Response | URL | string;

/** @internal An instance's exports before {@link checkExports} has checked them. */
export type RawExports = Readonly<Record<string, unknown>>;

/**
 * An 82-byte module whose only function uses f32x4.relaxed_madd: it validates exactly where relaxed SIMD works.
 * (type () -> v128; body: three v128.const, f32x4.relaxed_madd, end)
 */
const RELAXED_PROBE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7b, 0x03, 0x02, 0x01, 0x00,
  0x0a, 0x3d, 0x01, 0x3b, 0x00,
  0xfd, 0x0c, ...new Array<number>(16).fill(0), 0xfd, 0x0c, ...new Array<number>(16).fill(0),
  0xfd, 0x0c, ...new Array<number>(16).fill(0), 0xfd, 0x85, 0x02, 0x0b,
]);

/** Whether this JavaScript engine accepts relaxed SIMD (checked with WebAssembly.validate, never by compiling). */
export function supportsRelaxedSimd(): boolean {
  try { return WebAssembly.validate(RELAXED_PROBE); } catch { return false; }
}

function isModule(x: unknown): x is WebAssembly.Module {
  // instanceof fails across realms (edge-runtime): compare the tag.
  return Object.prototype.toString.call(x) === '[object WebAssembly.Module]';
}

function isResponse(x: unknown): x is Response {
  return typeof Response !== 'undefined' && Object.prototype.toString.call(x) === '[object Response]';
}

function isBufferSource(x: unknown): x is BufferSource {
  // The tag, not instanceof: bytes from another realm are accepted too.
  return ArrayBuffer.isView(x) || Object.prototype.toString.call(x) === '[object ArrayBuffer]' ||
    Object.prototype.toString.call(x) === '[object SharedArrayBuffer]';
}

function isUrl(x: unknown): x is URL {
  return Object.prototype.toString.call(x) === '[object URL]';
}

/** The message of anything thrown (a thrown non-Error included). */
function errorText(e: unknown): string {
  return e instanceof Error || (typeof e === 'object' && e !== null && typeof (e as Error).message === 'string')
    ? (e as Error).message : String(e);
}

/**
 * @internal Checks that a value can be a {@link WasmSource}; returns an error text naming what was given, or undefined.
 * Called before anything is loaded, so a wrong option fails at once with a typed error.
 */
export function wasmSourceProblem(src: unknown): string | undefined {
  if (isModule(src) || isResponse(src) || isBufferSource(src) || isUrl(src)) return undefined;
  if (typeof src === 'string') {
    try { new URL(src, import.meta.url); return undefined; } catch { return `the string ${JSON.stringify(src)} is not a URL`; }
  }
  return `${src === null ? 'null' : Array.isArray(src) ? 'an array' : typeof src === 'object'
    ? `an object (${Object.prototype.toString.call(src)})` : `${typeof src} ${String(src)}`} is not a WebAssembly.Module, bytes, a Response or a URL`;
}

/** The type tag of a WebAssembly.Memory (no instanceof: the module may come from another realm). */
function isMemory(x: unknown): x is WebAssembly.Memory {
  return Object.prototype.toString.call(x) === '[object WebAssembly.Memory]';
}

/**
 * @internal Checks that an instance has everything the host calls: `memory`, `heap_base` and each named kernel. The
 * shipped builds export the i-th name of `shipped` (hostKernels(ACTIVATIONS, false)) as `shortExportName(i)`: the
 * returned exports have it under its readable name instead (a scalar twin's name is never aliased: twins build only).
 * Throws WasmLoadError naming the first missing export (so a wrong module fails at load, not at first use).
 */
export function checkExports(exports: RawExports, kernels: readonly string[], shipped: readonly string[]): WasmExports {
  if (!isMemory(exports.memory)) {
    throw new WasmLoadError("not rectify's wasm module (no memory export); pass rectify.wasm");
  }
  // One new object, built in one go, with the short names replaced: V8 keeps it in fast mode (adding ~80 aliases one
  // by one to a copy made it a dictionary, and every kernel lookup slower).
  const alias = new Map(shipped.map((name, i) => [shortExportName(i), name]));
  const out = Object.fromEntries(Object.entries(exports).map(([k, v]) => [alias.get(k) ?? k, v]));
  for (const name of ['heap_base', ...kernels]) {
    if (typeof out[name] !== 'function') {
      throw new WasmLoadError(`not rectify's wasm module (or another version): no export "${name}"; pass rectify.wasm (the twins build for scalar: true)`);
    }
  }
  return out as unknown as WasmExports; // the memory and every kernel the host calls are there
}

interface FsPromises { readFile(path: URL): Promise<Uint8Array<ArrayBuffer>> }

/** fs/promises where the runtime offers it without an import (Node >= 20.16, Deno, Bun); undefined elsewhere. */
function builtinFs(): FsPromises | undefined {
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  return typeof proc?.getBuiltinModule === 'function' ? proc.getBuiltinModule('fs/promises') as FsPromises : undefined;
}

/** @internal Resolves a source to a compiled module. */
export async function compileSource(src: WasmSource): Promise<WebAssembly.Module> {
  try {
    // Every promise is awaited inside the try: a rejected compile must become a WasmLoadError, not escape as a
    // plain CompileError.
    if (isModule(src)) return src;
    const any = src as unknown;
    if (isResponse(any)) return await WebAssembly.compile(await any.arrayBuffer());
    if (isBufferSource(any)) return await WebAssembly.compile(any);
    const url = typeof src === 'string' ? new URL(src, import.meta.url) : src;
    if (url.protocol === 'file:') {
      // Node's fetch cannot read files. No `node:` import here (Workers and bundlers reject them): ask the runtime.
      const fs = builtinFs();
      if (fs) return await WebAssembly.compile(await fs.readFile(url));
    }
    const res = await fetch(url);
    if (!res.ok) throw new Error(`HTTP ${res.status} for ${url.href}`);
    return await WebAssembly.compile(await res.arrayBuffer());
  } catch (e) {
    throw new WasmLoadError(`could not load rectify's WebAssembly module: ${errorText(e)}; pass it as createEngine({ wasm })`);
  }
}

/** Extra imports of {@link instantiateModule}, by module name (e.g. `{ env: { memory } }` for a build that imports its memory). */
export type WasmImports = Readonly<Record<string, Readonly<Record<string, unknown>>>>;

/**
 * A Module the loader accepts. @assemblyscript/loader tells a Module from bytes with `instanceof WebAssembly.Module`,
 * which is false for a Module compiled in another realm (edge-runtime's host passes one in). Such a Module is cloned
 * (structured clone keeps the compiled code; nothing is compiled, so it works where code generation is refused) and
 * the private clone is given this realm's prototype; the caller's object is never touched.
 */
function loaderModule(mod: WebAssembly.Module): WebAssembly.Module {
  if (mod instanceof WebAssembly.Module) return mod;
  return Object.setPrototypeOf(structuredClone(mod), WebAssembly.Module.prototype) as WebAssembly.Module;
}

/**
 * @internal Instantiates a module through @assemblyscript/loader, the one instantiation path of every runtime: it
 * supplies `env.abort` and `env.trace` (debug builds import them) and decodes their messages. `imports` adds or
 * replaces imports (a build compiled with `--importMemory` takes `{ env: { memory } }`); it is copied, not changed.
 * Returns the instance's own exports (not the loader's wrappers, which add a call per kernel call).
 */
export async function instantiateModule(mod: WebAssembly.Module, imports: WasmImports = {}): Promise<RawExports> {
  try {
    const own: Record<string, Record<string, unknown>> = {};
    for (const [k, v] of Object.entries(imports)) own[k] = { ...v };
    const { instance } = await instantiate(loaderModule(mod), own);
    return instance.exports as RawExports;
  } catch (e) {
    throw new WasmLoadError(`could not instantiate rectify's WebAssembly module: ${errorText(e)}`);
  }
}

/** Which build: the shipped baseline, the relaxed-SIMD one, the twins build (baseline + scalar twins, for tests), or the threads build (baseline kernels, shared memory). */
export type BuildKind = 'baseline' | 'relaxed' | 'twins' | 'threads';

/** @internal Default locations of the three builds, next to this file. */
export function defaultWasmUrl(kind: BuildKind): URL {
  const file = kind === 'baseline' ? './rectify.wasm' : `./rectify-${kind}.wasm`;
  return new URL(file, import.meta.url);
}
