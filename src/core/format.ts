/** Value formatting shared by fields and renderers, written to match tshark's text byte for byte. */

const HEX = '0123456789abcdef';

/** `0x` + lower-case hex, zero-padded to `digits`. */
export function hex(n: number, digits: number): string {
  return '0x' + n.toString(16).padStart(digits, '0');
}

/** Bytes as plain hex without separators ("0402"), as tshark prints FT_BYTES in -T fields. */
export function hexBytes(d: Uint8Array, off: number, len: number, sep = ''): string {
  let s = '';
  for (let i = 0; i < len; i++) {
    const b = d[off + i]!;
    if (i && sep) s += sep;
    s += HEX[b >> 4]! + HEX[b & 15]!;
  }
  return s;
}

export function mac(d: Uint8Array, off: number): string {
  return hexBytes(d, off, 6, ':');
}

export function ipv4(n: number): string {
  return `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
}

export function ipv4At(d: Uint8Array, off: number): string {
  return `${d[off]}.${d[off + 1]}.${d[off + 2]}.${d[off + 3]}`;
}

/** RFC 5952 text form (longest run of zero groups compressed, lower case), as tshark prints IPv6 addresses. */
export function ipv6At(d: Uint8Array, off: number): string {
  const g: number[] = [];
  for (let i = 0; i < 8; i++) g.push((d[off + 2 * i]! << 8) | d[off + 2 * i + 1]!);
  // IPv4-mapped and IPv4-compatible forms are printed with a dotted tail, as inet_ntop does.
  if (g[0] === 0 && g[1] === 0 && g[2] === 0 && g[3] === 0 && g[4] === 0 && (g[5] === 0xffff || (g[5] === 0 && g[6] !== 0))) {
    const tail = ipv4At(d, off + 12);
    if (g[5] === 0xffff) return '::ffff:' + tail;
    if (g[6]! > 0 || g[7]! > 1) return '::' + tail;
  }
  let bestStart = -1, bestLen = 0;
  for (let i = 0; i < 8;) {
    if (g[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) { bestStart = i; bestLen = j - i; }
    i = j;
  }
  const part = (a: number[]): string => a.map((x) => x.toString(16)).join(':');
  if (bestStart < 0) return part(g);
  return part(g.slice(0, bestStart)) + '::' + part(g.slice(bestStart + bestLen));
}

/**
 * A time difference given as whole seconds plus nanoseconds (either may be negative) printed
 * with nine decimals, as tshark prints relative times ("0.000037000", "-1.250000000").
 */
export function relTime(sec: number, nsec: number): string {
  let total = sec + Math.trunc(nsec / 1e9);
  let ns = nsec % 1e9;
  if (total > 0 && ns < 0) { total -= 1; ns += 1e9; }
  else if (total < 0 && ns > 0) { total += 1; ns -= 1e9; }
  const neg = total < 0 || ns < 0;
  return (neg ? '-' : '') + Math.abs(total) + '.' + String(Math.abs(ns)).padStart(9, '0');
}

const ZEROS = ['', '0', '00', '000', '0000', '00000', '000000', '0000000', '00000000', '000000000'];
const POW10 = [1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9];

/** Seconds with a fixed number of decimals (truncated, not rounded, as Wireshark's columns do). */
export function relTimeDigits(sec: number, nsec: number, digits: number): string {
  // The common case (a time after the first frame, nanoseconds in range): the digits directly,
  // without building all nine decimals first. This runs for every line of the packet list.
  if (sec > 0 && nsec < 0 && nsec > -1e9) { sec -= 1; nsec += 1e9; } // borrow a second (same value)
  if (sec >= 0 && nsec >= 0 && nsec < 1e9 && digits >= 0 && digits <= 9 && Number.isInteger(digits)) {
    if (digits === 0) return String(sec);
    const frac = String(Math.floor(nsec / POW10[9 - digits]!));
    return sec + '.' + ZEROS[digits - frac.length]! + frac;
  }
  const full = relTime(sec, nsec);
  const dot = full.indexOf('.');
  return digits === 0 ? full.slice(0, dot) : full.slice(0, dot + 1 + digits);
}
