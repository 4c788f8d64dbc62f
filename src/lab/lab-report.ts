/**
 * The lab's report: one self-contained HTML page (inline SVG, no network access) and the SVG charts.
 * @module
 */
import type { Engine } from '../engine.js';
import type { ActivationSpec } from '../kernels.js';
import type { LabData, RunResult } from './experiment.js';
import type { ClaimResult } from './claims.js';
import { lineChart, barChart, decisionBoundary } from './svg.js';
import { renderReport } from './report.js';

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
  return lineChart({ title, xLabel: 'x', yLabel: "f(x), f'(x) (dashed)", series, width: 640, height: 400 });
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
  const loss = add('loss.svg', lineChart({ title: 'Training loss per epoch', xLabel: 'epoch', yLabel: 'cross-entropy', logY: true, width: 720, height: 420,
    series: results.map((r) => ({ name: r.activation, x: epochsX(r), y: r.lossCurve })) }));
  const acc = add('accuracy.svg', lineChart({ title: 'Test accuracy per epoch', xLabel: 'epoch', yLabel: 'accuracy', width: 720, height: 420,
    series: results.map((r) => ({ name: r.activation, x: epochsX(r), y: r.testAccuracyCurve })) }));
  const grads = add('grad-norms.svg', barChart({ title: 'Gradient norm per layer (mean over the last epoch)', xLabel: 'activation', yLabel: '||dL/dW||', logY: true,
    categories: results.map((r) => r.activation), series: results[0] ? results[0].gradNormsLastEpoch.map((_, li) => ({ name: li === results[0]!.gradNormsLastEpoch.length - 1 ? 'output' : `layer ${li + 1}`, values: results.map((r) => r.gradNormsLastEpoch[li] ?? NaN) })) : [],
    width: 760, height: 420 }));
  const deadRuns = results.filter((r) => r.deadCurve.some((v) => v !== null));
  const dead = add('dead-units.svg', lineChart({ title: 'Dead-unit fraction per epoch (relu family)', xLabel: 'epoch', yLabel: 'fraction of units with zero gradient', width: 720, height: 420,
    series: deadRuns.map((r) => ({ name: r.activation, x: epochsX(r), y: r.deadCurve.map((v) => v ?? NaN) })) }));
  const boundaries = results.filter((r) => r.boundary).map((r) => add(`boundary-${r.activation}.svg`, decisionBoundary({
    title: `${r.activation}: decision regions`, grid: r.boundary!.classes, w: r.boundary!.size, h: r.boundary!.size,
    xRange: [...r.boundary!.xRange], yRange: [...r.boundary!.yRange],
    points: { xy: data.testX, labels: data.testY }, classes: data.classes, width: 320, height: 320,
  })));
  const table = {
    columns: ['activation', 'train acc', 'test acc', 'final loss', 'epochs to 90%', 'time (s)', '|g| first layer (first → last epoch)', 'dead', 'saturated', 'learned parameters'],
    rows: results.map((r) => [r.activation, pct(r.trainAccuracy), pct(r.testAccuracy), r.finalLoss.toFixed(4), r.epochsToTarget === null ? '-' : String(r.epochsToTarget),
      (r.timeMs / 1000).toFixed(2), `${r.firstLayerGradNorm[0].toExponential(2)} → ${r.firstLayerGradNorm[1].toExponential(2)}`, pct(r.deadFraction), pct(r.saturatedFraction),
      r.learnedParams.map((p, i) => Object.entries(p).filter(([k]) => !['subgradient', 'minVal', 'maxVal', 'threshold', 'slope'].includes(k))
        .map(([k, v]) => `L${i + 1} ${k} ${Array.isArray(v) ? `mean ${(v.reduce((a, b) => a + b, 0) / v.length).toFixed(3)}` : v.toFixed(3)}`).join(', ')).filter(Boolean).join('; ') || '-']),
  };
  const claimSections = claims.map((c, i) => {
    const svgs = c.charts.map((ch, k) => add(`claim-${c.id}-${k + 1}.svg`, lineChart({ ...ch, series: [...ch.series], width: 640, height: 380 })));
    void i;
    return {
      heading: `Claim ${c.id}: ${c.title} — ${c.holds ? 'PASS' : 'DOES NOT HOLD AS STATED'}`,
      html: `<p><em>${escapeHtml(c.statement)}</em></p><p>${escapeHtml(c.summary)}</p>`,
      svgs,
      table: { columns: ['measured', 'value'], rows: Object.entries(c.numbers).map(([k, v]) => [k, typeof v === 'number' ? (Number.isInteger(v) ? String(v) : v.toPrecision(5)) : v]) },
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
      { heading: 'Training loss and test accuracy', svgs: [loss, acc] },
      { heading: 'Gradient norms per layer', svgs: [grads] },
      { heading: 'Dead units over training', svgs: [dead] },
      ...(boundaries.length ? [{ heading: 'Decision regions (test points on top)', svgs: boundaries }] : []),
      ...claimSections,
    ],
  });
  return { html, charts };
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}
