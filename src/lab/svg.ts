import { ChartError } from '../errors.js';
import { fnv1a32String } from '../util/hash.js';

/**
 * A tiny dependency-free SVG chart module for the lab report: line charts, grouped bar charts and
 * 2-D decision-boundary maps. Output is a standalone `<svg>` string (with `viewBox`, so it scales),
 * deterministic (same input, same string), with all text escaped. Non-finite values are skipped and
 * listed in a caption under the chart; they never reach a coordinate.
 *
 * Colours: the Okabe-Ito palette (distinguishable with the common colour-vision deficiencies); after
 * eight series the colours repeat with a different dash pattern, so every line stays distinguishable.
 */

/** One line of a {@link lineChart}. */
export interface LineSeries {
  /** Legend name. */
  name: string;
  /** X values. */
  x: ArrayLike<number>;
  /** Y values, same length as x. */
  y: ArrayLike<number>;
  /** Draw dashed (e.g. for a reference or a test curve). */
  dashed?: boolean;
  /** Palette index to use instead of the series' position (so a curve and its derivative share a colour). */
  colorIndex?: number;
}

/** Options of {@link lineChart}. */
export interface LineChartOptions {
  title: string;
  xLabel?: string;
  yLabel?: string;
  series: LineSeries[];
  /** Logarithmic y axis (values <= 0 are skipped and noted). */
  logY?: boolean;
  /** Width of the drawing in px (default 640). */
  width?: number;
  /** Height of the plot including axes and title, without legend and caption (default 360). */
  height?: number;
  /** Fixed x range; default: the data range rounded to ticks. Points outside are clipped. */
  xRange?: [number, number];
  /** Fixed y range; default: the data range rounded to ticks. Points outside are clipped. */
  yRange?: [number, number];
  /** Extra caption text under the chart. */
  caption?: string;
}

/** One group member of a {@link barChart}: a value per category. */
export interface BarSeries {
  name: string;
  /** One value per category (non-finite values are skipped and noted). */
  values: ArrayLike<number>;
}

/** Options of {@link barChart}. */
export interface BarChartOptions {
  title: string;
  /** Category names along x (e.g. layers). */
  categories: string[];
  /** Series drawn side by side within each category (e.g. activations). */
  series: BarSeries[];
  xLabel?: string;
  yLabel?: string;
  /** Logarithmic y axis (values <= 0 are skipped and noted). */
  logY?: boolean;
  width?: number;
  height?: number;
  yRange?: [number, number];
  caption?: string;
}

/** Options of {@link decisionBoundary}. */
export interface DecisionBoundaryOptions {
  title: string;
  /**
   * `w * h` cells, row-major, row 0 at the bottom (y = yRange[0]), column 0 at the left.
   * With mode 'class' each value is a class id; with mode 'prob' it is the probability of class 1.
   */
  grid: ArrayLike<number>;
  w: number;
  h: number;
  /** x extent of the grid. */
  xRange: [number, number];
  /** y extent of the grid. */
  yRange: [number, number];
  /** 'class' (default) or 'prob' (two classes; shaded by confidence in 10 levels). */
  mode?: 'class' | 'prob';
  /** Number of classes (default: max class id in grid and points + 1). */
  classes?: number;
  /** Data points drawn over the map: `xy` holds x0, y0, x1, y1, ...; `labels` their classes. */
  points?: { xy: ArrayLike<number>; labels: ArrayLike<number> };
  xLabel?: string;
  yLabel?: string;
  /** Width of the drawing in px (default 360); the map is square in data units only if ranges agree. */
  width?: number;
  height?: number;
  caption?: string;
}

/** Options of {@link heatmap}. */
export interface HeatmapOptions {
  title: string;
  /** `rows * cols` values, row-major, row 0 at the top (like a matrix or an image). */
  values: ArrayLike<number>;
  rows: number;
  cols: number;
  /** Labels of the rows (left) and columns (bottom), e.g. true and predicted class. */
  rowLabels?: string[];
  colLabels?: string[];
  xLabel?: string;
  yLabel?: string;
  /** Value range mapped to white .. full colour; default [min, max] of the finite values. */
  range?: [number, number];
  /** Write each value in its cell (default: true when rows * cols <= 144). */
  annotate?: boolean;
  /** Full colour of the scale, #rrggbb (default the palette's blue). */
  color?: string;
  width?: number;
  height?: number;
  caption?: string;
}

/**
 * The colour-blind-safe palette: Okabe-Ito's seven colours with black, except that its yellow
 * (too faint on white) is replaced by an olive (#999933, from Paul Tol's muted scheme).
 */
export const PALETTE: readonly string[] = [
  '#0072B2', '#E69F00', '#009E73', '#CC79A7', '#56B4E9', '#D55E00', '#000000', '#999933',
];

const DASHES = ['', '7 4', '2 3', '10 3 2 3'];
const FONT = 'font-family="system-ui,-apple-system,Segoe UI,Roboto,Helvetica,Arial,sans-serif"';

/**
 * Escapes text for XML/HTML content and attribute values.
 * @param s any string
 */
export function escapeXml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : c === '"' ? '&quot;' : '&#39;'));
}

/**
 * Formats a coordinate with at most 2 decimals, never "-0"; clamped to +-1e6 so that far-off points
 * of a clipped series stay plain numbers (they are outside the clip path anyway).
 */
function c(v: number): string {
  const r = Math.round(Math.min(1e6, Math.max(-1e6, v)) * 100) / 100;
  return r === 0 ? '0' : String(r);
}

/** Approximate text width in px for the sans-serif font at `size`. */
function textWidth(s: string, size: number): number {
  return s.length * size * 0.58;
}

function truncate(s: string, max: number): string {
  return s.length <= max ? s : s.slice(0, max - 1) + '\u2026';
}

function hashString(s: string): string {
  return fnv1a32String(s).toString(36);
}

/** 10^e for integer e, by repeated multiplication (no Math.pow rounding differences). */
function pow10(e: number): number {
  let p = 1;
  if (e >= 0) for (let i = 0; i < e; i++) p *= 10;
  else for (let i = 0; i < -e; i++) p /= 10;
  return p;
}

/** Largest integer e with 10^e <= v (v > 0, finite). */
function floorLog10(v: number): number {
  let e = 0;
  while (pow10(e) > v) e--;
  while (pow10(e + 1) <= v) e++;
  return e;
}

/** Axis ticks: the (possibly widened) domain, tick values and their labels. */
export interface Ticks {
  lo: number;
  hi: number;
  values: number[];
  labels: string[];
}

function formatNumber(v: number, decimals: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e6 || a < 1e-4) {
    const s = v.toExponential(2).replace(/\.?0+e/, 'e').replace('e+', 'e');
    return s;
  }
  const s = String(Number(v.toFixed(Math.min(Math.max(decimals, 0), 12))));
  return s === '-0' ? '0' : s;
}

/**
 * Linear ticks on a 1-2-5 step sequence (steps 1, 2 or 5 times a power of ten), about `target` of them.
 * Unless `fixed`, the domain is widened outward to whole steps; an empty range (min = max) is widened first.
 * @param min smallest value to cover
 * @param max largest value to cover
 * @param target approximate number of intervals
 * @param fixed keep [min, max] as the domain (ticks inside it only)
 */
export function niceTicks(min: number, max: number, target: number, fixed = false): Ticks {
  return linearTicks(min, max, target, fixed);
}

function linearTicks(min: number, max: number, target: number, fixed: boolean): Ticks {
  if (!(max > min)) {
    const pad = min === 0 ? 1 : Math.abs(min) * 0.1;
    min -= pad;
    max += pad;
  }
  const raw = (max - min) / target;
  const e = floorLog10(raw);
  const base = pow10(e);
  const m = raw / base;
  const eps = 1e-9;
  const mult = m <= 1 + eps ? 1 : m <= 2 + eps ? 2 : m <= 5 + eps ? 5 : 10;
  const step = mult * base;
  const decimals = mult === 10 ? -(e + 1) : -e;
  const lo = fixed ? min : Math.floor(min / step) * step;
  const hi = fixed ? max : Math.ceil(max / step) * step;
  const values: number[] = [];
  const labels: string[] = [];
  const first = Math.ceil(lo / step - 1e-9);
  const last = Math.floor(hi / step + 1e-9);
  for (let k = first; k <= last && values.length < 100; k++) {
    const v = k * step;
    values.push(v);
    labels.push(formatNumber(v, decimals));
  }
  return { lo, hi, values, labels };
}

/** Log ticks at powers of ten (with 2 and 5 when the range spans at most two decades). */
function logTicks(min: number, max: number, fixed: boolean): Ticks {
  if (!(max > min)) {
    min /= 2;
    max *= 2;
  }
  const e0 = floorLog10(min);
  let e1 = floorLog10(max);
  if (pow10(e1) < max) e1++;
  const lo = fixed ? min : pow10(e0);
  const hi = fixed ? max : pow10(e1);
  const decades = e1 - e0;
  const every = Math.max(1, Math.ceil(decades / 8));
  const values: number[] = [];
  const labels: string[] = [];
  for (let e = e0; e <= e1; e++) {
    const mults = decades <= 2 ? [1, 2, 5] : [1];
    for (const m of mults) {
      const v = m * pow10(e);
      if (v < lo * (1 - 1e-12) || v > hi * (1 + 1e-12)) continue;
      if (m === 1 && (e - e0) % every !== 0) continue;
      values.push(v);
      labels.push(formatNumber(v, -e));
    }
  }
  return { lo, hi, values, labels };
}

interface Axis {
  ticks: Ticks;
  map(v: number): number;
}

function makeAxis(ticks: Ticks, log: boolean, p0: number, p1: number): Axis {
  if (log) {
    const a = Math.log10(ticks.lo);
    const b = Math.log10(ticks.hi);
    return { ticks, map: (v) => p0 + ((Math.log10(v) - a) / (b - a)) * (p1 - p0) };
  }
  const { lo, hi } = ticks;
  return { ticks, map: (v) => p0 + ((v - lo) / (hi - lo)) * (p1 - p0) };
}

function checkSize(v: number | undefined, def: number, name: string): number {
  const s = v ?? def;
  if (!Number.isFinite(s) || s < 120 || s > 10000) throw new ChartError(`${name} must be a number in 120..10000, got ${String(v)}`);
  return s;
}

function checkRange(r: [number, number] | undefined, name: string, log: boolean): void {
  if (r === undefined) return;
  if (!(Number.isFinite(r[0]) && Number.isFinite(r[1]) && r[1] > r[0]) || (log && r[0] <= 0)) {
    throw new ChartError(`${name} must be [lo, hi] with finite lo < hi${log ? ' and lo > 0 on a log axis' : ''}, got [${r.join(', ')}]`);
  }
}

interface Frame {
  left: number;
  right: number;
  top: number;
  bottom: number;
}

function gridAndAxes(f: Frame, xa: Axis | null, ya: Axis, xLabel?: string, yLabel?: string): string[] {
  const out: string[] = [];
  out.push(`<g stroke="#e3e3e3" stroke-width="1">`);
  for (const v of ya.ticks.values) out.push(`<line x1="${c(f.left)}" x2="${c(f.right)}" y1="${c(ya.map(v))}" y2="${c(ya.map(v))}"/>`);
  if (xa) for (const v of xa.ticks.values) out.push(`<line x1="${c(xa.map(v))}" x2="${c(xa.map(v))}" y1="${c(f.top)}" y2="${c(f.bottom)}"/>`);
  out.push('</g>');
  out.push(`<rect x="${c(f.left)}" y="${c(f.top)}" width="${c(f.right - f.left)}" height="${c(f.bottom - f.top)}" fill="none" stroke="#888"/>`);
  out.push(`<g font-size="12" fill="#333">`);
  ya.ticks.values.forEach((v, i) => {
    out.push(`<text x="${c(f.left - 6)}" y="${c(ya.map(v) + 4)}" text-anchor="end">${escapeXml(ya.ticks.labels[i])}</text>`);
  });
  if (xa) {
    xa.ticks.values.forEach((v, i) => {
      out.push(`<text x="${c(xa.map(v))}" y="${c(f.bottom + 15)}" text-anchor="middle">${escapeXml(xa.ticks.labels[i])}</text>`);
    });
  }
  out.push('</g>');
  if (xLabel) out.push(`<text x="${c((f.left + f.right) / 2)}" y="${c(f.bottom + 33)}" text-anchor="middle" font-size="13" fill="#222">${escapeXml(xLabel)}</text>`);
  if (yLabel) {
    const cy = (f.top + f.bottom) / 2;
    out.push(`<text transform="translate(14 ${c(cy)}) rotate(-90)" text-anchor="middle" font-size="13" fill="#222">${escapeXml(yLabel)}</text>`);
  }
  return out;
}

interface LegendItem {
  name: string;
  color: string;
  dash: string;
  kind: 'line' | 'box' | 'dot';
  note?: string;
}

/** Legend laid out in a grid of columns under the plot; returns the markup and its height. */
function legend(items: LegendItem[], x0: number, y0: number, width: number): { svg: string[]; height: number } {
  if (items.length === 0) return { svg: [], height: 0 };
  // Names are cut only when even one column of the full width cannot hold them (the full name stays in a tooltip).
  const max = Math.max(32, Math.floor((width - 40) / 7.5));
  const labels = items.map((it) => truncate(it.name, max) + (it.note ? ` ${it.note}` : ''));
  const colW = Math.min(width, Math.max(...labels.map((l) => textWidth(l, 13))) + 36);
  const cols = Math.max(1, Math.floor(width / colW));
  const rowH = 19;
  const out: string[] = [`<g font-size="13" fill="#222">`];
  items.forEach((it, i) => {
    const x = x0 + (i % cols) * colW;
    const y = y0 + Math.floor(i / cols) * rowH + 10;
    const dash = it.dash ? ` stroke-dasharray="${it.dash}"` : '';
    if (it.kind === 'line') out.push(`<line x1="${c(x)}" x2="${c(x + 24)}" y1="${c(y)}" y2="${c(y)}" stroke="${it.color}" stroke-width="2.5"${dash}/>`);
    else if (it.kind === 'box') out.push(`<rect x="${c(x + 6)}" y="${c(y - 6)}" width="12" height="12" fill="${it.color}"/>`);
    else out.push(`<circle cx="${c(x + 12)}" cy="${c(y)}" r="4.5" fill="${it.color}" stroke="#1a1a1a" stroke-width="0.7"/>`);
    const full = it.name === truncate(it.name, max) ? '' : `<title>${escapeXml(it.name)}</title>`;
    out.push(`<text x="${c(x + 30)}" y="${c(y + 4)}">${full}${escapeXml(labels[i])}</text>`);
  });
  out.push('</g>');
  return { svg: out, height: Math.ceil(items.length / cols) * rowH + 8 };
}

/** Wraps caption text into lines of about `chars` characters. */
function wrap(text: string, chars: number): string[] {
  const lines: string[] = [];
  for (const para of text.split('\n')) {
    let line = '';
    for (const word of para.split(/\s+/).filter((w) => w !== '')) {
      if (line && line.length + 1 + word.length > chars) {
        lines.push(line);
        line = word;
      } else line = line ? `${line} ${word}` : word;
    }
    if (line) lines.push(line);
  }
  return lines;
}

function caption(notes: string[], x0: number, y0: number, width: number): { svg: string[]; height: number } {
  const lines = wrap(notes.join('\n'), Math.max(20, Math.floor(width / 6.8)));
  if (lines.length === 0) return { svg: [], height: 0 };
  const out = [`<g font-size="12" fill="#555">`];
  lines.forEach((l, i) => out.push(`<text x="${c(x0)}" y="${c(y0 + 12 + i * 14)}">${escapeXml(l)}</text>`));
  out.push('</g>');
  return { svg: out, height: lines.length * 14 + 6 };
}

/** Wraps the body into an <svg> element with a unique, deterministic clip-path id. */
function finish(width: number, height: number, title: string, body: string[]): string {
  const inner = body.join('\n');
  const id = 'r' + hashString(title + '\u0000' + inner);
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${c(width)} ${c(height)}" width="${c(width)}" height="${c(height)}" ` +
    `role="img" aria-label="${escapeXml(title)}" ${FONT}>\n<title>${escapeXml(title)}</title>\n` +
    `<rect width="100%" height="100%" fill="#fff"/>\n` +
    inner.replaceAll('CLIPID', id) +
    '\n</svg>'
  );
}

function titleText(title: string, x: number): string {
  return `<text x="${c(x)}" y="20" font-size="15" font-weight="600" fill="#111">${escapeXml(title)}</text>`;
}

function count(n: number, what: string): string {
  return `${n} ${what}${n === 1 ? '' : 's'}`;
}

/**
 * Line chart with axes, 1-2-5 ticks (powers of ten on a log axis), grid, legend and caption.
 * Non-finite points (and values <= 0 on a log axis) are skipped: the line breaks there and the
 * caption says how many were skipped per series. Empty series are listed as "(no data)".
 * @returns an SVG string
 * @throws ChartError when a series' x and y lengths differ, or on an invalid size or range
 */
export function lineChart(o: LineChartOptions): string {
  const W = checkSize(o.width, 640, 'width');
  const H = checkSize(o.height, 360, 'height');
  const logY = o.logY === true;
  checkRange(o.xRange, 'xRange', false);
  checkRange(o.yRange, 'yRange', logY);
  o.series.forEach((s) => {
    if (s.x.length !== s.y.length) {
      throw new ChartError(`lineChart "${o.title}": series "${s.name}" has ${s.x.length} x values but ${s.y.length} y values`);
    }
  });
  const notes: string[] = [];
  // keep only drawable points
  const clean = o.series.map((s) => {
    const pts: Array<[number, number] | null> = [];
    let bad = 0;
    let nonPos = 0;
    for (let i = 0; i < s.x.length; i++) {
      const x = s.x[i];
      const y = s.y[i];
      if (!Number.isFinite(x) || !Number.isFinite(y)) {
        bad++;
        pts.push(null);
      } else if (logY && y <= 0) {
        nonPos++;
        pts.push(null);
      } else pts.push([x, y]);
    }
    if (bad > 0) notes.push(`"${s.name}": ${count(bad, 'non-finite point')} (NaN/Infinity) skipped.`);
    if (nonPos > 0) notes.push(`"${s.name}": ${count(nonPos, 'value')} <= 0 not shown on the log axis.`);
    return pts;
  });
  let xmin = Infinity;
  let xmax = -Infinity;
  let ymin = Infinity;
  let ymax = -Infinity;
  for (const pts of clean) {
    for (const p of pts) {
      if (!p) continue;
      if (p[0] < xmin) xmin = p[0];
      if (p[0] > xmax) xmax = p[0];
      if (p[1] < ymin) ymin = p[1];
      if (p[1] > ymax) ymax = p[1];
    }
  }
  const empty = xmin > xmax;
  if (empty) {
    xmin = 0;
    xmax = 1;
    ymin = logY ? 1 : 0;
    ymax = logY ? 10 : 1;
  }
  const yl = o.yLabel ? 22 : 0;
  const f: Frame = { left: 52 + yl, right: W - 16, top: 32, bottom: H - (o.xLabel ? 44 : 28) };
  const xt = o.xRange ? linearTicks(o.xRange[0], o.xRange[1], Math.max(2, Math.floor((f.right - f.left) / 80)), true)
    : linearTicks(xmin, xmax, Math.max(2, Math.floor((f.right - f.left) / 80)), false);
  const yTarget = Math.max(2, Math.floor((f.bottom - f.top) / 45));
  const yt = o.yRange
    ? logY ? logTicks(o.yRange[0], o.yRange[1], true) : linearTicks(o.yRange[0], o.yRange[1], yTarget, true)
    : logY ? logTicks(ymin, ymax, false) : linearTicks(ymin, ymax, yTarget, false);
  const xa = makeAxis(xt, false, f.left, f.right);
  const ya = makeAxis(yt, logY, f.bottom, f.top);
  const body: string[] = [titleText(o.title, f.left)];
  body.push(`<defs><clipPath id="CLIPID"><rect x="${c(f.left)}" y="${c(f.top)}" width="${c(f.right - f.left)}" height="${c(f.bottom - f.top)}"/></clipPath></defs>`);
  body.push(...gridAndAxes(f, xa, ya, o.xLabel, o.yLabel));
  const items: LegendItem[] = [];
  body.push(`<g clip-path="url(#CLIPID)" fill="none" stroke-width="2" stroke-linejoin="round" stroke-linecap="round">`);
  clean.forEach((pts, si) => {
    const s = o.series[si];
    const ci = s.colorIndex ?? si;
    const color = PALETTE[ci % PALETTE.length];
    const dash = s.dashed ? '7 4' : DASHES[Math.floor(ci / PALETTE.length) % DASHES.length];
    let d = '';
    let pen = false;
    let n = 0;
    const singles: string[] = [];
    pts.forEach((p, i) => {
      if (!p) {
        pen = false;
        return;
      }
      const px = xa.map(p[0]);
      const py = ya.map(p[1]);
      const next = pts[i + 1];
      if (!pen && !next) singles.push(`<circle cx="${c(px)}" cy="${c(py)}" r="2.5" fill="${color}" stroke="none"/>`);
      d += `${pen ? 'L' : 'M'}${c(px)} ${c(py)}`;
      pen = true;
      n++;
    });
    const dashAttr = dash ? ` stroke-dasharray="${dash}"` : '';
    if (d) body.push(`<path d="${d}" stroke="${color}"${dashAttr}><title>${escapeXml(s.name)}</title></path>`);
    body.push(...singles);
    items.push({ name: s.name, color, dash, kind: 'line', note: n === 0 ? '(no data)' : undefined });
  });
  body.push('</g>');
  if (empty) {
    body.push(`<text x="${c((f.left + f.right) / 2)}" y="${c((f.top + f.bottom) / 2)}" text-anchor="middle" font-size="13" fill="#777">no data</text>`);
  }
  if (o.xRange || o.yRange) {
    const outside = clean.some((pts) => pts.some((p) => p !== null && (
      (o.xRange !== undefined && (p[0] < o.xRange[0] || p[0] > o.xRange[1])) ||
      (o.yRange !== undefined && (p[1] < o.yRange[0] || p[1] > o.yRange[1])))));
    if (outside) notes.push('Axes have fixed ranges; points outside them are clipped.');
  }
  if (o.caption) notes.unshift(o.caption);
  const lg = legend(items, f.left, H, f.right - f.left);
  const cp = caption(notes, f.left, H + lg.height, f.right - f.left);
  body.push(...lg.svg, ...cp.svg);
  return finish(W, H + lg.height + cp.height, o.title, body);
}

/**
 * Grouped bar chart: one group per category, one bar per series inside it (e.g. gradient norm per
 * layer, one bar per activation). Non-finite values (and values <= 0 on a log axis) leave a gap
 * marked with a small "x" and are noted in the caption.
 * @returns an SVG string
 * @throws ChartError when a series does not have one value per category, or on an invalid size or range
 */
export function barChart(o: BarChartOptions): string {
  const W = checkSize(o.width, 640, 'width');
  const H = checkSize(o.height, 360, 'height');
  const logY = o.logY === true;
  checkRange(o.yRange, 'yRange', logY);
  o.series.forEach((s) => {
    if (s.values.length !== o.categories.length) {
      throw new ChartError(`barChart "${o.title}": series "${s.name}" has ${s.values.length} values for ${o.categories.length} categories`);
    }
  });
  const notes: string[] = [];
  let ymin = Infinity;
  let ymax = -Infinity;
  o.series.forEach((s) => {
    let bad = 0;
    for (let i = 0; i < s.values.length; i++) {
      const v = s.values[i];
      if (!Number.isFinite(v) || (logY && v <= 0)) {
        bad++;
        continue;
      }
      if (v < ymin) ymin = v;
      if (v > ymax) ymax = v;
    }
    if (bad > 0) notes.push(`"${s.name}": ${count(bad, 'value')} not shown (${logY ? 'non-finite or <= 0' : 'non-finite'}), marked x.`);
  });
  const empty = ymin > ymax;
  if (empty) {
    ymin = logY ? 1 : 0;
    ymax = logY ? 10 : 1;
  }
  if (!logY) {
    ymin = Math.min(0, ymin);
    ymax = Math.max(0, ymax);
  }
  const yl = o.yLabel ? 22 : 0;
  const f: Frame = { left: 52 + yl, right: W - 16, top: 32, bottom: H - (o.xLabel ? 44 : 28) };
  const yTarget = Math.max(2, Math.floor((f.bottom - f.top) / 45));
  const yt = o.yRange
    ? logY ? logTicks(o.yRange[0], o.yRange[1], true) : linearTicks(o.yRange[0], o.yRange[1], yTarget, true)
    : logY ? logTicks(ymin, ymax, false) : linearTicks(ymin, ymax, yTarget, false);
  const ya = makeAxis(yt, logY, f.bottom, f.top);
  const body: string[] = [titleText(o.title, f.left)];
  body.push(`<defs><clipPath id="CLIPID"><rect x="${c(f.left)}" y="${c(f.top)}" width="${c(f.right - f.left)}" height="${c(f.bottom - f.top)}"/></clipPath></defs>`);
  const nc = Math.max(1, o.categories.length);
  const groupW = (f.right - f.left) / nc;
  // Category names that do not fit under their group are written at a slant (whole, up to 24 characters) instead
  // of being cut to a few letters; the chart grows by the height they need.
  const maxChars = Math.max(3, Math.floor(groupW / 7));
  const slant = o.categories.some((name) => name.length > maxChars);
  const longest = Math.min(24, Math.max(0, ...o.categories.map((name) => name.length)));
  const extra = slant ? Math.ceil(longest * 6.6 * Math.sin(Math.PI / 4)) + 2 : 0;
  body.push(...gridAndAxes(f, null, ya, slant ? undefined : o.xLabel, o.yLabel));
  if (slant && o.xLabel) body.push(`<text x="${c((f.left + f.right) / 2)}" y="${c(f.bottom + extra + 30)}" text-anchor="middle" font-size="13" fill="#222">${escapeXml(o.xLabel)}</text>`);
  const ns = Math.max(1, o.series.length);
  const barW = (groupW * 0.8) / ns;
  const base = logY ? f.bottom : ya.map(Math.min(Math.max(0, yt.lo), yt.hi));
  body.push(`<g font-size="12" fill="#333">`);
  o.categories.forEach((name, k) => {
    const shown = slant ? truncate(name, 24) : truncate(name, maxChars);
    const full = shown === name ? '' : `<title>${escapeXml(name)}</title>`;
    const cx = f.left + groupW * (k + 0.5);
    if (slant) body.push(`<text transform="translate(${c(cx + 4)} ${c(f.bottom + 10)}) rotate(-45)" text-anchor="end">${full}${escapeXml(shown)}</text>`);
    else body.push(`<text x="${c(cx)}" y="${c(f.bottom + 15)}" text-anchor="middle">${full}${escapeXml(shown)}</text>`);
  });
  body.push('</g>', `<g clip-path="url(#CLIPID)">`);
  const items: LegendItem[] = [];
  o.series.forEach((s, si) => {
    const color = PALETTE[si % PALETTE.length];
    if (o.series.length > 1) items.push({ name: s.name, color, dash: '', kind: 'box' });
    for (let k = 0; k < s.values.length; k++) {
      const v = s.values[k];
      const x = f.left + groupW * k + groupW * 0.1 + barW * si;
      if (!Number.isFinite(v) || (logY && v <= 0)) {
        const cx = x + barW / 2;
        body.push(`<path d="M${c(cx - 3)} ${c(f.bottom - 9)}L${c(cx + 3)} ${c(f.bottom - 3)}M${c(cx + 3)} ${c(f.bottom - 9)}L${c(cx - 3)} ${c(f.bottom - 3)}" stroke="#999" stroke-width="1.2"/>`);
        continue;
      }
      const y = ya.map(v);
      const top = Math.max(f.top - 1, Math.min(y, base));
      const bottom = Math.min(f.bottom + 1, Math.max(y, base));
      const pattern = Math.floor(si / PALETTE.length) % 2 === 1 ? ' stroke="#fff" stroke-dasharray="3 2"' : '';
      body.push(`<rect x="${c(x)}" y="${c(top)}" width="${c(Math.max(0.5, barW - 1))}" height="${c(Math.max(0, bottom - top))}" fill="${color}"${pattern}><title>${escapeXml(`${s.name} / ${o.categories[k]}: ${formatNumber(v, 4)}`)}</title></rect>`);
    }
  });
  body.push('</g>');
  if (empty) body.push(`<text x="${c((f.left + f.right) / 2)}" y="${c((f.top + f.bottom) / 2)}" text-anchor="middle" font-size="13" fill="#777">no data</text>`);
  if (o.caption) notes.unshift(o.caption);
  const lg = legend(items, f.left, H + extra, f.right - f.left);
  const cp = caption(notes, f.left, H + extra + lg.height, f.right - f.left);
  body.push(...lg.svg, ...cp.svg);
  return finish(W, H + extra + lg.height + cp.height, o.title, body);
}

/**
 * 2-D decision-boundary map: the model's prediction on a grid, drawn as merged runs of cells
 * (compact even for fine grids), with the data points on top. In 'class' mode each cell shows its
 * class colour; in 'prob' mode the colour of the more likely class, stronger with confidence
 * (10 levels), so the boundary (p = 0.5) is white. Non-finite cells are grey and noted.
 * @returns an SVG string
 * @throws ChartError when grid.length !== w * h, on invalid ranges or sizes, or when points and labels disagree
 */
export function decisionBoundary(o: DecisionBoundaryOptions): string {
  const W = checkSize(o.width, 360, 'width');
  const H = checkSize(o.height, 360, 'height');
  checkRange(o.xRange, 'xRange', false);
  checkRange(o.yRange, 'yRange', false);
  if (!Number.isInteger(o.w) || !Number.isInteger(o.h) || o.w < 1 || o.h < 1 || o.grid.length !== o.w * o.h) {
    throw new ChartError(`decisionBoundary "${o.title}": grid has ${o.grid.length} cells, expected w * h = ${o.w} * ${o.h}`);
  }
  const pts = o.points;
  if (pts && pts.xy.length !== 2 * pts.labels.length) {
    throw new ChartError(`decisionBoundary "${o.title}": points.xy has ${pts.xy.length} values for ${pts.labels.length} labels (expected 2 per point)`);
  }
  const mode = o.mode ?? 'class';
  let maxClass = mode === 'prob' ? 1 : 0;
  if (mode === 'class') for (let i = 0; i < o.grid.length; i++) if (Number.isFinite(o.grid[i]) && o.grid[i] > maxClass) maxClass = o.grid[i];
  if (pts) for (let i = 0; i < pts.labels.length; i++) if (pts.labels[i] > maxClass) maxClass = pts.labels[i];
  const classes = o.classes ?? Math.floor(maxClass) + 1;
  const yl = o.yLabel ? 22 : 0;
  const f: Frame = { left: 44 + yl, right: W - 12, top: 32, bottom: H - (o.xLabel ? 44 : 28) };
  const xt = linearTicks(o.xRange[0], o.xRange[1], Math.max(2, Math.floor((f.right - f.left) / 70)), true);
  const yt = linearTicks(o.yRange[0], o.yRange[1], Math.max(2, Math.floor((f.bottom - f.top) / 50)), true);
  const xa = makeAxis(xt, false, f.left, f.right);
  const ya = makeAxis(yt, false, f.bottom, f.top);
  const body: string[] = [titleText(o.title, f.left)];
  body.push(`<defs><clipPath id="CLIPID"><rect x="${c(f.left)}" y="${c(f.top)}" width="${c(f.right - f.left)}" height="${c(f.bottom - f.top)}"/></clipPath></defs>`);
  // cell style key: class id (class mode) or signed confidence level (prob mode); -1 = invalid
  const notes: string[] = [];
  let invalid = 0;
  const key = (v: number): string => {
    if (!Number.isFinite(v)) return 'nan';
    if (mode === 'class') {
      const k = Math.round(v);
      return k < 0 || k >= classes ? 'nan' : `c${k}`;
    }
    const p = Math.min(1, Math.max(0, v));
    const level = Math.min(5, Math.floor(Math.abs(p - 0.5) * 10 + 0.5)); // 0..5 per side
    return level === 0 ? 'p0' : p < 0.5 ? `a${level}` : `b${level}`;
  };
  const style = (k: string): string => {
    if (k === 'nan') return 'fill="#bbb"';
    if (k[0] === 'c') return `fill="${PALETTE[Number(k.slice(1)) % PALETTE.length]}" fill-opacity="0.25"`;
    if (k === 'p0') return 'fill="#fff"';
    const level = Number(k.slice(1));
    return `fill="${k[0] === 'a' ? PALETTE[0] : PALETTE[1]}" fill-opacity="${c(level * 0.07)}"`;
  };
  const cw = (f.right - f.left) / o.w;
  const ch = (f.bottom - f.top) / o.h;
  const runs = new Map<string, string[]>();
  for (let j = 0; j < o.h; j++) {
    let i = 0;
    while (i < o.w) {
      const k = key(o.grid[j * o.w + i]);
      let e = i + 1;
      while (e < o.w) {
        if (key(o.grid[j * o.w + e]) !== k) break;
        e++;
      }
      if (k === 'nan') invalid += e - i;
      const y = f.bottom - (j + 1) * ch;
      // overlap by 0.4px to avoid hairline seams between rows
      const list = runs.get(k) ?? [];
      list.push(`M${c(f.left + i * cw)} ${c(y)}h${c((e - i) * cw + 0.4)}v${c(ch + 0.4)}h${c(-((e - i) * cw + 0.4))}z`);
      runs.set(k, list);
      i = e;
    }
  }
  body.push(`<g clip-path="url(#CLIPID)">`);
  for (const k of [...runs.keys()].sort()) body.push(`<path ${style(k)} d="${(runs.get(k) as string[]).join('')}"/>`);
  body.push('</g>');
  body.push(...gridAndAxes(f, xa, ya, o.xLabel, o.yLabel).map((s) => s.replace('stroke="#e3e3e3"', 'stroke="#000" stroke-opacity="0.08"')));
  if (invalid > 0) notes.push(`${count(invalid, 'grid cell')} without a valid ${mode === 'class' ? 'class' : 'probability'} (NaN or out of range) shown grey.`);
  const items: LegendItem[] = [];
  for (let k = 0; k < classes; k++) items.push({ name: `class ${k}`, color: PALETTE[k % PALETTE.length], dash: '', kind: 'dot' });
  if (pts) {
    let bad = 0;
    body.push(`<g clip-path="url(#CLIPID)" stroke="#1a1a1a" stroke-width="0.7">`);
    const r = pts.labels.length > 1000 ? 1.8 : 2.6;
    for (let i = 0; i < pts.labels.length; i++) {
      const x = pts.xy[2 * i];
      const y = pts.xy[2 * i + 1];
      const l = pts.labels[i];
      if (!Number.isFinite(x) || !Number.isFinite(y)) {
        bad++;
        continue;
      }
      body.push(`<circle cx="${c(xa.map(x))}" cy="${c(ya.map(y))}" r="${r}" fill="${PALETTE[l % PALETTE.length]}"/>`);
    }
    body.push('</g>');
    if (bad > 0) notes.push(`${count(bad, 'point')} with non-finite coordinates skipped.`);
  }
  if (mode === 'prob') notes.unshift('Shade: predicted class, stronger with confidence; white is p = 0.5.');
  if (o.caption) notes.unshift(o.caption);
  const lg = legend(items, f.left, H, f.right - f.left);
  const cp = caption(notes, f.left, H + lg.height, f.right - f.left);
  body.push(...lg.svg, ...cp.svg);
  return finish(W, H + lg.height + cp.height, o.title, body);
}

function hexToRgb(h: string): [number, number, number] {
  const m = /^#([0-9a-f]{6})$/i.exec(h);
  if (!m) throw new ChartError(`colour must be #rrggbb, got ${JSON.stringify(h)}`);
  const n = parseInt(m[1], 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

/**
 * Matrix heat map (e.g. a confusion matrix or an 8x8 digit): each cell is shaded from white (range
 * low) to `color` (range high), optionally with its value written in it. Non-finite cells are grey
 * and noted in the caption.
 * @returns an SVG string
 * @throws ChartError when values.length !== rows * cols, labels have the wrong length, or the size/range is invalid
 */
export function heatmap(o: HeatmapOptions): string {
  const W = checkSize(o.width, 420, 'width');
  const H = checkSize(o.height, 420, 'height');
  checkRange(o.range, 'range', false);
  if (!Number.isInteger(o.rows) || !Number.isInteger(o.cols) || o.rows < 1 || o.cols < 1 || o.values.length !== o.rows * o.cols) {
    throw new ChartError(`heatmap "${o.title}": ${o.values.length} values, expected rows * cols = ${o.rows} * ${o.cols}`);
  }
  if (o.rowLabels && o.rowLabels.length !== o.rows) throw new ChartError(`heatmap "${o.title}": ${o.rowLabels.length} row labels for ${o.rows} rows`);
  if (o.colLabels && o.colLabels.length !== o.cols) throw new ChartError(`heatmap "${o.title}": ${o.colLabels.length} column labels for ${o.cols} columns`);
  const rgb = hexToRgb(o.color ?? PALETTE[0]);
  let lo = Infinity;
  let hi = -Infinity;
  let bad = 0;
  for (let i = 0; i < o.values.length; i++) {
    const v = o.values[i];
    if (!Number.isFinite(v)) {
      bad++;
      continue;
    }
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (o.range) [lo, hi] = o.range;
  if (!(hi > lo)) hi = lo + 1;
  const yl = o.yLabel ? 22 : 0;
  const rowW = o.rowLabels ? Math.min(120, Math.max(...o.rowLabels.map((l) => textWidth(l, 12))) + 10) : 0;
  const f: Frame = { left: 12 + yl + rowW, right: W - 12, top: 32, bottom: H - (o.xLabel ? 44 : 16) - (o.colLabels ? 12 : 0) };
  const cw = (f.right - f.left) / o.cols;
  const ch = (f.bottom - f.top) / o.rows;
  const annotate = o.annotate ?? o.rows * o.cols <= 144;
  const body: string[] = [titleText(o.title, f.left)];
  body.push('<g>');
  const labels: string[] = [];
  for (let r = 0; r < o.rows; r++) {
    for (let k = 0; k < o.cols; k++) {
      const v = o.values[r * o.cols + k];
      const x = f.left + k * cw;
      const y = f.top + r * ch;
      let fill = '#bbb';
      let t = 0;
      if (Number.isFinite(v)) {
        t = Math.min(1, Math.max(0, (v - lo) / (hi - lo)));
        const mix = (ch0: number): string => Math.round(255 + (ch0 - 255) * t).toString(16).padStart(2, '0');
        fill = `#${mix(rgb[0])}${mix(rgb[1])}${mix(rgb[2])}`;
      }
      body.push(`<rect x="${c(x)}" y="${c(y)}" width="${c(cw + 0.3)}" height="${c(ch + 0.3)}" fill="${fill}"/>`);
      if (annotate) {
        const txt = Number.isFinite(v) ? formatNumber(v, Number.isInteger(v) ? 0 : 2) : String(v);
        const size = Math.max(8, Math.min(13, ch * 0.45, (cw / Math.max(1, txt.length)) * 1.5));
        labels.push(`<text x="${c(x + cw / 2)}" y="${c(y + ch / 2 + size * 0.35)}" font-size="${c(size)}" fill="${t > 0.55 ? '#fff' : '#222'}">${escapeXml(txt)}</text>`);
      }
    }
  }
  body.push('</g>');
  if (labels.length > 0) body.push('<g text-anchor="middle">', ...labels, '</g>');
  body.push(`<rect x="${c(f.left)}" y="${c(f.top)}" width="${c(f.right - f.left)}" height="${c(f.bottom - f.top)}" fill="none" stroke="#888"/>`);
  body.push('<g font-size="12" fill="#333">');
  o.rowLabels?.forEach((l, r) => body.push(`<text x="${c(f.left - 5)}" y="${c(f.top + (r + 0.5) * ch + 4)}" text-anchor="end">${escapeXml(truncate(l, 18))}</text>`));
  o.colLabels?.forEach((l, k) => body.push(`<text x="${c(f.left + (k + 0.5) * cw)}" y="${c(f.bottom + 15)}" text-anchor="middle">${escapeXml(truncate(l, Math.max(3, Math.floor(cw / 7))))}</text>`));
  body.push('</g>');
  if (o.xLabel) body.push(`<text x="${c((f.left + f.right) / 2)}" y="${c(H - 10)}" text-anchor="middle" font-size="13" fill="#222">${escapeXml(o.xLabel)}</text>`);
  if (o.yLabel) body.push(`<text transform="translate(14 ${c((f.top + f.bottom) / 2)}) rotate(-90)" text-anchor="middle" font-size="13" fill="#222">${escapeXml(o.yLabel)}</text>`);
  const notes: string[] = [];
  if (o.caption) notes.push(o.caption);
  notes.push(`Scale: white = ${formatNumber(lo, 3)}, full colour = ${formatNumber(hi, 3)}.`);
  if (bad > 0) notes.push(`${count(bad, 'cell')} not finite (NaN/Infinity), shown grey.`);
  const cp = caption(notes, f.left, H, f.right - f.left);
  body.push(...cp.svg);
  return finish(W, H + cp.height, o.title, body);
}
