import { DataArgumentError, DataFormatError } from './errors.js';
import type { Dataset } from './types.js';
import { openFileStream } from './gzip.js';

/**
 * Streaming parser of numeric CSV files (features + one integer class label per row).
 *
 * Header detection (option `header: 'auto'`, the default) looks at the first non-empty line only:
 * - if every cell is a number, it is data (no header);
 * - if the first two cells are non-negative integers and at least one later cell is not a number,
 *   it is a scikit-learn style header "n_samples,n_features,class_name,..." (as in iris.csv:
 *   "150,4,setosa,versicolor,virginica"); the counts are then checked against the data and the
 *   names returned as `classNames`;
 * - if no cell is a number (cells may be empty, e.g. an unnamed index column), it is a header of
 *   column names, returned as `header` (without the label column's name);
 * - otherwise (numbers mixed with non-numbers or empty cells) it is data, so the parser reports the
 *   first bad cell with its line and column.
 * With `header: true` the first line is always skipped (and interpreted as above); with
 * `header: false` it is always data, so a non-numeric cell there is an error.
 *
 * Cells are trimmed; one pair of surrounding double quotes is removed; quoted delimiters are not
 * supported (numeric data has none). Empty lines are skipped. Line numbers in errors are 1-based
 * lines of the input, column numbers 1-based cells.
 */

/** Options of the CSV parser. */
export interface CsvOptions {
  /** Column holding the class label; negative counts from the end. Default -1 (last column). */
  labelColumn?: number;
  /** 'auto' (default), true (first line is a header) or false (no header). */
  header?: 'auto' | boolean;
  /** Cell delimiter, one character. Default ','. */
  delimiter?: string;
  /** Name used in error messages (e.g. the file path). Default 'CSV'. */
  name?: string;
}

/** A parsed CSV data set. */
export interface CsvDataset extends Dataset {
  /** Class labels, integers >= 0. */
  labels: Int32Array;
  /** Column names of the feature columns, when the file had a column-name header. */
  header?: string[];
  /** Class names, when the file had a scikit-learn style header. */
  classNames?: string[];
}

const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const UINT = /^\d+$/;

function unquote(cell: string): string {
  const t = cell.trim();
  return t.length >= 2 && t[0] === '"' && t[t.length - 1] === '"' ? t.slice(1, -1).trim() : t;
}

function isSklearnHeader(cells: string[]): boolean {
  return cells.length >= 3 && UINT.test(cells[0]) && UINT.test(cells[1]) && cells.slice(2).some((c) => c !== '' && !NUMBER.test(c));
}

function looksLikeHeader(cells: string[]): boolean {
  if (isSklearnHeader(cells)) return true;
  return cells.every((c) => !NUMBER.test(c)) && cells.some((c) => c !== '');
}

/**
 * Incremental CSV parser: feed text with {@link CsvParser.push} in chunks of any size
 * (lines may span chunks), then call {@link CsvParser.end}.
 */
export class CsvParser {
  private readonly opts: Required<Omit<CsvOptions, 'labelColumn'>> & { labelColumn: number };
  private pending = '';
  private line = 0;
  private seenFirst = false;
  private width = -1;
  private widthLine = 0;
  private labelAt = -1;
  private x = new Float32Array(1024);
  private labels = new Int32Array(64);
  private rows = 0;
  private maxLabel = -1;
  private header?: string[];
  private classNames?: string[];
  private declared?: { rows: number; cols: number; line: number };

  /** @param options see {@link CsvOptions} */
  constructor(options: CsvOptions = {}) {
    const delimiter = options.delimiter ?? ',';
    if (delimiter.length !== 1 || delimiter === '\n' || delimiter === '\r' || delimiter === '"') {
      throw new DataArgumentError(`CSV: delimiter must be one character other than a quote or newline, got ${JSON.stringify(delimiter)}`);
    }
    const labelColumn = options.labelColumn ?? -1;
    if (!Number.isInteger(labelColumn)) {
      throw new DataArgumentError(`CSV: labelColumn must be an integer, got ${String(labelColumn)}`);
    }
    this.opts = { labelColumn, header: options.header ?? 'auto', delimiter, name: options.name ?? 'CSV' };
  }

  /** Feeds the next chunk of text. @throws DataFormatError on a malformed line */
  push(text: string): void {
    let s = this.pending + text;
    if (this.line === 0 && s.charCodeAt(0) === 0xfeff) s = s.slice(1); // UTF-8 byte order mark
    let start = 0;
    for (;;) {
      const nl = s.indexOf('\n', start);
      if (nl < 0) break;
      this.onLine(s.slice(start, nl));
      start = nl + 1;
    }
    this.pending = s.slice(start);
  }

  /**
   * Finishes parsing.
   * @throws DataFormatError when there is no data or a declared header count does not match
   */
  end(): CsvDataset {
    if (this.pending.length > 0) {
      this.onLine(this.pending);
      this.pending = '';
    }
    const name = this.opts.name;
    if (this.rows === 0) throw new DataFormatError(`${name}: no data rows`);
    const cols = this.width - 1;
    if (this.declared !== undefined) {
      const d = this.declared;
      if (d.rows !== this.rows || d.cols !== cols) {
        throw new DataFormatError(
          `${name}: header on line ${d.line} declares ${d.rows} rows x ${d.cols} features, ` +
            `but the file has ${this.rows} rows x ${cols} features`,
        );
      }
    }
    const classes = Math.max(this.maxLabel + 1, this.classNames?.length ?? 0);
    const out: CsvDataset = {
      x: this.x.slice(0, this.rows * cols),
      rows: this.rows,
      cols,
      labels: this.labels.slice(0, this.rows),
      classes,
    };
    if (this.header !== undefined) out.header = this.header;
    if (this.classNames !== undefined) out.classNames = this.classNames;
    return out;
  }

  private onLine(raw: string): void {
    this.line++;
    const text = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (text.trim() === '') return;
    const cells = text.split(this.opts.delimiter).map(unquote);
    if (!this.seenFirst) {
      this.seenFirst = true;
      const h = this.opts.header;
      if (h === true || (h === 'auto' && looksLikeHeader(cells))) {
        this.readHeader(cells);
        return;
      }
    }
    this.onRow(cells);
  }

  private readHeader(cells: string[]): void {
    if (isSklearnHeader(cells)) {
      this.declared = { rows: Number(cells[0]), cols: Number(cells[1]), line: this.line };
      this.classNames = cells.slice(2);
    } else {
      this.header = cells;
    }
  }

  private onRow(cells: string[]): void {
    const name = this.opts.name;
    if (this.width < 0) {
      if (cells.length < 2) {
        throw new DataFormatError(`${name}: line ${this.line} has ${cells.length} cell; need at least one feature and a label`);
      }
      this.width = cells.length;
      this.widthLine = this.line;
      const lc = this.opts.labelColumn;
      this.labelAt = lc < 0 ? cells.length + lc : lc;
      if (this.labelAt < 0 || this.labelAt >= cells.length) {
        throw new DataArgumentError(`${name}: labelColumn ${lc} is outside the ${cells.length} columns`);
      }
      if (this.header !== undefined && this.header.length === cells.length) {
        this.header = this.header.filter((_, j) => j !== this.labelAt);
      }
    } else if (cells.length !== this.width) {
      throw new DataFormatError(
        `${name}: ragged row: line ${this.line} has ${cells.length} cells, expected ${this.width} (as on line ${this.widthLine})`,
      );
    }
    const cols = this.width - 1;
    if ((this.rows + 1) * cols > this.x.length) {
      const bigger = new Float32Array(Math.max(this.x.length * 2, (this.rows + 1) * cols));
      bigger.set(this.x);
      this.x = bigger;
    }
    if (this.rows >= this.labels.length) {
      const bigger = new Int32Array(this.labels.length * 2);
      bigger.set(this.labels);
      this.labels = bigger;
    }
    let k = this.rows * cols;
    for (let j = 0; j < cells.length; j++) {
      const c = cells[j];
      if (!NUMBER.test(c)) {
        throw new DataFormatError(
          `${name}: non-numeric cell ${JSON.stringify(c.length > 40 ? c.slice(0, 40) + '...' : c)} at line ${this.line}, column ${j + 1}`,
        );
      }
      const v = Number(c);
      if (j === this.labelAt) {
        if (!Number.isInteger(v) || v < 0 || v > 0x7fffffff) {
          throw new DataFormatError(
            `${name}: class label ${JSON.stringify(c)} at line ${this.line}, column ${j + 1} is not an integer >= 0`,
          );
        }
        this.labels[this.rows] = v;
        if (v > this.maxLabel) this.maxLabel = v;
      } else {
        if (!Number.isFinite(v)) {
          throw new DataFormatError(`${name}: value ${c} at line ${this.line}, column ${j + 1} overflows`);
        }
        this.x[k++] = v;
      }
    }
    this.rows++;
  }
}

/**
 * Parses CSV text in one go. See {@link CsvParser} for the rules.
 * @throws DataFormatError on non-numeric cells, ragged rows, bad labels or header count mismatch
 */
export function parseCsv(text: string, options: CsvOptions = {}): CsvDataset {
  const p = new CsvParser(options);
  p.push(text);
  return p.end();
}

/**
 * Parses CSV from an (async) iterable of text or UTF-8 byte chunks, e.g. a fetch body or a Node stream.
 * @throws DataFormatError as {@link parseCsv}
 */
export async function parseCsvStream(
  chunks: AsyncIterable<string | Uint8Array> | Iterable<string | Uint8Array>,
  options: CsvOptions = {},
): Promise<CsvDataset> {
  const p = new CsvParser(options);
  const dec = new TextDecoder();
  for await (const c of chunks) p.push(typeof c === 'string' ? c : dec.decode(c, { stream: true }));
  p.push(dec.decode());
  return p.end();
}

/**
 * Streams a CSV file (optionally gzip-compressed, detected by its .gz name) from disk. Node only;
 * `node:fs`/`node:zlib` are imported dynamically.
 * @throws DataFormatError as {@link parseCsv}
 */
export async function loadCsvFile(path: string, options: CsvOptions = {}): Promise<CsvDataset> {
  const source = await openFileStream(path, path.endsWith('.gz'));
  try {
    return await parseCsvStream(source, { name: path, ...options });
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (typeof code === 'string' && code.startsWith('Z_')) {
      throw new DataFormatError(`${path}: gzip data is corrupt or truncated (${(e as Error).message})`);
    }
    throw e;
  }
}

/** Per-feature mean and standard deviation, fitted on training data. */
export interface Standardizer {
  /** Mean of each feature (length cols). */
  mean: Float64Array;
  /** Population standard deviation of each feature; constant features get 1 (so they map to 0). */
  std: Float64Array;
}

/**
 * Fits a z-score standardizer on `rows x cols` row-major features (sums in f64, fixed order).
 * Apply it to the test set too, with {@link applyStandardizer}, so test data uses the training statistics.
 * @throws DataArgumentError when x is not rows * cols long or rows is 0
 */
export function fitStandardizer(x: Float32Array, rows: number, cols: number): Standardizer {
  if (rows < 1 || cols < 1 || x.length !== rows * cols) {
    throw new DataArgumentError(`fitStandardizer: x has ${x.length} values, expected rows * cols = ${rows} * ${cols} with rows, cols >= 1`);
  }
  const mean = new Float64Array(cols);
  const std = new Float64Array(cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) mean[j] += x[i * cols + j];
  for (let j = 0; j < cols; j++) mean[j] /= rows;
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      const d = x[i * cols + j] - mean[j];
      std[j] += d * d;
    }
  }
  for (let j = 0; j < cols; j++) {
    const s = Math.sqrt(std[j] / rows);
    std[j] = s > 0 ? s : 1;
  }
  return { mean, std };
}

/**
 * Returns `(x - mean) / std` per feature as a new array (x is not modified).
 * @throws DataArgumentError when the shapes do not match
 */
export function applyStandardizer(x: Float32Array, rows: number, cols: number, s: Standardizer): Float32Array {
  if (x.length !== rows * cols || s.mean.length !== cols || s.std.length !== cols) {
    throw new DataArgumentError(
      `applyStandardizer: x has ${x.length} values and the standardizer ${s.mean.length} features; expected ${rows} x ${cols}`,
    );
  }
  const out = new Float32Array(x.length);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) out[i * cols + j] = (x[i * cols + j] - s.mean[j]) / s.std[j];
  }
  return out;
}
