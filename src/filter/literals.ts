/**
 * Literal values of display filters, converted to the type of the field they are compared
 * with (Wireshark decides what `10.0.0.1`, `47:45:54` or `80` mean from the other side).
 * Every conversion either returns a value or throws a FilterError that says why.
 */
import { fail, type Span } from './errors.js';
import type { FieldType } from '../fields/registry.js';

/** A time value: whole seconds and nanoseconds, both with the same sign. */
export type Time = readonly [number, number];

/** Wireshark's names of field types, for error messages. */
export function typeName(t: FieldType, bits?: number): string {
  const bytes = bits ? ` (${Math.ceil(Math.abs(bits) / 8)} byte${Math.abs(bits) > 8 ? 's' : ''})` : '';
  switch (t) {
    case 'uint': return `Unsigned integer${bytes}`;
    case 'int': return `Signed integer${bytes}`;
    case 'bool': return 'Boolean';
    case 'float': return 'Floating point';
    case 'ipv4': return 'IPv4 address';
    case 'ipv6': return 'IPv6 address';
    case 'ether': return 'Ethernet or other MAC address';
    case 'bytes': return 'Byte sequence';
    case 'string': return 'Character string';
    case 'reltime': return 'Time offset';
    case 'abstime': return 'Date and time';
    case 'protocol': return 'Protocol';
    case 'none': return 'Label';
  }
}

/**
 * An integer literal: decimal, 0x hex, 0b binary or 0-prefixed octal (frame.len > 012).
 * Returns NaN when the text is not one.
 */
export function parseInteger(text: string): number {
  if (/^[1-9][0-9]*$/.test(text) || text === '0') return Number(text);
  if (/^0[xX][0-9a-fA-F]+$/.test(text)) return parseInt(text.slice(2), 16);
  if (/^0[bB][01]+$/.test(text)) return parseInt(text.slice(2), 2);
  if (/^0[0-7]+$/.test(text)) return parseInt(text.slice(1), 8);
  return NaN;
}

/** Largest value of an integer field of `bits` (negative: signed); undefined when the width is unknown. */
export function maxOf(bits: number | undefined): number | undefined {
  if (bits === undefined) return undefined;
  return bits > 0 ? 2 ** bits - 1 : 2 ** (-bits - 1) - 1;
}

/** An integer for a field of the given width (too big → error, as tshark). */
export function integerLiteral(text: string, span: Span, bits: number | undefined): number {
  const v = parseInteger(text);
  if (Number.isNaN(v)) {
    // Wireshark also accepts the names it shows for some values (ip.proto == TCP); tcpscope has no such tables.
    fail(`"${text}" is not a valid number${/^[A-Za-z_]/.test(text) ? ' (tcpscope does not know value names; use the number)' : ''}.`, span);
  }
  const max = maxOf(bits) ?? 2 ** 64 - 1;
  if (v > max) fail(`"${text}" too big for this field, maximum ${max}.`, span);
  return v;
}

/** Booleans: True/TRUE/False/FALSE or any integer (non-zero is true). */
export function boolLiteral(text: string, span: Span): number {
  if (text === 'True' || text === 'TRUE') return 1;
  if (text === 'False' || text === 'FALSE') return 0;
  const v = parseInteger(text);
  if (Number.isNaN(v)) fail(`"${text}" is not a valid boolean: use True, False, 1 or 0.`, span);
  return v !== 0 ? 1 : 0;
}

export function floatLiteral(text: string, span: Span): number {
  if (/^(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text)) return Number(text);
  const v = parseInteger(text);
  if (Number.isNaN(v)) fail(`"${text}" is not a valid floating point number.`, span);
  return v;
}

/** Seconds with up to nine decimals, exactly (no binary rounding): "0.06" → [0, 60000000]. */
export function timeLiteral(text: string, span: Span): Time {
  const m = /^(\d*)(?:\.(\d*))?$/.exec(text);
  if (!m || (m[1] === '' && !m[2])) fail(`"${text}" is not a valid time.`, span);
  const frac = (m[2] ?? '').slice(0, 9).padEnd(9, '0');
  return [Number(m[1] || '0'), Number(frac)];
}

/**
 * A date for a time field, ISO 8601 ("2020-07-04T12:34:56.5Z", "T" may be a space, zone
 * optional: local time) or Wireshark's legacy "Sep 26, 2004 23:18:04.954975" (with optional UTC).
 */
export function dateLiteral(text: string, span: Span): Time {
  const months = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
  let y: number, mo: number, d: number, h = 0, mi = 0, s = 0, frac = '', zone: string | undefined;
  let m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?)?\s*(Z|UTC|[+-]\d{2}:?\d{2})?$/.exec(text.trim());
  if (m) {
    [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
    if (m[4]) { h = Number(m[4]); mi = Number(m[5]); s = Number(m[6] ?? 0); frac = m[7] ?? ''; }
    zone = m[8];
  } else if ((m = /^([A-Za-z]{3})\s+(\d{1,2}),\s*(\d{4})(?:\s+(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?)?\s*(UTC)?$/.exec(text.trim()))) {
    mo = months.indexOf(m[1]!.toLowerCase()) + 1;
    if (!mo) fail(`"${text}" is not a valid date (unknown month "${m[1]}").`, span);
    [d, y] = [Number(m[2]), Number(m[3])];
    if (m[4]) { h = Number(m[4]); mi = Number(m[5]); s = Number(m[6] ?? 0); frac = m[7] ?? ''; }
    zone = m[8];
  } else fail(`"${text}" is not a valid date and time: use "2020-07-04T12:34:56" (ISO 8601) or "Jul 4, 2020 12:34:56".`, span);
  let ms: number;
  if (zone === undefined) ms = new Date(y, mo - 1, d, h, mi, s).getTime();
  else {
    ms = Date.UTC(y, mo - 1, d, h, mi, s);
    const z = /^([+-])(\d{2}):?(\d{2})$/.exec(zone);
    if (z) ms -= (z[1] === '-' ? -1 : 1) * (Number(z[2]) * 60 + Number(z[3])) * 60000;
  }
  if (Number.isNaN(ms) || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60) fail(`"${text}" is not a valid date and time.`, span);
  return [Math.floor(ms / 1000), Number(frac.slice(0, 9).padEnd(9, '0'))];
}

/** Dotted-quad IPv4 with an optional /bits: the address as an unsigned number and the mask. */
export function ipv4Literal(text: string, span: Span): { addr: number; mask: number } {
  const [a, bitsText] = text.split('/', 2) as [string, string | undefined];
  const parts = a.split('.');
  if (parts.length !== 4 || parts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255)) {
    fail(`"${text}" is not a valid IPv4 address${/[a-zA-Z]/.test(a) ? ' (tcpscope does not look up host names)' : ''}.`, span);
  }
  let mask = 0xffffffff;
  if (bitsText !== undefined) {
    const bits = Number(bitsText);
    if (!/^\d+$/.test(bitsText) || bits > 32) fail(`Netmask bits in a CIDR IPv4 address should be <= 32, not ${bitsText}.`, span);
    mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
  }
  const addr = parts.reduce((acc, p) => acc * 256 + Number(p), 0);
  return { addr: (addr & mask) >>> 0, mask };
}

/** An IPv6 address (RFC 4291 text, embedded IPv4 allowed) with an optional /prefix. */
export function ipv6Literal(text: string, span: Span): { addr: Uint8Array; prefix: number } {
  const [a, bitsText] = text.split('/', 2) as [string, string | undefined];
  const bad = (): never => fail(`"${text}" is not a valid IPv6 address${/[g-zG-Z]/.test(a) ? ' (tcpscope does not look up host names)' : ''}.`, span);
  let prefix = 128;
  if (bitsText !== undefined) {
    prefix = Number(bitsText);
    if (!/^\d+$/.test(bitsText) || prefix > 128) fail(`Prefix length in a CIDR IPv6 address should be <= 128, not ${bitsText}.`, span);
  }
  const groups: number[] = [];
  const parseSide = (s: string, allowV4: boolean): number[] | undefined => {
    if (s === '') return [];
    const out: number[] = [];
    const items = s.split(':');
    for (let i = 0; i < items.length; i++) {
      const it = items[i]!;
      if (allowV4 && i === items.length - 1 && it.includes('.')) {
        const p = it.split('.');
        if (p.length !== 4 || p.some((x) => !/^\d{1,3}$/.test(x) || Number(x) > 255)) return undefined;
        out.push(Number(p[0]) * 256 + Number(p[1]), Number(p[2]) * 256 + Number(p[3]));
      } else if (/^[0-9A-Fa-f]{1,4}$/.test(it)) out.push(parseInt(it, 16));
      else return undefined;
    }
    return out;
  };
  const dbl = a.indexOf('::');
  if (dbl >= 0) {
    if (a.indexOf('::', dbl + 1) >= 0) bad();
    const head = parseSide(a.slice(0, dbl), false);
    const tail = parseSide(a.slice(dbl + 2), true);
    if (!head || !tail || head.length + tail.length > 7) bad();
    groups.push(...head!, ...new Array(8 - head!.length - tail!.length).fill(0), ...tail!);
  } else {
    const all = parseSide(a, true);
    if (!all || all.length !== 8) bad();
    groups.push(...all!);
  }
  const addr = new Uint8Array(16);
  for (let i = 0; i < 8; i++) { addr[2 * i] = groups[i]! >> 8; addr[2 * i + 1] = groups[i]! & 255; }
  return { addr, prefix };
}

/**
 * A byte string: hex pairs separated by `:`, `-` or `.` (one digit per group allowed:
 * `0.1.0.d`), or plain hex with an even number of digits, or `0xNN` for one byte.
 * Returns undefined when the text is none of these.
 */
export function parseBytes(text: string): Uint8Array | undefined {
  if (/^0[xX][0-9a-fA-F]{1,2}$/.test(text)) return Uint8Array.of(parseInt(text.slice(2), 16));
  if (/^[0-9a-fA-F]{1,2}([:.-][0-9a-fA-F]{1,2})+$/.test(text)) {
    const sep = text.match(/[:.-]/)![0];
    const parts = text.split(sep);
    if (parts.some((p) => !/^[0-9a-fA-F]{1,2}$/.test(p))) return undefined;
    return Uint8Array.from(parts.map((p) => parseInt(p, 16)));
  }
  if (/^([0-9a-fA-F]{2})+$/.test(text) || /^[0-9a-fA-F]$/.test(text)) {
    const out = new Uint8Array(Math.ceil(text.length / 2));
    for (let i = 0; i < out.length; i++) out[i] = parseInt(text.slice(2 * i, 2 * i + 2), 16);
    return out;
  }
  return undefined;
}

export function bytesLiteral(text: string, span: Span): Uint8Array {
  const b = parseBytes(text);
  if (!b) fail(`"${text}" is not a valid byte string.`, span);
  return b;
}

/** Six bytes: aa:bb:cc:dd:ee:ff, aa-bb-…, aabb.ccdd.eeff, or 12 hex digits. */
export function etherLiteral(text: string, span: Span): Uint8Array {
  let b: Uint8Array | undefined;
  if (/^[0-9a-fA-F]{4}\.[0-9a-fA-F]{4}\.[0-9a-fA-F]{4}$/.test(text)) b = parseBytes(text.replace(/\./g, ''));
  else b = parseBytes(text);
  if (!b) fail(`"${text}" is not a valid Ethernet address.`, span);
  if (b.length < 6) fail(`"${text}" contains too few bytes to be a valid Ethernet address.`, span);
  if (b.length > 6) fail(`"${text}" contains too many bytes to be a valid Ethernet address.`, span);
  return b;
}

const utf8Decoder = new TextDecoder('utf-8');

/** A double-quoted literal's bytes as text (for string fields). */
export function bytesToString(b: Uint8Array): string {
  return utf8Decoder.decode(b);
}
