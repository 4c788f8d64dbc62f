// A gzip bomb for the loader tests: `prefix` then `zeros` zero bytes, deflated while streaming (about 1 MiB for 1 GiB).
import { createGzip } from 'node:zlib';

/** gzip(prefix + zeros x 0x00), built without holding the inflated bytes in memory. */
export async function gzipBomb(prefix: Uint8Array, zeros: number): Promise<Uint8Array> {
  const gz = createGzip({ level: 9 });
  const out: Buffer[] = [];
  gz.on('data', (c: Buffer) => out.push(c));
  const done = new Promise((resolve) => gz.on('end', resolve));
  gz.write(prefix);
  const z = Buffer.alloc(1 << 20);
  for (let i = 0; i < Math.floor(zeros / z.length); i++) {
    if (!gz.write(z)) await new Promise((resolve) => gz.once('drain', resolve));
  }
  gz.end();
  await done;
  return new Uint8Array(Buffer.concat(out));
}

/** Runs `f` and returns the largest growth of the resident set seen while it ran (sampled every millisecond). */
export async function peakRss<T>(f: () => Promise<T>): Promise<{ peak: number; result: T | undefined; error: unknown }> {
  const base = process.memoryUsage().rss;
  let peak = 0;
  const sample = (): void => { peak = Math.max(peak, process.memoryUsage().rss - base); };
  const timer = setInterval(sample, 1);
  try {
    const result = await f();
    return { peak, result, error: undefined };
  } catch (error) {
    return { peak, result: undefined, error };
  } finally {
    clearInterval(timer);
    sample();
  }
}
