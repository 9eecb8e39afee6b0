/**
 * Reassembly of one direction of a TCP connection, keyed by sequence offsets (a plain JS
 * number: offsets unwrapped with `SeqUnwrapper` stay exact far beyond 2^32, so a stream may be
 * longer than 4 GiB). The one reassembler of tcpscope: the application stage (HTTP/TLS PDUs,
 * `src/app/stage.ts`) and Follow TCP Stream (`src/render/follow.ts`) both use it, each with the
 * overlap rule of the tshark feature it reproduces.
 *
 * Rules (checked against tshark 4.0, see README):
 * - bytes come out in order, once;
 * - duplicates and retransmissions are dropped;
 * - overlaps, rule `first-byte` (the default; tshark's PDU reassembly): the first data seen for
 *   an offset wins (a later segment that overlaps with different bytes only fills the offsets
 *   nobody covered yet; the conflict is counted);
 * - overlaps, rule `first-segment` (tshark's follow): segments are never split by held data: a
 *   segment at the next expected offset comes out whole; held segments are kept whole, and when
 *   a gap fills, of the held segments that start at or before the next offset the one that
 *   arrived first comes out (only its bytes beyond that offset); conflicts are not compared;
 * - a segment beyond the next expected offset is held until the gap before it fills;
 * - `skipGap()` gives up on a gap (e.g. the peer acknowledged bytes the capture never saw)
 *   and reports it as missing bytes;
 * - bounded memory: at most `maxHeldBytes` (and `maxHeldSegments`) are held out of order;
 *   what does not fit is dropped and counted in `stats.droppedBytes` (`stats.dropEvents`
 *   counts the segments that lost bytes so).
 * - every operation costs O(log held + bytes): held pieces sit in a skip list (`first-byte`)
 *   or in two heaps (`first-segment`), never in a list that is scanned or spliced.
 *
 * Pure and browser-safe. Delivered chunks are copies only when a segment had to be held;
 * otherwise they are views of the caller's bytes (copy them to keep them past the frame).
 */

/**
 * Work done on stream bytes, in units of one byte scanned or copied or one held piece visited
 * or moved: by this reassembler and by the scans that read its output (HTTP heads, follow).
 * The complexity tests (test/complexity.test.ts) read it to check that work grows at most as
 * N log N with the input; nothing else depends on it.
 */
export const streamWork = { units: 0 };

/** A run of in-order bytes, tagged with the caller's tag of the segment they came from (e.g. a frame number). */
export interface Chunk<T = number> {
  /** offset of the first byte */
  offset: number;
  data: Uint8Array;
  tag: T;
}

export interface ReassemblyStats {
  /** bytes delivered in order */
  deliveredBytes: number;
  /** bytes that repeated offsets already covered, with the same content */
  duplicateBytes: number;
  /** bytes that repeated offsets already covered, with different content (first data won; `first-byte` rule only) */
  conflictBytes: number;
  /** out-of-order bytes dropped because the hold limits were reached */
  droppedBytes: number;
  /** segments that lost bytes to the hold limits (each one a finding for the caller to report) */
  dropEvents: number;
  /** bytes never seen, given up on with skipGap() */
  missingBytes: number;
  /** segments pushed (with data) */
  segments: number;
}

/** How overlapping segments are resolved: see the rules above. */
export type OverlapRule = 'first-byte' | 'first-segment';

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
  /** `first-byte` (default) or `first-segment` */
  rule?: OverlapRule;
}

interface Piece<T> { offset: number; data: Uint8Array; tag: T }
/** A held segment under the `first-segment` rule: `order` is its arrival number. */
interface Seg<T> extends Piece<T> { order: number }

const MAX_LEVEL = 20;
interface SkipNode<T> { piece: Piece<T> | undefined; next: Array<SkipNode<T> | undefined> }

/**
 * Held pieces under the `first-byte` rule: disjoint, ordered by offset, in a skip list (search,
 * insert and removal of the first piece in O(log n) expected; the levels come from a fixed-seed
 * generator, so a run is reproducible).
 */
class PieceList<T> {
  private readonly head: SkipNode<T> = { piece: undefined, next: new Array<SkipNode<T> | undefined>(MAX_LEVEL).fill(undefined) };
  private level = 1;
  private rnd = 0x2545f491;
  private readonly update = new Array<SkipNode<T>>(MAX_LEVEL);
  length = 0;

  first(): Piece<T> | undefined { return this.head.next[0]?.piece; }

  shift(): Piece<T> | undefined {
    const n = this.head.next[0];
    if (!n) return undefined;
    for (let i = 0; i < n.next.length; i++) this.head.next[i] = n.next[i];
    this.length--;
    return n.piece;
  }

  /** The node of the first piece that ends after `x` (undefined: none), remembering the nodes before it in `update`. */
  seek(x: number): SkipNode<T> | undefined {
    let node = this.head;
    for (let l = this.level - 1; l >= 0; l--) {
      for (;;) {
        const nx = node.next[l];
        if (!nx) break;
        streamWork.units++;
        const p = nx.piece!;
        if (p.offset + p.data.length > x) break;
        node = nx;
      }
      this.update[l] = node;
    }
    return node.next[0];
  }

  /** Insert a piece that overlaps none of the held ones. */
  insert(piece: Piece<T>): void {
    this.seek(piece.offset);
    let lvl = 1;
    while (lvl < MAX_LEVEL && (this.random() & 3) === 0) lvl++;
    if (lvl > this.level) {
      for (let l = this.level; l < lvl; l++) this.update[l] = this.head;
      this.level = lvl;
    }
    const node: SkipNode<T> = { piece, next: new Array<SkipNode<T> | undefined>(lvl) };
    for (let l = 0; l < lvl; l++) {
      const before = this.update[l]!;
      node.next[l] = before.next[l];
      before.next[l] = node;
    }
    this.length++;
  }

  *[Symbol.iterator](): IterableIterator<Piece<T>> {
    for (let n = this.head.next[0]; n; n = n.next[0]) yield n.piece!;
  }

  clear(): void {
    this.head.next.fill(undefined);
    this.level = 1;
    this.length = 0;
  }

  private random(): number {
    // xorshift32
    let x = this.rnd;
    x ^= x << 13; x ^= x >>> 17; x ^= x << 5;
    this.rnd = x;
    return x;
  }
}

/** A binary min-heap. */
class Heap<V> {
  private readonly a: V[] = [];
  constructor(private readonly less: (x: V, y: V) => boolean) {}
  get size(): number { return this.a.length; }
  peek(): V | undefined { return this.a[0]; }
  push(v: V): void {
    const a = this.a;
    let i = a.length;
    a.push(v);
    while (i > 0) {
      streamWork.units++;
      const p = (i - 1) >> 1;
      if (!this.less(v, a[p]!)) break;
      a[i] = a[p]!;
      i = p;
    }
    a[i] = v;
  }
  pop(): V | undefined {
    const a = this.a;
    const top = a[0];
    const last = a.pop();
    if (!a.length || last === undefined) return top;
    let i = 0;
    for (;;) {
      streamWork.units++;
      const l = 2 * i + 1, r = l + 1;
      let m = i;
      let mv = last;
      if (l < a.length && this.less(a[l]!, mv)) { m = l; mv = a[l]!; }
      if (r < a.length && this.less(a[r]!, mv)) { m = r; mv = a[r]!; }
      if (m === i) break;
      a[i] = mv;
      i = m;
    }
    a[i] = last;
    return top;
  }
  values(): readonly V[] { return this.a; }
  clear(): void { this.a.length = 0; }
}

export class StreamReassembler<T = number> {
  /** the next offset to deliver (everything before it was delivered or skipped) */
  private next: number;
  private readonly rule: OverlapRule;
  /** `first-byte`: held out-of-order pieces, sorted by offset, never overlapping one another */
  private readonly held = new PieceList<T>();
  /** `first-segment`: held segments by offset (then arrival) … */
  private readonly byOffset = new Heap<Seg<T>>((a, b) => a.offset < b.offset || (a.offset === b.offset && a.order < b.order));
  /** … and, while a gap fills, those that start at or before `next`, by arrival */
  private readonly ready = new Heap<Seg<T>>((a, b) => a.order < b.order);
  private arrivals = 0;
  private heldBytes = 0;
  private readonly maxHeldBytes: number;
  private readonly maxHeldSegments: number;
  private readonly compareWindow: number;
  /** the most recent delivered bytes (for conflict detection), ending at `next` */
  private recent: Uint8Array | undefined;
  private recentLen = 0;
  readonly stats: ReassemblyStats = { deliveredBytes: 0, duplicateBytes: 0, conflictBytes: 0, droppedBytes: 0, dropEvents: 0, missingBytes: 0, segments: 0 };

  constructor(start = 0, options: ReassemblyOptions = {}) {
    this.next = start;
    this.rule = options.rule ?? 'first-byte';
    this.maxHeldBytes = options.maxHeldBytes ?? 4 << 20;
    this.maxHeldSegments = options.maxHeldSegments ?? 4096;
    this.compareWindow = options.compareWindow ?? 0;
    if (this.compareWindow > 0) this.recent = new Uint8Array(this.compareWindow);
  }

  /** The next offset expected in order. */
  get nextOffset(): number { return this.next; }

  /** Bytes held out of order, waiting for a gap to fill. */
  get heldByteCount(): number { return this.heldBytes; }

  /** Pieces (segments, under `first-segment`) held out of order. */
  get heldCount(): number { return this.rule === 'first-byte' ? this.held.length : this.byOffset.size; }

  /** The offset of the first held byte (the end of the current gap), or undefined when nothing is held. */
  get firstHeldOffset(): number | undefined {
    return this.rule === 'first-byte' ? this.held.first()?.offset : this.byOffset.peek()?.offset;
  }

  /** The gaps between delivered data and held pieces: [start, end) pairs. */
  holes(): Array<[number, number]> {
    const pieces: Array<Piece<T>> = this.rule === 'first-byte' ? [...this.held] : [...this.byOffset.values()].sort((a, b) => a.offset - b.offset);
    const out: Array<[number, number]> = [];
    let at = this.next;
    for (const p of pieces) {
      if (p.offset > at) out.push([at, p.offset]);
      at = Math.max(at, p.offset + p.data.length);
    }
    return out;
  }

  /**
   * Add `data` found at `offset`; returns the chunks that became deliverable, in order
   * (empty when the segment was a duplicate or had to be held). `span` (rule `first-segment`
   * only): how much sequence space the segment covers when its bytes were cut short by the
   * capture (the next expected offset moves by `span`, as tshark's follow does). The tag
   * defaults to 0 (for the default tag type, a number).
   */
  push(offset: number, data: Uint8Array, tag: T = 0 as T, span = data.length): Array<Chunk<T>> {
    if (this.rule === 'first-segment') return this.pushSegment(offset, data, tag, span);
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
      const out: Array<Chunk<T>> = [];
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
  skipGap(to?: number): { missing: number; chunks: Array<Chunk<T>> } {
    const first = this.firstHeldOffset;
    const target = to ?? first;
    if (target === undefined || target <= this.next) return { missing: 0, chunks: [] };
    const end = first !== undefined ? Math.min(target, first) : target;
    const missing = end - this.next;
    this.stats.missingBytes += missing;
    this.next = end;
    this.recentLen = 0;
    const out: Array<Chunk<T>> = [];
    this.drain(out);
    return { missing, chunks: out };
  }

  /** Drop everything held (e.g. at the end of a connection); returns how many bytes were held. */
  clear(): number {
    const n = this.heldBytes;
    this.held.clear();
    this.byOffset.clear();
    this.ready.clear();
    this.heldBytes = 0;
    return n;
  }

  // ---- rule `first-segment` (tshark's follow) ----

  private pushSegment(offset: number, data: Uint8Array, tag: T, span: number): Array<Chunk<T>> {
    let d = data;
    let start = offset;
    let len = Math.max(span, d.length);
    if (d.length) this.stats.segments++;
    if (start < this.next) {
      // Starts with bytes already shown: keep what is new, if anything.
      const end = start + len;
      if (end <= this.next) { this.stats.duplicateBytes += d.length; return []; }
      const skip = this.next - start;
      this.stats.duplicateBytes += Math.min(skip, d.length);
      d = d.length <= skip ? d.subarray(0, 0) : d.subarray(skip);
      len = end - this.next;
      start = this.next;
    }
    if (d.length === 0) return [];
    if (start === this.next) {
      const out: Array<Chunk<T>> = [];
      this.emit(start, d, tag, out);
      this.next = start + len;
      this.drain(out);
      return out;
    }
    if (this.heldBytes + d.length > this.maxHeldBytes || this.byOffset.size >= this.maxHeldSegments) {
      this.stats.droppedBytes += d.length;
      this.stats.dropEvents++;
      return [];
    }
    this.heldBytes += d.length;
    streamWork.units += d.length;
    // Copy: held data must outlive the caller's frame buffer.
    this.byOffset.push({ offset: start, data: d.slice(), tag, order: this.arrivals++ });
    return [];
  }

  /** Deliver held segments while one starts at or before `next`: the earliest arrival first. */
  private drainSegments(out: Array<Chunk<T>>): void {
    for (;;) {
      for (let h = this.byOffset.peek(); h && h.offset <= this.next; h = this.byOffset.peek()) this.ready.push(this.byOffset.pop()!);
      const h = this.ready.pop();
      if (!h) return;
      this.heldBytes -= h.data.length;
      const skip = this.next - h.offset;
      if (skip >= h.data.length) { this.stats.duplicateBytes += h.data.length; continue; }
      this.stats.duplicateBytes += skip;
      this.emit(this.next, h.data.subarray(skip), h.tag, out);
    }
  }

  // ---- rule `first-byte` (tshark's PDU reassembly) ----

  private deliverNew(start: number, d: Uint8Array, tag: T, out: Array<Chunk<T>>): void {
    // Held pieces start after `next`; the new data is delivered up to the first held piece,
    // and the parts of it that overlap held pieces are compared and dropped.
    let s = start;
    let rest = d;
    while (rest.length) {
      const h = this.held.first();
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

  private drain(out: Array<Chunk<T>>): void {
    if (this.rule === 'first-segment') { this.drainSegments(out); return; }
    for (let h = this.held.first(); h && h.offset <= this.next; h = this.held.first()) {
      this.held.shift();
      this.heldBytes -= h.data.length;
      const skip = this.next - h.offset;
      if (skip >= h.data.length) { this.countOverlap(h.offset, h.data); continue; }
      if (skip > 0) this.countOverlap(h.offset, h.data.subarray(0, skip));
      this.emit(this.next, h.data.subarray(skip), h.tag, out);
    }
  }

  private emit(offset: number, data: Uint8Array, tag: T, out: Array<Chunk<T>>): void {
    if (!data.length) return;
    out.push({ offset, data, tag });
    this.next = offset + data.length;
    this.stats.deliveredBytes += data.length;
    this.remember(data);
  }

  /** Insert a piece beyond `next`, keeping held pieces disjoint (earlier data wins). */
  private hold(start: number, d: Uint8Array, tag: T): void {
    // From the first held piece that ends after `start`, cut the new data around held pieces.
    let node = this.held.seek(start);
    let s = start;
    let rest = d;
    const add: Array<Piece<T>> = [];
    while (rest.length) {
      const p = node?.piece;
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
      node = node!.next[0];
      streamWork.units++;
    }
    if (!add.length) return;
    let bytes = 0;
    for (const a of add) bytes += a.data.length;
    if (this.heldBytes + bytes > this.maxHeldBytes || this.held.length + add.length > this.maxHeldSegments) {
      this.stats.droppedBytes += bytes;
      this.stats.dropEvents++;
      return;
    }
    this.heldBytes += bytes;
    streamWork.units += bytes;
    // Copy: held data must outlive the caller's frame buffer.
    for (const a of add) { a.data = a.data.slice(); this.held.insert(a); }
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
