/**
 * The bench's 5 GB input (issue 11: "a 5 GB capture completes in bounded memory"): capture B
 * written `copies` times one after the other. Copy k is shifted in time to start one second
 * after copy k-1 ends, and its client ports are moved, so that every copy is a new set of
 * connections (new 4-tuples) rather than the old ones starting again with the same ISNs.
 *
 * Streams the source in 16 MiB chunks and writes through PcapWriter: memory stays small
 * whatever the size. Handles what tcpdump writes on `lo` (Ethernet; IPv4 and IPv6, TCP).
 */
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { PcapWriter } from './traffic.js';

const CHUNK = 16 << 20;

/** One pass over a classic pcap file's records (either byte order, µs or ns), in chunks. */
function forEachRecord(file: string, each: (tsUs: number, origLen: number, data: Buffer) => void): { linktype: number; snaplen: number } {
  const fd = openSync(file, 'r');
  try {
    const size = statSync(file).size;
    const head = Buffer.alloc(24);
    if (readSync(fd, head, 0, 24, 0) !== 24) throw new Error(`${file}: too short for a pcap header`);
    const magic = head.readUInt32LE(0);
    const le = magic === 0xa1b2c3d4 || magic === 0xa1b23c4d;
    const nanos = magic === 0xa1b23c4d || head.readUInt32BE(0) === 0xa1b23c4d;
    if (!le && head.readUInt32BE(0) !== 0xa1b2c3d4 && head.readUInt32BE(0) !== 0xa1b23c4d) throw new Error(`${file}: not a classic pcap file`);
    const u32 = (b: Buffer, o: number): number => (le ? b.readUInt32LE(o) : b.readUInt32BE(o));
    const info = { snaplen: u32(head, 16), linktype: u32(head, 20) & 0xffff };
    const buf = Buffer.allocUnsafe(CHUNK);
    let pos = 24;
    let have = 0;
    let start = 0; // buf[0] is file offset `start`
    while (pos + 16 <= size) {
      if (pos + 16 > start + have) { start = pos; have = readSync(fd, buf, 0, CHUNK, pos); }
      const o = pos - start;
      const incl = u32(buf, o + 8);
      if (pos + 16 + incl > size) break; // a cut last record
      if (16 + incl > CHUNK) throw new Error(`${file}: a record of ${incl} bytes at offset ${pos} is larger than the read buffer`);
      if (pos + 16 + incl > start + have) { start = pos; have = readSync(fd, buf, 0, CHUNK, pos); continue; }
      const tsUs = u32(buf, o) * 1e6 + (nanos ? Math.floor(u32(buf, o + 4) / 1000) : u32(buf, o + 4));
      each(tsUs, u32(buf, o + 12), buf.subarray(o + 16, o + 16 + incl));
      pos += 16 + incl;
    }
    return info;
  } finally {
    closeSync(fd);
  }
}

/** RFC 1624 incremental update of an Internet checksum for one 16-bit word changing from `from` to `to`. */
function fix16(sum: number, from: number, to: number): number {
  let s = (~sum & 0xffff) + (~from & 0xffff) + to;
  s = (s & 0xffff) + (s >>> 16);
  s = (s & 0xffff) + (s >>> 16);
  return ~s & 0xffff;
}

/** Offset of the TCP header in an Ethernet frame carrying IPv4 or IPv6 (no extension headers), or -1. */
function tcpOffset(d: Buffer): number {
  if (d.length < 14) return -1;
  const type = d.readUInt16BE(12);
  if (type === 0x0800 && d.length >= 34 && d[23] === 6 && (d.readUInt16BE(20) & 0x1fff) === 0) return 14 + (d[14]! & 0x0f) * 4;
  if (type === 0x86dd && d.length >= 54 && d[20] === 6) return 54;
  return -1;
}

export interface ConcatResult { packets: number; bytes: number }

/**
 * Writes `copies` copies of `src` to `out`. The servers' ports are learnt from the SYNs of the
 * first copy (every connection of B starts inside the capture); a client port p becomes, in
 * copy k, another port above 1024 that is none of the servers'.
 */
export function concatShifted(src: string, out: string, copies: number): ConcatResult {
  let first = -1, last = 0;
  const servers = new Set<number>();
  const info = forEachRecord(src, (ts, _len, d) => {
    if (first < 0) first = ts;
    last = ts;
    const t = tcpOffset(d);
    if (t >= 0 && d.length >= t + 14 && (d[t + 13]! & 0x12) === 0x02) servers.add(d.readUInt16BE(t + 2));
  });
  if (first < 0) throw new Error(`${src}: no packets`);
  const period = last - first + 1e6;
  const w = new PcapWriter(out, info.linktype, info.snaplen);
  let bytes = 24;
  const moved = (p: number, k: number): number => {
    let q = p;
    for (let step = 0; step < 64; step++) {
      q = 1024 + ((q - 1024 + 4099 * k) % 64512);
      if (!servers.has(q)) return q;
    }
    return p;
  };
  try {
    for (let k = 0; k < copies; k++) {
      const shift = k * period;
      forEachRecord(src, (ts, origLen, data) => {
        const d = w.append(ts + shift, origLen, data);
        bytes += 16 + d.length;
        if (k === 0) return;
        const t = tcpOffset(d);
        if (t < 0 || d.length < t + 18) return;
        const sport = d.readUInt16BE(t), dport = d.readUInt16BE(t + 2);
        const at = servers.has(sport) ? t + 2 : t; // the client's port
        const old = at === t ? sport : dport;
        const now = moved(old, k);
        d.writeUInt16BE(now, at);
        d.writeUInt16BE(fix16(d.readUInt16BE(t + 16), old, now), t + 16);
      });
    }
  } finally {
    w.close();
  }
  return { packets: w.count, bytes };
}
