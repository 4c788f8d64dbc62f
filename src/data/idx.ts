import { describe } from '../util/describe.js';
import { DataArgumentError, DataFormatError, DataLimitError } from '../errors.js';
import { gunzipChunks, isGzip, openFileStream } from './gzip.js';
import { checkBytes, checkMaxBytes, checkOptions, fileError } from './checks.js';

/**
 * Reader of the IDX format used by MNIST and Fashion-MNIST.
 *
 * Layout: a 4-byte magic number `00 00 TT DD` (TT = element type, DD = number of dimensions),
 * then DD big-endian u32 dimension sizes, then the elements in row-major order.
 * rectify reads unsigned-byte files (TT = 0x08): images `0x00000803` (count, height, width) and
 * labels `0x00000801` (count). Files may be gzip-compressed (detected by the 1f 8b magic).
 *
 * Limits: the header is read and checked first (magic, every dimension >= 1, the element count at most `maxBytes`,
 * default 256 MiB), from the first bytes of the file or of its inflated stream, before the rest is read or inflated.
 * Output memory grows with the data that actually arrives, never with what a header claims.
 */

/** Options of the IDX readers. */
export interface IdxOptions {
  /**
   * Most data bytes (elements) a file may declare and hold, after gunzip. Default 256 MiB (MNIST training images
   * are 47 MB). A header declaring more is a DataLimitError before anything else is read or inflated.
   */
  maxBytes?: number;
}

/** IDX element type codes and their names (only 0x08 is supported). */
const IDX_TYPES: Record<number, string> = {
  0x08: 'unsigned byte',
  0x09: 'signed byte',
  0x0b: 'int16',
  0x0c: 'int32',
  0x0d: 'float32',
  0x0e: 'float64',
};

/** Images read from an IDX file, one flattened image per row, pixels scaled to [0, 1]. */
export interface IdxImages {
  /** Pixels, `rows * cols` values in [0, 1] (byte / 255). */
  x: Float32Array;
  /** Number of images. */
  rows: number;
  /** Pixels per image (`height * width`). */
  cols: number;
  /** Image height in pixels. */
  height: number;
  /** Image width in pixels. */
  width: number;
  /** Labels, when loaded with {@link loadIdxPair} / {@link parseIdxPair}. */
  labels?: Uint8Array;
  /** max label + 1, when labels are present. */
  classes?: number;
}

/** What an IDX file is expected to hold. */
export type IdxKind = 'images' | 'labels';

const MAGIC: Record<IdxKind, number> = { images: 0x00000803, labels: 0x00000801 };

function hex(n: number): string {
  return '0x' + (n >>> 0).toString(16).padStart(8, '0');
}

/**
 * Incremental IDX parser: feed it chunks with {@link IdxReader.push}, then call {@link IdxReader.end}.
 * Memory use is the output only (images are converted to float32 as they arrive).
 */
export class IdxReader {
  private readonly kind: IdxKind;
  private readonly what: string;
  private readonly maxBytes: number;
  private readonly sizeHint: number;
  private header: Uint8Array | null = new Uint8Array(16);
  private headerLen = 0;
  private dims: number[] = [];
  private expected = 0;
  private filled = 0;
  private f32: Float32Array | null = null;
  private u8: Uint8Array | null = null;
  private received = 0;

  /**
   * @param kind 'images' (magic 0x00000803) or 'labels' (magic 0x00000801)
   * @param what a name for the data (e.g. a file path), used in error messages
   * @param options `maxBytes`: most data bytes the header may declare (default 256 MiB)
   * @param sizeHint expected total length of the (decompressed) input when known, to size the output at once
   * @throws DataArgumentError on a bad kind or option
   */
  constructor(kind: IdxKind, what?: string, options: IdxOptions = {}, sizeHint = 0) {
    if (kind !== 'images' && kind !== 'labels') {
      throw new DataArgumentError(`IDX: kind must be 'images' or 'labels', got ${describe(kind)}`);
    }
    this.kind = kind;
    this.what = typeof what === 'string' ? what : kind === 'images' ? 'IDX images' : 'IDX labels';
    this.maxBytes = checkMaxBytes(checkOptions(options, 'IDX').maxBytes, 'IDX');
    this.sizeHint = Number.isSafeInteger(sizeHint) && sizeHint > 0 ? sizeHint : 0;
  }

  private headerSize(): number {
    return 4 + 4 * (this.kind === 'images' ? 3 : 1);
  }

  private checkMagic(h: Uint8Array): void {
    const found = ((h[0] << 24) | (h[1] << 16) | (h[2] << 8) | h[3]) >>> 0;
    const want = MAGIC[this.kind];
    if (found === want) return;
    const type = h[2];
    if (h[0] === 0 && h[1] === 0 && IDX_TYPES[type] !== undefined && type !== 0x08) {
      throw new DataFormatError(
        `${this.what}: unsupported IDX element type ${IDX_TYPES[type]} (magic ${hex(found)}); ` +
          `rectify reads unsigned-byte IDX files only (expected magic ${hex(want)})`,
      );
    }
    const other = this.kind === 'images' ? 'labels' : 'images';
    const hint = found === MAGIC[other] ? ` (this looks like an IDX ${other} file)` : '';
    throw new DataFormatError(
      `${this.what}: wrong magic number ${hex(found)}, expected ${hex(want)} for IDX ${this.kind}${hint}`,
    );
  }

  private start(): void {
    const h = this.header as Uint8Array;
    const dv = new DataView(h.buffer, h.byteOffset, this.headerSize());
    const nd = this.kind === 'images' ? 3 : 1;
    this.dims = [];
    for (let d = 0; d < nd; d++) this.dims.push(dv.getUint32(4 + 4 * d, false));
    const names = this.kind === 'images' ? ['image count', 'height', 'width'] : ['label count'];
    this.dims.forEach((d, i) => {
      if (d === 0) throw new DataFormatError(`${this.what}: IDX header declares ${names[i]} 0 (dimensions ${this.dims.join(' x ')}); every dimension must be >= 1`);
    });
    let n = 1;
    for (const d of this.dims) n *= d;
    if (n > this.maxBytes) {
      throw new DataLimitError(
        `${this.what}: IDX header declares ${this.dims.join(' x ')} = ${n} bytes of data, more than maxBytes = ${this.maxBytes} ` +
          `(pass a larger maxBytes if the file is genuine)`,
      );
    }
    this.expected = n;
    // Size the output by what is known to arrive (never by the header alone); grow as data comes.
    const first = Math.min(n, this.sizeHint > 0 ? Math.max(0, this.sizeHint - this.headerSize()) : 1 << 16);
    if (this.kind === 'images') this.f32 = new Float32Array(first);
    else this.u8 = new Uint8Array(first);
    this.header = null;
  }

  private reserve(size: number): void {
    const cap = this.f32 !== null ? this.f32.length : (this.u8 as Uint8Array).length;
    if (size <= cap) return;
    const next = Math.min(this.expected, Math.max(size, cap * 2));
    if (this.f32 !== null) {
      const bigger = new Float32Array(next);
      bigger.set(this.f32.subarray(0, this.filled));
      this.f32 = bigger;
    } else {
      const bigger = new Uint8Array(next);
      bigger.set((this.u8 as Uint8Array).subarray(0, this.filled));
      this.u8 = bigger;
    }
  }

  /**
   * Feeds the next chunk of (decompressed) bytes.
   * @throws DataFormatError on a wrong magic number, unsupported type or data past the declared end
   */
  push(chunk: Uint8Array): void {
    checkBytes(chunk, 'IdxReader.push');
    let off = 0;
    this.received += chunk.length;
    if (this.header !== null) {
      const need = this.headerSize();
      while (off < chunk.length && this.headerLen < need) {
        this.header[this.headerLen++] = chunk[off++];
        if (this.headerLen === 4) this.checkMagic(this.header);
      }
      if (this.headerLen < need) return;
      this.start();
    }
    const rest = chunk.length - off;
    if (rest === 0) return;
    if (this.filled + rest > this.expected) {
      throw new DataFormatError(
        `${this.what}: file is longer than its header says: expected ${this.headerSize() + this.expected} bytes ` +
          `(header ${this.dims.join(' x ')}), found more data after them`,
      );
    }
    this.reserve(this.filled + rest);
    if (this.f32 !== null) {
      const out = this.f32;
      let j = this.filled;
      for (let i = off; i < chunk.length; i++) out[j++] = chunk[i] / 255;
    } else {
      (this.u8 as Uint8Array).set(chunk.subarray(off), this.filled);
    }
    this.filled += rest;
  }

  /**
   * Finishes parsing.
   * @returns for 'images': an {@link IdxImages}; for 'labels': the label bytes
   * @throws DataFormatError when the data is shorter than the header says
   */
  end(): IdxImages | Uint8Array {
    const need = this.headerSize();
    if (this.header !== null) {
      if (this.headerLen >= 4) this.checkMagic(this.header);
      throw new DataFormatError(
        `${this.what}: truncated file: expected at least ${need} header bytes, got ${this.received}`,
      );
    }
    if (this.filled < this.expected) {
      throw new DataFormatError(
        `${this.what}: truncated file: expected ${need + this.expected} bytes ` +
          `(header ${this.dims.join(' x ')}), got ${this.received}`,
      );
    }
    if (this.u8 !== null) return this.u8.length === this.expected ? this.u8 : this.u8.slice(0, this.expected);
    const [rows, height, width] = this.dims;
    const x = this.f32 as Float32Array;
    return { x: x.length === this.expected ? x : x.slice(0, this.expected), rows, cols: height * width, height, width };
  }
}

async function parseBytes(kind: IdxKind, bytes: Uint8Array, what: string, options: IdxOptions): Promise<IdxImages | Uint8Array> {
  checkBytes(bytes, kind === 'images' ? 'parseIdxImages' : 'parseIdxLabels');
  const o = checkOptions(options, 'IDX');
  const maxBytes = checkMaxBytes(o.maxBytes, 'IDX');
  if (!isGzip(bytes)) {
    const r = new IdxReader(kind, what, o, bytes.length);
    r.push(bytes);
    return r.end();
  }
  const r = new IdxReader(kind, what, o);
  // The reader checks the header on the first inflated bytes and rejects data past the declared size, so inflation
  // stops there; maxBytes (+ the header) also bounds the gunzip itself.
  for await (const chunk of gunzipChunks(bytes, what, { maxBytes: Math.min(maxBytes + 16, 2 ** 32) })) r.push(chunk);
  return r.end();
}

/**
 * Parses an IDX images file (raw or gzip) from bytes. The header is checked before the rest is inflated.
 * @param bytes file contents
 * @param what name used in error messages
 * @param options `maxBytes` (default 256 MiB): most data bytes the file may hold
 * @throws DataFormatError on a wrong magic number, unsupported dtype, a zero dimension, truncated or over-long data,
 *   corrupt gzip; DataLimitError when the header declares more than `maxBytes`
 */
export async function parseIdxImages(bytes: Uint8Array, what = 'IDX images', options: IdxOptions = {}): Promise<IdxImages> {
  return (await parseBytes('images', bytes, what, options)) as IdxImages;
}

/**
 * Parses an IDX labels file (raw or gzip) from bytes. The header is checked before the rest is inflated.
 * @param bytes file contents
 * @param what name used in error messages
 * @param options `maxBytes` (default 256 MiB)
 * @throws DataFormatError / DataLimitError as {@link parseIdxImages}
 */
export async function parseIdxLabels(bytes: Uint8Array, what = 'IDX labels', options: IdxOptions = {}): Promise<Uint8Array> {
  return (await parseBytes('labels', bytes, what, options)) as Uint8Array;
}

function attach(images: IdxImages, labels: Uint8Array, what: string): IdxImages {
  if (labels.length !== images.rows) {
    throw new DataFormatError(
      `${what}: label count mismatch: ${images.rows} images but ${labels.length} labels`,
    );
  }
  let max = -1;
  for (let i = 0; i < labels.length; i++) if (labels[i] > max) max = labels[i];
  return { ...images, labels, classes: max + 1 };
}

/**
 * Parses an images file and its labels file (each raw or gzip) from bytes.
 * @param images the images file's contents
 * @param labels the labels file's contents
 * @param options `maxBytes` per file (default 256 MiB)
 * @throws DataFormatError as {@link parseIdxImages}, or when the counts differ
 */
export async function parseIdxPair(images: Uint8Array, labels: Uint8Array, options: IdxOptions = {}): Promise<IdxImages> {
  const im = await parseIdxImages(images, 'IDX images', options);
  const lb = await parseIdxLabels(labels, 'IDX labels', options);
  return attach(im, lb, 'IDX pair');
}

/**
 * Streams an IDX file from disk (Node only; `node:fs` and `node:zlib` are imported dynamically).
 * Gzip is detected from the first two bytes and decompressed on the fly.
 * @param path file path
 * @param kind 'images' (default) or 'labels'
 * @param options `maxBytes` (default 256 MiB): most data bytes the header may declare
 * @returns images for kind 'images', label bytes for kind 'labels'
 * @throws DataFormatError on malformed or truncated data; DataLimitError past `maxBytes`; DataFileError (with the fs
 *   `code`, e.g. ENOENT) when the file cannot be read
 */
export async function loadIdxFile(path: string, kind?: 'images', options?: IdxOptions): Promise<IdxImages>;
export async function loadIdxFile(path: string, kind: 'labels', options?: IdxOptions): Promise<Uint8Array>;
export async function loadIdxFile(path: string, kind: IdxKind = 'images', options: IdxOptions = {}): Promise<IdxImages | Uint8Array> {
  if (typeof path !== 'string' || path === '') throw new DataArgumentError(`loadIdxFile: path must be a non-empty string, got ${describe(path)}`);
  const reader = new IdxReader(kind, path, options);
  try {
    const fs = await import('node:fs');
    const fh = await fs.promises.open(path, 'r');
    let gz = false;
    try {
      const head = new Uint8Array(2);
      const { bytesRead } = await fh.read(head, 0, 2, 0);
      gz = isGzip(head.subarray(0, bytesRead));
    } finally {
      await fh.close();
    }
    const source = await openFileStream(path, gz);
    for await (const chunk of source) reader.push(chunk);
  } catch (e) {
    throw fileError(path, e);
  }
  return reader.end();
}

/**
 * Streams an images file and its labels file from disk (Node only) and checks the counts match.
 * @param imagesPath e.g. `train-images-idx3-ubyte.gz`
 * @param labelsPath e.g. `train-labels-idx1-ubyte.gz`
 * @param options `maxBytes` per file (default 256 MiB)
 * @throws DataFormatError as {@link loadIdxFile}, or on a label count mismatch
 */
export async function loadIdxPair(imagesPath: string, labelsPath: string, options: IdxOptions = {}): Promise<IdxImages> {
  const im = await loadIdxFile(imagesPath, 'images', options);
  const lb = await loadIdxFile(labelsPath, 'labels', options);
  return attach(im, lb, `${imagesPath} + ${labelsPath}`);
}
