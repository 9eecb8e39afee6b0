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
import { ReuseTracker } from './facts.js';

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

/** The cells of one row of the table (the columns of its header). */
export function connCells(c: ConnSummary, lang: Lang): string[] {
  return [
    String(c.stream), ep(c.client), ep(c.server),
    msg(lang, HANDSHAKE_SHORT_KEY[c.handshake.kind]), teardownShort(c, lang),
    c.teardown.active_closer ? msg(lang, SIDE_KEY[c.teardown.active_closer]) : '-',
    s6(c.duration),
    `${c.packets.client}/${c.packets.server}`, `${c.bytes.client}/${c.bytes.server}`,
    `${c.states.client}/${c.states.server}`, c.conn_state, c.history, `${c.completeness} ${c.completeness_str}`,
  ];
}

/** Separates a row's cells in the one string a row is kept as (no cell holds it). */
const CELL_SEP = '\u0000';

/**
 * The table built one row at a time: the column widths need every row, so each row is kept
 * only as its cells in one string (a few hundred bytes) with the widths updated as rows come.
 */
export class ConnsTableBuilder {
  private readonly head: string[];
  private readonly widths: number[];
  private readonly rows: string[] = [];

  constructor(private readonly lang: Lang) {
    this.head = ['col.stream', 'col.client', 'col.server', 'col.handshake', 'col.teardown', 'col.closer', 'col.duration',
      'col.pkts', 'col.bytes', 'col.states', 'col.conn_state', 'col.history', 'col.completeness'].map((k) => msg(lang, k as MessageKey));
    this.widths = this.head.map((h) => displayWidth(h));
  }

  get size(): number { return this.rows.length; }

  add(c: ConnSummary): void { this.addCells(connCells(c, this.lang)); }

  /** A row's cells (connCells), in the order the rows are shown. */
  addCells(cells: string[]): void {
    const w = this.widths;
    for (let i = 0; i < cells.length; i++) { const n = displayWidth(cells[i]!); if (n > w[i]!) w[i] = n; }
    this.rows.push(cells.join(CELL_SEP));
  }

  /** The table's lines (call once, with at least one row). */
  render(write: (line: string) => void, paint: Paint = plainPaint, o: ConnsTableOptions = {}): void {
    const { head, widths, lang } = this;
    const right = new Set([0, 6, 7, 8]);
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
    write(paint.bold(fmt(head)));
    write(paint.dim(widths.filter((_, i) => shown.has(i)).map((w) => '─'.repeat(w)).join('  ')));
    const rows = this.rows;
    for (let k = 0; k < rows.length; k++) {
      write(fmt(rows[k]!.split(CELL_SEP), (i, s) => (i === 1 ? paint.client(s) : i === 2 ? paint.server(s) : i === 9 ? paint.state(s) : s)));
      rows[k] = '';
    }
    write(paint.dim(msg(lang, 'conns.total', { n: rows.length })));
    if (dropped.length) for (const l of wrapLine(msg(lang, 'conns.dropped', { cols: dropped.join(lang === 'zh-CN' ? '，' : ', ') }), o.width ?? 0)) write(paint.dim(l));
  }
}

export function connsTable(conns: ConnSummary[], lang: Lang, paint: Paint = plainPaint, o: ConnsTableOptions = {}): string {
  if (!conns.length) return msg(lang, 'conns.none');
  const b = new ConnsTableBuilder(lang);
  for (const c of conns) b.add(c);
  const lines: string[] = [];
  b.render((l) => lines.push(l), paint, o);
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

/** One TSV conn.log row. */
export function zeekTsvLine(c: ConnSummary): string {
  const r = zeekRecord(c);
  return ZEEK_FIELDS.map((f) => {
    const v = r[f];
    if (v === undefined) return '-';
    if (f === 'ts' || f === 'duration') return (v as number).toFixed(6);
    return String(v);
  }).join('\t');
}

/** One JSON conn.log line (unset fields left out). */
export function zeekJsonLine(c: ConnSummary): string {
  const r = zeekRecord(c);
  const o: Record<string, string | number> = {};
  for (const f of ZEEK_FIELDS) {
    const v = r[f];
    if (v === undefined) continue;
    o[f] = f === 'ts' || f === 'duration' ? Number((v as number).toFixed(6)) : v;
  }
  return JSON.stringify(o);
}

/**
 * Zeek's conn.log built one connection at a time: Zeek orders it by start time and its header
 * names the first start, so every row is kept (as its one line of text) until the end.
 */
export class ZeekLogBuilder {
  private readonly rows: Array<{ t: number; stream: number; line: string }> = [];
  private first = Infinity;
  private last = -Infinity;

  constructor(private readonly json: boolean) {}

  get size(): number { return this.rows.length; }

  add(c: ConnSummary): void {
    const z = c.zeek;
    if (z.startTime < this.first) this.first = z.startTime;
    if (z.startTime + z.duration > this.last) this.last = z.startTime + z.duration;
    this.rows.push({ t: z.startTime, stream: c.stream, line: this.json ? zeekJsonLine(c) : zeekTsvLine(c) });
  }

  /** The log's lines: TSV with its header and #close; JSON lines (none when there is no row). */
  render(write: (line: string) => void): void {
    const rows = this.rows.sort((a, b) => a.t - b.t || a.stream - b.stream);
    if (!this.json) {
      const n = rows.length;
      for (const l of ['#separator \\x09', '#set_separator\t,', '#empty_field\t(empty)', '#unset_field\t-', '#path\tconn',
        `#open\t${zeekDate(n ? this.first : 0)}`, `#fields\t${ZEEK_FIELDS.join('\t')}`, `#types\t${ZEEK_TYPES.join('\t')}`]) write(l);
      for (const r of rows) write(r.line);
      write(`#close\t${zeekDate(n ? this.last : 0)}`);
    } else for (const r of rows) write(r.line);
  }
}

const collect = (f: (write: (line: string) => void) => void): string => { const l: string[] = []; f((x) => l.push(x)); return l.join('\n'); };

/** Zeek's TSV conn.log: header lines, one row per connection, #close. */
export function zeekTsv(conns: ConnSummary[]): string {
  const b = new ZeekLogBuilder(false);
  for (const c of conns) b.add(c);
  return collect((w) => b.render(w));
}

/** Zeek's JSON conn.log: one object per line, unset fields left out. */
export function zeekJsonLines(conns: ConnSummary[]): string {
  const b = new ZeekLogBuilder(true);
  for (const c of conns) b.add(c);
  return collect((w) => b.render(w));
}

/** The formats ConnEmitter writes. */
export type ConnsFormat = 'table' | 'json' | 'zeek' | 'zeek-json';

export interface ConnEmitterOptions {
  format: ConnsFormat;
  lang: Lang;
  /** the table's colours and width */
  paint?: Paint;
  table?: ConnsTableOptions;
}

/**
 * `conns`' output, fed one connection at a time: the one way rows reach stdout.
 *  - add(summary, rank, files): a connection whose summary is final. `rank` is its place in the
 *    output (0, 1, 2…: the order the lifecycle created the connections, which is tcp.stream order
 *    except for a stream an ICMP error named before its first segment); it defaults to the
 *    stream number. Connections of one 4-tuple must be added in stream order (reuses_stream).
 *    `files`: the capture set's first and last file of the connection. Added in rank order
 *    without gaps, each row goes out at once; otherwise settle() tells when a gap is closed.
 *  - settle(below): every rank below `below` has been added or never will be (filtered out):
 *    JSON rows up to there are written now; the table and Zeek's log wait for end().
 *  - end(): writes what is left; returns the number of rows (the caller words an empty table).
 * Rows that cannot be written yet are kept as text: the JSON object, the Zeek line, the
 * table's cells.
 */
export class ConnEmitter {
  private readonly pending = new Map<number, string>();
  private readonly reuse = new ReuseTracker();
  private readonly table: ConnsTableBuilder | undefined;
  private readonly zeek: ZeekLogBuilder | undefined;
  private settled = 0;
  private rows = 0;
  private opened = false;
  /** the last JSON object written out: its comma depends on whether another follows */
  private held: string | undefined;

  constructor(private readonly o: ConnEmitterOptions, private readonly write: (line: string) => void) {
    if (o.format === 'table') this.table = new ConnsTableBuilder(o.lang);
    else if (o.format !== 'json') this.zeek = new ZeekLogBuilder(o.format === 'zeek-json');
  }

  add(c: ConnSummary, rank = c.stream, files?: readonly [string, string]): void {
    this.rows++;
    if (this.zeek) { this.zeek.add(c); return; }
    let text: string;
    if (this.table) text = connCells(c, this.o.lang).join(CELL_SEP);
    else {
      const j = connJson(c, this.reuse.next(c));
      text = JSON.stringify(files ? { ...j, first_file: files[0], last_file: files[1] } : j, null, 2).replace(/^/gm, '  ');
    }
    if (rank === this.settled) {
      // The next row: out now, with any that were waiting for it.
      this.emit(text);
      this.settled++;
      for (let t = this.pending.get(this.settled); t !== undefined; t = this.pending.get(this.settled)) { this.pending.delete(this.settled++); this.emit(t); }
    } else this.pending.set(rank, text);
  }

  settle(below: number): void {
    if (below <= this.settled || this.zeek) return;
    if (this.pending.size) {
      for (let r = this.settled; r < below; r++) {
        const t = this.pending.get(r);
        if (t !== undefined) { this.pending.delete(r); this.emit(t); }
      }
    }
    this.settled = below;
  }

  end(): number {
    for (const r of [...this.pending.keys()].sort((a, b) => a - b)) this.emit(this.pending.get(r)!);
    this.pending.clear();
    this.settled = Infinity;
    if (this.zeek) this.zeek.render(this.write);
    else if (this.table) { if (this.table.size) this.table.render(this.write, this.o.paint, this.o.table); }
    else {
      if (!this.opened) this.write('[');
      if (this.held !== undefined) this.write(this.held);
      this.write(']');
    }
    return this.rows;
  }

  private emit(text: string): void {
    if (this.table) { this.table.addCells(text.split(CELL_SEP)); return; }
    if (!this.opened) { this.write('['); this.opened = true; }
    if (this.held !== undefined) this.write(this.held + ',');
    this.held = text;
  }
}
