/**
 * The lab's report: one self-contained HTML page (inline SVG, no network access) and the SVG charts.
 * @module
 */
import type { Engine } from '../engine.js';
import type { ActivationSpec } from '../activation-table.js';
import type { LabData, RunResult } from './experiment.js';
import type { ClaimResult } from './claims.js';
import { describeNumber } from './claims.js';
import { lineChart, barChart, decisionBoundary, type LineChartOptions, type LineSeries } from './svg.js';
import { renderReport } from './html-page.js';

/** Settings of the run, shown in the report. */
export interface LabSettings {
  readonly layers: readonly number[];
  readonly epochs: number;
  readonly batch: number;
  readonly optimizer: string;
  readonly lr: number;
  readonly seed: number;
  readonly trainSeconds: number;
}

function specName(s: ActivationSpec): string { return (s as { name: string }).name; }

/** Joins names as "a", "a and b", "a, b and c". */
function listNames(names: readonly string[]): string {
  return names.length < 2 ? names.join('') : `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
}

/**
 * Groups of series whose lines lie on top of each other: same x values and y values within `share` of the y span
 * (about the width of a line on a chart 300 px high) at every point, compared in log space on a log axis. A reader sees one line for
 * each group; the caption has to say so.
 */
export function coincidentSeries(series: readonly LineSeries[], logY = false, share = 0.01): string[][] {
  const tf = (v: number) => (logY ? (v > 0 ? Math.log10(v) : NaN) : v);
  let lo = Infinity, hi = -Infinity;
  for (const s of series) for (let i = 0; i < s.y.length; i++) { const v = tf(s.y[i]!); if (Number.isFinite(v)) { lo = Math.min(lo, v); hi = Math.max(hi, v); } }
  const tol = hi > lo ? (hi - lo) * share : 0;
  const same = (a: LineSeries, b: LineSeries): boolean => {
    if (a.x.length !== b.x.length || a.x.length === 0) return false;
    let drawn = 0;
    for (let i = 0; i < a.x.length; i++) {
      if (a.x[i] !== b.x[i]) return false;
      const u = tf(a.y[i]!), v = tf(b.y[i]!);
      if (Number.isFinite(u) !== Number.isFinite(v)) return false;
      if (!Number.isFinite(u)) continue;
      if (Math.abs(u - v) > tol) return false;
      drawn++;
    }
    return drawn > 0;
  };
  const groups: string[][] = [];
  const taken = new Set<number>();
  series.forEach((a, i) => {
    if (taken.has(i)) return;
    const group = [a.name];
    for (let j = i + 1; j < series.length; j++) if (!taken.has(j) && same(a, series[j]!)) { group.push(series[j]!.name); taken.add(j); }
    if (group.length > 1) groups.push(group);
  });
  return groups;
}

/** A line chart whose caption names the lines that hide each other. */
function lineChartNamingOverlaps(o: LineChartOptions): string {
  const groups = coincidentSeries(o.series, o.logY);
  const note = groups.map((g) => `${listNames(g)} coincide (the line drawn last, ${g[g.length - 1]}, hides the ${g.length > 2 ? 'others' : 'other'}).`).join(' ');
  return lineChart({ ...o, caption: [o.caption, note].filter(Boolean).join(' ') || undefined });
}

/** The finite range of every y value (only values > 0 on a log axis), padded so no point touches the frame. */
function sharedRange(series: readonly LineSeries[], logY: boolean): [number, number] | undefined {
  let lo = Infinity, hi = -Infinity;
  for (const s of series) for (let i = 0; i < s.y.length; i++) { const v = s.y[i]!; if (Number.isFinite(v) && (!logY || v > 0)) { lo = Math.min(lo, v); hi = Math.max(hi, v); } }
  if (!(hi >= lo)) return undefined;
  if (logY) return [lo / 1.05, hi * 1.05];
  const pad = hi > lo ? (hi - lo) * 0.02 : 1;
  return [lo - pad, hi + pad];
}

/**
 * One chart with many lines as small multiples: groups of at most `per` lines (in table order, so a family stays
 * together), every panel with the same axes so panels compare at a glance.
 */
function smallMultiples(o: LineChartOptions, per = 6): string[] {
  if (o.series.length <= per) return [lineChartNamingOverlaps(o)];
  const yRange = sharedRange(o.series, o.logY === true);
  let xmax = -Infinity, xmin = Infinity;
  for (const s of o.series) for (let i = 0; i < s.x.length; i++) if (Number.isFinite(s.x[i]!)) { xmin = Math.min(xmin, s.x[i]!); xmax = Math.max(xmax, s.x[i]!); }
  const xRange: [number, number] | undefined = xmax > xmin ? [xmin, xmax] : undefined;
  const panels = Math.ceil(o.series.length / per);
  const size = Math.ceil(o.series.length / panels);
  const out: string[] = [];
  for (let i = 0; i < o.series.length; i += size) {
    const group = o.series.slice(i, i + size);
    out.push(lineChartNamingOverlaps({ ...o, title: `${o.title}: ${group[0]!.name} to ${group[group.length - 1]!.name}`, series: group, yRange, xRange }));
  }
  return out;
}

/** Curves of activations and their derivatives (computed by the wasm kernels) on `range`, as one SVG. */
export function activationCurves(engine: Engine, specs: readonly ActivationSpec[], range: readonly [number, number], title = 'Activations and derivatives'): string {
  const n = 601;
  const xs = Float32Array.from({ length: n }, (_, i) => range[0] + ((range[1] - range[0]) * i) / (n - 1));
  const series: { name: string; x: number[]; y: number[]; dashed?: boolean; colorIndex: number }[] = [];
  for (const [i, spec] of specs.entries()) {
    const act = engine.activation(spec);
    try {
      series.push({ name: specName(spec), x: Array.from(xs), y: Array.from(act.forward(xs)), colorIndex: i });
      if (act.def.kind === 'elementwise') series.push({ name: `${specName(spec)}'`, x: Array.from(xs), y: Array.from(act.derivative(xs)), dashed: true, colorIndex: i });
    } finally { act.dispose(); }
  }
  return lineChartNamingOverlaps({ title, xLabel: 'x', yLabel: "f(x), f'(x) (dashed)", series, width: 640, height: 400 });
}

const pct = (v: number | null) => (v === null || Number.isNaN(v) ? '-' : `${(v * 100).toFixed(1)}%`);

/** Builds the report; returns the HTML and the charts by file name. */
export function buildReport(engine: Engine, data: LabData, results: readonly RunResult[], claims: readonly ClaimResult[], s: LabSettings): { html: string; charts: [string, string][] } {
  const charts: [string, string][] = [];
  const add = (name: string, svg: string) => { charts.push([name, svg]); return svg; };
  // Activation curves in groups of four so each chart stays readable.
  const curveSvgs: string[] = [];
  for (let i = 0; i < results.length; i += 4) {
    const group = results.slice(i, i + 4).map((r) => r.spec);
    curveSvgs.push(add(`activations-${i / 4 + 1}.svg`, activationCurves(engine, group, [-4, 4], `Activations ${group.map(specName).join(', ')}`)));
  }
  const epochsX = (r: RunResult) => r.lossCurve.map((_, i) => i + 1);
  // 22 lines in one chart cannot be told apart: panels of at most 6, with the same axes.
  const losses = smallMultiples({ title: 'Training loss per epoch', xLabel: 'epoch', yLabel: 'cross-entropy', logY: true, width: 720, height: 380,
    series: results.map((r) => ({ name: r.activation, x: epochsX(r), y: r.lossCurve })) }).map((svg, i) => add(i === 0 ? 'loss.svg' : `loss-${i + 1}.svg`, svg));
  const accs = smallMultiples({ title: 'Test accuracy per epoch', xLabel: 'epoch', yLabel: 'accuracy', width: 720, height: 380,
    series: results.map((r) => ({ name: r.activation, x: epochsX(r), y: r.testAccuracyCurve })) }).map((svg, i) => add(i === 0 ? 'accuracy.svg' : `accuracy-${i + 1}.svg`, svg));
  const grads = add('grad-norms.svg', barChart({ title: 'Gradient norm per layer (mean over the last epoch)', xLabel: 'activation', yLabel: '||dL/dW||', logY: true,
    categories: results.map((r) => r.activation), series: results[0] ? results[0].gradNormsLastEpoch.map((_, li) => ({ name: li === results[0]!.gradNormsLastEpoch.length - 1 ? 'output' : `layer ${li + 1}`, values: results.map((r) => r.gradNormsLastEpoch[li] ?? NaN) })) : [],
    width: 760, height: 420 }));
  const deadRuns = results.filter((r) => r.deadCurve.some((v) => v !== null));
  const dead = smallMultiples({ title: 'Dead-unit fraction per epoch (relu family)', xLabel: 'epoch', yLabel: 'fraction of units with zero gradient', width: 720, height: 380,
    series: deadRuns.map((r) => ({ name: r.activation, x: epochsX(r), y: r.deadCurve.map((v) => v ?? NaN) })) }).map((svg, i) => add(i === 0 ? 'dead-units.svg' : `dead-units-${i + 1}.svg`, svg));
  const boundaries = results.filter((r) => r.boundary).map((r) => add(`boundary-${r.activation}.svg`, decisionBoundary({
    title: `${r.activation}: decision regions`, grid: r.boundary!.classes, w: r.boundary!.size, h: r.boundary!.size,
    xRange: [...r.boundary!.xRange], yRange: [...r.boundary!.yRange], xLabel: 'input 1', yLabel: 'input 2',
    points: { xy: data.testX, labels: data.testY }, classes: data.classes, width: 340, height: 340,
  })));
  const learned = (r: RunResult) => r.learnedParams.map((p, i) => Object.entries(p).filter(([k]) => !['subgradient', 'minVal', 'maxVal', 'threshold', 'slope'].includes(k))
    .map(([k, v]) => `L${i + 1} ${k} ${Array.isArray(v) ? `mean ${(v.reduce((a, b) => a + b, 0) / v.length).toFixed(3)}` : v.toFixed(3)}`).join(', ')).filter(Boolean).join('; ') || '-';
  const table = {
    caption: `|g|: gradient norm of the first layer's weights, epoch 1 → ${s.epochs}. dead: units with zero gradient on every probe row; saturated: units in the flat part of a bounded activation.`,
    columns: ['activation', 'train acc', 'test acc', 'final loss', 'epochs to 90%', 'time (s)', '|g| layer 1', 'dead', 'satur\u00adated', 'learned parameters'],
    rows: results.map((r) => [r.activation, pct(r.trainAccuracy), pct(r.testAccuracy), r.finalLoss.toFixed(4), r.epochsToTarget === null ? '-' : String(r.epochsToTarget),
      (r.timeMs / 1000).toFixed(2), `${r.firstLayerGradNorm[0].toPrecision(2)} → ${r.firstLayerGradNorm[1].toPrecision(2)}`, pct(r.deadFraction), pct(r.saturatedFraction), learned(r)]),
  };
  const claimSections = claims.map((c) => {
    const svgs = c.charts.map((ch, k) => add(`claim-${c.id}-${k + 1}.svg`, lineChartNamingOverlaps({ ...ch, series: [...ch.series], width: 640, height: 380 })));
    const held = c.holdsAt.filter(Boolean).length;
    const many = c.seeds.length > 1;
    const fmt = (v: number) => (Number.isInteger(v) ? String(v) : v.toPrecision(4));
    return {
      heading: `Claim ${c.id}: ${c.title} — ${c.holds ? 'PASS' : 'DOES NOT HOLD AS STATED'}`,
      html: `<p><em>${escapeHtml(c.statement)}</em></p><p>${escapeHtml(c.summary)}</p>` +
        (many ? `<p>Verdict: ${c.holds ? 'holds' : 'does not hold'} at a majority of the seeds (${held} of ${c.seeds.length}: ${c.seeds.map((sd, i) => `${sd} ${c.holdsAt[i] ? 'yes' : 'no'}`).join(', ')}). The charts show seed ${c.seeds[0]}.</p>` : ''),
      svgs,
      table: many
        ? { columns: ['measured', `seed ${c.seeds[0]}`, 'min', 'median', 'max'], rows: Object.entries(c.numbers).map(([k, v]) => {
          const sp = c.spread[k];
          return [describeNumber(k), typeof v === 'number' ? fmt(v) : v, sp ? fmt(sp.min) : '-', sp ? fmt(sp.median) : '-', sp ? fmt(sp.max) : '-'];
        }) }
        : { columns: ['measured', 'value'], rows: Object.entries(c.numbers).map(([k, v]) => [describeNumber(k), typeof v === 'number' ? fmt(v) : v]) },
    };
  });
  const html = renderReport({
    title: `rectify activation lab — ${data.name}`,
    meta: {
      data: `${data.name}: ${data.trainY.length} train / ${data.testY.length} test rows, ${data.inputs} inputs, ${data.classes} classes`,
      network: `${data.inputs}-${s.layers.join('-')}-${data.classes} (softmax, cross-entropy), ${s.epochs} epochs, batch ${s.batch}, ${s.optimizer} lr ${s.lr}, seed ${s.seed}`,
      time: `${results.length} networks trained in ${s.trainSeconds.toFixed(1)} s`,
      engine: `rectify SIMD WebAssembly (${engine.relaxedSimd ? 'relaxed' : 'baseline'} build)`,
    },
    sections: [
      { heading: 'Results per activation', table },
      { heading: 'Activation functions and their derivatives', svgs: curveSvgs },
      { heading: 'Training loss and test accuracy', svgs: [...losses, ...accs] },
      { heading: 'Gradient norms per layer', svgs: [grads] },
      { heading: 'Dead units over training', svgs: dead },
      ...(boundaries.length ? [{ heading: 'Decision regions (test points on top)', svgs: boundaries }] : []),
      ...claimSections,
    ],
  });
  return { html, charts };
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}
