/**
 * The drop counts dumpcap writes into its pcapng output when it stops: the Interface Statistics
 * Block (type 5) with isb_ifrecv (4), isb_ifdrop (5) and isb_osdrop (7). A small block walker
 * over the raw stream (the project's reader skips ISBs), fed chunk by chunk beside the parser.
 */
const BT_SHB = 0x0a0d0d0a;
const BT_ISB = 5;
/** Blocks larger than this are skipped without buffering (packets; an ISB is far smaller). */
const MAX_KEEP = 1 << 16;

export interface IsbCounts { received: number | null; ifdrop: number | null; osdrop: number | null }

export class IsbWatcher {
  private pending: Buffer = Buffer.alloc(0);
  private le = true;
  private skip = 0;
  private dead = false;
  private started = false;
  /** the last statistics block seen, per interface id */
  readonly stats = new Map<number, IsbCounts>();

  push(chunk: Uint8Array): void {
    if (this.dead) return;
    let buf = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    if (this.skip > 0) {
      const n = Math.min(this.skip, buf.length);
      this.skip -= n;
      buf = buf.subarray(n);
      if (!buf.length) return;
    }
    this.pending = this.pending.length ? Buffer.concat([this.pending, buf]) : Buffer.from(buf);
    let off = 0;
    while (this.pending.length - off >= 12) {
      const p = this.pending;
      const type = p.readUInt32LE(off);
      if (!this.started) {
        if (type !== BT_SHB) { this.dead = true; return; } // tcpdump's pcap: no statistics blocks
        this.started = true;
      }
      if (type === BT_SHB) {
        this.le = p.readUInt32LE(off + 8) === 0x1a2b3c4d;
        if (!this.le && p.readUInt32BE(off + 8) !== 0x1a2b3c4d) { this.dead = true; return; }
      }
      const len = this.le ? p.readUInt32LE(off + 4) : p.readUInt32BE(off + 4);
      const t = this.le ? p.readUInt32LE(off) : p.readUInt32BE(off);
      if (len < 12 || len % 4 !== 0) { this.dead = true; return; }
      if (len > MAX_KEEP) {
        const have = p.length - off;
        if (have >= len) { off += len; continue; }
        this.skip = len - have;
        off = p.length;
        break;
      }
      if (p.length - off < len) break;
      if (t === BT_ISB) this.isb(p.subarray(off, off + len));
      off += len;
    }
    this.pending = this.pending.subarray(off);
  }

  private isb(b: Buffer): void {
    const u32 = (o: number): number => (this.le ? b.readUInt32LE(o) : b.readUInt32BE(o));
    const u16 = (o: number): number => (this.le ? b.readUInt16LE(o) : b.readUInt16BE(o));
    const u64 = (o: number): number => Number(this.le ? b.readBigUInt64LE(o) : b.readBigUInt64BE(o));
    const iface = u32(8);
    const c: IsbCounts = { received: null, ifdrop: null, osdrop: null };
    let o = 20;
    while (o + 4 <= b.length - 4) {
      const code = u16(o);
      const len = u16(o + 2);
      if (code === 0) break;
      if (len === 8 && o + 12 <= b.length) {
        if (code === 4) c.received = u64(o + 4);
        else if (code === 5) c.ifdrop = u64(o + 4);
        else if (code === 7) c.osdrop = u64(o + 4);
      }
      o += 4 + ((len + 3) & ~3);
    }
    this.stats.set(iface, c);
  }
}
