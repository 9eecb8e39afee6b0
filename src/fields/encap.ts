/**
 * Fields of tunnels, other link layers, ICMP, AH and IP reassembly (issue 14), with tshark's
 * names and print formats, so that `-T fields`, `-T json` and filters such as
 * `-Y 'vxlan && tcp.flags.syn==1'` see them.
 */
import type { FieldDef, FieldValue } from './registry.js';
import { addr4, bool, bytes, ether, proto, uhex, uint } from './make.js';
import { eachLayer } from './frame.js';
import type { PacketRecord } from '../record.js';
import type { GeneveLayer } from '../decode/types.js';

/** FDDI sends each byte least-significant bit first: tshark shows the addresses bit-swapped. */
function bitSwapped(d: Uint8Array, off: number): Uint8Array {
  const out = new Uint8Array(6);
  for (let i = 0; i < 6; i++) {
    let b = d[off + i]!, r = 0;
    for (let k = 0; k < 8; k++) { r = (r << 1) | (b & 1); b >>= 1; }
    out[i] = r;
  }
  return out;
}

/** ip.fragment / ipv6.fragment…: on the frame that completed a datagram. */
function reassembly(kind: 'ipv4' | 'ipv6', f: (frames: number[], length: number, out: FieldValue[]) => void) {
  return (r: PacketRecord, out: FieldValue[]): void => {
    for (const l of r.packet.layers) if (l.kind === kind && l.reassembled) f(l.reassembled.frames, l.reassembled.length, out);
  };
}

/** One Geneve option: class, type, the flags/length byte, its offset and total length (4-byte header + data). */
interface GeneveOption { offset: number; cls: number; type: number; flags: number; length: number }
function geneveOptions(l: GeneveLayer, d: Uint8Array): GeneveOption[] {
  const out: GeneveOption[] = [];
  const end = Math.min(l.offset + 8 + l.optLen, d.length);
  for (let o = l.offset + 8; o + 4 <= end;) {
    const length = 4 + (d[o + 3]! & 0x1f) * 4;
    if (o + length > end) break;
    out.push({ offset: o, cls: (d[o]! << 8) | d[o + 1]!, type: d[o + 2]!, flags: d[o + 3]! >> 5, length });
    o += length;
  }
  return out;
}
/** A value of each Geneve option (geneve.option.*), as tshark 4.0 lists them (every option as Unknown). */
function eachGeneveOption(f: (o: GeneveOption, d: Uint8Array, out: FieldValue[]) => void) {
  return eachLayer('geneve', (l, d, out) => { for (const o of geneveOptions(l, d)) f(o, d, out); });
}

/** Tunnel, link-layer, ICMP, AH and IP-reassembly fields, in the order -T json lists them. */
export const ENCAP_FIELDS: FieldDef[] = [
  proto('vxlan', 'Virtual eXtensible Local Area Network', eachLayer('vxlan', (l, d, out) => { out.push(d.subarray(l.offset, l.offset + 8)); })),
  uhex('vxlan.flags', 'Flags', 16, 4, eachLayer('vxlan', (l, _d, out) => { out.push(l.flags); })),
  uint('vxlan.vni', 'VXLAN Network Identifier (VNI)', 24, eachLayer('vxlan', (l, _d, out) => { out.push(l.vni); })),

  proto('geneve', 'Generic Network Virtualization Encapsulation', eachLayer('geneve', (l, d, out) => { out.push(d.subarray(l.offset, l.offset + 8 + l.optLen)); })),
  uint('geneve.version', 'Version', 8, eachLayer('geneve', (l, _d, out) => { out.push(l.version); })),
  uhex('geneve.proto_type', 'Protocol Type', 16, 4, eachLayer('geneve', (l, _d, out) => { out.push(l.protocol); })),
  uhex('geneve.vni', 'Virtual Network Identifier (VNI)', 24, 6, eachLayer('geneve', (l, _d, out) => { out.push(l.vni); })),
  // the header's option length and each option's length share the name geneve.option.length, as in tshark
  uint('geneve.option.length', 'Length', null, eachLayer('geneve', (l, d, out) => { out.push(l.optLen); for (const o of geneveOptions(l, d)) out.push(o.length); })),
  uhex('geneve.flags', 'Flags', 8, 2, eachLayer('geneve', (l, _d, out) => { out.push(l.flags); })),
  bool('geneve.flags.oam', 'Operations, Administration and Management Frame', eachLayer('geneve', (l, _d, out) => { out.push(l.flags & 0x80 ? 1 : 0); })),
  bool('geneve.flags.critical', 'Critical Options Present', eachLayer('geneve', (l, _d, out) => { out.push(l.flags & 0x40 ? 1 : 0); })),
  bool('geneve.flags.reserved', 'Reserved', eachLayer('geneve', (l, _d, out) => { out.push(l.flags & 0x3f ? 1 : 0); })),
  uhex('geneve.reserved', 'Reserved', 8, 2, eachLayer('geneve', (l, d, out) => { if (l.offset + 8 <= d.length) out.push(d[l.offset + 7]!); })),
  bytes('geneve.options', 'Options', eachLayer('geneve', (l, d, out) => { if (l.optLen && l.offset + 8 + l.optLen <= d.length) out.push(d.subarray(l.offset + 8, l.offset + 8 + l.optLen)); })),
  bytes('geneve.option', 'Option', eachGeneveOption((o, d, out) => { out.push(d.subarray(o.offset, o.offset + o.length)); })),
  uhex('geneve.option.class', 'Class', 16, 4, eachGeneveOption((o, _d, out) => { out.push(o.cls); })),
  uhex('geneve.option.type', 'Type', 8, 2, eachGeneveOption((o, _d, out) => { out.push(o.type); })),
  bool('geneve.option.type.critical', 'Critical', eachGeneveOption((o, _d, out) => { out.push(o.type & 0x80 ? 1 : 0); })),
  uhex('geneve.option.flags', 'Flags', 8, 2, eachGeneveOption((o, _d, out) => { out.push(o.flags); })),
  bool('geneve.option.flags.reserved', 'Reserved', eachGeneveOption((o, _d, out) => { out.push(o.flags ? 1 : 0); })),
  // tshark prints an option without data as <MISSING>; tcpscope leaves it out
  bytes('geneve.option.unknown.data', 'Unknown Option Data', eachGeneveOption((o, d, out) => { if (o.length > 4) out.push(d.subarray(o.offset + 4, o.offset + o.length)); })),

  proto('gre', 'Generic Routing Encapsulation', eachLayer('gre', (l, d, out) => { out.push(d.subarray(l.offset, l.offset + (l.hdrLen ?? 4))); })),
  uhex('gre.flags_and_version', 'Flags and Version', 16, 4, eachLayer('gre', (l, _d, out) => { out.push(l.flagsVersion); })),
  uhex('gre.proto', 'Protocol Type', 16, 4, eachLayer('gre', (l, _d, out) => { out.push(l.protocol); })),
  uhex('gre.checksum', 'Checksum', 16, 4, eachLayer('gre', (l, _d, out) => { if (l.checksum !== undefined) out.push(l.checksum); })),
  uhex('gre.key', 'Key', 32, 8, eachLayer('gre', (l, _d, out) => { if (l.key !== undefined) out.push(l.key); })),
  uint('gre.sequence_number', 'Sequence Number', 32, eachLayer('gre', (l, _d, out) => { if (l.seq !== undefined) out.push(l.seq); })),

  proto('gtp', 'GPRS Tunneling Protocol', eachLayer('gtp', (l, d, out) => { out.push(d.subarray(l.offset, l.offset + l.hdrLen)); })),
  uhex('gtp.flags', 'Flags', 8, 2, eachLayer('gtp', (l, _d, out) => { out.push(l.flags); })),
  uhex('gtp.message', 'Message Type', 8, 2, eachLayer('gtp', (l, _d, out) => { out.push(l.msgType); })),
  uint('gtp.length', 'Length', 16, eachLayer('gtp', (l, _d, out) => { out.push(l.length); })),
  uhex('gtp.teid', 'TEID', 32, 8, eachLayer('gtp', (l, _d, out) => { out.push(l.teid); })),

  proto('teredo', 'Teredo IPv6 over UDP tunneling', eachLayer('teredo', (l, d, out) => { out.push(d.subarray(l.offset, l.offset + l.authLen + (l.originPort !== undefined ? 8 : 0))); })),
  uint('teredo.orig.port', 'Origin UDP port', 16, eachLayer('teredo', (l, _d, out) => { if (l.originPort !== undefined) out.push(l.originPort); })),
  addr4('teredo.orig.addr', 'Origin IPv4 address', eachLayer('teredo', (l, _d, out) => { if (l.originAddr !== undefined) out.push(l.originAddr); })),

  proto('ayiya', 'Anything in Anything Protocol', eachLayer('ayiya', (l, d, out) => { out.push(d.subarray(l.offset, l.offset + l.length)); })),
  uhex('ayiya.opcode', 'Opcode', 8, 2, eachLayer('ayiya', (l, _d, out) => { out.push(l.opcode); })),
  uhex('ayiya.nextheader', 'Next Header', 8, 2, eachLayer('ayiya', (l, _d, out) => { out.push(l.nxt); })),

  proto('ieee8021ah', 'IEEE 802.1ah', eachLayer('ieee8021ah', (l, d, out) => { out.push(d.subarray(l.offset, l.offset + 18)); })),
  uint('ieee8021ah.isid', 'I-SID', 32, eachLayer('ieee8021ah', (l, _d, out) => { out.push(l.isid); })),
  uhex('ieee8021ah.etype', 'Type', 16, 4, eachLayer('ieee8021ah', (l, _d, out) => { out.push(l.etype); })),
  proto('vntag', 'VN-Tag', eachLayer('vntag', (l, d, out) => { out.push(d.subarray(l.offset, l.offset + l.length + 2)); })),
  uhex('vntag.etype', 'Type', 16, 4, eachLayer('vntag', (l, _d, out) => { out.push(l.etype); })),
  proto('etag', 'E-Tag', eachLayer('etag', (l, d, out) => { out.push(d.subarray(l.offset, l.offset + l.length + 2)); })),
  uhex('etag.etype', 'Type', 16, 4, eachLayer('etag', (l, _d, out) => { out.push(l.etype); })),

  proto('avsp', 'Arista Vendor Specific Protocol', eachLayer('avsp', (l, d, out) => { out.push(d.subarray(l.offset, l.offset + l.length + 2)); })),
  uint('avsp.sub_type', 'Sub Type', 16, eachLayer('avsp', (l, _d, out) => { out.push(l.subtype); })),
  uhex('avsp.ver', 'Version', 16, 4, eachLayer('avsp', (l, _d, out) => { out.push(l.version); })),
  uhex('avsp.etype', 'Type', 16, 4, eachLayer('avsp', (l, _d, out) => { out.push(l.etype); })),

  proto('llc', 'Logical-Link Control', eachLayer('llc', (l, d, out) => { out.push(d.subarray(l.offset, l.offset + (l.oui !== undefined ? 8 : 3))); })),
  uhex('llc.dsap', 'DSAP', 8, 2, eachLayer('llc', (l, _d, out) => { out.push(l.dsap); })),
  uhex('llc.ssap', 'SSAP', 8, 2, eachLayer('llc', (l, _d, out) => { out.push(l.ssap); })),
  uhex('llc.control', 'Control field', 16, 4, eachLayer('llc', (l, _d, out) => { out.push(l.control); })),
  uint('llc.oui', 'Organization Code', 24, eachLayer('llc', (l, _d, out) => { if (l.oui !== undefined) out.push(l.oui); })),
  uhex('llc.type', 'Type', 16, 4, eachLayer('llc', (l, _d, out) => { if (l.oui === 0 && l.pid !== undefined) out.push(l.pid); })),
  uhex('llc.pid', 'Protocol ID', 16, 4, eachLayer('llc', (l, _d, out) => { if (l.oui !== undefined && l.oui !== 0 && l.pid !== undefined) out.push(l.pid); })),

  proto('fddi', 'Fiber Distributed Data Interface', eachLayer('fddi', (l, d, out) => { out.push(d.subarray(l.offset, l.offset + 13)); })),
  uhex('fddi.fc', 'Frame Control', 8, 2, eachLayer('fddi', (l, _d, out) => { out.push(l.fc); })),
  // tshark adds each address twice (the field and its hidden copy under the same name).
  ether('fddi.dst', 'Destination', eachLayer('fddi', (l, d, out) => { const a = bitSwapped(d, l.offset + 1); out.push(a, a); })),
  ether('fddi.src', 'Source', eachLayer('fddi', (l, d, out) => { const a = bitSwapped(d, l.offset + 7); out.push(a, a); })),

  proto('chdlc', 'Cisco HDLC', eachLayer('chdlc', (l, d, out) => { out.push(d.subarray(l.offset, l.offset + 4)); })),
  uhex('chdlc.address', 'Address', 8, 2, eachLayer('chdlc', (l, _d, out) => { out.push(l.address); })),
  uhex('chdlc.protocol', 'Protocol', 16, 4, eachLayer('chdlc', (l, _d, out) => { out.push(l.protocol); })),

  proto('ppi', 'PPI version 0', eachLayer('ppi', (l, d, out) => { out.push(d.subarray(l.offset, l.offset + l.length)); })),
  uint('ppi.length', 'Header length', 16, eachLayer('ppi', (l, _d, out) => { out.push(l.length); })),
  uint('ppi.dlt', 'DLT', 32, eachLayer('ppi', (l, _d, out) => { out.push(l.dlt); })),
  proto('radiotap', 'Radiotap Header', eachLayer('radiotap', (l, d, out) => { out.push(d.subarray(l.offset, l.offset + l.length)); })),
  uint('radiotap.length', 'Header length', 16, eachLayer('radiotap', (l, _d, out) => { out.push(l.length); })),
  proto('wlan', 'IEEE 802.11', eachLayer('wlan', (l, d, out) => { out.push(d.subarray(l.offset, l.offset + l.hdrLen)); })),
  uhex('wlan.fc.type_subtype', 'Type/Subtype', 16, 4, eachLayer('wlan', (l, _d, out) => { out.push((((l.fc >> 10) & 3) << 4) | (l.fc >> 12)); })),

  proto('nflog', 'Linux Netfilter NFLOG', eachLayer('nflog', (l, d, out) => { out.push(d.subarray(l.offset, l.offset + 4)); })),
  uint('nflog.family', 'Family', 8, eachLayer('nflog', (l, _d, out) => { out.push(l.family); })),
  uint('nflog.res_id', 'Resource ID', 16, eachLayer('nflog', (l, _d, out) => { out.push(l.resId); })),
  proto('pktap', 'PKTAP', eachLayer('pktap', (l, d, out) => { out.push(d.subarray(l.offset, l.offset + l.length)); })),
  uint('pktap.hdrlen', 'Header length', 32, eachLayer('pktap', (l, _d, out) => { out.push(l.length); })),
  uint('pktap.dlt', 'DLT', 32, eachLayer('pktap', (l, _d, out) => { out.push(l.dlt); })),
  proto('juniper', 'Juniper', eachLayer('juniper', (l, d, out) => { out.push(d.subarray(l.offset, l.offset + l.length)); })),
  uhex('juniper.direction', 'Direction', 8, 2, eachLayer('juniper', (l, _d, out) => { out.push(l.flags & 1); })),
  uint('juniper.ext_total_len', 'Extension(s) Total length', 16, eachLayer('juniper', (l, _d, out) => { if (l.flags & 0x80) out.push(l.extLen); })),
  proto('arcnet', 'ARCNET', eachLayer('arcnet', (l, d, out) => { out.push(d.subarray(l.offset, l.offset + l.hdrLen)); })),
  uhex('arcnet.src', 'Source', 8, 2, eachLayer('arcnet', (l, _d, out) => { out.push(l.src); })),
  uhex('arcnet.dst', 'Dest', 8, 2, eachLayer('arcnet', (l, _d, out) => { out.push(l.dst); })),
  uhex('arcnet.protID', 'Protocol ID', 8, 2, eachLayer('arcnet', (l, _d, out) => { out.push(l.protocol); })),

  proto('icmp', 'Internet Control Message Protocol', eachLayer('icmp', (l, d, out) => { out.push(d.subarray(l.offset, l.offset + 8)); })),
  uint('icmp.type', 'Type', 8, eachLayer('icmp', (l, _d, out) => { out.push(l.type); })),
  uint('icmp.code', 'Code', 8, eachLayer('icmp', (l, _d, out) => { out.push(l.code); })),
  uhex('icmp.checksum', 'Checksum', 16, 4, eachLayer('icmp', (l, _d, out) => { out.push(l.checksum); })),
  proto('icmpv6', 'Internet Control Message Protocol v6', eachLayer('icmpv6', (l, d, out) => { out.push(d.subarray(l.offset, l.offset + 8)); })),
  uint('icmpv6.type', 'Type', 8, eachLayer('icmpv6', (l, _d, out) => { out.push(l.type); })),
  uint('icmpv6.code', 'Code', 8, eachLayer('icmpv6', (l, _d, out) => { out.push(l.code); })),
  uhex('icmpv6.checksum', 'Checksum', 16, 4, eachLayer('icmpv6', (l, _d, out) => { out.push(l.checksum); })),

  proto('ah', 'Authentication Header', eachLayer('ah', (l, d, out) => { out.push(d.subarray(l.offset, l.offset + l.length)); })),
  uint('ah.next_header', 'Next header', 8, eachLayer('ah', (l, _d, out) => { out.push(l.nxt); })),
  uhex('ah.spi', 'AH SPI', 32, 8, eachLayer('ah', (l, _d, out) => { out.push(l.spi); })),
  uint('ah.sequence', 'AH Sequence', 32, eachLayer('ah', (l, _d, out) => { out.push(l.seq); })),

  uint('ip.fragment', 'IPv4 Fragment', 32, reassembly('ipv4', (frames, _n, out) => { out.push(...frames); })),
  uint('ip.fragment.count', 'Fragment count', 32, reassembly('ipv4', (frames, _n, out) => { out.push(frames.length); })),
  uint('ip.reassembled.length', 'Reassembled IPv4 length', 32, reassembly('ipv4', (_f, n, out) => { out.push(n); })),
  uint('ipv6.fragment', 'IPv6 Fragment', 32, reassembly('ipv6', (frames, _n, out) => { out.push(...frames); })),
  uint('ipv6.fragment.count', 'Fragment count', 32, reassembly('ipv6', (frames, _n, out) => { out.push(frames.length); })),
  uint('ipv6.reassembled.length', 'Reassembled IPv6 length', 32, reassembly('ipv6', (_f, n, out) => { out.push(n); })),
];
