/**
 * The shapes the lifecycle stage produces (summaries and timelines) and the vocabulary of
 * client/server sides, shared by its parts (handshake.ts, teardown.ts, observer.ts,
 * timeline.ts, verdicts.ts) and read by render/.
 */
import type { TunnelHop } from '../decode/tunnels.js';
import type { IcmpNote } from './icmp-errors.js';
import type { SegmentKind } from './fsm.js';
import type { Anomaly, DisagreementKey, HandshakeKind, SocketEvent, TcpState, TcptraceVerdict, TeardownKind } from './vocab.js';
import type { ZeekSummary } from './zeek.js';

export type Side = 'client' | 'server';
export const SIDES: readonly Side[] = ['client', 'server'];
/** The other side. */
export const other = (s: Side): Side => (s === 'client' ? 'server' : 'client');
/** Index of a side in the [client, server] tuples of the summaries and timelines. */
export const idx = (s: Side): 0 | 1 => (s === 'client' ? 0 : 1);

/** An endpoint's address as the summaries print it. */
export interface ConnAddress { ip: string; port: number }

export type { HandshakeKind, SocketEvent, TeardownKind, TcptraceVerdict, DisagreementKey } from './vocab.js';
export interface SynOptions { mss: number | null; window_scale: number | null; sack_permitted: boolean; timestamps: boolean }

export interface HandshakeSummary {
  kind: HandshakeKind;
  /** SYN, SYN/ACK, ACK (three-way); SYN, SYN, SYN/ACK, SYN/ACK (simultaneous open); SYN, RST (refused); the SYNs (no answer) */
  frames: number[];
  /** what the capture lacks (incomplete): 'syn', 'syn-ack', 'ack' */
  missing: string[];
  /** every pure SYN the client sent: the first and its retransmissions */
  syn_frames: number[];
  /** seconds between successive SYNs (the back-off) */
  syn_intervals: number[];
  isn: { client: number | null; server: number | null };
  /** SYN/ACK ack = client ISN + 1; ACK ack = server ISN + 1 (null when not seen) */
  checks: { syn_ack_acks_syn: boolean | null; ack_acks_syn_ack: boolean | null };
  options: { client: SynOptions | null; server: SynOptions | null };
  /** window scaling, SACK and timestamps are used only when both SYNs offer them */
  negotiated: { mss: { client: number | null; server: number | null }; window_scale: { client: number; server: number } | null; sack: boolean; timestamps: boolean } | null;
  /** seconds: SYN→SYN/ACK (the server side of the tap), SYN/ACK→ACK (the client side), Wireshark's tcp.analysis.initial_rtt (SYN→ACK) */
  rtt: { syn_to_syn_ack: number | null; syn_ack_to_ack: number | null; initial_rtt: number | null };
}

export interface RstSummary { frame: number; by: Side; state: TcpState; after: 'handshake' | 'data' | 'fin' | 'nothing'; count: number }

export interface TeardownSummary {
  kind: TeardownKind;
  traits: TeardownKind[];
  active_closer: Side | 'both' | null;
  /** four-way: FIN, ACK, FIN, ACK; merged: FIN, FIN/ACK, ACK; simultaneous: FIN, FIN, ACK, ACK; rst-abort: the RST */
  frames: number[];
  /** both FINs sent and acknowledged */
  complete: boolean;
  /** the side that ends in TIME_WAIT (it must wait 2×MSL before the 4-tuple can be reused) */
  time_wait: Side | 'both' | null;
  rst: RstSummary | null;
  /** payload segments the passive closer sent after the first FIN */
  data_after_fin: number;
  open_at_end: boolean;
}

export interface ConnSummary {
  stream: number;
  client: ConnAddress;
  server: ConnAddress;
  first_frame: number;
  last_frame: number;
  /** epoch seconds of the first packet */
  start: number;
  duration: number;
  packets: { client: number; server: number };
  /** TCP payload bytes */
  bytes: { client: number; server: number };
  handshake: HandshakeSummary;
  teardown: TeardownSummary;
  anomalies: Anomaly[];
  anomaly_counts: Partial<Record<Anomaly, number>>;
  states: { client: TcpState; server: TcpState; midstream: boolean };
  conn_state: string;
  history: string;
  completeness: number;
  completeness_str: string;
  tcptrace: TcptraceVerdict;
  /** Zeek's conn.log view; `orig` is the side Zeek takes as originator */
  zeek: ZeekSummary & { orig: Side };
  /** where the tools disagree, and why (message keys of src/i18n/lifecycle.ts with their values) */
  disagreements: Array<{ key: DisagreementKey; params: Record<string, string | number> }>;
  /** (state, segment) pairs the RFC table has no transition for */
  unexpected: number;
  /** the tunnels that carried the connection, outermost first (only for a tunnelled connection) */
  tunnel?: TunnelHop[];
  /** ICMP/ICMPv6 errors that quote one of the connection's segments (src/tcp/icmp-errors.ts), in frame order */
  icmp?: IcmpNote[];
}


export interface TimelineEntry {
  frame: number;
  /** seconds since the connection's first packet */
  t: number;
  from: Side;
  flags: number;
  seq: number; ack: number; len: number; nxtseq: number;
  seqRaw: number; ackRaw: number;
  window: number;
  /** both endpoints' states after this packet [client, server] */
  states: [TcpState, TcpState];
  changes: Array<{ side: Side; from: TcpState; to: TcpState; rfc: string }>;
  events: Array<{ side: Side; event: SocketEvent }>;
  analysis: number;
  sack: boolean;
  /** the receiver had not received this segment yet when it sent its next one (they crossed) */
  crossed: boolean;
  unexpected: { side: Side; state: TcpState; dir: 'send' | 'recv'; kind: SegmentKind } | null;
  app: string | null;
}

export interface ConnTimeline { stream: number; initial: [TcpState, TcpState]; entries: TimelineEntry[]; truncated: number }
