/**
 * Test-only conversation builder: a TCP/IPv4 connection whose segments carry real payload
 * bytes (HTTP text, TLS records), written as a nanosecond pcap (LINKTYPE_RAW) so that a
 * crafted sequence can be fed both to tcpscope and to tshark. Sequence numbers are tracked
 * per direction unless a segment gives its own relative offset (for retransmissions,
 * overlaps and reordering). Browser-safe: returns bytes.
 */
import { rawPcap } from './build.js';

export type Dir = 'c' | 's';

export interface SegOpts {
  /** relative sequence number of the first payload byte (1 = first byte after the SYN); default: next */
  seq?: number;
  /** flag letters (S A F R P); default 'PA' with data, 'A' without */
  flags?: string;
  /** time step before this segment, seconds (default 0.001) */
  dt?: number;
  /** do not advance the direction's next sequence number (for retransmissions/out of order) */
  noAdvance?: boolean;
}

const FLAG_BITS: Record<string, number> = { F: 0x01, S: 0x02, R: 0x04, P: 0x08, A: 0x10, U: 0x20 };
const enc = new TextEncoder();

interface Rec { t: number; dir: Dir; seq: number; ack: number; flags: number; data: Uint8Array }

export class ConvBuilder {
  private readonly recs: Rec[] = [];
  private t = 0;
  /** next relative seq per direction (1 after the SYN) */
  private readonly next: Record<Dir, number> = { c: 1, s: 1 };
  private readonly isn: Record<Dir, number>;

  constructor(readonly cport = 40000, readonly sport = 80, isnC = 1000, isnS = 5000, readonly cip = [10, 0, 0, 1], readonly sip = [10, 0, 0, 2]) {
    this.isn = { c: isnC, s: isnS };
  }

  /** SYN, SYN/ACK, ACK */
  handshake(): this {
    this.recs.push({ t: this.t, dir: 'c', seq: this.isn.c, ack: 0, flags: FLAG_BITS.S!, data: new Uint8Array(0) });
    this.t += 0.001;
    this.recs.push({ t: this.t, dir: 's', seq: this.isn.s, ack: this.isn.c + 1, flags: FLAG_BITS.S! | FLAG_BITS.A!, data: new Uint8Array(0) });
    this.t += 0.001;
    this.recs.push({ t: this.t, dir: 'c', seq: this.isn.c + 1, ack: this.isn.s + 1, flags: FLAG_BITS.A!, data: new Uint8Array(0) });
    return this;
  }

  /** A segment from `dir` carrying `data` (string → UTF-8 bytes). */
  send(dir: Dir, data: string | Uint8Array = '', o: SegOpts = {}): this {
    const bytes = typeof data === 'string' ? enc.encode(data) : data;
    this.t += o.dt ?? 0.001;
    const rel = o.seq ?? this.next[dir];
    let flags = 0;
    for (const ch of o.flags ?? (bytes.length ? 'PA' : 'A')) flags |= FLAG_BITS[ch] ?? 0;
    const other: Dir = dir === 'c' ? 's' : 'c';
    this.recs.push({ t: this.t, dir, seq: (this.isn[dir] + rel) >>> 0, ack: (this.isn[other] + this.next[other]) >>> 0, flags, data: bytes });
    if (!o.noAdvance) this.next[dir] = Math.max(this.next[dir], rel + bytes.length + (flags & FLAG_BITS.F! ? 1 : 0));
    return this;
  }

  /** An ACK-only segment from `dir`. */
  ack(dir: Dir, dt?: number): this { return this.send(dir, '', { flags: 'A', dt }); }

  /** FIN/ACK from `dir`. */
  fin(dir: Dir, dt?: number): this { return this.send(dir, '', { flags: 'FA', dt }); }

  /** The frames as raw IPv4 packets. */
  packets(): Array<{ t: number; bytes: Uint8Array }> {
    return this.recs.map((r) => ({ t: r.t, bytes: this.ipv4(r) }));
  }

  private ipv4(r: Rec): Uint8Array {
    const thl = 20;
    const total = 20 + thl + r.data.length;
    const b = new Uint8Array(total);
    const v = new DataView(b.buffer);
    b[0] = 0x45; v.setUint16(2, total); v.setUint16(6, 0x4000); b[8] = 64; b[9] = 6;
    b.set(r.dir === 'c' ? this.cip : this.sip, 12);
    b.set(r.dir === 'c' ? this.sip : this.cip, 16);
    v.setUint16(20, r.dir === 'c' ? this.cport : this.sport);
    v.setUint16(22, r.dir === 'c' ? this.sport : this.cport);
    v.setUint32(24, r.seq >>> 0);
    v.setUint32(28, r.ack >>> 0);
    v.setUint16(32, ((thl / 4) << 12) | r.flags);
    v.setUint16(34, 65535);
    b.set(r.data, 40);
    return b;
  }

  /** A nanosecond pcap (LINKTYPE_RAW) with every segment in order. */
  pcap(): Uint8Array {
    return pcapOf(this.packets());
  }
}

/** Several conversations' packets merged by time into one pcap (written by build.ts's rawPcap). */
export function pcapOf(pkts: Array<{ t: number; bytes: Uint8Array }>): Uint8Array {
  return rawPcap([...pkts].sort((a, b) => a.t - b.t).map((p) => ({ t: p.t, data: p.bytes })));
}
