/**
 * The ladder (sequence) diagram of one connection for a terminal: a client column and a
 * server column, one arrow per packet with its flags, seq/ack/len and the HTTP line when the
 * application stage found one, each side's state after the packet beside it, and the
 * handshake and teardown bracketed. Pure: text in, text out.
 */
import type { Lang } from '../i18n/meanings.js';
import { msg } from '../i18n/lifecycle.js';
import { HANDSHAKE_KEY, TEARDOWN_KEY } from './lifecycle-keys.js';
import type { ConnSummary, ConnTimeline, Endpoint, TimelineEntry } from '../tcp/lifecycle.js';
import { TcpFlag } from '../decode/types.js';
import { TcpA } from '../tcp/types.js';
import { displayWidth, padEndW, padStartW, plainPaint, truncateW, type Paint } from './text.js';
import { appMarks, type HttpFact } from './facts.js';
import { wrapLine } from './wrap.js';

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
export type Row = { entry: TimelineEntry } | Gap;
/** A folded run: how many packets each way, the payload bytes they carry, and how many had analysis findings. */
export interface Gap { gap: number; client: number; server: number; bytes: number; flagged: number }

/** Findings that always keep their packet visible (when there are not too many of them). */
const KEEP_FINDINGS = TcpA.ZERO_WINDOW | TcpA.LOST_PACKET | TcpA.ACK_LOST_PACKET | TcpA.RETRANSMISSION | TcpA.FAST_RETRANSMISSION
  | TcpA.SPURIOUS_RETRANSMISSION | TcpA.DUPLICATE_ACK | TcpA.OUT_OF_ORDER | TcpA.ZERO_WINDOW_PROBE | TcpA.REUSED_PORTS;
/** At most this many packets with findings are kept; beyond it, the first ones of each kind. */
const MAX_FLAGGED = 40;

/**
 * Key packets are kept: the handshake and teardown frames, SYN/FIN/RST, state changes, crossed
 * segments, packets with analysis findings (all of them up to 40, else the first three of each
 * kind), the first and last data segment of each direction, and the first and last few packets.
 * Runs of other packets fold into one gap row when the connection has more than `limit` packets.
 */
export function selectRows(c: ConnSummary, tl: ConnTimeline, all: boolean, limit = 40): Row[] {
  const es = tl.entries;
  if (all || es.length <= limit) return es.map((entry) => ({ entry }));
  const key = new Set<number>([...c.handshake.frames, ...c.teardown.frames]);
  const flaggedAll = es.filter((e) => e.analysis & KEEP_FINDINGS);
  const flagged = new Set<TimelineEntry>();
  if (flaggedAll.length <= MAX_FLAGGED) for (const e of flaggedAll) flagged.add(e);
  else {
    const perBit = new Map<number, number>();
    for (const e of flaggedAll) {
      for (let bit = 1; bit <= KEEP_FINDINGS; bit <<= 1) {
        if (!(e.analysis & bit & KEEP_FINDINGS)) continue;
        const n = perBit.get(bit) ?? 0;
        if (n < 3) { flagged.add(e); perBit.set(bit, n + 1); }
      }
    }
  }
  for (const from of ['client', 'server'] as const) {
    const data = es.filter((e) => e.from === from && e.len > 0);
    if (data.length) { key.add(data[0]!.frame); key.add(data[data.length - 1]!.frame); }
  }
  const keep = es.map((e, i) => i < 6 || i >= es.length - 4 || key.has(e.frame)
    || (e.flags & (TcpFlag.SYN | TcpFlag.FIN | TcpFlag.RST)) !== 0 || e.changes.length > 0 || e.crossed || flagged.has(e));
  // A run of one packet is shown rather than folded ("1 packets not shown" helps nobody).
  for (let i = 1; i < es.length - 1; i++) if (!keep[i] && keep[i - 1] && keep[i + 1]) keep[i] = true;
  const rows: Row[] = [];
  let gap: Gap | undefined;
  es.forEach((entry, i) => {
    if (keep[i]) { if (gap) { rows.push(gap); gap = undefined; } rows.push({ entry }); return; }
    gap ??= { gap: 0, client: 0, server: 0, bytes: 0, flagged: 0 };
    gap.gap++;
    gap.bytes += entry.len;
    if (entry.analysis & KEEP_FINDINGS) gap.flagged++;
    if (entry.from === 'client') gap.client++; else gap.server++;
  });
  if (gap) rows.push(gap);
  return rows;
}

const epText = (e: Endpoint): string => (e.ip.includes(':') ? `[${e.ip}]:${e.port}` : `${e.ip}:${e.port}`);

export interface LadderOptions {
  all?: boolean; limit?: number; paint?: Paint;
  /** the stream's HTTP messages: each first line goes under the segment that carries its first bytes */
  http?: readonly HttpFact[];
  /** total width (default 80) */
  width?: number;
  /** 第一次握手 …: the textbook name of a handshake or teardown packet, by frame */
  steps?: Map<number, string>;
}

/** Δt for the ladder's narrow column: 0.02ms, 7.35ms, 40.1ms, 204ms, 1.03s, 12.3s, 125s. */
export function shortDt(s: number): string {
  const ms = s * 1000;
  if (ms < 10) return `${ms.toFixed(2)}ms`;
  if (ms < 100) return `${ms.toFixed(1)}ms`;
  if (ms < 999.5) return `${ms.toFixed(0)}ms`;
  if (s < 9.995) return `${s.toFixed(2)}s`;
  if (s < 99.95) return `${s.toFixed(1)}s`;
  return `${s.toFixed(0)}s`;
}

/** Short state names for narrow diagrams (as textbooks and ss(8) write them). */
const SHORT_STATE: Record<string, string> = { ESTABLISHED: 'ESTAB', SYN_RECEIVED: 'SYN_RCVD', FIN_WAIT_1: 'FIN_WAIT1', FIN_WAIT_2: 'FIN_WAIT2' };

/** The text of a folded run: packets each way, bytes, findings hidden. */
export function foldText(r: Gap, lang: Lang): string {
  const flagged = r.flagged ? msg(lang, 'ex.collapsed.flagged', { n: r.flagged }) : '';
  return msg(lang, 'ex.collapsed', { n: r.gap, cp: r.client, sp: r.server, bytes: r.bytes, flagged });
}

/** The whole diagram as lines of text, every line at most `width` (80) columns. */
export function ladder(c: ConnSummary, tl: ConnTimeline, lang: Lang, opts: LadderOptions = {}): string[] {
  const paint = opts.paint ?? plainPaint;
  const WIDTH = opts.width ?? 80;
  const rows = selectRows(c, tl, opts.all ?? false, opts.limit);
  const shown = rows.flatMap((r) => ('entry' in r ? [r.entry] : []));
  const FW = Math.max(3, ...shown.map((e) => `#${e.frame}`.length));
  const DT = 6, NOTE = 2;
  const left = 2 + FW + 1 + DT + 1; // bracket, frame, Δt
  const labels = shown.map((e) => segmentLabel(e));
  const need = Math.max(34, ...labels.map((l) => displayWidth(l) + 3));
  // States in full when the arrows fit; else the short names textbooks and ss(8) use.
  const stateWidths = (f: (s: string) => string): [number, number] => [
    Math.max(6, displayWidth(f(tl.initial[0])), ...shown.map((e) => displayWidth(f(e.states[0])))),
    Math.max(6, displayWidth(f(tl.initial[1])), ...shown.map((e) => displayWidth(f(e.states[1])))),
  ];
  let st = (x: string): string => x;
  let [CS, SS] = stateWidths(st);
  let abbreviated = false;
  if (WIDTH - left - CS - 2 - SS - NOTE < need) {
    st = (x: string): string => SHORT_STATE[x] ?? x;
    [CS, SS] = stateWidths(st);
    abbreviated = true;
  }
  const W = Math.max(20, Math.min(60, WIDTH - left - CS - 1 - 1 - SS - NOTE, need));
  const hs = new Set(c.handshake.frames), td = new Set(c.teardown.frames);
  const hsLast = Math.max(...c.handshake.frames);
  const tdLast = Math.max(...c.teardown.frames);
  const marks = opts.http ? appMarks(tl, opts.http) : undefined;
  const dts = new Map<number, number>();
  tl.entries.forEach((e, i) => dts.set(e.frame, i ? e.t - tl.entries[i - 1]!.t : 0));
  const lines: string[] = [];
  const serverCol = left + CS + 1 + W + 1;
  const head = (a: string, b: string): void => {
    const at = Math.max(left + displayWidth(a) + 2, Math.min(serverCol, WIDTH - displayWidth(b)));
    if (at + displayWidth(b) <= WIDTH) lines.push(' '.repeat(left) + padEndW(a, at - left) + b);
    else { lines.push(' '.repeat(left) + a); lines.push(padStartW(b, WIDTH)); }
  };
  head(paint.client(`${msg(lang, 'side.client')} ${epText(c.client)}`), paint.server(`${msg(lang, 'side.server')} ${epText(c.server)}`));
  lines.push(' '.repeat(2 + FW + 1) + paint.dim(padStartW('Δt', DT)) + ' ' + padEndW(paint.state(st(tl.initial[0])), CS + 1 + W + 1) + paint.state(st(tl.initial[1])));
  let inBracket: 'hs' | 'td' | undefined;
  let prev: [string, string] = [st(tl.initial[0]), st(tl.initial[1])];
  const bar = (): string => (inBracket ? paint.dim('│ ') : '  ');
  for (const r of rows) {
    if (!('entry' in r)) {
      const text = foldText(r, lang).replace(/; --all.*$|；用 --all.*$/, '');
      const pad = left - 2 + CS + 1;
      const wrapped = wrapLine('⋮ ' + text, WIDTH - 2 - pad);
      for (const l of wrapped) lines.push(bar() + ' '.repeat(pad) + paint.dim(l));
      continue;
    }
    const e = r.entry;
    // Open a bracket before the first shown packet of the handshake or teardown.
    if (!inBracket && hs.has(e.frame) && e.frame <= hsLast) {
      lines.push(paint.dim(truncateW(`┌─ ${msg(lang, 'ladder.handshake')}${msg(lang, 'colon')}${msg(lang, HANDSHAKE_KEY[c.handshake.kind])}`, WIDTH)));
      inBracket = 'hs';
    } else if (!inBracket && td.has(e.frame) && e.frame <= tdLast) {
      lines.push(paint.dim(truncateW(`┌─ ${msg(lang, 'ladder.teardown')}${msg(lang, 'colon')}${msg(lang, TEARDOWN_KEY[c.teardown.kind])}`, WIDTH)));
      inBracket = 'td';
    }
    let label = segmentLabel(e);
    if (displayWidth(label) > W - 3) label = label.replace(/ len=0$/, '');
    label = truncateW(label, W - 3);
    const fill = W - 2 - displayWidth(label);
    const arrow = e.from === 'client'
      ? '─' + label + '─'.repeat(Math.max(1, fill - 1)) + '▶'
      : '◀' + '─'.repeat(Math.max(1, fill - 1)) + label + '─';
    const [cs, ss] = [st(e.states[0]), st(e.states[1])];
    const cState = cs === prev[0] ? paint.dim(padEndW(cs, CS)) : paint.state(padEndW(cs, CS));
    const sState = ss === prev[1] ? paint.dim(padEndW(ss, SS)) : paint.state(padEndW(ss, SS));
    prev = [cs, ss];
    const colour = e.from === 'client' ? paint.client : paint.server;
    const note = e.crossed ? paint.warn(' ✕') : e.analysis ? paint.warn(' !') : '';
    const dt = padStartW(shortDt(dts.get(e.frame) ?? 0), DT);
    lines.push((bar() + padStartW(`#${e.frame}`, FW) + ' ' + paint.dim(dt) + ' ' + cState + ' ' + colour(arrow) + ' ' + sState + note).trimEnd());
    const apps: string[] = [];
    if (marks) {
      for (const m of marks.get(e.frame) ?? []) {
        apps.push(m.role === 'first' ? paint.bold(truncateW(m.line, W - 2))
          : paint.dim(truncateW(msg(lang, m.role === 'continues' ? 'ladder.cont' : 'ladder.ends', { line: m.line }), W - 2)));
      }
    } else if (e.app) apps.push(paint.bold(truncateW(e.app, W - 2)));
    const step = opts.steps?.get(e.frame);
    if (step) apps.unshift(paint.dim(`« ${step} »`));
    for (const a of apps) lines.push(bar() + ' '.repeat(left - 2 + CS + 2) + a);
    const last = inBracket === 'hs' ? hsLast : inBracket === 'td' ? tdLast : -1;
    if (inBracket && e.frame === last) { lines.push(paint.dim('└─')); inBracket = undefined; }
  }
  if (inBracket) lines.push(paint.dim('└─'));
  if (tl.truncated) lines.push(paint.dim(msg(lang, 'ex.truncated', { n: tl.truncated })));
  const legend = msg(lang, 'ladder.legend') + (abbreviated ? msg(lang, 'ladder.abbrev') : '');
  lines.push(...wrapLine(legend, WIDTH).map((l) => paint.dim(l)));
  return lines;
}
