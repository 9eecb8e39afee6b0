/** tcp.* and udp.* fields. Header fields exist only as far as the header was captured, as in tshark. */
import type { FieldDef, FieldValue } from './registry.js';
import { bool, bytes, int, proto, reltime, str, uhex, uint } from './make.js';
import { eachLayer } from './frame.js';
import type { PacketRecord } from '../record.js';
import { optionCode, type TcpLayer, type TcpOption } from '../decode/types.js';
import { seqOffset } from '../core/seq.js';
import type { TcpInfo } from '../tcp/types.js';
import type { QuotedTcpInfo } from '../tcp/quoted.js';

/**
 * A fixed header field at byte `at` of size `size`. tshark adds the ports first and then needs
 * the whole 20-byte fixed header for anything else, so a shorter capture shows only the ports.
 */
function fixed(at: number, size: number, f: (l: TcpLayer) => number) {
  const need = at < 4 ? at + size : 20;
  // A header quoted by an ICMP error that names its connection (16 bytes or more) shows each field quoted.
  const needQuoted = Math.max(16, at + size);
  return eachLayer('tcp', (l, _d, out) => { if (l.captured >= (l.inError ? Math.min(need, needQuoted) : need)) out.push(f(l)); });
}

/** A value computed by the in-order pass (needs the whole fixed header). */
function computed(f: (t: TcpInfo, l: TcpLayer) => FieldValue | undefined) {
  return (r: PacketRecord, out: FieldValue[]): void => {
    const t = r.tcp, l = r.packet.tcp;
    if (!t || !l) return;
    const v = f(t, l);
    if (v !== undefined) out.push(v);
  };
}

function flagBit(bit: number) {
  return fixed(12, 2, (l) => (l.flags & bit ? 1 : 0));
}

/** Push values of every decoded option of one kind (a malformed one is `kind: 'other'` and is left out). */
function eachOption<K extends TcpOption['kind']>(kind: K, f: (o: Extract<TcpOption, { kind: K }>, l: TcpLayer, r: PacketRecord, d: Uint8Array, out: FieldValue[]) => void) {
  const isKind = (o: TcpOption): o is Extract<TcpOption, { kind: K }> => o.kind === kind;
  return (r: PacketRecord, out: FieldValue[]): void => {
    const d = r.packet.frame.data;
    for (const l of r.packet.layers) {
      if (l.kind !== 'tcp') continue;
      for (const o of l.options) if (isKind(o)) f(o, l, r, d, out);
    }
  };
}

/** tcp.flags.str: 12 positions, RRRACEUAPRSF, with U+00B7 for clear bits. */
export function flagsString(flags: number): string {
  const letters = 'RRRACEUAPRSF';
  let s = '';
  for (let i = 0; i < 12; i++) s += flags & (1 << (11 - i)) ? letters[i] : '\u00b7';
  return s;
}

/** A short segment (TcpInfo.short) shows its raw numbers, as tshark does. */
const seqRel = computed((t, l) => (t.short ? l.seq : t.seq));
/** In a header quoted by an ICMP error tshark shows the raw number as tcp.seq, and no tcp.seq_raw. */
const quotedSeq = eachLayer('tcp', (l, _d, out) => { if (l.quoted && l.captured >= 8) out.push(l.seq); });

/** A value of a TCP header quoted by an ICMP error (src/tcp/quoted.ts), with the header bytes it needs. */
function quoted(f: (q: QuotedTcpInfo) => FieldValue | undefined) {
  return (r: PacketRecord, out: FieldValue[]): void => {
    const q = r.quoted;
    if (!q) return;
    const v = f(q);
    if (v !== undefined) out.push(v);
  };
}
/** Either the segment's computed value or the quoted header's. */
const both = (a: (r: PacketRecord, out: FieldValue[]) => void, b: (r: PacketRecord, out: FieldValue[]) => void) =>
  (r: PacketRecord, out: FieldValue[]): void => { a(r, out); b(r, out); };

const relEdge = (r: PacketRecord, v: number): number => seqOffset(r.tcp?.revBase ?? 0, v);

/** The tcp fields, in the order tshark's protocol tree shows them. */
export const TCP_FIELDS: FieldDef[] = [
  // A protocol pushes its own bytes (the header), as Wireshark's protocol item: len(tcp) and tcp[…]
  // see the header; `tcp contains` searches on through the payload (src/filter/compile.ts).
  proto('tcp', 'Transmission Control Protocol', eachLayer('tcp', (l, d, out) => { out.push(d.subarray(l.offset, l.offset + Math.min(l.captured, Math.max(l.hdrLen, 20)))); })),
  uint('tcp.srcport', 'Source Port', 16, fixed(0, 2, (l) => l.srcPort)),
  uint('tcp.dstport', 'Destination Port', 16, fixed(2, 2, (l) => l.dstPort)),
  uint('tcp.port', 'Source or Destination Port', 16, eachLayer('tcp', (l, _d, out) => {
    if (l.captured >= 2) out.push(l.srcPort);
    if (l.captured >= 4) out.push(l.dstPort);
  })),
  uint('tcp.stream', 'Stream index', 32, both(computed((t) => t.stream), quoted((q) => q.stream))),
  uint('tcp.len', 'TCP Segment Len', 32, computed((t, l) => (t.short ? undefined : l.len))),
  uint('tcp.seq', 'Sequence Number', 32, (r, out) => { seqRel(r, out); quotedSeq(r, out); if (r.quoted?.icmp === 'icmpv6') out.push(r.quoted.tcp.seq); }),
  uint('tcp.seq_raw', 'Sequence Number (raw)', 32, both(eachLayer('tcp', (l, _d, out) => { if (!l.quoted && l.captured >= 20) out.push(l.seq); }),
    // under ICMPv6 tshark shows the quoted seq as raw too, from 16 bytes of header
    (r, out) => { const q = r.quoted; if (q?.icmp === 'icmpv6' && q.tcp.captured < 20) out.push(q.tcp.seq); })),
  uint('tcp.nxtseq', 'Next Sequence Number', 32, computed((t) => (t.short ? undefined : t.nxtseq))),
  uint('tcp.ack', 'Acknowledgment Number', 32, both(computed((t, l) => (t.short ? l.ack : t.ack)), quoted((q) => q.tcp.ack))),
  uint('tcp.ack_raw', 'Acknowledgment number (raw)', 32, fixed(8, 4, (l) => l.ack)),
  uint('tcp.hdr_len', 'Header Length', 8, fixed(12, 1, (l) => l.hdrLen)),
  uhex('tcp.flags', 'Flags', 16, 4, fixed(12, 2, (l) => l.flags)),
  uhex('tcp.flags.res', 'Reserved', null, 1, fixed(12, 2, (l) => l.flags >> 9)),
  bool('tcp.flags.ae', 'Accurate ECN', flagBit(0x100)),
  bool('tcp.flags.cwr', 'Congestion Window Reduced', flagBit(0x080)),
  bool('tcp.flags.ece', 'ECN-Echo', flagBit(0x040)),
  bool('tcp.flags.urg', 'Urgent', flagBit(0x020)),
  bool('tcp.flags.ack', 'Acknowledgment', flagBit(0x010)),
  bool('tcp.flags.push', 'Push', flagBit(0x008)),
  bool('tcp.flags.reset', 'Reset', flagBit(0x004)),
  bool('tcp.flags.syn', 'Syn', flagBit(0x002)),
  bool('tcp.flags.fin', 'Fin', flagBit(0x001)),
  str('tcp.flags.str', 'TCP Flags', eachLayer('tcp', (l, _d, out) => { if (l.captured >= (l.inError ? 16 : 20)) out.push(flagsString(l.flags)); })),
  uint('tcp.window_size_value', 'Window', 16, fixed(14, 2, (l) => l.window)),
  uint('tcp.window_size', 'Calculated window size', 32, both(computed((t) => t.windowSize), quoted((q) => q.windowSize))),
  int('tcp.window_size_scalefactor', 'Window size scaling factor', 32, both(computed((t) => t.scaleFactor), quoted((q) => q.scaleFactor))),
  uhex('tcp.checksum', 'Checksum', 16, 4, fixed(16, 2, (l) => l.checksum)),
  uint('tcp.urgent_pointer', 'Urgent Pointer', 16, fixed(18, 2, (l) => l.urgent)),
  bytes('tcp.options', 'Options', eachLayer('tcp', (l, d, out) => {
    if (l.hdrLen > 20 && l.captured >= l.hdrLen) out.push(d.subarray(l.offset + 20, l.offset + l.hdrLen));
  })),
  uint('tcp.option_kind', 'Kind', 8, (r, out) => { for (const l of r.packet.layers) if (l.kind === 'tcp') for (const o of l.options) out.push(optionCode(o)); }),
  uint('tcp.options.mss_val', 'MSS Value', 16, eachOption(2, (o, _l, _r, _d, out) => { out.push(o.mss); })),
  uint('tcp.options.wscale.shift', 'Shift count', 8, eachOption(3, (o, _l, _r, _d, out) => { out.push(o.shift); })),
  uint('tcp.options.wscale.multiplier', 'Multiplier', 16, eachOption(3, (o, _l, _r, _d, out) => { out.push(2 ** Math.min(o.shift, 14)); })),
  bytes('tcp.options.sack_perm', 'TCP SACK Permitted Option', eachOption(4, (o, _l, _r, d, out) => { out.push(d.subarray(o.offset, o.offset + o.length)); })),
  uint('tcp.options.sack_le', 'left edge', 32, eachOption(5, (o, _l, r, _d, out) => {
    for (const b of o.blocks) out.push(relEdge(r, b[0]));
  })),
  uint('tcp.options.sack_re', 'right edge', 32, eachOption(5, (o, _l, r, _d, out) => {
    for (const b of o.blocks) out.push(relEdge(r, b[1]));
  })),
  uint('tcp.options.timestamp.tsval', 'Timestamp value', 32, eachOption(8, (o, _l, _r, _d, out) => { out.push(o.tsval); })),
  uint('tcp.options.timestamp.tsecr', 'Timestamp echo reply', 32, eachOption(8, (o, _l, _r, _d, out) => { out.push(o.tsecr); })),
  reltime('tcp.time_relative', 'Time since first frame in this TCP stream', both(computed((t) => [t.relSec, t.relNsec]), quoted((q) => (q.hasTimes ? [q.relSec, q.relNsec] : undefined)))),
  reltime('tcp.time_delta', 'Time since previous frame in this TCP stream', both(computed((t) => [t.deltaSec, t.deltaNsec]), quoted((q) => (q.hasTimes ? [q.deltaSec, q.deltaNsec] : undefined)))),
  bytes('tcp.payload', 'TCP payload', (r, out) => {
    const l = r.packet.tcp;
    if (l && l.payloadCaptured > 0 && l.len > 0) out.push(r.packet.frame.data.subarray(l.payloadOffset, l.payloadOffset + Math.min(l.payloadCaptured, l.len)));
  }),

  proto('udp', 'User Datagram Protocol', eachLayer('udp', (l, d, out) => { out.push(d.subarray(l.offset, l.offset + Math.min(l.captured, 8))); })),
  uint('udp.srcport', 'Source Port', 16, eachLayer('udp', (l, _d, out) => { out.push(l.srcPort); })),
  uint('udp.dstport', 'Destination Port', 16, eachLayer('udp', (l, _d, out) => { out.push(l.dstPort); })),
  uint('udp.port', 'Source or Destination Port', 16, eachLayer('udp', (l, _d, out) => { out.push(l.srcPort, l.dstPort); })),
  uint('udp.length', 'Length', 16, eachLayer('udp', (l, _d, out) => { out.push(l.length); })),
  uhex('udp.checksum', 'Checksum', 16, 4, eachLayer('udp', (l, _d, out) => { out.push(l.checksum); })),
];
