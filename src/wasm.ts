/**
 * Loading the WebAssembly module: from a precompiled Module (Cloudflare Workers, Vercel Edge), bytes, a Response,
 * or a URL (default: the .wasm shipped next to this file).
 * @module
 */
import { WasmLoadError } from './errors.js';

/** Where the module comes from. */
export type WasmSource = WebAssembly.Module | BufferSource | Response | URL | string;

/** @internal The raw exports: kernels by name, plus the memory. */
export interface RawExports {
  readonly memory: WebAssembly.Memory;
  readonly [kernel: string]: unknown;
}

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

interface FsPromises { readFile(path: URL): Promise<Uint8Array<ArrayBuffer>> }

/** fs/promises where the runtime offers it without an import (Node >= 20.16, Deno, Bun); undefined elsewhere. */
function builtinFs(): FsPromises | undefined {
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  return typeof proc?.getBuiltinModule === 'function' ? proc.getBuiltinModule('fs/promises') as FsPromises : undefined;
}

/** @internal Resolves a source to a compiled module. */
export async function compileSource(src: WasmSource): Promise<WebAssembly.Module> {
  try {
    if (isModule(src)) return src;
    const any = src as unknown;
    if (isResponse(any)) return WebAssembly.compile(await any.arrayBuffer());
    if (any instanceof ArrayBuffer || ArrayBuffer.isView(any)) return WebAssembly.compile(any as BufferSource);
    const url = typeof src === 'string' ? new URL(src, import.meta.url) : src;
    if (url.protocol === 'file:') {
      // Node's fetch cannot read files. No `node:` import here (Workers and bundlers reject them): ask the runtime.
      const fs = builtinFs();
      if (fs) return WebAssembly.compile(await fs.readFile(url));
    }
    const res = await fetch(url);
    if (!res.ok) throw new Error(`HTTP ${res.status} for ${url.href}`);
    return WebAssembly.compile(await res.arrayBuffer());
  } catch (e) {
    throw new WasmLoadError(`could not load rectify's WebAssembly module: ${(e as Error).message}. ` +
      'Pass it yourself with createEngine({ wasm: module | bytes | response | url }).');
  }
}

/** A string of the module's memory (AssemblyScript layout: byte length at ptr - 4, then UTF-16 code units). */
function readString(memory: WebAssembly.Memory | undefined, ptr: number): string {
  if (memory === undefined || ptr < 4 || ptr > memory.buffer.byteLength) return '?';
  const view = new DataView(memory.buffer);
  const units = Math.min(view.getUint32(ptr - 4, true) >>> 1, 1024, (memory.buffer.byteLength - ptr) >>> 1);
  let s = '';
  for (let i = 0; i < units; i++) s += String.fromCharCode(view.getUint16(ptr + 2 * i, true));
  return s;
}

/**
 * @internal Instantiates a module. Release builds import nothing; debug builds import `env.abort`, whose message is
 * decoded here. A Module compiled in another realm (edge-runtime's host) is accepted: no instanceof checks.
 */
export async function instantiateModule(mod: WebAssembly.Module): Promise<RawExports> {
  try {
    let memory: WebAssembly.Memory | undefined;
    const env = {
      abort(msg: number, file: number, line: number, col: number): never {
        throw new Error(`abort: ${readString(memory, msg)} at ${readString(memory, file)}:${line}:${col}`);
      },
    };
    const instance = await WebAssembly.instantiate(mod, { env });
    memory = instance.exports.memory as WebAssembly.Memory;
    return instance.exports as unknown as RawExports;
  } catch (e) {
    throw new WasmLoadError(`could not instantiate rectify's WebAssembly module: ${(e as Error).message}`);
  }
}

/** Which build: the shipped baseline, the relaxed-SIMD one, or the twins build (baseline + scalar twins, for tests). */
export type BuildKind = 'baseline' | 'relaxed' | 'twins';

/** @internal Default locations of the three builds, next to this file. */
export function defaultWasmUrl(kind: BuildKind): URL {
  const file = kind === 'relaxed' ? './rectify-relaxed.wasm' : kind === 'twins' ? './rectify-twins.wasm' : './rectify.wasm';
  return new URL(file, import.meta.url);
}
