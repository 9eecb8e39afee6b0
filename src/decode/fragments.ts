/**
 * IPv4 and IPv6 fragment reassembly as tshark does it by default: fragments are kept per
 * (addresses, identification[, protocol]) until the datagram is complete, then the datagram is
 * decoded on the frame that completed it. The table is bounded in entries and bytes; the oldest
 * entry goes first.
 */
import type { Reassembly } from './types.js';
import type { Walk } from './walk.js';

/** Most datagrams being reassembled at once, and most bytes held over all of them. */
export const MAX_DATAGRAMS = 1024;
export const MAX_HELD_BYTES = 16 << 20;
const MAX_DATAGRAM = 0x10000 + 0x10000; // offset up to 65528 plus a fragment

interface Piece { start: number; bytes: Uint8Array; frame: number }
interface Entry { pieces: Piece[]; total: number | undefined; held: number; done?: { frames: number[]; data: Uint8Array } }

export interface FragmentIn {
  key: string;
  /** byte offset of this fragment in the datagram */
  start: number;
  more: boolean;
  /** the fragment's bytes in the walk's data: off..cap captured, off..end on the wire */
  off: number; cap: number; end: number;
}

export class FragmentTable {
  private readonly table = new Map<string, Entry>();
  private held = 0;

  /**
   * Add one fragment. Returns where the reassembled payload sits in the walk's data when this
   * fragment completes the datagram (the walk's data is extended with it), else undefined.
   */
  add(w: Walk, f: FragmentIn): Reassembly | undefined {
    // A fragment cut short by the capture cannot be reassembled (tshark does not either).
    if (f.cap < f.end) return undefined;
    const len = f.end - f.off;
    if (f.start + len > MAX_DATAGRAM) return undefined;
    let e = this.table.get(f.key);
    if (e?.done) { this.drop(f.key, e); e = undefined; }
    if (!e) {
      e = { pieces: [], total: undefined, held: 0 };
      this.table.set(f.key, e);
      while (this.table.size > MAX_DATAGRAMS || this.held > MAX_HELD_BYTES) {
        const [k, old] = this.table.entries().next().value as [string, Entry];
        this.drop(k, old);
      }
    }
    e.pieces.push({ start: f.start, bytes: w.d.slice(f.off, f.end), frame: w.pkt.frame.number });
    e.held += len;
    this.held += len;
    if (!f.more) e.total = f.start + len;
    if (e.total === undefined) return undefined;
    // Complete when the pieces cover 0..total without a gap.
    const sorted = [...e.pieces].sort((a, b) => a.start - b.start);
    let reach = 0;
    for (const p of sorted) {
      if (p.start > reach) return undefined;
      reach = Math.max(reach, p.start + p.bytes.length);
    }
    if (reach < e.total) return undefined;
    const data = new Uint8Array(e.total);
    // Later pieces do not overwrite earlier ones (first data wins).
    const filled = new Uint8Array(e.total);
    for (const p of e.pieces) {
      for (let i = 0; i < p.bytes.length && p.start + i < e.total; i++) {
        if (!filled[p.start + i]) { data[p.start + i] = p.bytes[i]!; filled[p.start + i] = 1; }
      }
    }
    // tshark lists the fragments' frames in the order of their offsets in the datagram.
    const frames = [...new Set(sorted.map((p) => p.frame))];
    this.drop(f.key, e);
    const base = w.d.length;
    const joined = new Uint8Array(base + data.length);
    joined.set(w.d, 0);
    joined.set(data, base);
    w.extend(joined);
    return { frames, length: data.length, offset: base };
  }

  private drop(key: string, e: Entry): void {
    this.held -= e.held;
    this.table.delete(key);
  }
}
