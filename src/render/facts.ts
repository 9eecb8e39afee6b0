/**
 * Facts `explain` and `conns` need beyond the lifecycle summaries, computed from what the
 * records and the summaries already hold (nothing here changes the TCP analysis):
 *  - the HTTP messages of each stream with the frame of their first segment and the frame that
 *    completed them (so a response is told on the segment that carries it, not on the FIN that
 *    ends it), collected by an observer registered after the application stage;
 *  - port reuse: the earlier stream with the same 4-tuple (`reuses_stream`) and the later one;
 *  - the socket call behind each FIN (close() or shutdown(SHUT_WR)) as far as the packets tell.
 * Pure: no Node imports.
 */
import { TcpFlag } from '../decode/types.js';
import type { PacketRecord } from '../record.js';
import type { ConnSummary, ConnTimeline, Side } from '../tcp/lifecycle.js';
import { seqAdd, seqGt } from '../core/seq.js';

export interface HttpFact {
  kind: 'request' | 'response';
  /** `GET /index.txt HTTP/1.0`, `HTTP/1.0 200 OK` */
  firstLine: string;
  /** frame of the message's first segment, and of the segment that completed it */
  firstFrame: number;
  frame: number;
  /** the Host header (requests) */
  host?: string;
  contentLength?: number;
  chunked: boolean;
  /** the message was completed by a FIN: a body without Content-Length (or chunking) ends where the sender closes */
  endsAtFin: boolean;
  /** the message's bytes as on the wire (cut at 64 KiB), for `http contains` */
  bytes: Uint8Array;
}

const MAX_PER_STREAM = 256;
const MAX_BYTES = 65536;

/** Collects the HTTP messages of every stream (register with Dissector.addObserver after construction). */
export class FactsCollector {
  readonly http = new Map<number, HttpFact[]>();

  observe(rec: PacketRecord): void {
    const msgs = rec.app?.http?.messages;
    if (!msgs?.length || !rec.tcp || !rec.packet.tcp) return;
    const fin = (rec.packet.tcp.flags & TcpFlag.FIN) !== 0;
    let list = this.http.get(rec.tcp.stream);
    if (!list) { list = []; this.http.set(rec.tcp.stream, list); }
    for (const m of msgs) {
      if (list.length >= MAX_PER_STREAM) return;
      const te = m.headers.get('transfer-encoding');
      const chunked = Boolean(te && /chunked/i.test(te));
      list.push({
        kind: m.kind, firstLine: m.firstLine, firstFrame: m.firstFrame, frame: m.frame,
        host: m.headers.get('host'), contentLength: m.contentLength, chunked,
        endsAtFin: fin && m.kind === 'response' && m.contentLength === undefined && !chunked,
        bytes: m.bytes.length > MAX_BYTES ? m.bytes.slice(0, MAX_BYTES) : m.bytes,
      });
    }
  }
}

/** What `explain` shows on one packet for the application layer. */
export interface AppMark { line: string; role: 'first' | 'continues' | 'completes' }

/**
 * Per frame: the request/status line on the first segment that carries its bytes, "continues"
 * on the later segments of the same message, "completes" on the segment (e.g. a FIN) that
 * ended it when that one carries no bytes of it.
 */
export function appMarks(tl: ConnTimeline, http: readonly HttpFact[]): Map<number, AppMark[]> {
  const out = new Map<number, AppMark[]>();
  const add = (f: number, m: AppMark): void => { const l = out.get(f); if (l) l.push(m); else out.set(f, [m]); };
  for (const h of http) {
    const from: Side = h.kind === 'request' ? 'client' : 'server';
    add(h.firstFrame, { line: h.firstLine, role: 'first' });
    for (const e of tl.entries) {
      if (e.frame <= h.firstFrame || e.frame > h.frame || e.from !== from) continue;
      if (e.len > 0) add(e.frame, { line: h.firstLine, role: 'continues' });
      else if (e.frame === h.frame) add(e.frame, { line: h.firstLine, role: 'completes' });
    }
  }
  return out;
}

export interface ReuseFact {
  /** the other stream with the same 4-tuple (earlier for `reuses`, later for `reused_by`) */
  stream: number;
  /** seconds between the end of the earlier stream and the first packet of the later one */
  gap: number;
  /** who held the earlier connection in TIME_WAIT at its end (per the capture) */
  time_wait: Side | 'both' | null;
  /** the new SYN's ISN lies above every sequence number the client used in the earlier connection */
  higher_isn: boolean | null;
}

const tuple = (c: ConnSummary): string => [`${c.client.ip}|${c.client.port}`, `${c.server.ip}|${c.server.port}`].sort().join('~');

/** For each stream, the earlier stream with the same 4-tuple (the one it reuses) and the later one that reuses it. */
export function reuseLinks(conns: readonly ConnSummary[]): { reuses: Map<number, ReuseFact>; reusedBy: Map<number, ReuseFact> } {
  const last = new Map<string, ConnSummary>();
  const reuses = new Map<number, ReuseFact>(), reusedBy = new Map<number, ReuseFact>();
  const sorted = [...conns].sort((a, b) => a.start - b.start || a.stream - b.stream);
  for (const c of sorted) {
    const k = tuple(c);
    const prev = last.get(k);
    if (prev) {
      const gap = Math.round((c.start - (prev.start + prev.duration)) * 1e6) / 1e6;
      let higher: boolean | null = null;
      const oldIsn = prev.handshake.isn.client, newIsn = c.handshake.isn.client;
      if (oldIsn !== null && newIsn !== null && prev.client.ip === c.client.ip && prev.client.port === c.client.port) {
        // The highest sequence number the client can have used: ISN + SYN + every payload byte it sent + FIN.
        higher = seqGt(newIsn, seqAdd(oldIsn, 2 + prev.bytes.client));
      }
      const fact = { gap, time_wait: prev.teardown.time_wait, higher_isn: higher };
      reuses.set(c.stream, { stream: prev.stream, ...fact });
      reusedBy.set(prev.stream, { stream: c.stream, ...fact });
    }
    last.set(k, c);
  }
  return { reuses, reusedBy };
}

/**
 * reuses_stream one connection at a time, for connections that arrive in stream order per 4-tuple
 * (the order `conns` folds them in: a stream folds before the one that reuses its 4-tuple):
 * the same earlier stream as reuseLinks gives as long as the streams of one 4-tuple start in
 * stream order (time does not step backwards between them). One entry per 4-tuple seen.
 */
export class ReuseTracker {
  private readonly last = new Map<string, { start: number; stream: number }>();

  /** The earlier stream with the same 4-tuple (null when none), then remember this one. */
  next(c: ConnSummary): number | null {
    const k = tuple(c);
    const prev = this.last.get(k);
    const before = prev !== undefined && (prev.start < c.start || (prev.start === c.start && prev.stream < c.stream));
    if (!prev) { this.last.set(k, { start: c.start, stream: c.stream }); return null; }
    if (!before) return null;
    const earlier = prev.stream;
    prev.start = c.start; prev.stream = c.stream;
    return earlier;
  }
}

/** How a side's FIN came about, as far as the packets tell. */
export type CloseCall = 'shutdown' | 'close' | 'unknown';

/**
 * A side that still receives data (and ACKs it) after its own FIN used shutdown(SHUT_WR): after
 * close() Linux answers new data with a RST. A RST right after such data means close().
 */
export function closeCalls(tl: ConnTimeline): Record<Side, CloseCall> {
  const out: Record<Side, CloseCall> = { client: 'unknown', server: 'unknown' };
  for (const side of ['client', 'server'] as const) {
    const es = tl.entries;
    const fi = es.findIndex((e) => e.from === side && (e.flags & TcpFlag.FIN) !== 0 && !(e.flags & TcpFlag.RST));
    if (fi < 0) continue;
    let sawData = false;
    for (let i = fi + 1; i < es.length; i++) {
      const e = es[i]!;
      if (e.from !== side && e.len > 0) sawData = true;
      else if (e.from === side && sawData) { out[side] = (e.flags & TcpFlag.RST) ? 'close' : 'shutdown'; break; }
    }
  }
  return out;
}

/** Seconds between two frames of a timeline (null when one is missing). */
export function between(tl: ConnTimeline, a: number | undefined, b: number | undefined): number | null {
  if (a === undefined || b === undefined) return null;
  const ea = tl.entries.find((e) => e.frame === a), eb = tl.entries.find((e) => e.frame === b);
  return ea && eb ? eb.t - ea.t : null;
}

/** What explain knows beyond the summary and timeline (src/render/facts.ts; all optional). */
export interface ExplainFacts {
  /** this stream's HTTP messages */
  http?: readonly HttpFact[];
  /** the earlier stream with the same 4-tuple, and the later one */
  reuses?: ReuseFact;
  reusedBy?: ReuseFact;
  /** every stream to the same server address and port, and their packets */
  site?: { streams: number[]; packets: number };
  /** frames `http contains "HOST"` selects in the whole capture */
  host?: { host: string; frames: number[] };
  /** the capture's file name, for the follow command */
  file?: string;
}
