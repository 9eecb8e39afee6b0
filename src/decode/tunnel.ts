/**
 * Tunnels, decoded as tshark 4.0 does by default: VXLAN (UDP 4789), Geneve (6081), GRE and GRE in
 * UDP (4754), GTP-U (2152), Teredo (3544), IEEE 802.1ah provider backbone bridging, VN-Tag/E-Tag.
 * What a tunnel carries goes back to the registry (`w.to`), so the inner IP/TCP is decoded and
 * tracked like any other.
 */
import type { Walk } from './walk.js';

const TEB = 0x6558; // transparent Ethernet bridging
const ERSPAN_II = 0x88be, ERSPAN_III = 0x22eb;

/** UDP ports of the tunnels, as tshark registers them. */
export const TUNNEL_PORTS: Record<number, (w: Walk, off: number, cap: number, rep: number) => void> = {
  4789: vxlan, 6081: geneve, 4754: greUdp, 2152: gtpu, 3544: teredo, 5072: ayiya,
};

/**
 * Decode a UDP payload as a tunnel when one of its ports is a tunnel's. tshark tries the lower port
 * first; a lower port that is a well-known service (below 1024) wins over a tunnel on the higher one.
 */
export function udpTunnel(w: Walk, sport: number, dport: number, off: number, cap: number, rep: number): void {
  if (off >= cap) return;
  const lo = Math.min(sport, dport), hi = Math.max(sport, dport);
  const f = TUNNEL_PORTS[lo] ?? (lo >= 1024 ? TUNNEL_PORTS[hi] : undefined);
  if (!f) return;
  w.depth++;
  f(w, off, cap, rep);
}

function vxlan(w: Walk, off: number, cap: number, rep: number): void {
  if (cap - off < 8) { w.truncated('vxlan', 'VXLAN header'); return; }
  w.layers.push({ kind: 'vxlan', offset: off, flags: w.u16(off), vni: w.u32(off + 4) >>> 8 });
  w.to.ethernet(w, off + 8, cap, rep);
}

function geneve(w: Walk, off: number, cap: number, rep: number): void {
  if (cap - off < 8) { w.truncated('geneve', 'Geneve header'); return; }
  const b0 = w.u8(off);
  const version = b0 >> 6, optLen = (b0 & 0x3f) * 4;
  const protocol = w.u16(off + 2);
  w.layers.push({ kind: 'geneve', offset: off, version, optLen, flags: w.u8(off + 1), protocol, vni: w.u32(off + 4) >>> 8 });
  if (version !== 0) { w.malformed('geneve', `Geneve version ${version}`, 'tunnel-bad-header'); return; }
  const p = off + 8 + optLen;
  if (p > cap) { w.truncated('geneve', 'Geneve options'); return; }
  if (protocol === TEB) w.to.ethernet(w, p, cap, rep);
  else w.to.ethertype(w, protocol, p, cap, rep);
}

function greUdp(w: Walk, off: number, cap: number, rep: number): void {
  gre(w, off, cap, rep);
}

/** GRE (RFC 2784/2890, and version 1 of PPTP): optional checksum, key, sequence and acknowledgement words. */
export function gre(w: Walk, off: number, cap: number, rep: number): void {
  if (cap - off < 4) { w.truncated('gre', 'GRE header'); return; }
  const fv = w.u16(off), protocol = w.u16(off + 2);
  const version = fv & 7;
  let p = off + 4;
  const layer: { kind: 'gre'; offset: number; flagsVersion: number; protocol: number; hdrLen?: number; checksum?: number; key?: number; seq?: number; ackNum?: number } =
    { kind: 'gre', offset: off, flagsVersion: fv, protocol };
  w.layers.push(layer);
  if (version > 1) { w.malformed('gre', `GRE version ${version}`, 'gre-bad-version'); return; }
  const need = (fv & 0xc000 ? 4 : 0) + (fv & 0x2000 ? 4 : 0) + (fv & 0x1000 ? 4 : 0) + (version === 1 && fv & 0x0080 ? 4 : 0);
  if (cap - p < need) { w.truncated('gre', 'GRE header'); return; }
  if (fv & 0xc000) { layer.checksum = w.u16(p); p += 4; }
  if (fv & 0x2000) { layer.key = w.u32(p); p += 4; }
  if (fv & 0x1000) { layer.seq = w.u32(p); p += 4; }
  if (version === 1 && fv & 0x0080) { layer.ackNum = w.u32(p); p += 4; }
  layer.hdrLen = p - off;
  if (w.depth++ > 16) return;
  switch (protocol) {
    case TEB: w.to.ethernet(w, p, cap, rep); return;
    case 0x880b: w.to.ppp(w, p, cap, rep); return;
    case ERSPAN_II:
      // Without a sequence number it is ERSPAN type I (no header); with one, type II has 8 bytes.
      if (!(fv & 0x1000)) { w.to.ethernet(w, p, cap, rep); return; }
      if (cap - p < 8) { w.truncated('erspan', 'ERSPAN header'); return; }
      w.to.ethernet(w, p + 8, cap, rep);
      return;
    case ERSPAN_III: {
      if (cap - p < 12) { w.truncated('erspan', 'ERSPAN header'); return; }
      const o = w.u8(p + 11) & 1; // platform-specific sub-header present
      w.to.ethernet(w, p + 12 + (o ? 8 : 0), cap, rep);
      return;
    }
    default: w.to.ethertype(w, protocol, p, cap, rep);
  }
}

/** GTP-U (version 1): T-PDUs carry IPv4 or IPv6; other messages are signalling. */
function gtpu(w: Walk, off: number, cap: number, rep: number): void {
  if (cap - off < 8) { w.truncated('gtp', 'GTP header'); return; }
  const flags = w.u8(off), msgType = w.u8(off + 1), length = w.u16(off + 2);
  const extTypes: number[] = [];
  const layer: { kind: 'gtp'; offset: number; flags: number; msgType: number; length: number; teid: number; seq?: number; extTypes: number[]; hdrLen: number } =
    { kind: 'gtp', offset: off, flags, msgType, length, teid: w.u32(off + 4), extTypes, hdrLen: 8 };
  w.layers.push(layer);
  if (flags >> 5 !== 1) { w.data(off + 8, cap, `gtp version ${flags >> 5}`); return; }
  let p = off + 8;
  if (flags & 7) {
    if (cap - p < 4) { w.truncated('gtp', 'GTP header'); return; }
    if (flags & 2) layer.seq = w.u16(p);
    let next = w.u8(p + 3);
    p += 4;
    for (let i = 0; i < 16 && next !== 0; i++) {
      if (cap - p < 1) { w.truncated('gtp', 'GTP extension header'); return; }
      const len = w.u8(p) * 4;
      if (len === 0 || cap - p < len) { w.malformed('gtp', 'GTP extension header length is invalid', 'tunnel-bad-header'); return; }
      extTypes.push(next);
      next = w.u8(p + len - 1);
      p += len;
    }
  }
  layer.hdrLen = p - off;
  if (msgType !== 0xff) { w.data(p, cap, `gtp message ${msgType}`); return; }
  const end = Math.min(rep, off + 8 + length);
  w.to.ipByVersion(w, p, Math.min(cap, end), end);
}

/** Teredo (RFC 4380): optional authentication and origin indicators, then IPv6. */
function teredo(w: Walk, off: number, cap: number, rep: number): void {
  let p = off;
  let authLen = 0;
  let originPort: number | undefined, originAddr: number | undefined;
  if (cap - p >= 4 && w.u16(p) === 1) {
    authLen = 4 + w.u8(p + 2) + w.u8(p + 3) + 9; // id/auth lengths, nonce (8), confirmation (1)
    if (cap - p < authLen) { w.truncated('teredo', 'Teredo authentication indicator'); return; }
    p += authLen;
  }
  if (cap - p >= 8 && w.u16(p) === 0) {
    originPort = w.u16(p + 2) ^ 0xffff;
    originAddr = (w.u32(p + 4) ^ 0xffffffff) >>> 0;
    p += 8;
  }
  // Only IPv6 follows; anything else is not Teredo (tshark's dissector gives up too).
  if (cap - p < 1 || w.u8(p) >> 4 !== 6) return;
  const layer: { kind: 'teredo'; offset: number; authLen: number; originPort?: number; originAddr?: number } = { kind: 'teredo', offset: off, authLen };
  if (originPort !== undefined) { layer.originPort = originPort; layer.originAddr = originAddr!; }
  w.layers.push(layer);
  w.to.ipv6(w, p, cap, rep);
}

/**
 * AYIYA (UDP 5072): identity length (2^n bytes) and type, signature length (4-byte words) and hash,
 * authentication method and opcode, next header, epoch, identity, signature; a forward (opcode 1)
 * carries the packet of the next header.
 */
function ayiya(w: Walk, off: number, cap: number, rep: number): void {
  if (cap - off < 8) { w.truncated('ayiya', 'AYIYA header'); return; }
  const idLen = 1 << (w.u8(off) >> 4), sigLen = (w.u8(off + 1) >> 4) * 4, opcode = w.u8(off + 2) & 15, nxt = w.u8(off + 3);
  const length = 8 + idLen + sigLen;
  if (cap - off < length) { w.truncated('ayiya', 'AYIYA header'); return; }
  w.layers.push({ kind: 'ayiya', offset: off, opcode, nxt, length });
  if (opcode !== 1) { w.data(off + length, cap, `ayiya opcode ${opcode}`); return; }
  w.to.ipProto(w, nxt, off + length, cap, rep);
}

/** IEEE 802.1ah I-TAG: 4 bytes (priority, flags, I-SID), the customer's MACs and ethertype. */
export function pbb(w: Walk, off: number, cap: number, rep: number): void {
  if (cap - off < 18) { w.truncated('ieee8021ah', 'IEEE 802.1ah header'); return; }
  const v = w.u32(off);
  const etype = w.u16(off + 16);
  w.layers.push({ kind: 'ieee8021ah', offset: off, isid: v & 0xffffff, priority: v >>> 29, etype });
  if (w.depth++ > 16) return;
  w.to.ethertype(w, etype, off + 18, cap, rep);
}

/** VN-Tag (0x8926, 4 bytes) and E-Tag (0x893f, 6 bytes), each followed by the real ethertype. */
export const ETH_TAGS = new Map<number, { kind: 'vntag' | 'etag'; len: number }>([[0x8926, { kind: 'vntag', len: 4 }], [0x893f, { kind: 'etag', len: 6 }]]);

export function tag(w: Walk, type: number, off: number, cap: number, rep: number): void {
  const t = ETH_TAGS.get(type)!;
  if (cap - off < t.len + 2) { w.truncated(t.kind, `${t.kind === 'vntag' ? 'VN-Tag' : 'E-Tag'} header`); return; }
  const etype = w.u16(off + t.len);
  w.layers.push({ kind: t.kind, offset: off, length: t.len, etype });
  if (w.depth++ > 16) return;
  w.to.ethertype(w, etype, off + t.len + 2, cap, rep);
}

/**
 * Arista's vendor-specific ethertype (0xd28b), subtype 1: a timestamp of 8 bytes (versions
 * 0x0010/0x0110, 64-bit) or 6 bytes (0x0020/0x0120, 48-bit), then the real ethertype.
 */
export function arista(w: Walk, off: number, cap: number, rep: number): void {
  if (cap - off < 4) { w.truncated('avsp', 'Arista header'); return; }
  const subtype = w.u16(off), version = w.u16(off + 2);
  const ts = subtype !== 1 ? -1 : (version & 0xff) === 0x10 ? 8 : (version & 0xff) === 0x20 ? 6 : -1;
  if (ts < 0) { w.data(off, cap, `avsp subtype ${subtype} version 0x${version.toString(16)}`); return; }
  if (cap - off < 4 + ts + 2) { w.truncated('avsp', 'Arista timestamp'); return; }
  const etype = w.u16(off + 4 + ts);
  w.layers.push({ kind: 'avsp', offset: off, subtype, version, length: 4 + ts, etype });
  if (w.depth++ > 16) return;
  w.to.ethertype(w, etype, off + 4 + ts + 2, cap, rep);
}
