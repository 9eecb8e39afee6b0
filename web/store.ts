/**
 * Growable typed arrays: the viewer keeps a capture as one byte arena plus one number per
 * packet per column, never one JavaScript object per packet.
 */

type TA = Uint8Array | Uint16Array | Uint32Array | Int32Array | Float64Array;
type Ctor<T extends TA> = { new (n: number): T };

export class Grow<T extends TA> {
  a: T;
  n = 0;
  constructor(private readonly C: Ctor<T>, initial = 1024) { this.a = new C(initial); }
  push(v: number): void {
    if (this.n === this.a.length) this.grow(this.n + 1);
    this.a[this.n++] = v;
  }
  grow(need: number): void {
    let len = this.a.length;
    while (len < need) len = len * 2;
    const b = new this.C(len);
    b.set(this.a as never);
    this.a = b;
  }
  get(i: number): number { return this.a[i]!; }
  clear(): void { this.n = 0; }
}

/** Bytes appended end to end; `view(off, len)` gives them back. */
export class Arena {
  private g = new Grow(Uint8Array, 1 << 16);
  get length(): number { return this.g.n; }
  append(b: Uint8Array): number {
    const at = this.g.n;
    if (at + b.length > this.g.a.length) this.g.grow(at + b.length);
    this.g.a.set(b, at);
    this.g.n += b.length;
    return at;
  }
  /** Room for `n` more bytes at the end; returns the array and the offset to write at. */
  reserve(n: number): { a: Uint8Array; at: number } {
    if (this.g.n + n > this.g.a.length) this.g.grow(this.g.n + n);
    return { a: this.g.a, at: this.g.n };
  }
  commit(n: number): void { this.g.n += n; }
  view(off: number, len: number): Uint8Array { return this.g.a.subarray(off, off + len); }
}

/** Per-packet columns of the capture, by 0-based frame index. */
export class PacketIndex {
  readonly off = new Grow(Float64Array);
  readonly cap = new Grow(Uint32Array);
  readonly orig = new Grow(Uint32Array);
  readonly sec = new Grow(Float64Array);
  readonly nsec = new Grow(Uint32Array);
  readonly link = new Grow(Uint16Array);
  readonly prec = new Grow(Uint8Array);
  /** tcp.stream, −1 when the packet has no full TCP header */
  readonly stream = new Grow(Int32Array);
  /** colour rule (see CLS in worker.ts) */
  readonly cls = new Grow(Uint8Array);
  /** start of the packet's column text (source\tdestination\tprotocol\tinfo) in the text arena */
  readonly text = new Grow(Float64Array);
  get count(): number { return this.off.n; }
}
