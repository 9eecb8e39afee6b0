/**
 * Terminal text helpers for the lifecycle renderers: display width (CJK characters take two
 * columns), padding by display width, and a colour interface the CLI fills in (picocolors
 * when stdout is a terminal); the renderers stay pure and browser-safe.
 */

/** Columns a character takes in a terminal: 2 for East Asian wide/fullwidth, 0 for combining marks. */
function charWidth(cp: number): number {
  if (cp < 0x300) return 1;
  if (cp >= 0x300 && cp < 0x370) return 0;
  if ((cp >= 0x1100 && cp <= 0x115f) || (cp >= 0x2e80 && cp <= 0x303e) || (cp >= 0x3041 && cp <= 0x33ff)
    || (cp >= 0x3400 && cp <= 0x4dbf) || (cp >= 0x4e00 && cp <= 0x9fff) || (cp >= 0xa000 && cp <= 0xa4cf)
    || (cp >= 0xac00 && cp <= 0xd7a3) || (cp >= 0xf900 && cp <= 0xfaff) || (cp >= 0xfe30 && cp <= 0xfe4f)
    || (cp >= 0xff00 && cp <= 0xff60) || (cp >= 0xffe0 && cp <= 0xffe6) || (cp >= 0x20000 && cp <= 0x3fffd)) return 2;
  return 1;
}

/** Display width of a string (ANSI colour sequences count as zero). */
export function displayWidth(s: string): number {
  let w = 0;
  const plain = s.replace(/\u001b\[[0-9;]*m/g, '');
  for (const ch of plain) w += charWidth(ch.codePointAt(0)!);
  return w;
}

export function padEndW(s: string, width: number, fill = ' '): string {
  const w = displayWidth(s);
  return w >= width ? s : s + fill.repeat(width - w);
}

export function padStartW(s: string, width: number, fill = ' '): string {
  const w = displayWidth(s);
  return w >= width ? s : fill.repeat(width - w) + s;
}

/** Cut a string to at most `width` columns, ending in '…' when cut. */
export function truncateW(s: string, width: number): string {
  if (displayWidth(s) <= width) return s;
  let out = '', w = 0;
  for (const ch of s) {
    const cw = charWidth(ch.codePointAt(0)!);
    if (w + cw > width - 1) break;
    out += ch; w += cw;
  }
  return out + '…';
}

/** Colours and emphasis; every function returns its argument unchanged in `plainPaint`. */
export interface Paint {
  client(s: string): string;
  server(s: string): string;
  state(s: string): string;
  dim(s: string): string;
  bold(s: string): string;
  warn(s: string): string;
  ok(s: string): string;
}

const id = (s: string): string => s;
export const plainPaint: Paint = { client: id, server: id, state: id, dim: id, bold: id, warn: id, ok: id };
