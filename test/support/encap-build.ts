/**
 * Test-only builders for crafted encapsulation captures (issue 14): link-layer headers, tunnel
 * headers, IP fragments, ICMP errors, written as pcap files of any link type, so that each tunnel
 * and link type the shared captures do not cover is checked against tshark. Browser-safe: bytes in,
 * bytes out. The inner TCP comes from build.ts's segmentBytes (10.0.0.1:40000 ↔ 10.0.0.2:80).
 */
import { segmentBytes, type Seg } from './build.js';

export type Bytes = Uint8Array;

export function cat(...parts: Array<Bytes | number[]>): Bytes {
  const n = parts.reduce((s, p) => s + p.length, 0);
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) { out.set(p, o); o += p.length; }
  return out;
}

const be16 = (v: number): number[] => [(v >> 8) & 255, v & 255];
const be32 = (v: number): number[] => [(v >>> 24) & 255, (v >>> 16) & 255, (v >>> 8) & 255, v & 255];
const le16 = (v: number): number[] => [v & 255, (v >> 8) & 255];
const le32 = (v: number): number[] => [v & 255, (v >> 8) & 255, (v >> 16) & 255, (v >>> 24) & 255];
const ip4 = (s: string): number[] => s.split('.').map(Number);

function ipv6Addr(s: string): number[] {
  const [head, tail] = s.split('::') as [string, string | undefined];
  const h = head ? head.split(':') : [], t = tail ? tail.split(':') : [];
  const groups = [...h, ...Array(8 - h.length - t.length).fill('0'), ...t];
  return groups.flatMap((g) => be16(parseInt(g, 16)));
}

function checksum(b: Bytes): number {
  let s = 0;
  for (let i = 0; i < b.length; i += 2) s += (b[i]! << 8) | (b[i + 1] ?? 0);
  while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
  return ~s & 0xffff;
}

/** The standard crafted conversation: handshake, one request, one response, FIN both ways. */
export function conversation(t0 = 0): Seg[] {
  return [
    { t: t0, dir: 'c', seq: 1000, flags: 'S', mss: 1400, ws: 7, sackPerm: true },
    { t: t0 + 0.01, dir: 's', seq: 5000, ack: 1001, flags: 'SA', mss: 1400, ws: 5, sackPerm: true },
    { t: t0 + 0.02, dir: 'c', seq: 1001, ack: 5001, flags: 'A' },
    { t: t0 + 0.03, dir: 'c', seq: 1001, ack: 5001, flags: 'PA', len: 100 },
    { t: t0 + 0.04, dir: 's', seq: 5001, ack: 1101, flags: 'PA', len: 300 },
    { t: t0 + 0.05, dir: 'c', seq: 1101, ack: 5301, flags: 'FA' },
    { t: t0 + 0.06, dir: 's', seq: 5301, ack: 1102, flags: 'FA' },
    { t: t0 + 0.07, dir: 'c', seq: 1102, ack: 5302, flags: 'A' },
  ];
}

/** Raw IPv4+TCP of each segment (inner packets). */
export const innerIpv4 = (segs: Seg[]): Bytes[] => segs.map((s) => segmentBytes(s));

export function eth(dst: string, src: string, type: number, payload: Bytes): Bytes {
  const mac = (m: string): number[] => m.split(':').map((x) => parseInt(x, 16));
  return cat(mac(dst), mac(src), be16(type), payload);
}

export interface Ip4Opts { src: string; dst: string; proto: number; id?: number; df?: boolean; more?: boolean; fragOffset?: number; ttl?: number; totalLen?: number }
export function ipv4(o: Ip4Opts, payload: Bytes): Bytes {
  const h = new Uint8Array(20);
  const total = o.totalLen ?? 20 + payload.length;
  h.set([0x45, 0, ...be16(total), ...be16(o.id ?? 0x1234),
    ...be16(((o.df ? 2 : 0) | (o.more ? 1 : 0)) << 13 | ((o.fragOffset ?? 0) >> 3)), o.ttl ?? 64, o.proto, 0, 0, ...ip4(o.src), ...ip4(o.dst)]);
  h.set(be16(checksum(h)), 10);
  return cat(h, payload);
}

export function ipv6(src: string, dst: string, nxt: number, payload: Bytes, hlim = 64): Bytes {
  return cat([0x60, 0, 0, 0, ...be16(payload.length), nxt, hlim], ipv6Addr(src), ipv6Addr(dst), payload);
}

export function udp(sport: number, dport: number, payload: Bytes): Bytes {
  return cat(be16(sport), be16(dport), be16(8 + payload.length), [0, 0], payload);
}

/** An IPv4 packet split into fragments of at most `size` payload bytes (a multiple of 8). */
export function fragments4(o: Omit<Ip4Opts, 'more' | 'fragOffset'>, payload: Bytes, size: number): Bytes[] {
  const out: Bytes[] = [];
  for (let off = 0; off < payload.length; off += size) {
    const part = payload.subarray(off, Math.min(payload.length, off + size));
    out.push(ipv4({ ...o, fragOffset: off, more: off + size < payload.length }, part));
  }
  return out;
}

/** IPv6 fragments: each an IPv6 header, a Fragment header (44), and the piece. */
export function fragments6(src: string, dst: string, nxt: number, id: number, payload: Bytes, size: number): Bytes[] {
  const out: Bytes[] = [];
  for (let off = 0; off < payload.length; off += size) {
    const part = payload.subarray(off, Math.min(payload.length, off + size));
    const more = off + size < payload.length ? 1 : 0;
    out.push(ipv6(src, dst, 44, cat([nxt, 0, ...be16(off | more)], be32(id), part)));
  }
  return out;
}

/** A TCP header (20 bytes, no options) with `len` payload bytes of 0x62. */
export function tcp(sport: number, dport: number, seq: number, ack: number, flags: number, len = 0): Bytes {
  return cat(be16(sport), be16(dport), be32(seq), be32(ack), [0x50, flags], be16(65535), [0, 0, 0, 0], new Uint8Array(len).fill(0x62));
}

// ---- tunnel headers -----------------------------------------------------------------------------

export const vxlan = (vni: number, inner: Bytes): Bytes => cat([0x08, 0, 0, 0], be32(vni << 8), inner);
export function geneve(vni: number, protocol: number, options: Bytes, inner: Bytes): Bytes {
  return cat([options.length / 4, 0, ...be16(protocol)], be32(vni << 8), options, inner);
}
export interface GreOpts { protocol: number; checksum?: boolean; key?: number; seq?: number }
export function gre(o: GreOpts, inner: Bytes): Bytes {
  const flags = (o.checksum ? 0x8000 : 0) | (o.key !== undefined ? 0x2000 : 0) | (o.seq !== undefined ? 0x1000 : 0);
  const h = cat(be16(flags), be16(o.protocol), o.checksum ? [0, 0, 0, 0] : [], o.key !== undefined ? be32(o.key) : [], o.seq !== undefined ? be32(o.seq) : []);
  if (o.checksum) { const whole = cat(h, inner); whole.set(be16(checksum(whole)), 4); return whole; }
  return cat(h, inner);
}
/** GTPv1-U T-PDU; `ext` adds a PDU session container extension header (type 0x85). */
export function gtpu(teid: number, inner: Bytes, ext = false): Bytes {
  const opt = ext ? cat([0, 1, 0, 0x85], [1, 0x10, 0x01, 0]) : new Uint8Array(0);
  return cat([ext ? 0x34 : 0x30, 0xff, ...be16(opt.length + inner.length)], be32(teid), opt, inner);
}
/** Teredo: optional authentication indicator (no id, no value) and origin indicator, then IPv6. */
export function teredo(inner: Bytes, origin?: { port: number; addr: string }, auth = false): Bytes {
  const a = auth ? [0, 1, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 0] : [];
  const o = origin ? [0, 0, ...be16(origin.port ^ 0xffff), ...ip4(origin.addr).map((x) => x ^ 0xff)] : [];
  return cat(a, o, inner);
}
/** AYIYA forward: 16-byte identity (2^4), 20-byte SHA-1 signature (5 words), then the packet of `nxt`. */
export const ayiya = (nxt: number, inner: Bytes): Bytes => cat([0x41, 0x52, 0x11, nxt], be32(1700000000), new Uint8Array(16).fill(1), new Uint8Array(20).fill(2), inner);
export const erspan2 = (session: number, inner: Bytes): Bytes => cat([0x10, 0, ...be16(session & 0x3ff)], [0, 0, 0, 0], inner);
export const pbbTag = (isid: number, cdst: number[], csrc: number[], etype: number, inner: Bytes): Bytes => cat(be32(isid & 0xffffff), cdst, csrc, be16(etype), inner);

/** Arista timestamp header (ethertype 0xd28b): 64-bit (version 0x0010) or 48-bit (0x0020) timestamp, then `etype`. */
export const aristaTs = (bits64: boolean, etype: number, inner: Bytes): Bytes =>
  cat([0, 1, 0, bits64 ? 0x10 : 0x20], bits64 ? [0, 0, 0, 1, 0, 0, 0, 5] : [0, 1, 0, 0, 0, 5], be16(etype), inner);

// ---- link layers --------------------------------------------------------------------------------

export const snap = (etype: number, inner: Bytes): Bytes => cat([0xaa, 0xaa, 0x03, 0, 0, 0], be16(etype), inner);
/** IEEE 802.3 frame: length field, LLC/SNAP, padded to 60 bytes. */
export function ieee8023(dst: string, src: string, inner: Bytes): Bytes {
  const body = snap(0x0800, inner);
  const f = eth(dst, src, body.length, body);
  return f.length < 60 ? cat(f, new Uint8Array(60 - f.length)) : f;
}
/** IEEE 802.11 data frame (FromDS) carrying LLC/SNAP. */
export function wlanData(inner: Bytes, qos = false): Bytes {
  const fc = qos ? [0x88, 0x02] : [0x08, 0x02];
  const h = cat(fc, [0, 0], [0, 0x11, 0x22, 0x33, 0x44, 0x55], [0, 0x66, 0x77, 0x88, 0x99, 0xaa], [0, 0xbb, 0xcc, 0xdd, 0xee, 0xff], [0x10, 0]);
  return cat(h, qos ? [0, 0] : [], snap(0x0800, inner));
}
/** Minimal radiotap header (no fields). */
export const radiotap = (inner: Bytes): Bytes => cat([0, 0, ...le16(8)], le32(0), inner);
export const ppp = (proto: number, inner: Bytes, hdlc = true): Bytes => cat(hdlc ? [0xff, 0x03] : [], be16(proto), inner);
/** Apple PKTAP header (108 bytes, little-endian length and link type, interface "en0"), then the frame. */
export function pktapHdr(dlt: number, inner: Bytes): Bytes {
  const h = new Uint8Array(108);
  h.set(le32(108), 0); h.set(le32(dlt), 4); h.set(le32(1), 8); h.set([0x65, 0x6e, 0x30], 12);
  return cat(h, inner);
}
/** Juniper Ethernet pseudo-header ("MGC", flags; with `ext`, a 6-byte extension block), then the frame. */
export const juniper = (inner: Bytes, ext = false): Bytes => cat([0x4d, 0x47, 0x43, ext ? 0x81 : 0x01], ext ? [0, 6, 1, 4, 0, 0, 0, 7] : [], inner);
export const ipoib = (etype: number, inner: Bytes): Bytes => cat(be16(etype), [0, 0], inner);

// ---- pcap ---------------------------------------------------------------------------------------

/** A microsecond pcap file of link type `dlt`, one frame per entry, 10 ms apart. */
export function pcapOf(dlt: number, frames: Bytes[]): Bytes {
  const parts: Bytes[] = [Uint8Array.from([...le32(0xa1b2c3d4), ...le16(2), ...le16(4), ...le32(0), ...le32(0), ...le32(262144), ...le32(dlt)])];
  frames.forEach((f, i) => {
    parts.push(Uint8Array.from([...le32(1700000000), ...le32(i * 10000), ...le32(f.length), ...le32(f.length)]), f);
  });
  return cat(...parts);
}

/** An IEEE 802.3br express mPacket (link type 274): preamble, SMD-E, the frame, its CRC-32 (wrong when `badCrc`). */
export function mpacket(frame: Bytes, badCrc = false): Bytes {
  let c = 0xffffffff;
  for (const x of frame) { c ^= x; for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1; }
  c = ((c ^ 0xffffffff) ^ (badCrc ? 1 : 0)) >>> 0;
  return cat([0x55, 0x55, 0x55, 0x55, 0x55, 0x55, 0x55, 0xd5], frame, le32(c));
}
