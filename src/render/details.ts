/**
 * `read -V`: the details tree of a packet, laid out like tshark's, with a one-line meaning
 * beside each TCP/IP header field (unless turned off), and `-x`'s hex dump.
 */
import { LAYER_TITLES } from '../decode/names.js';
import type { PacketRecord } from '../record.js';
import type { Layer, TcpLayer } from '../decode/types.js';
import { TcpFlag } from '../decode/types.js';
import { hex, ipv4, ipv6At, mac, relTime } from '../core/format.js';
import { flagNames } from './summary.js';
import { flagsString } from '../fields/tcp.js';
import { FIELD_MEANINGS, type Lang } from '../i18n/meanings.js';
import { tcpHeaderDiagram } from './diagram.js';
import { analysisNode, completenessText } from './analysis-tree.js';

/**
 * A line of the details tree; `diagram` subtrees are teaching aids shown only with meanings on.
 * `localized` (when set) gives the line's text in the chosen language instead of `label`.
 */
export interface TreeNode { label: string; field?: string; children?: TreeNode[]; diagram?: boolean; localized?: (lang: Lang) => string }

const n = (label: string, field?: string, children?: TreeNode[]): TreeNode => ({ label, field, children });

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
    n(`Epoch Time: ${relTime(f.tsSec, f.tsNsec)} seconds`),
    n(`[Time delta from previous captured frame: ${relTime(r.deltaSec, r.deltaNsec)} seconds]`),
    n(`[Time since reference or first frame: ${relTime(r.relSec, r.relNsec)} seconds]`),
    n(`Frame Number: ${f.number}`),
    n(`Frame Length: ${f.origLen} bytes (${f.origLen * 8} bits)`),
    n(`Capture Length: ${f.capLen} bytes (${f.capLen * 8} bits)`),
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
  kids.push(n(`Source Port: ${l.srcPort}`, 'tcp.srcport'));
  if (l.captured >= 4) kids.push(n(`Destination Port: ${l.dstPort}`, 'tcp.dstport'));
  if (l.captured < 20) {
    kids.push(n('[Packet size limited during capture: TCP truncated]'));
    return n(head.join(''), undefined, kids);
  }
  const seq = t ? t.seq : l.seq;
  head.push(`, Seq: ${seq}`);
  if (l.flags & TcpFlag.ACK) head.push(`, Ack: ${t ? t.ack : l.ack}`);
  head.push(`, Len: ${l.len}`);
  if (t) kids.push(n(`[Stream index: ${t.stream}]`, 'tcp.stream'), n(completenessText(t.completeness), 'tcp.completeness'));
  kids.push(n(`[TCP Segment Len: ${l.len}]`, 'tcp.len'));
  kids.push(n(`Sequence Number: ${seq}${t ? '    (relative sequence number)' : ''}`, 'tcp.seq'));
  kids.push(n(`Sequence Number (raw): ${l.seq}`, 'tcp.seq_raw'));
  if (t) kids.push(n(`[Next Sequence Number: ${t.nxtseq}    (relative sequence number)]`, 'tcp.nxtseq'));
  if (l.flags & TcpFlag.ACK && t) kids.push(n(`Acknowledgment Number: ${t.ack}    (relative ack number)`, 'tcp.ack'));
  else kids.push(n(`Acknowledgment Number: ${l.ack}`, 'tcp.ack'));
  kids.push(n(`Acknowledgment number (raw): ${l.ack}`, 'tcp.ack_raw'));
  kids.push(n(`${(l.hdrLen / 4).toString(2).padStart(4, '0')} .... = Header Length: ${l.hdrLen} bytes (${l.hdrLen / 4})`, 'tcp.hdr_len'));
  const fl = l.flags;
  kids.push(n(`Flags: ${hex(fl, 3)} (${flagNames(fl)})`, 'tcp.flags', [
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
    n(`[TCP Flags: ${flagsString(fl)}]`),
  ]));
  kids.push(n(`Window: ${l.window}`, 'tcp.window_size_value'));
  if (t) {
    kids.push(n(`[Calculated window size: ${t.windowSize}]`, 'tcp.window_size'));
    if (t.scaleFactor !== undefined) {
      const sf = t.scaleFactor === -1 ? '-1 (unknown)' : t.scaleFactor === -2 ? '-2 (no window scaling used)' : String(t.scaleFactor);
      kids.push(n(`[Window size scaling factor: ${sf}]`, 'tcp.window_size_scalefactor'));
    }
  }
  kids.push(n(`Checksum: ${hex(l.checksum, 4)} [unverified]`, 'tcp.checksum'));
  kids.push(n(`Urgent Pointer: ${l.urgent}`, 'tcp.urgent_pointer'));
  if (l.options.length) kids.push(n(`Options: (${l.hdrLen - 20} bytes)`, 'tcp.options', l.options.map((o) => optionNode(o, t?.revBase ?? 0))));
  if (t) {
    kids.push(n('[Timestamps]', undefined, [
      n(`[Time since first frame in this TCP stream: ${relTime(t.relSec, t.relNsec)} seconds]`, 'tcp.time_relative'),
      n(`[Time since previous frame in this TCP stream: ${relTime(t.deltaSec, t.deltaNsec)} seconds]`, 'tcp.time_delta'),
    ]));
    const seqAck = analysisNode(r);
    if (seqAck) kids.push(seqAck);
  }
  if (l.len > 0) kids.push(n(`TCP payload (${l.len} byte${l.len === 1 ? '' : 's'})`));
  kids.push({ label: '[Header diagram (RFC 9293, Figure 1)]', diagram: true, children: tcpHeaderDiagram(l, t).map((line) => n(line)) });
  return n(head.join(''), undefined, kids);
}

function optionNode(o: TcpLayer['options'][number], revBase: number): TreeNode {
  if ('unknown' in o) return n(`TCP Option - Kind ${o.kind}, length ${o.length}${o.malformed ? ` [${o.malformed}]` : ''}`);
  switch (o.kind) {
    case 0: return n('TCP Option - End of Option List (EOL)');
    case 1: return n('TCP Option - No-Operation (NOP)');
    case 2: return n(`TCP Option - Maximum segment size: ${(o as { mss: number }).mss} bytes`, 'tcp.options.mss_val');
    case 3: { const s = (o as { shift: number }).shift; return n(`TCP Option - Window scale: ${s} (multiply by ${2 ** Math.min(s, 14)})`, 'tcp.options.wscale.shift'); }
    case 4: return n('TCP Option - SACK permitted', 'tcp.options.sack_perm');
    case 5: {
      const b = (o as { blocks: Array<[number, number]> }).blocks;
      return n(`TCP Option - SACK ${b.map(([le, re]) => `${(le - revBase) >>> 0}-${(re - revBase) >>> 0}`).join(' ')}`, 'tcp.options.sack');
    }
    case 8: {
      const ts = o as { tsval: number; tsecr: number };
      return n(`TCP Option - Timestamps: TSval ${ts.tsval}, TSecr ${ts.tsecr}`, 'tcp.options.timestamp.tsval');
    }
    default: return n('TCP Option');
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
      n(`Header Length: ${l.hdrLen} bytes (${l.hdrLen / 4})`),
      n(`Differentiated Services Field: ${hex(l.dsfield, 2)} (DSCP: ${l.dsfield >> 2}, ECN: ${l.dsfield & 3})`),
      n(`Total Length: ${l.totalLen}`, 'ip.len'),
      n(`Identification: ${hex(l.id, 4)} (${l.id})`, 'ip.id'),
      n(`Flags: ${hex(l.flags, 1)}${l.flags & 2 ? ", Don't fragment" : ''}${l.flags & 1 ? ', More fragments' : ''}`, 'ip.flags.df'),
      n(`Fragment Offset: ${l.fragOffset * 8}`),
      n(`Time to Live: ${l.ttl}`, 'ip.ttl'),
      n(`Protocol: ${l.proto}`, 'ip.proto'),
      n(`Header Checksum: ${hex(l.checksum, 4)} [validation disabled]`),
      n(`Source Address: ${ipv4(l.src)}`, 'ip.src'),
      n(`Destination Address: ${ipv4(l.dst)}`, 'ip.dst'),
    ]);
    case 'ipv6': return n(`Internet Protocol Version 6, Src: ${ipv6At(d, l.srcOffset)}, Dst: ${ipv6At(d, l.dstOffset)}`, undefined, [
      n(`Traffic Class: ${hex(l.tclass, 2)}`), n(`Flow Label: ${hex(l.flow, 5)}`), n(`Payload Length: ${l.payloadLen}`),
      n(`Next Header: ${l.nxt}`, 'ipv6.nxt'), n(`Hop Limit: ${l.hlim}`, 'ipv6.hlim'),
      n(`Source Address: ${ipv6At(d, l.srcOffset)}`, 'ipv6.src'), n(`Destination Address: ${ipv6At(d, l.dstOffset)}`, 'ipv6.dst'),
      ...l.ext.map((e) => n(`Extension header ${e.type}, length ${e.length}`)),
    ]);
    case 'tcp': return tcpNode(r, l);
    case 'udp': return n(`User Datagram Protocol, Src Port: ${l.srcPort}, Dst Port: ${l.dstPort}`, undefined, [
      n(`Source Port: ${l.srcPort}`, 'udp.srcport'), n(`Destination Port: ${l.dstPort}`, 'udp.dstport'), n(`Length: ${l.length}`, 'udp.length'),
      n(`Checksum: ${hex(l.checksum, 4)} [unverified]`),
    ]);
    case 'gre': return n('Generic Routing Encapsulation', undefined, [n(`Flags and Version: ${hex(l.flagsVersion, 4)}`), n(`Protocol Type: ${hex(l.protocol, 4)}`)]);
    case 'data': return n(`Data (${l.length} bytes) [${l.what}]`);
    default: return n(LAYER_TITLES[l.kind] ?? l.kind);
  }
}

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
  const meanings = FIELD_MEANINGS[opts.lang];
  const walk = (list: TreeNode[], depth: number): void => {
    for (const node of list) {
      if (node.diagram && !opts.meanings) continue;
      let line = '    '.repeat(depth) + (node.localized ? node.localized(opts.lang) : node.label);
      const m = opts.meanings && node.field ? meanings[node.field] : undefined;
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
