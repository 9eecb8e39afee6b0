/**
 * `tcpscope conns` output: a terminal table (one row per connection), the JSON array
 * documented in docs/schema/conns.schema.json, and Zeek's conn.log in TSV or JSON lines.
 * Pure functions of the lifecycle summaries.
 */
import type { Lang } from '../i18n/meanings.js';
import { type MessageKey, msg } from '../i18n/lifecycle.js';
import { HANDSHAKE_SHORT_KEY, SIDE_KEY, TEARDOWN_SHORT_KEY } from './lifecycle-keys.js';
import type { ConnSummary, Endpoint } from '../tcp/lifecycle.js';
import { displayWidth, padEndW, padStartW, plainPaint, type Paint } from './text.js';
import { wrapLine } from './wrap.js';

const ep = (e: Endpoint): string => (e.ip.includes(':') ? `[${e.ip}]:${e.port}` : `${e.ip}:${e.port}`);

/** Seconds with 6 decimals. */
const s6 = (x: number): string => x.toFixed(6);

/** The teardown cell: the kind, or "open" for a connection still open at the end. */
function teardownShort(c: ConnSummary, lang: Lang): string {
  if (c.teardown.kind === 'none' && c.teardown.open_at_end) return msg(lang, 'tshort.open');
  return msg(lang, TEARDOWN_SHORT_KEY[c.teardown.kind]);
}

/** One row per connection, columns aligned by display width. */
export interface ConnsTableOptions {
  /** fit this many columns by leaving out the least needed columns (undefined: no limit) */
  width?: number;
  /** every column, whatever the width */
  wide?: boolean;
}

/** Columns left out first when the table is too wide (indexes into the header). */
const DROP_ORDER = [12, 11, 10, 8, 6, 7, 9];

export function connsTable(conns: ConnSummary[], lang: Lang, paint: Paint = plainPaint, o: ConnsTableOptions = {}): string {
  if (!conns.length) return msg(lang, 'conns.none');
  const head = ['col.stream', 'col.client', 'col.server', 'col.handshake', 'col.teardown', 'col.closer', 'col.duration',
    'col.pkts', 'col.bytes', 'col.states', 'col.conn_state', 'col.history', 'col.completeness'].map((k) => msg(lang, k as MessageKey));
  const rows = conns.map((c) => [
    String(c.stream), ep(c.client), ep(c.server),
    msg(lang, HANDSHAKE_SHORT_KEY[c.handshake.kind]), teardownShort(c, lang),
    c.teardown.active_closer ? msg(lang, SIDE_KEY[c.teardown.active_closer]) : '-',
    s6(c.duration),
    `${c.packets.client}/${c.packets.server}`, `${c.bytes.client}/${c.bytes.server}`,
    `${c.states.client}/${c.states.server}`, c.conn_state, c.history, `${c.completeness} ${c.completeness_str}`,
  ]);
  const right = new Set([0, 6, 7, 8]);
  const widths = head.map((h, i) => Math.max(displayWidth(h), ...rows.map((r) => displayWidth(r[i]!))));
  const shown = new Set(head.map((_, i) => i));
  const total = (): number => [...shown].reduce((n, i) => n + widths[i]! + 2, -2);
  const dropped: string[] = [];
  if (!o.wide && o.width) {
    for (const i of DROP_ORDER) {
      if (total() <= o.width) break;
      shown.delete(i);
      dropped.push(head[i]!);
    }
  }
  const fmt = (cells: string[], colour?: (i: number, s: string) => string): string =>
    cells.flatMap((cell, i) => {
      if (!shown.has(i)) return [];
      const padded = right.has(i) ? padStartW(cell, widths[i]!) : padEndW(cell, widths[i]!);
      return [colour ? colour(i, padded) : padded];
    }).join('  ').trimEnd();
  const lines = [paint.bold(fmt(head)), paint.dim(widths.filter((_, i) => shown.has(i)).map((w) => '─'.repeat(w)).join('  '))];
  for (const r of rows) {
    lines.push(fmt(r, (i, s) => (i === 1 ? paint.client(s) : i === 2 ? paint.server(s) : i === 9 ? paint.state(s) : s)));
  }
  lines.push(paint.dim(msg(lang, 'conns.total', { n: conns.length })));
  if (dropped.length) lines.push(...wrapLine(msg(lang, 'conns.dropped', { cols: dropped.join(lang === 'zh-CN' ? '，' : ', ') }), o.width ?? 0).map((l) => paint.dim(l)));
  return lines.join('\n');
}

/** The `conns --json` object of one connection (docs/schema/conns.schema.json). */
export function connJson(c: ConnSummary, reusesStream: number | null = null): Record<string, unknown> {
  return {
    stream: c.stream, client: c.client, server: c.server,
    first_frame: c.first_frame, last_frame: c.last_frame, start: c.start, duration: round9(c.duration),
    reuses_stream: reusesStream,
    packets: c.packets, bytes: c.bytes,
    handshake: c.handshake, teardown: c.teardown,
    anomalies: c.anomalies, anomaly_counts: c.anomaly_counts,
    states: c.states,
    conn_state: c.conn_state, history: c.history,
    completeness: c.completeness, completeness_str: c.completeness_str,
    tcptrace: c.tcptrace,
    zeek: {
      orig: c.zeek.orig, orig_bytes: c.zeek.origBytes, resp_bytes: c.zeek.respBytes, orig_pkts: c.zeek.origPkts,
      orig_ip_bytes: c.zeek.origIpBytes, resp_pkts: c.zeek.respPkts, resp_ip_bytes: c.zeek.respIpBytes,
      missed_bytes: c.zeek.missedBytes, duration: round9(c.zeek.duration), orig_state: c.zeek.origState, resp_state: c.zeek.respState,
    },
    disagreements: c.disagreements.map((d) => d.key),
    unexpected_transitions: c.unexpected,
    ...(c.tunnel ? { tunnel: c.tunnel } : {}),
    ...(c.icmp ? { icmp: c.icmp } : {}),
  };
}

const round9 = (x: number): number => Math.round(x * 1e9) / 1e9;

export const ZEEK_FIELDS = ['ts', 'uid', 'id.orig_h', 'id.orig_p', 'id.resp_h', 'id.resp_p', 'proto', 'service', 'duration',
  'orig_bytes', 'resp_bytes', 'conn_state', 'local_orig', 'local_resp', 'missed_bytes', 'history', 'orig_pkts',
  'orig_ip_bytes', 'resp_pkts', 'resp_ip_bytes', 'tunnel_parents'] as const;
const ZEEK_TYPES = ['time', 'string', 'addr', 'port', 'addr', 'port', 'enum', 'string', 'interval', 'count', 'count', 'string',
  'bool', 'bool', 'count', 'string', 'count', 'count', 'count', 'count', 'set[string]'];

/** One conn.log record; unset fields are undefined (written '-' in TSV, left out of JSON, as Zeek does). */
export function zeekRecord(c: ConnSummary): Record<(typeof ZEEK_FIELDS)[number], string | number | undefined> {
  const z = c.zeek;
  const orig = z.orig === 'client' ? c.client : c.server;
  const resp = z.orig === 'client' ? c.server : c.client;
  // Zeek logs the duration and the byte counts only for connections that lasted longer than 0 s.
  const lasted = z.duration > 0;
  return {
    ts: z.startTime, uid: `C${c.stream}`, 'id.orig_h': orig.ip, 'id.orig_p': orig.port, 'id.resp_h': resp.ip, 'id.resp_p': resp.port,
    proto: 'tcp', service: undefined, duration: lasted ? z.duration : undefined,
    orig_bytes: lasted ? z.origBytes : undefined, resp_bytes: lasted ? z.respBytes : undefined,
    conn_state: c.conn_state, local_orig: undefined, local_resp: undefined, missed_bytes: z.missedBytes, history: c.history,
    orig_pkts: z.origPkts, orig_ip_bytes: z.origIpBytes, resp_pkts: z.respPkts, resp_ip_bytes: z.respIpBytes, tunnel_parents: undefined,
  };
}

function zeekDate(epoch: number): string {
  const d = new Date(Math.floor(epoch) * 1000);
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${d.getUTCFullYear()}-${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate())}-${p(d.getUTCHours())}-${p(d.getUTCMinutes())}-${p(d.getUTCSeconds())}`;
}

/** Zeek's TSV conn.log: header lines, one row per connection, #close. */
export function zeekTsv(conns: ConnSummary[]): string {
  const first = conns.length ? Math.min(...conns.map((c) => c.zeek.startTime)) : 0;
  const last = conns.length ? Math.max(...conns.map((c) => c.zeek.startTime + c.zeek.duration)) : 0;
  const lines = ['#separator \\x09', '#set_separator\t,', '#empty_field\t(empty)', '#unset_field\t-', '#path\tconn',
    `#open\t${zeekDate(first)}`, `#fields\t${ZEEK_FIELDS.join('\t')}`, `#types\t${ZEEK_TYPES.join('\t')}`];
  for (const c of [...conns].sort((a, b) => a.zeek.startTime - b.zeek.startTime || a.stream - b.stream)) {
    const r = zeekRecord(c);
    lines.push(ZEEK_FIELDS.map((f) => {
      const v = r[f];
      if (v === undefined) return '-';
      if (f === 'ts' || f === 'duration') return (v as number).toFixed(6);
      return String(v);
    }).join('\t'));
  }
  lines.push(`#close\t${zeekDate(last)}`);
  return lines.join('\n');
}

/** Zeek's JSON conn.log: one object per line, unset fields left out. */
export function zeekJsonLines(conns: ConnSummary[]): string {
  return [...conns].sort((a, b) => a.zeek.startTime - b.zeek.startTime || a.stream - b.stream).map((c) => {
    const r = zeekRecord(c);
    const o: Record<string, string | number> = {};
    for (const f of ZEEK_FIELDS) {
      const v = r[f];
      if (v === undefined) continue;
      o[f] = f === 'ts' || f === 'duration' ? Number((v as number).toFixed(6)) : v;
    }
    return JSON.stringify(o);
  }).join('\n');
}
