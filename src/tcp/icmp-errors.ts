/**
 * ICMP and ICMPv6 errors attached to the connection they name (beyond tshark): each error whose
 * quoted TCP header belongs to a connection (src/tcp/quoted.ts) becomes one note on that
 * connection — who sent it, what it says, the next-hop MTU of a "fragmentation needed" or
 * "packet too big", and the quoted segment's sequence number relative to its sender's side. A
 * full-size segment, then a "fragmentation needed" quoting it, then its retransmission at a
 * smaller size: the path-MTU discovery (or its black hole) in plain view.
 */
import type { IpLayer, Packet } from '../decode/types.js';
import { ipv4, ipv6At } from '../core/format.js';
import { seqOffset } from '../core/seq.js';
import type { QuotedTcpInfo } from './quoted.js';

/** What an error says, as a stable id (the sentences are in src/i18n/lifecycle.ts). */
export type IcmpMeaning = 'net-unreachable' | 'host-unreachable' | 'protocol-unreachable' | 'port-unreachable'
  | 'fragmentation-needed' | 'administratively-prohibited' | 'unreachable' | 'source-quench' | 'redirect'
  | 'time-exceeded' | 'parameter-problem' | 'packet-too-big';

export const ICMP_MEANINGS: readonly IcmpMeaning[] = ['net-unreachable', 'host-unreachable', 'protocol-unreachable', 'port-unreachable',
  'fragmentation-needed', 'administratively-prohibited', 'unreachable', 'source-quench', 'redirect', 'time-exceeded', 'parameter-problem', 'packet-too-big'];

/** One error naming the connection, as `conns --json` lists it. */
export interface IcmpNote {
  frame: number;
  /** the error's sender (its outer IP source) */
  from: string;
  protocol: 'icmp' | 'icmpv6';
  type: number;
  code: number;
  meaning: IcmpMeaning;
  /** next-hop MTU ("fragmentation needed") or MTU ("packet too big"); absent otherwise or when 0 */
  mtu?: number;
  /** which side sent the quoted segment */
  side: 'client' | 'server';
  /** the quoted segment's sequence number relative to its side (null when that side had sent nothing before) */
  seq: number | null;
  seq_raw: number;
}

/** The meaning of an ICMP (v4) or ICMPv6 error type and code. */
export function icmpMeaning(protocol: 'icmp' | 'icmpv6', type: number, code: number): IcmpMeaning {
  if (protocol === 'icmp') {
    if (type === 3) {
      return (['net-unreachable', 'host-unreachable', 'protocol-unreachable', 'port-unreachable', 'fragmentation-needed'] as const)[code]
        ?? (code === 9 || code === 10 || code === 13 ? 'administratively-prohibited' : 'unreachable');
    }
    return type === 4 ? 'source-quench' : type === 5 ? 'redirect' : type === 11 ? 'time-exceeded' : 'parameter-problem';
  }
  if (type === 1) return code === 0 ? 'net-unreachable' : code === 1 ? 'administratively-prohibited' : code === 3 ? 'host-unreachable' : code === 4 ? 'port-unreachable' : 'unreachable';
  return type === 2 ? 'packet-too-big' : type === 3 ? 'time-exceeded' : 'parameter-problem';
}

const addr = (d: Uint8Array, ip: IpLayer): string => (ip.kind === 'ipv4' ? ipv4(ip.src) : ipv6At(d, ip.srcOffset));

/** The note for a packet whose ICMP error quotes a connection's TCP header (`side` resolved by the caller). */
export function icmpNote(pkt: Packet, q: QuotedTcpInfo): Omit<IcmpNote, 'side'> & { flow: 0 | 1 } | undefined {
  const ls = pkt.layers, d = pkt.frame.data;
  let outer: IpLayer | undefined;
  for (const l of ls) {
    if (l.kind === 'ipv4' || l.kind === 'ipv6') outer = l;
    if (l.kind === q.icmp) {
      if (!outer) return undefined;
      const dv = new DataView(d.buffer, d.byteOffset, d.byteLength);
      const meaning = icmpMeaning(q.icmp, l.type, l.code);
      let mtu: number | undefined;
      if (meaning === 'fragmentation-needed' && l.offset + 8 <= d.length) mtu = dv.getUint16(l.offset + 6);
      if (meaning === 'packet-too-big' && l.offset + 8 <= d.length) mtu = dv.getUint32(l.offset + 4);
      const base = q.conv.endpoints[q.flow].base;
      return {
        frame: pkt.frame.number, from: addr(d, outer), protocol: q.icmp, type: l.type, code: l.code, meaning,
        ...(mtu ? { mtu } : {}), flow: q.flow, seq: base === undefined ? null : seqOffset(base, q.tcp.seq), seq_raw: q.tcp.seq,
      };
    }
  }
  return undefined;
}
