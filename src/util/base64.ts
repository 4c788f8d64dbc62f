/**
 * The base64 alphabet and its reverse table, shared by the model files (src/serialize.ts: exact-length decoding with
 * ModelFormatError) and the embedded digits (src/data/digits.ts: decodeBase64 with DataFormatError). Each caller keeps
 * its own checks and errors; the tables are written once.
 * @module
 */

/** The standard base64 alphabet (RFC 4648, section 4). */
export const BASE64_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** Value (0-63) of each ASCII character in the alphabet, -1 for every other character below 128. */
export const BASE64_VALUES: Readonly<Int8Array> = (() => {
  const t = new Int8Array(128).fill(-1);
  for (let i = 0; i < 64; i++) t[BASE64_ALPHABET.charCodeAt(i)] = i;
  return t;
})();

/** Value of one character code in the alphabet, -1 when it is not in it. */
export function base64Value(code: number): number {
  return code < 128 ? BASE64_VALUES[code]! : -1;
}
