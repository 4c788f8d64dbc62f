/**
 * The XOR truth table as a 4-row classification set (inputs 0/1, class = a xor b): claim 1 of the lab and the
 * network tests train on it.
 * @module
 */

/** Fresh arrays each call: x is 4 rows of 2 inputs, y the 4 classes (0, 1, 1, 0). */
export function xorTruthTable(): { x: Float32Array; y: Int32Array } {
  return { x: Float32Array.from([0, 0, 0, 1, 1, 0, 1, 1]), y: Int32Array.from([0, 1, 1, 0]) };
}
