/** Per-packet TCP results of the in-order pass, named after Wireshark's fields, and the conversation they belong to. */
import type { ConvAnalysis, TcpAnalysisResult } from './analysis.js';
import type { Endpoint } from './endpoint.js';
import type { ConvKeyWords } from './conv-table.js';

/** Wireshark's TCP_A_* analysis flags (tcp.analysis.*), one bit each: derived from the ANALYSIS_FLAGS registry (src/tcp/vocab.ts). */
export { TcpA } from './vocab.js';

/** One TCP conversation (tcp.stream), kept by the tracker (src/tcp/conversations.ts). */
export interface TcpConversation {
  stream: number;
  /** key of the address/port pair (both directions), as a string: made on demand from `keyWords` */
  readonly key: string;
  /** the same key as the conversation table keeps it (src/tcp/conv-table.ts): to delete or replace the entry */
  readonly keyWords: ConvKeyWords;
  /**
   * The two directions; index 0 sent the conversation's first packet (the direction convention
   * of src/tcp/endpoint.ts). `TcpInfo.flow` indexes it.
   */
  endpoints: [Endpoint, Endpoint];
  /** the same array as `endpoints` (older name) */
  flows: [Endpoint, Endpoint];
  /** the sort order of endpoint 0's address/port against endpoint 1's (1: higher, 0: lower or equal), to map a packet onto its endpoint */
  readonly firstIsHigh: 0 | 1;
  firstFrame: number;
  firstSec: number; firstNsec: number;
  prevSec: number; prevNsec: number;
  lastFrame: number;
  /** connection-wide analysis state: running tcp.completeness (final after the last packet), iRTT… */
  an: ConvAnalysis;
}

export interface TcpInfo {
  /** tcp.stream */
  stream: number;
  conv: TcpConversation;
  /** index of the sending endpoint in `conv.endpoints` (0: the side that sent the conversation's first packet; see src/tcp/endpoint.ts) */
  flow: 0 | 1;
  /** tcp.seq: relative sequence number (mod 2^32) */
  seq: number;
  /** tcp.ack: relative when the ACK flag is set, else the raw field */
  ack: number;
  /**
   * a short segment: its packet ends inside the TCP header its header length claims (tshark's
   * "Short segment"); tshark gives it no relative numbers (the fields show the raw seq and ack; `seq`,
   * `ack` and `nxtseq` here stay relative for the lifecycle), no tcp.len, no tcp.nxtseq, an
   * unscaled window and no sequence analysis
   */
  short?: boolean;
  /** tcp.nxtseq (relative) */
  nxtseq: number;
  /** tcp.window_size: the window after scaling (raw on SYN segments) */
  windowSize: number;
  /** tcp.window_size_scalefactor as printed: 2^shift, -1 unknown, -2 not used (scaleFactorField of the endpoint's WindowScale); undefined on SYN segments */
  scaleFactor: number | undefined;
  /** tcp.time_relative / tcp.time_delta as [seconds, nanoseconds] differences */
  relSec: number; relNsec: number;
  deltaSec: number; deltaNsec: number;
  /** TcpA bits set by the sequence analysis (src/tcp/analysis.ts); 0 when none */
  analysis: number;
  /** a SYN or SYN/ACK that reused the 4-tuple of an earlier conversation (tcp.analysis.reused_ports) */
  reusedPorts: boolean;
  /** the relative base of the other direction's sequence space (for SACK edges); undefined when unknown */
  revBase: number | undefined;
  /** tcp.completeness: the connection's bits before this packet (tshark one pass), or the final value with -2 */
  completeness: number;
  /** the `[SEQ/ACK analysis]` results (acked frame, RTT, bytes in flight, dup-ACK number, why…); undefined when tshark shows no such tree */
  an: TcpAnalysisResult | undefined;
  /** TcpEvent bits (src/tcp/analysis.ts): FIN active/passive, D-SACK */
  events: number;
}
