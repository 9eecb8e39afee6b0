/**
 * The TCP expert items Wireshark 4.0 attaches to a packet (what `tshark -z expert` counts),
 * in the order they appear in its packet tree: flags (RST, SYN, FIN, closing roles), options
 * (D-SACK, bad option lengths), then the sequence analysis.
 */
import type { PacketRecord } from '../record.js';
import { TcpFlag } from '../decode/types.js';
import { TcpA, type TcpInfo } from './types.js';
import { TcpEvent } from './analysis.js';

export type Severity = 'error' | 'warn' | 'note' | 'chat';

export interface ExpertItem {
  severity: Severity;
  group: string;
  protocol: string;
  /** the summary text, as tshark prints it */
  summary: string;
  /** the field the item belongs to (a display filter finds the packet with it) */
  field: string;
}

const item = (severity: Severity, field: string, summary: string): ExpertItem => ({ severity, group: 'Sequence', protocol: 'TCP', summary, field });

/**
 * Analysis flags in the order Wireshark prints them: each adds its Info label in front of the
 * column (so the one added last is shown first) and its expert item(s).
 */
export const ANALYSIS_ORDER: Array<{ bit: number; label: string; items: Array<[Severity, string, string]> }> = [
  { bit: TcpA.REUSED_PORTS, label: '[TCP Port numbers reused]',
    items: [['note', 'tcp.analysis.reused_ports', 'A new tcp session is started with the same ports as an earlier session in this trace']] },
  { bit: TcpA.SPURIOUS_RETRANSMISSION, label: '[TCP Spurious Retransmission]',
    items: [['note', 'tcp.analysis.spurious_retransmission', 'This frame is a (suspected) spurious retransmission'],
      ['note', 'tcp.analysis.retransmission', 'This frame is a (suspected) retransmission']] },
  { bit: TcpA.RETRANSMISSION, label: '[TCP Retransmission]', items: [['note', 'tcp.analysis.retransmission', 'This frame is a (suspected) retransmission']] },
  { bit: TcpA.FAST_RETRANSMISSION, label: '[TCP Fast Retransmission]',
    items: [['note', 'tcp.analysis.fast_retransmission', 'This frame is a (suspected) fast retransmission'],
      ['note', 'tcp.analysis.retransmission', 'This frame is a (suspected) retransmission']] },
  { bit: TcpA.OUT_OF_ORDER, label: '[TCP Out-Of-Order]', items: [['warn', 'tcp.analysis.out_of_order', 'This frame is a (suspected) out-of-order segment']] },
  { bit: TcpA.LOST_PACKET, label: '[TCP Previous segment not captured]',
    items: [['warn', 'tcp.analysis.lost_segment', 'Previous segment(s) not captured (common at capture start)']] },
  { bit: TcpA.ACK_LOST_PACKET, label: '[TCP ACKed unseen segment]',
    items: [['warn', 'tcp.analysis.ack_lost_segment', "ACKed segment that wasn't captured (common at capture start)"]] },
  { bit: TcpA.WINDOW_UPDATE, label: '[TCP Window Update]', items: [['chat', 'tcp.analysis.window_update', 'TCP window update']] },
  { bit: TcpA.WINDOW_FULL, label: '[TCP Window Full]', items: [['warn', 'tcp.analysis.window_full', 'TCP window specified by the receiver is now completely full']] },
  { bit: TcpA.KEEP_ALIVE, label: '[TCP Keep-Alive]', items: [['note', 'tcp.analysis.keep_alive', 'TCP keep-alive segment']] },
  { bit: TcpA.KEEP_ALIVE_ACK, label: '[TCP Keep-Alive ACK]', items: [['note', 'tcp.analysis.keep_alive_ack', 'ACK to a TCP keep-alive segment']] },
  { bit: TcpA.DUPLICATE_ACK, label: '[TCP Dup ACK %f#%n]', items: [['note', 'tcp.analysis.duplicate_ack', 'Duplicate ACK (#%n)']] },
  { bit: TcpA.ZERO_WINDOW_PROBE, label: '[TCP ZeroWindowProbe]', items: [['note', 'tcp.analysis.zero_window_probe', 'TCP Zero Window Probe']] },
  { bit: TcpA.ZERO_WINDOW, label: '[TCP ZeroWindow]', items: [['warn', 'tcp.analysis.zero_window', 'TCP Zero Window segment']] },
  { bit: TcpA.ZERO_WINDOW_PROBE_ACK, label: '[TCP ZeroWindowProbeAck]', items: [['note', 'tcp.analysis.zero_window_probe_ack', 'ACK to a TCP Zero Window Probe']] },
];

/** Fill in the dup-ACK frame (%f) and number (%n). */
const dupText = (text: string, t: TcpInfo): string =>
  text.replace('%f', String(t.an?.dupAckFrame ?? 0)).replace('%n', String(t.an?.dupAckNum ?? 0));

/** The labels tshark puts in front of the Info column, e.g. `[TCP Dup ACK 5#1] ` (empty when none). */
export function analysisPrefix(t: TcpInfo): string {
  const a = t.analysis;
  if (!a) return '';
  let s = '';
  for (const e of ANALYSIS_ORDER) if (a & e.bit) s = `${dupText(e.label, t)} ${s}`;
  return s;
}

/** Every TCP expert item of one packet, in tree order. */
export function tcpExpertItems(r: PacketRecord): ExpertItem[] {
  const l = r.packet.tcp, t = r.tcp;
  if (!l || !t) return [];
  const out: ExpertItem[] = [];
  const f = l.flags;
  if (t.events & TcpEvent.TFO_ACK) out.push(item('note', 'tcp.analysis.tfo_ack', 'TCP SYN-ACK accepting TFO data'));
  if (t.events & TcpEvent.TFO_IGNORED) out.push(item('note', 'tcp.analysis.tfo_ignored', 'TCP SYN-ACK ignoring TFO data'));
  if (f & TcpFlag.RST) out.push(item('warn', 'tcp.connection.rst', 'Connection reset (RST)'));
  if (f & TcpFlag.SYN) {
    if (f & TcpFlag.ACK) out.push(item('chat', 'tcp.connection.synack', `Connection establish acknowledge (SYN+ACK): server port ${l.srcPort}`));
    else out.push(item('chat', 'tcp.connection.syn', `Connection establish request (SYN): server port ${l.dstPort}`));
  }
  if (f & TcpFlag.FIN) out.push(item('chat', 'tcp.connection.fin', 'Connection finish (FIN)'));
  if (t.events & TcpEvent.FIN_ACTIVE) out.push(item('note', 'tcp.connection.fin_active', 'This frame initiates the connection closing'));
  if (t.events & TcpEvent.FIN_PASSIVE) out.push(item('note', 'tcp.connection.fin_passive', 'This frame undergoes the connection closing'));
  // Options (tshark stops here when the header was cut short by the snapshot length).
  let mss = false;
  for (const o of l.options) {
    if (o.kind === 2) mss = true;
    if ('unknown' in o && o.malformed && /^option length should be \d+$/.test(o.malformed)) out.push(item('note', 'tcp.option.len.invalid', o.malformed));
    else if (o.kind === 5 && (t.events & TcpEvent.DSACK)) out.push(item('warn', 'tcp.options.sack.dsack', 'D-SACK Sequence'));
  }
  if (l.captured < l.hdrLen) return out;
  if ((f & TcpFlag.SYN) && l.options.length && !mss) out.push({ ...item('note', 'tcp.options.mss.absent', 'The SYN packet does not contain a MSS option'), group: 'Protocol' });
  const a = t.analysis;
  if (a) {
    for (const e of ANALYSIS_ORDER) {
      if (!(a & e.bit)) continue;
      for (const [sev, field, text] of e.items) out.push(item(sev, field, dupText(text, t)));
    }
  }
  return out;
}
