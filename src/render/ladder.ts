/**
 * The ladder (sequence) diagram of one connection for a terminal: a client column and a
 * server column, one arrow per packet with its flags, seq/ack/len and the HTTP line when the
 * application stage found one, each side's state after the packet beside it, and the
 * handshake and teardown bracketed. Pure: text in, text out.
 */
import type { Lang } from '../i18n/meanings.js';
import { msg } from '../i18n/lifecycle.js';
import type { ConnSummary, ConnTimeline, Endpoint, TimelineEntry } from '../tcp/lifecycle.js';
import { TcpFlag } from '../decode/types.js';
import { displayWidth, padEndW, padStartW, plainPaint, truncateW, type Paint } from './text.js';

/** Flag names joined with commas, as the arrows show them: SYN,ACK  FIN,PSH,ACK. */
export function shortFlags(f: number): string {
  const names: string[] = [];
  if (f & TcpFlag.SYN) names.push('SYN');
  if (f & TcpFlag.FIN) names.push('FIN');
  if (f & TcpFlag.RST) names.push('RST');
  if (f & TcpFlag.PSH) names.push('PSH');
  if (f & TcpFlag.ACK) names.push('ACK');
  if (f & TcpFlag.URG) names.push('URG');
  if (f & TcpFlag.ECE) names.push('ECE');
  if (f & TcpFlag.CWR) names.push('CWR');
  return names.length ? names.join(',') : '<none>';
}

/** `[SYN,ACK] seq=0 ack=1 len=0` */
export function segmentLabel(e: TimelineEntry): string {
  let s = `[${shortFlags(e.flags)}] seq=${e.seq}`;
  if (e.flags & TcpFlag.ACK) s += ` ack=${e.ack}`;
  s += ` len=${e.len}`;
  return s;
}

/** Which rows to draw: everything, or the key packets with the runs between them folded. */
export type Row = { entry: TimelineEntry } | { gap: number; client: number; server: number };

/**
 * Key packets are kept (handshake and teardown frames, SYN/FIN/RST, state changes, packets
 * with analysis flags when there are few of them, the first and last few); runs of other
 * packets are folded into one gap row when the connection has more than `limit` packets.
 */
export function selectRows(c: ConnSummary, tl: ConnTimeline, all: boolean, limit = 40): Row[] {
  const es = tl.entries;
  if (all || es.length <= limit) return es.map((entry) => ({ entry }));
  const key = new Set<number>([...c.handshake.frames, ...c.teardown.frames]);
  const flagged = es.filter((e) => e.analysis).length;
  const keep = es.map((e, i) => i < 8 || i >= es.length - 6 || key.has(e.frame)
    || (e.flags & (TcpFlag.SYN | TcpFlag.FIN | TcpFlag.RST)) !== 0 || e.changes.length > 0 || e.crossed
    || (flagged <= 10 && e.analysis !== 0));
  const rows: Row[] = [];
  let gap: { gap: number; client: number; server: number } | undefined;
  es.forEach((entry, i) => {
    if (keep[i]) { if (gap) { rows.push(gap); gap = undefined; } rows.push({ entry }); return; }
    gap ??= { gap: 0, client: 0, server: 0 };
    gap.gap++;
    if (entry.from === 'client') gap.client++; else gap.server++;
  });
  if (gap) rows.push(gap);
  return rows;
}

const epText = (e: Endpoint): string => (e.ip.includes(':') ? `[${e.ip}]:${e.port}` : `${e.ip}:${e.port}`);

export interface LadderOptions { all?: boolean; limit?: number; paint?: Paint }

/** The whole diagram as lines of text. */
export function ladder(c: ConnSummary, tl: ConnTimeline, lang: Lang, opts: LadderOptions = {}): string[] {
  const paint = opts.paint ?? plainPaint;
  const rows = selectRows(c, tl, opts.all ?? false, opts.limit);
  const STATE_W = 13;
  const labels = rows.map((r) => ('entry' in r ? segmentLabel(r.entry) : ''));
  const W = Math.min(60, Math.max(34, ...labels.map((l) => displayWidth(l) + 6)));
  const hs = new Set(c.handshake.frames), td = new Set(c.teardown.frames);
  const hsFirst = Math.min(...c.handshake.frames), hsLast = Math.max(...c.handshake.frames);
  const tdFirst = Math.min(...c.teardown.frames), tdLast = Math.max(...c.teardown.frames);
  const lines: string[] = [];
  const left = 2 + 6 + 2; // bracket, frame number, space
  const head = (a: string, b: string): string => ' '.repeat(left) + padEndW(a, STATE_W + 1 + W + 1) + b;
  lines.push(head(paint.client(`${msg(lang, 'side.client')} ${epText(c.client)}`), paint.server(`${msg(lang, 'side.server')} ${epText(c.server)}`)));
  lines.push(head(paint.state(tl.initial[0]), paint.state(tl.initial[1])));
  let inBracket: 'hs' | 'td' | undefined;
  let prev: [string, string] = [tl.initial[0], tl.initial[1]];
  for (const r of rows) {
    if (!('entry' in r)) {
      const text = msg(lang, 'ex.collapsed', { n: r.gap, cp: r.client, sp: r.server }).replace(/; --all.*$|；用 --all.*$/, '');
      lines.push((inBracket ? '│ ' : '  ') + ' '.repeat(6 + 2) + paint.dim(padEndW('', STATE_W + 1) + '⋮ ' + text));
      continue;
    }
    const e = r.entry;
    // Open a bracket before the first packet of the handshake or teardown.
    if (!inBracket && hs.has(e.frame) && e.frame === hsFirst && c.handshake.frames.length) {
      lines.push(paint.dim(`┌─ ${msg(lang, 'ladder.handshake')}: ${msg(lang, `hs.${c.handshake.kind}`)}`));
      inBracket = 'hs';
    } else if (!inBracket && td.has(e.frame) && e.frame === tdFirst && c.teardown.frames.length) {
      lines.push(paint.dim(`┌─ ${msg(lang, 'ladder.teardown')}: ${msg(lang, `td.${c.teardown.kind}`)}`));
      inBracket = 'td';
    }
    const label = truncateW(segmentLabel(e), W - 4);
    const fill = W - 2 - displayWidth(label);
    const arrow = e.from === 'client'
      ? '─' + label + '─'.repeat(Math.max(1, fill - 1)) + '▶'
      : '◀' + '─'.repeat(Math.max(1, fill - 1)) + label + '─';
    const [cs, ss] = e.states;
    const cState = cs === prev[0] ? paint.dim(padEndW(cs, STATE_W)) : paint.state(padEndW(cs, STATE_W));
    const sState = ss === prev[1] ? paint.dim(ss) : paint.state(ss);
    prev = [cs, ss];
    const colour = e.from === 'client' ? paint.client : paint.server;
    const note = e.crossed ? paint.warn('  ✕') : e.analysis ? paint.warn('  !') : '';
    lines.push((inBracket ? paint.dim('│ ') : '  ') + padStartW(`#${e.frame}`, 6) + '  ' + cState + ' ' + colour(arrow) + ' ' + sState + note);
    if (e.app) lines.push((inBracket ? paint.dim('│ ') : '  ') + ' '.repeat(8) + ' '.repeat(STATE_W + 2) + paint.bold(truncateW(e.app, W - 2)));
    const last = inBracket === 'hs' ? hsLast : inBracket === 'td' ? tdLast : -1;
    if (inBracket && e.frame === last) { lines.push(paint.dim('└─')); inBracket = undefined; }
  }
  if (inBracket) lines.push(paint.dim('└─'));
  if (tl.truncated) lines.push(paint.dim(msg(lang, 'ex.truncated', { n: tl.truncated })));
  return lines;
}
