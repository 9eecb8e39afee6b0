/**
 * `read -V`: the details tree of a packet, laid out like tshark's, with a one-line meaning
 * beside each TCP/IP header field (unless turned off), and `-x`'s hex dump.
 */
import { LAYER_TITLES } from '../decode/names.js';
import type { PacketRecord } from '../record.js';
import type { Layer, TcpLayer } from '../decode/types.js';
import { TcpFlag } from '../decode/types.js';
import { seqOffset } from '../core/seq.js';
import { hex, ipv4, ipv6At, mac, relTime } from '../core/format.js';
import { flagNames } from './summary.js';
import { flagsString } from '../fields/tcp.js';
import { lookupField } from '../fields/index.js';
import type { Lang } from '../i18n/catalog.js';
import { DETAILS_TEXTS, fieldNote } from '../i18n/meanings.js';
import { tcpHeaderDiagram } from './diagram.js';
import { analysisNode, completenessText } from './analysis-tree.js';
import type { TreeNode } from './tree.js';

export type { TreeNode } from './tree.js';

const n = (label: string, field?: string, children?: TreeNode[]): TreeNode => ({ label, field, children });

/** A registered field's title (Wireshark's label), e.g. `Source Port` for tcp.srcport. */
function title(field: string): string {
  const def = lookupField(field);
  if (!def) throw new Error(`details tree: no field ${field} in the registry`);
  return def.title;
}

/** `Title: value` for a registered field, its title from the registry; generated fields (not on the wire) in brackets, as tshark shows them. */
function fv(field: string, value: string | number, how: { gen?: boolean; suffix?: string; children?: TreeNode[] } = {}): TreeNode {
  const text = `${title(field)}: ${value}${how.suffix ?? ''}`;
  return n(how.gen ? `[${text}]` : text, field, how.children);
}

/** `.... ..1. = Syn: Set` — a bit of a 12-bit flags field, drawn as Wireshark draws it. */
function bitLine(flags: number, bit: number, width: number, label: string, field: string): TreeNode {
  let pattern = '';
  for (let i = width - 1; i >= 0; i--) {
    pattern += (1 << i) === bit ? (flags & bit ? '1' : '0') : '.';
    if (i % 4 === 0 && i) pattern += ' ';
  }
  return n(`${pattern} = ${label}: ${flags & bit ? 'Set' : 'Not set'}`, field);
}

function frameNode(r: PacketRecord): TreeNode {
  const f = r.packet.frame;
  return n(`Frame ${f.number}: ${f.origLen} bytes on wire (${f.origLen * 8} bits), ${f.capLen} bytes captured (${f.capLen * 8} bits)`, undefined, [
    n(`Encapsulation type: ${LINK_NAMES[f.linkType] ?? 'Unknown'} (${f.linkType})`),
    n(`Arrival Time: ${new Date(f.tsSec * 1000).toISOString().replace('T', ' ').replace(/\.\d+Z$/, '')}.${String(f.tsNsec).padStart(9, '0')} UTC`),
    fv('frame.time_epoch', `${relTime(f.tsSec, f.tsNsec)} seconds`),
    fv('frame.time_delta', `${relTime(r.deltaSec, r.deltaNsec)} seconds`, { gen: true }),
    fv('frame.time_relative', `${relTime(r.relSec, r.relNsec)} seconds`, { gen: true }),
    fv('frame.number', f.number),
    fv('frame.len', `${f.origLen} bytes (${f.origLen * 8} bits)`),
    fv('frame.cap_len', `${f.capLen} bytes (${f.capLen * 8} bits)`),
    n(`[Protocols in frame: ${r.packet.layers.map(layerShortName).join(':')}]`),
  ]);
}

const LINK_NAMES: Record<number, string> = {
  0: 'NULL/Loopback', 1: 'Ethernet', 12: 'Raw IP', 14: 'Raw IP', 101: 'Raw IP', 108: 'OpenBSD loopback', 113: 'Linux cooked-mode capture v1',
  228: 'Raw IPv4', 229: 'Raw IPv6', 276: 'Linux cooked-mode capture v2',
};

function layerShortName(l: Layer): string {
  switch (l.kind) {
    case 'ipv4': return 'ip';
    case 'data': return 'data';
    default: return l.kind;
  }
}

function tcpNode(r: PacketRecord, l: TcpLayer): TreeNode {
  const t = r.tcp;
  const kids: TreeNode[] = [];
  const head = [`Transmission Control Protocol, Src Port: ${l.srcPort}, Dst Port: ${l.dstPort}`];
  kids.push(fv('tcp.srcport', l.srcPort));
  if (l.captured >= 4) kids.push(fv('tcp.dstport', l.dstPort));
  if (l.captured < 20) {
    kids.push(n('[Packet size limited during capture: TCP truncated]'));
    return n(head.join(''), undefined, kids);
  }
  // A short segment (t.short): raw numbers, no length and no next sequence number, as tshark shows it.
  const rel = t && !t.short ? t : undefined;
  const seq = rel ? rel.seq : l.seq;
  head.push(`, Seq: ${seq}`);
  if (l.flags & TcpFlag.ACK) head.push(`, Ack: ${rel ? rel.ack : l.ack}`);
  if (!t?.short) head.push(`, Len: ${l.len}`);
  if (t) kids.push(fv('tcp.stream', t.stream, { gen: true }), n(completenessText(t.completeness), 'tcp.completeness'));
  if (!t?.short) kids.push(fv('tcp.len', l.len, { gen: true }));
  kids.push(fv('tcp.seq', seq, { suffix: t ? '    (relative sequence number)' : '' }));
  kids.push(fv('tcp.seq_raw', l.seq));
  if (rel) kids.push(fv('tcp.nxtseq', rel.nxtseq, { gen: true, suffix: '    (relative sequence number)' }));
  if (l.flags & TcpFlag.ACK && t) kids.push(fv('tcp.ack', rel ? rel.ack : l.ack, { suffix: '    (relative ack number)' }));
  else kids.push(fv('tcp.ack', l.ack));
  kids.push(fv('tcp.ack_raw', l.ack));
  kids.push(n(`${(l.hdrLen / 4).toString(2).padStart(4, '0')} .... = Header Length: ${l.hdrLen} bytes (${l.hdrLen / 4})`, 'tcp.hdr_len'));
  const fl = l.flags;
  kids.push(fv('tcp.flags', `${hex(fl, 3)} (${flagNames(fl)})`, { children: [
    n(`${((fl >> 9) & 7).toString(2).padStart(3, '0')}. .... .... = Reserved: ${fl & TcpFlag.RES ? 'Set' : 'Not set'}`, 'tcp.flags.res'),
    bitLine(fl, TcpFlag.AE, 12, 'Accurate ECN', 'tcp.flags.ae'),
    bitLine(fl, TcpFlag.CWR, 12, 'Congestion Window Reduced', 'tcp.flags.cwr'),
    bitLine(fl, TcpFlag.ECE, 12, 'ECN-Echo', 'tcp.flags.ece'),
    bitLine(fl, TcpFlag.URG, 12, 'Urgent', 'tcp.flags.urg'),
    bitLine(fl, TcpFlag.ACK, 12, 'Acknowledgment', 'tcp.flags.ack'),
    bitLine(fl, TcpFlag.PSH, 12, 'Push', 'tcp.flags.push'),
    bitLine(fl, TcpFlag.RST, 12, 'Reset', 'tcp.flags.reset'),
    bitLine(fl, TcpFlag.SYN, 12, 'Syn', 'tcp.flags.syn'),
    bitLine(fl, TcpFlag.FIN, 12, 'Fin', 'tcp.flags.fin'),
    n(`[${title('tcp.flags.str')}: ${flagsString(fl)}]`),
  ] }));
  kids.push(fv('tcp.window_size_value', l.window));
  if (t) {
    kids.push(fv('tcp.window_size', t.windowSize, { gen: true }));
    if (t.scaleFactor !== undefined) {
      const sf = t.scaleFactor === -1 ? '-1 (unknown)' : t.scaleFactor === -2 ? '-2 (no window scaling used)' : String(t.scaleFactor);
      kids.push(fv('tcp.window_size_scalefactor', sf, { gen: true }));
    }
  }
  kids.push(fv('tcp.checksum', `${hex(l.checksum, 4)} [unverified]`));
  kids.push(fv('tcp.urgent_pointer', l.urgent));
  if (l.options.length) kids.push(n(`Options: (${l.hdrLen - 20} bytes)`, 'tcp.options', l.options.map((o) => optionNode(o, t?.revBase ?? 0))));
  if (t) {
    kids.push(n('[Timestamps]', undefined, [
      fv('tcp.time_relative', `${relTime(t.relSec, t.relNsec)} seconds`, { gen: true }),
      fv('tcp.time_delta', `${relTime(t.deltaSec, t.deltaNsec)} seconds`, { gen: true }),
    ]));
    const seqAck = analysisNode(r);
    if (seqAck) kids.push(seqAck);
  }
  if (l.len > 0) kids.push(n(`TCP payload (${l.len} byte${l.len === 1 ? '' : 's'})`));
  kids.push({ label: '', localized: (lang: Lang) => DETAILS_TEXTS[lang]['diagram'], diagram: true, children: tcpHeaderDiagram(l, t).map((line) => n(line)) });
  return n(head.join(''), undefined, kids);
}

function optionNode(o: TcpLayer['options'][number], revBase: number): TreeNode {
  switch (o.kind) {
    case 'other': return n(`TCP Option - Kind ${o.code}, length ${o.length}${o.malformed ? ` [${o.malformed}]` : ''}`);
    case 0: return n('TCP Option - End of Option List (EOL)');
    case 1: return n('TCP Option - No-Operation (NOP)');
    case 2: return n(`TCP Option - Maximum segment size: ${o.mss} bytes`, 'tcp.options.mss_val');
    case 3: return n(`TCP Option - Window scale: ${o.shift} (multiply by ${2 ** Math.min(o.shift, 14)})`, 'tcp.options.wscale.shift');
    case 4: return n('TCP Option - SACK permitted', 'tcp.options.sack_perm');
    case 5: return n(`TCP Option - SACK ${o.blocks.map(([le, re]) => `${seqOffset(revBase, le)}-${seqOffset(revBase, re)}`).join(' ')}`, 'tcp.options.sack');
    case 8: return n(`TCP Option - Timestamps: TSval ${o.tsval}, TSecr ${o.tsecr}`, 'tcp.options.timestamp.tsval');
  }
}

function layerNode(r: PacketRecord, l: Layer): TreeNode {
  const d = r.packet.frame.data;
  switch (l.kind) {
    case 'eth': return n(`Ethernet II, Src: ${mac(d, l.offset + 6)}, Dst: ${mac(d, l.offset)}`, undefined, [
      n(`Destination: ${mac(d, l.offset)}`), n(`Source: ${mac(d, l.offset + 6)}`),
      n(l.isLength ? `Length: ${l.type}` : `Type: ${hex(l.type, 4)}`),
    ]);
    case 'vlan': return n(`802.1Q Virtual LAN, PRI: ${l.priority}, DEI: ${l.dei}, ID: ${l.id}`, undefined, [n(`ID: ${l.id}`), n(`Type: ${hex(l.etype, 4)}`)]);
    case 'sll': return n(`Linux cooked capture v${l.version}`, undefined, [n(`Packet type: ${l.pkttype}`), n(`Link-layer address type: ${l.hatype}`), n(`Protocol: ${hex(l.protocol, 4)}`)]);
    case 'null': return n('Null/Loopback', undefined, [n(`Family: ${l.family}`)]);
    case 'mpls': return n(`MultiProtocol Label Switching Header, Label: ${l.label}, Exp: ${l.exp}, S: ${l.bottom}, TTL: ${l.ttl}`);
    case 'pppoes': return n('PPP-over-Ethernet Session', undefined, [n(`Session ID: ${hex(l.session, 4)}`), n(`Payload Length: ${l.payloadLength}`)]);
    case 'ppp': return n('Point-to-Point Protocol', undefined, [n(`Protocol: ${hex(l.protocol, 4)}`)]);
    case 'ipv4': return n(`Internet Protocol Version 4, Src: ${ipv4(l.src)}, Dst: ${ipv4(l.dst)}`, undefined, [
      n(`Header Length: ${l.hdrLen} bytes (${l.hdrLen / 4})`, 'ip.hdr_len'),
      n(`Differentiated Services Field: ${hex(l.dsfield, 2)} (DSCP: ${l.dsfield >> 2}, ECN: ${l.dsfield & 3})`, 'ip.dsfield'),
      fv('ip.len', l.totalLen),
      fv('ip.id', `${hex(l.id, 4)} (${l.id})`),
      n(`Flags: ${hex(l.flags, 1)}${l.flags & 2 ? ", Don't fragment" : ''}${l.flags & 1 ? ', More fragments' : ''}`, 'ip.flags.df'),
      n(`Fragment Offset: ${l.fragOffset * 8}`, 'ip.frag_offset'),
      fv('ip.ttl', l.ttl),
      fv('ip.proto', l.proto),
      n(`Header Checksum: ${hex(l.checksum, 4)} [validation disabled]`, 'ip.checksum'),
      fv('ip.src', ipv4(l.src)),
      fv('ip.dst', ipv4(l.dst)),
    ]);
    case 'ipv6': return n(`Internet Protocol Version 6, Src: ${ipv6At(d, l.srcOffset)}, Dst: ${ipv6At(d, l.dstOffset)}`, undefined, [
      n(`Traffic Class: ${hex(l.tclass, 2)}`), n(`Flow Label: ${hex(l.flow, 5)}`), n(`Payload Length: ${l.payloadLen}`),
      fv('ipv6.nxt', l.nxt), fv('ipv6.hlim', l.hlim),
      fv('ipv6.src', ipv6At(d, l.srcOffset)), fv('ipv6.dst', ipv6At(d, l.dstOffset)),
      ...l.ext.map((e) => n(`Extension header ${e.type}, length ${e.length}`)),
    ]);
    case 'tcp': return tcpNode(r, l);
    case 'udp': return n(`User Datagram Protocol, Src Port: ${l.srcPort}, Dst Port: ${l.dstPort}`, undefined, [
      fv('udp.srcport', l.srcPort), fv('udp.dstport', l.dstPort), fv('udp.length', l.length),
      n(`Checksum: ${hex(l.checksum, 4)} [unverified]`),
    ]);
    case 'gre': return n(`Generic Routing Encapsulation${ETHERTYPE_NAMES[l.protocol] ? ` (${ETHERTYPE_NAMES[l.protocol]})` : ''}`, undefined, [n(`Flags and Version: ${hex(l.flagsVersion, 4)}`),
      n(`Protocol Type: ${ETHERTYPE_NAMES[l.protocol] ? `${ETHERTYPE_NAMES[l.protocol]} (${hex(l.protocol, 4)})` : hex(l.protocol, 4)}`),
      ...(l.key !== undefined ? [n(`Key: ${hex(l.key, 8)}`)] : []), ...(l.seq !== undefined ? [n(`Sequence Number: ${l.seq}`)] : [])]);
    case 'vxlan': return n(LAYER_TITLES.vxlan!, undefined, [
      n(`Flags: ${hex(l.flags, 4)}${l.flags & 0x0800 ? ', VXLAN Network ID (VNI)' : ''}`),
      n(`Group Policy ID: ${(d[l.offset + 2]! << 8) | d[l.offset + 3]!}`),
      n(`VXLAN Network Identifier (VNI): ${l.vni}`), n(`Reserved: ${d[l.offset + 7]!}`),
    ]);
    case 'geneve': return n(`${LAYER_TITLES.geneve!}, VNI: ${hex(l.vni, 6)}`, undefined, [
      n(`Version: ${l.version}`), n(`Length: ${l.optLen} bytes`), n(`Flags: ${hex(l.flags, 2)}`),
      n(`Protocol Type: ${ETHERTYPE_NAMES[l.protocol] ? `${ETHERTYPE_NAMES[l.protocol]} (${hex(l.protocol, 4)})` : hex(l.protocol, 4)}`),
      n(`Virtual Network Identifier (VNI): ${hex(l.vni, 6)} (${l.vni})`),
    ]);
    case 'gtp': return n(LAYER_TITLES.gtp!, undefined, [
      n(`Flags: ${hex(l.flags, 2)}`), n(`Message Type: ${l.msgType === 0xff ? 'T-PDU ' : ''}(${hex(l.msgType, 2)})`),
      n(`Length: ${l.length}`), n(`TEID: ${hex(l.teid, 8)} (${l.teid})`),
    ]);
    case 'teredo': return n(LAYER_TITLES.teredo!, undefined, l.originPort === undefined ? [] : [
      n('Teredo Origin Indication header', undefined, [n(`Origin UDP port: ${l.originPort}`), n(`Origin IPv4 address: ${ipv4(l.originAddr ?? 0)}`)]),
    ]);
    case 'icmp': case 'icmpv6': {
      const kids = [n(l.kind === 'icmpv6' && l.type === 2 ? 'Type: Packet Too Big (2)' : l.kind === 'icmp' && l.type === 3 ? 'Type: 3 (Destination unreachable)' : `Type: ${l.type}`),
        n(l.kind === 'icmp' && l.type === 3 && ICMP_UNREACH[l.code] ? `Code: ${l.code} (${ICMP_UNREACH[l.code]})` : `Code: ${l.code}`)];
      if (l.kind === 'icmp' && l.type === 3 && l.code === 4 && l.offset + 8 <= d.length) kids.push(n(`MTU of next hop: ${(d[l.offset + 6]! << 8) | d[l.offset + 7]!}`));
      if (l.kind === 'icmpv6' && l.type === 2 && l.offset + 8 <= d.length) kids.push(n(`MTU: ${new DataView(d.buffer, d.byteOffset + l.offset + 4, 4).getUint32(0)}`));
      return n(LAYER_TITLES[l.kind] ?? l.kind, undefined, kids);
    }
    case 'data': return n(`Data (${l.length} bytes) [${l.what}]`);
    default: return n(LAYER_TITLES[l.kind] ?? l.kind);
  }
}

/** Names tshark gives a Geneve or GRE protocol type (the ones checked against tshark 4.0). */
const ETHERTYPE_NAMES: Record<number, string> = { 0x6558: 'Transparent Ethernet bridging' };
/** ICMP destination-unreachable codes as tshark 4.0 names them (the ones checked against it). */
const ICMP_UNREACH: Record<number, string> = { 3: 'Port unreachable', 4: 'Fragmentation needed' };

/** The whole tree of one packet. */
export function detailsTree(r: PacketRecord): TreeNode[] {
  const nodes = [frameNode(r), ...r.packet.layers.map((l) => layerNode(r, l))];
  for (const p of r.packet.problems) nodes.push(n(`[${p.kind === 'truncated' ? 'Packet size limited during capture' : 'Malformed Packet'}: ${p.layer}: ${p.message}]`));
  return nodes;
}

export interface DetailsOptions { meanings: boolean; lang: Lang; width?: number }

/** Render a tree with 4-space indentation; meanings in a column after `← `. */
export function renderTree(nodes: TreeNode[], opts: DetailsOptions): string {
  const lines: string[] = [];
  const width = opts.width ?? 58;
  const walk = (list: TreeNode[], depth: number): void => {
    for (const node of list) {
      if (node.diagram && !opts.meanings) continue;
      let line = '    '.repeat(depth) + (node.localized ? node.localized(opts.lang) : node.label);
      const m = opts.meanings && node.field ? fieldNote(opts.lang, node.field) : undefined;
      if (m) line = line.padEnd(width) + '  \u2190 ' + m;
      lines.push(line);
      if (node.children) walk(node.children, depth + 1);
    }
  };
  walk(nodes, 0);
  return lines.join('\n');
}

/** tshark -x: offset, 16 bytes in hex, the same bytes as ASCII. */
export function hexDump(d: Uint8Array): string {
  const lines: string[] = [];
  for (let off = 0; off < d.length; off += 16) {
    let hexs = '', ascii = '';
    for (let i = 0; i < 16; i++) {
      if (off + i < d.length) {
        const b = d[off + i]!;
        hexs += (i ? ' ' : '') + b.toString(16).padStart(2, '0');
        ascii += b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.';
      } else hexs += '   ';
    }
    lines.push(`${off.toString(16).padStart(4, '0')}  ${hexs}   ${ascii}`);
  }
  return lines.join('\n');
}
