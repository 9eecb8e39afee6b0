/**
 * Test-only packet builder: writes TCP/IPv4 segments into a pcap (LINKTYPE_RAW, nanosecond
 * timestamps) so that a rule can be exercised on a crafted sequence, fed both to tcpscope and
 * to tshark. Browser-safe (no Node imports): returns bytes.
 */
import type { Frame } from '../../src/capture/types.js';

export interface Seg {
  /** time in seconds from the start of the capture (nanosecond resolution is kept) */
  t: number;
  /** 'c' = client 10.0.0.1:40000 → server 10.0.0.2:80, 's' = the other way */
  dir: 'c' | 's';
  /** raw (absolute) sequence and acknowledgement numbers */
  seq: number;
  ack?: number;
  /** flag letters: S A F R P U (E, C for ECE/CWR) */
  flags: string;
  win?: number;
  /** payload bytes (filled with 0x61) */
  len?: number;
  /** TCP options */
  mss?: number;
  ws?: number;
  sackPerm?: boolean;
  sack?: Array<[number, number]>;
  ts?: [number, number];
  /** other ports than 40000/80 (both directions swap them) */
  cport?: number;
  sport?: number;
  /** keep only this many bytes of the packet (a capture with a short snapshot length) */
  snap?: number;
}

const FLAG_BITS: Record<string, number> = { F: 0x01, S: 0x02, R: 0x04, P: 0x08, A: 0x10, U: 0x20, E: 0x40, C: 0x80 };

function options(s: Seg): number[] {
  const o: number[] = [];
  if (s.mss !== undefined) o.push(2, 4, s.mss >> 8, s.mss & 255);
  if (s.sackPerm) o.push(4, 2);
  if (s.ts) {
    o.push(1, 1, 8, 10);
    for (const v of s.ts) o.push((v >>> 24) & 255, (v >>> 16) & 255, (v >>> 8) & 255, v & 255);
  }
  if (s.ws !== undefined) o.push(1, 3, 3, s.ws);
  if (s.sack?.length) {
    o.push(1, 1, 5, 2 + 8 * s.sack.length);
    for (const [l, r] of s.sack) for (const v of [l, r]) o.push((v >>> 24) & 255, (v >>> 16) & 255, (v >>> 8) & 255, v & 255);
  }
  while (o.length % 4) o.push(0);
  return o;
}

/** One segment as raw IPv4 bytes. */
export function segmentBytes(s: Seg): Uint8Array {
  const opts = options(s);
  const thl = 20 + opts.length;
  const len = s.len ?? 0;
  const total = 20 + thl + len;
  const b = new Uint8Array(total);
  const v = new DataView(b.buffer);
  b[0] = 0x45; v.setUint16(2, total); v.setUint16(6, 0x4000); b[8] = 64; b[9] = 6;
  const cli = [10, 0, 0, 1], srv = [10, 0, 0, 2];
  b.set(s.dir === 'c' ? cli : srv, 12);
  b.set(s.dir === 'c' ? srv : cli, 16);
  const cport = s.cport ?? 40000, sport = s.sport ?? 80;
  const t = 20;
  v.setUint16(t, s.dir === 'c' ? cport : sport);
  v.setUint16(t + 2, s.dir === 'c' ? sport : cport);
  v.setUint32(t + 4, s.seq >>> 0);
  v.setUint32(t + 8, (s.ack ?? 0) >>> 0);
  let flags = 0;
  for (const ch of s.flags) flags |= FLAG_BITS[ch] ?? 0;
  v.setUint16(t + 12, ((thl / 4) << 12) | flags);
  v.setUint16(t + 14, s.win ?? 65535);
  b.set(opts, t + 20);
  b.fill(0x61, t + thl);
  return b;
}

/** Time in seconds → [sec, nsec] without floating-point drift. */
function split(t: number): [number, number] {
  const ns = Math.round(t * 1e9);
  return [1_700_000_000 + Math.floor(ns / 1e9), ns % 1e9];
}

/** One packet for `rawPcap`: its time in seconds from the capture's start, its bytes, its length on the wire. */
export interface RawPacket { t: number; data: Uint8Array; origLen?: number }

/**
 * The test suite's one pcap writer: a nanosecond pcap file (LINKTYPE_RAW, snapshot length
 * 262144) holding the packets in the order given; a packet whose `origLen` exceeds its data
 * was cut by the snapshot length. Used by buildPcap here and by ConvBuilder/pcapOf (conv.ts).
 */
export function rawPcap(pkts: RawPacket[]): Uint8Array {
  const parts: Uint8Array[] = [];
  const hdr = new Uint8Array(24);
  const hv = new DataView(hdr.buffer);
  hv.setUint32(0, 0xa1b23c4d, true); hv.setUint16(4, 2, true); hv.setUint16(6, 4, true);
  hv.setUint32(16, 262144, true); hv.setUint32(20, 101, true);
  parts.push(hdr);
  for (const p of pkts) {
    const rh = new Uint8Array(16);
    const rv = new DataView(rh.buffer);
    const [sec, nsec] = split(p.t);
    rv.setUint32(0, sec, true); rv.setUint32(4, nsec, true);
    rv.setUint32(8, p.data.length, true); rv.setUint32(12, p.origLen ?? p.data.length, true);
    parts.push(rh, p.data);
  }
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let off = 0;
  for (const p of parts) { out.set(p, off); off += p.length; }
  return out;
}

/** A nanosecond pcap file (LINKTYPE_RAW) holding the segments in order. */
export function buildPcap(segs: Seg[]): Uint8Array {
  return rawPcap(segs.map((s) => {
    const full = segmentBytes(s);
    return { t: s.t, data: s.snap !== undefined ? full.subarray(0, s.snap) : full, origLen: full.length };
  }));
}

/** The segments as Frames, for feeding a Dissector directly. */
export function buildFrames(segs: Seg[]): Frame[] {
  return segs.map((s, i) => {
    const full = segmentBytes(s);
    const data = s.snap !== undefined ? full.subarray(0, s.snap) : full;
    const [sec, nsec] = split(s.t);
    return { number: i + 1, tsSec: sec, tsNsec: nsec, capLen: data.length, origLen: full.length, linkType: 101, iface: 0, data, fileOffset: 0, precision: 9 };
  });
}

/**
 * A segment whose IP packet ends `tcpBytes` bytes into the TCP header (the IP total length says
 * so too), although the header length field claims more: tshark's "Short segment".
 */
export interface ShortSeg extends Seg { tcpBytes?: number }

/** Like buildPcap, but segments with `tcpBytes` are cut short inside their TCP header. */
export function buildShortPcap(segs: ShortSeg[]): Uint8Array {
  const parts: Uint8Array[] = [buildPcap([]).slice(0, 24)];
  for (const s of segs) {
    let data = segmentBytes(s);
    if (s.tcpBytes !== undefined) {
      data = data.slice(0, 20 + s.tcpBytes);
      new DataView(data.buffer).setUint16(2, data.length);
    }
    const rh = new Uint8Array(16);
    const rv = new DataView(rh.buffer);
    const [sec, nsec] = split(s.t);
    rv.setUint32(0, sec, true); rv.setUint32(4, nsec, true);
    rv.setUint32(8, data.length, true); rv.setUint32(12, data.length, true);
    parts.push(rh, data);
  }
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let off = 0;
  for (const p of parts) { out.set(p, off); off += p.length; }
  return out;
}
