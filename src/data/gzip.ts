import { DataFormatError } from './errors.js';

/**
 * True when `bytes` starts with the gzip magic number 1f 8b.
 * @param bytes the first bytes of a file (two are enough)
 */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/**
 * Decompresses a complete gzip member. Uses the web-standard `DecompressionStream('gzip')`
 * where available (browsers, Node >= 18); otherwise falls back to `node:zlib`, loaded by a
 * dynamic import so this module stays browser-safe.
 * @param bytes gzip-compressed bytes
 * @param what  a name for the data, used in error messages
 * @throws DataFormatError when the gzip stream is corrupt or truncated
 */
export async function gunzip(bytes: Uint8Array, what = 'data'): Promise<Uint8Array> {
  try {
    if (typeof DecompressionStream === 'function') {
      const stream = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new DecompressionStream('gzip'));
      const reader = stream.getReader();
      const parts: Uint8Array[] = [];
      let total = 0;
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        parts.push(value);
        total += value.length;
      }
      const out = new Uint8Array(total);
      let off = 0;
      for (const p of parts) {
        out.set(p, off);
        off += p.length;
      }
      return out;
    }
    const zlib = await import('node:zlib');
    return new Uint8Array(zlib.gunzipSync(bytes));
  } catch (e) {
    throw new DataFormatError(
      `${what}: gzip data is corrupt or truncated (${e instanceof Error ? e.message : String(e)})`,
    );
  }
}

/**
 * Opens a file as a byte stream, gunzipping on the fly when `gz`; read errors propagate to the consumer.
 * Node only: `node:fs`/`node:zlib` are imported dynamically so this module stays browser-safe.
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
