/** The one error a display filter can raise: a reason and the column (1-based) it points at. */
export class FilterError extends Error {
  /**
   * @param message the reason, worded like Wireshark's where Wireshark has one
   * @param column 1-based column in the filter text (length + 1 for "at the end")
   * @param length how many characters the error covers (for a caret line)
   */
  constructor(message: string, readonly column: number, readonly length = 1) {
    super(message);
    this.name = 'FilterError';
  }
}

/** A piece of filter text: where it starts (0-based offset) and ends (exclusive). */
export interface Span { pos: number; end: number }

export function fail(message: string, at: Span): never {
  throw new FilterError(message, at.pos + 1, Math.max(1, at.end - at.pos));
}
