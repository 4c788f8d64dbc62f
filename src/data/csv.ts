import { describe } from '../util/describe.js';
import { DataArgumentError, DataFormatError, DataLimitError } from '../errors.js';
import type { Dataset } from './types.js';
import { openFileStream } from './gzip.js';
import { checkMaxBytes, checkOptions, fileError } from './checks.js';

/**
 * Streaming parser of numeric CSV files: features and one target per row, by default an integer class label
 * (option `target`: also float targets for regression, or class names as strings).
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
 *
 * Limits: parsing is linear in the input (each character is examined a bounded number of times,
 * whatever the line lengths or chunking); feature values must fit in float32 (|x| <= 3.4028235e38,
 * otherwise a DataFormatError names the line and column); class labels are integers in 0..65535
 * (at most {@link MAX_CLASSES} classes) and there may not be more classes (largest label + 1)
 * than rows; a line has at most `maxColumns` cells (default 65,536); streamed input stops at `maxBytes`
 * (default 256 MiB).
 */

/** Default most cells per CSV line: 65,536 (raise it with the `maxColumns` option). */
export const MAX_COLUMNS = 65536;

/** Most classes a loader or {@link trainTestSplit} accepts: 65,536 (class ids 0..65535). */
export const MAX_CLASSES = 65536;

/** Options of the CSV parser. */
export interface CsvOptions {
  /** Column holding the class label (or target); negative counts from the end. Default -1 (last column). */
  labelColumn?: number;
  /**
   * What the label column holds: `'class'` (default) integer class ids; `'float'` a number per row for regression,
   * returned as `targets` (labels is then empty and classes 0); `'name'` class names (any text, e.g. "setosa"),
   * numbered 0, 1, ... in order of first appearance, with the names in `classNames` (index = class id). With `'name'`
   * an 'auto' header is only a line of column names.
   */
  target?: 'class' | 'float' | 'name';
  /** 'auto' (default), true (first line is a header) or false (no header). */
  header?: 'auto' | boolean;
  /** Cell delimiter, one character. Default ','. */
  delimiter?: string;
  /** Name used in error messages (e.g. the file path). Default 'CSV'. */
  name?: string;
  /** Most cells per line (default 65,536); a longer line is a DataLimitError found before the line is split. */
  maxColumns?: number;
  /**
   * Most input to read, in bytes (UTF-8 chunks) or characters (string chunks), for {@link parseCsvStream} and
   * {@link loadCsvFile} (after gunzip). Default 256 MiB; past it a DataLimitError stops the read.
   */
  maxBytes?: number;
}

/** A parsed CSV data set. */
export interface CsvDataset extends Dataset {
  /** Class labels, integers >= 0. */
  labels: Int32Array;
  /** Column names of the feature columns, when the file had a column-name header. */
  header?: string[];
  /** Class names, from a scikit-learn style header, or with `target: 'name'` the label names (index = class id). */
  classNames?: string[];
  /** With `target: 'float'`: the label column as f32 values, one per row (regression targets). */
  targets?: Float32Array;
}

const C0 = 48, C9 = 57, PLUS = 43, MINUS = 45, DOT = 46, LOWER_E = 101, UPPER_E = 69;

function isDigit(c: number): boolean {
  return c >= C0 && c <= C9;
}

/**
 * True when `s` is a decimal number: optional sign, digits with an optional fraction (or a fraction alone), optional
 * exponent. One left-to-right pass (a regular expression with nested quantifiers backtracks quadratically).
 */
function isNumber(s: string): boolean {
  const n = s.length;
  let i = 0;
  if (i < n && (s.charCodeAt(i) === PLUS || s.charCodeAt(i) === MINUS)) i++;
  let digits = 0;
  while (i < n && isDigit(s.charCodeAt(i))) { i++; digits++; }
  if (i < n && s.charCodeAt(i) === DOT) {
    i++;
    while (i < n && isDigit(s.charCodeAt(i))) { i++; digits++; }
  }
  if (digits === 0) return false;
  if (i < n && (s.charCodeAt(i) === LOWER_E || s.charCodeAt(i) === UPPER_E)) {
    i++;
    if (i < n && (s.charCodeAt(i) === PLUS || s.charCodeAt(i) === MINUS)) i++;
    let exp = 0;
    while (i < n && isDigit(s.charCodeAt(i))) { i++; exp++; }
    if (exp === 0) return false;
  }
  return i === n;
}

function isUint(s: string): boolean {
  if (s.length === 0) return false;
  for (let i = 0; i < s.length; i++) if (!isDigit(s.charCodeAt(i))) return false;
  return true;
}

function unquote(cell: string): string {
  const t = cell.trim();
  return t.length >= 2 && t[0] === '"' && t[t.length - 1] === '"' ? t.slice(1, -1).trim() : t;
}

function isSklearnHeader(cells: string[]): boolean {
  if (cells.length < 3 || !isUint(cells[0]) || !isUint(cells[1])) return false;
  for (let j = 2; j < cells.length; j++) if (cells[j] !== '' && !isNumber(cells[j])) return true;
  return false;
}

function looksLikeHeader(cells: string[]): boolean {
  if (isSklearnHeader(cells)) return true;
  return cells.every((c) => !isNumber(c)) && cells.some((c) => c !== '');
}

function show(c: string): string {
  return JSON.stringify(c.length > 40 ? c.slice(0, 40) + '...' : c);
}

/**
 * Incremental CSV parser: feed text with {@link CsvParser.push} in chunks of any size
 * (lines may span chunks), then call {@link CsvParser.end}. A failed call leaves the parser unusable.
 */
export class CsvParser {
  private readonly opts: { labelColumn: number; header: 'auto' | boolean; delimiter: string; name: string; maxColumns: number; target: 'class' | 'float' | 'name' };
  private targets = new Float32Array(64);
  private readonly names = new Map<string, number>();
  private pending: string[] = [];
  private started = false;
  private line = 0;
  private seenFirst = false;
  private width = -1;
  private widthLine = 0;
  private labelAt = -1;
  private x = new Float32Array(1024);
  private labels = new Int32Array(64);
  private rows = 0;
  private maxLabel = -1;
  private maxLabelLine = 0;
  private header?: string[];
  private classNames?: string[];
  private declared?: { rows: number; cols: number; line: number };
  private examined = 0;

  /** @param options see {@link CsvOptions} (`maxBytes` is used by the stream readers only) */
  constructor(options: CsvOptions = {}) {
    const o = checkOptions(options, 'CSV');
    const delimiter = o.delimiter ?? ',';
    if (typeof delimiter !== 'string' || delimiter.length !== 1 || delimiter === '\n' || delimiter === '\r' || delimiter === '"') {
      throw new DataArgumentError(`CSV: delimiter must be one character other than a quote or newline, got ${describe(delimiter)}`);
    }
    const labelColumn = o.labelColumn ?? -1;
    if (typeof labelColumn !== 'number' || !Number.isSafeInteger(labelColumn)) {
      throw new DataArgumentError(`CSV: labelColumn must be an integer, got ${describe(labelColumn)}`);
    }
    const header = o.header ?? 'auto';
    if (header !== 'auto' && header !== true && header !== false) {
      throw new DataArgumentError(`CSV: header must be 'auto', true or false, got ${describe(header)}`);
    }
    const name = o.name ?? 'CSV';
    if (typeof name !== 'string') throw new DataArgumentError(`CSV: name must be a string, got ${typeof name}`);
    const maxColumns = o.maxColumns ?? MAX_COLUMNS;
    if (typeof maxColumns !== 'number' || !Number.isInteger(maxColumns) || maxColumns < 2 || maxColumns > 2 ** 24) {
      throw new DataArgumentError(`CSV: maxColumns must be an integer in [2, 2^24], got ${describe(maxColumns)}`);
    }
    const target = o.target ?? 'class';
    if (target !== 'class' && target !== 'float' && target !== 'name') {
      throw new DataArgumentError(`CSV: target must be 'class', 'float' or 'name', got ${describe(target)}`);
    }
    this.opts = { labelColumn, header, delimiter, name, maxColumns, target };
  }

  /**
   * Characters examined so far, counting every pass over the input (newline search, line assembly, cell checks).
   * It stays within a small constant times the input length, whatever the line lengths or chunk sizes.
   */
  get charactersExamined(): number {
    return this.examined;
  }

  /** Feeds the next chunk of text. @throws DataFormatError on a malformed line */
  push(text: string): void {
    if (typeof text !== 'string') throw new DataArgumentError(`CSV: push takes a string, got ${typeof text}`);
    let from = 0;
    if (!this.started && text.length > 0) {
      this.started = true;
      if (text.charCodeAt(0) === 0xfeff) from = 1; // UTF-8 byte order mark
    }
    for (;;) {
      const nl = text.indexOf('\n', from);
      if (nl < 0) break;
      this.examined += nl + 1 - from;
      const piece = text.slice(from, nl);
      let whole = piece;
      if (this.pending.length > 0) {
        this.pending.push(piece);
        whole = this.pending.join('');
        this.examined += whole.length;
        this.pending = [];
      }
      this.onLine(whole);
      from = nl + 1;
    }
    if (from < text.length) {
      this.examined += text.length - from;
      this.pending.push(from === 0 ? text : text.slice(from));
    }
  }

  /**
   * Finishes parsing.
   * @throws DataFormatError when there is no data, a declared header count does not match, or there are more
   *   classes than rows
   */
  end(): CsvDataset {
    if (this.pending.length > 0) {
      const whole = this.pending.join('');
      this.examined += whole.length;
      this.pending = [];
      this.onLine(whole);
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
    if (this.opts.target === 'float') {
      return { x: this.x.slice(0, this.rows * cols), rows: this.rows, cols, labels: new Int32Array(0), classes: 0, targets: this.targets.slice(0, this.rows), ...(this.header ? { header: this.header } : {}) };
    }
    if (this.opts.target === 'name') this.classNames = [...this.names.keys()];
    if (this.maxLabel + 1 > this.rows) {
      throw new DataFormatError(
        `${name}: class label ${this.maxLabel} on line ${this.maxLabelLine} means ${this.maxLabel + 1} classes, more than the ` +
          `${this.rows} rows; labels must be class ids 0..classes-1 (is labelColumn the right column?)`,
      );
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
    this.examined += raw.length;
    const text = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (text.trim() === '') return;
    const max = this.opts.maxColumns;
    for (let i = text.indexOf(this.opts.delimiter), n = 1; i >= 0; i = text.indexOf(this.opts.delimiter, i + 1)) {
      if (++n > max) {
        throw new DataLimitError(`${this.opts.name}: line ${this.line} has more than maxColumns = ${max} cells (is the delimiter right? pass a larger maxColumns if the file is genuine)`);
      }
    }
    const cells = text.split(this.opts.delimiter).map(unquote);
    if (!this.seenFirst) {
      this.seenFirst = true;
      const h = this.opts.header;
      const named = this.opts.target === 'name';
      if (h === true || (h === 'auto' && (named ? cells.every((c) => !isNumber(c)) : looksLikeHeader(cells)))) {
        if (named) { this.header = cells; return; }
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
      if (this.classNames.length > MAX_CLASSES) {
        throw new DataLimitError(`${this.opts.name}: header on line ${this.line} names ${this.classNames.length} classes; at most ${MAX_CLASSES} are supported`);
      }
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
      const lc = this.opts.labelColumn;
      const labelAt = lc < 0 ? cells.length + lc : lc;
      if (labelAt < 0 || labelAt >= cells.length) {
        throw new DataArgumentError(`${name}: labelColumn ${lc} is outside the ${cells.length} columns`);
      }
      this.width = cells.length;
      this.widthLine = this.line;
      this.labelAt = labelAt;
      if (this.header !== undefined && this.header.length === cells.length) {
        this.header = this.header.filter((_, j) => j !== this.labelAt);
      }
    } else if (cells.length !== this.width) {
      throw new DataFormatError(
        `${name}: ragged row: line ${this.line} has ${cells.length} cells, expected ${this.width} (as on line ${this.widthLine})`,
      );
    }
    const cols = this.width - 1;
    // Check every cell before growing or writing anything, so a failed line changes nothing.
    let label = 0, value = 0;
    const target = this.opts.target;
    for (let j = 0; j < cells.length; j++) {
      const c = cells[j];
      if (j === this.labelAt && target === 'name') {
        if (c === '') throw new DataFormatError(`${name}: empty class name at line ${this.line}, column ${j + 1}`);
        label = this.names.get(c) ?? this.names.size;
        if (label >= MAX_CLASSES) throw new DataLimitError(`${name}: more than ${MAX_CLASSES} class names (line ${this.line}); is labelColumn the right column?`);
        continue;
      }
      if (!isNumber(c)) {
        if (j === this.labelAt) {
          throw new DataFormatError(`${name}: class label ${show(c)} at line ${this.line}, column ${j + 1} is not a number; for class names pass target: 'name'`);
        }
        throw new DataFormatError(`${name}: non-numeric cell ${show(c)} at line ${this.line}, column ${j + 1}`);
      }
      if (j === this.labelAt && target === 'float') {
        value = Math.fround(Number(c));
        if (!Number.isFinite(value)) throw new DataFormatError(`${name}: target ${show(c)} at line ${this.line}, column ${j + 1} is outside the float32 range`);
      } else if (j === this.labelAt) {
        const v = Number(c);
        if (!Number.isInteger(v) || v < 0) {
          throw new DataFormatError(
            `${name}: class label ${show(c)} at line ${this.line}, column ${j + 1} is not an integer >= 0`,
          );
        }
        if (v >= MAX_CLASSES) {
          throw new DataLimitError(
            `${name}: class label ${show(c)} at line ${this.line}, column ${j + 1} is too large: class ids must be in 0..${MAX_CLASSES - 1} ` +
              `(at most ${MAX_CLASSES} classes; is labelColumn the right column?)`,
          );
        }
        label = v;
      }
    }
    if ((this.rows + 1) * cols > this.x.length) {
      const bigger = new Float32Array(Math.max(this.x.length * 2, (this.rows + 1) * cols));
      bigger.set(this.x);
      this.x = bigger;
    }
    if (this.rows >= this.labels.length) {
      const bigger = new Int32Array(this.labels.length * 2);
      bigger.set(this.labels);
      this.labels = bigger;
      const t = new Float32Array(this.labels.length);
      t.set(this.targets);
      this.targets = t;
    }
    const base = this.rows * cols;
    let k = base;
    for (let j = 0; j < cells.length; j++) {
      if (j === this.labelAt) continue;
      this.x[k] = Number(cells[j]);
      // The value the network will see is the float32 one: past +-3.4028235e38 it would be Infinity.
      if (!Number.isFinite(this.x[k])) {
        this.x.fill(0, base, k + 1);
        throw new DataFormatError(
          `${name}: value ${show(cells[j])} at line ${this.line}, column ${j + 1} is outside the float32 range ` +
            `(|x| <= 3.4028235e38); rescale the column`,
        );
      }
      k++;
    }
    this.labels[this.rows] = label;
    this.targets[this.rows] = value;
    if (target === 'name' && label === this.names.size) this.names.set(cells[this.labelAt]!, label);
    if (label > this.maxLabel) {
      this.maxLabel = label;
      this.maxLabelLine = this.line;
    }
    this.rows++;
  }
}

/**
 * Parses CSV text in one go. See {@link CsvParser} for the rules and limits.
 * @throws DataFormatError on non-numeric cells, ragged rows, bad labels, values outside float32 or a header count
 *   mismatch; DataLimitError past 65,536 classes; DataArgumentError on bad options
 */
export function parseCsv(text: string, options: CsvOptions = {}): CsvDataset {
  const p = new CsvParser(options);
  p.push(text);
  return p.end();
}

/**
 * Parses CSV from an (async) iterable of text or UTF-8 byte chunks, e.g. a fetch body or a Node stream.
 * Reading stops with a DataLimitError once more than `maxBytes` (default 256 MiB) have arrived.
 * @throws DataFormatError as {@link parseCsv}; DataLimitError past `maxBytes`
 */
export async function parseCsvStream(
  chunks: AsyncIterable<string | Uint8Array> | Iterable<string | Uint8Array>,
  options: CsvOptions = {},
): Promise<CsvDataset> {
  const p = new CsvParser(options);
  const maxBytes = checkMaxBytes(options.maxBytes, 'parseCsvStream');
  const name = options.name ?? 'CSV';
  if (chunks === null || typeof chunks !== 'object' || !(Symbol.asyncIterator in chunks || Symbol.iterator in chunks)) {
    throw new DataArgumentError(`parseCsvStream: expected an iterable of string or Uint8Array chunks, got ${chunks === null ? 'null' : typeof chunks}`);
  }
  const dec = new TextDecoder();
  let total = 0;
  for await (const c of chunks) {
    if (typeof c !== 'string' && !(c instanceof Uint8Array)) {
      throw new DataArgumentError(`parseCsvStream: chunks must be strings or Uint8Arrays, got ${c === null ? 'null' : typeof c}`);
    }
    total += c.length;
    if (total > maxBytes) {
      throw new DataLimitError(`${name}: input is larger than maxBytes = ${maxBytes} bytes; stopped there (pass a larger maxBytes if the file is genuine)`);
    }
    p.push(typeof c === 'string' ? c : dec.decode(c, { stream: true }));
  }
  p.push(dec.decode());
  return p.end();
}

/**
 * Streams a CSV file (optionally gzip-compressed, detected by its .gz name) from disk. Node only;
 * `node:fs`/`node:zlib` are imported dynamically. `maxBytes` (default 256 MiB) bounds the decompressed size.
 * @throws DataFormatError as {@link parseCsv} or on corrupt gzip; DataLimitError past `maxBytes`;
 *   DataFileError when the file cannot be read (missing, a directory, ...), with the fs `code`
 */
export async function loadCsvFile(path: string, options: CsvOptions = {}): Promise<CsvDataset> {
  if (typeof path !== 'string' || path === '') throw new DataArgumentError(`loadCsvFile: path must be a non-empty string, got ${describe(path)}`);
  const o = checkOptions(options, 'loadCsvFile');
  try {
    const source = await openFileStream(path, path.endsWith('.gz'));
    return await parseCsvStream(source, { name: path, ...o });
  } catch (e) {
    throw fileError(path, e);
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
  if (!(x instanceof Float32Array)) throw new DataArgumentError('fitStandardizer: x must be a Float32Array');
  if (!Number.isSafeInteger(rows) || !Number.isSafeInteger(cols) || rows < 1 || cols < 1 || x.length !== rows * cols) {
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
  if (!(x instanceof Float32Array)) throw new DataArgumentError('applyStandardizer: x must be a Float32Array');
  if (s === null || typeof s !== 'object' || !(s.mean instanceof Float64Array) || !(s.std instanceof Float64Array)) {
    throw new DataArgumentError('applyStandardizer: s must be a standardizer { mean, std } from fitStandardizer');
  }
  if (!Number.isSafeInteger(rows) || !Number.isSafeInteger(cols) || rows < 0 || cols < 1 || x.length !== rows * cols || s.mean.length !== cols || s.std.length !== cols) {
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
