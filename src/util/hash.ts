/**
 * FNV-1a, 32 bits: the one implementation behind `fnv1a` of rectify/data (bytes of a typed array, e.g. the digits'
 * checksum) and the chart ids of the lab (UTF-16 code units of a string). tests/runtimes/probe.js keeps a plain-JS
 * copy because it runs without the build in every runtime.
 * @module
 */

/** FNV-1a over a sequence of values (bytes, or the UTF-16 code units of a string); returns an unsigned 32-bit hash. */
export function fnv1a32(values: ArrayLike<number>): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < values.length; i++) h = Math.imul(h ^ values[i]!, 0x01000193);
  return h >>> 0;
}

/** FNV-1a over the UTF-16 code units of a string. */
export function fnv1a32String(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}
