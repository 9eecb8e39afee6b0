/**
 * The TCP vocabularies of tcpscope, one `as const` table each, with their types derived from
 * the tables. Other modules (analysis, lifecycle, findings, i18n keys, filters) read these
 * tables instead of keeping parallel lists: add a row here and every derived list follows.
 * Imports nothing (the bottom of src/tcp/).
 */

/**
 * Wireshark's TCP analysis flags (TCP_A_*, shown as tcp.analysis.*), one row per flag:
 *  - `name`: the TcpA key; `bit`: its bit in TcpInfo.analysis;
 *  - `field`: the tcp.analysis.* field (and display filter) the flag sets;
 *  - `anomaly`: the name the lifecycle summary counts it under (null: not counted);
 *  - `expert`: its place in Wireshark's expert/info order (lowest first in the tree; the info
 *    column prepends the labels in this order, so the last one shows first);
 *  - `severity`: the severity of the flag's expert item; `alsoRetransmission`: the flag also
 *    raises the tcp.analysis.retransmission item (fast and spurious retransmissions do).
 * Rows are in the order the lifecycle summary lists anomalies.
 */
export const ANALYSIS_FLAGS = [
  { name: 'RETRANSMISSION', bit: 0x0001, field: 'tcp.analysis.retransmission', anomaly: 'retransmission', expert: 2, severity: 'note', alsoRetransmission: false },
  { name: 'FAST_RETRANSMISSION', bit: 0x0400, field: 'tcp.analysis.fast_retransmission', anomaly: 'fast-retransmission', expert: 3, severity: 'note', alsoRetransmission: true },
  { name: 'SPURIOUS_RETRANSMISSION', bit: 0x4000, field: 'tcp.analysis.spurious_retransmission', anomaly: 'spurious-retransmission', expert: 1, severity: 'note', alsoRetransmission: true },
  { name: 'OUT_OF_ORDER', bit: 0x0200, field: 'tcp.analysis.out_of_order', anomaly: 'out-of-order', expert: 4, severity: 'warn', alsoRetransmission: false },
  { name: 'LOST_PACKET', bit: 0x0002, field: 'tcp.analysis.lost_segment', anomaly: 'lost-segment', expert: 5, severity: 'warn', alsoRetransmission: false },
  { name: 'ACK_LOST_PACKET', bit: 0x0004, field: 'tcp.analysis.ack_lost_segment', anomaly: 'ack-lost-segment', expert: 6, severity: 'warn', alsoRetransmission: false },
  { name: 'DUPLICATE_ACK', bit: 0x0010, field: 'tcp.analysis.duplicate_ack', anomaly: 'dup-ack', expert: 11, severity: 'note', alsoRetransmission: false },
  { name: 'ZERO_WINDOW', bit: 0x0020, field: 'tcp.analysis.zero_window', anomaly: 'zero-window', expert: 13, severity: 'warn', alsoRetransmission: false },
  { name: 'ZERO_WINDOW_PROBE', bit: 0x0040, field: 'tcp.analysis.zero_window_probe', anomaly: 'zero-window-probe', expert: 12, severity: 'note', alsoRetransmission: false },
  { name: 'WINDOW_UPDATE', bit: 0x0800, field: 'tcp.analysis.window_update', anomaly: 'window-update', expert: 7, severity: 'chat', alsoRetransmission: false },
  { name: 'WINDOW_FULL', bit: 0x1000, field: 'tcp.analysis.window_full', anomaly: 'window-full', expert: 8, severity: 'warn', alsoRetransmission: false },
  { name: 'KEEP_ALIVE', bit: 0x0008, field: 'tcp.analysis.keep_alive', anomaly: 'keep-alive', expert: 9, severity: 'note', alsoRetransmission: false },
  { name: 'REUSED_PORTS', bit: 0x2000, field: 'tcp.analysis.reused_ports', anomaly: 'reused-port', expert: 0, severity: 'note', alsoRetransmission: false },
  { name: 'ZERO_WINDOW_PROBE_ACK', bit: 0x0080, field: 'tcp.analysis.zero_window_probe_ack', anomaly: null, expert: 14, severity: 'note', alsoRetransmission: false },
  { name: 'KEEP_ALIVE_ACK', bit: 0x0100, field: 'tcp.analysis.keep_alive_ack', anomaly: null, expert: 10, severity: 'note', alsoRetransmission: false },
] as const;

export type AnalysisFlagRow = (typeof ANALYSIS_FLAGS)[number];
export type AnalysisFlagName = AnalysisFlagRow['name'];

/** Wireshark's TCP_A_* analysis flags (tcp.analysis.*), one bit each: derived from ANALYSIS_FLAGS. */
export const TcpA = Object.freeze(Object.fromEntries(ANALYSIS_FLAGS.map((r) => [r.name, r.bit]))) as {
  readonly [R in AnalysisFlagRow as R['name']]: R['bit'];
};

/** The analysis flags in Wireshark's expert order (see ANALYSIS_FLAGS `expert`). */
export const ANALYSIS_FLAGS_EXPERT_ORDER: readonly AnalysisFlagRow[] = [...ANALYSIS_FLAGS].sort((a, b) => a.expert - b.expert);

/** Anomalies the lifecycle counts that are not analysis flags, with the display filter that shows each. */
export const EXTRA_ANOMALIES = [
  { anomaly: 'sack', filter: 'tcp.options.sack_le' },
] as const;

/** A connection anomaly the lifecycle summary counts. */
export type Anomaly = Exclude<AnalysisFlagRow['anomaly'], null> | (typeof EXTRA_ANOMALIES)[number]['anomaly'];

/** tcp.completeness bits (Wireshark 3.6+), in the order tcp.completeness.str prints them (highest first). */
export const COMPLETENESS_BITS = [
  { name: 'RST', bit: 32, letter: 'R' },
  { name: 'FIN', bit: 16, letter: 'F' },
  { name: 'DATA', bit: 8, letter: 'D' },
  { name: 'ACK', bit: 4, letter: 'A' },
  { name: 'SYN_ACK', bit: 2, letter: 'S' },
  { name: 'SYN', bit: 1, letter: 'S' },
] as const;

type CompletenessRow = (typeof COMPLETENESS_BITS)[number];
/** tcp.completeness bits by name: derived from COMPLETENESS_BITS. */
export const Completeness = Object.freeze(Object.fromEntries(COMPLETENESS_BITS.map((r) => [r.name, r.bit]))) as {
  readonly [R in CompletenessRow as R['name']]: R['bit'];
};
/** SYN, SYN/ACK, ACK, DATA and FIN: everything but RST (a connection seen from start to close). */
export const COMPLETENESS_CLOSED = Completeness.SYN | Completeness.SYN_ACK | Completeness.ACK | Completeness.DATA | Completeness.FIN;

/** How a connection opened (lifecycle summary `handshake.kind`). */
export const HANDSHAKE_KINDS = ['three-way', 'simultaneous-open', 'refused', 'no-answer', 'incomplete', 'not-seen'] as const;
export type HandshakeKind = (typeof HANDSHAKE_KINDS)[number];

/**
 * How a connection closed (lifecycle summary `teardown.kind` and `traits`), in precedence
 * order: when several traits apply the first one names the teardown; 'unfinished' (a FIN but
 * none of the traits) and 'none' (no FIN) come last.
 */
export const TEARDOWN_KINDS = [
  'rst-abort', 'simultaneous-close', 'fin-with-data', 'half-close', 'three-way-merged-fin-ack', 'four-way', 'unfinished', 'none',
] as const;
export type TeardownKind = (typeof TEARDOWN_KINDS)[number];

/** The endpoint states of RFC 9293 §3.3.2, plus UNKNOWN (the capture cannot tell). */
export const TCP_STATES = [
  'CLOSED', 'LISTEN', 'SYN_SENT', 'SYN_RECEIVED', 'ESTABLISHED', 'FIN_WAIT_1', 'FIN_WAIT_2', 'CLOSE_WAIT', 'CLOSING', 'LAST_ACK',
  'TIME_WAIT', 'UNKNOWN',
] as const;
export type TcpState = (typeof TCP_STATES)[number];

/** Socket-level events an endpoint goes through at a packet (explain). */
export const SOCKET_EVENTS = [
  'connect-returns', 'accept-returns', 'close-called', 'eof', 'time-wait', 'closed', 'refused', 'reset-received', 'abort',
  'syn-retransmit', 'connect-times-out',
] as const;
export type SocketEvent = (typeof SOCKET_EVENTS)[number];

/** tcptrace's verdict on a connection. */
export const TCPTRACE_VERDICTS = ['complete', 'reset', 'unidirectional', 'incomplete'] as const;
export type TcptraceVerdict = (typeof TCPTRACE_VERDICTS)[number];

/** Where the tools disagree (message keys of src/i18n/lifecycle.ts), in the order they are reported. */
export const DISAGREEMENTS = [
  'dis.sf_without_syn', 'dis.s1_without_ack', 'dis.sf_with_rst', 'dis.tcptrace_reset_after_close', 'dis.tcptrace_complete_without_acks',
  'dis.refused_ack_bit', 'dis.completeness_fin_and_rst', 'dis.simopen_retransmission', 'dis.zeek_flipped', 'dis.completeness_no_syn',
] as const;
export type DisagreementKey = (typeof DISAGREEMENTS)[number];
