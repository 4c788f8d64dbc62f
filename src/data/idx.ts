import { DataFormatError } from './errors.js';
import { gunzip, isGzip, openFileStream } from './gzip.js';

/**
 * Reader of the IDX format used by MNIST and Fashion-MNIST.
 *
 * Layout: a 4-byte magic number `00 00 TT DD` (TT = element type, DD = number of dimensions),
 * then DD big-endian u32 dimension sizes, then the elements in row-major order.
 * rectify reads unsigned-byte files (TT = 0x08): images `0x00000803` (count, height, width) and
 * labels `0x00000801` (count). Files may be gzip-compressed (detected by the 1f 8b magic).
 */

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
   */
  constructor(kind: IdxKind, what = kind === 'images' ? 'IDX images' : 'IDX labels') {
    this.kind = kind;
    this.what = what;
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
    let n = 1;
    for (const d of this.dims) n *= d;
    if (n > 2 ** 31) {
      throw new DataFormatError(`${this.what}: IDX dimensions ${this.dims.join(' x ')} are too large`);
    }
    this.expected = n;
    if (this.kind === 'images') this.f32 = new Float32Array(n);
    else this.u8 = new Uint8Array(n);
    this.header = null;
  }

  /**
   * Feeds the next chunk of (decompressed) bytes.
   * @throws DataFormatError on a wrong magic number, unsupported type or data past the declared end
   */
  push(chunk: Uint8Array): void {
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
        `${this.what}: file is longer than its header says: expected ${this.headerSize() + this.expected} bytes, ` +
          `got at least ${this.received}`,
      );
    }
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
    if (this.u8 !== null) return this.u8;
    const [rows, height, width] = this.dims;
    return { x: this.f32 as Float32Array, rows, cols: height * width, height, width };
  }
}

async function decompressed(bytes: Uint8Array, what: string): Promise<Uint8Array> {
  return isGzip(bytes) ? gunzip(bytes, what) : bytes;
}

/**
 * Parses an IDX images file (raw or gzip) from bytes.
 * @param bytes file contents
 * @param what name used in error messages
 * @throws DataFormatError on a wrong magic number, unsupported dtype, truncated or over-long data
 */
export async function parseIdxImages(bytes: Uint8Array, what = 'IDX images'): Promise<IdxImages> {
  const r = new IdxReader('images', what);
  r.push(await decompressed(bytes, what));
  return r.end() as IdxImages;
}

/**
 * Parses an IDX labels file (raw or gzip) from bytes.
 * @param bytes file contents
 * @param what name used in error messages
 * @throws DataFormatError on a wrong magic number, unsupported dtype, truncated or over-long data
 */
export async function parseIdxLabels(bytes: Uint8Array, what = 'IDX labels'): Promise<Uint8Array> {
  const r = new IdxReader('labels', what);
  r.push(await decompressed(bytes, what));
  return r.end() as Uint8Array;
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
 * @throws DataFormatError as {@link parseIdxImages}, or when the counts differ
 */
export async function parseIdxPair(images: Uint8Array, labels: Uint8Array): Promise<IdxImages> {
  const [im, lb] = await Promise.all([parseIdxImages(images), parseIdxLabels(labels)]);
  return attach(im, lb, 'IDX pair');
}

/**
 * Streams an IDX file from disk (Node only; `node:fs` and `node:zlib` are imported dynamically).
 * Gzip is detected from the first two bytes and decompressed on the fly.
 * @param path file path
 * @param kind 'images' (default) or 'labels'
 * @returns images for kind 'images', label bytes for kind 'labels'
 * @throws DataFormatError on malformed or truncated data; the fs error when the file cannot be read
 */
export async function loadIdxFile(path: string, kind?: 'images'): Promise<IdxImages>;
export async function loadIdxFile(path: string, kind: 'labels'): Promise<Uint8Array>;
export async function loadIdxFile(path: string, kind: IdxKind = 'images'): Promise<IdxImages | Uint8Array> {
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
  const reader = new IdxReader(kind, path);
  const source = await openFileStream(path, gz);
  try {
    for await (const chunk of source) reader.push(chunk);
  } catch (e) {
    if (e instanceof DataFormatError) throw e;
    const code = (e as { code?: string }).code;
    if (gz && typeof code === 'string' && code.startsWith('Z_')) {
      throw new DataFormatError(`${path}: gzip data is corrupt or truncated (${(e as Error).message})`);
    }
    throw e;
  }
  return reader.end();
}

/**
 * Streams an images file and its labels file from disk (Node only) and checks the counts match.
 * @param imagesPath e.g. `train-images-idx3-ubyte.gz`
 * @param labelsPath e.g. `train-labels-idx1-ubyte.gz`
 * @throws DataFormatError as {@link loadIdxFile}, or on a label count mismatch
 */
export async function loadIdxPair(imagesPath: string, labelsPath: string): Promise<IdxImages> {
  const [im, lb] = await Promise.all([loadIdxFile(imagesPath, 'images'), loadIdxFile(labelsPath, 'labels')]);
  return attach(im, lb, `${imagesPath} + ${labelsPath}`);
}
