/**
 * tcp.analysis.*, tcp.completeness and the TCP expert items (tcp.connection.*, D-SACK) as
 * Wireshark 4.0 names and prints them. FT_NONE items print "1" in `-T fields` when present.
 * Values come from the in-order pass (src/tcp/analysis.ts).
 */
import type { FieldDef, FieldValue } from './registry.js';
import { reltime, uint } from './make.js';
import type { PacketRecord } from '../record.js';
import type { TcpInfo } from '../tcp/types.js';
import type { TcpAnalysisResult } from '../tcp/analysis.js';
import { TcpEvent } from '../tcp/analysis.js';
import { TcpA } from '../tcp/types.js';
import { optionCode, TcpFlag } from '../decode/types.js';

/** An FT_NONE item: present or not; tshark prints "1". */
const none = (name: string, title: string, has: (t: TcpInfo, flags: number) => boolean): FieldDef => ({
  name, title, type: 'none', text: () => '1',
  get(r: PacketRecord, out: FieldValue[]): void {
    const t = r.tcp;
    if (t && has(t, r.packet.tcp!.flags)) out.push(1);
  },
});

/** A value inside the `[SEQ/ACK analysis]` tree. */
const inTree = (f: (a: TcpAnalysisResult, t: TcpInfo) => number | undefined) => (r: PacketRecord, out: FieldValue[]): void => {
  const a = r.tcp?.an;
  if (!a) return;
  const v = f(a, r.tcp!);
  if (v !== undefined) out.push(v);
};
const nsTime = (f: (a: TcpAnalysisResult) => number | undefined) => (r: PacketRecord, out: FieldValue[]): void => {
  const a = r.tcp?.an;
  const v = a ? f(a) : undefined;
  if (v !== undefined) out.push([0, v]);
};

const flag = (bits: number) => (t: TcpInfo): boolean => (t.analysis & bits) !== 0;
/** Wireshark shows these flags inside `[TCP Analysis Flags]` (everything, reused ports included). */
const ALL = 0x7fff;

/** The analysis fields, in the order tshark's protocol tree shows them. */
export const ANALYSIS_FIELDS: FieldDef[] = [
  none('tcp.analysis', 'SEQ/ACK analysis', (t) => t.an !== undefined),
  none('tcp.analysis.flags', 'TCP Analysis Flags', flag(ALL)),
  none('tcp.analysis.retransmission', 'This frame is a (suspected) retransmission',
    flag(TcpA.RETRANSMISSION | TcpA.FAST_RETRANSMISSION | TcpA.SPURIOUS_RETRANSMISSION)),
  none('tcp.analysis.fast_retransmission', 'This frame is a (suspected) fast retransmission', flag(TcpA.FAST_RETRANSMISSION)),
  none('tcp.analysis.spurious_retransmission', 'This frame is a (suspected) spurious retransmission', flag(TcpA.SPURIOUS_RETRANSMISSION)),
  none('tcp.analysis.out_of_order', 'This frame is a (suspected) out-of-order segment', flag(TcpA.OUT_OF_ORDER)),
  none('tcp.analysis.reused_ports', 'A new tcp session is started with the same ports as an earlier session in this trace', flag(TcpA.REUSED_PORTS)),
  none('tcp.analysis.lost_segment', 'Previous segment(s) not captured (common at capture start)', flag(TcpA.LOST_PACKET)),
  none('tcp.analysis.ack_lost_segment', "ACKed segment that wasn't captured (common at capture start)", flag(TcpA.ACK_LOST_PACKET)),
  none('tcp.analysis.window_update', 'TCP window update', flag(TcpA.WINDOW_UPDATE)),
  none('tcp.analysis.window_full', 'TCP window specified by the receiver is now completely full', flag(TcpA.WINDOW_FULL)),
  none('tcp.analysis.keep_alive', 'TCP keep-alive segment', flag(TcpA.KEEP_ALIVE)),
  none('tcp.analysis.keep_alive_ack', 'ACK to a TCP keep-alive segment', flag(TcpA.KEEP_ALIVE_ACK)),
  // Wireshark adds this item twice: in the flags subtree and beside the dup-ACK number.
  { ...none('tcp.analysis.duplicate_ack', 'Duplicate ACK', flag(TcpA.DUPLICATE_ACK)),
    get(r: PacketRecord, out: FieldValue[]): void { if (r.tcp && (r.tcp.analysis & TcpA.DUPLICATE_ACK)) out.push(1, 1); } },
  uint('tcp.analysis.duplicate_ack_num', 'Duplicate ACK #', 32, inTree((a) => a.dupAckNum || undefined)),
  uint('tcp.analysis.duplicate_ack_frame', 'Duplicate to the ACK in frame', 32, inTree((a) => (a.dupAckNum ? a.dupAckFrame : undefined))),
  none('tcp.analysis.zero_window_probe', 'TCP Zero Window Probe', flag(TcpA.ZERO_WINDOW_PROBE)),
  none('tcp.analysis.zero_window', 'TCP Zero Window segment', flag(TcpA.ZERO_WINDOW)),
  none('tcp.analysis.zero_window_probe_ack', 'ACK to a TCP Zero Window Probe', flag(TcpA.ZERO_WINDOW_PROBE_ACK)),
  uint('tcp.analysis.acks_frame', 'This is an ACK to the segment in frame', 32, inTree((a) => a.acksFrame)),
  reltime('tcp.analysis.ack_rtt', 'The RTT to ACK the segment was', nsTime((a) => (a.acksFrame && a.ackRttNs ? a.ackRttNs : undefined))),
  reltime('tcp.analysis.initial_rtt', 'iRTT', nsTime((a) => a.irttNs)),
  uint('tcp.analysis.bytes_in_flight', 'Bytes in flight', 32, inTree((a) => a.bytesInFlight || undefined)),
  uint('tcp.analysis.push_bytes_sent', 'Bytes sent since last PSH flag', 32, inTree((a) => a.pushBytesSent || undefined)),
  reltime('tcp.analysis.rto', 'The RTO for this segment was', nsTime((a) => a.rtoNs || undefined)),
  uint('tcp.analysis.rto_frame', 'RTO based on delta from frame', 32, inTree((a) => (a.rtoNs ? a.rtoFrame : undefined))),
  uint('tcp.completeness', 'Conversation completeness', 8, (r, out) => { if (r.tcp) out.push(r.tcp.completeness); else if (r.quoted) out.push(r.quoted.completeness); }),
  none('tcp.connection.syn', 'Connection establish request (SYN)', (_t, f) => (f & (TcpFlag.SYN | TcpFlag.ACK)) === TcpFlag.SYN),
  none('tcp.connection.synack', 'Connection establish acknowledge (SYN+ACK)', (_t, f) => (f & (TcpFlag.SYN | TcpFlag.ACK)) === (TcpFlag.SYN | TcpFlag.ACK)),
  none('tcp.connection.fin', 'Connection finish (FIN)', (_t, f) => (f & TcpFlag.FIN) !== 0),
  none('tcp.connection.rst', 'Connection reset (RST)', (_t, f) => (f & TcpFlag.RST) !== 0),
  none('tcp.connection.fin_active', 'This frame initiates the connection closing', (t) => (t.events & TcpEvent.FIN_ACTIVE) !== 0),
  none('tcp.connection.fin_passive', 'This frame undergoes the connection closing', (t) => (t.events & TcpEvent.FIN_PASSIVE) !== 0),
  none('tcp.options.sack.dsack', 'D-SACK Sequence', (t) => (t.events & TcpEvent.DSACK) !== 0),
  none('tcp.analysis.tfo_ack', 'TCP SYN-ACK accepting TFO data', (t) => (t.events & TcpEvent.TFO_ACK) !== 0),
  none('tcp.analysis.tfo_ignored', 'TCP SYN-ACK ignoring TFO data', (t) => (t.events & TcpEvent.TFO_IGNORED) !== 0),
  { ...none('tcp.options.mss.absent', 'The SYN packet does not contain a MSS option', () => false),
    get(r: PacketRecord, out: FieldValue[]): void {
      const l = r.packet.tcp;
      if (r.tcp && l && l.captured >= l.hdrLen && (l.flags & TcpFlag.SYN)
        && l.options.length && !l.options.some((o) => optionCode(o) === 2)) out.push(1);
    } },
];
