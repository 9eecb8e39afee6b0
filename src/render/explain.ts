/**
 * `tcpscope explain`: one connection told in plain words — the handshake with its arithmetic,
 * every packet with why its numbers are what they are and both endpoints' states after it,
 * the teardown named and explained, the reference tools' verdicts and where they disagree,
 * the findings with the Wireshark display filter for each, and the ladder diagram.
 */
import { seqAdd } from '../core/seq.js';
import type { Lang } from '../i18n/meanings.js';
import { isMessageKey, msg } from '../i18n/lifecycle.js';
import { ANOMALY_KEY, ICMP_MEANING_KEY, CLOSE_CALL_KEY, COMPLETENESS_BIT_KEY, DIR_KEY, EVENT_KEY, HANDSHAKE_KEY, RST_AFTER_KEY, SIDE_KEY, TCPTRACE_KEY, TEARDOWN_KEY, zeekStateKey } from './lifecycle-keys.js';
import { TcpFlag } from '../decode/types.js';
import { ANOMALY_FILTER, ANOMALY_FLAGS, type ConnSummary, type ConnTimeline, type Endpoint, type Side, type SocketEvent, type TimelineEntry } from '../tcp/lifecycle.js';
import { TcpA } from '../tcp/types.js';
import { foldText, ladder, segmentLabel, selectRows } from './ladder.js';
import { plainPaint, type Paint } from './text.js';
import { wrapLine } from './wrap.js';
import { appMarks, between, closeCalls, type AppMark, type CloseCall, type ExplainFacts, type ReuseFact } from './facts.js';
import { teachingFilters } from './steps.js';

export type { ExplainFacts } from './facts.js';

export interface ExplainOptions {
  all?: boolean; limit?: number; paint?: Paint; ladder?: boolean; facts?: ExplainFacts;
  /** wrap prose at this many columns (hanging indent); 0 or undefined: no wrapping */
  width?: number;
}

const epText = (e: Endpoint): string => (e.ip.includes(':') ? `[${e.ip}]:${e.port}` : `${e.ip}:${e.port}`);
/** A parenthesis after a phrase: ` (x)` in English, `（x）` in Chinese. */
const par = (lang: Lang, x: string): string => (lang === 'zh-CN' ? `（${x}）` : ` (${x})`);
const frames = (fs: number[]): string => fs.map((f) => `#${f}`).join(', ');
const ms = (s: number | null, lang: Lang): string => (s === null ? msg(lang, 'ex.unknown') : `${(s * 1000).toFixed(3)} ms`);
const rfcRef = (rfc: string): string => /^RFC 9293 §[\d.]+/.exec(rfc)?.[0] ?? rfc;

/** A duration for prose: 40.144 ms, 1.003 s. */
export function dur(s: number | null, lang: Lang): string {
  if (s === null) return msg(lang, 'ex.unknown');
  const a = Math.abs(s);
  if (a >= 1) return lang === 'zh-CN' ? `${s.toFixed(3)} 秒` : `${s.toFixed(3)} s`;
  return lang === 'zh-CN' ? `${(s * 1000).toFixed(3)} 毫秒` : `${(s * 1000).toFixed(3)} ms`;
}

/** "1 packet", "3 packets" (one plural form per language). */
export function npackets(n: number, lang: Lang): string {
  return n === 1 ? msg(lang, 'ex.npackets.one') : msg(lang, 'ex.npackets.many', { n });
}

function sideName(lang: Lang, s: Side | 'both' | null): string {
  return s ? msg(lang, SIDE_KEY[s]) : msg(lang, 'side.none');
}


/** Why this packet's seq/ack are what they are. */
function why(e: TimelineEntry, lang: Lang): string[] {
  const out: string[] = [];
  const f = e.flags;
  if (f & TcpFlag.RST) out.push(msg(lang, 'ex.pkt.rst'));
  else if (f & TcpFlag.SYN) out.push(msg(lang, 'ex.pkt.syn', { seq: e.seq, nxt: e.nxtseq }));
  else if (f & TcpFlag.FIN) out.push(msg(lang, 'ex.pkt.fin', { seq: e.seq, len: e.len, nxt: e.nxtseq }));
  else if (e.len > 0) out.push(msg(lang, 'ex.pkt.data', { seq: e.seq, len: e.len, nxt: e.nxtseq }));
  else out.push(msg(lang, 'ex.pkt.nodata'));
  if ((f & TcpFlag.ACK) && !(f & TcpFlag.RST)) out.push(msg(lang, 'ex.pkt.ack', { ack: e.ack }));
  return out;
}

/** Localised names of the analysis flags on a packet (zero-window probes that Wireshark calls keep-alives stay keep-alives here). */
function analysisNames(bits: number, lang: Lang): string[] {
  const out: string[] = [];
  for (const [name, bit] of ANOMALY_FLAGS) if (bits & bit) out.push(msg(lang, ANOMALY_KEY[name]));
  if (bits & TcpA.KEEP_ALIVE_ACK) out.push('keep-alive ACK');
  if (bits & TcpA.ZERO_WINDOW_PROBE_ACK) out.push('zero-window probe ACK');
  return out;
}

/** The socket-call text of an event, true for what this side did (shutdown vs close). */
function eventText(ev: { side: Side; event: SocketEvent }, e: TimelineEntry, tl: ConnTimeline, calls: Record<Side, CloseCall>, lang: Lang): string {
  if (ev.event === 'close-called') return msg(lang, CLOSE_CALL_KEY[calls[ev.side]]);
  if (ev.event === 'eof') {
    // Its own FIN went first when it is on an earlier packet or on this one (a crossing FIN is sent before the peer's arrives).
    const ownFin = tl.entries.some((x) => x.frame <= e.frame && x.from === ev.side && (x.flags & TcpFlag.FIN) !== 0);
    if (ownFin) return msg(lang, calls[ev.side] === 'shutdown' ? 'ev.eof.after_shutdown' : 'ev.eof.after_close');
  }
  return msg(lang, EVENT_KEY[ev.event]);
}

/** The application-layer lines of a packet: the message's first line where its bytes start, "continues"/"ends" after. */
function appText(m: AppMark, lang: Lang, fin: boolean, first: number): string {
  if (m.role === 'first') return m.line;
  if (m.role === 'continues') return msg(lang, 'ex.app.continues', { line: m.line });
  return msg(lang, fin ? 'ex.app.completes_fin' : 'ex.app.completes', { line: m.line, first });
}

/** 第一次握手 … 第四次挥手: the textbooks' names of the handshake and teardown packets. */
export function stepNames(c: ConnSummary, lang: Lang): Map<number, string> {
  const out = new Map<number, string>();
  const h = c.handshake.frames, t = c.teardown;
  if (c.handshake.kind === 'three-way' && h.length === 3) {
    out.set(h[0]!, msg(lang, 'step.hs1')); out.set(h[1]!, msg(lang, 'step.hs2')); out.set(h[2]!, msg(lang, 'step.hs3'));
  }
  const f = t.frames;
  if (t.traits.includes('three-way-merged-fin-ack') && f.length >= 2) {
    out.set(f[0]!, msg(lang, 'step.td1')); out.set(f[1]!, msg(lang, 'step.td23'));
    if (f[2] !== undefined) out.set(f[2], msg(lang, 'step.td4'));
  } else if (t.traits.includes('four-way') && f.length >= 3 && !t.traits.includes('simultaneous-close')) {
    const keys = ['step.td1', 'step.td2', 'step.td3', 'step.td4'] as const;
    f.slice(0, 4).forEach((fr, i) => out.set(fr, msg(lang, keys[i]!)));
  }
  return out;
}

function packetLines(c: ConnSummary, tl: ConnTimeline, lang: Lang, o: ExplainOptions, paint: Paint): string[] {
  const lines: string[] = [paint.bold(msg(lang, 'ex.timeline'))];
  const names = stepNames(c, lang);
  const http = o.facts?.http;
  const marks = http ? appMarks(tl, http) : undefined;
  const calls = closeCalls(tl);
  const prevT = new Map<number, number>();
  tl.entries.forEach((e, i) => prevT.set(e.frame, i ? e.t - tl.entries[i - 1]!.t : 0));
  let usedCalls = false;
  for (const r of selectRows(c, tl, o.all ?? false, o.limit)) {
    if (!('entry' in r)) {
      lines.push(paint.dim('  ' + foldText(r, lang)));
      continue;
    }
    const e = r.entry;
    const arrow = e.from === 'client' ? '→' : '←';
    const who = e.from === 'client' ? paint.client(msg(lang, 'side.client')) : paint.server(msg(lang, 'side.server'));
    const labels = analysisNames(e.analysis, lang);
    const dt = msg(lang, 'ex.dt', { dt: dur(prevT.get(e.frame) ?? 0, lang) });
    lines.push(`  ${paint.bold(`#${e.frame}`)} +${e.t.toFixed(6)} s${par(lang, dt)} ${arrow} ${who} ${segmentLabel(e)}`
      + (labels.length ? ' ' + paint.warn(labels.map((l) => `[${l}]`).join(' ')) : '')
      + (names.has(e.frame) ? ' ' + paint.bold(`« ${names.get(e.frame)!} »`) : ''));
    if (marks) {
      for (const m of marks.get(e.frame) ?? []) {
        const first = http!.find((h) => h.firstLine === m.line && h.firstFrame <= e.frame && h.frame >= e.frame)?.firstFrame ?? e.frame;
        const text = appText(m, lang, (e.flags & TcpFlag.FIN) !== 0 && e.len === 0, first);
        lines.push('      ' + (m.role === 'first' ? paint.bold(text) : paint.dim(text)));
      }
    } else if (e.app) lines.push('      ' + paint.bold(e.app));
    lines.push(paint.dim('      ' + why(e, lang).join(lang === 'zh-CN' ? '；' : '; ')));
    for (const ch of e.changes) {
      lines.push('      ' + msg(lang, 'ex.pkt.state', { side: msg(lang, SIDE_KEY[ch.side]), from: ch.from, to: paint.state(ch.to) }) + paint.dim(par(lang, rfcRef(ch.rfc))));
    }
    if (!e.changes.length) lines.push(paint.dim(`      ${msg(lang, 'side.client')} ${e.states[0]}${lang === 'zh-CN' ? '，' : ', '}${msg(lang, 'side.server')} ${e.states[1]}`));
    for (const ev of e.events) {
      usedCalls = true;
      lines.push('      ↳ ' + msg(lang, SIDE_KEY[ev.side]) + msg(lang, 'colon') + eventText(ev, e, tl, calls, lang));
    }
    if (e.crossed) lines.push(paint.warn('      ✕ ' + msg(lang, 'ex.pkt.crossed', { side: msg(lang, SIDE_KEY[e.from === 'client' ? 'server' : 'client']) })));
    if (e.unexpected) {
      const u = e.unexpected;
      lines.push(paint.warn('      ! ' + msg(lang, 'ex.pkt.unexpected', { side: msg(lang, SIDE_KEY[u.side]), state: u.state, dir: msg(lang, DIR_KEY[u.dir]), kind: u.kind })));
    }
  }
  if (tl.truncated) lines.push(paint.dim('  ' + msg(lang, 'ex.truncated', { n: tl.truncated })));
  if (usedCalls) {
    lines.push(paint.dim('  ' + msg(lang, 'ex.calls')));
    const keys = ['ex.call.connect', 'ex.call.accept', 'ex.call.close', 'ex.call.shutdown', 'ex.call.read0', 'ex.call.reset'] as const;
    for (const k of keys) lines.push(paint.dim('    • ' + msg(lang, k)));
  }
  return lines;
}

function handshakeLines(c: ConnSummary, lang: Lang, paint: Paint): string[] {
  const h = c.handshake;
  const out: string[] = [paint.bold(msg(lang, 'ex.hs', { kind: msg(lang, HANDSHAKE_KEY[h.kind]), frames: h.frames.length ? frames(h.frames) : '-' }))];
  const ok = (v: boolean | null): string => (v === null ? '?' : v ? paint.ok('✓') : paint.warn('✗'));
  if (h.kind === 'three-way' || h.kind === 'simultaneous-open' || h.kind === 'incomplete') {
    if (h.isn.client !== null && h.isn.server !== null) {
      out.push('  ' + msg(lang, 'ex.hs.arith', {
        x: h.isn.client, x1: seqAdd(h.isn.client, 1), ok1: ok(h.checks.syn_ack_acks_syn),
        y1: seqAdd(h.isn.server, 1), ok2: ok(h.checks.ack_acks_syn_ack),
      }));
      out.push('  ' + msg(lang, 'ex.hs.arith_simple', { ok1: ok(h.checks.syn_ack_acks_syn), ok2: ok(h.checks.ack_acks_syn_ack) }));
      out.push('  ' + msg(lang, 'ex.hs.isn', { c: h.isn.client, s: h.isn.server }));
    }
    const co = h.options.client, so = h.options.server;
    if (co && so) {
      const n = h.negotiated!;
      const yes = (b: boolean): string => msg(lang, b ? 'ex.yes' : 'ex.no');
      out.push('  ' + msg(lang, 'ex.hs.opts', {
        cm: co.mss ?? '-', sm: so.mss ?? '-',
        ws: n.window_scale ? msg(lang, 'ex.hs.ws', { c: 2 ** n.window_scale.client, s: 2 ** n.window_scale.server }) : msg(lang, 'ex.hs.ws_off'),
        sack: yes(n.sack), ts: yes(n.timestamps),
      }));
    }
    if (h.rtt.syn_to_syn_ack !== null || h.rtt.initial_rtt !== null) {
      out.push('  ' + msg(lang, 'ex.hs.rtt', { a: ms(h.rtt.syn_to_syn_ack, lang), b: ms(h.rtt.syn_ack_to_ack, lang), irtt: ms(h.rtt.initial_rtt, lang) }));
    }
  }
  if (h.kind === 'simultaneous-open') out.push('  ' + msg(lang, 'ex.hs.simopen'));
  if (h.kind === 'refused') out.push('  ' + msg(lang, 'ex.hs.refused', { syn: h.frames[0]!, rst: h.frames[1]!, port: c.server.port }));
  if (h.kind === 'no-answer') out.push('  ' + msg(lang, 'ex.hs.noanswer', { n: h.syn_frames.length }));
  if (h.kind === 'not-seen') out.push('  ' + msg(lang, 'ex.hs.notseen'));
  if (h.kind === 'incomplete') out.push('  ' + msg(lang, 'ex.hs.incomplete', { missing: h.missing.join(', ') }));
  if (h.syn_frames.length > 1) {
    out.push('  ' + msg(lang, h.syn_frames.length === 2 ? 'ex.hs.synretx.once' : 'ex.hs.synretx', { n: h.syn_frames.length, r: h.syn_frames.length - 1, iv: h.syn_intervals.map((s) => `${s.toFixed(3)} s`).join(', ') }));
    const iv = h.syn_intervals;
    if (iv.length >= 2) {
      const doubling = iv.slice(1).every((x, i) => x > iv[i]! * 1.5);
      const steady = iv.every((x) => Math.abs(x - iv[0]!) < iv[0]! * 0.25);
      if (doubling) out.push('  ' + msg(lang, 'ex.hs.backoff.exp'));
      else if (steady) out.push('  ' + msg(lang, 'ex.hs.backoff.linear'));
    }
  }
  return out;
}

function teardownLines(c: ConnSummary, tl: ConnTimeline | undefined, lang: Lang, paint: Paint, facts: ExplainFacts): string[] {
  const t = c.teardown;
  const kindName = t.kind === 'none' && t.open_at_end ? msg(lang, 'td.open') : msg(lang, TEARDOWN_KEY[t.kind]);
  const out: string[] = [paint.bold(msg(lang, 'ex.td', { kind: kindName, frames: t.frames.length ? frames(t.frames) : '-' }))];
  const closer = t.active_closer;
  const passive = closer === 'client' ? 'server' : closer === 'server' ? 'client' : null;
  const names = { closer: sideName(lang, closer), passive: sideName(lang, passive) };
  if (closer === 'both') out.push('  ' + msg(lang, 'ex.td.both'));
  else if (closer) out.push('  ' + msg(lang, 'ex.td.closer', names));
  const f = t.frames;
  const gap = (a: number | undefined, b: number | undefined): string => dur(tl ? between(tl, a, b) : null, lang);
  // Where the server closes first because its HTTP/1.0 response has no length: say so.
  const finOf = (side: Side): number | undefined => tl?.entries.find((e) => e.from === side && (e.flags & TcpFlag.FIN) !== 0 && !(e.flags & TcpFlag.RST))?.frame;
  if (closer === 'server') {
    const fin = finOf('server');
    const r = facts.http?.find((h) => h.endsAtFin && h.frame === fin);
    if (r && fin !== undefined) out.push('  ' + msg(lang, 'ex.td.httpfin', { ...names, line: r.firstLine, first: r.firstFrame, fin }));
  }
  if (t.traits.includes('fin-with-data')) out.push('  ' + msg(lang, 'ex.td.findata', { ...names, f1: f[0]! }));
  if (t.traits.includes('half-close')) out.push('  ' + msg(lang, 'ex.td.halfclose', { ...names, n: t.data_after_fin }));
  if (t.traits.includes('simultaneous-close')) out.push('  ' + msg(lang, 'ex.td.simclose', { f1: f[0]!, f2: f[1]! }));
  if (t.traits.includes('three-way-merged-fin-ack')) {
    out.push('  ' + msg(lang, 'ex.td.merged2', { ...names, f1: f[0]!, f2: f[1]!, a2: f[2] ?? '?' }));
    if (tl) out.push('  ' + msg(lang, 'ex.td.merged.why', { ...names, f1: f[0]!, f2: f[1]!, close: gap(f[0], f[1]) }));
  }
  if (t.traits.includes('four-way') && f.length >= 3) {
    out.push('  ' + msg(lang, 'ex.td.fourway', { ...names, f1: f[0]!, a1: f[1]!, f2: f[2] ?? '?', a2: f[3] ?? '?' }));
    if (tl) {
      const ackDelay = between(tl, f[0], f[1]);
      const p = { ...names, f1: f[0]!, a1: f[1]!, f2: f[2]!, ack: dur(ackDelay, lang), close: gap(f[0], f[2]) };
      // Linux's delayed-ACK timer is at least 40 ms; an ACK that left sooner was sent at once.
      out.push('  ' + msg(lang, ackDelay !== null && ackDelay >= 0.03 ? 'ex.td.four.why.delayed' : 'ex.td.four.why.quick', p));
    }
  }
  // The half-closed period: from the passive closer's ACK of the first FIN to its own FIN.
  if (tl && passive && (t.kind === 'four-way' || t.kind === 'half-close') && !t.traits.includes('simultaneous-close')) {
    const pfin = finOf(passive), cfin = finOf(closer as Side);
    const cEnd = tl.entries.find((e) => e.frame === cfin)?.nxtseq;
    const ack = tl.entries.find((e) => e.from === passive && cfin !== undefined && e.frame > cfin && (e.flags & TcpFlag.ACK) !== 0 && cEnd !== undefined && e.ack >= cEnd)?.frame;
    if (ack !== undefined && pfin !== undefined && ack < pfin) {
      const n = tl.entries.filter((e) => e.from === passive && e.frame > (cfin ?? 0) && e.frame < pfin && e.len > 0).length;
      const data = n ? msg(lang, 'ex.td.halfopen.some', { n: npackets(n, lang) }) : msg(lang, 'ex.td.halfopen.none');
      out.push('  ' + msg(lang, 'ex.td.halfopen', { ...names, a1: ack, f2: pfin, dur: gap(ack, pfin), data }));
    }
  }
  if (t.traits.includes('four-way') || t.traits.includes('three-way-merged-fin-ack')) out.push('  ' + msg(lang, 'ex.td.why34'));
  if (t.rst && t.traits.includes('rst-abort')) {
    out.push('  ' + msg(lang, 'ex.td.rst', { frame: t.rst.frame, by: sideName(lang, t.rst.by), state: t.rst.state, after: msg(lang, RST_AFTER_KEY[t.rst.after]) }));
  }
  if (t.kind === 'unfinished') out.push('  ' + msg(lang, 'ex.td.unfinished', names));
  if (t.kind === 'none' && t.open_at_end) out.push('  ' + msg(lang, 'ex.td.open'));
  if ((t.kind === 'four-way' || t.kind === 'three-way-merged-fin-ack' || t.kind === 'simultaneous-close' || t.kind === 'fin-with-data' || t.kind === 'half-close') && !t.complete) {
    out.push('  ' + msg(lang, 'ex.td.nofinalack'));
  }
  if (t.time_wait === 'both') out.push('  ' + msg(lang, 'ex.td.timewait.both'));
  else if (t.time_wait) out.push('  ' + msg(lang, 'ex.td.timewait', { side: sideName(lang, t.time_wait) }));
  const rb = facts.reusedBy;
  if (rb) {
    const key = rb.time_wait && rb.gap < 60 ? 'ex.td.reused_by' : 'ex.td.reused_by_later';
    out.push('  ' + msg(lang, key, { stream: rb.stream, gap: dur(rb.gap, lang), side: sideName(lang, rb.time_wait) }));
  }
  out.push('  ' + msg(lang, 'ex.final', { client: paint.state(c.states.client), server: paint.state(c.states.server) }));
  return out;
}

/** The later connection of a reused 4-tuple: which stream it reuses, how long after, who was in TIME_WAIT. */
function reuseLine(c: ConnSummary, r: ReuseFact, lang: Lang): string[] {
  let tw: string;
  if (!r.time_wait) tw = msg(lang, 'ex.reuse.notw');
  else if (r.gap >= 60) tw = msg(lang, 'ex.reuse.tw_over');
  else {
    const why = r.higher_isn ? msg(lang, 'ex.reuse.isn', { stream: r.stream }) : msg(lang, 'ex.reuse.isn_unknown');
    tw = msg(lang, 'ex.reuse.tw', { side: sideName(lang, r.time_wait), why });
  }
  const out = [msg(lang, 'ex.reuse', { stream: r.stream, gap: dur(r.gap, lang), tw })];
  if (c.anomalies.includes('reused-port')) out.push(msg(lang, 'ex.reuse.flag'));
  return out;
}

function verdictLines(c: ConnSummary, lang: Lang, paint: Paint): string[] {
  const bits = ([1, 2, 4, 8, 16, 32] as const).filter((b) => c.completeness & b).map((b) => msg(lang, COMPLETENESS_BIT_KEY[b])).join(', ') || '-';
  const out = [paint.bold(msg(lang, 'ex.verdicts')),
    '  ' + msg(lang, 'ex.v.wireshark', { v: c.completeness, str: c.completeness_str, bits }),
    '  ' + msg(lang, 'ex.v.zeek', { cs: c.conn_state, meaning: msg(lang, zeekStateKey(c.conn_state)), history: c.history }),
    '  ' + msg(lang, 'ex.v.tcptrace', { verdict: msg(lang, TCPTRACE_KEY[c.tcptrace]) })];
  if (c.disagreements.length) {
    out.push(paint.bold(msg(lang, 'ex.disagree')));
    for (const d of c.disagreements) {
      if (!isMessageKey(d.key)) throw new Error(`disagreement "${d.key}" has no message`);
      out.push('  • ' + msg(lang, d.key, d.params));
    }
  } else out.push('  ' + msg(lang, 'ex.agree'));
  return out;
}

function stepLines(c: ConnSummary, tl: ConnTimeline | undefined, lang: Lang, paint: Paint, facts: ExplainFacts): string[] {
  const out = [paint.bold(msg(lang, 'ex.steps'))];
  const line = (what: string, filter: string): void => { out.push(`  • ${what}${msg(lang, 'colon')}${paint.bold(filter)}`); };
  for (const st of teachingFilters(c, tl, facts)) {
    if (st.what === 'site') {
      const fr = msg(lang, 'ex.s.site_frames', { streams: st.streams!.join(', '), n: npackets(st.packets!, lang) });
      line(`${msg(lang, 'ex.s.site', { server: epText(c.server) })}${par(lang, fr)}`, st.filter);
    } else if (st.what === 'handshake') line(`${msg(lang, 'ex.s.handshake')}${par(lang, frames(st.frames!))}`, st.filter);
    else if (st.what === 'teardown') line(`${msg(lang, 'ex.s.teardown')}${par(lang, frames(st.frames!))}`, st.filter);
    else if (st.what === 'rst') line(`${msg(lang, 'ex.f.rst')}${par(lang, frames(st.frames!))}`, st.filter);
    else if (st.what === 'http') {
      const fs = st.frames!;
      const shown = fs.length > 8 ? `${frames(fs.slice(0, 5))}, ${msg(lang, 'ex.s.more', { n: fs.length })}` : frames(fs);
      line(`${msg(lang, 'ex.s.http', { host: st.host! })}${par(lang, shown)}`, st.filter);
    }
    else line(msg(lang, 'ex.s.follow'), st.filter);
  }
  return out;
}

function findingLines(c: ConnSummary, tl: ConnTimeline | undefined, lang: Lang, paint: Paint): string[] {
  const s = `tcp.stream eq ${c.stream}`;
  if (!c.anomalies.length) return [];
  const out = [paint.bold(msg(lang, 'ex.findings'))];
  const line = (what: string, filter: string): void => { out.push(`  • ${what}${msg(lang, 'colon')}${paint.bold(filter)}`); };
  for (const a of c.anomalies) {
    let where = '';
    if (tl) {
      const fs = tl.entries.filter((e) => anomalyOn(e, a)).map((e) => e.frame);
      if (fs.length) where = par(lang, msg(lang, 'ex.f.frames', { frames: frames(fs.slice(0, 8)) + (fs.length > 8 ? ', …' : '') }));
    }
    // A zero-window probe that Wireshark labels a keep-alive is found with Wireshark's keep-alive filter.
    const filter = a === 'zero-window-probe' && !c.anomaly_counts['keep-alive'] && !tl?.entries.some((e) => e.analysis & TcpA.ZERO_WINDOW_PROBE)
      ? ANOMALY_FILTER['keep-alive'] : ANOMALY_FILTER[a];
    line(msg(lang, 'ex.f.anomaly', { name: msg(lang, ANOMALY_KEY[a]), n: npackets(c.anomaly_counts[a] ?? 0, lang) }) + where, `${s} && ${filter}`);
  }
  return out;
}

/** The ICMP errors that quote the connection's segments (src/tcp/icmp-errors.ts), and a retransmission of a segment a "too big" error named at a smaller size. */
const ROUTER_SAYS = new Set(['net-unreachable', 'host-unreachable', 'fragmentation-needed', 'packet-too-big', 'time-exceeded', 'redirect', 'source-quench']);
function icmpLines(c: ConnSummary, tl: ConnTimeline | undefined, lang: Lang, paint: Paint): string[] {
  if (!c.icmp?.length) return [];
  const out = [paint.bold(msg(lang, 'ex.icmp'))];
  const told = new Set<number>();
  for (const n of c.icmp) {
    const peer: Side = n.side === 'client' ? 'server' : 'client';
    const seq = n.seq === null ? msg(lang, 'ex.icmp.raw', { seq: n.seq_raw }) : String(n.seq);
    const p = { frame: n.frame, addr: n.from, what: msg(lang, ICMP_MEANING_KEY[n.meaning]), side: msg(lang, SIDE_KEY[n.side]), seq,
      peer: msg(lang, SIDE_KEY[peer]), mtu: n.mtu ? msg(lang, 'ex.icmp.mtu', { mtu: n.mtu }) : '' };
    const key = n.from === c[peer].ip ? 'ex.icmp.peer' : ROUTER_SAYS.has(n.meaning) ? 'ex.icmp.router' : 'ex.icmp.host';
    out.push(`  • ${msg(lang, key, p)}`);
    if (!tl || n.seq === null || (n.meaning !== 'fragmentation-needed' && n.meaning !== 'packet-too-big')) continue;
    // The quoted segment (the last one from that side with that seq before the error) and its next copy, if smaller.
    const same = (e: TimelineEntry): boolean => e.from === n.side && e.seqRaw === n.seq_raw && e.len > 0;
    const before = tl.entries.filter((e) => e.frame < n.frame && same(e)).pop();
    const after = tl.entries.find((e) => e.frame > n.frame && same(e));
    if (before && after && after.len < before.len && !told.has(after.frame)) {
      told.add(after.frame);
      out.push(`    ${msg(lang, 'ex.icmp.smaller', { frame: after.frame, side: msg(lang, SIDE_KEY[n.side]), seq: n.seq, len: after.len, was: before.len })}`);
    }
  }
  return out;
}

function anomalyOn(e: TimelineEntry, a: string): boolean {
  if (a === 'sack') return e.sack;
  const bit = ANOMALY_FLAGS.find(([n]) => n === a)?.[1];
  if (a === 'retransmission') return (e.analysis & (TcpA.RETRANSMISSION | TcpA.FAST_RETRANSMISSION | TcpA.SPURIOUS_RETRANSMISSION)) !== 0;
  if (a === 'zero-window-probe') return (e.analysis & (TcpA.ZERO_WINDOW_PROBE | TcpA.KEEP_ALIVE)) !== 0;
  return bit !== undefined && (e.analysis & bit) !== 0;
}

/** The whole explanation of one connection. */
export function explain(c: ConnSummary, tl: ConnTimeline | undefined, lang: Lang, o: ExplainOptions = {}): string {
  const paint = o.paint ?? plainPaint;
  const facts = o.facts ?? {};
  const out: string[] = [];
  out.push(paint.bold(msg(lang, 'ex.title', { stream: c.stream, client: paint.client(epText(c.client)), server: paint.server(epText(c.server)) })));
  out.push(msg(lang, 'ex.summary', {
    packets: npackets(c.packets.client + c.packets.server, lang), duration: c.duration.toFixed(6),
    cp: npackets(c.packets.client, lang), cb: c.bytes.client, sp: npackets(c.packets.server, lang), sb: c.bytes.server,
  }));
  if (facts.reuses) out.push(...reuseLine(c, facts.reuses, lang));
  out.push(paint.dim(msg(lang, 'ex.vantage')));
  out.push(paint.dim(msg(lang, 'ex.statenames')));
  if (c.states.midstream) out.push(paint.warn(msg(lang, 'ex.midstream')));
  if (tl) out.push(msg(lang, 'ex.initial', { client: tl.initial[0], server: tl.initial[1] }));
  out.push('');
  out.push(...handshakeLines(c, lang, paint));
  out.push('');
  if (tl) { out.push(...packetLines(c, tl, lang, o, paint)); out.push(''); }
  out.push(...teardownLines(c, tl, lang, paint, facts));
  out.push('');
  out.push(...verdictLines(c, lang, paint));
  out.push('');
  out.push(...stepLines(c, tl, lang, paint, facts));
  const fl = findingLines(c, tl, lang, paint);
  if (fl.length) { out.push(''); out.push(...fl); }
  const il = icmpLines(c, tl, lang, paint);
  if (il.length) { out.push(''); out.push(...il); }
  if (tl && o.ladder !== false) {
    out.push('');
    out.push(paint.bold(msg(lang, 'ex.ladder')));
    const prose = o.width ? out.flatMap((l) => wrapLine(l, o.width!)) : out;
    return [...prose, ...ladder(c, tl, lang, { all: o.all, limit: o.limit, paint, http: facts.http, steps: stepNames(c, lang) })].join('\n');
  }
  return (o.width ? out.flatMap((l) => wrapLine(l, o.width!)) : out).join('\n');
}
