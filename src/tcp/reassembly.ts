/**
 * Reassembly of one direction of a TCP connection, keyed by sequence offsets (a plain JS
 * number: relative offsets stay exact far beyond 2^32, so a stream may be longer than 4 GiB).
 *
 * Rules (checked against tshark 4.0's TCP reassembly, see docs in README):
 * - bytes come out in order, once;
 * - duplicates and retransmissions are dropped;
 * - overlaps: the first data seen for an offset wins (a later segment that overlaps with
 *   different bytes only fills the offsets nobody covered yet; the conflict is counted);
 * - a segment beyond the next expected offset is held until the gap before it fills;
 * - `skipGap()` gives up on a gap (e.g. the peer acknowledged bytes the capture never saw)
 *   and reports it as missing bytes;
 * - bounded memory: at most `maxHeldBytes` (and `maxHeldSegments`) are held out of order;
 *   what does not fit is dropped and counted in `stats.droppedBytes`.
 *
 * Pure and browser-safe. Delivered chunks are copies only when a segment had to be held;
 * otherwise they are views of the caller's bytes (copy them to keep them past the frame).
 */

/** A run of in-order bytes, tagged with the caller's tag of the segment they came from (e.g. a frame number). */
export interface Chunk {
  /** offset of the first byte */
  offset: number;
  data: Uint8Array;
  tag: number;
}

export interface ReassemblyStats {
  /** bytes delivered in order */
  deliveredBytes: number;
  /** bytes that repeated offsets already covered, with the same content */
  duplicateBytes: number;
  /** bytes that repeated offsets already covered, with different content (first data won) */
  conflictBytes: number;
  /** out-of-order bytes dropped because the hold limits were reached */
  droppedBytes: number;
  /** bytes never seen, given up on with skipGap() */
  missingBytes: number;
  /** segments pushed (with data) */
  segments: number;
}

export interface ReassemblyOptions {
  /** most out-of-order bytes held at once (default 4 MiB) */
  maxHeldBytes?: number;
  /** most out-of-order pieces held at once (default 4096) */
  maxHeldSegments?: number;
  /**
   * Keep this many most recent delivered bytes to tell duplicates from conflicting overlaps
   * (default 0: overlaps with delivered data are all counted as duplicates).
   */
  compareWindow?: number;
}

interface Piece { offset: number; data: Uint8Array; tag: number }

export class StreamReassembler {
  /** the next offset to deliver (everything before it was delivered or skipped) */
  private next: number;
  /** held out-of-order pieces: sorted by offset, never overlapping one another */
  private held: Piece[] = [];
  private heldBytes = 0;
  private readonly maxHeldBytes: number;
  private readonly maxHeldSegments: number;
  private readonly compareWindow: number;
  /** the most recent delivered bytes (for conflict detection), ending at `next` */
  private recent: Uint8Array | undefined;
  private recentLen = 0;
  readonly stats: ReassemblyStats = { deliveredBytes: 0, duplicateBytes: 0, conflictBytes: 0, droppedBytes: 0, missingBytes: 0, segments: 0 };

  constructor(start = 0, options: ReassemblyOptions = {}) {
    this.next = start;
    this.maxHeldBytes = options.maxHeldBytes ?? 4 << 20;
    this.maxHeldSegments = options.maxHeldSegments ?? 4096;
    this.compareWindow = options.compareWindow ?? 0;
    if (this.compareWindow > 0) this.recent = new Uint8Array(this.compareWindow);
  }

  /** The next offset expected in order. */
  get nextOffset(): number { return this.next; }

  /** Bytes held out of order, waiting for a gap to fill. */
  get heldByteCount(): number { return this.heldBytes; }

  /** The offset of the first held byte (the end of the current gap), or undefined when nothing is held. */
  get firstHeldOffset(): number | undefined { return this.held.length ? this.held[0]!.offset : undefined; }

  /** The gaps between delivered data and held pieces: [start, end) pairs. */
  holes(): Array<[number, number]> {
    const out: Array<[number, number]> = [];
    let at = this.next;
    for (const p of this.held) {
      if (p.offset > at) out.push([at, p.offset]);
      at = p.offset + p.data.length;
    }
    return out;
  }

  /**
   * Add `data` found at `offset`; returns the chunks that became deliverable, in order
   * (empty when the segment was a duplicate or had to be held).
   */
  push(offset: number, data: Uint8Array, tag = 0): Chunk[] {
    if (data.length === 0) return [];
    this.stats.segments++;
    let start = offset;
    let d = data;
    // The part before `next` was delivered already: count it and drop it.
    if (start < this.next) {
      const old = Math.min(this.next - start, d.length);
      this.countOverlap(start, d.subarray(0, old));
      if (old >= d.length) return [];
      d = d.subarray(old);
      start = this.next;
    }
    if (start === this.next) {
      const out: Chunk[] = [];
      // Deliver what does not collide with held pieces; held data (seen first) wins.
      this.deliverNew(start, d, tag, out);
      this.drain(out);
      return out;
    }
    this.hold(start, d, tag);
    return [];
  }

  /**
   * Give up on the gap before the first held piece (or up to `to`, whichever is lower when
   * both exist): count the skipped bytes as missing and deliver what follows in order.
   */
  skipGap(to?: number): { missing: number; chunks: Chunk[] } {
    const target = to ?? this.firstHeldOffset;
    if (target === undefined || target <= this.next) return { missing: 0, chunks: [] };
    const end = this.held.length ? Math.min(target, this.held[0]!.offset) : target;
    const missing = end - this.next;
    this.stats.missingBytes += missing;
    this.next = end;
    this.recentLen = 0;
    const out: Chunk[] = [];
    this.drain(out);
    return { missing, chunks: out };
  }

  /** Drop everything held (e.g. at the end of a connection); returns how many bytes were held. */
  clear(): number {
    const n = this.heldBytes;
    this.held = [];
    this.heldBytes = 0;
    return n;
  }

  private deliverNew(start: number, d: Uint8Array, tag: number, out: Chunk[]): void {
    // Held pieces start after `next`; the new data is delivered up to the first held piece,
    // and the parts of it that overlap held pieces are compared and dropped.
    let s = start;
    let rest = d;
    while (rest.length) {
      const h = this.held[0];
      if (!h || s + rest.length <= h.offset) { this.emit(s, rest, tag, out); return; }
      if (h.offset > s) {
        const n = h.offset - s;
        this.emit(s, rest.subarray(0, n), tag, out);
        rest = rest.subarray(n);
        s = h.offset;
      }
      // `s` is at the held piece now: the held bytes win over ours.
      const ov = Math.min(rest.length, h.data.length);
      this.compare(h.data.subarray(0, ov), rest.subarray(0, ov));
      this.held.shift();
      this.heldBytes -= h.data.length;
      this.emit(h.offset, h.data, h.tag, out);
      rest = rest.subarray(Math.min(rest.length, h.data.length));
      s = h.offset + h.data.length;
    }
  }

  private drain(out: Chunk[]): void {
    while (this.held.length && this.held[0]!.offset <= this.next) {
      const h = this.held.shift()!;
      this.heldBytes -= h.data.length;
      const skip = this.next - h.offset;
      if (skip >= h.data.length) { this.countOverlap(h.offset, h.data); continue; }
      if (skip > 0) this.countOverlap(h.offset, h.data.subarray(0, skip));
      this.emit(this.next, h.data.subarray(skip), h.tag, out);
    }
  }

  private emit(offset: number, data: Uint8Array, tag: number, out: Chunk[]): void {
    if (!data.length) return;
    out.push({ offset, data, tag });
    this.next = offset + data.length;
    this.stats.deliveredBytes += data.length;
    this.remember(data);
  }

  /** Insert a piece beyond `next`, keeping held pieces disjoint (earlier data wins). */
  private hold(start: number, d: Uint8Array, tag: number): void {
    const held = this.held;
    // First held piece that ends after `start`.
    let lo = 0, hi = held.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const p = held[mid]!;
      if (p.offset + p.data.length <= start) lo = mid + 1; else hi = mid;
    }
    let i = lo;
    let s = start;
    let rest = d;
    const add: Piece[] = [];
    while (rest.length) {
      const p = held[i];
      if (!p || s + rest.length <= p.offset) { add.push({ offset: s, data: rest, tag }); break; }
      if (p.offset > s) {
        const n = p.offset - s;
        add.push({ offset: s, data: rest.subarray(0, n), tag });
        rest = rest.subarray(n);
        s = p.offset;
      }
      // overlap with held piece p (which starts at or before s)
      const skipInP = s - p.offset;
      const ov = Math.min(rest.length, p.data.length - skipInP);
      this.compare(p.data.subarray(skipInP, skipInP + ov), rest.subarray(0, ov));
      rest = rest.subarray(ov);
      s += ov;
      i++;
    }
    if (!add.length) return;
    let bytes = 0;
    for (const a of add) bytes += a.data.length;
    if (this.heldBytes + bytes > this.maxHeldBytes || held.length + add.length > this.maxHeldSegments) {
      this.stats.droppedBytes += bytes;
      return;
    }
    // Copy: held data must outlive the caller's frame buffer.
    for (const a of add) a.data = a.data.slice();
    this.heldBytes += bytes;
    // Insert in order (the pieces of `add` are sorted and fall between existing pieces).
    let at = lo;
    for (const a of add) {
      while (at < held.length && held[at]!.offset < a.offset) at++;
      held.splice(at, 0, a);
      at++;
    }
  }

  private countOverlap(offset: number, d: Uint8Array): void {
    // Compare with the remembered tail of delivered data when it covers these offsets.
    if (this.recent && this.recentLen && offset >= this.next - this.recentLen) {
      const cap = this.recent.length;
      let diff = 0;
      for (let k = 0; k < d.length; k++) {
        // the byte at stream offset o sits (next - o) positions before ringEnd
        const pos = (this.ringEnd - (this.next - (offset + k)) + 2 * cap) % cap;
        if (this.recent[pos] !== d[k]) diff++;
      }
      this.stats.conflictBytes += diff;
      this.stats.duplicateBytes += d.length - diff;
      return;
    }
    this.stats.duplicateBytes += d.length;
  }

  private compare(first: Uint8Array, later: Uint8Array): void {
    let diff = 0;
    for (let k = 0; k < first.length; k++) if (first[k] !== later[k]) diff++;
    this.stats.conflictBytes += diff;
    this.stats.duplicateBytes += first.length - diff;
  }

  private ringEnd = 0;
  private remember(d: Uint8Array): void {
    const r = this.recent;
    if (!r) return;
    const cap = r.length;
    const src = d.length > cap ? d.subarray(d.length - cap) : d;
    for (let k = 0; k < src.length; k++) { r[this.ringEnd] = src[k]!; this.ringEnd = (this.ringEnd + 1) % cap; }
    this.recentLen = Math.min(cap, this.recentLen + d.length);
  }
}
