/**
 * The data of the TCP sequence analysis as Wireshark 4.0 reports it: which analysis flags
 * exist, in which order it adds them to a packet, and which expert items (severity and field)
 * each one raises. The words (Info-column labels, expert summaries, why-sentences) are built
 * in src/render/ (info-labels.ts, findings.ts).
 */
import { TcpA } from './types.js';

export type Severity = 'error' | 'warn' | 'note' | 'chat';

/**
 * An analysis flag, named by its key in `TcpA`. The findings, the Info labels and the i18n
 * catalogues (src/i18n/analysis.ts) are keyed by this type, so a flag without a text does not
 * compile.
 */
export type AnalysisFlag = keyof typeof TcpA;

/**
 * Analysis flags in the order Wireshark adds them: each adds its Info label in front of the
 * column (so the one added last is shown first) and its expert item(s), the first of which is
 * the flag's own field.
 */
export const ANALYSIS_ORDER = [
  { flag: 'REUSED_PORTS', items: [['note', 'tcp.analysis.reused_ports']] },
  { flag: 'SPURIOUS_RETRANSMISSION', items: [['note', 'tcp.analysis.spurious_retransmission'], ['note', 'tcp.analysis.retransmission']] },
  { flag: 'RETRANSMISSION', items: [['note', 'tcp.analysis.retransmission']] },
  { flag: 'FAST_RETRANSMISSION', items: [['note', 'tcp.analysis.fast_retransmission'], ['note', 'tcp.analysis.retransmission']] },
  { flag: 'OUT_OF_ORDER', items: [['warn', 'tcp.analysis.out_of_order']] },
  { flag: 'LOST_PACKET', items: [['warn', 'tcp.analysis.lost_segment']] },
  { flag: 'ACK_LOST_PACKET', items: [['warn', 'tcp.analysis.ack_lost_segment']] },
  { flag: 'WINDOW_UPDATE', items: [['chat', 'tcp.analysis.window_update']] },
  { flag: 'WINDOW_FULL', items: [['warn', 'tcp.analysis.window_full']] },
  { flag: 'KEEP_ALIVE', items: [['note', 'tcp.analysis.keep_alive']] },
  { flag: 'KEEP_ALIVE_ACK', items: [['note', 'tcp.analysis.keep_alive_ack']] },
  { flag: 'DUPLICATE_ACK', items: [['note', 'tcp.analysis.duplicate_ack']] },
  { flag: 'ZERO_WINDOW_PROBE', items: [['note', 'tcp.analysis.zero_window_probe']] },
  { flag: 'ZERO_WINDOW', items: [['warn', 'tcp.analysis.zero_window']] },
  { flag: 'ZERO_WINDOW_PROBE_ACK', items: [['note', 'tcp.analysis.zero_window_probe_ack']] },
] as const satisfies ReadonlyArray<{ flag: AnalysisFlag; items: ReadonlyArray<readonly [Severity, string]> }>;

/** The field of an analysis expert item, e.g. `tcp.analysis.retransmission`. */
export type AnalysisField = (typeof ANALYSIS_ORDER)[number]['items'][number][1];

/** The flags of a `TcpInfo.analysis` bit set, in Wireshark's order, with their expert items. */
export function analysisFlags(bits: number): Array<(typeof ANALYSIS_ORDER)[number]> {
  return bits ? ANALYSIS_ORDER.filter((e) => bits & TcpA[e.flag]) : [];
}

/** Compile-time check: every flag of TcpA has its place in ANALYSIS_ORDER. */
const everyFlagOrdered: [Exclude<AnalysisFlag, (typeof ANALYSIS_ORDER)[number]['flag']>] extends [never] ? true : false = true;
void everyFlagOrdered;
