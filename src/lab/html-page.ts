import { ReportError } from '../errors.js';
import { escapeXml } from './svg.js';

/**
 * Renders the lab's single self-contained HTML report: inline CSS, inline SVG, no scripts, no
 * external URLs (the SVG namespace attribute is dropped when inlining, as HTML does not need it).
 * Readable on phones and desktops; a table of contents links to every section.
 * Deterministic: the same input gives the same string (put dates in `meta` yourself).
 */

/** A table cell: text is escaped; numbers are formatted (integers as is, others to 4 significant digits). */
export type Cell = string | number | null | undefined;

/** A simple table. */
export interface ReportTable {
  columns: string[];
  rows: Cell[][];
  /** Optional caption above the table. */
  caption?: string;
}

/** One section of the report. */
export interface ReportSection {
  heading: string;
  /** Plain-text paragraphs (escaped). */
  text?: string | string[];
  /**
   * Trusted HTML fragment for formatting (emphasis, lists, code). Checked, not escaped: it must not
   * contain scripts, event handlers, iframes/objects/embeds/links/styles or any URL.
   */
  html?: string;
  /** SVG strings (e.g. from lineChart), shown as figures; checked like `html`. */
  svgs?: string[];
  table?: ReportTable;
}

/** Input of {@link renderReport}. */
export interface ReportInput {
  title: string;
  /** Optional subtitle / summary line under the title (escaped). */
  subtitle?: string;
  sections: ReportSection[];
  /** Key/value facts shown under the title (date, engine, seed, ...), in insertion order. */
  meta?: Record<string, string | number | boolean>;
}

const FORBIDDEN: Array<[RegExp, string]> = [
  [/<\s*(script|iframe|object|embed|link|style|meta|base|form|foreignObject)\b/i, 'a forbidden element'],
  [/\son[a-z]+\s*=/i, 'an event handler attribute'],
  [/[a-z][a-z0-9+.-]*:\/\//i, 'a URL'],
  [/javascript:/i, 'a javascript: URL'],
  [/(?:href|src)\s*=\s*(?!["']?#)/i, 'a link that is not a same-document #anchor'],
  [/url\(\s*(?!["']?#)/i, 'a CSS url() that is not a same-document #anchor'],
  [/@import/i, 'a CSS @import'],
];

const SVG_NS = / xmlns="http:\/\/www\.w3\.org\/2000\/svg"/g;

function check(fragment: string, where: string): void {
  for (const [re, what] of FORBIDDEN) {
    const m = re.exec(fragment);
    if (m) {
      throw new ReportError(`${where} contains ${what} (${JSON.stringify(m[0])}); the report must be self-contained and script-free`);
    }
  }
}

/** Formats a table cell value. */
export function formatCell(v: Cell): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? '∞' : '−∞';
  if (Number.isInteger(v) && Math.abs(v) < 1e15) return String(v);
  const a = Math.abs(v);
  if (a >= 1e6 || a < 1e-3) return v.toExponential(3).replace(/\.?0+e/, 'e').replace('e+', 'e');
  return String(Number(v.toPrecision(4)));
}

function slug(s: string, i: number): string {
  const base = s.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 40);
  return `s${i + 1}${base ? '-' + base : ''}`;
}

const CSS = `
:root{color-scheme:light}
*{box-sizing:border-box}
body{margin:0;font:16px/1.55 system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;color:#1b1b1b;background:#fafafa}
main{max-width:1000px;margin:0 auto;padding:16px 16px 48px}
header h1{font-size:1.7rem;line-height:1.25;margin:.6em 0 .2em}
.sub{color:#555;margin:0 0 1em}
dl.meta{display:grid;grid-template-columns:max-content 1fr;gap:2px 14px;font-size:.9rem;background:#fff;border:1px solid #e2e2e2;border-radius:8px;padding:10px 14px;margin:0 0 1em}
dl.meta dt{color:#666}dl.meta dd{margin:0;overflow-wrap:anywhere}
nav.toc{background:#fff;border:1px solid #e2e2e2;border-radius:8px;padding:8px 14px;margin:0 0 1.5em}
nav.toc h2{font-size:1rem;margin:.3em 0}
nav.toc ol{margin:0;padding-left:1.4em}
nav.toc a{color:#0b5cad;text-decoration:none}nav.toc a:hover{text-decoration:underline}
section{background:#fff;border:1px solid #e2e2e2;border-radius:8px;padding:4px 16px 12px;margin:0 0 1.2em}
section h2{font-size:1.3rem;margin:.7em 0 .4em}
section h2 a{color:inherit;text-decoration:none}
.figs{display:flex;flex-wrap:wrap;gap:12px;align-items:flex-start}
figure{margin:0;max-width:100%}
figure svg{display:block;max-width:100%;height:auto}
.tbl{overflow-x:auto;margin:.6em 0}
table{border-collapse:collapse;font-size:.9rem;font-variant-numeric:tabular-nums}
caption{text-align:left;color:#555;padding:0 0 4px;caption-side:top}
th,td{padding:4px 8px;border-bottom:1px solid #e6e6e6;text-align:left;white-space:nowrap}th{white-space:normal;vertical-align:bottom}td:last-child{white-space:normal;min-width:10em}
th{background:#f3f3f3;font-weight:600;position:sticky;top:0}
td.n{text-align:right}
tbody tr:nth-child(even){background:#fcfcfc}
code{font-size:.92em;background:#f1f1f1;padding:0 3px;border-radius:3px}
footer{color:#777;font-size:.85rem;text-align:center}
@media (max-width:600px){figure.wide{overflow-x:auto}figure.wide svg{max-width:none;width:540px}body{font-size:15px}main{padding:8px 8px 32px}section{padding:2px 10px 10px}header h1{font-size:1.35rem}}
@media print{body{background:#fff}section,nav.toc,dl.meta{border:none}}
`;

function table(t: ReportTable, where: string): string {
  const n = t.columns.length;
  t.rows.forEach((r, i) => {
    if (r.length !== n) throw new ReportError(`${where}: table row ${i + 1} has ${r.length} cells, expected ${n} (one per column)`);
  });
  const head = t.columns.map((h) => `<th scope="col">${escapeXml(h)}</th>`).join('');
  const body = t.rows
    .map((r) => '<tr>' + r.map((v) => `<td${typeof v === 'number' ? ' class="n"' : ''}>${escapeXml(formatCell(v))}</td>`).join('') + '</tr>')
    .join('\n');
  const cap = t.caption ? `<caption>${escapeXml(t.caption)}</caption>` : '';
  return `<div class="tbl"><table>${cap}<thead><tr>${head}</tr></thead>\n<tbody>\n${body}\n</tbody></table></div>`;
}

/**
 * Renders the report as one HTML document string.
 * @throws ReportError when an `html` fragment or SVG is unsafe (script, handler, URL) or a table row is ragged
 */
export function renderReport(r: ReportInput): string {
  const parts: string[] = [];
  parts.push('<!doctype html>', '<html lang="en">', '<head>', '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeXml(r.title)}</title>`, `<style>${CSS}</style>`, '</head>', '<body>', '<main>');
  parts.push('<header>', `<h1>${escapeXml(r.title)}</h1>`);
  if (r.subtitle) parts.push(`<p class="sub">${escapeXml(r.subtitle)}</p>`);
  const meta = Object.entries(r.meta ?? {});
  if (meta.length > 0) {
    parts.push('<dl class="meta">' + meta.map(([k, v]) => `<dt>${escapeXml(k)}</dt><dd>${escapeXml(String(v))}</dd>`).join('') + '</dl>');
  }
  parts.push('</header>');
  const ids = r.sections.map((s, i) => slug(s.heading, i));
  if (r.sections.length > 0) {
    parts.push('<nav class="toc" aria-label="Contents"><h2>Contents</h2><ol>');
    r.sections.forEach((s, i) => parts.push(`<li><a href="#${ids[i]}">${escapeXml(s.heading)}</a></li>`));
    parts.push('</ol></nav>');
  }
  r.sections.forEach((s, i) => {
    const where = `section ${i + 1} "${s.heading}"`;
    parts.push(`<section id="${ids[i]}">`, `<h2><a href="#${ids[i]}">${escapeXml(s.heading)}</a></h2>`);
    const paras = s.text === undefined ? [] : Array.isArray(s.text) ? s.text : [s.text];
    for (const p of paras) parts.push(`<p>${escapeXml(p)}</p>`);
    if (s.html) {
      check(s.html, `${where} html`);
      parts.push(s.html);
    }
    if (s.svgs && s.svgs.length > 0) {
      parts.push('<div class="figs">');
      s.svgs.forEach((svg, k) => {
        const inline = svg.replace(SVG_NS, '').trim();
        if (!inline.startsWith('<svg') || !inline.endsWith('</svg>')) {
          throw new ReportError(`${where}: figure ${k + 1} is not an <svg>...</svg> string`);
        }
        check(inline, `${where} figure ${k + 1}`);
        const w = /^<svg[^>]*\swidth="([\d.]+)"/.exec(inline);
        const wide = w !== null && Number(w[1]) > 420;
        parts.push(`<figure${wide ? ' class="wide"' : ''}>${inline}</figure>`);
      });
      parts.push('</div>');
    }
    if (s.table) parts.push(table(s.table, where));
    parts.push('</section>');
  });
  parts.push('<footer><p>Generated by rectify. Self-contained: no scripts, no network access.</p></footer>');
  parts.push('</main>', '</body>', '</html>', '');
  return parts.join('\n');
}

/**
 * Writes `report.html` and each chart as `<name>.svg` into `dir` (created if missing). Node only:
 * `node:fs`/`node:path` are imported dynamically so this module stays browser-safe.
 * @param dir output folder, e.g. './lab-report'
 * @param html the output of {@link renderReport}
 * @param charts map from file stem (letters, digits, '-', '_', '.') to SVG string
 * @returns the paths written
 * @throws ReportError on an unsafe file stem
 */
export async function writeReportFiles(dir: string, html: string, charts: Record<string, string> = {}): Promise<string[]> {
  const fs = await import('node:fs/promises');
  const path = await import('node:path');
  for (const name of Object.keys(charts)) {
    if (!/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,100}$/.test(name)) {
      throw new ReportError(`chart file name ${JSON.stringify(name)} must use letters, digits, '-', '_' or '.' only`);
    }
  }
  await fs.mkdir(dir, { recursive: true });
  const written: string[] = [];
  const target = path.join(dir, 'report.html');
  await fs.writeFile(target, html, 'utf8');
  written.push(target);
  for (const [name, svg] of Object.entries(charts)) {
    const p = path.join(dir, `${name}.svg`);
    await fs.writeFile(p, svg.startsWith('<?xml') ? svg : `<?xml version="1.0" encoding="UTF-8"?>\n${svg}\n`, 'utf8');
    written.push(p);
  }
  return written;
}
