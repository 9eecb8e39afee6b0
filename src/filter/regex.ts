/**
 * `matches` patterns: PCRE2 (as Wireshark 4.0 compiles them) translated to a JavaScript
 * RegExp with the same meaning on bytes decoded as Latin-1 (one character per byte).
 *
 * What Wireshark 4.0 does, observed with tshark 4.0.17:
 * - patterns are **case-insensitive by default** (`matches "^get"` finds "GET"); `(?-i)` turns
 *   that off. Case folding is ASCII only (PCRE2's default tables: \xe0 does not match \xc0).
 * - no UTF mode: `\xff` matches the byte ff, `.` matches any single byte except \n.
 * - `^`/`$` anchor at the subject (`$` also before a final \n) unless `(?m)`.
 *
 * JavaScript differs in all of these (no inline flags, `.` also stops at \r, `\s` includes
 * \xa0, the `i` flag folds Latin-1 letters), so the pattern is rewritten piece by piece and
 * compiled with no flags: caseless letters become [xX], `.` becomes [^\n], anchors become
 * lookarounds. Constructs JavaScript cannot express (atomic groups, possessive quantifiers,
 * recursion, conditionals, \p{…}, backreferences under caseless matching) are an error,
 * never a different match.
 */

export class RegexError extends Error {}

interface Flags { i: boolean; m: boolean; s: boolean; x: boolean }

const SYNTAX = new Set('\\^$.|?*+()[]{}/'.split(''));
const hex2 = (c: number): string => '\\x' + c.toString(16).padStart(2, '0');
const isLetter = (c: number): boolean => (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
const isAlnum = (ch: string): boolean => /^[A-Za-z0-9]$/.test(ch);

/** One character outside a class, as JavaScript source. */
function lit(c: number, f: Flags): string {
  if (f.i && isLetter(c)) {
    const lo = c | 0x20;
    return `[${String.fromCharCode(lo - 0x20)}${String.fromCharCode(lo)}]`;
  }
  const ch = String.fromCharCode(c);
  if (SYNTAX.has(ch)) return '\\' + ch;
  if (c < 0x20 || c >= 0x7f) return hex2(c);
  return ch;
}

/** One character inside a class, as JavaScript source. */
function classChar(c: number): string {
  return isAlnum(String.fromCharCode(c)) ? String.fromCharCode(c) : c > 0xff ? '\\u' + c.toString(16).padStart(4, '0') : hex2(c);
}

/** Count the capturing groups, so that \10 can be told from an octal escape. */
function countGroups(p: string): number {
  let n = 0;
  for (let i = 0; i < p.length; i++) {
    const c = p[i];
    if (c === '\\') { i++; continue; }
    if (c === '[') {
      i++;
      if (p[i] === '^') i++;
      if (p[i] === ']') i++;
      while (i < p.length && p[i] !== ']') { if (p[i] === '\\') i++; i++; }
      continue;
    }
    if (c === '(' && (p[i + 1] !== '?' || /^\?(P?<[A-Za-z_]|')/.test(p.slice(i + 1, i + 4)))) n++;
  }
  return n;
}

/** Translate a PCRE2 pattern (Latin-1 text: one character per byte) into JavaScript RegExp source. */
export function translatePcre(p: string): string {
  const groups = countGroups(p);
  let f: Flags = { i: true, m: false, s: false, x: false };
  const stack: Flags[] = [];
  let out = '';
  let i = 0;
  const n = p.length;
  const err = (msg: string): never => { throw new RegexError(msg); };

  /** A numeric escape's value (after the backslash at i): \x.., \o{..}, \0.., \c.; returns the code and the next index. */
  const codeEscape = (j: number): [number, number] | undefined => {
    const e = p[j + 1];
    if (e === 'x') {
      if (p[j + 2] === '{') {
        const close = p.indexOf('}', j + 3);
        const h = close < 0 ? '' : p.slice(j + 3, close);
        if (!/^[0-9A-Fa-f]+$/.test(h)) err('\\x{ is not followed by hex digits and }');
        const v = parseInt(h, 16);
        if (v > 0xff) err('character code point value in \\x{} or \\o{} is too large');
        return [v, close + 1];
      }
      let k = j + 2;
      while (k < j + 4 && /[0-9A-Fa-f]/.test(p[k] ?? '')) k++;
      return [k === j + 2 ? 0 : parseInt(p.slice(j + 2, k), 16), k];
    }
    if (e === 'o') {
      const close = p.indexOf('}', j + 3);
      const o = p[j + 2] === '{' && close > 0 ? p.slice(j + 3, close) : '';
      if (!/^[0-7]+$/.test(o)) err('\\o is not followed by {, octal digits and }');
      const v = parseInt(o, 8);
      if (v > 0xff) err('character code point value in \\x{} or \\o{} is too large');
      return [v, close + 1];
    }
    if (e === '0') {
      let k = j + 2;
      while (k < j + 4 && /[0-7]/.test(p[k] ?? '')) k++;
      return [parseInt(p.slice(j + 1, k), 8), k];
    }
    if (e === 'c') {
      const x = p[j + 2];
      if (x === undefined || x.charCodeAt(0) > 0x7e) err('\\c must be followed by a printable ASCII character');
      return [x!.toUpperCase().charCodeAt(0) ^ 0x40, j + 3];
    }
    const simple: Record<string, number> = { a: 7, e: 0x1b, f: 12, n: 10, r: 13, t: 9 };
    if (e !== undefined && Object.prototype.hasOwnProperty.call(simple, e)) return [simple[e]!, j + 2];
    return undefined;
  };

  const backref = (ref: string): string => {
    if (f.i) err(`backreferences are not supported under case-insensitive matching (the default); start the pattern with (?-i)`);
    return `(?:\\${ref})`;
  };

  while (i < n) {
    const c = p[i]!;
    if (f.x && /[ \t\n\r\f\v]/.test(c)) { i++; continue; }
    if (f.x && c === '#') { while (i < n && p[i] !== '\n') i++; continue; }
    switch (c) {
      case '\\': {
        const e = p[i + 1];
        if (e === undefined) err('\\ at end of pattern');
        const code = codeEscape(i);
        if (code) { out += lit(code[0], f); i = code[1]; break; }
        if (/[1-9]/.test(e!)) {
          let k = i + 1;
          while (/[0-9]/.test(p[k] ?? '')) k++;
          const num = Number(p.slice(i + 1, k));
          if (num < 10 || num <= groups) {
            if (num > groups) err(`reference to non-existent subpattern`);
            out += backref(String(num));
            i = k;
          } else {
            let o = i + 1;
            while (o < i + 4 && /[0-7]/.test(p[o] ?? '')) o++;
            if (o === i + 1) err(`reference to non-existent subpattern`);
            out += lit(parseInt(p.slice(i + 1, o), 8) & 0xff, f);
            i = o;
          }
          break;
        }
        i += 2;
        switch (e) {
          case 'd': case 'D': case 'w': case 'W': case 'b': case 'B': out += '\\' + e; break;
          case 's': out += '[\\t\\n\\v\\f\\r ]'; break;
          case 'S': out += '[^\\t\\n\\v\\f\\r ]'; break;
          case 'h': out += '[\\t \\xa0]'; break;
          case 'H': out += '[^\\t \\xa0]'; break;
          case 'v': out += '[\\n\\v\\f\\r\\x85]'; break;
          case 'V': out += '[^\\n\\v\\f\\r\\x85]'; break;
          case 'R': out += '(?:\\r\\n|[\\n\\v\\f\\r\\x85])'; break;
          case 'N': out += '[^\\n]'; break;
          case 'A': case 'G': out += '(?<![\\s\\S])'; break;
          case 'z': out += '(?![\\s\\S])'; break;
          case 'Z': out += '(?=\\n?(?![\\s\\S]))'; break;
          case 'E': break;
          case 'Q': {
            const end = p.indexOf('\\E', i);
            const stop = end < 0 ? n : end;
            for (let k = i; k < stop; k++) out += lit(p.charCodeAt(k), f);
            i = end < 0 ? n : end + 2;
            break;
          }
          case 'g': {
            const m = /^(?:\{(-?\d+)\}|(-?\d+)|\{([A-Za-z_]\w*)\})/.exec(p.slice(i));
            if (!m) err('\\g is not followed by a group number or name in braces (subroutine calls \\g<…> are not supported)');
            i += m![0].length;
            if (m![3]) { out += backref(`k<${m![3]}>`); break; }
            const num = Number(m![1] ?? m![2]);
            if (num < 0) err('relative backreferences \\g{-n} are not supported');
            if (num === 0 || num > groups) err('reference to non-existent subpattern');
            out += backref(String(num));
            break;
          }
          case 'k': {
            const m = /^(?:<([A-Za-z_]\w*)>|'([A-Za-z_]\w*)'|\{([A-Za-z_]\w*)\})/.exec(p.slice(i));
            if (!m) err('\\k is not followed by a group name in <>, \'\' or {}');
            i += m![0].length;
            out += backref(`k<${m![1] ?? m![2] ?? m![3]}>`);
            break;
          }
          case 'p': case 'P': case 'X': err(`\\${e} (Unicode properties) is not supported`); break;
          case 'K': case 'C': err(`\\${e} is not supported`); break;
          default:
            if (isAlnum(e!)) err(`unrecognized character follows \\ (\\${e})`);
            out += lit(e!.charCodeAt(0), f);
        }
        break;
      }
      case '[': {
        const r = translateClass(p, i, f, codeEscape, err);
        out += r.source;
        i = r.end;
        break;
      }
      case '(': {
        const rest = p.slice(i + 1);
        if (rest.startsWith('*')) err('(*VERB) and (*OPTION) items are not supported');
        if (!rest.startsWith('?')) { stack.push(f); f = { ...f }; out += '('; i++; break; }
        if (rest.startsWith('?#')) {
          const close = p.indexOf(')', i);
          if (close < 0) err('missing ) at end of (?# comment');
          i = close + 1;
          break;
        }
        let m: RegExpExecArray | null;
        if ((m = /^\?(:|=|!|<=|<!)/.exec(rest))) { stack.push(f); f = { ...f }; out += '(' + m[0]; i += 1 + m[0].length; break; }
        if ((m = /^\?(?:P?<([A-Za-z_]\w*)>|'([A-Za-z_]\w*)')/.exec(rest))) {
          stack.push(f); f = { ...f };
          out += `(?<${m[1] ?? m[2]}>`;
          i += 1 + m[0].length;
          break;
        }
        if ((m = /^\?P=([A-Za-z_]\w*)\)/.exec(rest))) { out += backref(`k<${m[1]}>`); i += 1 + m[0].length; break; }
        if ((m = /^\?(\^)?([a-zA-Z]*)(?:-([a-zA-Z]*))?([:)])/.exec(rest))) {
          const nf: Flags = m[1] ? { i: false, m: false, s: false, x: false } : { ...f };
          for (const [letters, on] of [[m[2] ?? '', true], [m[3] ?? '', false]] as Array<[string, boolean]>) {
            for (const L of letters) {
              if (L === 'i' || L === 'm' || L === 's' || L === 'x') nf[L] = on;
              else err(`inline option (?${L}) is not supported (i, m, s and x are)`);
            }
          }
          i += 1 + m[0].length;
          if (m[4] === ':') { stack.push(f); f = nf; out += '(?:'; } else f = nf;
          break;
        }
        const what = rest.startsWith('?>') ? 'atomic groups (?>…)' : rest.startsWith('?|') ? 'branch reset groups (?|…)'
          : rest.startsWith('?(') ? 'conditional groups (?(…)…)' : rest.startsWith('?C') ? 'callouts (?C…)'
            : /^\?([R&+-]|\d|P>)/.test(rest) ? 'recursion and subroutine calls' : `the group "(${rest.slice(0, 2)}"`;
        err(`${what} are not supported`);
        break;
      }
      case ')':
        if (!stack.length) err('unmatched closing parenthesis');
        f = stack.pop()!;
        out += ')';
        i++;
        break;
      case '.': out += f.s ? '[\\s\\S]' : '[^\\n]'; i++; break;
      case '^': out += f.m ? '(?:(?<![\\s\\S])|(?<=\\n)(?=[\\s\\S]))' : '(?<![\\s\\S])'; i++; break;
      case '$': out += f.m ? '(?![^\\n])' : '(?=\\n?(?![\\s\\S]))'; i++; break;
      case '|': out += '|'; i++; break;
      case '*': case '+': case '?': case '{': {
        let q: string;
        if (c === '{') {
          const m = /^\{(\d+)(?:(,)(\d*))?\}/.exec(p.slice(i));
          if (!m) { out += '\\{'; i++; break; } // not a quantifier: a literal brace (PCRE2 10.42)
          if (m[3] && Number(m[3]) < Number(m[1])) err('numbers out of order in {} quantifier');
          q = m[0];
        } else q = c;
        i += q.length;
        if (p[i] === '+') err('possessive quantifiers (*+, ++, ?+, {n}+) are not supported');
        if (p[i] === '?') { q += '?'; i++; }
        out += q;
        break;
      }
      default:
        out += lit(p.charCodeAt(i), f);
        i++;
    }
  }
  if (stack.length) err('missing closing parenthesis');
  return out;
}

const POSIX: Record<string, Array<[number, number]>> = {
  alpha: [[0x41, 0x5a], [0x61, 0x7a]], digit: [[0x30, 0x39]], alnum: [[0x30, 0x39], [0x41, 0x5a], [0x61, 0x7a]],
  upper: [[0x41, 0x5a]], lower: [[0x61, 0x7a]], space: [[9, 13], [32, 32]], blank: [[9, 9], [32, 32]],
  punct: [[0x21, 0x2f], [0x3a, 0x40], [0x5b, 0x60], [0x7b, 0x7e]], print: [[0x20, 0x7e]], graph: [[0x21, 0x7e]],
  cntrl: [[0, 0x1f], [0x7f, 0x7f]], xdigit: [[0x30, 0x39], [0x41, 0x46], [0x61, 0x66]], word: [[0x30, 0x39], [0x41, 0x5a], [0x5f, 0x5f], [0x61, 0x7a]],
  ascii: [[0, 0x7f]],
};

/** A character class starting at p[start] === '['. */
function translateClass(
  p: string, start: number, f: Flags,
  codeEscape: (j: number) => [number, number] | undefined, err: (m: string) => never,
): { source: string; end: number } {
  let i = start + 1;
  let negate = false;
  if (p[i] === '^') { negate = true; i++; }
  const ranges: Array<[number, number]> = [];
  let extra = '';
  let first = true;
  /** One class atom: a single code, or a set written into `extra` (returns undefined). */
  const atom = (): number | undefined => {
    const c = p[i]!;
    if (c === '[' && p[i + 1] === ':') {
      const m = /^\[:(\^?)([a-z]+):\]/.exec(p.slice(i));
      if (m) {
        const set = POSIX[m[2]!];
        if (!set) err(`unknown POSIX class name [:${m[2]}:]`);
        if (m[1]) err(`negated POSIX classes [:^${m[2]}:] are not supported`);
        ranges.push(...set!);
        i += m[0].length;
        return undefined;
      }
    }
    if (c !== '\\') { i++; return c.charCodeAt(0); }
    const e = p[i + 1];
    if (e === undefined) err('missing terminating ] for character class');
    const code = codeEscape(i);
    if (code) { i = code[1]; return code[0]; }
    if (/[1-7]/.test(e!)) {
      let k = i + 1;
      while (k < i + 4 && /[0-7]/.test(p[k] ?? '')) k++;
      const v = parseInt(p.slice(i + 1, k), 8) & 0xff;
      i = k;
      return v;
    }
    i += 2;
    switch (e) {
      case 'b': return 8;
      case 'd': case 'D': case 'w': case 'W': extra += '\\' + e; return undefined;
      case 's': ranges.push([9, 13], [32, 32]); return undefined;
      case 'S': extra += '\\S\\xa0'; return undefined;
      case 'h': ranges.push([9, 9], [32, 32], [0xa0, 0xa0]); return undefined;
      case 'H': ranges.push([0, 8], [10, 31], [33, 0x9f], [0xa1, 0xffff]); return undefined;
      case 'v': ranges.push([10, 13], [0x85, 0x85]); return undefined;
      case 'V': ranges.push([0, 9], [14, 0x84], [0x86, 0xffff]); return undefined;
      case 'N': case 'R': case 'X': case 'p': case 'P': err(`\\${e} is not supported in a character class`); break;
      case 'Q': {
        const end = p.indexOf('\\E', i);
        const stop = end < 0 ? p.length : end;
        for (let k = i; k < stop; k++) { const v = p.charCodeAt(k); ranges.push([v, v]); }
        i = end < 0 ? p.length : end + 2;
        return undefined;
      }
      case 'E': return undefined;
      default:
        if (isAlnum(e!)) err(`unrecognized character follows \\ (\\${e}) in a character class`);
        return e!.charCodeAt(0);
    }
    return undefined;
  };
  for (;;) {
    if (i >= p.length) err('missing terminating ] for character class');
    if (p[i] === ']' && !first) { i++; break; }
    first = false;
    const lo = atom();
    const isRange = p[i] === '-' && i + 1 < p.length && p[i + 1] !== ']';
    if (lo === undefined) {
      if (isRange) err('invalid range in character class');
      continue;
    }
    if (isRange) {
      i++;
      const hi = atom();
      if (hi === undefined) err('invalid range in character class');
      if (hi! < lo) err('range out of order in character class');
      ranges.push([lo, hi!]);
    } else ranges.push([lo, lo]);
  }
  if (f.i) {
    const folded: Array<[number, number]> = [];
    for (const [lo, hi] of ranges) {
      const a = Math.max(lo, 0x41), b = Math.min(hi, 0x5a);
      if (a <= b) folded.push([a + 0x20, b + 0x20]);
      const c = Math.max(lo, 0x61), d = Math.min(hi, 0x7a);
      if (c <= d) folded.push([c - 0x20, d - 0x20]);
    }
    ranges.push(...folded);
  }
  let body = '';
  for (const [lo, hi] of ranges) body += hi > lo ? classChar(lo) + '-' + classChar(hi) : classChar(lo);
  body += extra;
  // An empty class (possible only through \E tricks) matches nothing, or anything when negated.
  if (!body) return { source: negate ? '[\\s\\S]' : '(?!)', end: i };
  return { source: `[${negate ? '^' : ''}${body}]`, end: i };
}

/** Compile a PCRE2 pattern given as bytes; throws RegexError with PCRE-like wording. */
export function compilePcre(pattern: Uint8Array): RegExp {
  let text = '';
  for (let k = 0; k < pattern.length; k++) text += String.fromCharCode(pattern[k]!);
  const source = translatePcre(text);
  try {
    return new RegExp(source);
  } catch (e) {
    throw new RegexError((e as Error).message.replace(/^Invalid regular expression: \/.*\/: /, ''));
  }
}

/** Bytes as a Latin-1 string (one character per byte), the subject of `matches` on byte fields. */
export function latin1(b: Uint8Array): string {
  let s = '';
  for (let k = 0; k < b.length; k += 4096) s += String.fromCharCode.apply(null, b.subarray(k, k + 4096) as unknown as number[]);
  return s;
}
