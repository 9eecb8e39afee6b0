/**
 * decodePacket: frame bytes → layers. Never throws: a header that runs past the captured
 * bytes is recorded as `truncated`, one that contradicts itself as `malformed`, and
 * decoding stops there, as Wireshark's dissectors do.
 *
 * Two ends are tracked while walking inward, as Wireshark's tvbuffs do: `cap`, the end of the
 * captured bytes, and `rep`, the end of the bytes the packet really had on the wire
 * (frame.len). Lower layers shrink both (IP trims Ethernet padding to its total length).
 */
import type { Frame } from '../capture/types.js';
import type { Ipv6ExtHeader, Ipv4Layer, Ipv6Layer, Packet } from './types.js';
export { Walk } from './walk.js';
import { Walk, lastIp, type Dispatch } from './walk.js';
import { linkType, llc, LINK_NAMES } from './link.js';
import { ETH_TAGS, arista, gre, pbb, tag, udpTunnel } from './tunnel.js';
import { ah, icmp } from './icmp.js';
import { FragmentTable } from './fragments.js';
import { TcpHeader } from './tcp-header.js';

const ETH_IPV4 = 0x0800, ETH_IPV6 = 0x86dd, ETH_VLAN = 0x8100, ETH_QINQ = 0x88a8, ETH_QINQ_OLD = 0x9100,
  ETH_MPLS = 0x8847, ETH_MPLS_MC = 0x8848, ETH_PPPOES = 0x8864, ETH_PBB = 0x88e7;

/** LINKTYPE_* values of the link layers decode.ts itself handles. */
const DLT = { NULL: 0, ETHERNET: 1, RAW_OPENBSD: 12, RAW_BSDOS: 14, RAW: 101, LOOP: 108, LINUX_SLL: 113, IPV4: 228, IPV6: 229, LINUX_SLL2: 276 } as const;

/**
 * Decode one frame without IP reassembly (each frame on its own). The result refers to
 * `frame.data` (no copies). A capture is decoded with a {@link PacketDecoder}.
 */
export function decodePacket(frame: Frame): Packet {
  return walkFrame(SHARED_WALK, frame, undefined);
}

/**
 * Decodes the frames of one capture in order, reassembling IPv4 and IPv6 fragments as tshark
 * does by default (the datagram is decoded on the frame that completes it; the table is bounded).
 * Counts the frames whose link type or tunnel was not decoded.
 */
export class PacketDecoder {
  private readonly fragments = new FragmentTable();
  private readonly walk = new Walk(DISPATCH);
  /** frames by what was not decoded ("link type 10 (FDDI)"), in first-seen order */
  readonly undecoded = new Map<string, number>();
  decode(frame: Frame): Packet {
    const p = walkFrame(this.walk, frame, this.fragments);
    if (p.undecoded !== undefined) this.undecoded.set(p.undecoded, (this.undecoded.get(p.undecoded) ?? 0) + 1);
    return p;
  }
}

const DISPATCH: Dispatch = {
  linktype: linkDispatch, ethertype, ipProto, ethernet, ipv4, ipv6,
  ipByVersion: (w, off, cap, rep) => rawIp(w, off, cap, rep), ppp,
};

/** Reassembly table of the walk in progress (one walk at a time: decoding is synchronous). */
let fragTable: FragmentTable | undefined;

/** The walk of decodePacket (decoding is synchronous, so one is enough). */
const SHARED_WALK = new Walk(DISPATCH);

function walkFrame(w: Walk, frame: Frame, table: FragmentTable | undefined): Packet {
  w.reset(frame);
  const cap = frame.data.length;
  // frame.len can be smaller than the captured length in odd files: Wireshark then uses cap.
  const rep = Math.max(frame.origLen, cap);
  fragTable = table;
  try { linkDispatch(w, frame.linkType, 0, cap, rep); } finally { fragTable = undefined; }
  return w.pkt;
}

function linkDispatch(w: Walk, dlt: number, off: number, cap: number, rep: number): void {
  switch (dlt) {
    case DLT.ETHERNET: ethernet(w, off, cap, rep); break;
    case DLT.LINUX_SLL: sll(w, off, cap, rep); break;
    case DLT.LINUX_SLL2: sll2(w, off, cap, rep); break;
    case DLT.NULL: nullLoop(w, off, cap, rep, false); break;
    case DLT.LOOP: nullLoop(w, off, cap, rep, true); break;
    case DLT.RAW: case DLT.RAW_OPENBSD: case DLT.RAW_BSDOS: rawIp(w, off, cap, rep); break;
    case DLT.IPV4: ipv4(w, off, cap, rep); break;
    case DLT.IPV6: ipv6(w, off, cap, rep); break;
    default:
      if (!linkType(w, dlt, off, cap, rep)) w.undecoded(off, cap, `link type ${dlt}${LINK_NAMES[dlt] ? ` (${LINK_NAMES[dlt]})` : ''}`);
  }
}

function ethertype(w: Walk, type: number, off: number, cap: number, rep: number): void {
  switch (type) {
    case ETH_IPV4: ipv4(w, off, cap, rep); return;
    case ETH_IPV6: ipv6(w, off, cap, rep); return;
    case ETH_VLAN: case ETH_QINQ: case ETH_QINQ_OLD: vlan(w, type, off, cap, rep); return;
    case ETH_MPLS: case ETH_MPLS_MC: mpls(w, off, cap, rep); return;
    case ETH_PPPOES: pppoes(w, off, cap, rep); return;
    case ETH_PBB: pbb(w, off, cap, rep); return;
    case 0xd28b: arista(w, off, cap, rep); return;
    default:
      if (ETH_TAGS.has(type)) { tag(w, type, off, cap, rep); return; } w.data(off, cap, `ethertype 0x${type.toString(16).padStart(4, '0')}`);
  }
}

function ethernet(w: Walk, off: number, cap: number, rep: number): void {
  if (cap - off < 14) { w.truncated('eth', 'Ethernet header'); return; }
  const type = w.u16(off + 12);
  const isLength = type <= 1500;
  w.layers.push({ kind: 'eth', offset: off, type, isLength });
  if (isLength) { const end = Math.min(rep, off + 14 + type); llc(w, off + 14, Math.min(cap, end), end); return; }
  ethertype(w, type, off + 14, cap, rep);
}

function vlan(w: Walk, tpid: number, off: number, cap: number, rep: number): void {
  if (cap - off < 4) { w.truncated('vlan', '802.1Q header'); return; }
  if (w.depth++ > 32) return;
  const tci = w.u16(off);
  const etype = w.u16(off + 2);
  w.layers.push({ kind: 'vlan', offset: off, tpid, priority: tci >> 13, dei: (tci >> 12) & 1, id: tci & 0xfff, etype });
  if (etype <= 1500) { const end = Math.min(rep, off + 4 + etype); llc(w, off + 4, Math.min(cap, end), end); return; }
  ethertype(w, etype, off + 4, cap, rep);
}

function sll(w: Walk, off: number, cap: number, rep: number): void {
  if (cap - off < 16) { w.truncated('sll', 'Linux cooked header'); return; }
  const protocol = w.u16(off + 14);
  w.layers.push({ kind: 'sll', offset: off, version: 1, pkttype: w.u16(off), hatype: w.u16(off + 2),
    halen: w.u16(off + 4), addrOffset: off + 6, protocol, ifindex: -1 });
  sllPayload(w, protocol, off + 16, cap, rep);
}

function sll2(w: Walk, off: number, cap: number, rep: number): void {
  if (cap - off < 20) { w.truncated('sll', 'Linux cooked v2 header'); return; }
  const protocol = w.u16(off);
  w.layers.push({ kind: 'sll', offset: off, version: 2, protocol, ifindex: w.u32(off + 4), hatype: w.u16(off + 8),
    pkttype: w.u8(off + 10), halen: w.u8(off + 11), addrOffset: off + 12 });
  sllPayload(w, protocol, off + 20, cap, rep);
}

function sllPayload(w: Walk, protocol: number, off: number, cap: number, rep: number): void {
  // Values below 0x0600 are Linux's ETH_P_* pseudo-protocols (802.3, 802.2 LLC, CAN…), not ethertypes.
  if (protocol < 0x0600) { w.data(off, cap, `sll protocol 0x${protocol.toString(16).padStart(4, '0')}`); return; }
  ethertype(w, protocol, off, cap, rep);
}

function nullLoop(w: Walk, off: number, cap: number, rep: number, loop: boolean): void {
  if (cap - off < 4) { w.truncated('null', 'Null/Loopback header'); return; }
  let family: number;
  if (loop) family = w.u32(off);
  else {
    // DLT_NULL is in the writer's byte order: a family is small, so the non-zero half tells which.
    const le = w.le32(off);
    family = (le & 0xffff0000) !== 0 && (le & 0x0000ffff) === 0 ? w.u32(off) : le;
  }
  w.layers.push({ kind: 'null', offset: off, family, loop });
  if (family === 2) ipv4(w, off + 4, cap, rep);
  else if (family === 24 || family === 28 || family === 30) ipv6(w, off + 4, cap, rep);
  else w.data(off + 4, cap, `null family ${family}`);
}

function rawIp(w: Walk, off: number, cap: number, rep: number): void {
  if (cap <= off) { w.truncated('raw', 'raw IP packet'); return; }
  const v = w.d[off]! >> 4;
  if (v === 4) ipv4(w, off, cap, rep);
  else if (v === 6) ipv6(w, off, cap, rep);
  else w.data(off, cap, `ip version ${v}`);
}

function mpls(w: Walk, off: number, cap: number, rep: number): void {
  for (let i = 0; i < 64; i++) {
    if (cap - off < 4) { w.truncated('mpls', 'MPLS label'); return; }
    const v = w.u32(off);
    const bottom = (v >>> 8) & 1;
    w.layers.push({ kind: 'mpls', offset: off, label: v >>> 12, exp: (v >>> 9) & 7, bottom, ttl: v & 0xff });
    off += 4;
    if (bottom) break;
  }
  // After the bottom of the stack, the first nibble tells IPv4 from IPv6 (as Wireshark guesses).
  if (cap <= off) return;
  const nib = w.d[off]! >> 4;
  if (nib === 4) ipv4(w, off, cap, rep);
  else if (nib === 6) ipv6(w, off, cap, rep);
  else w.data(off, cap, 'mpls payload');
}

function pppoes(w: Walk, off: number, cap: number, rep: number): void {
  if (cap - off < 6) { w.truncated('pppoes', 'PPPoE header'); return; }
  const vt = w.u8(off);
  const payloadLength = w.u16(off + 4);
  w.layers.push({ kind: 'pppoes', offset: off, version: vt >> 4, type: vt & 15, code: w.u8(off + 1),
    session: w.u16(off + 2), payloadLength });
  const end = Math.min(rep, off + 6 + payloadLength);
  ppp(w, off + 6, Math.min(cap, end), end);
}

function ppp(w: Walk, off: number, cap: number, rep: number): void {
  if (cap - off < 2) { w.truncated('ppp', 'PPP header'); return; }
  const protocol = w.u16(off);
  w.layers.push({ kind: 'ppp', offset: off, protocol });
  if (protocol === 0x0021) ipv4(w, off + 2, cap, rep);
  else if (protocol === 0x0057) ipv6(w, off + 2, cap, rep);
  else w.data(off + 2, cap, `ppp protocol 0x${protocol.toString(16).padStart(4, '0')}`);
}

function ipv4(w: Walk, off: number, cap: number, rep: number): void {
  if (cap - off < 20) { w.truncated('ip', 'IPv4 header'); return; }
  const b0 = w.u8(off);
  const version = b0 >> 4;
  const hdrLen = (b0 & 15) * 4;
  // tshark's IPv4 dissector hands a version-6 header to IPv6; any other version is malformed.
  if (version === 6) { ipv6(w, off, cap, rep); return; }
  if (version !== 4) {
    // As tshark: a version that contradicts what selected IPv4 is malformed; nothing inside is decoded.
    w.malformed('ip', `IPv4 header says version ${version}`, 'ip-version-mismatch');
    w.data(off, cap, 'ip bogus version');
    return;
  }
  const totalLen = w.u16(off + 2);
  const ff = w.u16(off + 6);
  const layer: Ipv4Layer = {
    kind: 'ipv4' as const, offset: off, version, hdrLen, dsfield: w.u8(off + 1), totalLen, id: w.u16(off + 4),
    flags: ff >> 13, fragOffset: ff & 0x1fff, ttl: w.u8(off + 8), proto: w.u8(off + 9), checksum: w.u16(off + 10),
    srcOffset: off + 12, dstOffset: off + 16, src: w.u32(off + 12), dst: w.u32(off + 16), payloadLen: 0,
  };
  if (w.inError) layer.quoted = true;
  w.layers.push(layer);
  if (hdrLen < 20) { w.malformed('ip', `bogus IPv4 header length ${hdrLen} (must be at least 20)`, 'ipv4-bad-header-length'); return; }
  let end: number;
  if (totalLen === 0) end = rep; // TCP segmentation offload: the length was never filled in
  else if (totalLen < hdrLen) { w.malformed('ip', `bogus IPv4 total length ${totalLen} (less than header length ${hdrLen})`, 'ipv4-bad-total-length'); return; }
  else {
    if (off + totalLen > rep && !w.inError) w.malformed('ip', `IPv4 total length ${totalLen} exceeds the ${rep - off} bytes in the frame`, 'ipv4-length-exceeds-frame');
    end = Math.min(rep, off + totalLen); // trims Ethernet padding
  }
  if (cap - off < hdrLen) { w.truncated('ip', 'IPv4 options'); return; }
  layer.payloadLen = end - off - hdrLen;
  const pcap = Math.min(cap, end);
  if (layer.fragOffset !== 0 || (layer.flags & 1)) {
    if (w.inError || !fragTable) { w.data(off + hdrLen, pcap, 'ip fragment'); return; }
    const done = fragTable.add(w, {
      key: `4 ${layer.src} ${layer.dst} ${layer.id} ${layer.proto}`, start: layer.fragOffset * 8, more: (layer.flags & 1) === 1,
      off: off + hdrLen, cap: pcap, end,
    });
    if (!done) { w.data(off + hdrLen, pcap, 'ip fragment'); return; }
    layer.reassembled = done;
    if (w.depth++ > 16) return;
    w.pkt.ip = layer;
    ipProto(w, layer.proto, done.offset, done.offset + done.length, done.offset + done.length);
    return;
  }
  if (!w.inError) w.pkt.ip = layer;
  if (w.depth++ > 16) return;
  ipProto(w, layer.proto, off + hdrLen, pcap, end);
}

/** IPv6 extension headers that use the generic (next, length) layout. */
function isIpv6Ext(t: number): boolean {
  return t === 0 || t === 43 || t === 44 || t === 60 || t === 135 || t === 139 || t === 140;
}

function ipv6(w: Walk, off: number, cap: number, rep: number): void {
  if (cap - off < 40) { w.truncated('ipv6', 'IPv6 header'); return; }
  const vtf = w.u32(off);
  if (vtf >>> 28 !== 6) {
    w.malformed('ipv6', `IPv6 header says version ${vtf >>> 28}`, 'ip-version-mismatch');
    w.data(off, cap, 'ipv6 bogus version');
    return;
  }
  const payloadLen = w.u16(off + 4);
  const nxt = w.u8(off + 6);
  const ext: Ipv6ExtHeader[] = [];
  const layer: Ipv6Layer = {
    kind: 'ipv6' as const, offset: off, version: vtf >>> 28, tclass: (vtf >>> 20) & 0xff, flow: vtf & 0xfffff, payloadLen, nxt,
    hlim: w.u8(off + 7), srcOffset: off + 8, dstOffset: off + 24, ext, upperProto: nxt, upperLen: 0,
  };
  if (w.inError) layer.quoted = true;
  w.layers.push(layer);
  // Payload length 0 with a hop-by-hop jumbogram is rare; treat 0 as "the rest of the frame".
  let end = payloadLen === 0 ? rep : off + 40 + payloadLen;
  if (end > rep) {
    if (!w.inError) w.malformed('ipv6', `IPv6 payload length ${payloadLen} exceeds the ${rep - off - 40} bytes in the frame`, 'ipv6-length-exceeds-frame');
    end = rep;
  }
  const pcap = Math.min(cap, end);
  let p = off + 40;
  let proto = nxt;
  let frag: { start: number; more: boolean; id: number } | undefined;
  for (let i = 0; i < 16 && isIpv6Ext(proto); i++) {
    if (pcap - p < 8) { w.truncated('ipv6', `IPv6 extension header ${proto}`); return; }
    const next = w.u8(p);
    let len: number;
    if (proto === 44) {
      len = 8;
      const fo = w.u16(p + 2);
      if ((fo & 0xfff8) !== 0 || (fo & 1)) frag = { start: fo & 0xfff8, more: (fo & 1) === 1, id: w.u32(p + 4) };
    } else len = (w.u8(p + 1) + 1) * 8;
    ext.push({ type: proto, offset: p, length: len, nxt: next });
    p += len;
    proto = next;
    if (p > end) { w.malformed('ipv6', 'IPv6 extension header runs past the packet', 'ipv6-ext-past-end'); return; }
  }
  layer.upperProto = proto;
  layer.upperLen = end - p;
  if (frag) {
    if (w.inError || !fragTable) { w.data(p, pcap, 'ipv6 fragment'); return; }
    const src = Array.from(w.d.subarray(off + 8, off + 40)).join('.');
    const done = fragTable.add(w, { key: `6 ${src} ${frag.id}`, start: frag.start, more: frag.more, off: p, cap: pcap, end });
    if (!done) { w.data(p, pcap, 'ipv6 fragment'); return; }
    layer.reassembled = done;
    if (w.depth++ > 16) return;
    w.pkt.ip = layer;
    ipProto(w, proto, done.offset, done.offset + done.length, done.offset + done.length);
    return;
  }
  if (!w.inError) w.pkt.ip = layer;
  if (proto === 59) return; // no next header
  if (w.depth++ > 16) return;
  ipProto(w, proto, p, pcap, end);
}

function ipProto(w: Walk, proto: number, off: number, cap: number, rep: number): void {
  switch (proto) {
    case 6: tcp(w, off, cap, rep); return;
    case 17: udp(w, off, cap, rep); return;
    case 47: if (w.inError) break; gre(w, off, cap, rep); return;
    case 4: if (w.inError) break; ipv4(w, off, cap, rep); return; // IP in IP
    case 41: if (w.inError) break; ipv6(w, off, cap, rep); return; // IPv6 in IP
    case 1: icmp(w, 'icmp', off, cap, rep); return;
    case 58: icmp(w, 'icmpv6', off, cap, rep); return;
    case 51: ah(w, off, cap, rep); return;
  }
  w.data(off, cap, `ip.proto ${proto}`);
}

function tcp(w: Walk, off: number, cap: number, rep: number): void {
  const captured = Math.max(0, cap - off);
  const layer = new TcpHeader(w.d);
  layer.offset = off;
  layer.captured = captured;
  let hdrLen: number;
  if (captured >= 20) {
    const hf = w.u16(off + 12);
    hdrLen = (hf >> 12) * 4;
    layer.srcPort = w.u16(off); layer.dstPort = w.u16(off + 2); layer.seq = w.u32(off + 4); layer.ack = w.u32(off + 8);
    layer.flags = hf & 0x0fff; layer.window = w.u16(off + 14); layer.checksum = w.u16(off + 16); layer.urgent = w.u16(off + 18);
  } else {
    // A cut header (or one quoted by an ICMP error): the fields past the captured bytes read as 0.
    const g16 = (o: number): number => (captured >= o + 2 ? w.u16(off + o) : 0);
    const g32 = (o: number): number => (captured >= o + 4 ? w.u32(off + o) : 0);
    const hf = g16(12);
    hdrLen = (hf >> 12) * 4;
    layer.srcPort = g16(0); layer.dstPort = g16(2); layer.seq = g32(4); layer.ack = g32(8);
    layer.flags = hf & 0x0fff; layer.window = g16(14); layer.checksum = g16(16); layer.urgent = g16(18);
  }
  layer.hdrLen = hdrLen;
  layer.len = Math.max(0, rep - off - hdrLen);
  layer.payloadOffset = off + hdrLen;
  layer.payloadCaptured = Math.max(0, cap - off - hdrLen);
  if (w.inError) {
    // An ICMP error quotes the first 8 bytes or more: never tracked as a segment. tshark shows the
    // sequence number of the 8 bytes an ICMPv4 error quotes; under ICMPv6 only the ports.
    if (w.errorKind === 'icmp') layer.quoted = true;
    layer.inError = true;
    w.layers.push(layer);
    return;
  }
  w.layers.push(layer);
  if (captured < 20) { w.truncated('tcp', 'TCP header'); return; }
  w.pkt.tcp = layer;
  w.pkt.ip = lastIp(w);
  if (hdrLen < 20) { w.malformed('tcp', `bogus TCP header length ${hdrLen} (must be at least 20)`, 'tcp-bad-header-length'); layer.len = 0; layer.payloadCaptured = 0; return; }
  if (rep - off < hdrLen) { w.malformed('tcp', `TCP header length ${hdrLen} is longer than the ${rep - off} bytes of the segment`, 'tcp-header-exceeds-segment'); layer.len = 0; }
  if (hdrLen > 20) layer.scanOptions(w, Math.min(off + hdrLen, cap));
  if (cap < off + hdrLen) w.truncated('tcp', 'TCP options');
}

function udp(w: Walk, off: number, cap: number, rep: number): void {
  const captured = Math.max(0, cap - off);
  if (captured < 8) { w.truncated('udp', 'UDP header'); return; }
  const layer = { kind: 'udp' as const, offset: off, captured, srcPort: w.u16(off), dstPort: w.u16(off + 2),
    length: w.u16(off + 4), checksum: w.u16(off + 6), payloadOffset: off + 8 };
  if (w.inError) { w.layers.push({ ...layer, quoted: true }); return; }
  w.layers.push(layer);
  w.pkt.udp = layer;
  w.pkt.ip = lastIp(w);
  if (layer.length < 8 && layer.length !== 0) { w.malformed('udp', `bogus UDP length ${layer.length} (must be at least 8)`, 'udp-bad-length'); return; }
  if (off + layer.length > rep) { w.malformed('udp', `UDP length ${layer.length} exceeds the ${rep - off} bytes of the IP payload`, 'udp-length-exceeds-ip'); return; }
  const end = layer.length === 0 ? rep : off + layer.length;
  if (w.depth > 16) return;
  udpTunnel(w, layer.srcPort, layer.dstPort, off + 8, Math.min(cap, end), end);
}
