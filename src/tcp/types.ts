/** Per-packet TCP results of the in-order pass, named after Wireshark's fields. */
import type { TcpConversation } from './conversations.js';

export interface TcpInfo {
  /** tcp.stream */
  stream: number;
  conv: TcpConversation;
  /** 0 when this packet goes in the direction of flow 1 (see TcpConversation.flows) */
  flow: 0 | 1;
  /** tcp.seq: relative sequence number (mod 2^32) */
  seq: number;
  /** tcp.ack: relative when the ACK flag is set, else the raw field */
  ack: number;
  /** tcp.nxtseq (relative) */
  nxtseq: number;
  /** tcp.window_size: the window after scaling (raw on SYN segments) */
  windowSize: number;
  /** tcp.window_size_scalefactor: 2^shift, -1 unknown, -2 not used; undefined on SYN segments */
  scaleFactor: number | undefined;
  /** tcp.time_relative / tcp.time_delta as [seconds, nanoseconds] differences */
  relSec: number; relNsec: number;
  deltaSec: number; deltaNsec: number;
  /** a SYN or SYN/ACK that reused the 4-tuple of an earlier conversation (tcp.analysis.reused_ports) */
  reusedPorts: boolean;
  /** the relative base of the other direction's sequence space (for SACK edges); undefined when unknown */
  revBase: number | undefined;
}
