/**
 * A cheap look at a frame's TCP 4-tuple, for sharding a capture over worker threads
 * (`conns --threads N`, cli/threads.ts): every frame of one conversation must reach the same
 * worker, so each worker reads the whole capture, peeks at every frame and fully dissects only
 * its own. The peek reads raw bytes, allocates nothing, and answers only for the common plain
 * cases, where the full decoder (decode.ts) would take exactly these IP and TCP headers as the
 * packet's: Ethernet with up to four VLAN tags, Linux cooked v1/v2, Null/Loopback and raw IP
 * link types; IPv4 that is not a fragment; IPv6 with TCP right after the fixed header. Anything
 * else (tunnels, fragments, extension headers, ICMP errors, odd lengths, FTP control segments)
 * is EVERY: each worker dissects it, so state that spans conversations (IP reassembly, the
 * undecoded counts, FTP announcements) is the same in every worker.
 */
import type { Frame } from '../capture/types.js';

/** The frame must be dissected by every worker. */
export const EVERY = -1;

/** FTP control segments are dissected everywhere: their announcements name other conversations. */
const FTP_PORT = 21;

/** Hash of one endpoint (address bytes and port). */
function endpointHash(d: Uint8Array, a: number, alen: number, port: number): number {
  let h = Math.imul(port + 0x165667b1, 0x9e3779b1);
  for (let i = 0; i < alen; i += 4) {
    const w = (d[a + i]! << 24) | (d[a + i + 1]! << 16) | (d[a + i + 2]! << 8) | d[a + i + 3]!;
    h = Math.imul(h ^ w, 0x85ebca6b);
    h ^= h >>> 13;
  }
  return h;
}

/**
 * The same unsigned 32-bit value for both directions of a 4-tuple: `src`/`dst` are the offsets
 * of the addresses (alen 4 or 16 bytes) in `d`.
 */
export function tupleHash(d: Uint8Array, src: number, dst: number, alen: number, sport: number, dport: number): number {
  let h = (endpointHash(d, src, alen, sport) + endpointHash(d, dst, alen, dport)) | 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d);
  h ^= h >>> 15;
  return h >>> 0;
}

/** Byte layout: the TCP header starts at `t`, with at least 20 bytes captured. */
function tcpHash(d: Uint8Array, src: number, dst: number, alen: number, t: number): number {
  const sport = (d[t]! << 8) | d[t + 1]!, dport = (d[t + 2]! << 8) | d[t + 3]!;
  if (sport === FTP_PORT) return EVERY;
  return tupleHash(d, src, dst, alen, sport, dport);
}

function ipv4(d: Uint8Array, off: number, cap: number, rep: number): number {
  if (cap - off < 20) return EVERY;
  const b0 = d[off]!;
  const hdrLen = (b0 & 15) * 4;
  if (b0 >> 4 !== 4 || hdrLen < 20 || cap - off < hdrLen) return EVERY;
  if (d[off + 9] !== 6) return EVERY;
  // fragment offset or more-fragments: reassembly state, dissected everywhere
  if ((((d[off + 6]! << 8) | d[off + 7]!) & 0x3fff) !== 0) return EVERY;
  const totalLen = (d[off + 2]! << 8) | d[off + 3]!;
  if (totalLen !== 0 && totalLen < hdrLen) return EVERY;
  const end = totalLen === 0 ? rep : Math.min(rep, off + totalLen);
  const t = off + hdrLen;
  if (Math.min(cap, end) - t < 20) return EVERY;
  return tcpHash(d, off + 12, off + 16, 4, t);
}

function ipv6(d: Uint8Array, off: number, cap: number, rep: number): number {
  if (cap - off < 40 || d[off]! >> 4 !== 6 || d[off + 6] !== 6) return EVERY;
  const payloadLen = (d[off + 4]! << 8) | d[off + 5]!;
  const end = payloadLen === 0 ? rep : Math.min(rep, off + 40 + payloadLen);
  const t = off + 40;
  if (Math.min(cap, end) - t < 20) return EVERY;
  return tcpHash(d, off + 8, off + 24, 16, t);
}

function byEthertype(d: Uint8Array, type: number, off: number, cap: number, rep: number): number {
  for (let i = 0; type === 0x8100 || type === 0x88a8 || type === 0x9100; i++) {
    if (i === 4 || cap - off < 4) return EVERY;
    type = (d[off + 2]! << 8) | d[off + 3]!;
    off += 4;
  }
  if (type === 0x0800) return ipv4(d, off, cap, rep);
  if (type === 0x86dd) return ipv6(d, off, cap, rep);
  return EVERY;
}

function byVersion(d: Uint8Array, off: number, cap: number, rep: number): number {
  if (cap <= off) return EVERY;
  const v = d[off]! >> 4;
  return v === 4 ? ipv4(d, off, cap, rep) : v === 6 ? ipv6(d, off, cap, rep) : EVERY;
}

/**
 * The direction-independent hash of the frame's TCP 4-tuple (the same value tupleHash gives
 * for the addresses and ports the full decoder finds), or EVERY when the frame is not a plain
 * TCP segment this peek is sure about.
 */
export function peekTcpHash(frame: Frame): number {
  const d = frame.data, cap = d.length;
  const rep = Math.max(frame.origLen, cap);
  switch (frame.linkType) {
    case 1: // Ethernet
      return cap < 14 ? EVERY : byEthertype(d, (d[12]! << 8) | d[13]!, 14, cap, rep);
    case 113: { // Linux cooked v1
      if (cap < 16) return EVERY;
      const p = (d[14]! << 8) | d[15]!;
      return p < 0x0600 ? EVERY : byEthertype(d, p, 16, cap, rep);
    }
    case 276: { // Linux cooked v2
      if (cap < 20) return EVERY;
      const p = (d[0]! << 8) | d[1]!;
      return p < 0x0600 ? EVERY : byEthertype(d, p, 20, cap, rep);
    }
    case 0: case 108: { // Null (writer's byte order), Loop (big-endian)
      if (cap < 4) return EVERY;
      const be = ((d[0]! << 24) | (d[1]! << 16) | (d[2]! << 8) | d[3]!) >>> 0;
      const le = ((d[3]! << 24) | (d[2]! << 16) | (d[1]! << 8) | d[0]!) >>> 0;
      const family = frame.linkType === 108 ? be : (le & 0xffff0000) !== 0 && (le & 0xffff) === 0 ? be : le;
      if (family === 2) return ipv4(d, 4, cap, rep);
      if (family === 24 || family === 28 || family === 30) return ipv6(d, 4, cap, rep);
      return EVERY;
    }
    case 101: case 12: case 14: return byVersion(d, 0, cap, rep);
    case 228: return ipv4(d, 0, cap, rep);
    case 229: return ipv6(d, 0, cap, rep);
    default: return EVERY;
  }
}
