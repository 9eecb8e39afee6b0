/** Prose wrapping for the terminal with a hanging indent (explain, the ladder's legend). */
import { displayWidth } from './text.js';

/**
 * Wrap one line at `width` display columns with a hanging indent: continuation lines start
 * under the text after the leading spaces and a bullet (•, ↳, !, ✕) when there is one.
 * Breaks at spaces, or between two CJK characters.
 */
export function wrapLine(line: string, width: number): string[] {
  if (!width || displayWidth(line) <= width) return [line];
  const m = /^(\s*)((?:[•↳!✕] |#\d+ )?)/u.exec(line)!;
  const hang = ' '.repeat(displayWidth(m[1]! + m[2]!) + (m[2] ? 0 : 2));
  const out: string[] = [];
  let rest = line;
  let prefix = '';
  while (displayWidth(prefix + rest) > width) {
    const room = width - displayWidth(prefix);
    // Find the last break point that fits.
    let w = 0, cut = -1, i = 0;
    const chars = [...rest];
    for (; i < chars.length; i++) {
      const ch = chars[i]!;
      const cw = displayWidth(ch);
      if (w + cw > room) break;
      w += cw;
      const next = chars[i + 1];
      const cjk = (c: string | undefined): boolean => c !== undefined && displayWidth(c) === 2;
      if (ch === ' ' && i > 0) cut = i;
      else if (cjk(ch) && next !== undefined && (cjk(next) || next === ' ') && !/[，。；：、）」』]/u.test(next)) cut = i + 1;
    }
    if (cut <= 0 || displayWidth(prefix) + 8 > width) break;
    out.push((prefix + chars.slice(0, cut).join('')).trimEnd());
    rest = chars.slice(cut).join('').replace(/^ +/, '');
    prefix = hang;
  }
  out.push(prefix + rest);
  return out;
}
