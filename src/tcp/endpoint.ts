/**
 * One direction of a TCP connection: the one object that owns what tcpscope knows about the
 * segments one endpoint sends (its sequence space, the windows it advertises, its flags and
 * counters). Every stage reads the same object instead of keeping its own copy:
 *  - the tracker (conversations.ts) sets the relative-number base, the window scale and the
 *    counters;
 *  - the sequence analysis (analysis.ts) keeps Wireshark's per-direction state in `an`
 *    (next expected seq, last ack, last window…);
 *  - the lifecycle stage (lifecycle.ts) maps client/server onto the two endpoints and reads
 *    packets, bytes, SYN/FIN/RST seen and the last window from them.
 *
 * Direction convention (the whole project uses it):
 *  - `TcpConversation.endpoints[0]` is the endpoint that sent the conversation's first
 *    packet (tcp.stream's first frame); `endpoints[1]` is the other one.
 *  - `TcpInfo.flow` is the index of the endpoint that sent the packet.
 *  - Client and server (lifecycle): the client is endpoint 0 unless the first packet is a
 *    SYN/ACK, which comes from the server (then the client is endpoint 1).
 *  - Zeek's originator starts as endpoint 0 and is flipped by Zeek's own rules (zeek.ts).
 */
import { seqOffset } from '../core/seq.js';
import { FlowAnalysis } from './analysis.js';
import { type WindowScale, WS_UNKNOWN } from './window-scale.js';

export { type WindowScale, WS_UNKNOWN, WS_NONE, wsShift, shiftOf, scaleFactorField } from './window-scale.js';

/** Index of an endpoint in its conversation (see the direction convention above). */
export type EndpointIndex = 0 | 1;

export class Endpoint {
  /** the relative-number base: the ISN, or seq−1 when the SYN was not seen; undefined until known */
  base: number | undefined = undefined;
  /** the first segment of this direction that set the base was a SYN / a SYN/ACK */
  sawSyn = false;
  sawSynAck = false;
  winScale: WindowScale = WS_UNKNOWN;
  /** Wireshark's sequence-analysis state of this direction (next expected seq, last ack, window…) */
  readonly an = new FlowAnalysis();
  /** segments with SYN / FIN / RST set that this endpoint sent */
  synSeen = false;
  finSeen = false;
  rstSeen = false;
  /** packets and TCP payload bytes sent */
  packets = 0;
  bytes = 0;
  /** the window (scaled) of this endpoint's last segment; undefined before any or after a SYN */
  lastWindow: number | undefined = undefined;

  constructor(readonly index: EndpointIndex) {}

  /** A raw sequence number of this direction as a relative one (mod 2^32); undefined before the base is known. */
  rel(seq: number): number | undefined {
    return this.base === undefined ? undefined : seqOffset(this.base, seq);
  }

  /** Wireshark's next expected sequence number (raw; 0 = none yet). */
  get nextExpected(): number { return this.an.nextseq; }
  /** The ack field of this endpoint's last segment (raw; 0 = none yet). */
  get lastAck(): number { return this.an.lastack; }
}

/** The endpoint that sent a packet and the one it goes to (from its TcpInfo: `conv.endpoints[flow]`). */
export function endpointsOf(t: { conv: { endpoints: readonly [Endpoint, Endpoint] }; flow: EndpointIndex }): { sender: Endpoint; receiver: Endpoint } {
  return { sender: t.conv.endpoints[t.flow], receiver: t.conv.endpoints[t.flow === 0 ? 1 : 0] };
}
