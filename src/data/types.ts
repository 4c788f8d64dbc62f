/**
 * A labelled data set in row-major layout: sample `i`, feature `j` is `x[i * cols + j]`.
 * `labels[i]` is the class id of sample `i`, in `0 .. classes - 1`.
 */
export interface Dataset {
  /** Features, `rows * cols` values, row-major. */
  x: Float32Array;
  /** Number of samples. */
  rows: number;
  /** Number of features per sample. */
  cols: number;
  /** Class id per sample. */
  labels: Uint8Array | Int32Array;
  /** Number of classes (max label + 1, or more if the source declares more). */
  classes: number;
}
