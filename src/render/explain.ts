/**
 * `tcpscope explain`: one connection told in plain words — the handshake with its arithmetic,
 * every packet with why its numbers are what they are and both endpoints' states after it,
 * the teardown named and explained, the reference tools' verdicts and where they disagree,
 * the findings with the Wireshark display filter for each, and the ladder diagram.
 */
import type { Lang } from '../i18n/meanings.js';
import { msg } from '../i18n/lifecycle.js';
import { TcpFlag } from '../decode/types.js';
import { ANOMALY_FILTER, ANOMALY_FLAGS, type ConnSummary, type ConnTimeline, type Endpoint, type Side, type TimelineEntry } from '../tcp/lifecycle.js';
import { TcpA } from '../tcp/types.js';
import { ladder, segmentLabel, selectRows } from './ladder.js';
import { plainPaint, type Paint } from './text.js';

export interface ExplainOptions { all?: boolean; limit?: number; paint?: Paint; ladder?: boolean }

const epText = (e: Endpoint): string => (e.ip.includes(':') ? `[${e.ip}]:${e.port}` : `${e.ip}:${e.port}`);
const frames = (fs: number[]): string => fs.map((f) => `#${f}`).join(', ');
const ms = (s: number | null, lang: Lang): string => (s === null ? msg(lang, 'ex.unknown') : `${(s * 1000).toFixed(3)} ms`);
const rfcRef = (rfc: string): string => /^RFC 9293 §[\d.]+/.exec(rfc)?.[0] ?? rfc;

function sideName(lang: Lang, s: Side | 'both' | null): string {
  return s ? msg(lang, `side.${s}`) : msg(lang, 'side.none');
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
  for (const [name, bit] of ANOMALY_FLAGS) if (bits & bit) out.push(msg(lang, `an.${name}`));
  if (bits & TcpA.KEEP_ALIVE_ACK) out.push('keep-alive ACK');
  if (bits & TcpA.ZERO_WINDOW_PROBE_ACK) out.push('zero-window probe ACK');
  return out;
}

function packetLines(c: ConnSummary, tl: ConnTimeline, lang: Lang, o: ExplainOptions, paint: Paint): string[] {
  const lines: string[] = [paint.bold(msg(lang, 'ex.timeline'))];
  for (const r of selectRows(c, tl, o.all ?? false, o.limit)) {
    if (!('entry' in r)) {
      lines.push(paint.dim('  ' + msg(lang, 'ex.collapsed', { n: r.gap, cp: r.client, sp: r.server })));
      continue;
    }
    const e = r.entry;
    const arrow = e.from === 'client' ? '→' : '←';
    const who = e.from === 'client' ? paint.client(msg(lang, 'side.client')) : paint.server(msg(lang, 'side.server'));
    const labels = analysisNames(e.analysis, lang);
    lines.push(`  ${paint.bold(`#${e.frame}`)} +${e.t.toFixed(6)} s ${arrow} ${who} ${segmentLabel(e)}`
      + (labels.length ? ' ' + paint.warn(labels.map((l) => `[${l}]`).join(' ')) : ''));
    if (e.app) lines.push('      ' + paint.bold(e.app));
    lines.push(paint.dim('      ' + why(e, lang).join(lang === 'zh-CN' ? '；' : '; ')));
    for (const ch of e.changes) {
      lines.push('      ' + msg(lang, 'ex.pkt.state', { side: msg(lang, `side.${ch.side}`), from: ch.from, to: paint.state(ch.to) }) + paint.dim(` (${rfcRef(ch.rfc)})`));
    }
    if (!e.changes.length) lines.push(paint.dim(`      ${msg(lang, 'side.client')} ${e.states[0]}, ${msg(lang, 'side.server')} ${e.states[1]}`));
    for (const ev of e.events) lines.push('      ↳ ' + msg(lang, `side.${ev.side}`) + msg(lang, 'colon') + msg(lang, `ev.${ev.event}`));
    if (e.crossed) lines.push(paint.warn('      ✕ ' + msg(lang, 'ex.pkt.crossed', { side: msg(lang, `side.${e.from === 'client' ? 'server' : 'client'}`) })));
    if (e.unexpected) {
      const u = e.unexpected;
      lines.push(paint.warn('      ! ' + msg(lang, 'ex.pkt.unexpected', { side: msg(lang, `side.${u.side}`), state: u.state, dir: msg(lang, `ex.dir.${u.dir}`), kind: u.kind })));
    }
  }
  if (tl.truncated) lines.push(paint.dim('  ' + msg(lang, 'ex.truncated', { n: tl.truncated })));
  return lines;
}

function handshakeLines(c: ConnSummary, lang: Lang, paint: Paint): string[] {
  const h = c.handshake;
  const out: string[] = [paint.bold(msg(lang, 'ex.hs', { kind: msg(lang, `hs.${h.kind}`), frames: h.frames.length ? frames(h.frames) : '-' }))];
  const ok = (v: boolean | null): string => (v === null ? '?' : v ? paint.ok('✓') : paint.warn('✗'));
  if (h.kind === 'three-way' || h.kind === 'simultaneous-open' || h.kind === 'incomplete') {
    if (h.isn.client !== null && h.isn.server !== null) {
      out.push('  ' + msg(lang, 'ex.hs.arith', {
        x: h.isn.client, x1: (h.isn.client + 1) >>> 0, ok1: ok(h.checks.syn_ack_acks_syn),
        y1: (h.isn.server + 1) >>> 0, ok2: ok(h.checks.ack_acks_syn_ack),
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
    out.push('  ' + msg(lang, 'ex.hs.synretx', { n: h.syn_frames.length, r: h.syn_frames.length - 1, iv: h.syn_intervals.map((s) => `${s.toFixed(3)} s`).join(', ') }));
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

function teardownLines(c: ConnSummary, lang: Lang, paint: Paint): string[] {
  const t = c.teardown;
  const kindName = t.kind === 'none' && t.open_at_end ? msg(lang, 'td.open') : msg(lang, `td.${t.kind}`);
  const out: string[] = [paint.bold(msg(lang, 'ex.td', { kind: kindName, frames: t.frames.length ? frames(t.frames) : '-' }))];
  const closer = t.active_closer;
  const passive = closer === 'client' ? 'server' : closer === 'server' ? 'client' : null;
  const names = { closer: sideName(lang, closer), passive: sideName(lang, passive) };
  if (closer === 'both') out.push('  ' + msg(lang, 'ex.td.both'));
  else if (closer) out.push('  ' + msg(lang, 'ex.td.closer', names));
  const f = t.frames;
  if (t.traits.includes('fin-with-data')) out.push('  ' + msg(lang, 'ex.td.findata', { ...names, f1: f[0]! }));
  if (t.traits.includes('half-close')) out.push('  ' + msg(lang, 'ex.td.halfclose', { ...names, n: t.data_after_fin }));
  if (t.traits.includes('simultaneous-close')) out.push('  ' + msg(lang, 'ex.td.simclose', { f1: f[0]!, f2: f[1]! }));
  if (t.traits.includes('three-way-merged-fin-ack')) out.push('  ' + msg(lang, 'ex.td.merged', { ...names, f1: f[0]!, f2: f[1]!, a2: f[2] ?? '?' }));
  if (t.traits.includes('four-way')) out.push('  ' + msg(lang, 'ex.td.fourway', { ...names, f1: f[0]!, a1: f[1]!, f2: f[2] ?? '?', a2: f[3] ?? '?' }));
  if (t.rst && t.traits.includes('rst-abort')) {
    out.push('  ' + msg(lang, 'ex.td.rst', { frame: t.rst.frame, by: sideName(lang, t.rst.by), state: t.rst.state, after: msg(lang, `ex.td.rst_after.${t.rst.after}`) }));
  }
  if (t.kind === 'unfinished') out.push('  ' + msg(lang, 'ex.td.unfinished', names));
  if (t.kind === 'none' && t.open_at_end) out.push('  ' + msg(lang, 'ex.td.open'));
  if ((t.kind === 'four-way' || t.kind === 'three-way-merged-fin-ack' || t.kind === 'simultaneous-close' || t.kind === 'fin-with-data' || t.kind === 'half-close') && !t.complete) {
    out.push('  ' + msg(lang, 'ex.td.nofinalack'));
  }
  if (t.time_wait === 'both') out.push('  ' + msg(lang, 'ex.td.timewait', { side: sideName(lang, 'both') }));
  else if (t.time_wait) out.push('  ' + msg(lang, 'ex.td.timewait', { side: sideName(lang, t.time_wait) }));
  out.push('  ' + msg(lang, 'ex.final', { client: paint.state(c.states.client), server: paint.state(c.states.server) }));
  return out;
}

function verdictLines(c: ConnSummary, lang: Lang, paint: Paint): string[] {
  const bits = [1, 2, 4, 8, 16, 32].filter((b) => c.completeness & b).map((b) => msg(lang, `ex.v.bits.${b}`)).join(', ') || '-';
  const out = [paint.bold(msg(lang, 'ex.verdicts')),
    '  ' + msg(lang, 'ex.v.wireshark', { v: c.completeness, str: c.completeness_str, bits }),
    '  ' + msg(lang, 'ex.v.zeek', { cs: c.conn_state, meaning: msg(lang, `zeek.${c.conn_state}`), history: c.history }),
    '  ' + msg(lang, 'ex.v.tcptrace', { verdict: msg(lang, `ex.v.tcptrace.${c.tcptrace}`) })];
  if (c.disagreements.length) {
    out.push(paint.bold(msg(lang, 'ex.disagree')));
    for (const d of c.disagreements) out.push('  • ' + msg(lang, d.key, d.params));
  } else out.push('  ' + msg(lang, 'ex.agree'));
  return out;
}

function findingLines(c: ConnSummary, tl: ConnTimeline | undefined, lang: Lang, paint: Paint): string[] {
  const s = `tcp.stream eq ${c.stream}`;
  const out = [paint.bold(msg(lang, 'ex.findings'))];
  const line = (what: string, filter: string): void => { out.push(`  • ${what}${msg(lang, 'colon')}${paint.bold(filter)}`); };
  if (c.handshake.frames.length) line(`${msg(lang, 'ex.f.handshake')} (${frames(c.handshake.frames)})`, `${s} && tcp.flags.syn==1`);
  if (c.teardown.frames.length && c.teardown.kind !== 'rst-abort') line(`${msg(lang, 'ex.f.fin')} (${frames(c.teardown.frames)})`, `${s} && tcp.flags.fin==1`);
  if (c.teardown.rst || c.handshake.kind === 'refused') line(msg(lang, 'ex.f.rst'), `${s} && tcp.flags.reset==1`);
  for (const a of c.anomalies) {
    let where = '';
    if (tl) {
      const fs = tl.entries.filter((e) => anomalyOn(e, a)).map((e) => e.frame);
      if (fs.length) where = ` (${msg(lang, 'ex.f.frames', { frames: frames(fs.slice(0, 8)) + (fs.length > 8 ? ', …' : '') })})`;
    }
    // A zero-window probe that Wireshark labels a keep-alive is found with Wireshark's keep-alive filter.
    const filter = a === 'zero-window-probe' && !c.anomaly_counts['keep-alive'] && !tl?.entries.some((e) => e.analysis & TcpA.ZERO_WINDOW_PROBE)
      ? ANOMALY_FILTER['keep-alive'] : ANOMALY_FILTER[a];
    line(msg(lang, 'ex.f.anomaly', { name: msg(lang, `an.${a}`), n: c.anomaly_counts[a] ?? 0 }) + where, `${s} && ${filter}`);
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
  const out: string[] = [];
  out.push(paint.bold(msg(lang, 'ex.title', { stream: c.stream, client: paint.client(epText(c.client)), server: paint.server(epText(c.server)) })));
  out.push(msg(lang, 'ex.summary', {
    packets: c.packets.client + c.packets.server, duration: c.duration.toFixed(6),
    cp: c.packets.client, cb: c.bytes.client, sp: c.packets.server, sb: c.bytes.server,
  }));
  out.push(paint.dim(msg(lang, 'ex.vantage')));
  if (c.states.midstream) out.push(paint.warn(msg(lang, 'ex.midstream')));
  if (tl) out.push(msg(lang, 'ex.initial', { client: tl.initial[0], server: tl.initial[1] }));
  out.push('');
  out.push(...handshakeLines(c, lang, paint));
  out.push('');
  if (tl) { out.push(...packetLines(c, tl, lang, o, paint)); out.push(''); }
  out.push(...teardownLines(c, lang, paint));
  out.push('');
  out.push(...verdictLines(c, lang, paint));
  out.push('');
  out.push(...findingLines(c, tl, lang, paint));
  if (tl && o.ladder !== false) {
    out.push('');
    out.push(paint.bold(msg(lang, 'ex.ladder')));
    out.push(...ladder(c, tl, lang, { all: o.all, limit: o.limit, paint }));
  }
  return out.join('\n');
}
