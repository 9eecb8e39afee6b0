/**
 * How the lifecycle's vocabularies (src/tcp/vocab.ts: handshake and teardown kinds, anomalies,
 * socket events, verdicts…) map onto message keys of the lifecycle catalogue
 * (src/i18n/lifecycle.ts). Written out key by key, so that every kind has its words and grep
 * finds every use of a key; the catalogue itself stays free of TCP types (i18n is a bottom layer).
 */
import type { MessageKey } from '../i18n/lifecycle.js';
import type { IcmpMeaning } from '../tcp/icmp-errors.js';
import type { Anomaly, ConnSummary, HandshakeKind, RstSummary, SocketEvent, TeardownKind } from '../tcp/lifecycle.js';

// Kinds → keys, written out so every key is visible where it is defined and used.
export const SIDE_KEY = { client: 'side.client', server: 'side.server', both: 'side.both' } as const satisfies Record<string, MessageKey>;
export const HANDSHAKE_KEY = {
  'three-way': 'hs.three-way', 'simultaneous-open': 'hs.simultaneous-open', refused: 'hs.refused', 'no-answer': 'hs.no-answer',
  incomplete: 'hs.incomplete', 'not-seen': 'hs.not-seen',
} as const satisfies Record<HandshakeKind, MessageKey>;
export const HANDSHAKE_SHORT_KEY = {
  'three-way': 'hshort.three-way', 'simultaneous-open': 'hshort.simultaneous-open', refused: 'hshort.refused',
  'no-answer': 'hshort.no-answer', incomplete: 'hshort.incomplete', 'not-seen': 'hshort.not-seen',
} as const satisfies Record<HandshakeKind, MessageKey>;
export const TEARDOWN_KEY = {
  'four-way': 'td.four-way', 'three-way-merged-fin-ack': 'td.three-way-merged-fin-ack', 'fin-with-data': 'td.fin-with-data',
  'half-close': 'td.half-close', 'simultaneous-close': 'td.simultaneous-close', 'rst-abort': 'td.rst-abort',
  unfinished: 'td.unfinished', none: 'td.none',
} as const satisfies Record<TeardownKind, MessageKey>;
export const TEARDOWN_SHORT_KEY = {
  'four-way': 'tshort.four-way', 'three-way-merged-fin-ack': 'tshort.three-way-merged-fin-ack', 'fin-with-data': 'tshort.fin-with-data',
  'half-close': 'tshort.half-close', 'simultaneous-close': 'tshort.simultaneous-close', 'rst-abort': 'tshort.rst-abort',
  unfinished: 'tshort.unfinished', none: 'tshort.none',
} as const satisfies Record<TeardownKind, MessageKey>;
export const ANOMALY_KEY = {
  retransmission: 'an.retransmission', 'fast-retransmission': 'an.fast-retransmission', 'spurious-retransmission': 'an.spurious-retransmission',
  'out-of-order': 'an.out-of-order', 'lost-segment': 'an.lost-segment', 'ack-lost-segment': 'an.ack-lost-segment', 'dup-ack': 'an.dup-ack',
  sack: 'an.sack', 'zero-window': 'an.zero-window', 'zero-window-probe': 'an.zero-window-probe', 'window-update': 'an.window-update',
  'window-full': 'an.window-full', 'keep-alive': 'an.keep-alive', 'reused-port': 'an.reused-port',
} as const satisfies Record<Anomaly, MessageKey>;
export const EVENT_KEY = {
  'connect-returns': 'ev.connect-returns', 'accept-returns': 'ev.accept-returns', 'close-called': 'ev.close-called', eof: 'ev.eof',
  'time-wait': 'ev.time-wait', closed: 'ev.closed', refused: 'ev.refused', 'reset-received': 'ev.reset-received', abort: 'ev.abort',
  'syn-retransmit': 'ev.syn-retransmit', 'connect-times-out': 'ev.connect-times-out',
} as const satisfies Record<SocketEvent, MessageKey>;
export const CLOSE_CALL_KEY = {
  shutdown: 'ev.close-called.shutdown', close: 'ev.close-called.close', unknown: 'ev.close-called.unknown',
} as const satisfies Record<'shutdown' | 'close' | 'unknown', MessageKey>;
export const RST_AFTER_KEY = {
  handshake: 'ex.td.rst_after.handshake', data: 'ex.td.rst_after.data', fin: 'ex.td.rst_after.fin', nothing: 'ex.td.rst_after.nothing',
} as const satisfies Record<RstSummary['after'], MessageKey>;
export const COMPLETENESS_BIT_KEY = {
  1: 'ex.v.bits.1', 2: 'ex.v.bits.2', 4: 'ex.v.bits.4', 8: 'ex.v.bits.8', 16: 'ex.v.bits.16', 32: 'ex.v.bits.32',
} as const satisfies Record<1 | 2 | 4 | 8 | 16 | 32, MessageKey>;
export const TCPTRACE_KEY = {
  complete: 'ex.v.tcptrace.complete', reset: 'ex.v.tcptrace.reset', unidirectional: 'ex.v.tcptrace.unidirectional', incomplete: 'ex.v.tcptrace.incomplete',
} as const satisfies Record<ConnSummary['tcptrace'], MessageKey>;
export const DIR_KEY = { send: 'ex.dir.send', recv: 'ex.dir.recv' } as const satisfies Record<'send' | 'recv', MessageKey>;
export const ZEEK_STATE_KEY = {
  S0: 'zeek.S0', S1: 'zeek.S1', SF: 'zeek.SF', REJ: 'zeek.REJ', S2: 'zeek.S2', S3: 'zeek.S3', RSTO: 'zeek.RSTO', RSTR: 'zeek.RSTR',
  RSTOS0: 'zeek.RSTOS0', RSTRH: 'zeek.RSTRH', SH: 'zeek.SH', SHR: 'zeek.SHR', OTH: 'zeek.OTH',
} as const satisfies Record<string, MessageKey>;

/** The meaning of a Zeek conn_state (every state Zeek writes has one). */
export function zeekStateKey(cs: string): MessageKey {
  const k = (ZEEK_STATE_KEY as Record<string, MessageKey>)[cs];
  if (!k) throw new Error(`unknown Zeek conn_state "${cs}"`);
  return k;
}
export const ICMP_MEANING_KEY = {
  'net-unreachable': 'icmp.net-unreachable', 'host-unreachable': 'icmp.host-unreachable', 'protocol-unreachable': 'icmp.protocol-unreachable',
  'port-unreachable': 'icmp.port-unreachable', 'fragmentation-needed': 'icmp.fragmentation-needed',
  'administratively-prohibited': 'icmp.administratively-prohibited', unreachable: 'icmp.unreachable', 'source-quench': 'icmp.source-quench',
  redirect: 'icmp.redirect', 'time-exceeded': 'icmp.time-exceeded', 'parameter-problem': 'icmp.parameter-problem', 'packet-too-big': 'icmp.packet-too-big',
} as const satisfies Record<IcmpMeaning, MessageKey>;
