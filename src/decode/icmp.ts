/**
 * ICMP and ICMPv6, with the IP header (and the start of the transport header) that an error
 * quotes, decoded as tshark shows it; and the IP Authentication Header, decoded through to its
 * payload.
 */
import type { Walk } from './walk.js';

/** ICMPv4 error types that quote the offending datagram: unreachable, source quench, redirect, time exceeded, parameter problem. */
const ICMP_ERRORS = new Set([3, 4, 5, 11, 12]);
/** ICMPv6 errors: unreachable, packet too big, time exceeded, parameter problem. */
const ICMP6_ERRORS = new Set([1, 2, 3, 4]);

export function icmp(w: Walk, kind: 'icmp' | 'icmpv6', off: number, cap: number, rep: number): void {
  if (cap - off < 4) { w.truncated(kind, `${kind === 'icmp' ? 'ICMP' : 'ICMPv6'} header`); return; }
  const type = w.u8(off);
  w.layers.push({ kind, offset: off, type, code: w.u8(off + 1), checksum: w.u16(off + 2) });
  const quotes = kind === 'icmp' ? ICMP_ERRORS.has(type) : ICMP6_ERRORS.has(type);
  if (!quotes || w.inError || cap - off <= 8) return;
  w.inError++;
  w.errorKind = kind;
  try {
    if (kind === 'icmp') w.to.ipv4(w, off + 8, cap, rep);
    else w.to.ipv6(w, off + 8, cap, rep);
  } finally { w.inError--; }
}

/** AH (RFC 4302): next header, length in 4-byte units minus 2, SPI, sequence, ICV; then the payload. */
export function ah(w: Walk, off: number, cap: number, rep: number): void {
  if (cap - off < 12) { w.truncated('ah', 'Authentication Header'); return; }
  const nxt = w.u8(off), length = (w.u8(off + 1) + 2) * 4;
  w.layers.push({ kind: 'ah', offset: off, nxt, length, spi: w.u32(off + 4), seq: w.u32(off + 8) });
  if (off + length > rep) { w.malformed('ah', `AH length ${length} runs past the packet`, 'ah-bad-length'); return; }
  if (w.depth++ > 16) return;
  w.to.ipProto(w, nxt, off + length, cap, rep);
}
