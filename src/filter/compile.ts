/**
 * Display-filter compiler: typed tree → one closure `(record) => boolean`.
 *
 * Everything that can be decided once is decided here: the comparison function for the
 * operand types, CIDR masks, constant values, the regular expression. Per packet, a field
 * node fills its own reusable array with the field's values (as `-e` does) and the tests
 * walk those arrays; nothing else is allocated except where a value has to be built
 * (slices of several ranges, arithmetic, string conversions, `matches` subjects).
 *
 * Multi-valued fields follow Wireshark 4.0: `==` any value equal, `!=` no value equal
 * ("all not equal"), `===` all equal, `!==`/`~=` any not equal, orderings and `contains`
 * any; `any`/`all` before a comparison choose the quantifier explicitly.
 */
import type { PacketRecord } from '../record.js';
import type { FieldValue } from '../fields/registry.js';
import { ipv4 as ipv4Text, ipv6At, mac } from '../core/format.js';
import type { TExpr, TValue, VType } from './check.js';
import type { SliceRange } from './parser.js';
import { latin1 } from './regex.js';
import type { Time } from './literals.js';

export type Test = (r: PacketRecord) => boolean;
type V = FieldValue;
type Producer = (r: PacketRecord) => readonly V[];
type Rel = { eq: (a: V, b: V) => boolean; cmp: (a: V, b: V) => number };

const FULL_MASK = 0xffffffff;

type RClass = 'num' | 'time' | 'bytes' | 'str';
function rclass(t: VType): RClass {
  switch (t) {
    case 'uint': case 'int': case 'bool': case 'float': case 'ipv4': return 'num';
    case 'reltime': case 'abstime': return 'time';
    case 'string': return 'str';
    default: return 'bytes';
  }
}

export function compile(e: TExpr): Test {
  switch (e.k) {
    case 'and': { const a = compile(e.l), b = compile(e.r); return (r) => a(r) && b(r); }
    case 'or': { const a = compile(e.l), b = compile(e.r); return (r) => a(r) || b(r); }
    case 'xor': { const a = compile(e.l), b = compile(e.r); return (r) => a(r) !== b(r); }
    case 'not': { const a = compile(e.x); return (r) => !a(r); }
    case 'exists': { const p = producer(e.v); return (r) => p(r).length > 0; }
    case 'truthy': return truthy(e.v);
    case 'cmp': return comparison(e);
    case 'in': return membership(e);
  }
}

// ---------------------------------------------------------------------------------------------
// Comparing two values of one type

const cmpTime = (a: Time, b: Time): number => (a[0] - b[0]) * 1e9 + (a[1] - b[1]);

function cmpBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

function eqBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Compare the first `bits` bits of two addresses (IPv6 CIDR). */
function cmpPrefix(a: Uint8Array, b: Uint8Array, bits: number): number {
  const whole = bits >> 3;
  for (let i = 0; i < whole; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  const rest = bits & 7;
  if (rest) {
    const m = (0xff << (8 - rest)) & 0xff;
    const x = a[whole]! & m, y = b[whole]! & m;
    if (x !== y) return x - y;
  }
  return 0;
}

const maskOf = (v: TValue): number => (v.k === 'const' && v.mask !== undefined ? v.mask : FULL_MASK);
const prefixOf = (v: TValue): number => (v.k === 'const' && v.prefix !== undefined ? v.prefix : 128);

/** eq and cmp for values of `l`'s type against values of `r` (CIDR masks decided once). */
function relation(l: TValue, r: TValue): Rel {
  if ((r.k === 'const' && r.incomparable) || (l.k === 'const' && l.incomparable)) return { eq: () => false, cmp: () => NaN };
  switch (rclass(l.t)) {
    case 'num': {
      const m = (maskOf(l) & maskOf(r)) >>> 0;
      if (m !== FULL_MASK) {
        return {
          eq: (a, b) => ((a as number) & m) >>> 0 === ((b as number) & m) >>> 0,
          cmp: (a, b) => (((a as number) & m) >>> 0) - (((b as number) & m) >>> 0),
        };
      }
      return { eq: (a, b) => a === b, cmp: (a, b) => (a as number) - (b as number) };
    }
    case 'time': return { eq: (a, b) => cmpTime(a as Time, b as Time) === 0, cmp: (a, b) => cmpTime(a as Time, b as Time) };
    case 'str': return { eq: (a, b) => a === b, cmp: (a, b) => ((a as string) < (b as string) ? -1 : (a as string) > (b as string) ? 1 : 0) };
    case 'bytes': {
      const bits = Math.min(prefixOf(l), prefixOf(r));
      if (bits < 128 && (l.t === 'ipv6' || r.t === 'ipv6')) {
        return { eq: (a, b) => cmpPrefix(a as Uint8Array, b as Uint8Array, bits) === 0, cmp: (a, b) => cmpPrefix(a as Uint8Array, b as Uint8Array, bits) };
      }
      return { eq: (a, b) => eqBytes(a as Uint8Array, b as Uint8Array), cmp: (a, b) => cmpBytes(a as Uint8Array, b as Uint8Array) };
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Comparisons with Wireshark's quantifiers

function comparison(e: TExpr & { k: 'cmp' }): Test {
  const L = producer(e.l);
  if (e.op === 'matches') {
    const re = e.regex!;
    const subject = subjectOf(e.l);
    if (e.quant === 'all') {
      return (r) => {
        const A = L(r);
        if (!A.length) return false;
        for (let i = 0; i < A.length; i++) if (!re.test(subject(A[i]!, r))) return false;
        return true;
      };
    }
    return (r) => {
      const A = L(r);
      for (let i = 0; i < A.length; i++) if (re.test(subject(A[i]!, r))) return true;
      return false;
    };
  }
  const R = producer(e.r);
  let pred: (a: V, b: V, r: PacketRecord) => boolean;
  let quant: 'any' | 'all';
  /** "all" tests written as "no pair fails": exactly Wireshark's results when a value compares with nothing */
  let negated = false;
  if (e.op === 'contains') {
    pred = containsPred(e.l);
    quant = e.quant ?? 'any';
  } else if (e.op === '==' || e.op === '!=' || e.op === '===' || e.op === '!==') {
    const rel = relation(e.l, e.r);
    const isEq = e.op === '==' || e.op === '===';
    quant = e.quant ?? (e.op === '==' || e.op === '!==' ? 'any' : 'all');
    const ne = (a: V, b: V): boolean => !Number.isNaN(rel.cmp(a, b)) && !rel.eq(a, b);
    if (quant === 'any') pred = isEq ? (a, b) => rel.eq(a, b) : ne;
    else { negated = true; pred = isEq ? ne : (a, b) => rel.eq(a, b); }
  } else {
    const rel = relation(e.l, e.r);
    quant = e.quant ?? 'any';
    switch (e.op) {
      case '<': pred = (a, b) => rel.cmp(a, b) < 0; break;
      case '<=': pred = (a, b) => rel.cmp(a, b) <= 0; break;
      case '>': pred = (a, b) => rel.cmp(a, b) > 0; break;
      default: pred = (a, b) => rel.cmp(a, b) >= 0; break;
    }
  }
  if (quant === 'any') {
    return (r) => {
      const A = L(r);
      if (!A.length) return false;
      const B = R(r);
      for (let i = 0; i < A.length; i++) for (let j = 0; j < B.length; j++) if (pred(A[i]!, B[j]!, r)) return true;
      return false;
    };
  }
  if (negated) {
    // all a, all b: not pred(a, b) — with at least one value on each side
    return (r) => {
      const A = L(r);
      if (!A.length) return false;
      const B = R(r);
      if (!B.length) return false;
      for (let i = 0; i < A.length; i++) for (let j = 0; j < B.length; j++) if (pred(A[i]!, B[j]!, r)) return false;
      return true;
    };
  }
  return (r) => {
    const A = L(r);
    if (!A.length) return false;
    const B = R(r);
    if (!B.length) return false;
    for (let i = 0; i < A.length; i++) for (let j = 0; j < B.length; j++) if (!pred(A[i]!, B[j]!, r)) return false;
    return true;
  };
}

function membership(e: TExpr & { k: 'in' }): Test {
  const L = producer(e.l);
  const elems = e.elems.map((el) => ({
    lo: producer(el.lo), hi: el.hi ? producer(el.hi) : undefined,
    relLo: relation(e.l, el.lo), relHi: el.hi ? relation(e.l, el.hi) : undefined,
  }));
  const test = (r: PacketRecord): boolean => {
    const A = L(r);
    if (!A.length) return false;
    for (const el of elems) {
      const los = el.lo(r);
      if (!el.hi) {
        for (let i = 0; i < A.length; i++) for (let j = 0; j < los.length; j++) if (el.relLo.eq(A[i]!, los[j]!)) return true;
        continue;
      }
      const his = el.hi(r);
      for (let i = 0; i < A.length; i++) {
        for (let j = 0; j < los.length; j++) {
          if (!(el.relLo.cmp(A[i]!, los[j]!) >= 0)) continue;
          for (let k = 0; k < his.length; k++) if (el.relHi!.cmp(A[i]!, his[k]!) <= 0) return true;
        }
      }
    }
    return false;
  };
  return e.negated ? (r) => !test(r) : test;
}

/**
 * The bytes a protocol's `contains`/`matches` search: Wireshark searches from the protocol's
 * first byte to the end of the data carrying it (a TCP segment: through its payload, up to
 * the end of the IP packet; Ethernet: the whole frame), while slices, len() and == see only
 * the protocol's own bytes (its header) as the field pushes them.
 */
function searchExtent(r: PacketRecord, v: Uint8Array): Uint8Array {
  const d = r.packet.frame.data;
  if (v.buffer !== d.buffer || v.byteOffset < d.byteOffset || v.byteOffset + v.length > d.byteOffset + d.length || v.length === d.length) return v;
  const start = v.byteOffset - d.byteOffset;
  let end = d.length;
  const ip = r.packet.ip;
  if (ip && start >= ip.offset) {
    const ipEnd = ip.kind === 'ipv4' ? ip.offset + ip.hdrLen + ip.payloadLen : ip.payloadLen > 0 ? ip.offset + 40 + ip.payloadLen : end;
    if (ipEnd < end) end = ipEnd;
  }
  if (end < start + v.length) end = start + v.length;
  return d.subarray(start, end);
}

function indexOfBytes(hay: Uint8Array, needle: Uint8Array): number {
  const n = needle.length;
  if (n === 0) return 0;
  const first = needle[0]!;
  const last = hay.length - n;
  outer: for (let i = 0; i <= last; i++) {
    if (hay[i] !== first) continue;
    for (let k = 1; k < n; k++) if (hay[i + k] !== needle[k]) continue outer;
    return i;
  }
  return -1;
}

function containsPred(l: TValue): (a: V, b: V, r: PacketRecord) => boolean {
  if (l.t === 'string') return (a, b) => (a as string).includes(b as string);
  if (l.t === 'protocol') return (a, b, r) => indexOfBytes(searchExtent(r, a as Uint8Array), b as Uint8Array) >= 0;
  return (a, b) => indexOfBytes(a as Uint8Array, b as Uint8Array) >= 0;
}

const utf8 = new TextEncoder();

/** What a regular expression runs on: Latin-1 text with one character per byte (PCRE2 without UTF). */
function subjectOf(l: TValue): (v: V, r: PacketRecord) => string {
  if (l.t === 'string') return (v) => (/[^\x00-\x7f]/.test(v as string) ? latin1(utf8.encode(v as string)) : (v as string));
  if (l.t === 'protocol') return (v, r) => latin1(searchExtent(r, v as Uint8Array));
  return (v) => latin1(v as Uint8Array);
}

function truthy(v: TValue): Test {
  const p = producer(v);
  const nonZero = nonZeroOf(v.t);
  return (r) => {
    const A = p(r);
    for (let i = 0; i < A.length; i++) if (nonZero(A[i]!)) return true;
    return false;
  };
}

function nonZeroOf(t: VType): (v: V) => boolean {
  switch (rclass(t)) {
    case 'num': return (v) => v !== 0;
    case 'time': return (v) => (v as Time)[0] !== 0 || (v as Time)[1] !== 0;
    case 'str': return (v) => (v as string).length > 0;
    case 'bytes': return (v) => (v as Uint8Array).some((b) => b !== 0);
  }
}

// ---------------------------------------------------------------------------------------------
// Values

function producer(v: TValue): Producer {
  switch (v.k) {
    case 'field': {
      const def = v.def;
      const out: V[] = [];
      return (r) => { out.length = 0; def.get(r, out); return out; };
    }
    case 'const': {
      const one: readonly V[] = [v.value as V];
      return () => one;
    }
    case 'slice': return sliceProducer(v.of, v.ranges);
    case 'call': return callProducer(v);
    case 'arith': return arithProducer(v);
    case 'neg': {
      const p = producer(v.x);
      const out: V[] = [];
      const time = rclass(v.t) === 'time';
      return (r) => {
        out.length = 0;
        const A = p(r);
        for (let i = 0; i < A.length; i++) out.push(time ? [-(A[i] as Time)[0], -(A[i] as Time)[1]] : -(A[i] as number));
        return out;
      };
    }
  }
}

/** A field value as bytes, for slicing (addresses in network order, strings as UTF-8). */
function bytesOf(t: VType): (v: V) => Uint8Array {
  if (t === 'ipv4') return (v) => { const n = v as number; return Uint8Array.of(n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255); };
  if (t === 'string') return (v) => utf8.encode(v as string);
  return (v) => v as Uint8Array;
}

function sliceOne(b: Uint8Array, s: SliceRange): Uint8Array | undefined {
  const start = s.start < 0 ? b.length + s.start : s.start;
  if (start < 0 || start >= b.length) return undefined;
  const end = s.length === null ? b.length : start + s.length;
  if (end > b.length) return undefined;
  return b.subarray(start, end);
}

function sliceProducer(of: TValue, ranges: SliceRange[]): Producer {
  const p = producer(of);
  const toBytes = bytesOf(of.t);
  const out: V[] = [];
  return (r) => {
    out.length = 0;
    const A = p(r);
    for (let i = 0; i < A.length; i++) {
      const b = toBytes(A[i]!);
      if (ranges.length === 1) {
        const s = sliceOne(b, ranges[0]!);
        if (s) out.push(s);
        continue;
      }
      const parts: Uint8Array[] = [];
      let total = 0;
      for (const rg of ranges) {
        const s = sliceOne(b, rg);
        if (!s) { total = -1; break; }
        parts.push(s);
        total += s.length;
      }
      if (total < 0) continue;
      const joined = new Uint8Array(total);
      let at = 0;
      for (const s of parts) { joined.set(s, at); at += s.length; }
      out.push(joined);
    }
    return out;
  };
}

function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff) { n += 4; i++; } else n += 3;
  }
  return n;
}

function callProducer(v: TValue & { k: 'call' }): Producer {
  const args = v.args.map(producer);
  const out: V[] = [];
  const a0 = args[0]!;
  const t0 = v.args[0]!.t;
  const map = (f: (x: V) => V | undefined): Producer => (r) => {
    out.length = 0;
    const A = a0(r);
    for (let i = 0; i < A.length; i++) { const y = f(A[i]!); if (y !== undefined) out.push(y); }
    return out;
  };
  switch (v.fn) {
    case 'len':
      if (t0 === 'string') return map((x) => utf8Length(x as string));
      if (t0 === 'ipv4') return map(() => 4);
      return map((x) => (x as Uint8Array).length);
    case 'count': return (r) => { out.length = 0; const n = a0(r).length; if (n) out.push(n); return out; };
    case 'upper': return map((x) => (x as string).toUpperCase());
    case 'lower': return map((x) => (x as string).toLowerCase());
    case 'string':
      switch (t0) {
        case 'ipv4': return map((x) => ipv4Text(x as number));
        case 'ipv6': return map((x) => ipv6At(x as Uint8Array, 0));
        case 'ether': return map((x) => mac(x as Uint8Array, 0));
        default: return map((x) => String(x));
      }
    case 'abs':
      if (rclass(t0) === 'time') return map((x) => (cmpTime(x as Time, [0, 0]) < 0 ? [-(x as Time)[0], -(x as Time)[1]] : x));
      return map((x) => Math.abs(x as number));
    case 'max': case 'min': {
      const rel = relation(v, v);
      const sign = v.fn === 'max' ? 1 : -1;
      // Over every value of every argument; a missing field just adds nothing (Wireshark 4.0).
      return (r) => {
        out.length = 0;
        let best: V | undefined;
        for (let k = 0; k < args.length; k++) {
          const A = args[k]!(r);
          for (let i = 0; i < A.length; i++) if (best === undefined || sign * rel.cmp(A[i]!, best) > 0) best = A[i]!;
        }
        if (best !== undefined) out.push(best);
        return out;
      };
    }
  }
}

function arithProducer(v: TValue & { k: 'arith' }): Producer {
  const L = producer(v.l), R = producer(v.r);
  const out: V[] = [];
  const cls = rclass(v.l.t);
  const integer = v.l.t !== 'float';
  let f: (a: V, b: V) => V | undefined;
  if (cls === 'time') {
    const s = v.op === '+' ? 1 : -1;
    f = (a, b) => [(a as Time)[0] + s * (b as Time)[0], (a as Time)[1] + s * (b as Time)[1]];
  } else if (cls === 'bytes') {
    f = (a, b) => {
      const x = a as Uint8Array, y = b as Uint8Array;
      const n = Math.min(x.length, y.length);
      const res = new Uint8Array(n);
      for (let i = 0; i < n; i++) res[i] = x[i]! & y[i]!;
      return res;
    };
  } else {
    switch (v.op) {
      case '+': f = (a, b) => (a as number) + (b as number); break;
      case '-': f = (a, b) => (a as number) - (b as number); break;
      case '*': f = (a, b) => (a as number) * (b as number); break;
      case '/': f = (a, b) => ((b as number) === 0 ? undefined : integer ? Math.trunc((a as number) / (b as number)) : (a as number) / (b as number)); break;
      case '%': f = (a, b) => ((b as number) === 0 ? undefined : (a as number) % (b as number)); break;
      case '&': f = (a, b) => {
        const x = a as number, y = b as number;
        return x >= 0 && y >= 0 && x <= FULL_MASK && y <= FULL_MASK ? (x & y) >>> 0 : Number(BigInt(Math.trunc(x)) & BigInt(Math.trunc(y)));
      }; break;
    }
  }
  return (r) => {
    out.length = 0;
    const A = L(r);
    if (!A.length) return out;
    const B = R(r);
    for (let i = 0; i < A.length; i++) for (let j = 0; j < B.length; j++) { const y = f(A[i]!, B[j]!); if (y !== undefined) out.push(y); }
    return out;
  };
}

