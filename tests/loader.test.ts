// The one instantiation path (issue 9, part 4): @assemblyscript/loader instantiates every module, decodes the abort
// and trace messages of debug builds, takes a Module from another realm without touching it, and passes extra imports
// (a build that imports its memory).
import { runInNewContext } from 'node:vm';
import asc from 'assemblyscript/asc';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { instantiateModule } from '../dist/wasm.js';
import { WasmLoadError } from '../dist/errors.js';

/** Compiles a small AssemblyScript source (stub runtime) to bytes. */
async function compile(source: string, options: Record<string, unknown>): Promise<Uint8Array> {
  const r = await asc.compileString(source, { runtime: 'stub', ...options });
  if (r.error) throw new Error(`asc: ${r.error.message}\n${r.stderr.toString()}`);
  return r.binary!;
}

let debugBytes: Uint8Array;
let importsMemoryBytes: Uint8Array;

beforeAll(async () => {
  // A debug build keeps its assert and trace: it imports env.abort and env.trace.
  debugBytes = await compile(
    'export function check(x: i32): i32 { assert(x > 0, "x must be positive"); trace("checked", 2, 1.5, x); return x * 2; }',
    { optimizeLevel: 0, debug: true });
  importsMemoryBytes = await compile('export function put(p: usize, v: i32): void { store<i32>(p, v); }',
    { importMemory: true, initialMemory: 1 });
}, 120_000);

afterEach(() => { vi.restoreAllMocks(); });

describe('instantiateModule (@assemblyscript/loader)', () => {
  it('decodes the abort message and the trace of a debug build', async () => {
    const ex = await instantiateModule(new WebAssembly.Module(debugBytes));
    const check = ex.check as (x: number) => number;
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    expect(check(3)).toBe(6);
    expect(log).toHaveBeenCalledWith('trace: checked 1.5, 3');
    expect(() => check(0)).toThrow(/^abort: x must be positive at \S+:\d+:\d+$/);
  });

  it('takes a Module compiled in another realm, without changing it, and still decodes its messages', async () => {
    const foreign = runInNewContext('new WebAssembly.Module(bytes)', { bytes: debugBytes }) as WebAssembly.Module;
    expect(foreign instanceof WebAssembly.Module).toBe(false);
    const proto = Object.getPrototypeOf(foreign);
    const ex = await instantiateModule(foreign);
    expect(Object.getPrototypeOf(foreign)).toBe(proto);
    expect(() => (ex.check as (x: number) => number)(-1)).toThrow(/^abort: x must be positive at /);
  });

  it('passes extra imports (an imported memory) and leaves the caller\'s imports object as it was', async () => {
    const memory = new WebAssembly.Memory({ initial: 1 });
    const env = { memory };
    const imports = { env };
    const ex = await instantiateModule(new WebAssembly.Module(importsMemoryBytes), imports);
    (ex.put as (p: number, v: number) => void)(64, 12345);
    expect(new Int32Array(memory.buffer)[16]).toBe(12345);
    expect(Object.keys(env)).toEqual(['memory']);
    expect(Object.keys(imports)).toEqual(['env']);
  });

  it('a module whose imports are missing is a WasmLoadError', async () => {
    await expect(instantiateModule(new WebAssembly.Module(importsMemoryBytes))).rejects.toThrow(WasmLoadError);
  });
});
