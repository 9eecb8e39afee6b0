/**
 * Display-filter parser (Pratt): tokens → syntax tree. Knows nothing about fields; the
 * checker (check.ts) decides what each word is.
 *
 * Grammar of Wireshark 4.0 (precedence low → high):
 *
 *   expr     := expr or expr | expr xor expr | expr and expr | not expr | ( expr ) | relation
 *   relation := [any|all] value [cmpop value | [not] in set | contains value | matches value]
 *   value    := value & value | value (+|-) value | value (*|/|%) value | -value | primary
 *   primary  := word [slice] | "string" | r"raw" | 'c' | word(args) | { value }
 *   set      := { elem (, elem)* }   elem := value [.. value]
 *
 * `and` binds tighter than `or` (`xor`, a Wireshark 4.2 addition, sits between them).
 * Comparisons do not chain. Parentheses group tests only; arithmetic groups with `{ }`.
 */
import { fail, type Span } from './errors.js';
import { tokenize, type Op, type Token } from './lexer.js';

export type CmpOp = '==' | '!=' | '===' | '!==' | '<' | '<=' | '>' | '>=' | 'contains' | 'matches';
export type ArithOp = '&' | '+' | '-' | '*' | '/' | '%';

/** One slice range: `start` (may be negative), and either a length or an inclusive end (null: to the end). */
export interface SliceRange { start: number; length: number | null }

export type Value =
  | (Span & { k: 'word'; text: string })
  | (Span & { k: 'string'; bytes: Uint8Array; text: string })
  | (Span & { k: 'char'; value: number; text: string })
  | (Span & { k: 'slice'; of: Value; ranges: SliceRange[]; rangeSpan: Span })
  | (Span & { k: 'call'; name: string; nameSpan: Span; args: Value[] })
  | (Span & { k: 'arith'; op: ArithOp; opSpan: Span; l: Value; r: Value })
  | (Span & { k: 'neg'; x: Value });

export type SetElem = { lo: Value; hi?: Value };

export type Expr =
  | (Span & { k: 'and' | 'or' | 'xor'; l: Expr; r: Expr })
  | (Span & { k: 'not'; x: Expr })
  | (Span & { k: 'test'; x: Value })
  | (Span & { k: 'cmp'; op: CmpOp; opSpan: Span; quant?: 'any' | 'all'; l: Value; r: Value })
  | (Span & { k: 'in'; negated: boolean; opSpan: Span; l: Value; set: SetElem[] });

const CMP_OPS = new Set<Op>(['==', '!=', '===', '!==', '<', '<=', '>', '>=', 'contains', 'matches']);

/** Binding powers of the test operators and of arithmetic. */
const LOGIC_BP: Partial<Record<Op, number>> = { or: 1, xor: 2, and: 3 };
const ARITH_BP: Partial<Record<Op, number>> = { '&': 1, '+': 2, '-': 2, '*': 3, '/': 3, '%': 3 };
const NEG_BP = 4;
const MAX_DEPTH = 256;

export function parse(src: string): Expr {
  const p = new Parser(src, tokenize(src));
  const e = p.expr(0);
  p.expectEnd();
  return e;
}

class Parser {
  private i = 0;
  /** open "(" tokens, to say which one is not closed */
  private readonly open: Token[] = [];
  constructor(private readonly src: string, private readonly toks: Token[]) {}

  private peek(k = 0): Token { return this.toks[Math.min(this.i + k, this.toks.length - 1)]!; }
  private next(): Token { return this.toks[Math.min(this.i++, this.toks.length - 1)]!; }
  private isOp(t: Token, op: Op): boolean { return t.kind === 'op' && t.op === op; }

  /** "X was unexpected in this context." (or "Unexpected end of filter expression.") at token `t`. */
  unexpected(t: Token, hint = ''): never {
    if (t.kind === 'eof') {
      const o = this.open[this.open.length - 1];
      const why = o ? ` The "(" at column ${o.pos + 1} is not closed.` : hint;
      fail(`Unexpected end of filter expression.${why}`, { pos: this.src.length, end: this.src.length + 1 });
    }
    fail(`"${t.text}" was unexpected in this context.${hint}`, t);
  }

  expectEnd(): void {
    const t = this.peek();
    if (t.kind !== 'eof') this.unexpected(t, this.isOp(t, ')') ? ' There is no "(" to close.' : '');
  }

  /** Nesting depth of parentheses, braces, `not` and `-`: bounded, so that no filter can exhaust the stack. */
  private depth = 0;
  private enter(t: Token): void {
    if (++this.depth > MAX_DEPTH) fail(`The filter is nested too deeply (more than ${MAX_DEPTH} levels).`, t);
  }

  /** A test expression with operators that bind tighter than `minBp`. */
  expr(minBp: number): Expr {
    this.enter(this.peek());
    try { return this.exprInner(minBp); } finally { this.depth--; }
  }

  private exprInner(minBp: number): Expr {
    let left = this.prefix();
    // A run of one operator (a && b && c …) becomes a balanced tree: the same result (and, or and
    // xor are associative; evaluation stays left to right) at logarithmic depth, however long.
    let run: Expr[] | undefined;
    let runOp: 'and' | 'or' | 'xor' | undefined;
    for (;;) {
      const t = this.peek();
      const bp = t.kind === 'op' ? LOGIC_BP[t.op] : undefined;
      if (bp === undefined || bp <= minBp) break;
      this.next();
      const op = (t as { op: 'and' | 'or' | 'xor' }).op;
      const right = this.expr(bp);
      if (run && runOp === op) run.push(right);
      else {
        if (run) left = balanced(runOp!, run, 0, run.length);
        run = [left, right];
        runOp = op;
      }
    }
    return run ? balanced(runOp!, run, 0, run.length) : left;
  }

  private prefix(): Expr {
    const t = this.peek();
    if (this.isOp(t, 'not')) {
      this.next();
      // `not` binds tighter than and/or: `not a and b` is `(not a) and b`.
      this.enter(t);
      try {
        const x = this.prefix();
        return { k: 'not', x, pos: t.pos, end: x.end };
      } finally { this.depth--; }
    }
    if (this.isOp(t, '(')) {
      this.next();
      this.open.push(t);
      const x = this.expr(0);
      const c = this.peek();
      if (!this.isOp(c, ')')) this.unexpected(c);
      this.next();
      this.open.pop();
      return { ...x, pos: t.pos, end: c.end };
    }
    return this.relation();
  }

  private relation(): Expr {
    const first = this.peek();
    let quant: 'any' | 'all' | undefined;
    if (this.isOp(first, 'any') || this.isOp(first, 'all')) { this.next(); quant = (first as { op: 'any' | 'all' }).op; }
    const l = this.value(0);
    const t = this.peek();
    if (t.kind === 'op' && CMP_OPS.has(t.op)) {
      this.next();
      const r = this.value(0);
      return { k: 'cmp', op: t.op as CmpOp, opSpan: t, quant, l, r, pos: quant ? first.pos : l.pos, end: r.end };
    }
    if (this.isOp(t, 'in') || (this.isOp(t, 'not') && this.isOp(this.peek(1), 'in'))) {
      const negated = this.isOp(t, 'not');
      this.next();
      if (negated) this.next();
      if (quant) fail(`"${quant}" cannot be used with "in".`, first);
      const set = this.set();
      return { k: 'in', negated, opSpan: { pos: t.pos, end: this.toks[this.i - 1]!.end }, l, set, pos: l.pos, end: this.toks[this.i - 1]!.end };
    }
    if (quant) this.unexpected(t, ` "${quant}" needs a comparison such as ==.`);
    return { k: 'test', x: l, pos: l.pos, end: l.end };
  }

  private set(): SetElem[] {
    const open = this.next();
    if (!this.isOp(open, '{')) this.unexpected(open, ' A set is written {a, b, c..d}.');
    const elems: SetElem[] = [];
    for (;;) {
      const lo = this.value(0);
      let hi: Value | undefined;
      if (this.isOp(this.peek(), '..')) { this.next(); hi = this.value(0); }
      elems.push({ lo, hi });
      const t = this.next();
      if (this.isOp(t, '}')) return elems;
      if (!this.isOp(t, ',')) this.unexpected(t, t.kind === 'eof' ? '' : ' Set elements are separated by commas in Wireshark 4.0: {80, 443}.');
    }
  }

  /** An arithmetic value with operators binding tighter than `minBp`. */
  value(minBp: number): Value {
    this.enter(this.peek());
    try { return this.valueInner(minBp); } finally { this.depth--; }
  }

  private valueInner(minBp: number): Value {
    let left = this.primary();
    for (let n = 0; ; n++) {
      const t = this.peek();
      const bp = t.kind === 'op' ? ARITH_BP[t.op] : undefined;
      if (bp === undefined || bp <= minBp) return left;
      if (n >= MAX_DEPTH) fail(`The expression is too long (more than ${MAX_DEPTH} operators in a row).`, t);
      this.next();
      const right = this.value(bp);
      left = { k: 'arith', op: (t as { op: ArithOp }).op, opSpan: t, l: left, r: right, pos: left.pos, end: right.end };
    }
  }

  private primary(): Value {
    const t = this.next();
    switch (t.kind) {
      case 'word': {
        if (this.isOp(this.peek(), '(')) return this.call(t);
        let v: Value = { k: 'word', text: t.text, pos: t.pos, end: t.end };
        if (this.peek().kind === 'slice') v = this.slice(v);
        if (this.isOp(this.peek(), '#')) {
          const h = this.peek();
          fail(`The layer operator "#" (${t.text}#N) is not supported by tcpscope; compare the field without it.`, { pos: h.pos, end: h.end });
        }
        return v;
      }
      case 'string': return { k: 'string', bytes: t.bytes, text: t.text, pos: t.pos, end: t.end };
      case 'char': return { k: 'char', value: t.value, text: t.text, pos: t.pos, end: t.end };
      case 'op':
        if (t.op === '-') {
          const x = this.value(NEG_BP - 1);
          return { k: 'neg', x, pos: t.pos, end: x.end };
        }
        if (t.op === '{') {
          const x = this.value(0);
          const c = this.next();
          if (!this.isOp(c, '}')) this.unexpected(c);
          return { ...x, pos: t.pos, end: c.end };
        }
        if (t.op === '$') {
          fail('Field references (${field}) take their value from the packet selected in Wireshark\'s window; tcpscope has none, so they are not supported.', { pos: t.pos, end: t.end });
        }
        return this.unexpected(t, t.op === '(' ? ' Arithmetic is grouped with { } in display filters, not ( ).' : '');
      default:
        return this.unexpected(t);
    }
  }

  private call(name: Token & { kind: 'word' }): Value {
    this.next(); // (
    const args: Value[] = [];
    if (!this.isOp(this.peek(), ')')) {
      for (;;) {
        args.push(this.value(0));
        const t = this.next();
        if (this.isOp(t, ')')) break;
        if (!this.isOp(t, ',')) this.unexpected(t);
      }
    } else this.next();
    const end = this.toks[this.i - 1]!.end;
    let v: Value = { k: 'call', name: name.text, nameSpan: name, args, pos: name.pos, end };
    if (this.peek().kind === 'slice') v = this.slice(v);
    return v;
  }

  private slice(of: Value): Value {
    const t = this.next() as Token & { kind: 'slice' };
    const span = { pos: t.pos + 1, end: t.end - 1 };
    const ranges = t.body.split(',').map((part) => parseRange(part.replace(/\s+/g, ''), span));
    return { k: 'slice', of, ranges, rangeSpan: span, pos: of.pos, end: t.end };
  }
}

function balanced(op: 'and' | 'or' | 'xor', items: Expr[], from: number, to: number): Expr {
  if (to - from === 1) return items[from]!;
  const mid = (from + to) >> 1;
  const l = balanced(op, items, from, mid), r = balanced(op, items, mid, to);
  return { k: op, l, r, pos: l.pos, end: r.end };
}

/** One range of a slice body, Wireshark's forms: i:j (start:length), i-j (inclusive), i, :j, i:. */
function parseRange(s: string, span: Span): SliceRange {
  let m: RegExpMatchArray | null;
  const num = (x: string): number => Number(x);
  if ((m = s.match(/^(-?\d+):(-?\d+)?$/))) {
    const len = m[2] === undefined ? null : num(m[2]);
    if (len !== null && len <= 0) fail(`Range ${s} isn't valid because length ${len} isn't positive.`, span);
    return { start: num(m[1]!), length: len };
  }
  if ((m = s.match(/^:(\d+)$/))) {
    const len = num(m[1]!);
    if (len <= 0) fail(`Range ${s} isn't valid because length ${len} isn't positive.`, span);
    return { start: 0, length: len };
  }
  if ((m = s.match(/^(-?\d+)-(-?\d+)$/))) {
    const a = num(m[1]!), b = num(m[2]!);
    if (a >= b) fail(`Range ${s} isn't valid because ${a} is greater or equal than ${b}.`, span);
    if (a < 0 !== b < 0) fail(`Range ${s}: both ends must count from the same end of the field.`, span);
    return { start: a, length: b - a + 1 };
  }
  if ((m = s.match(/^(-?\d+)$/))) return { start: num(m[1]!), length: 1 };
  fail(`"${s}" is not a valid slice; use [start:length], [start-end], [start], [:length] or [start:].`, span);
}
