import { RectifyError } from '../errors.js';

/**
 * Thrown when a chart or report is given structurally invalid input
 * (e.g. series x and y of different lengths, a grid of the wrong size, a non-positive size).
 * Non-finite data values are not errors: charts skip them and say so in a caption.
 */
export class ChartError extends RectifyError {}

/**
 * Thrown when report content is unsafe or invalid: raw HTML or SVG with scripts, event handlers or
 * external references (the report must be self-contained), a table row of the wrong width, a bad file name.
 */
export class ReportError extends RectifyError {}
