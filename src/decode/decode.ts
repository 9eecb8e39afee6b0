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
import type { TcpOption, Ipv6ExtHeader, Ipv4Layer, Ipv6Layer, Packet } from './types.js';
export { Walk } from './walk.js';
import { Walk, lastIp, type Dispatch } from './walk.js';
import { linkType, llc, LINK_NAMES } from './link.js';
import { ETH_TAGS, arista, gre, pbb, tag, udpTunnel } from './tunnel.js';
import { ah, icmp } from './icmp.js';
import { FragmentTable } from './fragments.js';

const ETH_IPV4 = 0x0800, ETH_IPV6 = 0x86dd, ETH_VLAN = 0x8100, ETH_QINQ = 0x88a8, ETH_QINQ_OLD = 0x9100,
  ETH_MPLS = 0x8847, ETH_MPLS_MC = 0x8848, ETH_PPPOES = 0x8864, ETH_PBB = 0x88e7;

/** LINKTYPE_* values of the link layers decode.ts itself handles. */
const DLT = { NULL: 0, ETHERNET: 1, RAW_OPENBSD: 12, RAW_BSDOS: 14, RAW: 101, LOOP: 108, LINUX_SLL: 113, IPV4: 228, IPV6: 229, LINUX_SLL2: 276 } as const;

/**
 * Decode one frame without IP reassembly (each frame on its own). The result refers to
 * `frame.data` (no copies). A capture is decoded with a {@link PacketDecoder}.
 */
export function decodePacket(frame: Frame): Packet {
  return walkFrame(frame, undefined);
}

/**
 * Decodes the frames of one capture in order, reassembling IPv4 and IPv6 fragments as tshark
 * does by default (the datagram is decoded on the frame that completes it; the table is bounded).
 * Counts the frames whose link type or tunnel was not decoded.
 */
export class PacketDecoder {
  private readonly fragments = new FragmentTable();
  /** frames by what was not decoded ("link type 10 (FDDI)"), in first-seen order */
  readonly undecoded = new Map<string, number>();
  decode(frame: Frame): Packet {
    const p = walkFrame(frame, this.fragments);
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

function walkFrame(frame: Frame, table: FragmentTable | undefined): Packet {
  const w = new Walk(frame, DISPATCH);
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
  const type = w.dv.getUint16(off + 12);
  const isLength = type <= 1500;
  w.layers.push({ kind: 'eth', offset: off, type, isLength });
  if (isLength) { const end = Math.min(rep, off + 14 + type); llc(w, off + 14, Math.min(cap, end), end); return; }
  ethertype(w, type, off + 14, cap, rep);
}

function vlan(w: Walk, tpid: number, off: number, cap: number, rep: number): void {
  if (cap - off < 4) { w.truncated('vlan', '802.1Q header'); return; }
  if (w.depth++ > 32) return;
  const tci = w.dv.getUint16(off);
  const etype = w.dv.getUint16(off + 2);
  w.layers.push({ kind: 'vlan', offset: off, tpid, priority: tci >> 13, dei: (tci >> 12) & 1, id: tci & 0xfff, etype });
  if (etype <= 1500) { const end = Math.min(rep, off + 4 + etype); llc(w, off + 4, Math.min(cap, end), end); return; }
  ethertype(w, etype, off + 4, cap, rep);
}

function sll(w: Walk, off: number, cap: number, rep: number): void {
  if (cap - off < 16) { w.truncated('sll', 'Linux cooked header'); return; }
  const dv = w.dv;
  const protocol = dv.getUint16(off + 14);
  w.layers.push({ kind: 'sll', offset: off, version: 1, pkttype: dv.getUint16(off), hatype: dv.getUint16(off + 2),
    halen: dv.getUint16(off + 4), addrOffset: off + 6, protocol, ifindex: -1 });
  sllPayload(w, protocol, off + 16, cap, rep);
}

function sll2(w: Walk, off: number, cap: number, rep: number): void {
  if (cap - off < 20) { w.truncated('sll', 'Linux cooked v2 header'); return; }
  const dv = w.dv;
  const protocol = dv.getUint16(off);
  w.layers.push({ kind: 'sll', offset: off, version: 2, protocol, ifindex: dv.getUint32(off + 4), hatype: dv.getUint16(off + 8),
    pkttype: dv.getUint8(off + 10), halen: dv.getUint8(off + 11), addrOffset: off + 12 });
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
  if (loop) family = w.dv.getUint32(off);
  else {
    // DLT_NULL is in the writer's byte order: a family is small, so the non-zero half tells which.
    const le = w.dv.getUint32(off, true);
    family = (le & 0xffff0000) !== 0 && (le & 0x0000ffff) === 0 ? w.dv.getUint32(off) : le;
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
    const v = w.dv.getUint32(off);
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
  const dv = w.dv;
  const vt = dv.getUint8(off);
  const payloadLength = dv.getUint16(off + 4);
  w.layers.push({ kind: 'pppoes', offset: off, version: vt >> 4, type: vt & 15, code: dv.getUint8(off + 1),
    session: dv.getUint16(off + 2), payloadLength });
  const end = Math.min(rep, off + 6 + payloadLength);
  ppp(w, off + 6, Math.min(cap, end), end);
}

function ppp(w: Walk, off: number, cap: number, rep: number): void {
  if (cap - off < 2) { w.truncated('ppp', 'PPP header'); return; }
  const protocol = w.dv.getUint16(off);
  w.layers.push({ kind: 'ppp', offset: off, protocol });
  if (protocol === 0x0021) ipv4(w, off + 2, cap, rep);
  else if (protocol === 0x0057) ipv6(w, off + 2, cap, rep);
  else w.data(off + 2, cap, `ppp protocol 0x${protocol.toString(16).padStart(4, '0')}`);
}

function ipv4(w: Walk, off: number, cap: number, rep: number): void {
  if (cap - off < 20) { w.truncated('ip', 'IPv4 header'); return; }
  const dv = w.dv;
  const b0 = dv.getUint8(off);
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
  const totalLen = dv.getUint16(off + 2);
  const ff = dv.getUint16(off + 6);
  const layer: Ipv4Layer = {
    kind: 'ipv4' as const, offset: off, version, hdrLen, dsfield: dv.getUint8(off + 1), totalLen, id: dv.getUint16(off + 4),
    flags: ff >> 13, fragOffset: ff & 0x1fff, ttl: dv.getUint8(off + 8), proto: dv.getUint8(off + 9), checksum: dv.getUint16(off + 10),
    srcOffset: off + 12, dstOffset: off + 16, src: dv.getUint32(off + 12), dst: dv.getUint32(off + 16), payloadLen: 0,
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
  const dv = w.dv;
  const vtf = dv.getUint32(off);
  if (vtf >>> 28 !== 6) {
    w.malformed('ipv6', `IPv6 header says version ${vtf >>> 28}`, 'ip-version-mismatch');
    w.data(off, cap, 'ipv6 bogus version');
    return;
  }
  const payloadLen = dv.getUint16(off + 4);
  const nxt = dv.getUint8(off + 6);
  const ext: Ipv6ExtHeader[] = [];
  const layer: Ipv6Layer = {
    kind: 'ipv6' as const, offset: off, version: vtf >>> 28, tclass: (vtf >>> 20) & 0xff, flow: vtf & 0xfffff, payloadLen, nxt,
    hlim: dv.getUint8(off + 7), srcOffset: off + 8, dstOffset: off + 24, ext, upperProto: nxt, upperLen: 0,
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
    const next = dv.getUint8(p);
    let len: number;
    if (proto === 44) {
      len = 8;
      const fo = dv.getUint16(p + 2);
      if ((fo & 0xfff8) !== 0 || (fo & 1)) frag = { start: fo & 0xfff8, more: (fo & 1) === 1, id: dv.getUint32(p + 4) };
    } else len = (dv.getUint8(p + 1) + 1) * 8;
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
  const dv = w.dv;
  const g16 = (o: number): number => (captured >= o + 2 ? dv.getUint16(off + o) : 0);
  const g32 = (o: number): number => (captured >= o + 4 ? dv.getUint32(off + o) : 0);
  const hf = g16(12);
  const hdrLen = (hf >> 12) * 4;
  const layer = {
    kind: 'tcp' as const, offset: off, captured, srcPort: g16(0), dstPort: g16(2), seq: g32(4), ack: g32(8), hdrLen,
    flags: hf & 0x0fff, window: g16(14), checksum: g16(16), urgent: g16(18), options: [] as TcpOption[],
    len: Math.max(0, rep - off - hdrLen), payloadOffset: off + hdrLen, payloadCaptured: Math.max(0, cap - off - hdrLen),
  };
  if (w.inError) {
    // An ICMP error quotes the first 8 bytes or more: never tracked as a segment. tshark shows the
    // sequence number of the 8 bytes an ICMPv4 error quotes; under ICMPv6 only the ports.
    if (w.errorKind === 'icmp') (layer as typeof layer & { quoted?: boolean }).quoted = true;
    (layer as typeof layer & { inError?: boolean }).inError = true;
    w.layers.push(layer);
    return;
  }
  w.layers.push(layer);
  if (captured < 20) { w.truncated('tcp', 'TCP header'); return; }
  w.pkt.tcp = layer;
  w.pkt.ip = lastIp(w);
  if (hdrLen < 20) { w.malformed('tcp', `bogus TCP header length ${hdrLen} (must be at least 20)`, 'tcp-bad-header-length'); layer.len = 0; layer.payloadCaptured = 0; return; }
  if (rep - off < hdrLen) { w.malformed('tcp', `TCP header length ${hdrLen} is longer than the ${rep - off} bytes of the segment`, 'tcp-header-exceeds-segment'); layer.len = 0; }
  const optEnd = Math.min(off + hdrLen, cap);
  tcpOptions(w, layer.options, off + 20, optEnd, off + hdrLen);
  if (cap < off + hdrLen) w.truncated('tcp', 'TCP options');
}

function tcpOptions(w: Walk, out: TcpOption[], p: number, capEnd: number, hdrEnd: number): void {
  const dv = w.dv;
  while (p < hdrEnd) {
    if (p >= capEnd) return;
    const kind = dv.getUint8(p);
    if (kind === 0) { out.push({ kind: 0, offset: p, length: 1 }); return; }
    if (kind === 1) { out.push({ kind: 1, offset: p, length: 1 }); p++; continue; }
    if (p + 1 >= hdrEnd) { out.push({ kind: 'other', code: kind, offset: p, length: 1, malformed: 'option length missing' }); w.malformed('tcp', `TCP option ${kind} has no length byte`, 'tcp-option-no-length'); return; }
    if (p + 1 >= capEnd) return;
    const len = dv.getUint8(p + 1);
    if (len < 2 || p + len > hdrEnd) {
      out.push({ kind: 'other', code: kind, offset: p, length: len, malformed: `option length ${len} is invalid` });
      w.malformed('tcp', `TCP option ${kind} has an invalid length ${len}`, 'tcp-option-bad-length');
      return;
    }
    if (p + len > capEnd) return;
    switch (kind) {
      case 2: out.push(len === 4 ? { kind: 2, offset: p, length: len, mss: dv.getUint16(p + 2) } : bad(w, kind, p, len, 4)); break;
      case 3: out.push(len === 3 ? { kind: 3, offset: p, length: len, shift: dv.getUint8(p + 2) } : bad(w, kind, p, len, 3)); break;
      case 4: out.push(len === 2 ? { kind: 4, offset: p, length: len } : bad(w, kind, p, len, 2)); break;
      case 5: {
        if ((len - 2) % 8 !== 0) { out.push(bad(w, kind, p, len, 10)); break; }
        const blocks: Array<[number, number]> = [];
        for (let q = p + 2; q + 8 <= p + len; q += 8) blocks.push([dv.getUint32(q), dv.getUint32(q + 4)]);
        out.push({ kind: 5, offset: p, length: len, blocks });
        break;
      }
      case 8: out.push(len === 10 ? { kind: 8, offset: p, length: len, tsval: dv.getUint32(p + 2), tsecr: dv.getUint32(p + 6) } : bad(w, kind, p, len, 10)); break;
      default: out.push({ kind: 'other', code: kind, offset: p, length: len });
    }
    p += len;
  }
}

function bad(w: Walk, kind: number, offset: number, length: number, want: number): TcpOption {
  w.malformed('tcp', `TCP option ${kind}: length ${length}, should be ${want}`, 'tcp-option-wrong-length');
  return { kind: 'other', code: kind, offset, length, malformed: `option length should be ${want}` };
}

function udp(w: Walk, off: number, cap: number, rep: number): void {
  const captured = Math.max(0, cap - off);
  if (captured < 8) { w.truncated('udp', 'UDP header'); return; }
  const dv = w.dv;
  const layer = { kind: 'udp' as const, offset: off, captured, srcPort: dv.getUint16(off), dstPort: dv.getUint16(off + 2),
    length: dv.getUint16(off + 4), checksum: dv.getUint16(off + 6), payloadOffset: off + 8 };
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
