/**
 * The lab's report: what was set up, the packets and the programs' socket calls on one clock
 * (a ladder with the calls in each side's column), the expectation against the observed
 * connection, then the project's own explanation of the connection (src/render/explain.ts,
 * unchanged). The lab wraps that explanation instead of changing it.
 */
import type { Lang } from '../../src/i18n/meanings.js';
import type { ConnSummary, ConnTimeline, TimelineEntry } from '../../src/tcp/lifecycle.js';
import { shortFlags } from '../../src/render/ladder.js';
import { displayWidth, type Paint } from '../../src/render/text.js';
import { wrapLine } from '../../src/render/wrap.js';
import { msg } from '../../src/i18n/lifecycle.js';
import { HANDSHAKE_SHORT_KEY, SIDE_KEY, TEARDOWN_SHORT_KEY } from '../../src/render/lifecycle-keys.js';
import type { HandshakeKind, TeardownKind } from '../../src/tcp/vocab.js';
import type { DropCounts, EngineName } from '../capture/engine.js';
import type { NetworkSetup } from './worker.js';
import type { Expectation, ScenarioName, SocketEventRec } from './scenarios.js';
import { callText, lm, type LabKey } from './messages.js';

export type LabNetwork = NetworkSetup | { mode: 'route'; iface: string; addr: string };

export interface LabResult {
  scenario: ScenarioName | 'url';
  url?: string;
  capture: string;
  expected: Expectation;
  /** the connection's record exactly as `conns --json` gives it */
  observed: Record<string, unknown> | null;
  summary?: ConnSummary;
  timeline?: ConnTimeline;
  requests: number;
  diff: string[];
  ok: boolean;
  socket_events: SocketEventRec[];
  network: LabNetwork;
  engine: EngineName;
  drops: DropCounts;
  filter: string;
  iface: string;
}

const WHAT: Record<ScenarioName, LabKey> = {
  'server-close': 'what.server-close', 'client-close': 'what.client-close', 'half-close': 'what.half-close',
  'rst-abort': 'what.rst-abort', refused: 'what.refused', 'keep-alive': 'what.keep-alive', 'simultaneous-close': 'what.simultaneous-close',
};

/** One row of the merged timeline: a packet or a socket call. */
export type LabRow = { at: number; entry: TimelineEntry } | { at: number; event: SocketEventRec; after?: TimelineEntry };

/**
 * Packets and socket calls in time order (seconds from the first packet). A call made at the
 * same instant as a packet is placed after it: the call returned because of the packet.
 */
export function mergeTimeline(tl: ConnTimeline | undefined, start: number, events: SocketEventRec[]): LabRow[] {
  const rows: LabRow[] = (tl?.entries ?? []).map((entry) => ({ at: entry.t, entry }));
  const entries = tl?.entries ?? [];
  for (const event of events) {
    const at = event.time - start;
    let after: TimelineEntry | undefined;
    for (const e of entries) { if (e.t <= at) after = e; else break; }
    rows.push({ at, event, after });
  }
  return rows.sort((a, b) => a.at - b.at || ('entry' in a ? -1 : 1));
}

const ms = (s: number): string => (s * 1000).toFixed(3);

function networkLine(n: LabNetwork, lang: Lang): string[] {
  if (n.mode === 'route') return [lm(lang, 'net.route', { iface: n.iface, addr: n.addr })];
  const p = { mtu: n.mtu ?? '?', offloads: n.offloads_off ? lm(lang, 'net.offloads') : '', tlp: n.tlp_off ? lm(lang, 'net.tlp') : '' };
  const lines = [lm(lang, n.mode === 'netns-root' ? 'net.netns-root' : n.mode === 'netns-user' ? 'net.netns-user' : 'net.host', p)];
  if (n.queue) lines.push('  ' + lm(lang, 'net.queue'));
  for (const note of n.notes) lines.push('  ! ' + note);
  return lines;
}

function dropsText(d: DropCounts, lang: Lang): string {
  const parts: string[] = [];
  if (d.kernel !== null) parts.push(lm(lang, 'drops.kernel', { n: d.kernel }));
  if (d.iface !== null) parts.push(lm(lang, 'drops.iface', { n: d.iface }));
  return parts.length ? parts.join(lang === 'zh-CN' ? '，' : ', ') : lm(lang, 'drops.none');
}

/** The ladder fits an 80-column terminal: a longer line loses the end of its text (…). */
const LADDER_WIDTH = 80;
function fit(prefix: string, text: string): string {
  const room = LADDER_WIDTH - displayWidth(prefix);
  if (displayWidth(text) <= room) return text;
  let out = '';
  for (const ch of text) { if (displayWidth(out + ch) > room - 1) break; out += ch; }
  return out + '…';
}

/** The ladder with the socket calls: client calls on the left, server calls on the right. */
export function labLadder(r: LabResult, lang: Lang, paint: Paint): string[] {
  const s = r.summary;
  if (!s) return [];
  const W = 24;
  const side = (x: 'client' | 'server'): string => lm(lang, x === 'client' ? 'side_client' : 'side_server');
  const out: string[] = [];
  const left = `${side('client')} ${s.client.ip}:${s.client.port}`;
  const right = `${side('server')} ${s.server.ip}:${s.server.port}`;
  const gap = Math.max(2, LADDER_WIDTH - 11 - displayWidth(left) - displayWidth(right));
  out.push(`${' '.repeat(11)}${paint.client(left)}${' '.repeat(gap)}${paint.server(right)}`);
  for (const row of mergeTimeline(r.timeline, s.start, r.socket_events)) {
    const t = ms(row.at).padStart(9);
    if ('entry' in row) {
      const e = row.entry;
      const label = ` ${shortFlags(e.flags)}${e.len ? ` len=${e.len}` : ''} `;
      const dash = Math.max(2, W - label.length);
      const arrow = e.from === 'client'
        ? '─'.repeat(Math.floor(dash / 2)) + label + '─'.repeat(Math.ceil(dash / 2)) + '▶'
        : '◀' + '─'.repeat(Math.floor(dash / 2)) + label + '─'.repeat(Math.ceil(dash / 2));
      const prefix = `${t}  ${' '.repeat(W + 2)}${arrow}  #${e.frame}`;
      const app = e.app ? paint.dim(fit(prefix, `  ${e.app}`)) : '';
      out.push(`${t}  ${' '.repeat(W + 2)}${(e.from === 'client' ? paint.client : paint.server)(arrow)}  #${e.frame}${app}`);
    } else {
      const ev = row.event;
      // How long after which packet each call returned is said in the sentences under the ladder.
      const text = callText(lang, ev.call, ev.detail);
      if (ev.side === 'client') out.push(`${t}  ${paint.client(fit(`${t}  `, '▸ ' + text))}`);
      else {
        const prefix = `${t}  ${' '.repeat(W + 2)}${' '.repeat(W - 6)}`;
        out.push(`${prefix}${paint.server(fit(prefix, '◂ ' + text))}`);
      }
    }
  }
  return out;
}

/** Sentences: each call that returned right after a packet, with how long after. */
export function callNarration(r: LabResult, lang: Lang): string[] {
  const s = r.summary;
  if (!s) return [];
  const lines: string[] = [];
  for (const row of mergeTimeline(r.timeline, s.start, r.socket_events)) {
    if (!('event' in row)) continue;
    const call = `${lm(lang, row.event.side === 'client' ? 'side_client' : 'side_server')} ${callText(lang, row.event.call)}`;
    if (row.after) lines.push('  ' + lm(lang, 'call.after', { call, ms: ms(row.at - row.after.t), frame: row.after.frame, flags: shortFlags(row.after.flags) }));
    else lines.push('  ' + lm(lang, 'call.before', { call, ms: ms(-row.at) }));
  }
  return lines;
}

function expectLine(key: 'expected' | 'observed', lang: Lang, hs: HandshakeKind, td: TeardownKind | null, closer: 'client' | 'server' | 'both' | null, requests: number | undefined): string {
  return lm(lang, key, {
    hs: msg(lang, HANDSHAKE_SHORT_KEY[hs]), td: td ? msg(lang, TEARDOWN_SHORT_KEY[td]) : lm(lang, 'any'), closer: closer ? msg(lang, SIDE_KEY[closer]) : '-',
    requests: requests !== undefined ? lm(lang, 'requests', { n: requests }) : '',
  });
}

export function renderLab(r: LabResult, lang: Lang, paint: Paint, explainConn: (s: ConnSummary, tl: ConnTimeline | undefined) => string, width = 100): string {
  const out: string[] = [];
  const what = r.scenario === 'url' ? lm(lang, 'what.url', { url: r.url ?? '' }) : lm(lang, WHAT[r.scenario]);
  out.push(paint.bold(lm(lang, 'title', { scenario: r.scenario === 'url' ? '--url' : r.scenario, what })));
  out.push(...networkLine(r.network, lang));
  const packets = r.summary ? r.summary.packets.client + r.summary.packets.server : 0;
  out.push(lm(lang, 'capture', { engine: r.engine, iface: r.iface, filter: r.filter, packets, drops: dropsText(r.drops, lang), file: r.capture }));
  if (r.summary) {
    const ends = { server: `${r.summary.server.ip}:${r.summary.server.port}`, client: `${r.summary.client.ip}:${r.summary.client.port}` };
    out.push(r.url ? lm(lang, 'server.url', { ...ends, host: new URL(r.url).host }) : lm(lang, 'server', ends));
  }
  out.push('');
  if (!r.summary) {
    out.push(paint.warn(lm(lang, 'no.conn', { filter: r.filter })));
    return out.join('\n');
  }
  out.push(lm(lang, 'timeline'));
  out.push(...labLadder(r, lang, paint));
  out.push('');
  out.push(...callNarration(r, lang));
  out.push('');
  const e = r.expected;
  const s = r.summary;
  out.push(expectLine('expected', lang, e.handshake, e.teardown, e.active_closer, e.requests));
  out.push(expectLine('observed', lang, s.handshake.kind, s.teardown.kind, s.teardown.active_closer, e.requests !== undefined ? r.requests : undefined));
  out.push(r.ok ? paint.ok(lm(lang, 'ok')) : paint.warn(lm(lang, 'unexpected', { diff: r.diff.join('; ') })));
  out.push(paint.dim(lm(lang, 'clock')));
  out.push('');
  out.push(paint.dim('═'.repeat(72)));
  out.push('');
  // The ladder already fits 80 columns; sentences wrap at the terminal's width with a hanging indent.
  const lines = out.flatMap((l) => wrapLine(l, width));
  lines.push(explainConn(s, r.timeline));
  return lines.join('\n');
}
