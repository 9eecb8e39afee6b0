/**
 * The reference tools' verdicts on one connection, from what the lifecycle stage recorded:
 * tcptrace's complete/reset, Wireshark's tcp.completeness string, the side Zeek takes as
 * originator, and the places where the tools disagree with each other or with what happened
 * (message keys of src/i18n/lifecycle.ts).
 */
import { other, type ConnSummary, type Side } from './lifecycle-types.js';
import { Completeness, COMPLETENESS_BITS, COMPLETENESS_CLOSED, type TcptraceVerdict } from './vocab.js';

/** What tcptrace's verdict looks at, per side. */
export interface TcptraceSide { packets: number; synSeen: boolean; finSeen: boolean; rstSeen: boolean }

/** tcptrace: reset when any RST was seen; complete with a SYN and a FIN from both sides. */
export function tcptraceVerdict(c: TcptraceSide, s: TcptraceSide): TcptraceVerdict {
  return c.rstSeen || s.rstSeen ? 'reset' : c.synSeen && s.synSeen && c.finSeen && s.finSeen ? 'complete'
    : c.packets === 0 || s.packets === 0 ? 'unidirectional' : 'incomplete';
}

/** tcp.completeness.str as later Wireshark versions print it: R F D A S S with '·' for unset bits. */
export function completenessStr(v: number): string {
  return COMPLETENESS_BITS.map((r) => (v & r.bit ? r.letter : '\u00b7')).join('');
}

/** The side Zeek takes as originator: the first packet's sender unless Zeek flipped the connection. */
export function zeekOriginator(firstSender: Side, flipped: boolean): Side {
  return flipped ? other(firstSender) : firstSender;
}

/** Where Wireshark's, Zeek's and tcptrace's verdicts disagree with each other or with what happened. */
export function disagreements(s: ConnSummary): ConnSummary['disagreements'] {
  const out: ConnSummary['disagreements'] = [];
  const hs = s.handshake.kind, cs = s.conn_state;
  if (cs === 'SF' && s.handshake.syn_frames.length === 0 && hs === 'not-seen') out.push({ key: 'dis.sf_without_syn', params: {} });
  if (cs === 'S1' && hs !== 'three-way' && hs !== 'simultaneous-open') out.push({ key: 'dis.s1_without_ack', params: {} });
  if (cs === 'SF' && s.history.toUpperCase().includes('R')) out.push({ key: 'dis.sf_with_rst', params: {} });
  if (s.tcptrace === 'reset' && s.teardown.complete) out.push({ key: 'dis.tcptrace_reset_after_close', params: {} });
  if (s.tcptrace === 'complete' && !s.teardown.complete) out.push({ key: 'dis.tcptrace_complete_without_acks', params: {} });
  if (hs === 'refused' && (s.completeness & Completeness.ACK)) out.push({ key: 'dis.refused_ack_bit', params: { completeness: s.completeness } });
  if ((s.completeness & COMPLETENESS_CLOSED) === COMPLETENESS_CLOSED && s.teardown.kind === 'rst-abort') out.push({ key: 'dis.completeness_fin_and_rst', params: {} });
  if (hs === 'simultaneous-open') out.push({ key: 'dis.simopen_retransmission', params: {} });
  if (s.zeek.flipped) out.push({ key: 'dis.zeek_flipped', params: {} });
  if (!(s.completeness & Completeness.SYN) && (hs === 'three-way' || hs === 'refused')) out.push({ key: 'dis.completeness_no_syn', params: {} });
  return out;
}
