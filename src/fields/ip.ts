/** ip.* (IPv4) and ipv6.* fields. */
import type { FieldDef } from './registry.js';
import { addr4, addr6, bool, proto, uhex, uint } from './make.js';
import { eachLayer } from './frame.js';

/** The ip fields, in the order tshark's protocol tree shows them. */
export const IP_FIELDS: FieldDef[] = [
  proto('ip', 'Internet Protocol Version 4', eachLayer('ipv4', (l, d, out) => { out.push(d.subarray(l.offset, l.offset + l.hdrLen)); })),
  uint('ip.version', 'Version', 8, eachLayer('ipv4', (l, _d, out) => { out.push(l.version); })),
  uint('ip.hdr_len', 'Header Length', 8, eachLayer('ipv4', (l, _d, out) => { out.push(l.hdrLen); })),
  uhex('ip.dsfield', 'Differentiated Services Field', 8, 2, eachLayer('ipv4', (l, _d, out) => { out.push(l.dsfield); })),
  uint('ip.dsfield.dscp', 'Differentiated Services Codepoint', 8, eachLayer('ipv4', (l, _d, out) => { out.push(l.dsfield >> 2); })),
  uint('ip.dsfield.ecn', 'Explicit Congestion Notification', 8, eachLayer('ipv4', (l, _d, out) => { out.push(l.dsfield & 3); })),
  uint('ip.len', 'Total Length', 16, eachLayer('ipv4', (l, _d, out) => { out.push(l.totalLen); })),
  uhex('ip.id', 'Identification', 16, 4, eachLayer('ipv4', (l, _d, out) => { out.push(l.id); })),
  uhex('ip.flags', 'Flags', 8, 2, eachLayer('ipv4', (l, _d, out) => { out.push(l.flags); })),
  bool('ip.flags.rb', 'Reserved bit', eachLayer('ipv4', (l, _d, out) => { out.push((l.flags >> 2) & 1); })),
  bool('ip.flags.df', "Don't fragment", eachLayer('ipv4', (l, _d, out) => { out.push((l.flags >> 1) & 1); })),
  bool('ip.flags.mf', 'More fragments', eachLayer('ipv4', (l, _d, out) => { out.push(l.flags & 1); })),
  // tshark 4.0 prints the offset field as it is on the wire, in units of 8 bytes.
  uint('ip.frag_offset', 'Fragment Offset', 16, eachLayer('ipv4', (l, _d, out) => { out.push(l.fragOffset); })),
  uint('ip.ttl', 'Time to Live', 8, eachLayer('ipv4', (l, _d, out) => { out.push(l.ttl); })),
  uint('ip.proto', 'Protocol', 8, eachLayer('ipv4', (l, _d, out) => { out.push(l.proto); })),
  uhex('ip.checksum', 'Header Checksum', 16, 4, eachLayer('ipv4', (l, _d, out) => { out.push(l.checksum); })),
  addr4('ip.src', 'Source Address', eachLayer('ipv4', (l, _d, out) => { out.push(l.src); })),
  addr4('ip.dst', 'Destination Address', eachLayer('ipv4', (l, _d, out) => { out.push(l.dst); })),
  addr4('ip.addr', 'Source or Destination Address', eachLayer('ipv4', (l, _d, out) => { out.push(l.src, l.dst); })),

  proto('ipv6', 'Internet Protocol Version 6', eachLayer('ipv6', (l, d, out) => { out.push(d.subarray(l.offset, l.offset + 40)); })),
  uint('ipv6.version', 'Version', 8, eachLayer('ipv6', (l, _d, out) => { out.push(l.version); })),
  uhex('ipv6.tclass', 'Traffic Class', 32, 2, eachLayer('ipv6', (l, _d, out) => { out.push(l.tclass); })),
  uhex('ipv6.flow', 'Flow Label', 24, 5, eachLayer('ipv6', (l, _d, out) => { out.push(l.flow); })),
  uint('ipv6.plen', 'Payload Length', 16, eachLayer('ipv6', (l, _d, out) => { out.push(l.payloadLen); })),
  uint('ipv6.nxt', 'Next Header', 8, eachLayer('ipv6', (l, _d, out) => { out.push(l.nxt); })),
  uint('ipv6.hlim', 'Hop Limit', 8, eachLayer('ipv6', (l, _d, out) => { out.push(l.hlim); })),
  addr6('ipv6.src', 'Source Address', eachLayer('ipv6', (l, d, out) => { out.push(d.subarray(l.srcOffset, l.srcOffset + 16)); })),
  addr6('ipv6.dst', 'Destination Address', eachLayer('ipv6', (l, d, out) => { out.push(d.subarray(l.dstOffset, l.dstOffset + 16)); })),
  addr6('ipv6.addr', 'Source or Destination Address', eachLayer('ipv6', (l, d, out) => {
    out.push(d.subarray(l.srcOffset, l.srcOffset + 16), d.subarray(l.dstOffset, l.dstOffset + 16));
  })),
];
