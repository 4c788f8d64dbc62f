import { DataLimitError } from '../errors.js';
import { checkBytes, checkMaxBytes, checkOptions, corrupt } from './checks.js';

export { DEFAULT_MAX_BYTES, MAX_MAX_BYTES } from './checks.js';

/** Options of {@link gunzip} and {@link gunzipChunks}. */
export interface GunzipOptions {
  /**
   * Most decompressed bytes to produce (default {@link DEFAULT_MAX_BYTES}, 256 MiB). Inflating stops as soon as the
   * output passes it, so a gzip bomb costs about `maxBytes` of memory at most, and a DataLimitError is thrown.
   */
  maxBytes?: number;
}

/**
 * True when `bytes` starts with the gzip magic number 1f 8b.
 * @param bytes the first bytes of a file (two are enough)
 */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes instanceof Uint8Array && bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

function tooLarge(what: string, maxBytes: number): DataLimitError {
  return new DataLimitError(
    `${what}: gzip data inflates to more than maxBytes = ${maxBytes} bytes; stopped there (pass a larger maxBytes if the file is genuine)`,
  );
}

/**
 * Decompresses a gzip member incrementally, yielding the inflated bytes chunk by chunk. Uses the web-standard
 * `DecompressionStream('gzip')` where available (browsers, Node >= 18, Deno, Bun); otherwise a `node:zlib` gunzip
 * stream, loaded by a dynamic import so this module stays browser-safe. Inflation is pulled by the consumer: when
 * the consumer stops (or throws), or the output passes `maxBytes`, the rest is never inflated.
 * @param bytes gzip-compressed bytes
 * @param what a name for the data, used in error messages
 * @param options `maxBytes` (default 256 MiB)
 * @throws DataFormatError when the gzip stream is corrupt or truncated; DataLimitError past `maxBytes`;
 *   DataArgumentError on bad arguments
 */
export async function* gunzipChunks(bytes: Uint8Array, what = 'data', options: GunzipOptions = {}): AsyncGenerator<Uint8Array, void, undefined> {
  checkBytes(bytes, 'gunzip');
  const maxBytes = checkMaxBytes(checkOptions(options, 'gunzip').maxBytes, 'gunzip');
  let total = 0;
  if (typeof DecompressionStream === 'function') {
    let reader: ReadableStreamDefaultReader<Uint8Array>;
    try {
      const stream = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new DecompressionStream('gzip'));
      reader = stream.getReader();
    } catch (e) {
      throw corrupt(what, e);
    }
    let finished = false;
    try {
      for (;;) {
        let r: ReadableStreamReadResult<Uint8Array>;
        try {
          r = await reader.read();
        } catch (e) {
          finished = true; // the stream is errored already
          throw corrupt(what, e);
        }
        if (r.done) { finished = true; return; }
        total += r.value.length;
        if (total > maxBytes) throw tooLarge(what, maxBytes);
        yield r.value;
      }
    } finally {
      if (!finished) await reader.cancel().catch(() => undefined);
    }
  }
  const zlib = await import('node:zlib');
  const gz = zlib.createGunzip();
  gz.end(bytes);
  try {
    const it = gz[Symbol.asyncIterator]();
    for (;;) {
      let r: IteratorResult<Uint8Array>;
      try {
        r = await it.next();
      } catch (e) {
        throw corrupt(what, e);
      }
      if (r.done) return;
      total += r.value.length;
      if (total > maxBytes) throw tooLarge(what, maxBytes);
      yield new Uint8Array(r.value.buffer, r.value.byteOffset, r.value.length);
    }
  } finally {
    gz.destroy();
  }
}

/**
 * Decompresses a complete gzip member into one array, inflating incrementally (see {@link gunzipChunks}) and stopping
 * at `maxBytes`, so memory stays bounded whatever the input claims.
 * @param bytes gzip-compressed bytes
 * @param what  a name for the data, used in error messages
 * @param options `maxBytes` (default 256 MiB)
 * @throws DataFormatError when the gzip stream is corrupt or truncated; DataLimitError when the output passes
 *   `maxBytes`; DataArgumentError on bad arguments
 */
export async function gunzip(bytes: Uint8Array, what = 'data', options: GunzipOptions = {}): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  let total = 0;
  for await (const p of gunzipChunks(bytes, what, options)) {
    parts.push(p);
    total += p.length;
  }
  const out = new Uint8Array(total);
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

/**
 * Opens a file as a byte stream, gunzipping on the fly when `gz`; read errors propagate to the consumer
 * (convert them with the loaders' error mapping). Node only: `node:fs`/`node:zlib` are imported dynamically so this
 * module stays browser-safe.
 * @param path file path
 * @param gz decompress gzip on the fly
 */
export async function openFileStream(path: string, gz: boolean): Promise<AsyncIterable<Uint8Array>> {
  const fs = await import('node:fs');
  const file = fs.createReadStream(path, { highWaterMark: 1 << 20 });
  if (!gz) return file;
  const zlib = await import('node:zlib');
  const gunzip = zlib.createGunzip();
  file.on('error', (e) => gunzip.destroy(e));
  return file.pipe(gunzip);
}
