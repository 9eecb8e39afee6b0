/**
 * The words tshark 4.0 shows for the TCP sequence analysis, in its own English (they are
 * compared with tshark's output, not translated): the labels in front of the Info column
 * (`[TCP Dup ACK 5#1] `) and the expert items `tshark -z expert` counts. Which flags a packet
 * has and in what order is data from src/tcp/expert.ts.
 */
import type { PacketRecord } from '../record.js';
import { optionCode, TcpFlag } from '../decode/types.js';
import type { TcpInfo } from '../tcp/types.js';
import { TcpEvent } from '../tcp/analysis.js';
import { analysisFlags, type AnalysisField, type AnalysisFlag, type Severity } from '../tcp/expert.js';

export type { Severity } from '../tcp/expert.js';

export interface ExpertItem {
  severity: Severity;
  group: string;
  protocol: string;
  /** the summary text, as tshark prints it */
  summary: string;
  /** the field the item belongs to (a display filter finds the packet with it) */
  field: string;
}

/** Info-column label of each flag; `%f` is the dup-ACK's frame, `%n` its number. */
export const INFO_LABELS: Readonly<Record<AnalysisFlag, string>> = {
  REUSED_PORTS: '[TCP Port numbers reused]',
  SPURIOUS_RETRANSMISSION: '[TCP Spurious Retransmission]',
  RETRANSMISSION: '[TCP Retransmission]',
  FAST_RETRANSMISSION: '[TCP Fast Retransmission]',
  OUT_OF_ORDER: '[TCP Out-Of-Order]',
  LOST_PACKET: '[TCP Previous segment not captured]',
  ACK_LOST_PACKET: '[TCP ACKed unseen segment]',
  WINDOW_UPDATE: '[TCP Window Update]',
  WINDOW_FULL: '[TCP Window Full]',
  KEEP_ALIVE: '[TCP Keep-Alive]',
  KEEP_ALIVE_ACK: '[TCP Keep-Alive ACK]',
  DUPLICATE_ACK: '[TCP Dup ACK %f#%n]',
  ZERO_WINDOW_PROBE: '[TCP ZeroWindowProbe]',
  ZERO_WINDOW: '[TCP ZeroWindow]',
  ZERO_WINDOW_PROBE_ACK: '[TCP ZeroWindowProbeAck]',
};

/** Expert summary of each analysis item, by its field; `%n` is the dup-ACK's number. */
export const EXPERT_SUMMARIES: Readonly<Record<AnalysisField, string>> = {
  'tcp.analysis.reused_ports': 'A new tcp session is started with the same ports as an earlier session in this trace',
  'tcp.analysis.spurious_retransmission': 'This frame is a (suspected) spurious retransmission',
  'tcp.analysis.retransmission': 'This frame is a (suspected) retransmission',
  'tcp.analysis.fast_retransmission': 'This frame is a (suspected) fast retransmission',
  'tcp.analysis.out_of_order': 'This frame is a (suspected) out-of-order segment',
  'tcp.analysis.lost_segment': 'Previous segment(s) not captured (common at capture start)',
  'tcp.analysis.ack_lost_segment': "ACKed segment that wasn't captured (common at capture start)",
  'tcp.analysis.window_update': 'TCP window update',
  'tcp.analysis.window_full': 'TCP window specified by the receiver is now completely full',
  'tcp.analysis.keep_alive': 'TCP keep-alive segment',
  'tcp.analysis.keep_alive_ack': 'ACK to a TCP keep-alive segment',
  'tcp.analysis.duplicate_ack': 'Duplicate ACK (#%n)',
  'tcp.analysis.zero_window_probe': 'TCP Zero Window Probe',
  'tcp.analysis.zero_window': 'TCP Zero Window segment',
  'tcp.analysis.zero_window_probe_ack': 'ACK to a TCP Zero Window Probe',
};

/** Fill in the dup-ACK frame (%f) and number (%n). */
export const dupText = (text: string, t: TcpInfo): string =>
  text.replace('%f', String(t.an?.dupAckFrame ?? 0)).replace('%n', String(t.an?.dupAckNum ?? 0));

/** The Info label of one flag on this packet, e.g. `[TCP Dup ACK 5#1]`. */
export const infoLabel = (flag: AnalysisFlag, t: TcpInfo): string => dupText(INFO_LABELS[flag], t);

/** The labels tshark puts in front of the Info column, e.g. `[TCP Dup ACK 5#1] ` (empty when none). */
export function analysisPrefix(t: TcpInfo): string {
  let s = '';
  for (const e of analysisFlags(t.analysis)) s = `${infoLabel(e.flag, t)} ${s}`;
  return s;
}

const item = (severity: Severity, field: string, summary: string): ExpertItem => ({ severity, group: 'Sequence', protocol: 'TCP', summary, field });

/**
 * Every TCP expert item of one packet, in the order of its packet tree: flags (RST, SYN, FIN,
 * closing roles), options (D-SACK, bad option lengths), then the sequence analysis.
 */
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
    // A malformed MSS still counts as one, and a malformed SACK still carries the D-SACK item, as in tshark.
    const code = optionCode(o);
    if (code === 2) mss = true;
    if (o.kind === 'other' && o.malformed && /^option length should be \d+$/.test(o.malformed)) out.push(item('note', 'tcp.option.len.invalid', o.malformed));
    else if (code === 5 && (t.events & TcpEvent.DSACK)) out.push(item('warn', 'tcp.options.sack.dsack', 'D-SACK Sequence'));
  }
  if (l.captured < l.hdrLen) return out;
  if ((f & TcpFlag.SYN) && l.options.length && !mss) out.push({ ...item('note', 'tcp.options.mss.absent', 'The SYN packet does not contain a MSS option'), group: 'Protocol' });
  for (const e of analysisFlags(t.analysis)) {
    for (const [sev, field] of e.items) out.push(item(sev, field, dupText(EXPERT_SUMMARIES[field], t)));
  }
  return out;
}
