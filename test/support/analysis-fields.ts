/** The fields the analysis differential compares with tshark (test/differential-analysis.test.ts, test/analysis.test.ts). */
export const ANALYSIS_FIELDS = [
  'frame.number', 'tcp.stream',
  'tcp.analysis', 'tcp.analysis.flags',
  'tcp.analysis.retransmission', 'tcp.analysis.fast_retransmission', 'tcp.analysis.spurious_retransmission',
  'tcp.analysis.out_of_order', 'tcp.analysis.lost_segment', 'tcp.analysis.ack_lost_segment',
  'tcp.analysis.duplicate_ack', 'tcp.analysis.duplicate_ack_num', 'tcp.analysis.duplicate_ack_frame',
  'tcp.analysis.zero_window', 'tcp.analysis.zero_window_probe', 'tcp.analysis.zero_window_probe_ack',
  'tcp.analysis.window_full', 'tcp.analysis.window_update', 'tcp.analysis.keep_alive', 'tcp.analysis.keep_alive_ack',
  'tcp.analysis.reused_ports', 'tcp.analysis.acks_frame', 'tcp.analysis.ack_rtt', 'tcp.analysis.initial_rtt',
  'tcp.analysis.bytes_in_flight', 'tcp.analysis.push_bytes_sent', 'tcp.analysis.rto', 'tcp.analysis.rto_frame',
  'tcp.completeness', 'tcp.connection.syn', 'tcp.connection.synack', 'tcp.connection.fin', 'tcp.connection.rst',
  'tcp.connection.fin_active', 'tcp.connection.fin_passive', 'tcp.options.sack.dsack', 'tcp.options.mss.absent',
  'tcp.analysis.tfo_ack', 'tcp.analysis.tfo_ignored',
];
