// Shared helpers of the benchmark scripts (run.js, nn.js): seeded inputs, tinybench runs, formatting.
import { Bench } from 'tinybench';
import os from 'node:os';

/**
 * mulberry32: a small seeded 32-bit generator; returns floats in [0, 1). Deterministic on every engine.
 * A standalone copy of mulberry32 in src/util/random.ts: the benchmarks run without the TypeScript build.
 */
export function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** n floats uniform in [lo, hi), from a seeded generator. */
export function uniform(n, lo, hi, seed) {
  const r = rng(seed);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = lo + (hi - lo) * r();
  return out;
}

/** A stable 32-bit seed from a string (FNV-1a). */
export function seedOf(s) {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

/**
 * Runs tasks with tinybench and returns the median latency (ms) of each, keyed by name; errors are reported, not
 * thrown. Slow tasks are not forced to 64 iterations: `iterations` is a small minimum and `time` the budget.
 * @param {Array<[string, () => unknown]>} tasks
 * @param {{ time: number, iterations?: number, warmupTime?: number, warmupIterations?: number }} opts
 * @returns {Promise<Map<string, { p50: number, samples: number } | { error: string }>>}
 */
export async function runTasks(tasks, opts) {
  const bench = new Bench({
    time: opts.time,
    iterations: opts.iterations ?? 5,
    warmup: true,
    warmupTime: opts.warmupTime ?? Math.min(100, opts.time / 3),
    warmupIterations: opts.warmupIterations ?? 3,
  });
  for (const [name, fn] of tasks) bench.add(name, fn);
  await bench.run();
  const out = new Map();
  for (const task of bench.tasks) {
    const r = task.result;
    if (r.state === 'completed' || r.state === 'aborted-with-statistics') {
      out.set(task.name, { p50: r.latency.p50, samples: r.latency.samplesCount ?? r.latency.samples?.length ?? 0 });
    } else {
      out.set(task.name, { error: r.error ? String(r.error.message ?? r.error) : r.state });
    }
  }
  return out;
}

/** 3 significant digits, or '-' for missing values. */
export function sig3(v) {
  if (v === undefined || v === null || !Number.isFinite(v)) return '-';
  if (v >= 100) return v.toFixed(0);
  return v.toPrecision(3);
}

/** A markdown table from a header row and data rows (cells are strings). */
export function markdownTable(header, rows) {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (cells) => `| ${cells.map((c, i) => String(c).padEnd(widths[i])).join(' | ')} |`;
  return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n');
}

/** One line describing where the numbers come from. */
export function machineLine() {
  const cpus = os.cpus();
  return `Node ${process.version}, ${os.platform()} ${os.arch()}, ${cpus.length} x ${cpus[0]?.model?.trim() ?? 'unknown CPU'}, ` +
    `${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}
