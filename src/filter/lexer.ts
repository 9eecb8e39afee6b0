/**
 * Display-filter lexer: filter text → tokens, each with its span in the text.
 *
 * Wireshark 4.0's rules, learnt from `tshark -Y` and wireshark-filter(4):
 * - A *word* is a run of letters, digits and `_ . : -` (not starting with `-`, which is the
 *   minus operator; `80-0` is one word, `a -1` is `a`, `-`, `1`). It is a field name or a
 *   literal (number, address, byte string, unquoted string): only the checker can tell.
 *   A word stops before `..` (set ranges `{80..443}`); an address-like word takes a CIDR
 *   suffix (`10.0.0.0/8`), any other `/` is division.
 * - Keywords are lower case only (`and`, `eq`, `contains`…); `AND` is a plain word.
 * - Strings: `"…"` with C escapes (\n \t \" \\ \a \b \f \r \v \NNN \xNN \uNNNN \UNNNNNNNN),
 *   raw strings `r"…"` (backslashes kept), character constants `'a'`, `'\x41'`.
 * - `[…]` after a field is a slice; its body is read whole (`[0:4]`, `[-4:]`, `[1-2,5]`).
 */
import { fail, type Span } from './errors.js';

export type Op =
  | 'and' | 'or' | 'xor' | 'not'
  | '==' | '!=' | '===' | '!==' | '<' | '<=' | '>' | '>=' | 'contains' | 'matches' | 'in' | 'any' | 'all'
  | '&' | '+' | '-' | '*' | '/' | '%'
  | '(' | ')' | '{' | '}' | ',' | '..' | '#' | '$';

export type Token =
  | (Span & { kind: 'word'; text: string })
  | (Span & { kind: 'string'; bytes: Uint8Array; raw: boolean; text: string })
  | (Span & { kind: 'char'; value: number; text: string })
  | (Span & { kind: 'slice'; body: string; text: string })
  | (Span & { kind: 'op'; op: Op; text: string })
  | (Span & { kind: 'eof'; text: string });

/** English operators and their symbolic equivalents. */
const KEYWORDS: Record<string, Op> = {
  and: 'and', or: 'or', xor: 'xor', not: 'not',
  eq: '==', any_eq: '==', ne: '!=', all_ne: '!=', all_eq: '===', any_ne: '!==',
  gt: '>', lt: '<', ge: '>=', le: '<=',
  contains: 'contains', matches: 'matches', in: 'in', bitwise_and: '&', any: 'any', all: 'all',
};

/** Multi-character symbols first (longest match wins). */
const SYMBOLS: Array<[string, Op]> = [
  ['===', '==='], ['!==', '!=='],
  ['==', '=='], ['!=', '!='], ['~=', '!=='], ['<=', '<='], ['>=', '>='], ['&&', 'and'], ['||', 'or'], ['^^', 'xor'], ['..', '..'],
  ['<', '<'], ['>', '>'], ['!', 'not'], ['~', 'matches'], ['&', '&'], ['+', '+'], ['-', '-'], ['*', '*'], ['/', '/'], ['%', '%'],
  ['(', '('], [')', ')'], ['{', '{'], ['}', '}'], [',', ','], ['#', '#'], ['$', '$'],
];

const isWordChar = (c: string): boolean =>
  (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c === '_' || c === '.' || c === ':' || c === '-';

const ADDRESS_LIKE = /^[0-9A-Fa-f:.]+$/;

/** Split a filter into tokens (the last one is `eof`). Throws FilterError on text no token can start with. */
export function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\f' || c === '\v') { i++; continue; }
    const start = i;
    if (c === '"' || (c === 'r' && src[i + 1] === '"')) {
      const raw = c === 'r';
      const r = readString(src, raw ? i + 1 : i, raw);
      out.push({ kind: 'string', bytes: r.bytes, raw, pos: start, end: r.end, text: src.slice(start, r.end) });
      i = r.end;
      continue;
    }
    if (c === "'") {
      const r = readChar(src, i);
      out.push({ kind: 'char', value: r.value, pos: start, end: r.end, text: src.slice(start, r.end) });
      i = r.end;
      continue;
    }
    if (c === '[') {
      const close = src.indexOf(']', i + 1);
      if (close < 0) fail('Unexpected end of filter expression: the slice "[" is not closed by "]".', { pos: i, end: src.length });
      out.push({ kind: 'slice', body: src.slice(i + 1, close), pos: start, end: close + 1, text: src.slice(start, close + 1) });
      i = close + 1;
      continue;
    }
    if (c !== '-' && isWordChar(c) && !src.startsWith('..', i)) {
      let j = i;
      while (j < src.length && isWordChar(src[j]!) && !(src[j] === '.' && src[j + 1] === '.')) j++;
      // A CIDR suffix belongs to an address (10.0.0.0/8, fe80::/10); any other "/" is division.
      if (src[j] === '/' && /[0-9]/.test(src[j + 1] ?? '') && ADDRESS_LIKE.test(src.slice(i, j)) && /[.:]/.test(src.slice(i, j))) {
        j++;
        while (j < src.length && /[0-9]/.test(src[j]!)) j++;
      }
      const text = src.slice(i, j);
      const kw = Object.prototype.hasOwnProperty.call(KEYWORDS, text) ? KEYWORDS[text] : undefined;
      out.push(kw ? { kind: 'op', op: kw, pos: start, end: j, text } : { kind: 'word', text, pos: start, end: j });
      i = j;
      continue;
    }
    let matched = false;
    for (const [sym, op] of SYMBOLS) {
      if (src.startsWith(sym, i)) {
        out.push({ kind: 'op', op, pos: start, end: i + sym.length, text: sym });
        i += sym.length;
        matched = true;
        break;
      }
    }
    if (matched) continue;
    if (c === '=') fail('"=" was unexpected in this context (did you mean "=="?).', { pos: i, end: i + 1 });
    if (c === ']') fail('"]" was unexpected in this context.', { pos: i, end: i + 1 });
    const cp = src.codePointAt(i)!;
    const ch = String.fromCodePoint(cp);
    fail(`"${ch}" was unexpected in this context.`, { pos: i, end: i + ch.length });
  }
  out.push({ kind: 'eof', pos: src.length, end: src.length, text: '' });
  return out;
}

const utf8 = new TextEncoder();

/** One escape sequence after a backslash at `i` (src[i] === '\\'): its bytes and where it ends. */
function readEscape(src: string, i: number): { bytes: number[]; end: number } {
  const e = src[i + 1];
  const simple: Record<string, number> = { "'": 0x27, '"': 0x22, '\\': 0x5c, a: 7, b: 8, f: 12, n: 10, r: 13, t: 9, v: 11 };
  if (e === undefined) fail('The final quote was missing from a quoted string.', { pos: i, end: i + 1 });
  if (Object.prototype.hasOwnProperty.call(simple, e)) return { bytes: [simple[e]!], end: i + 2 };
  if (e >= '0' && e <= '7') {
    let j = i + 1;
    while (j < i + 4 && src[j]! >= '0' && src[j]! <= '7') j++;
    const v = parseInt(src.slice(i + 1, j), 8);
    if (v > 255) fail(`${src.slice(i, j)} is larger than 255.`, { pos: i, end: j });
    return { bytes: [v], end: j };
  }
  if (e === 'x') {
    let j = i + 2;
    while (j < i + 4 && /[0-9A-Fa-f]/.test(src[j] ?? '')) j++;
    if (j === i + 2) fail('\\x used with no following hex digits.', { pos: i, end: j });
    return { bytes: [parseInt(src.slice(i + 2, j), 16)], end: j };
  }
  if (e === 'u' || e === 'U') {
    const n = e === 'u' ? 4 : 8;
    const digits = src.slice(i + 2, i + 2 + n);
    const end = i + 2 + digits.length;
    const v = /^[0-9A-Fa-f]+$/.test(digits) && digits.length === n ? parseInt(digits, 16) : -1;
    // C's rule for universal character names: no basic characters (except $ @ `), no surrogates.
    const ok = v >= 0 && v <= 0x10ffff && !(v >= 0xd800 && v <= 0xdfff) && (v >= 0xa0 || v === 0x24 || v === 0x40 || v === 0x60);
    if (!ok) fail(`${src.slice(i, end)} is not a valid universal character name.`, { pos: i, end });
    return { bytes: [...utf8.encode(String.fromCodePoint(v))], end };
  }
  const cp = String.fromCodePoint(src.codePointAt(i + 1)!);
  fail(`\\${cp} is not a valid character escape sequence.`, { pos: i, end: i + 1 + cp.length });
}

/** A double-quoted string starting at `q` (src[q] === '"'): its bytes (UTF-8 for plain text). */
function readString(src: string, q: number, raw: boolean): { bytes: Uint8Array; end: number } {
  const bytes: number[] = [];
  let i = q + 1;
  while (true) {
    if (i >= src.length) fail('The final quote was missing from a quoted string.', { pos: raw ? q - 1 : q, end: src.length });
    const c = src[i]!;
    if (c === '"') return { bytes: Uint8Array.from(bytes), end: i + 1 };
    if (c === '\\') {
      if (raw) {
        // Raw strings keep every backslash; \" still does not end the string.
        bytes.push(0x5c);
        if (src[i + 1] === '"' || src[i + 1] === '\\') { bytes.push(src.charCodeAt(i + 1)); i += 2; } else i++;
        continue;
      }
      const e = readEscape(src, i);
      bytes.push(...e.bytes);
      i = e.end;
      continue;
    }
    const cp = src.codePointAt(i)!;
    const ch = String.fromCodePoint(cp);
    if (cp < 0x80) bytes.push(cp); else bytes.push(...utf8.encode(ch));
    i += ch.length;
  }
}

/** A character constant starting at `q` (src[q] === "'"): one byte. */
function readChar(src: string, q: number): { value: number; end: number } {
  const close = (() => {
    for (let j = q + 1; j < src.length; j++) {
      if (src[j] === '\\') { j++; continue; }
      if (src[j] === "'") return j;
    }
    return -1;
  })();
  if (close < 0) fail('The final quote was missing from a character constant.', { pos: q, end: src.length });
  const span = { pos: q, end: close + 1 };
  const body = src.slice(q + 1, close);
  if (body === '') fail('Empty character constant.', span);
  let value: number;
  let used: number;
  if (body === '\\n') {
    // Wireshark 4.0 refuses '\n' (and only it) in a character constant; do the same, and say what works.
    fail(`'\\n' is too long to be a valid character constant (Wireshark 4.0 refuses it; write '\\x0a' or 10).`, span);
  }
  if (body[0] === '\\') {
    const e = readEscape(src, q + 1);
    if (e.bytes.length !== 1) fail(`${src.slice(q, close + 1)} is too long to be a valid character constant.`, span);
    value = e.bytes[0]!;
    used = e.end - (q + 1);
  } else {
    const cp = body.codePointAt(0)!;
    if (cp > 0x7f) fail(`${src.slice(q, close + 1)} is not a valid character constant (one ASCII character or an escape).`, span);
    value = cp;
    used = 1;
  }
  if (used !== body.length) fail(`${src.slice(q, close + 1)} is too long to be a valid character constant.`, span);
  return { value, end: close + 1 };
}
