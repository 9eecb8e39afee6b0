/**
 * A TCP header quoted inside an ICMP or ICMPv6 error, as tshark 4.0 numbers it: once 16 bytes of
 * the header are there it belongs to the conversation it names (`tcp.stream`, a new one when the
 * capture has not seen it), shows its raw sequence and acknowledgement numbers, its window
 * unscaled with the direction's scale factor, and, with the whole 20-byte header, the stream's
 * times. It never takes part in the sequence analysis, relative numbers or lifecycle; it only
 * moves the stream's "previous frame" time (tcp.time_delta of the next frame), as tshark does.
 */
import type { IpLayer, Packet, TcpLayer } from '../decode/types.js';
import type { TcpConversation } from './types.js';

/** What tcp.* fields show for a quoted TCP header (the record's `quoted`). */
export interface QuotedTcpInfo {
  stream: number;
  conv: TcpConversation;
  /** index of the quoted segment's sender in conv.endpoints */
  flow: 0 | 1;
  /** the error carrying the quote */
  icmp: 'icmp' | 'icmpv6';
  /** the quoted IP and TCP layers */
  ip: IpLayer;
  tcp: TcpLayer;
  /** tcp.window_size: the raw window (tshark does not scale a quoted one) */
  windowSize: number;
  /** tcp.window_size_scalefactor of the sender's direction */
  scaleFactor: number;
  /** tcp.completeness of the conversation (not changed by the quote) */
  completeness: number;
  /** tcp.time_relative / tcp.time_delta; shown only when the 20-byte header was quoted */
  relSec: number; relNsec: number;
  deltaSec: number; deltaNsec: number;
  hasTimes: boolean;
}

/** The quoted IP and TCP headers of an ICMP error packet with at least 16 bytes of TCP header. */
export function quotedTcp(pkt: Packet): { icmp: 'icmp' | 'icmpv6'; ip: IpLayer; tcp: TcpLayer } | undefined {
  const ls = pkt.layers;
  let i = 0;
  while (i < ls.length && ls[i]!.kind !== 'icmp' && ls[i]!.kind !== 'icmpv6') i++;
  if (i >= ls.length) return undefined;
  const icmp = ls[i]!.kind as 'icmp' | 'icmpv6';
  let ip: IpLayer | undefined;
  for (let j = i + 1; j < ls.length; j++) {
    const l = ls[j]!;
    if (l.kind === 'ipv4' || l.kind === 'ipv6') ip = l;
    else if (l.kind === 'tcp') return ip && l.captured >= 16 ? { icmp, ip, tcp: l } : undefined;
  }
  return undefined;
}
