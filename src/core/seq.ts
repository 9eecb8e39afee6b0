/**
 * Sequence-space arithmetic (RFC 9293 §3.4): the one place in tcpscope that compares, adds or
 * re-bases 32-bit TCP sequence numbers. Sequence numbers live on a circle of 2^32; two values
 * are ordered by the signed 32-bit difference between them, so comparisons stay right across
 * the wrap as long as the two are less than 2^31 apart.
 *
 * Plain `<` or `-` on sequence numbers is wrong (STYLE.md §8): use these.
 */

/** 2^32: the size of sequence space. */
export const SEQ_SPACE = 4294967296;

/** `n` reduced to an unsigned 32-bit sequence number. */
export function seq32(n: number): number {
  return n >>> 0;
}

/** a + n in sequence space (n may be negative). */
export function seqAdd(a: number, n: number): number {
  return (a + n) >>> 0;
}

/** How far b lies ahead of a, unsigned: (b − a) mod 2^32. Re-basing a raw number on an ISN. */
export function seqOffset(base: number, b: number): number {
  return (b - base) >>> 0;
}

/** Signed distance a − b, in (−2^31, 2^31]: negative when a is before b. */
export function seqDiff(a: number, b: number): number {
  return (a - b) | 0;
}

export function seqLt(a: number, b: number): boolean { return ((a - b) | 0) < 0; }
export function seqLe(a: number, b: number): boolean { return ((a - b) | 0) <= 0; }
export function seqGt(a: number, b: number): boolean { return ((a - b) | 0) > 0; }
export function seqGe(a: number, b: number): boolean { return ((a - b) | 0) >= 0; }

/** The later of two sequence numbers (a on a tie). */
export function seqMax(a: number, b: number): number { return ((b - a) | 0) > 0 ? b : a; }

/**
 * Turns the 32-bit sequence numbers of one direction into unwrapped 64-bit offsets (a JS
 * number, exact up to 2^53), so streams longer than 4 GiB keep increasing offsets. Each value
 * is taken as the offset nearest to the highest one seen so far (within ±2^31).
 */
export class SeqUnwrapper {
  private last: number | undefined;

  offset(seq: number): number {
    if (this.last === undefined) { this.last = seq >>> 0; return this.last; }
    const delta = ((seq >>> 0) - (this.last % SEQ_SPACE)) | 0;
    const off = this.last + delta;
    if (off > this.last) this.last = off;
    return off;
  }
}
