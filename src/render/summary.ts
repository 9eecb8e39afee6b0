/**
 * The one-line packet summary, laid out as tshark prints it by default:
 * number, relative time, source → destination, protocol, length, info.
 */
import type { PacketRecord } from '../record.js';
import type { TcpLayer } from '../decode/types.js';
import { TcpFlag } from '../decode/types.js';
import { seqOffset } from '../core/seq.js';
import { ipv4, ipv6At, mac, relTimeDigits } from '../core/format.js';
import { appColumns } from '../app/columns.js';
import { analysisPrefix } from './info-labels.js';

const FLAG_NAMES: Array<[number, string]> = [
  [TcpFlag.FIN, 'FIN'], [TcpFlag.SYN, 'SYN'], [TcpFlag.RST, 'RST'], [TcpFlag.PSH, 'PSH'], [TcpFlag.ACK, 'ACK'],
  [TcpFlag.URG, 'URG'], [TcpFlag.ECE, 'ECE'], [TcpFlag.CWR, 'CWR'], [TcpFlag.AE, 'AE'],
];

/** `SYN, ACK` — flag names from bit 0 upward, as Wireshark writes them in brackets. */
export function flagNames(flags: number): string {
  const names: string[] = [];
  for (const [bit, name] of FLAG_NAMES) if (flags & bit) names.push(name);
  if (flags & TcpFlag.RES) names.push('Reserved');
  return names.length ? names.join(', ') : '<None>';
}

/** Names of IP protocols for the protocol column when tcpscope does not decode them. */
const IP_PROTO_NAMES: Record<number, string> = {
  1: 'ICMP', 2: 'IGMP', 4: 'IPv4', 6: 'TCP', 17: 'UDP', 41: 'IPv6', 47: 'GRE', 50: 'ESP', 51: 'AH', 58: 'ICMPv6', 89: 'OSPF', 103: 'PIM', 112: 'VRRP', 132: 'SCTP',
};
const ETHERTYPE_NAMES: Record<number, string> = { 0x0806: 'ARP', 0x8035: 'RARP', 0x88cc: 'LLDP', 0x888e: 'EAPOL', 0x8863: 'PPPoED', 0x88f7: 'PTP' };

/** Info column text for a TCP segment: `37504 → 17088 [SYN] Seq=0 Win=65495 Len=0 MSS=65495 …`. */
export function tcpInfo(r: PacketRecord, l: TcpLayer): string {
  const t = r.tcp;
  let s = `${l.srcPort} \u2192 ${l.dstPort} [${flagNames(l.flags)}]`;
  // a short segment (t.short): raw numbers and no Len, as tshark shows it
  const rel = t && !t.short ? t : undefined;
  s += ` Seq=${rel ? rel.seq : l.seq}`;
  if (l.flags & TcpFlag.ACK) s += ` Ack=${rel ? rel.ack : l.ack}`;
  s += ` Win=${t ? t.windowSize : l.window}`;
  if (l.flags & TcpFlag.URG) s += ` Urg=${l.urgent}`;
  if (!t?.short) s += ` Len=${l.len}`;
  const revBase = t?.revBase ?? 0;
  for (const o of l.options) {
    switch (o.kind) {
      case 2: s += ` MSS=${o.mss}`; break;
      case 3: s += ` WS=${2 ** Math.min(o.shift, 14)}`; break;
      case 4: s += ' SACK_PERM'; break;
      case 5: for (const [le, re] of o.blocks) s += ` SLE=${seqOffset(revBase, le)} SRE=${seqOffset(revBase, re)}`; break;
      case 8: s += ` TSval=${o.tsval} TSecr=${o.tsecr}`; break;
    }
  }
  // Sequence-analysis labels go in front, the last one Wireshark adds first: `[TCP Dup ACK 5#1] 80 → …`.
  return t && t.analysis ? analysisPrefix(t) + s : s;
}

export interface Columns { source: string; destination: string; protocol: string; info: string }

/** Source, destination, protocol and info of a packet, from its innermost decoded layers. */
export function columns(r: PacketRecord): Columns {
  const p = r.packet;
  const d = p.frame.data;
  let source = '', destination = '', protocol = '', info = '';
  layers: for (const l of p.layers) {
    switch (l.kind) {
      // ICMP names the packet; the headers an ICMP error quotes do not change the columns.
      case 'icmp': case 'icmpv6': protocol = l.kind === 'icmp' ? 'ICMP' : 'ICMPv6'; info = ''; break layers;
      case 'llc': protocol = 'LLC'; break;
      case 'eth': source = mac(d, l.offset + 6); destination = mac(d, l.offset); protocol = 'ETH'; info = ''; break;
      case 'sll': protocol = 'SLL'; break;
      case 'ipv4': source = ipv4(l.src); destination = ipv4(l.dst); protocol = 'IPv4'; info = ipv4Info(l.proto); break;
      case 'ipv6': source = ipv6At(d, l.srcOffset); destination = ipv6At(d, l.dstOffset); protocol = 'IPv6'; info = ipv4Info(l.upperProto); break;
      case 'tcp': protocol = 'TCP'; info = l.captured >= 20 ? tcpInfo(r, l) : `${l.srcPort} \u2192 ${l.dstPort} [Packet size limited during capture]`; break;
      case 'udp': protocol = 'UDP'; info = `${l.srcPort} \u2192 ${l.dstPort} Len=${Math.max(0, l.length - 8)}`; break;
      case 'gre': protocol = 'GRE'; info = `Encapsulated 0x${l.protocol.toString(16).padStart(4, '0')}`; break;
      case 'data': {
        const m = /^(ethertype|ip\.proto) (.*)$/.exec(l.what);
        if (m) {
          const n = Number(m[2]);
          const name = m[1] === 'ethertype' ? ETHERTYPE_NAMES[n] : IP_PROTO_NAMES[n];
          protocol = name ?? protocol;
          if (!name) info = m[1] === 'ethertype' ? `Ethernet II, type 0x${n.toString(16).padStart(4, '0')}` : `IP protocol ${n}`;
        } else if (l.what === 'llc') { protocol = 'LLC'; }
        break;
      }
      default: break;
    }
  }
  // The application layer (HTTP, TLS, reassembly) has the last word, after TCP's analysis labels.
  if (r.app) ({ protocol, info } = appColumns(r, protocol, info));
  if (p.problems.length && !info) info = p.problems[0]!.message;
  return { source, destination, protocol, info };
}

function ipv4Info(proto: number): string {
  const name = IP_PROTO_NAMES[proto];
  return name ? '' : `IP protocol ${proto}`;
}

/** The whole default line, with tshark's column widths. `digits` is the time precision (6 or 9). */
export function summaryLine(r: PacketRecord, digits: number, cols: Columns = columns(r)): string {
  const n = String(r.packet.frame.number).padStart(5);
  const time = relTimeDigits(r.relSec, r.relNsec, digits).padStart(10);
  return `${n} ${time} ${cols.source.padStart(12)} \u2192 ${cols.destination.padEnd(12)} ${cols.protocol} ${r.packet.frame.origLen} ${cols.info}`;
}
