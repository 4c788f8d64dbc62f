/** Base class of every error rectify throws. */
export class RectifyError extends Error {
  constructor(message: string) { super(message); this.name = new.target.name; }
}
