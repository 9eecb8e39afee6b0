/**
 * Display-filter checker: syntax tree → typed tree. Every word is resolved here, once:
 * a registered field name is a field; anything else is a literal, converted to the type of
 * what it is compared with (Wireshark 4.0's rule). An unknown field is an error, never a
 * test that is silently false; so is a comparison between types that do not compare.
 */
import { lookupField, similarFields, type FieldDef, type FieldType } from '../fields/index.js';
import { fail, type Span } from './errors.js';
import {
  boolLiteral, bytesLiteral, bytesToString, dateLiteral, etherLiteral, floatLiteral, integerLiteral, ipv4Literal,
  ipv6Literal, timeLiteral, typeName, type Time,
} from './literals.js';
import type { ArithOp, CmpOp, Expr, SliceRange, Value } from './parser.js';
import { compilePcre, RegexError } from './regex.js';

/** Bits of an integer field for the range check of literals, negative when signed; undefined: no check. */
const fieldBits = (def: FieldDef): number | undefined => (def.bits === undefined ? undefined : def.type === 'int' ? -def.bits : def.bits);

/** Types a filter value can have (a field's type, or what an expression computes). */
export type VType = Exclude<FieldType, 'none'>;

export type Const = number | Time | Uint8Array | string;

interface Base extends Span { t: VType; bits?: number }

export type TValue =
  | (Base & { k: 'field'; def: FieldDef; /** a field with no value (FT_NONE): it can only be tested for presence */ none?: boolean })
  | (Base & { k: 'slice'; of: TValue; ranges: SliceRange[] })
  | (Base & {
    k: 'const'; value: Const;
    /** ipv4 network mask (CIDR), ipv6 prefix length */ mask?: number; prefix?: number;
    /** a negative number against an unsigned field: Wireshark compares it with nothing */ incomparable?: boolean;
  })
  | (Base & { k: 'call'; fn: FnName; args: TValue[] })
  | (Base & { k: 'arith'; op: ArithOp; l: TValue; r: TValue })
  | (Base & { k: 'neg'; x: TValue });

export type TExpr =
  | { k: 'and' | 'or' | 'xor'; l: TExpr; r: TExpr }
  | { k: 'not'; x: TExpr }
  | { k: 'exists'; v: TValue }
  | { k: 'truthy'; v: TValue }
  | { k: 'cmp'; op: CmpOp; quant?: 'any' | 'all'; l: TValue; r: TValue; regex?: RegExp }
  | { k: 'in'; negated: boolean; l: TValue; elems: Array<{ lo: TValue; hi?: TValue }> };

export type FnName = 'len' | 'count' | 'upper' | 'lower' | 'string' | 'max' | 'min' | 'abs';
const FUNCTIONS = new Set<string>(['len', 'count', 'upper', 'lower', 'string', 'max', 'min', 'abs']);

const INTEGER = new Set<VType>(['uint', 'int', 'bool']);
const NUMERIC = new Set<VType>(['uint', 'int', 'float']);
const TIME = new Set<VType>(['reltime', 'abstime']);
const BYTESLIKE = new Set<VType>(['bytes', 'protocol', 'ether', 'ipv6', 'ipv4', 'string']);

/** Names of the fields a checked filter reads (for callers that want to know). */
export interface Checked { expr: TExpr; fields: string[] }

export function check(e: Expr): Checked {
  const c = new Checker();
  return { expr: c.expr(e), fields: [...c.fields] };
}

/** A word that is not a field but is spelt like one ("tcp.flags.sin"): the unknown-field error. */
function unknownField(text: string, at: Span): never {
  const s = similarFields(text);
  fail(`"${text}" is not a valid protocol or protocol field${s.length ? ` (did you mean ${s.map((x) => `"${x}"`).join(', ')}?)` : ''}.`, at);
}

/** Does this word look like a field name rather than a literal? (used only to pick the better message) */
function looksLikeField(text: string): boolean {
  if (!/^[A-Za-z_][A-Za-z0-9_-]*(\.[A-Za-z0-9_-]+)+$/.test(text)) return false;
  const proto = text.slice(0, text.indexOf('.'));
  return lookupField(proto) !== undefined || similarFields(text).length > 0;
}

/** Fields with no value (FT_NONE, e.g. tcp.analysis.retransmission) can only be tested for presence. */
function noLabel(v: TValue, at: Span, what: string): void {
  if (v.k === 'field' && v.none) fail(`${v.def.name} (type=Label) has no value and cannot be ${what}; test whether it is present.`, at);
}

const describe = (v: TValue): string => (v.k === 'field' ? v.def.name : v.k === 'call' ? `${v.fn}()` : v.k === 'slice' ? 'the slice' : 'the expression');

class Checker {
  readonly fields = new Set<string>();

  expr(e: Expr): TExpr {
    switch (e.k) {
      case 'and': case 'or': case 'xor': return { k: e.k, l: this.expr(e.l), r: this.expr(e.r) };
      case 'not': return { k: 'not', x: this.expr(e.x) };
      case 'test': return this.test(e.x);
      case 'cmp': return this.cmp(e);
      case 'in': return this.in(e);
    }
  }

  /** A value used as a test on its own: a field or slice exists; arithmetic is non-zero. */
  private test(x: Value): TExpr {
    if (x.k === 'word' && !lookupField(x.text)) unknownField(x.text, x);
    if (x.k === 'string' || x.k === 'char') fail(`${x.text} is a value, not a test: compare a field with it (e.g. frame contains ${x.text}).`, x);
    if (x.k === 'call') fail('You cannot test whether a function is present: compare its result (e.g. len(tcp.payload) > 0).', x.nameSpan);
    const v = this.value(x);
    if (v === undefined) fail(`"${(x as { text?: string }).text ?? ''}" is not a test.`, x);
    if (v.k === 'field' || v.k === 'slice') return { k: 'exists', v };
    if (v.k === 'const') fail('A constant is not a test: compare a field with it.', x);
    return { k: 'truthy', v };
  }

  /**
   * Resolve a value. With `want`, literals are converted to that type; without it, a literal
   * comes back undefined (the caller converts it once it knows the other side's type).
   */
  value(x: Value, want?: VType, bits?: number): TValue | undefined {
    switch (x.k) {
      case 'word': {
        const def = lookupField(x.text);
        if (def) return this.field(def, x);
        if (!want) return undefined;
        return this.literal(x, want, bits);
      }
      case 'string': case 'char':
        return want ? this.literal(x, want, bits) : undefined;
      case 'slice': {
        const of = this.value(x.of);
        if (!of) {
          if (x.of.k === 'word') unknownField(x.of.text, x.of);
          fail('Only fields and function results can be sliced.', x.of);
        }
        noLabel(of!, x.of, 'sliced');
        if (!BYTESLIKE.has(of!.t)) {
          fail(`"${describe(of!)}" is a ${typeName(of!.t, of!.bits)} and cannot be sliced into a sequence of bytes.`, x.of);
        }
        return { k: 'slice', t: 'bytes', of: of!, ranges: x.ranges, pos: x.pos, end: x.end };
      }
      case 'call': return this.call(x, want);
      case 'neg': {
        const inner = this.value(x.x, want, bits);
        if (!inner) return undefined;
        if (!NUMERIC.has(inner.t) && !TIME.has(inner.t)) fail(`${typeName(inner.t)} values cannot be negated.`, x);
        if (inner.k === 'const') {
          const v = inner.value;
          return { ...inner, value: typeof v === 'number' ? -v : [-(v as Time)[0], -(v as Time)[1]], pos: x.pos, end: x.end };
        }
        return { k: 'neg', t: inner.t === 'uint' ? 'int' : inner.t, bits: inner.bits, x: inner, pos: x.pos, end: x.end };
      }
      case 'arith': return this.arith(x, want, bits);
    }
  }

  private field(def: FieldDef, at: Span): TValue {
    this.fields.add(def.name);
    if (def.type === 'none') return { k: 'field', t: 'bytes', def, none: true, pos: at.pos, end: at.end };
    return { k: 'field', t: def.type, def, bits: fieldBits(def), pos: at.pos, end: at.end };
  }

  /** Convert a literal (word, quoted string or character) to `want`. */
  private literal(x: Value & { k: 'word' | 'string' | 'char' }, want: VType, bits?: number): TValue {
    const at: Span = { pos: x.pos, end: x.end };
    const k = (value: Const, extra: Partial<TValue> = {}): TValue => ({ k: 'const', t: want, value, bits, pos: x.pos, end: x.end, ...extra } as TValue);
    if (x.k === 'string') {
      switch (want) {
        case 'string': return k(bytesToString(x.bytes));
        case 'bytes': case 'protocol': return k(x.bytes, { t: 'bytes' } as Partial<TValue>);
        case 'abstime': return k(dateLiteral(bytesToString(x.bytes), at));
        default: fail(`${typeName(want, bits)} cannot be converted from a string (${x.text}).`, at);
      }
    }
    if (x.k === 'char') {
      switch (want) {
        case 'uint': case 'int': case 'float': return k(x.value);
        case 'bool': return k(x.value ? 1 : 0);
        case 'bytes': case 'protocol': return k(Uint8Array.of(x.value), { t: 'bytes' } as Partial<TValue>);
        case 'string': return k(String.fromCharCode(x.value));
        default: fail(`${typeName(want, bits)} cannot be converted from a character constant (${x.text}).`, at);
      }
    }
    const text = x.text;
    try {
      switch (want) {
        case 'uint': case 'int': return k(integerLiteral(text, at, bits));
        case 'bool': return k(boolLiteral(text, at));
        case 'float': return k(floatLiteral(text, at));
        case 'reltime': case 'abstime': return k(timeLiteral(text, at));
        case 'ipv4': { const a = ipv4Literal(text, at); return k(a.addr, { mask: a.mask }); }
        case 'ipv6': { const a = ipv6Literal(text, at); return k(a.addr, { prefix: a.prefix }); }
        case 'ether': return k(etherLiteral(text, at));
        case 'bytes': case 'protocol': return k(bytesLiteral(text, at), { t: 'bytes' } as Partial<TValue>);
        case 'string': return k(text);
      }
    } catch (e) {
      // "tcp.portt" is more likely a misspelt field than a bad number.
      if (looksLikeField(text)) unknownField(text, at);
      throw e;
    }
  }

  private call(x: Value & { k: 'call' }, want?: VType): TValue {
    const fn = x.name;
    if (!FUNCTIONS.has(fn)) fail(`The function "${fn}" does not exist (there are len, count, upper, lower, string, max, min and abs).`, x.nameSpan);
    const base = { pos: x.pos, end: x.end };
    const arity = (n: number): void => {
      if (x.args.length !== n) fail(`${fn}() takes ${n} argument${n > 1 ? 's' : ''}, not ${x.args.length}.`, x.nameSpan);
    };
    /** The one argument, which must be a field, slice or function (not a literal). */
    const arg = (): TValue => {
      arity(1);
      const a = x.args[0]!;
      const v = this.value(a);
      if (!v) {
        if (a.k === 'word') unknownField(a.text, a);
        fail(`The argument of ${fn}() must be a field.`, a);
      }
      if (fn !== 'count') noLabel(v!, a, `used in ${fn}()`);
      return v!;
    };
    switch (fn) {
      case 'len': {
        const a = arg();
        if (a.t === 'protocol') fail(`len() of a protocol is not supported by tcpscope (Wireshark counts only the protocol's header); use len() of a field or slice.`, x.args[0]!);
        if (!BYTESLIKE.has(a.t)) fail(`len() needs a string, byte or address field; "${describe(a)}" is a ${typeName(a.t, a.bits)}.`, x.args[0]!);
        return { k: 'call', fn: 'len', t: 'uint', bits: 32, args: [a], ...base };
      }
      case 'count': {
        const a = arg();
        if (a.k !== 'field') fail('count() counts the occurrences of a field: its argument must be a field.', x.args[0]!);
        return { k: 'call', fn: 'count', t: 'uint', bits: 32, args: [a], ...base };
      }
      case 'upper': case 'lower': {
        const a = arg();
        if (a.t !== 'string') fail(`Only string type fields can be used as parameter for ${fn}().`, x.args[0]!);
        return { k: 'call', fn, t: 'string', args: [a], ...base };
      }
      case 'string': {
        const a = arg();
        if (!['uint', 'int', 'ipv4', 'ipv6', 'ether'].includes(a.t) || a.k !== 'field') {
          fail(`String conversion for field "${describe(a)}" is not supported.`, x.args[0]!);
        }
        return { k: 'call', fn: 'string', t: 'string', args: [a], ...base };
      }
      case 'abs': {
        const a = arg();
        if (!NUMERIC.has(a.t) && !TIME.has(a.t)) fail(`abs() needs a number or a time; "${describe(a)}" is a ${typeName(a.t, a.bits)}.`, x.args[0]!);
        return { k: 'call', fn: 'abs', t: a.t === 'uint' ? 'int' : a.t, bits: a.bits, args: [a], ...base };
      }
      case 'max': case 'min': {
        if (!x.args.length) fail(`${fn}() needs at least one argument.`, x.nameSpan);
        const first = x.args.map((a) => this.value(a)).find((v) => v !== undefined);
        const t = first?.t ?? want;
        if (!t) fail(`${fn}() needs at least one field argument.`, x.nameSpan);
        if (!NUMERIC.has(t!) && !TIME.has(t!)) fail(`${fn}() needs numbers or times; "${describe(first!)}" is a ${typeName(t!)}.`, x.args[0]!);
        const args = x.args.map((a) => {
          const v = this.value(a, t, first?.bits)!;
          noLabel(v, a, `used in ${fn}()`);
          if (!compatible(v.t, t!)) fail(`All arguments of ${fn}() must have the same type (${typeName(t!)}).`, a);
          return v;
        });
        return { k: 'call', fn, t: t!, bits: first?.bits, args, ...base };
      }
    }
    throw new Error('unreachable');
  }

  private arith(x: Value & { k: 'arith' }, want?: VType, bits?: number): TValue | undefined {
    const op = x.op;
    /** Can values of this type take `op`? (checked before the other side is converted: "FT_IPv4 cannot +") */
    const usable = (v: TValue, at: Span): void => {
      noLabel(v, at, `used with "${op}"`);
      if (op === '&' && v.t === 'ipv6') fail(`"&" on IPv6 addresses is not supported by tcpscope; compare with a CIDR prefix (ipv6.addr == 2001:db8::/32) or a slice.`, at);
      const ok = op === '&'
        ? v.t === 'uint' || v.t === 'int' || v.t === 'ipv4' || v.t === 'ether' || v.t === 'bytes'
        : NUMERIC.has(v.t) || (TIME.has(v.t) && (op === '+' || op === '-'));
      if (!ok) fail(`${describe(v)} (${typeName(v.t, v.bits)}) cannot be used with "${op}".`, at);
    };
    let l = this.value(x.l);
    let r: TValue | undefined;
    if (!l) {
      r = this.value(x.r);
      if (!r) {
        // Constant arithmetic: allowed on the right of a comparison, where the type is known.
        if (!want) return undefined;
        l = this.value(x.l, want, bits);
        r = this.value(x.r, want, bits);
        return this.fold(x, l!, r!);
      }
      usable(r, x.r);
      l = this.value(x.l, r.t === 'protocol' ? 'bytes' : r.t, r.bits);
    } else {
      usable(l, x.l);
      r = this.value(x.r, l.t === 'protocol' ? 'bytes' : l.t, l.bits);
    }
    const L = l!, R = r!;
    usable(L, x.l);
    usable(R, x.r);
    if (!compatible(L.t, R.t)) fail(`${describe(L)} and ${describe(R)} are not of compatible types for "${op}".`, x.opSpan);
    const t: VType = L.t === 'bool' ? 'uint' : L.t;
    return { k: 'arith', op, t, bits: L.bits, l: L, r: R, pos: x.pos, end: x.end };
  }

  /** Evaluate arithmetic on two constants at compile time. */
  private fold(x: Value & { k: 'arith' }, l: TValue, r: TValue): TValue {
    if (l.k !== 'const' || r.k !== 'const') throw new Error('fold: not constants');
    const a = l.value, b = r.value;
    let v: Const | undefined;
    if (typeof a === 'number' && typeof b === 'number') {
      const int = INTEGER.has(l.t) || l.t === 'ipv4';
      switch (x.op) {
        case '+': v = a + b; break;
        case '-': v = a - b; break;
        case '*': v = a * b; break;
        case '/': v = b === 0 ? undefined : int ? Math.trunc(a / b) : a / b; break;
        case '%': v = b === 0 ? undefined : a % b; break;
        case '&': v = Number(BigInt(Math.trunc(a)) & BigInt(Math.trunc(b))); break;
      }
      if (v === undefined) fail('Division by zero in a constant expression.', x.opSpan);
    } else if (Array.isArray(a) && Array.isArray(b) && (x.op === '+' || x.op === '-')) {
      const s = x.op === '+' ? 1 : -1;
      v = [a[0] + s * b[0], a[1] + s * b[1]];
    } else fail(`${typeName(l.t)} constants cannot be combined with "${x.op}".`, x.opSpan);
    return { ...l, value: v!, pos: x.pos, end: x.end } as TValue;
  }

  /** The left side of a comparison: must involve a field (Wireshark: "must be a field or function"). */
  private lhs(x: Value, opText: string): TValue {
    // `1 + tcp.srcport == 81` is refused by Wireshark (the left operand of the left side is a constant).
    let first: Value = x;
    while (first.k === 'arith') first = first.l;
    if (first !== x && (first.k === 'string' || first.k === 'char' || (first.k === 'word' && !lookupField(first.text)))) {
      if (first.k === 'word' && /^[A-Za-z_]/.test(first.text) && /\./.test(first.text)) unknownField(first.text, first);
      fail('Constant arithmetic expression on the LHS is invalid.', first);
    }
    const v = this.value(x);
    if (v) {
      if (v.k === 'const') fail('Constant arithmetic expression on the LHS is invalid.', x);
      return v;
    }
    // A word spelt like a field name is a missing field; a number or address is a misplaced literal.
    if (x.k === 'word' && /^[A-Za-z_][A-Za-z0-9_-]*(\.[A-Za-z0-9_-]+)*$/.test(x.text)) unknownField(x.text, x);
    if (x.k === 'arith' || x.k === 'neg') fail('Constant arithmetic expression on the LHS is invalid.', x);
    const text = (x as { text?: string }).text ?? '';
    fail(`Left side of "${opText}" expression must be a field or function, not ${text}.`, x);
  }

  private cmp(e: Expr & { k: 'cmp' }): TExpr {
    const opText = e.op;
    const l = this.lhs(e.l, opText);
    if (l.k === 'field' && l.none) fail(`${describe(l)} (type=Label) cannot participate in ${e.op} comparison: it has no value; test whether it is present ("${describe(l)}" or "!${describe(l)}").`, e.l);
    const op = e.op;
    if (op === 'matches') {
      if (!(l.t === 'string' || l.t === 'bytes' || l.t === 'protocol')) fail(`${describe(l)} (type=${typeName(l.t, l.bits)}) cannot participate in matches comparison.`, e.l);
      if (e.r.k !== 'string') fail('Matches requires a double quoted string on the right side.', e.r);
      let regex: RegExp;
      try {
        regex = compilePcre(e.r.bytes);
      } catch (err) {
        if (err instanceof RegexError) fail(`Regex compilation error: ${err.message}.`, e.r);
        throw err;
      }
      const r: TValue = { k: 'const', t: 'string', value: '', pos: e.r.pos, end: e.r.end };
      return { k: 'cmp', op, quant: e.quant, l, r, regex };
    }
    let want: VType = l.t;
    if (op === 'contains') {
      if (!(l.t === 'string' || l.t === 'bytes' || l.t === 'protocol' || l.t === 'ether')) {
        fail(`${describe(l)} (type=${typeName(l.t, l.bits)}) cannot participate in contains comparison.`, e.l);
      }
      want = l.t === 'string' ? 'string' : 'bytes';
    } else if (l.t === 'protocol') want = 'bytes';
    let r = this.value(e.r, want, l.bits);
    if (!r) fail(`"${(e.r as { text?: string }).text ?? ''}" cannot be compared with ${describe(l)}.`, e.r);
    if (r!.k !== 'const' && !compatible(l.t, r!.t)) {
      fail(`${describe(l)} and ${describe(r!)} are not of compatible types.`, e.r);
    }
    if (r!.k === 'field' && r!.none) fail(`${describe(r!)} (type=Label) cannot participate in ${e.op} comparison: it has no value.`, e.r);
    // Wireshark 4.0: a negative number never equals, nor orders against, an unsigned field.
    if (r!.k === 'const' && l.k === 'field' && l.t === 'uint' && typeof r!.value === 'number' && r!.value < 0) r = { ...r!, incomparable: true };
    return { k: 'cmp', op, quant: e.quant, l, r: r! };
  }

  private in(e: Expr & { k: 'in' }): TExpr {
    const l = this.lhs(e.l, 'in');
    if (l.k !== 'field') fail('Only a field may be tested for membership in a set.', e.l);
    if (l.k === 'field' && l.none) fail(`${describe(l)} (type=Label) cannot be tested for membership in a set: it has no value.`, e.l);
    const want: VType = l.t === 'protocol' ? 'bytes' : l.t;
    const one = (x: Value): TValue => {
      const v = this.value(x, want, l.bits);
      if (!v) fail(`"${(x as { text?: string }).text ?? ''}" cannot be a member of a set of ${typeName(l.t)}.`, x);
      if (v!.k !== 'const' && !compatible(l.t, v!.t)) fail(`${describe(l)} and ${describe(v!)} are not of compatible types.`, x);
      if (v!.k === 'const' && l.t === 'uint' && typeof v!.value === 'number' && v!.value < 0) return { ...v!, incomparable: true } as TValue;
      return v!;
    };
    const elems = e.set.map((s) => ({ lo: one(s.lo), hi: s.hi ? one(s.hi) : undefined }));
    return { k: 'in', negated: e.negated, l, elems };
  }
}

/** Can values of these two types be compared (or combined)? */
export function compatible(a: VType, b: VType): boolean {
  const cls = (t: VType): string => (t === 'uint' || t === 'int' ? 'int' : TIME.has(t) ? 'time' : t === 'ether' || t === 'ipv6' ? 'bytes' : t);
  if (a === b) return true;
  if (a === 'protocol' || b === 'protocol') return false;
  return cls(a) === cls(b);
}
