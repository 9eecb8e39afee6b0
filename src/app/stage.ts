/**
 * The application-layer stage of the in-order pass: finds HTTP/1.x and TLS in each TCP
 * connection and frames their messages the way tshark 4.0 does with its default preferences
 * (one pass, `tcp.desegment_tcp_streams: TRUE`, `tcp.reassemble_out_of_order: FALSE`,
 * `tcp.no_subdissector_on_error: TRUE`), so that `rec.app` says what tshark shows on each
 * frame: the protocol and info columns, the HTTP messages and TLS records completed there,
 * and the segments a reassembled PDU was made of.
 *
 * How tshark frames PDUs (observed with crafted captures, see README):
 * - a segment that does not continue a pending PDU is handed to the protocol at its first
 *   byte (even after a gap);
 * - a PDU that needs more bytes becomes pending: when its length is known (Content-Length,
 *   a TLS record header) exactly that many bytes are collected; when it is not (headers not
 *   complete, chunked body, a TLS header cut short) every next segment is added and the
 *   protocol looks again; a response without a length waits for the FIN;
 * - bytes of a pending PDU are placed by sequence number, the first data seen for an offset
 *   wins, and the PDU completes when no byte is missing — on the frame that filled the last hole;
 * - segments tshark marks as retransmissions are not looked at; a PDU completed by a segment
 *   marked out-of-order is not shown;
 * - the first segment of a PDU shows `[TCP segment of a reassembled PDU]` after whatever the
 *   protocol wrote, middle segments after TCP's own info, and the protocol column says TCP,
 *   unless the frame completed another PDU before.
 * Memory per connection is bounded: a pending PDU keeps at most `maxPduBytes` of its bytes
 * (longer bodies are counted, not kept) and at most `maxHeldBytes` out of order.
 */
import type { TcpConversation } from '../tcp/conversations.js';
import { TcpA } from '../tcp/types.js';
import { TcpFlag } from '../decode/types.js';
import { StreamReassembler, streamWork } from '../tcp/reassembly.js';
import { SeqUnwrapper } from '../core/seq.js';
import type { AppInfo, AppLimit, AppRecord, ColumnOp, HttpMessage, ReassembledPdu, TlsRecord } from './types.js';
import { ChunkScanner, fullUri, HeadScan, looksLikeHttp, makeMessage, mediaColumns, parseHead, type HttpHead } from './http.js';
import { couldStartRecord, isRecordHeader, newTlsSession, parseRecord, TLS_HEADER, tlsVersionName, type TlsSession } from './tls.js';
import { portClass, type PortClass } from './ports.js';
import { SEGMENT_OF_PDU } from './columns.js';

export interface AppStageOptions {
  /** bytes of one pending PDU kept in memory (default 1 MiB); longer bodies are counted, not kept */
  maxPduBytes?: number;
  /** out-of-order bytes held per pending PDU (default 4 MiB) */
  maxHeldBytes?: number;
  /** out-of-order segments held per pending PDU (default 4096) */
  maxHeldSegments?: number;
  /**
   * bytes of an unfinished head (HTTP headers without their empty line, a TLS record header
   * cut short) collected before tcpscope gives up on it (default: maxPduBytes, at least 64 KiB)
   */
  maxHeadBytes?: number;
  /** requests remembered per connection while waiting for their responses (default 64) */
  maxPendingRequests?: number;
}

type Proto = 'http' | 'tls';

interface Piece { offset: number; length: number; frame: number }

/**
 * Bytes of a PDU from its start, kept up to a limit, in one buffer that doubles when full (each
 * byte is copied once, plus the doublings: linear work however many segments bring the bytes).
 */
class ByteStore {
  private buf = EMPTY;
  /** logical length (all bytes seen contiguously) */
  length = 0;
  /** bytes actually kept */
  kept = 0;
  /** `expect`: the PDU's length when known (allocated at once, not by doublings) */
  constructor(private readonly cap: number, private readonly expect = 0) {}
  append(d: Uint8Array): void {
    const n = Math.min(this.cap - this.kept, d.length);
    if (n > 0) {
      if (this.kept + n > this.buf.length) {
        const grown = new Uint8Array(Math.min(this.cap, Math.max(this.kept + n, 2 * this.buf.length, 256, this.expect)));
        grown.set(this.buf.subarray(0, this.kept));
        streamWork.units += this.kept;
        this.buf = grown;
      }
      this.buf.set(n === d.length ? d : d.subarray(0, n), this.kept);
      streamWork.units += n;
      this.kept += n;
    }
    this.length += d.length;
  }
  /** The kept bytes as one array (a view: bytes appended later do not change it). */
  bytes(): Uint8Array { return this.buf.subarray(0, this.kept); }
  /** Copy of kept bytes [from, to). */
  slice(from: number, to: number): Uint8Array { return this.buf.slice(from, Math.max(from, Math.min(to, this.kept))); }
  /** Call `f` on the kept bytes from `from` on. */
  each(from: number, f: (b: Uint8Array) => void): void {
    if (from < this.kept) f(this.buf.subarray(from, this.kept));
  }
  get complete(): boolean { return this.kept === this.length; }
}

interface Msp {
  proto: Proto;
  /** absolute (unwrapped) offset of the first byte */
  start: number;
  /** exclusive end when known ('length'), else Infinity */
  end: number;
  mode: 'segment' | 'length' | 'chunked' | 'fin';
  reasm: StreamReassembler;
  store: ByteStore;
  pieces: Piece[];
  /** shown on the frames that extend a PDU whose protocol looks again ('chunked') */
  repeatOps: ColumnOp[];
  /** frames whose bytes disagreed with bytes already placed (tshark: "[Illegal Segments]") */
  badFrames?: Set<number>;
  /**
   * every segment placed in it, duplicates too, in arrival order (tcp.segment); at most MAX_FRAGS
   * in all: the first `fragsFromPieces` of `pieces` (an unfinished head looked at again restarts
   * its list from the bytes it holds, as a new pending PDU would), then `frags`
   */
  frags: Piece[];
  fragsFromPieces: number;
  /** where the HTTP head parse stopped ('segment' mode): the next look resumes there */
  headScan?: HeadScan;
  head?: HttpHead;
  scanner?: ChunkScanner;
  /** absolute offset of the first body byte ('chunked'), and how far the scanner has read */
  bodyStart: number;
  scanned: number;
}

interface AppFlow {
  unwrap: SeqUnwrapper;
  msp?: Msp;
  /** the highest end of data handed to a protocol: a segment starting below it is not handed over again */
  maxEnd: number;
  /** range of the last PDU reassembled from several segments (a segment inside it is a reassembly error) */
  lastStart: number;
  lastEnd: number;
}

interface PendingRequest { method: string; uri?: string; fullUri?: string; frame: number; sec: number; nsec: number }

interface AppConv {
  proto: Proto | undefined;
  /** what tshark's port tables say about the connection's ports */
  pc: PortClass;
  seenHttp: boolean;
  flows: [AppFlow, AppFlow];
  pending: PendingRequest[];
  lastUri?: string;
  tls: TlsSession;
}

/** A view of bytes with their absolute offset and the frames they came from. */
interface Source {
  bytes: Uint8Array;
  base: number;
  pieces: Piece[];
  /** the stream ends after these bytes (FIN) */
  fin: boolean;
  /** frames left out of segment lists (their bytes disagreed with earlier ones) */
  bad?: Set<number>;
  /** the pending PDU (an unfinished HTTP head) these bytes are looked at again for, with where its parse stopped */
  again?: Msp;
}

const newFlow = (): AppFlow => ({ unwrap: new SeqUnwrapper(), maxEnd: -Infinity, lastStart: 0, lastEnd: 0 });

/** Most segments remembered per pending PDU for tcp.segment (memory bound; a longer list is cut). */
const MAX_FRAGS = 65536;

const FENCE: ColumnOp = { op: 'fence' };
const EMPTY = new Uint8Array(0);
const REASSEMBLY_ERROR: ColumnOp = { op: 'append', text: '[Reassembly error, protocol TCP: New fragment overlaps old data (retransmission?)]' };
const ILLEGAL_SEGMENTS: ColumnOp = { op: 'append', text: '[Illegal Segments]' };
const SUFFIX: ColumnOp = { op: 'appendSep', sep: ' ', text: SEGMENT_OF_PDU };
/** rec.app of a segment in the middle of a pending PDU (shared: treat as read-only) */
const MIDDLE: AppInfo = Object.freeze({ ops: Object.freeze([SUFFIX]) as ColumnOp[] }) as AppInfo;

/** What one frame collects while its segment is processed. */
class FrameCtx {
  // Allocated on first use: most frames carry nothing for the application layer, or one edit.
  ops: ColumnOp[] | undefined;
  calls = 0;
  shown = false;
  /** PDUs shown so far on this frame */
  shownCount = 0;
  protocol: string | undefined;
  http: HttpMessage[] | undefined;
  continuation: Uint8Array[] | undefined;
  tls: TlsRecord[] | undefined;
  tlsCalls: Uint8Array[] | undefined;
  pdus: ReassembledPdu[] | undefined;
  limits: AppLimit[] | undefined;
  tlsVersion = '';

  constructor(readonly rec: AppRecord) {}

  op(o: ColumnOp): void { (this.ops ??= []).push(o); }

  /** A dissector call: a fence after earlier calls, then its edits. */
  call(ops: ColumnOp[], protocol?: string): void {
    if (this.calls++) this.op(FENCE);
    for (const o of ops) this.op(o);
    if (protocol) this.protocol = protocol;
  }

  /** The call just made needs more data: TCP's note, unless this frame already showed a PDU. */
  partial(): void {
    if (this.shown) return;
    this.op(SUFFIX);
    this.protocol = undefined;
  }

  /** A segment in the middle of a pending PDU (the protocol is not called). */
  middle(): void {
    if (this.calls++) this.op(FENCE);
    this.partial();
  }

  result(): AppInfo | undefined {
    const ops = this.ops;
    if (!ops && !this.http && !this.continuation && !this.tlsCalls && !this.pdus && !this.limits) return undefined;
    // The commonest case, a middle segment: one shared, never-changed record.
    if (ops && ops.length === 1 && ops[0] === SUFFIX && !this.http && !this.continuation && !this.tlsCalls && !this.pdus && !this.limits) return MIDDLE;
    const app: AppInfo = { ops: ops ?? [] };
    if (this.shown && this.protocol) app.protocol = this.protocol;
    if (this.http || this.continuation) {
      const msgs = this.http ?? [];
      const req = msgs.find((m) => m.kind === 'request');
      const resp = msgs.find((m) => m.kind === 'response');
      app.http = { messages: msgs, requestLine: req?.firstLine, responseLine: resp?.firstLine };
      if (this.continuation) app.http.continuation = this.continuation;
    }
    if (this.tlsCalls) {
      let serverName: string | undefined, alpn: string[] | undefined;
      const recs = this.tls ?? [];
      for (const r of recs) for (const h of r.handshakes) {
        if (h.serverName !== undefined && serverName === undefined) serverName = h.serverName;
        if (h.alpn && !alpn) alpn = h.alpn;
      }
      app.tls = { records: recs, calls: this.tlsCalls, serverName, alpn, versionName: this.tlsVersion };
    }
    if (this.pdus) app.reassembled = this.pdus;
    if (this.limits) app.limits = this.limits;
    return app;
  }
}

/** How often the application stage hit one of its memory limits (each hit is also a `limits` entry on the frame's rec.app). */
export interface AppLimitStats {
  /** unfinished heads given up because they outgrew maxHeadBytes */
  heads: number;
  /** segments of pending PDUs whose out-of-order bytes were dropped (maxHeldBytes, maxHeldSegments) */
  held: number;
  /** the out-of-order bytes so dropped */
  heldBytes: number;
}

export class AppStage {
  private readonly convs = new WeakMap<TcpConversation, AppConv>();
  private readonly maxPduBytes: number;
  private readonly maxHeldBytes: number;
  private readonly maxHeldSegments: number;
  private readonly maxHeadBytes: number;
  private readonly maxPending: number;
  /** the limits hit so far */
  readonly limitStats: AppLimitStats = { heads: 0, held: 0, heldBytes: 0 };

  constructor(options: AppStageOptions = {}) {
    this.maxPduBytes = options.maxPduBytes ?? 1 << 20;
    this.maxHeldBytes = options.maxHeldBytes ?? 4 << 20;
    this.maxHeldSegments = options.maxHeldSegments ?? 4096;
    this.maxHeadBytes = options.maxHeadBytes ?? Math.max(this.maxPduBytes, 1 << 16);
    this.maxPending = options.maxPendingRequests ?? 64;
  }

  /** Look at one record (after the TCP stage) and set `rec.app` when the application layer has something to say. */
  observe(rec: AppRecord): void {
    const t = rec.tcp, l = rec.packet.tcp;
    if (!t || !l) return;
    const fin = (l.flags & TcpFlag.FIN) !== 0;
    if (l.len === 0 && !fin) return;
    if (l.flags & (TcpFlag.SYN | TcpFlag.RST)) return;
    let conv = this.convs.get(t.conv);
    if (!conv) {
      const pc = portClass(l.srcPort, l.dstPort);
      conv = {
        proto: pc === 'http' ? 'http' : pc === 'tls' ? 'tls' : undefined, pc, seenHttp: false,
        flows: [newFlow(), newFlow()],
        pending: [], tls: newTlsSession(),
      };
      this.convs.set(t.conv, conv);
    }
    if (conv.pc === 'other') return;
    const flow = conv.flows[t.flow];
    const off = flow.unwrap.offset(t.seq);
    const a = t.analysis;
    // tshark does not hand retransmitted segments to the protocols (tcp.no_subdissector_on_error).
    // (Fast retransmissions are; spurious ones are not, as observed.)
    if (a & (TcpA.RETRANSMISSION | TcpA.SPURIOUS_RETRANSMISSION)) return;
    // A payload cut by the snapshot length is not reassembled.
    if (l.payloadCaptured < l.len) return;
    const data = rec.packet.frame.data.subarray(l.payloadOffset, l.payloadOffset + l.len);
    const fc = new FrameCtx(rec);
    this.segment(fc, conv, t.flow, off, data, fin, (a & TcpA.OUT_OF_ORDER) !== 0);
    // After the FIN nothing more comes in this direction: a PDU still waiting for bytes is dropped (memory).
    if (fin && flow.msp && flow.msp.mode !== 'fin') flow.msp = undefined;
    const app = fc.result();
    if (app) rec.app = app;
  }

  private segment(fc: FrameCtx, conv: AppConv, dir: 0 | 1, off: number, data: Uint8Array, fin: boolean, ooo: boolean): void {
    const flow = conv.flows[dir];
    const frame = fc.rec.packet.frame.number;
    const end = off + data.length;
    let msp = flow.msp;
    if (msp && (off < msp.start || off >= msp.end)) {
      // Not part of the pending PDU: a 'length' PDU whose end has passed is abandoned (tshark keeps it, but
      // nothing can complete it in one pass any more); data before it is handed over on its own.
      if (off >= msp.end) flow.msp = undefined;
      msp = undefined;
    }
    if (!msp) {
      // A segment tshark calls out-of-order is not handed to the protocols unless it continues a pending PDU.
      if (!data.length || ooo) return;
      if (off < flow.maxEnd) {
        // Old data (a keep-alive byte, say) is not handed over again; inside a reassembled PDU it is an error.
        if (off >= flow.lastStart && off < flow.lastEnd) fc.call([REASSEMBLY_ERROR]);
        return;
      }
      flow.maxEnd = end;
      this.dissect(fc, conv, dir, { bytes: data, base: off, pieces: [{ offset: off, length: data.length, frame }], fin }, 0);
      return;
    }
    if (end > flow.maxEnd) flow.maxEnd = end;
    const cut = msp.mode === 'length' ? Math.min(end, msp.end) : end;
    const dropped = msp.reasm.stats.droppedBytes;
    const fresh = this.addToMsp(msp, off, data.subarray(0, cut - off), frame);
    if (msp.reasm.stats.droppedBytes > dropped) {
      // Out-of-order bytes beyond the hold limits: this PDU may now differ from tshark's.
      this.limitStats.held++;
      this.limitStats.heldBytes += msp.reasm.stats.droppedBytes - dropped;
      (fc.limits ??= []).push({ kind: 'held', limit: this.maxHeldBytes, bytes: msp.reasm.stats.droppedBytes - dropped });
    }
    if (!data.length && msp.mode !== 'fin') return; // a bare FIN does not complete a PDU that waits for bytes
    if (this.advance(fc, conv, dir, msp, fresh, fin, ooo, frame, end)) return;
    if (msp.mode === 'length' && end > msp.end) {
      // Bytes after the pending PDU's end start the next PDU, whether or not the pending one completed.
      const at = msp.end - off;
      if (flow.msp === msp) flow.msp = undefined;
      this.dissect(fc, conv, dir, { bytes: data.subarray(at), base: msp.end, pieces: [{ offset: msp.end, length: end - msp.end, frame }], fin }, 0);
    }
  }

  /** Place a segment's bytes in a pending PDU; returns how many new in-order bytes arrived. */
  private addToMsp(msp: Msp, off: number, data: Uint8Array, frame: number): number {
    const before = msp.store.length;
    // Bytes that overlap bytes already placed must agree with them (the first ones stay).
    const have = msp.start + msp.store.kept;
    if (off < have && data.length) {
      const from = Math.max(off, msp.start);
      const n = Math.min(off + data.length, have) - from;
      const kept = msp.store.slice(from - msp.start, from - msp.start + n);
      for (let k = 0; k < n; k++) {
        if (kept[k] !== data[from - off + k]) { (msp.badFrames ??= new Set()).add(frame); break; }
      }
    }
    const conflicts = msp.reasm.stats.conflictBytes;
    if (data.length && msp.fragsFromPieces + msp.frags.length < MAX_FRAGS) msp.frags.push({ offset: off, length: data.length, frame });
    for (const c of msp.reasm.push(off, data, frame)) {
      msp.store.append(c.data);
      const last = msp.pieces[msp.pieces.length - 1];
      if (last && last.frame === c.tag && last.offset + last.length === c.offset) last.length += c.data.length;
      else if (msp.pieces.length < MAX_FRAGS) msp.pieces.push({ offset: c.offset, length: c.data.length, frame: c.tag });
    }
    if (msp.reasm.stats.conflictBytes > conflicts) (msp.badFrames ??= new Set()).add(frame);
    return msp.store.length - before;
  }

  /**
   * A pending PDU got bytes (or a FIN): complete it, look again, or mark the frame as a middle
   * segment. Returns true when nothing more of this segment is to be looked at.
   */
  private advance(fc: FrameCtx, conv: AppConv, dir: 0 | 1, msp: Msp, fresh: number, fin: boolean, ooo: boolean, frame: number, segEnd: number): boolean {
    const flow = conv.flows[dir];
    const have = msp.start + msp.store.length; // contiguous end
    const holes = msp.reasm.heldByteCount > 0;
    switch (msp.mode) {
      case 'length': {
        if (have < msp.end) { fc.middle(); return false; }
        flow.msp = undefined;
        this.reassembled(fc, flow, msp, msp.end);
        if (ooo) return true; // tshark completes the PDU but does not hand it (or what follows) to the protocol
        this.finish(fc, conv, dir, msp, msp.end - msp.start);
        return false;
      }
      case 'fin': {
        if (!fin || holes || have < segEnd) { if (fresh || !fin) fc.middle(); return true; }
        flow.msp = undefined;
        this.reassembled(fc, flow, msp, have, frame);
        if (ooo) return true;
        this.finish(fc, conv, dir, msp, have - msp.start);
        return true;
      }
      case 'chunked': {
        if (!fresh) { fc.middle(); return true; }
        if (ooo) { flow.msp = undefined; return true; }
        if (!msp.store.complete) {
          // The body outgrew what is kept: stop following the chunks, wait for the connection to end.
          msp.mode = 'fin';
          fc.call(msp.repeatOps);
          fc.partial();
          return true;
        }
        const sc = msp.scanner!;
        msp.store.each(msp.scanned - msp.start, (b) => { if (!sc.done) sc.feed(b); });
        msp.scanned = have;
        if (!msp.scanner!.done) { fc.call(msp.repeatOps); fc.partial(); return true; }
        flow.msp = undefined;
        const pduLen = msp.bodyStart - msp.start + msp.scanner!.consumed;
        this.reassembled(fc, flow, msp, have);
        this.finish(fc, conv, dir, msp, pduLen);
        if (pduLen < msp.store.kept) {
          this.dissect(fc, conv, dir, { bytes: msp.store.bytes(), base: msp.start, pieces: msp.pieces, fin, bad: msp.badFrames }, pduLen);
        }
        return true;
      }
      case 'segment': {
        if (!fresh) { fc.middle(); return true; }
        flow.msp = undefined;
        if (ooo) return true; // not shown
        if (!msp.store.complete) {
          // A head longer than maxHeadBytes: give up on it (tshark would go on collecting), and say so.
          this.limitStats.heads++;
          (fc.limits ??= []).push({ kind: 'head', limit: this.maxHeadBytes, bytes: msp.store.length });
          return true;
        }
        // Looked at again from its start; an HTTP head resumes its parse where it stopped.
        this.dissect(fc, conv, dir, { bytes: msp.store.bytes(), base: msp.start, pieces: msp.pieces, fin, bad: msp.badFrames, again: msp }, 0);
        // Reassembled, as far as TCP is concerned, unless the protocol still wants more from the same start.
        if ((flow.msp as Msp | undefined)?.start !== msp.start) this.reassembled(fc, flow, msp, have);
        return true;
      }
    }
  }

  /** Show a completed pending PDU. */
  private finish(fc: FrameCtx, conv: AppConv, dir: 0 | 1, msp: Msp, pduLen: number): void {
    if (msp.proto === 'tls') {
      const bytes = msp.store.bytes();
      this.tlsCall(fc, conv, dir, { bytes: bytes.subarray(0, pduLen), base: msp.start, pieces: msp.pieces, fin: false, bad: msp.badFrames }, 0);
      if (msp.badFrames) fc.op(ILLEGAL_SEGMENTS);
      return;
    }
    const head = msp.head!;
    const store = msp.store;
    const bodyWire = pduLen - head.headLength;
    const entityLen = msp.scanner ? msp.scanner.entityLength : bodyWire;
    // The message bytes are put together only if someone asks for them (the `http` field).
    this.showMessage(fc, conv, dir, head, () => store.bytes().subarray(0, pduLen), pduLen, bodyWire, entityLen, msp.pieces.length ? msp.pieces[0]!.frame : fc.rec.packet.frame.number,
      store.slice(head.headLength, head.headLength + 16));
    if (msp.badFrames) fc.op(ILLEGAL_SEGMENTS);
  }

  /** Hand bytes at `at` of `src` to the connection's protocol, PDU after PDU. */
  private dissect(fc: FrameCtx, conv: AppConv, dir: 0 | 1, src: Source, at: number): void {
    while (at < src.bytes.length) {
      let proto = conv.proto;
      let oneShotHttp = false;
      if (!proto) {
        // tshark's heuristics, tried on each segment until one claims the connection.
        if (isRecordHeader(src.bytes, at, src.bytes.length)) { proto = conv.proto = 'tls'; }
        else if (conv.pc === 'none') {
          const k = looksLikeHttp(src.bytes, at, src.bytes.length);
          if (k === 'request') proto = conv.proto = 'http';
          else if (k === 'response') { proto = 'http'; oneShotHttp = true; }
        }
        if (!proto) return;
      }
      const next = proto === 'tls' ? this.tlsCall(fc, conv, dir, src, at) : this.httpCall(fc, conv, dir, src, at, oneShotHttp);
      if (next <= at) return;
      at = next;
    }
  }

  /** One HTTP message at `at`; returns where the next one starts (≤ at: stop). */
  private httpCall(fc: FrameCtx, conv: AppConv, dir: 0 | 1, src: Source, at: number, strict: boolean): number {
    const b = src.bytes;
    const pend = conv.pending[0];
    const scan = at === 0 && src.again?.proto === 'http' ? (src.again.headScan ??= new HeadScan()) : undefined;
    const r = parseHead(b, at, b.length, { seenHttp: conv.seenHttp, strict, requestMethod: pend?.method, atEnd: src.fin }, scan);
    switch (r.kind) {
      case 'reject': return at;
      case 'continuation':
        fc.call([{ op: 'set', text: 'Continuation' }], 'HTTP');
        (fc.continuation ??= []).push(b.subarray(at));
        fc.shown = true; fc.shownCount++;
        return b.length;
      case 'incomplete':
        fc.call(r.firstLine !== undefined ? [{ op: 'set', text: r.firstLine + ' ' }] : []);
        if (r.firstLine !== undefined) conv.seenHttp = true;
        this.pend(fc, conv, dir, src, at, 'http', 'segment', Infinity);
        fc.partial();
        return b.length;
    }
    const h = r.head;
    conv.seenHttp = true;
    const bodyAt = at + h.headLength;
    const firstOps: ColumnOp[] = [{ op: 'set', text: h.firstLine + ' ' }];
    let pduEnd: number;
    let entityLen: number;
    switch (h.body.mode) {
      case 'none': pduEnd = bodyAt; entityLen = 0; break;
      case 'length':
        pduEnd = bodyAt + h.body.length; entityLen = h.body.length;
        if (pduEnd > b.length) {
          fc.call(firstOps);
          const m = this.pend(fc, conv, dir, src, at, 'http', 'length', src.base + pduEnd);
          if (m) m.head = h;
          fc.partial();
          return b.length;
        }
        break;
      case 'chunked': {
        const sc = new ChunkScanner();
        sc.feed(b, bodyAt, b.length);
        if (!sc.done) {
          fc.call(firstOps);
          const m = this.pend(fc, conv, dir, src, at, 'http', 'chunked', Infinity);
          if (m) { m.head = h; m.scanner = sc; m.bodyStart = src.base + bodyAt; m.scanned = src.base + b.length; m.repeatOps = firstOps; }
          fc.partial();
          return b.length;
        }
        pduEnd = bodyAt + sc.consumed; entityLen = sc.entityLength;
        break;
      }
      case 'fin':
        if (!src.fin) {
          fc.call(firstOps);
          const m = this.pend(fc, conv, dir, src, at, 'http', 'fin', Infinity);
          if (m) m.head = h;
          fc.partial();
          return b.length;
        }
        pduEnd = b.length; entityLen = pduEnd - bodyAt;
        break;
    }
    const first = frameAt(src.pieces, src.base + at);
    this.showMessage(fc, conv, dir, h, b.subarray(at, pduEnd), pduEnd - at, pduEnd - bodyAt, entityLen, first ?? fc.rec.packet.frame.number);
    return pduEnd;
  }

  /** Columns and fields of a complete HTTP message (`body`: its first bytes, when `bytes` does not hold them). */
  private showMessage(fc: FrameCtx, conv: AppConv, dir: 0 | 1, h: HttpHead, bytes: Uint8Array | (() => Uint8Array), length: number, bodyWire: number, entityLen: number, firstFrame: number, body?: Uint8Array): HttpMessage {
    const f = fc.rec.packet.frame;
    const msg = makeMessage(h, bytes, length, bodyWire, firstFrame, f.number);
    const ops: ColumnOp[] = [{ op: 'set', text: h.firstLine + ' ' }];
    let protocol = 'HTTP';
    if (entityLen > 0 && msg.mediaType) {
      const all = body ? undefined : typeof bytes === 'function' ? bytes() : bytes;
      const mc = mediaColumns(msg.mediaType, body ?? all!.subarray(Math.min(all!.length, h.headLength)));
      protocol = mc.protocol;
      for (const o of mc.ops) ops.push(o);
    }
    if (h.kind === 'request') {
      const host = h.headers.get('host');
      msg.fullUri = host === undefined ? undefined : fullUri(h.uri, host, host);
      // tshark remembers one request per frame for matching responses (http.request_in).
      if (conv.pending[conv.pending.length - 1]?.frame !== f.number) {
        if (conv.pending.length >= this.maxPending) conv.pending.shift();
        conv.pending.push({ method: h.method ?? '', uri: h.uri, fullUri: msg.fullUri, frame: f.number, sec: f.tsSec, nsec: f.tsNsec });
      }
      // http.response_for.uri is the connection's latest full request URI (the URI when there never was one).
      if (msg.fullUri !== undefined) conv.lastUri = msg.fullUri;
      else if (conv.lastUri === undefined) conv.lastUri = h.uri;
    } else {
      if (h.code === undefined || h.code >= 200 || h.code < 100) {
        const q = conv.pending.shift();
        if (q) {
          msg.requestFrame = q.frame;
          msg.requestFullUri = q.fullUri;
          msg.timeSinceRequest = [f.tsSec - q.sec, f.tsNsec - q.nsec];
        }
      }
      msg.requestUri = conv.lastUri;
    }
    fc.call(ops, protocol);
    fc.shown = true; fc.shownCount++;
    (fc.http ??= []).push(msg);
    return msg;
  }

  /** Every complete TLS record from `at`; a record cut short becomes pending. Returns the end of what was consumed. */
  private tlsCall(fc: FrameCtx, conv: AppConv, dir: 0 | 1, src: Source, at: number): number {
    const b = src.bytes;
    let p = at;
    const ops: ColumnOp[] = [{ op: 'clear' }];
    const recs: TlsRecord[] = [];
    let need: 'segment' | number | undefined;
    while (p < b.length) {
      if (b.length - p < TLS_HEADER) { if (couldStartRecord(b, p, b.length)) need = 'segment'; break; }
      if (!isRecordHeader(b, p, b.length)) break;
      const rl = TLS_HEADER + ((b[p + 3]! << 8) | b[p + 4]!);
      if (p + rl > b.length) { need = src.base + p + rl; break; }
      const rec = parseRecord(b, p, conv.tls, dir);
      recs.push(rec);
      ops.push({ op: 'appendSep', sep: ', ', text: rec.description });
      p += rl;
    }
    if (!recs.length && need === undefined) return at; // not TLS: leave it to TCP
    const version = conv.tls.version || (recs.length ? recs[recs.length - 1]!.version : 0);
    const name = tlsVersionName(version);
    fc.call(ops, recs.length ? name : undefined);
    (fc.tlsCalls ??= []).push(b.subarray(at, need === undefined ? p : b.length));
    if (recs.length) {
      fc.shown = true; fc.shownCount++;
      fc.tlsVersion = name;
      for (const r of recs) (fc.tls ??= []).push(r);
    }
    if (need !== undefined) {
      this.pend(fc, conv, dir, src, p, 'tls', need === 'segment' ? 'segment' : 'length', need === 'segment' ? Infinity : need);
      fc.partial();
      return b.length;
    }
    return p;
  }

  /**
   * A pending PDU was reassembled on this frame: tcp.segment lists the frames of all its
   * bytes [start, end) (for a PDU whose protocol looked again at every segment, that is every
   * byte of those segments), tcp.segment.count also counts frames whose bytes disagreed.
   */
  private reassembled(fc: FrameCtx, flow: AppFlow, msp: Msp, end: number, finFrame?: number): void {
    // Every segment placed in it, by offset (arrival order for equal offsets); segments whose bytes disagreed are counted, not listed.
    const all = msp.fragsFromPieces ? msp.pieces.slice(0, msp.fragsFromPieces).concat(msp.frags) : msp.frags;
    let frags = all.filter((p) => p.offset < end);
    for (let i = 1; i < frags.length; i++) if (frags[i]!.offset < frags[i - 1]!.offset) { frags = frags.sort((a, b) => a.offset - b.offset); break; }
    const frames: number[] = [];
    for (const p of frags) if (!msp.badFrames?.has(p.frame)) frames.push(p.frame);
    let count = frags.length;
    if (finFrame !== undefined && frames[frames.length - 1] !== finFrame) { frames.push(finFrame); count++; }
    (fc.pdus ??= []).push({ frames, length: end - msp.start, count });
    flow.lastStart = msp.start;
    flow.lastEnd = end;
  }

  /** Start a pending PDU with the bytes of `src` from `at`. */
  private pend(fc: FrameCtx, conv: AppConv, dir: 0 | 1, src: Source, at: number, proto: Proto, mode: Msp['mode'], end: number): Msp | undefined {
    const flow = conv.flows[dir];
    const start = src.base + at;
    const again = src.again;
    if (again && again.proto === 'http' && again.mode === 'segment' && proto === 'http' && mode === 'segment' && again.start === start) {
      // The unfinished head looked at again is still unfinished: keep its bytes and its parse,
      // and start its segment list again from the bytes it holds (held bytes after a gap are
      // dropped, disagreements forgotten), exactly as a new pending PDU seeded with them.
      again.reasm.clear();
      again.badFrames = undefined;
      again.fragsFromPieces = Math.min(again.pieces.length, MAX_FRAGS);
      again.frags = [];
      flow.msp = again;
      return again;
    }
    const msp: Msp = {
      proto, start, end, mode, reasm: new StreamReassembler(start, { maxHeldBytes: this.maxHeldBytes, maxHeldSegments: this.maxHeldSegments }),
      store: new ByteStore(mode === 'segment' ? this.maxHeadBytes : this.maxPduBytes, mode === 'length' ? end - start : 0),
      pieces: [], frags: [], fragsFromPieces: 0, repeatOps: [], bodyStart: start, scanned: start,
    };
    // Seed it with the bytes already seen, keeping the frames they came from.
    for (const pc of src.pieces) {
      const s = Math.max(pc.offset, start), e = Math.min(pc.offset + pc.length, src.base + src.bytes.length);
      if (e <= s) continue;
      this.addToMsp(msp, s, src.bytes.subarray(s - src.base, e - src.base), pc.frame);
    }
    flow.msp = msp;
    return msp;
  }
}

/** The frame that brought the byte at `pos` (pieces are in offset order: a binary search, so many messages in one PDU cost no rescans). */
function frameAt(pieces: Piece[], pos: number): number | undefined {
  let lo = 0, hi = pieces.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    const p = pieces[mid]!;
    if (p.offset + p.length <= pos) lo = mid + 1; else hi = mid;
  }
  const p = pieces[lo];
  return p && p.offset <= pos ? p.frame : undefined;
}
