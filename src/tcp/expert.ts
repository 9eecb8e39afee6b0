/**
 * The data of the TCP sequence analysis as Wireshark 4.0 reports it: which analysis flags
 * exist, in which order it adds them to a packet, and which expert items (severity and field)
 * each one raises. The words (Info-column labels, expert summaries, why-sentences) are built
 * in src/render/ (info-labels.ts, findings.ts).
 */
import { TcpA } from './types.js';
import { ANALYSIS_FLAGS_EXPERT_ORDER, type AnalysisFlagName, type AnalysisFlagRow } from './vocab.js';

export type Severity = 'error' | 'warn' | 'note' | 'chat';

/**
 * An analysis flag, named by its key in `TcpA`. The findings, the Info labels and the i18n
 * catalogues (src/i18n/analysis.ts) are keyed by this type, so a flag without a text does not
 * compile.
 */
export type AnalysisFlag = AnalysisFlagName;

export interface AnalysisOrderEntry {
  readonly flag: AnalysisFlag;
  /** the expert items the flag raises, the flag's own field first */
  readonly items: ReadonlyArray<readonly [Severity, AnalysisField]>;
}

/** The field of an analysis expert item, e.g. `tcp.analysis.retransmission`. */
export type AnalysisField = AnalysisFlagRow['field'];

/**
 * Analysis flags in the order Wireshark adds them (derived from the table in vocab.ts): each
 * adds its Info label in front of the column (so the one added last is shown first) and its
 * expert item(s), the first of which is the flag's own field.
 */
export const ANALYSIS_ORDER: readonly AnalysisOrderEntry[] = ANALYSIS_FLAGS_EXPERT_ORDER.map((r) => ({
  flag: r.name,
  items: r.alsoRetransmission ? [[r.severity, r.field], ['note', 'tcp.analysis.retransmission']] : [[r.severity, r.field]],
}));

/** The flags of a `TcpInfo.analysis` bit set, in Wireshark's order, with their expert items. */
export function analysisFlags(bits: number): AnalysisOrderEntry[] {
  return bits ? ANALYSIS_ORDER.filter((e) => bits & TcpA[e.flag]) : [];
}

