// Shared helpers of the runtime tests: bundling, binaries, and comparing probe results.
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { ulp32 } from '../util.js';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const DIST = join(ROOT, 'dist');

/** One probe run as the probe returns it (see probe.js). */
export interface Section { label: string; n: number; fnv: string; hex?: string }
export interface ProbeResult { sha256: string; relaxedSimd: boolean; training: boolean; layers?: string | null; activations: string[]; sections: Section[] }
/** The threads probe (probe.js, probeThreads): threads used, why one, hash of the trained weights and predictions. */
export interface ThreadsResult { threads: number; reason: string | null; sha256: string }
export interface BothResult { runtime: string; baseline: ProbeResult; scalar?: ProbeResult; relaxed: ProbeResult | null; threads?: ThreadsResult }

const made: string[] = [];
/** A new temporary directory, removed by removeFreshDirs(). */
export function freshDir(tag: string): string {
  const d = mkdtempSync(join(tmpdir(), `rectify-${tag}-`));
  made.push(d);
  return d;
}
/** Removes the directories freshDir made (call in afterAll). */
export function removeFreshDirs(): void {
  for (const d of made.splice(0)) rmSync(d, { recursive: true, force: true });
}

/** Debian's Chromium (apt-get install chromium; .ci/run does it), driven by playwright-core with these flags. */
/**
 * Copies dist/ into `dir`/dist for Miniflare's unbundled module walker. workerd has no node_modules resolution
 * (Workers bundle their npm dependencies), so the one dependency's bare specifier in dist/wasm.js is pointed at a copy
 * of the published @assemblyscript/loader, and the walker follows it like any other import.
 */
export function copyDistForWorkerd(dir: string): void {
  cpSync(DIST, join(dir, 'dist'), { recursive: true });
  cpSync(join(ROOT, 'node_modules', '@assemblyscript', 'loader'), join(dir, 'node_modules', '@assemblyscript', 'loader'), { recursive: true });
  const wasmJs = join(dir, 'dist', 'wasm.js');
  const src = readFileSync(wasmJs, 'utf8');
  if (!src.includes("from '@assemblyscript/loader'")) throw new Error('dist/wasm.js no longer imports @assemblyscript/loader');
  writeFileSync(wasmJs, src.replace("from '@assemblyscript/loader'", "from '../node_modules/@assemblyscript/loader/index.js'"));
}

export const CHROMIUM = '/usr/bin/chromium';
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** Keeps `.wasm` imports as modules next to the bundle (`./rectify.wasm`): Workers import them as CompiledWasm. */
export const wasmAsModule: esbuild.Plugin = {
  name: 'wasm-as-module',
  setup(b) { b.onResolve({ filter: /\.wasm$/ }, (a) => ({ path: `./${a.path.split('/').pop()}`, external: true })); },
};

/** Keeps `.bin` imports as modules next to the bundle (Workers import them as Data: an ArrayBuffer). */
export const binAsModule: esbuild.Plugin = {
  name: 'bin-as-module',
  setup(b) { b.onResolve({ filter: /\.bin$/ }, (a) => ({ path: `./${a.path.split('/').pop()}`, external: true })); },
};

/** Bundles an entry of this package (the package resolves itself as `rectify`). */
export async function bundle(entry: string, options: esbuild.BuildOptions = {}): Promise<{ code: string; inputs: string[] }> {
  const r = await esbuild.build({
    entryPoints: [join(ROOT, entry)], absWorkingDir: ROOT, bundle: true, write: false, metafile: true,
    format: 'esm', logLevel: 'silent', ...options,
  });
  return { code: r.outputFiles![0]!.text, inputs: Object.keys(r.metafile!.inputs) };
}

/** A binary shipped in an npm package, or undefined when it is not installed (the test then skips, loudly). */
export function npmBinary(candidates: string[]): string | undefined {
  return candidates.map((c) => join(ROOT, c)).find((p) => existsSync(p));
}

/** Runs a command, resolves with stdout; rejects with stderr on a non-zero exit or after `timeoutMs`. */
export function run(cmd: string, args: string[], timeoutMs = 30_000): Promise<string> {
  return new Promise((res, rej) => {
    const p = spawn(cmd, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
    let out = '', err = '';
    p.stdout.on('data', (d) => { out += d; });
    p.stderr.on('data', (d) => { err += d; });
    const t = setTimeout(() => { p.kill('SIGKILL'); rej(new Error(`${cmd} timed out after ${timeoutMs} ms\n${err}`)); }, timeoutMs);
    p.on('error', (e) => { clearTimeout(t); rej(e); });
    p.on('close', (code) => {
      clearTimeout(t);
      if (code === 0) res(out); else rej(new Error(`${cmd} ${args.join(' ')} exited ${code}\n${err}\n${out}`));
    });
  });
}

/** The last line of output that parses as JSON (runtimes may print banners first). */
export function lastJson<T>(out: string): T {
  const lines = out.trim().split('\n').reverse();
  for (const l of lines) { try { return JSON.parse(l) as T; } catch { /* not JSON */ } }
  throw new Error(`no JSON in output:\n${out.slice(0, 2000)}`);
}

/** Labels of the sections whose bits differ (for a readable failure). */
export function differingSections(a: ProbeResult, b: ProbeResult): string[] {
  const fa = new Map(a.sections.map((s) => [s.label, s.fnv]));
  const labels = new Set([...a.sections.map((s) => s.label), ...b.sections.map((s) => s.label)]);
  return [...labels].filter((l) => fa.get(l) !== b.sections.find((s) => s.label === l)?.fnv);
}

function words(hex: string): Uint32Array {
  const u = new Uint32Array(hex.length / 8);
  for (let i = 0; i < u.length; i++) u[i] = parseInt(hex.slice(i * 8, i * 8 + 8), 16);
  return u;
}

/** What compareRelaxed needs of a kernel-table row. */
export interface TolerancesOf { name: string; tolerance: { forward: number; backward: number; paramGrad?: number; floor?: number } }

/**
 * Tolerance of the relaxed build against the baseline (fused multiply-add changes roundings). Element-wise outputs:
 * within max(RELAXED_ULPS, 2 x the row's tolerance) ulps of max(|baseline|, the row's floor) -- each build is within
 * the row's tolerance of the f64 reference, so they are within twice that of each other. Parameter gradients (sums
 * over all ~1000 elements): within RELAXED_SUM_REL of max(1, |baseline|). Specials (NaN, Inf) must match exactly.
 * Returns the worst case seen, for the report.
 */
export const RELAXED_ULPS = 16;
/** Relaxed vs baseline trained weights (4 epochs of a small network): relative to the largest weight. */
export const RELAXED_TRAIN_REL = 1e-3;
export const RELAXED_SUM_REL = 1e-4;
export function compareRelaxed(base: ProbeResult, relaxed: ProbeResult, defs: readonly TolerancesOf[]):
  { worstUlps: number; worstRel: number; failures: string[] } {
  let worstUlps = 0, worstRel = 0;
  const failures: string[] = [];
  const baseBy = new Map(base.sections.map((s) => [s.label, s]));
  for (const s of relaxed.sections) {
    const b = baseBy.get(s.label);
    if (!b?.hex || !s.hex || b.n !== s.n) { failures.push(`${s.label}: missing or different length`); continue; }
    const name = s.label.split('/')[0]!;
    const what = s.label.split('/').pop()!;
    const tol = defs.find((d) => d.name === name)?.tolerance;
    const floor = tol?.floor ?? 0;
    const bound = Math.max(RELAXED_ULPS, 2 * ((what === 'forward' ? tol?.forward : tol?.backward) ?? 0));
    const fb = new Float32Array(words(b.hex).buffer), fr = new Float32Array(words(s.hex).buffer);
    const isSum = what.startsWith('paramGrad.');
    if (name === 'train') {
      // Trained weights: every step's rounding differences compound through training, so the relaxed build is held
      // to a relative distance from the baseline, measured against the section's largest magnitude.
      let scale = 0;
      for (const v of fb) if (Number.isFinite(v)) scale = Math.max(scale, Math.abs(v));
      for (let i = 0; i < fb.length; i++) {
        const rel = Math.abs(fb[i]! - fr[i]!) / Math.max(scale, 1e-30);
        worstRel = Math.max(worstRel, rel);
        if (!(rel <= RELAXED_TRAIN_REL)) failures.push(`${s.label}[${i}]: ${fb[i]} vs ${fr[i]} (relative to the section ${rel})`);
      }
      continue;
    }
    for (let i = 0; i < fb.length; i++) {
      const x = fb[i]!, y = fr[i]!;
      if (!Number.isFinite(x) || !Number.isFinite(y)) {
        if (!Object.is(x, y) && !(Number.isNaN(x) && Number.isNaN(y))) failures.push(`${s.label}[${i}]: ${x} vs ${y}`);
        continue;
      }
      if (isSum) {
        const rel = Math.abs(x - y) / Math.max(1, Math.abs(x));
        worstRel = Math.max(worstRel, rel);
        if (rel > RELAXED_SUM_REL) failures.push(`${s.label}[${i}]: ${x} vs ${y} (relative ${rel})`);
      } else {
        const u = x === y ? 0 : Math.abs(x - y) / ulp32(Math.max(Math.abs(x), floor));
        worstUlps = Math.max(worstUlps, u);
        if (u > bound) failures.push(`${s.label}[${i}]: ${x} vs ${y} (${u} ulps > ${bound})`);
      }
    }
  }
  return { worstUlps, worstRel, failures: failures.slice(0, 20) };
}
