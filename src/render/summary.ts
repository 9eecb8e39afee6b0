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
import type { ColumnOp } from '../app/types.js';
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

/**
 * UTF-8 bytes of a line, written straight into one reused buffer: the packet list writes
 * numbers as digits and cached texts as bytes, without a string per column.
 */
class LineBytes {
  buf = new Uint8Array(1024);
  pos = 0;

  room(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const grown = new Uint8Array(Math.max(2 * this.buf.length, this.pos + n));
    grown.set(this.buf.subarray(0, this.pos));
    this.buf = grown;
  }

  /** A string as UTF-8 (a lone surrogate becomes U+FFFD, as Node's and the browser's encoders write it). */
  str(s: string): void {
    this.room(3 * s.length);
    const b = this.buf;
    let p = this.pos;
    for (let i = 0; i < s.length; i++) {
      let c = s.charCodeAt(i);
      if (c < 0x80) { b[p++] = c; continue; }
      if (c < 0x800) { b[p++] = 0xc0 | (c >> 6); b[p++] = 0x80 | (c & 63); continue; }
      if (c >= 0xd800 && c < 0xe000) {
        const d = i + 1 < s.length ? s.charCodeAt(i + 1) : 0;
        if (c < 0xdc00 && d >= 0xdc00 && d < 0xe000) {
          c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
          i++;
          b[p++] = 0xf0 | (c >> 18); b[p++] = 0x80 | ((c >> 12) & 63); b[p++] = 0x80 | ((c >> 6) & 63); b[p++] = 0x80 | (c & 63);
          continue;
        }
        c = 0xfffd;
      }
      b[p++] = 0xe0 | (c >> 12); b[p++] = 0x80 | ((c >> 6) & 63); b[p++] = 0x80 | (c & 63);
    }
    this.pos = p;
  }

  bytes(src: Uint8Array): void {
    const n = src.length;
    this.room(n);
    if (n > 64) { this.buf.set(src, this.pos); this.pos += n; return; }
    // a loop beats set() on the few bytes of a column text
    const b = this.buf;
    let p = this.pos;
    for (let i = 0; i < n; i++) b[p++] = src[i]!;
    this.pos = p;
  }

  /** A number as tshark prints it: non-negative integers digit by digit, anything else as JavaScript writes it. */
  num(n: number): void {
    if ((n >>> 0) === n || (n >= 0 && n <= Number.MAX_SAFE_INTEGER && Math.floor(n) === n)) this.pad(n, 0);
    else this.str(String(n));
  }

  /** A non-negative integer right-aligned in `width` (spaces in front). */
  pad(n: number, width: number): void {
    const digits = n < 1e4 ? (n < 10 ? 1 : n < 100 ? 2 : n < 1e3 ? 3 : 4)
      : n < 1e8 ? (n < 1e5 ? 5 : n < 1e6 ? 6 : n < 1e7 ? 7 : 8)
      : n < 1e9 ? 9 : n < 1e10 ? 10 : String(n).length;
    this.room(digits > width ? digits : width);
    const b = this.buf;
    let p = this.pos;
    for (let k = digits; k < width; k++) b[p++] = 32;
    let end = p + digits;
    this.pos = end;
    let v = n;
    // Integer division without the remainder operator (slow on numbers above 2^31), two digits a step.
    while (v > 0xffffffff) { const q = Math.floor(v / 10); b[--end] = 48 + (v - 10 * q); v = q; }
    while (v >= 100) {
      const q = (v / 100) >>> 0;
      const r = 2 * (v - 100 * q);
      b[--end] = DIGIT_PAIRS[r + 1]!;
      b[--end] = DIGIT_PAIRS[r]!;
      v = q;
    }
    if (v >= 10) { b[--end] = DIGIT_PAIRS[2 * v + 1]!; b[--end] = DIGIT_PAIRS[2 * v]!; }
    else b[--end] = 48 + v;
  }

  /** A string written often (a protocol name, a note the application layer appends), from its cached bytes. */
  known(s: string): void {
    let b = KNOWN.get(s);
    if (!b) {
      if (KNOWN.size >= 1024) KNOWN.clear();
      b = utf8(s);
      KNOWN.set(s, b);
    }
    this.bytes(b);
  }

  /** `digits` decimals of `v` (an integer below 10^digits), zero-filled in front. */
  frac(v: number, digits: number): void {
    this.room(digits);
    const b = this.buf;
    let end = this.pos + digits;
    this.pos = end;
    for (let k = 0; k < digits; k++) { const q = (v / 10) >>> 0; b[--end] = 48 + (v - 10 * q); v = q; }
  }

  byte(c: number): void { this.room(1); this.buf[this.pos++] = c; }
}

/** "00" … "99" as ASCII digits, two bytes each */
const DIGIT_PAIRS = new Uint8Array(200);
for (let i = 0; i < 100; i++) { DIGIT_PAIRS[2 * i] = 48 + Math.floor(i / 10); DIGIT_PAIRS[2 * i + 1] = 48 + (i % 10); }
const KNOWN = new Map<string, Uint8Array>();

const utf8 = (s: string): Uint8Array => { const w = new LineBytes(); w.str(s); return w.buf.slice(0, w.pos); };
const ARROW = utf8(' \u2192 ');
const T_SEQ = utf8(' Seq='), T_ACK = utf8(' Ack='), T_WIN = utf8(' Win='), T_URG = utf8(' Urg='), T_LEN = utf8(' Len=');
const T_MSS = utf8(' MSS='), T_WS = utf8(' WS='), T_SACK_PERM = utf8(' SACK_PERM'), T_SLE = utf8(' SLE='), T_SRE = utf8(' SRE=');
const T_TSVAL = utf8(' TSval='), T_TSECR = utf8(' TSecr=');
/** ` [SYN, ACK]` as bytes, by the 12 flag bits */
const FLAG_BYTES: Uint8Array[] = [];

/** tcpInfo without the analysis labels, written as bytes (this runs for every TCP packet). */
function writeTcpCore(w: LineBytes, t: TcpInfo | undefined, l: TcpLayer): void {
  const f = l.flags;
  // a short segment (t.short): raw numbers and no Len, as tshark shows it
  const rel = t && !t.short ? t : undefined;
  w.num(l.srcPort); w.bytes(ARROW); w.num(l.dstPort);
  w.bytes(FLAG_BYTES[f] ??= utf8(flagText(f)));
  w.bytes(T_SEQ); w.num(rel ? rel.seq : l.seq);
  if (f & TcpFlag.ACK) { w.bytes(T_ACK); w.num(rel ? rel.ack : l.ack); }
  w.bytes(T_WIN); w.num(t ? t.windowSize : l.window);
  if (f & TcpFlag.URG) { w.bytes(T_URG); w.num(l.urgent); }
  if (!t?.short) { w.bytes(T_LEN); w.num(l.len); }
  const opts = l.options;
  for (let i = 0; i < opts.length; i++) {
    const o = opts[i]!;
    switch (o.kind) {
      case 2: w.bytes(T_MSS); w.num(o.mss); break;
      case 3: w.bytes(T_WS); w.num(2 ** Math.min(o.shift, 14)); break;
      case 4: w.bytes(T_SACK_PERM); break;
      case 5: {
        const revBase = t?.revBase ?? 0;
        for (const [le, re] of o.blocks) { w.bytes(T_SLE); w.num(seqOffset(revBase, le)); w.bytes(T_SRE); w.num(seqOffset(revBase, re)); }
        break;
      }
      case 8: w.bytes(T_TSVAL); w.num(o.tsval); w.bytes(T_TSECR); w.num(o.tsecr); break;
    }
  }
}

const decoder = new TextDecoder();
/** for the string forms: its own buffer, so that a string made while a line is being written does not disturb it */
const scratch = new LineBytes();

/** tcpInfo without the analysis labels, as a string. */
function tcpCore(t: TcpInfo | undefined, l: TcpLayer): string {
  scratch.pos = 0;
  writeTcpCore(scratch, t, l);
  return decoder.decode(scratch.buf.subarray(0, scratch.pos));
}

export interface Columns { source: string; destination: string; protocol: string; info: string }

// What `scan` found, kept in module scratch variables rather than an object per packet.
/** the innermost layer with addresses (its kind says how to read them), or undefined */
let addrLayer: Layer | undefined;
let scanProtocol = '';
let scanInfo = '';
/**
 * With `lazy`: the TCP layer whose text is the info column, not made into a string (scanInfo is
 * then empty): the line writes it as bytes, followed by the application layer's appended texts.
 */
let lazyTcp: TcpLayer | undefined;
let lazyOps: readonly ColumnOp[] | undefined;

/** A set or clear before any fence: TCP's text (after its labels) is replaced, whatever it was. */
const replacesCore = (ops: readonly ColumnOp[]): boolean => {
  for (let i = 0; i < ops.length; i++) { const k = ops[i]!.op; if (k === 'set' || k === 'clear') return true; if (k === 'fence') return false; }
  return false;
};

/** Only appends (no set or clear): the info is TCP's text with these texts after it. */
const appendsOnly = (ops: readonly ColumnOp[]): boolean => {
  for (let i = 0; i < ops.length; i++) { const k = ops[i]!.op; if (k === 'set' || k === 'clear') return false; }
  return true;
};

/**
 * Protocol and info of a packet from its innermost decoded layers, and which layer gives the
 * addresses (formatted later, so that outer layers cost nothing). Results in the scratch above.
 */
function scan(r: PacketRecord, lazy: boolean): void {
  const p = r.packet;
  let addr: Layer | undefined;
  let tcpText: TcpLayer | undefined;
  let protocol = '', info = '';
  let fence = -1;
  const layers = p.layers;
  layers: for (let i = 0; i < layers.length; i++) {
    const l = layers[i]!;
    switch (l.kind) {
      // ICMP names the packet; the headers an ICMP error quotes do not change the columns.
      case 'icmp': case 'icmpv6': protocol = l.kind === 'icmp' ? 'ICMP' : 'ICMPv6'; info = ''; fence = -1; tcpText = undefined; break layers;
      case 'llc': protocol = 'LLC'; break;
      case 'eth': addr = l; protocol = 'ETH'; info = ''; fence = -1; tcpText = undefined; break;
      case 'sll': protocol = 'SLL'; break;
      case 'ipv4': addr = l; protocol = 'IPv4'; info = ipv4Info(l.proto); fence = -1; tcpText = undefined; break;
      case 'ipv6': addr = l; protocol = 'IPv6'; info = ipv4Info(l.upperProto); fence = -1; tcpText = undefined; break;
      case 'tcp': {
        protocol = 'TCP';
        tcpText = undefined;
        if (l.captured >= 20 && lazy && (!r.app || appendsOnly(r.app.ops))) { tcpText = l; info = ''; fence = 0; }
        else if (l.captured >= 20 && lazy && r.app && replacesCore(r.app.ops)) {
          // The application layer replaces TCP's text (an HTTP line): only the labels in front stay.
          const t = r.tcp;
          info = t && t.analysis ? analysisPrefix(t) : '';
          fence = info.length;
        }
        else if (l.captured >= 20) {
          const t = r.tcp;
          const core = tcpCore(t, l);
          if (t && t.analysis) { const pre = analysisPrefix(t); info = pre + core; fence = pre.length; }
          else { info = core; fence = 0; }
        } else { info = `${l.srcPort} \u2192 ${l.dstPort} [Packet size limited during capture]`; fence = 0; }
        break;
      }
      case 'udp': protocol = 'UDP'; info = `${l.srcPort} \u2192 ${l.dstPort} Len=${Math.max(0, l.length - 8)}`; fence = -1; tcpText = undefined; break;
      case 'gre': protocol = 'GRE'; info = `Encapsulated 0x${l.protocol.toString(16).padStart(4, '0')}`; fence = -1; tcpText = undefined; break;
      case 'data': {
        const m = /^(ethertype|ip\.proto) (.*)$/.exec(l.what);
        if (m) {
          const n = Number(m[2]);
          const name = m[1] === 'ethertype' ? ETHERTYPE_NAMES[n] : IP_PROTO_NAMES[n];
          protocol = name ?? protocol;
          if (!name) { info = m[1] === 'ethertype' ? `Ethernet II, type 0x${n.toString(16).padStart(4, '0')}` : `IP protocol ${n}`; fence = -1; tcpText = undefined; }
        } else if (l.what === 'llc') { protocol = 'LLC'; }
        break;
      }
      default: break;
    }
  }
  // The application layer (HTTP, TLS, reassembly) has the last word, after TCP's analysis labels
  // (`fence`: where TCP's own text starts, when TCP wrote the info last; else it is searched for).
  lazyTcp = tcpText;
  lazyOps = undefined;
  if (tcpText) {
    // TCP's text stays bytes; the application layer only appends to it (checked above).
    if (r.app) { if (r.app.protocol !== undefined) protocol = r.app.protocol; lazyOps = r.app.ops; }
  } else if (r.app) {
    if (fence >= 0) { const app = r.app; if (app.protocol !== undefined) protocol = app.protocol; info = applyColumnOps(info, fence, app.ops); }
    else ({ protocol, info } = appColumns(r, protocol, info));
  }
  if (!info && !tcpText && p.problems.length) info = p.problems[0]!.message;
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
  scan(r, false);
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
 * `      source → destination ` with tshark's widths, as bytes, cached by the two addresses: a
 * conversation's lines repeat the same two pairs. Direct-mapped: a slot holds one pair, keyed
 * by its kind (4, 6) and its address words; a collision just formats again.
 */
const PAIR_SLOTS = 4096;
const pairKeys = new Int32Array(PAIR_SLOTS * 9);
const pairBytes: Uint8Array[] = new Array<Uint8Array>(PAIR_SLOTS).fill(new Uint8Array(0));
const words = new Int32Array(9);

const word = (d: Uint8Array, o: number): number => (d[o]! << 24) | (d[o + 1]! << 16) | (d[o + 2]! << 8) | d[o + 3]!;

function addressPair(l: Layer | undefined, d: Uint8Array): Uint8Array {
  let n: number;
  if (l?.kind === 'ipv4') { words[0] = 4; words[1] = l.src; words[2] = l.dst; n = 3; }
  else if (l?.kind === 'ipv6') {
    words[0] = 6;
    for (let i = 0; i < 4; i++) { words[1 + i] = word(d, l.srcOffset + 4 * i); words[5 + i] = word(d, l.dstOffset + 4 * i); }
    n = 9;
  } else return utf8(pairText(addressOf(l, d, false), addressOf(l, d, true)));
  let h = 0;
  for (let i = 0; i < n; i++) h = Math.imul(h ^ words[i]!, 0x9e3779b1) ^ (h >>> 15);
  const slot = (h >>> 0) % PAIR_SLOTS;
  const base = slot * 9;
  let hit = true;
  for (let i = 0; i < n; i++) if (pairKeys[base + i] !== words[i]) { hit = false; break; }
  if (hit) return pairBytes[slot]!;
  for (let i = 0; i < n; i++) pairKeys[base + i] = words[i]!;
  const bytes = utf8(pairText(addressOf(l, d, false), addressOf(l, d, true)));
  pairBytes[slot] = bytes;
  return bytes;
}

const pairText = (source: string, destination: string): string => padStart(source, 12) + ' \u2192 ' + destination.padEnd(12);

const POW10 = [1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9];

/** The relative time column: right-aligned in 10, `digits` decimals, truncated. */
function writeTime(w: LineBytes, sec: number, nsec: number, digits: number): void {
  if (sec > 0 && nsec < 0 && nsec > -1e9) { sec -= 1; nsec += 1e9; } // borrow a second (same value)
  if (sec >= 0 && sec <= Number.MAX_SAFE_INTEGER && Math.floor(sec) === sec && nsec >= 0 && nsec < 1e9 && digits >= 1 && digits <= 9 && Math.floor(digits) === digits) {
    w.pad(sec, 10 - 1 - digits);
    w.byte(46); // '.'
    w.frac(Math.floor(nsec / POW10[9 - digits]!), digits);
    return;
  }
  w.str(padStart(relTimeDigits(sec, nsec, digits), 10));
}

const line = new LineBytes();

/**
 * The whole default line as UTF-8 bytes, without its line end: the bytes of summaryLine's text.
 * A view of a buffer that the next call overwrites (copy it or write it out before).
 */
export function summaryBytes(r: PacketRecord, digits: number): Uint8Array {
  const f = r.packet.frame;
  const w = line;
  w.pos = 0;
  w.pad(f.number, 5);
  w.byte(32);
  writeTime(w, r.relSec, r.relNsec, digits);
  w.byte(32);
  scan(r, true);
  w.bytes(addressPair(addrLayer, f.data));
  w.byte(32);
  w.known(scanProtocol);
  w.byte(32);
  w.num(f.origLen);
  w.byte(32);
  const l = lazyTcp;
  if (l) {
    const t = r.tcp;
    if (t && t.analysis) w.str(analysisPrefix(t));
    writeTcpCore(w, t, l);
    const ops = lazyOps;
    if (ops) {
      for (let i = 0; i < ops.length; i++) {
        const o = ops[i]!;
        if (o.op === 'append') w.known(o.text);
        else if (o.op === 'appendSep') { w.known(o.sep); w.known(o.text); } // TCP's text is never empty
      }
    }
  } else w.str(scanInfo);
  return w.buf.subarray(0, w.pos);
}

/** The whole default line, with tshark's column widths. `digits` is the time precision (6 or 9). */
export function summaryLine(r: PacketRecord, digits: number, cols?: Columns): string {
  if (!cols) return decoder.decode(summaryBytes(r, digits));
  const f = r.packet.frame;
  return padStart(String(f.number), 5) + ' ' + padStart(relTimeDigits(r.relSec, r.relNsec, digits), 10) + ' '
    + pairText(cols.source, cols.destination) + ' ' + cols.protocol + ' ' + f.origLen + ' ' + cols.info;
}
