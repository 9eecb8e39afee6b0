/**
 * The TCP conversation table: conversations by their 4-tuple, looked up straight from a frame's
 * address bytes and ports, without building a string key per packet (the string key and its Map
 * were a tenth of the CPU of a TCP pass).
 *
 * Open addressing with linear probing over a power-of-two array (load ≤ 1/2), deletion by
 * backward shift (no tombstones), so a table whose entries come and go stays short.
 *
 * A key is direction-independent, as Wireshark's conversation lookup: the endpoint (address,
 * port) that sorts lower by bytes comes first. Key words: [address length, lower port << 16 |
 * higher port, lower address (1 or 4 words), higher address (1 or 4 words)]. Each entry keeps
 * its key as a small array of numbers (made once per conversation), which the caller may keep
 * to delete or replace the entry later.
 */

/** The key of one entry: 4 words for IPv4, 10 for IPv6 (see above). */
export type ConvKeyWords = readonly number[];

const EMPTY = -1;
const MAX_WORDS = 10;

/** A 32-bit word from four bytes, big-endian (byte order = lexicographic order). */
const word = (d: Uint8Array, o: number): number => ((d[o]! << 24) | (d[o + 1]! << 16) | (d[o + 2]! << 8) | d[o + 3]!) >>> 0;

function mix(h: number, w: number): number {
  h = Math.imul(h ^ w, 0x9e3779b1);
  return (h << 13) | (h >>> 19);
}
/** murmur3's finaliser: spreads the bits so that the low ones index the table. */
function fmix(h: number): number {
  h ^= h >>> 16; h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13; h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) & 0x7fffffff;
}
function hashWords(k: ArrayLike<number>, n: number): number {
  let h = 0x2545f491;
  for (let i = 0; i < n; i++) h = mix(h, k[i]!);
  return fmix(h);
}

export class ConvTable<V> {
  private hashes: Int32Array;
  private keys: Array<ConvKeyWords | undefined>;
  private vals: Array<V | undefined>;
  private mask: number;
  private count = 0;
  /** the key of the last lookup, filled from the frame bytes */
  private readonly scratch = new Uint32Array(MAX_WORDS);
  private scratchLen = 0;
  private scratchHash = 0;
  /** the slot the last lookup found (its entry, or the empty slot where its key goes); −1 when stale */
  private slot = -1;
  private hit = false;
  /**
   * Set by {@link lookup}: 1 when the packet's source sorts above (or equals) its destination
   * (compared by address bytes, then port), else 0: Wireshark's order of a conversation's flows.
   */
  high: 0 | 1 = 0;

  constructor(capacity = 1024) {
    let cap = 16;
    while (cap < capacity * 2) cap *= 2;
    this.hashes = new Int32Array(cap).fill(EMPTY);
    this.keys = new Array<ConvKeyWords | undefined>(cap).fill(undefined);
    this.vals = new Array<V | undefined>(cap).fill(undefined);
    this.mask = cap - 1;
  }

  get size(): number { return this.count; }

  /**
   * The entry of the 4-tuple (srcOff/dstOff: the addresses in `d`, `alen` 4 or 16 bytes), or
   * undefined. Sets {@link high}; then {@link set} adds or replaces the entry without hashing again.
   */
  lookup(d: Uint8Array, srcOff: number, dstOff: number, alen: 4 | 16, sport: number, dport: number): V | undefined {
    const k = this.scratch;
    const nw = alen >> 2;
    // Compare the addresses word by word (big-endian words sort as their bytes), then the ports.
    let dir = 0;
    for (let i = 0; i < nw; i++) {
      const a = word(d, srcOff + 4 * i), b = word(d, dstOff + 4 * i);
      k[2 + i] = a; k[2 + nw + i] = b;
      if (dir === 0 && a !== b) dir = a > b ? 1 : -1;
    }
    if (dir === 0) dir = sport > dport ? 1 : sport < dport ? -1 : 0;
    this.high = dir >= 0 ? 1 : 0;
    k[0] = alen;
    if (dir <= 0) k[1] = ((sport << 16) | dport) >>> 0;
    else {
      k[1] = ((dport << 16) | sport) >>> 0;
      for (let i = 2; i < 2 + nw; i++) { const t = k[i]!; k[i] = k[i + nw]!; k[i + nw] = t; }
    }
    const n = 2 + 2 * nw;
    this.scratchLen = n;
    const h = this.scratchHash = hashWords(k, n);
    const hashes = this.hashes, mask = this.mask;
    for (let s = h & mask; ; s = (s + 1) & mask) {
      const hs = hashes[s]!;
      if (hs === EMPTY) { this.slot = s; this.hit = false; return undefined; }
      if (hs === h && this.sameAsScratch(this.keys[s]!)) { this.slot = s; this.hit = true; return this.vals[s]; }
    }
  }

  /**
   * Make `v` the entry of the last {@link lookup}'s key (added, or in place of the one found);
   * returns the key (for {@link get}, {@link delete} and {@link replace}).
   */
  set(v: V): ConvKeyWords {
    const s = this.slot;
    if (s < 0) throw new Error('ConvTable.set without a lookup just before');
    this.slot = -1;
    if (this.hit) { this.vals[s] = v; return this.keys[s]!; }
    const n = this.scratchLen;
    const key: number[] = new Array<number>(n);
    for (let i = 0; i < n; i++) key[i] = this.scratch[i]!;
    this.place(s, this.scratchHash, key, v);
    return key;
  }

  /** Put `v` in place of the entry of `key` (inserting it when absent). */
  replace(key: ConvKeyWords, v: V): void {
    const h = hashWords(key, key.length);
    const s = this.find(key, h);
    if (s >= 0) { this.vals[s] = v; return; }
    const hashes = this.hashes, mask = this.mask;
    let e = h & mask;
    while (hashes[e] !== EMPTY) e = (e + 1) & mask;
    this.slot = -1;
    this.place(e, h, key, v);
  }

  /** The entry of `key`, or undefined. */
  get(key: ConvKeyWords): V | undefined {
    const s = this.find(key, hashWords(key, key.length));
    return s >= 0 ? this.vals[s] : undefined;
  }

  /** Remove the entry of `key`; true when there was one. */
  delete(key: ConvKeyWords): boolean {
    let s = this.find(key, hashWords(key, key.length));
    if (s < 0) return false;
    this.slot = -1;
    const hashes = this.hashes, keys = this.keys, vals = this.vals, mask = this.mask;
    // Backward shift: move later entries of the probe run into the hole when their home allows.
    for (let j = (s + 1) & mask; hashes[j] !== EMPTY; j = (j + 1) & mask) {
      const home = hashes[j]! & mask;
      // j's entry may move to s when s lies cyclically in [home, j).
      if (((j - home) & mask) >= ((j - s) & mask)) {
        hashes[s] = hashes[j]!; keys[s] = keys[j]; vals[s] = vals[j];
        s = j;
      }
    }
    hashes[s] = EMPTY; keys[s] = undefined; vals[s] = undefined;
    this.count--;
    return true;
  }

  /** Every entry's value, in slot order. */
  *values(): IterableIterator<V> {
    for (let s = 0; s < this.vals.length; s++) if (this.hashes[s] !== EMPTY) yield this.vals[s]!;
  }

  private find(key: ConvKeyWords, h: number): number {
    const hashes = this.hashes, mask = this.mask;
    for (let s = h & mask; ; s = (s + 1) & mask) {
      const hs = hashes[s]!;
      if (hs === EMPTY) return -1;
      if (hs === h && sameKey(this.keys[s]!, key)) return s;
    }
  }

  private sameAsScratch(k: ConvKeyWords): boolean {
    const n = this.scratchLen;
    if (k.length !== n) return false;
    const sc = this.scratch;
    for (let i = 0; i < n; i++) if (k[i] !== sc[i]) return false;
    return true;
  }

  private place(s: number, h: number, key: ConvKeyWords, v: V): void {
    this.hashes[s] = h; this.keys[s] = key; this.vals[s] = v;
    if (++this.count * 2 > this.hashes.length) this.grow();
  }

  private grow(): void {
    const oh = this.hashes, ok = this.keys, ov = this.vals;
    const cap = oh.length * 2;
    this.hashes = new Int32Array(cap).fill(EMPTY);
    this.keys = new Array<ConvKeyWords | undefined>(cap).fill(undefined);
    this.vals = new Array<V | undefined>(cap).fill(undefined);
    const mask = this.mask = cap - 1;
    for (let i = 0; i < oh.length; i++) {
      const h = oh[i]!;
      if (h === EMPTY) continue;
      let s = h & mask;
      while (this.hashes[s] !== EMPTY) s = (s + 1) & mask;
      this.hashes[s] = h; this.keys[s] = ok[i]; this.vals[s] = ov[i];
    }
  }
}

function sameKey(a: ConvKeyWords, b: ConvKeyWords): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * The conversation key as the string tcpscope used before this table (each address as 16-bit
 * char codes, lower endpoint first, then both ports and the address length): `TcpConversation.key`.
 */
export function keyString(k: ConvKeyWords): string {
  const nw = (k[0]! >> 2);
  let s = '';
  for (let i = 2; i < 2 + 2 * nw; i++) s += String.fromCharCode(k[i]! >>> 16, k[i]! & 0xffff);
  return s + String.fromCharCode(k[1]! >>> 16, k[1]! & 0xffff, k[0]!);
}
