/**
 * The one-line packet summary, laid out as tshark prints it by default:
 * number, relative time, source → destination, protocol, length, info.
 */
import type { PacketRecord } from '../record.js';
import type { Layer, TcpLayer } from '../decode/types.js';
import type { TcpInfo } from '../tcp/types.js';
import { TcpFlag } from '../decode/types.js';
import { seqOffset } from '../core/seq.js';
import { ipv4, ipv6At, mac, relTimeDigits } from '../core/format.js';
import { appColumns, applyColumnOps } from '../app/columns.js';
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

/** ` [SYN, ACK]` by the 12 flag bits, made once per value (the Info column repeats a handful). */
const FLAG_TEXT: string[] = [];
function flagText(flags: number): string {
  return FLAG_TEXT[flags] ??= ` [${flagNames(flags)}]`;
}

/** Names of IP protocols for the protocol column when tcpscope does not decode them. */
const IP_PROTO_NAMES: Record<number, string> = {
  1: 'ICMP', 2: 'IGMP', 4: 'IPv4', 6: 'TCP', 17: 'UDP', 41: 'IPv6', 47: 'GRE', 50: 'ESP', 51: 'AH', 58: 'ICMPv6', 89: 'OSPF', 103: 'PIM', 112: 'VRRP', 132: 'SCTP',
};
const ETHERTYPE_NAMES: Record<number, string> = { 0x0806: 'ARP', 0x8035: 'RARP', 0x88cc: 'LLDP', 0x888e: 'EAPOL', 0x8863: 'PPPoED', 0x88f7: 'PTP' };

/** Info column text for a TCP segment: `37504 → 17088 [SYN] Seq=0 Win=65495 Len=0 MSS=65495 …`. */
export function tcpInfo(r: PacketRecord, l: TcpLayer): string {
  const t = r.tcp;
  const s = tcpCore(t, l);
  // Sequence-analysis labels go in front, the last one Wireshark adds first: `[TCP Dup ACK 5#1] 80 → …`.
  return t && t.analysis ? analysisPrefix(t) + s : s;
}

/** tcpInfo without the analysis labels, built as one concatenation (this runs for every TCP packet). */
function tcpCore(t: TcpInfo | undefined, l: TcpLayer): string {
  const f = l.flags;
  // a short segment (t.short): raw numbers and no Len, as tshark shows it
  const rel = t && !t.short ? t : undefined;
  let s = l.srcPort + ' \u2192 ' + l.dstPort + flagText(f) + ' Seq=' + (rel ? rel.seq : l.seq);
  if (f & TcpFlag.ACK) s += ' Ack=' + (rel ? rel.ack : l.ack);
  s += ' Win=' + (t ? t.windowSize : l.window);
  if (f & TcpFlag.URG) s += ' Urg=' + l.urgent;
  if (!t?.short) s += ' Len=' + l.len;
  const opts = l.options;
  for (let i = 0; i < opts.length; i++) {
    const o = opts[i]!;
    switch (o.kind) {
      case 2: s += ' MSS=' + o.mss; break;
      case 3: s += ' WS=' + 2 ** Math.min(o.shift, 14); break;
      case 4: s += ' SACK_PERM'; break;
      case 5: { const revBase = t?.revBase ?? 0; for (const [le, re] of o.blocks) s += ' SLE=' + seqOffset(revBase, le) + ' SRE=' + seqOffset(revBase, re); break; }
      case 8: s += ' TSval=' + o.tsval + ' TSecr=' + o.tsecr; break;
    }
  }
  return s;
}

export interface Columns { source: string; destination: string; protocol: string; info: string }

// What `scan` found, kept in module scratch variables rather than an object per packet.
/** the innermost layer with addresses (its kind says how to read them), or undefined */
let addrLayer: Layer | undefined;
let scanProtocol = '';
let scanInfo = '';

/**
 * Protocol and info of a packet from its innermost decoded layers, and which layer gives the
 * addresses (formatted later, so that outer layers cost nothing). Results in the scratch above.
 */
function scan(r: PacketRecord): void {
  const p = r.packet;
  let addr: Layer | undefined;
  let protocol = '', info = '';
  let fence = -1;
  const layers = p.layers;
  layers: for (let i = 0; i < layers.length; i++) {
    const l = layers[i]!;
    switch (l.kind) {
      // ICMP names the packet; the headers an ICMP error quotes do not change the columns.
      case 'icmp': case 'icmpv6': protocol = l.kind === 'icmp' ? 'ICMP' : 'ICMPv6'; info = ''; fence = -1; break layers;
      case 'llc': protocol = 'LLC'; break;
      case 'eth': addr = l; protocol = 'ETH'; info = ''; fence = -1; break;
      case 'sll': protocol = 'SLL'; break;
      case 'ipv4': addr = l; protocol = 'IPv4'; info = ipv4Info(l.proto); fence = -1; break;
      case 'ipv6': addr = l; protocol = 'IPv6'; info = ipv4Info(l.upperProto); fence = -1; break;
      case 'tcp': {
        protocol = 'TCP';
        if (l.captured >= 20) {
          const t = r.tcp;
          const core = tcpCore(t, l);
          if (t && t.analysis) { const pre = analysisPrefix(t); info = pre + core; fence = pre.length; }
          else { info = core; fence = 0; }
        } else { info = `${l.srcPort} \u2192 ${l.dstPort} [Packet size limited during capture]`; fence = 0; }
        break;
      }
      case 'udp': protocol = 'UDP'; info = `${l.srcPort} \u2192 ${l.dstPort} Len=${Math.max(0, l.length - 8)}`; fence = -1; break;
      case 'gre': protocol = 'GRE'; info = `Encapsulated 0x${l.protocol.toString(16).padStart(4, '0')}`; fence = -1; break;
      case 'data': {
        const m = /^(ethertype|ip\.proto) (.*)$/.exec(l.what);
        if (m) {
          const n = Number(m[2]);
          const name = m[1] === 'ethertype' ? ETHERTYPE_NAMES[n] : IP_PROTO_NAMES[n];
          protocol = name ?? protocol;
          if (!name) { info = m[1] === 'ethertype' ? `Ethernet II, type 0x${n.toString(16).padStart(4, '0')}` : `IP protocol ${n}`; fence = -1; }
        } else if (l.what === 'llc') { protocol = 'LLC'; }
        break;
      }
      default: break;
    }
  }
  // The application layer (HTTP, TLS, reassembly) has the last word, after TCP's analysis labels
  // (`fence`: where TCP's own text starts, when TCP wrote the info last; else it is searched for).
  if (r.app) {
    if (fence >= 0) { const app = r.app; if (app.protocol !== undefined) protocol = app.protocol; info = applyColumnOps(info, fence, app.ops); }
    else ({ protocol, info } = appColumns(r, protocol, info));
  }
  if (!info && p.problems.length) info = p.problems[0]!.message;
  addrLayer = addr;
  scanProtocol = protocol;
  scanInfo = info;
}

function addressOf(l: Layer | undefined, d: Uint8Array, dst: boolean): string {
  if (!l) return '';
  switch (l.kind) {
    case 'eth': return mac(d, dst ? l.offset : l.offset + 6);
    case 'ipv4': return ipv4(dst ? l.dst : l.src);
    case 'ipv6': return ipv6At(d, dst ? l.dstOffset : l.srcOffset);
    default: return '';
  }
}

/** Source, destination, protocol and info of a packet, from its innermost decoded layers. */
export function columns(r: PacketRecord): Columns {
  scan(r);
  const d = r.packet.frame.data;
  return { source: addressOf(addrLayer, d, false), destination: addressOf(addrLayer, d, true), protocol: scanProtocol, info: scanInfo };
}

function ipv4Info(proto: number): string {
  const name = IP_PROTO_NAMES[proto];
  return name ? '' : `IP protocol ${proto}`;
}

/** Spaces for padding, by count. */
const PAD: string[] = [];
for (let i = 0; i <= 16; i++) PAD.push(' '.repeat(i));
const padStart = (s: string, w: number): string => (s.length >= w ? s : w - s.length <= 16 ? PAD[w - s.length]! + s : s.padStart(w));

/**
 * `      source → destination ` with tshark's widths, cached by the two addresses: a
 * conversation's lines repeat the same two pairs. Direct-mapped: a slot holds one pair, keyed
 * by its kind (4, 6) and its address words; a collision just formats again.
 */
const PAIR_SLOTS = 4096;
const pairKeys = new Int32Array(PAIR_SLOTS * 9);
const pairTexts: string[] = new Array<string>(PAIR_SLOTS).fill('');
const words = new Int32Array(9);

const word = (d: Uint8Array, o: number): number => (d[o]! << 24) | (d[o + 1]! << 16) | (d[o + 2]! << 8) | d[o + 3]!;

function addressPair(l: Layer | undefined, d: Uint8Array): string {
  let n: number;
  if (l?.kind === 'ipv4') { words[0] = 4; words[1] = l.src; words[2] = l.dst; n = 3; }
  else if (l?.kind === 'ipv6') {
    words[0] = 6;
    for (let i = 0; i < 4; i++) { words[1 + i] = word(d, l.srcOffset + 4 * i); words[5 + i] = word(d, l.dstOffset + 4 * i); }
    n = 9;
  } else return pairText(addressOf(l, d, false), addressOf(l, d, true));
  let h = 0;
  for (let i = 0; i < n; i++) h = Math.imul(h ^ words[i]!, 0x9e3779b1) ^ (h >>> 15);
  const slot = (h >>> 0) % PAIR_SLOTS;
  const base = slot * 9;
  let hit = true;
  for (let i = 0; i < n; i++) if (pairKeys[base + i] !== words[i]) { hit = false; break; }
  if (hit) return pairTexts[slot]!;
  for (let i = 0; i < n; i++) pairKeys[base + i] = words[i]!;
  const text = pairText(addressOf(l, d, false), addressOf(l, d, true));
  pairTexts[slot] = text;
  return text;
}

const pairText = (source: string, destination: string): string => padStart(source, 12) + ' \u2192 ' + destination.padEnd(12);

/** The whole default line, with tshark's column widths. `digits` is the time precision (6 or 9). */
export function summaryLine(r: PacketRecord, digits: number, cols?: Columns): string {
  const f = r.packet.frame;
  const head = padStart(String(f.number), 5) + ' ' + padStart(relTimeDigits(r.relSec, r.relNsec, digits), 10) + ' ';
  if (cols) return head + pairText(cols.source, cols.destination) + ' ' + cols.protocol + ' ' + f.origLen + ' ' + cols.info;
  scan(r);
  return head + addressPair(addrLayer, f.data) + ' ' + scanProtocol + ' ' + f.origLen + ' ' + scanInfo;
}
