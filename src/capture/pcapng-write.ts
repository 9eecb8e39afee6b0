/**
 * A small pcapng writer (little-endian): one Section Header Block, one Interface Description
 * Block per link type (nanosecond timestamps, if_tsresol = 9), one Enhanced Packet Block per
 * packet. Pure: packets in, bytes out (the web viewer's export; readable by tcpscope and tshark).
 */

export interface WritePacket {
  tsSec: number;
  tsNsec: number;
  /** bytes on the wire (≥ data.length) */
  origLen: number;
  linkType: number;
  data: Uint8Array;
}

const pad4 = (n: number): number => (n + 3) & ~3;

/** The whole pcapng file for these packets, in the order given. */
export function writePcapng(packets: Iterable<WritePacket>, snapLen = 262144): Uint8Array {
  const blocks: Uint8Array[] = [];
  let total = 0;
  const push = (b: Uint8Array): void => { blocks.push(b); total += b.length; };

  // Section Header Block: byte-order magic, version 1.0, section length unknown (-1).
  const shb = new DataView(new ArrayBuffer(28));
  shb.setUint32(0, 0x0a0d0d0a, true); shb.setUint32(4, 28, true); shb.setUint32(8, 0x1a2b3c4d, true);
  shb.setUint16(12, 1, true); shb.setUint16(14, 0, true);
  shb.setInt32(16, -1, true); shb.setInt32(20, -1, true); shb.setUint32(24, 28, true);
  push(new Uint8Array(shb.buffer));

  const ifaces = new Map<number, number>();
  for (const p of packets) {
    let id = ifaces.get(p.linkType);
    if (id === undefined) {
      id = ifaces.size;
      ifaces.set(p.linkType, id);
      // IDB with if_tsresol (option 9) = 9 (10^-9 s) and opt_endofopt.
      const len = 20 + 8 + 4;
      const v = new DataView(new ArrayBuffer(len));
      v.setUint32(0, 0x00000001, true); v.setUint32(4, len, true);
      v.setUint16(8, p.linkType, true); v.setUint16(10, 0, true); v.setUint32(12, snapLen, true);
      v.setUint16(16, 9, true); v.setUint16(18, 1, true); v.setUint8(20, 9);
      v.setUint16(24, 0, true); v.setUint16(26, 0, true);
      v.setUint32(len - 4, len, true);
      push(new Uint8Array(v.buffer));
    }
    const cap = p.data.length;
    const len = 28 + pad4(cap) + 4;
    const buf = new Uint8Array(len);
    const v = new DataView(buf.buffer);
    // Timestamps in ns since the epoch, split in two 32-bit halves (exact up to 2^53 ns ≈ year 2255).
    const ts = BigInt(p.tsSec) * 1_000_000_000n + BigInt(p.tsNsec);
    v.setUint32(0, 0x00000006, true); v.setUint32(4, len, true); v.setUint32(8, id, true);
    v.setUint32(12, Number((ts >> 32n) & 0xffffffffn), true); v.setUint32(16, Number(ts & 0xffffffffn), true);
    v.setUint32(20, cap, true); v.setUint32(24, Math.max(p.origLen, cap), true);
    buf.set(p.data, 28);
    v.setUint32(len - 4, len, true);
    push(buf);
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const b of blocks) { out.set(b, at); at += b.length; }
  return out;
}
