// Types of probe.js (plain JavaScript so that every runtime loads it as is).
import type { BothResult, ProbeResult, ThreadsResult } from './harness.js';

export declare const ROWS: number;
export declare const COLS: number;
export declare const N: number;
export declare function inputsFor(def: { range: readonly [number, number] }, seed: number): Float32Array;
export declare function gradsFor(seed: number): Float32Array;
export declare function canonicalBits(values: ArrayLike<number>): Uint32Array;
export declare function probe(lib: unknown, engineOptions?: object, options?: { withValues?: boolean }): Promise<ProbeResult>;
export declare function probeBoth(lib: unknown, baselineOptions?: object, relaxedOptions?: object, scalarOptions?: object): Promise<BothResult>;
export declare function probeThreads(lib: unknown, engineOptions?: object): Promise<ThreadsResult>;
