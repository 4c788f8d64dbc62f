import { describe, expect, it } from 'vitest';
import { lineChart, barChart, decisionBoundary, heatmap, niceTicks, escapeXml, PALETTE } from '../../src/lab/svg.js';
import { ChartError } from '../../src/errors.js';
import { RectifyError } from '../../src/errors.js';
import { xmlProblems } from './xml-check.js';

const texts = (svg: string): string[] => [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]);
const ok = (svg: string): void => {
  expect(svg.startsWith('<svg')).toBe(true);
  expect(svg.endsWith('</svg>')).toBe(true);
  expect(xmlProblems(svg)).toEqual([]);
  for (const m of svg.matchAll(/\s(?:d|x\d?|y\d?|cx|cy|r|width|height|points|transform|viewBox)="([^"]*)"/g)) {
    expect(m[1]).not.toMatch(/NaN|Infinity|undefined/);
  }
};

describe('niceTicks', () => {
  it('uses 1-2-5 steps and widens to whole steps', () => {
    expect(niceTicks(0, 1, 5).labels).toEqual(['0', '0.2', '0.4', '0.6', '0.8', '1']);
    expect(niceTicks(3, 97, 5).labels).toEqual(['0', '20', '40', '60', '80', '100']);
    expect(niceTicks(-0.013, 0.041, 5).labels).toEqual(['-0.02', '0', '0.02', '0.04', '0.06']);
    const t = niceTicks(0.3, 0.7, 4, true);
    expect([t.lo, t.hi]).toEqual([0.3, 0.7]);
    expect(t.labels).toEqual(['0.3', '0.4', '0.5', '0.6', '0.7']);
    expect(niceTicks(5, 5, 4).values.length).toBeGreaterThan(1);
    expect(niceTicks(0, 3e7, 3).labels).toEqual(['0', '1e7', '2e7', '3e7']);
  });
});

describe('lineChart', () => {
  const base = {
    title: 'Loss <relu & "gelu">',
    xLabel: 'epoch',
    yLabel: 'loss',
    series: [
      { name: 'relu <1>', x: [1, 2, 3, 4], y: [1, 0.5, 0.25, 0.125] },
      { name: 'bad', x: [1, 2, 3, 4, 5], y: [1, NaN, Infinity, 0.5, -Infinity] },
      { name: 'none', x: [], y: [] },
    ],
  };

  it('is well formed, escaped and deterministic', () => {
    const svg = lineChart(base);
    ok(svg);
    expect(svg).toContain('Loss &lt;relu &amp; &quot;gelu&quot;&gt;');
    expect(svg).toContain('relu &lt;1&gt;');
    expect(lineChart(base)).toBe(svg);
    expect(svg).toContain(PALETTE[0]);
  });

  it('skips non-finite points, breaks the line, and says so', () => {
    const svg = lineChart(base);
    expect(svg).toContain('&quot;bad&quot;: 3 non-finite points (NaN/Infinity) skipped.');
    expect(texts(svg)).toContain('none (no data)');
    // the "bad" series has isolated points 1 and 4: drawn as dots, path has two moves
    const bad = /<path d="([^"]*)" stroke="#E69F00"/.exec(svg);
    expect(bad?.[1].match(/M/g)?.length).toBe(2);
  });

  it('handles log axes and values <= 0', () => {
    const svg = lineChart({ title: 'log', logY: true, series: [{ name: 'a', x: [0, 1, 2, 3], y: [100, 1, 0, 0.001] }] });
    ok(svg);
    expect(texts(svg)).toEqual(expect.arrayContaining(['0.001', '0.01', '0.1', '1', '10', '100']));
    expect(svg).toContain('1 value &lt;= 0 not shown on the log axis.');
  });

  it('draws an empty chart without failing', () => {
    const svg = lineChart({ title: 'nothing', series: [] });
    ok(svg);
    expect(texts(svg)).toContain('no data');
  });

  it('clips to fixed ranges and notes it; ids differ between charts', () => {
    const a = lineChart({ ...base, yRange: [0, 0.5] });
    ok(a);
    expect(a).toContain('points outside them are clipped');
    const id = (s: string) => /clipPath id="([^"]+)"/.exec(s)?.[1];
    expect(id(a)).not.toBe(id(lineChart(base)));
  });

  it('throws ChartError on structural mistakes', () => {
    const bad = () => lineChart({ title: 't', series: [{ name: 's', x: [1, 2], y: [1] }] });
    expect(bad).toThrow(ChartError);
    expect(bad).toThrow(/series "s" has 2 x values but 1 y values/);
    expect(() => lineChart({ title: 't', series: [], yRange: [1, 0] })).toThrow(RectifyError);
    expect(() => lineChart({ title: 't', series: [], logY: true, yRange: [0, 1] })).toThrow(/lo > 0 on a log axis/);
    expect(() => lineChart({ title: 't', series: [], width: NaN })).toThrow(/width/);
  });

  it('keeps coordinates plain numbers for far-off values on fixed ranges', () => {
    const svg = lineChart({ title: 'far', yRange: [0, 1], series: [{ name: 'a', x: [0, 1, 2], y: [0.5, 1e300, -1e300] }] });
    ok(svg);
    for (const m of svg.matchAll(/\s(?:d|x\d?|y\d?|cx|cy|width|height)="([^"]*)"/g)) expect(m[1]).not.toMatch(/\de[+-]?\d/);
  });

  it('uses a different dash pattern once colours repeat', () => {
    const series = Array.from({ length: 10 }, (_, i) => ({ name: `s${i}`, x: [0, 1], y: [i, i + 1] }));
    const svg = lineChart({ title: 'many', series });
    ok(svg);
    expect(svg.match(/stroke="#0072B2" stroke-dasharray="7 4"/g)?.length).toBeGreaterThan(0);
  });
});

describe('barChart', () => {
  it('draws grouped bars, marks missing values, and validates lengths', () => {
    const svg = barChart({
      title: 'grad norms',
      categories: ['dense 1', 'dense 2', 'out'],
      series: [{ name: 'sigmoid', values: [1e-5, 1e-3, 0.1] }, { name: 'relu', values: [0, NaN, 0.2] }],
      logY: true,
      yLabel: '|g|',
    });
    ok(svg);
    expect(svg.match(/<rect [^>]*><title>/g)?.length).toBe(4);
    expect(svg).toContain('&quot;relu&quot;: 2 values not shown (non-finite or &lt;= 0), marked x.');
    expect(() => barChart({ title: 'b', categories: ['a'], series: [{ name: 's', values: [1, 2] }] })).toThrow(ChartError);
    ok(barChart({ title: 'empty', categories: [], series: [] }));
    const neg = barChart({ title: 'neg', categories: ['a', 'b'], series: [{ name: 's', values: [-1, 2] }] });
    ok(neg);
    expect(texts(neg)).toContain('0');
  });

  it('writes category names that do not fit at a slant, whole, instead of cutting them ("lin...", "har...")', () => {
    const names = ['linear', 'relu', 'relu6', 'leakyRelu', 'prelu', 'hardTanh', 'sbaf', 'arelu', 'elu', 'celu', 'selu', 'sigmoid',
      'logSigmoid', 'hardSigmoid', 'tanh', 'softsign', 'silu', 'mish', 'softplus', 'hardSwish', 'gelu', 'geluTanh'];
    const svg = barChart({ title: 'g', categories: names, series: [{ name: 'a', values: names.map(() => 1) }, { name: 'b', values: names.map(() => 2) }], xLabel: 'activation', width: 760, height: 420 });
    ok(svg);
    const shown = texts(svg);
    for (const n of names) expect(shown).toContain(n);
    expect(shown.some((t) => t.endsWith('…') || t.endsWith('...'))).toBe(false);
    expect(svg).toMatch(/rotate\(-45\)" text-anchor="end">hardSigmoid</);
    // The axis title moves below the slanted names and the drawing grows to hold them.
    const height = Number(/viewBox="0 0 \S+ (\S+)"/.exec(svg)![1]);
    expect(height).toBeGreaterThan(420 + 50);
    const few = barChart({ title: 'g', categories: ['a', 'b'], series: [{ name: 's', values: [1, 2] }] });
    expect(few).not.toMatch(/rotate\(-45\)/);
  });
});

describe('legend', () => {
  it('keeps long series names whole when the chart is wide enough for them', () => {
    const name = 'leakyRelu (bias -1 at init, Adam lr 0.003)';
    const svg = lineChart({ title: 't', series: [{ name, x: [0, 1], y: [0, 1] }], width: 640 });
    expect(texts(svg)).toContain(name);
  });

  it('notes clipping only when a point lies outside a fixed range', () => {
    expect(lineChart({ title: 't', series: [{ name: 's', x: [0, 1], y: [0, 1] }], yRange: [0, 2] })).not.toContain('clipped');
    expect(lineChart({ title: 't', series: [{ name: 's', x: [0, 1], y: [0, 3] }], yRange: [0, 2] })).toContain('clipped');
  });
});

describe('decisionBoundary', () => {
  it('merges runs of equal cells and draws points', () => {
    const w = 40;
    const h = 30;
    const grid = new Float32Array(w * h);
    for (let j = 0; j < h; j++) for (let i = 0; i < w; i++) grid[j * w + i] = i < 20 ? 0 : 1;
    const svg = decisionBoundary({
      title: 'map', grid, w, h, xRange: [-1, 1], yRange: [-1, 1],
      points: { xy: new Float32Array([0, 0, 0.5, -0.5, NaN, 0]), labels: new Uint8Array([0, 1, 1]) },
    });
    ok(svg);
    // two classes, one run each per row
    const runs = [...svg.matchAll(/<path fill="[^"]*" fill-opacity="[^"]*" d="([^"]*)"/g)].map((m) => m[1].split('z').length - 1);
    expect(runs).toEqual([h, h]);
    expect(svg.match(/<circle cx="[^"]*" cy="[^"]*" r="2.6"/g)?.length).toBe(2);
    expect(svg).toContain('1 point with non-finite coordinates skipped.');
    expect(texts(svg)).toEqual(expect.arrayContaining(['class 0', 'class 1']));
  });

  it('shades probabilities and reports invalid cells', () => {
    const grid = new Float32Array([0, 0.3, 0.5, 0.7, 1, NaN]);
    const svg = decisionBoundary({ title: 'p', grid, w: 3, h: 2, xRange: [0, 1], yRange: [0, 1], mode: 'prob' });
    ok(svg);
    expect(svg).toContain('1 grid cell without a valid probability');
    expect(svg).toContain('fill="#bbb"');
    expect(() => decisionBoundary({ title: 'p', grid, w: 4, h: 2, xRange: [0, 1], yRange: [0, 1] })).toThrow(/expected w \* h = 4 \* 2/);
    expect(() => decisionBoundary({ title: 'p', grid, w: 3, h: 2, xRange: [0, 1], yRange: [0, 1], points: { xy: [1], labels: [0] } })).toThrow(ChartError);
  });
});

describe('heatmap', () => {
  it('shades cells white to colour, annotates, and notes non-finite cells', () => {
    const svg = heatmap({ title: 'cm', values: [0, 5, 10, NaN], rows: 2, cols: 2, rowLabels: ['a', 'b'], colLabels: ['x', 'y'] });
    ok(svg);
    expect(svg).toContain('fill="#ffffff"');
    expect(svg).toContain('fill="#0072b2"');
    expect(texts(svg)).toEqual(expect.arrayContaining(['0', '5', '10', 'NaN', 'a', 'b', 'x', 'y']));
    expect(svg).toContain('1 cell not finite (NaN/Infinity), shown grey.');
    expect(() => heatmap({ title: 'h', values: [1, 2, 3], rows: 2, cols: 2 })).toThrow(ChartError);
    expect(() => heatmap({ title: 'h', values: [1], rows: 1, cols: 1, color: 'red' })).toThrow(/#rrggbb/);
    ok(heatmap({ title: 'const', values: [3, 3, 3, 3], rows: 2, cols: 2 }));
  });
});

describe('escapeXml', () => {
  it('escapes the five XML specials', () => {
    expect(escapeXml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  });
});
