/**
 * Crafted ICMP/ICMPv6 errors quoting whole TCP headers of connections in the capture (used by
 * test/decode-tunnels.test.ts against tshark and test/icmp-errors.test.ts for conns and explain).
 */
import { segmentBytes, type Seg } from './build.js';
import { cat, eth, ipv4, ipv6, tcp, type Bytes } from './encap-build.js';

const M1 = '02:00:00:00:00:01', M2 = '02:00:00:00:00:02';

/**
 * ICMP errors quoting a whole TCP header of a connection in the capture (tshark gives the quote the
 * connection's tcp.stream, raw seq/ack, the raw window): a path-MTU discovery (a full-size segment,
 * "fragmentation needed" with next-hop MTU 1400, the retransmission at a smaller size) and a
 * "port unreachable"; a quote with 19 header bytes (stream but no times); one naming a connection
 * seen only later; and window scaling on the connection.
 */
export function quotedTcpFrames(): Bytes[] {
  const S = (s: Omit<Seg, 't'>): Bytes => segmentBytes({ t: 0, ...s });
  const e = (ip: Bytes): Bytes => eth(M1, M2, 0x0800, ip);
  const icmp4 = (type: number, code: number, mtu: number, q: Bytes, src: string, dst: string): Bytes =>
    e(ipv4({ src, dst, proto: 1 }, cat([type, code, 0, 0, 0, 0, mtu >> 8, mtu & 255], q)));
  const big = S({ dir: 's', seq: 5001, ack: 1101, flags: 'A', len: 1460 });
  const req = S({ dir: 'c', seq: 1001, ack: 5001, flags: 'PA', len: 100 });
  const later = S({ dir: 'c', seq: 777, ack: 888, flags: 'A', cport: 40001, len: 10 });
  return [
    icmp4(3, 3, 0, later.subarray(0, 40), '10.0.0.2', '10.0.0.1'),
    e(S({ dir: 'c', seq: 1000, flags: 'S', mss: 1460, ws: 7 })), e(S({ dir: 's', seq: 5000, ack: 1001, flags: 'SA', mss: 1460, ws: 5 })),
    e(S({ dir: 'c', seq: 1001, ack: 5001, flags: 'A' })), e(req), e(big),
    icmp4(3, 4, 1400, big.subarray(0, 48), '10.0.0.254', '10.0.0.2'),
    icmp4(3, 4, 1400, big.subarray(0, 39), '10.0.0.254', '10.0.0.2'),
    e(S({ dir: 's', seq: 5001, ack: 1101, flags: 'A', len: 1360 })), e(S({ dir: 's', seq: 6361, ack: 1101, flags: 'PA', len: 100 })),
    e(S({ dir: 'c', seq: 1101, ack: 6461, flags: 'A' })),
    icmp4(3, 3, 0, req.subarray(0, 48), '10.0.0.2', '10.0.0.1'),
    e(S({ dir: 'c', seq: 776, flags: 'S', cport: 40001 })),
  ];
}
/** The same over IPv6: "packet too big" (MTU 1280) quoting a whole and a 16-byte TCP header, then the smaller retransmission. */
export function quotedTcp6Frames(): Bytes[] {
  const e = (ip: Bytes): Bytes => eth(M1, M2, 0x86dd, ip);
  const A = '2001:db8::1', Z = '2001:db8::2';
  const c = (seq: number, ack: number, flags: number, len = 0): Bytes => ipv6(A, Z, 6, tcp(40000, 80, seq, ack, flags, len));
  const s = (seq: number, ack: number, flags: number, len = 0): Bytes => ipv6(Z, A, 6, tcp(80, 40000, seq, ack, flags, len));
  const big = s(901, 101, 0x10, 1440);
  const ptb = (q: Bytes): Bytes => e(ipv6('2001:db8::fe', Z, 58, cat([2, 0, 0, 0, 0, 0, 0x05, 0x00], q)));
  return [e(c(100, 0, 2)), e(s(900, 101, 0x12)), e(c(101, 901, 0x10)), e(big), ptb(big.subarray(0, 60)), ptb(big.subarray(0, 56)), ptb(big.subarray(0, 48)),
    e(s(901, 101, 0x10, 1220)), e(s(2121, 101, 0x10, 220)), e(c(101, 2341, 0x10))];
}
