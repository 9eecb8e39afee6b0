/**
 * The connection lifecycle stage: one observer of the in-order pass (Dissector.addObserver)
 * that follows every TCP connection (tcp.stream) from its handshake to its teardown and
 * infers both endpoints' RFC 9293 states after every packet, plus the verdicts of the
 * reference tools from the same pass: Wireshark's tcp.completeness (read from the analysis
 * stage), Zeek's conn_state and history (src/tcp/zeek.ts) and tcptrace's complete/reset.
 *
 * Vantage point. The capture point sees a packet once, somewhere between its sender and its
 * receiver. tcpscope applies the sender's transition when the packet is seen and the
 * receiver's as if the packet arrived at once. When the receiver's own next segment proves
 * that it had not received the packet yet (its ACK does not cover a SYN or FIN, or what it
 * sends only fits the state before), the receipt is moved after that segment: that is how
 * crossing FINs (simultaneous close) and crossing SYNs (simultaneous open) come out right
 * from either end of the wire.
 *
 * Memory: per connection a fixed set of numbers (plus a bounded list of SYN retransmission
 * times); a packet-by-packet timeline only for the streams the caller asks for (explain).
 */
import { tunnelsOf, type TunnelHop } from '../decode/tunnels.js';
import { TcpFlag } from '../decode/types.js';
import type { PacketRecord } from '../record.js';
import { ipv4, ipv6At } from '../core/format.js';
import { TcpA } from './types.js';
import type { TcpConversation } from './conversations.js';
import { transition, type SegmentKind, type TcpState, type Transition } from './fsm.js';
import { ZeekConn, type ZeekSummary } from './zeek.js';

export type Side = 'client' | 'server';
export const SIDES: readonly Side[] = ['client', 'server'];
const other = (s: Side): Side => (s === 'client' ? 'server' : 'client');
const idx = (s: Side): 0 | 1 => (s === 'client' ? 0 : 1);

export interface Endpoint { ip: string; port: number }

export type HandshakeKind = 'three-way' | 'simultaneous-open' | 'refused' | 'no-answer' | 'incomplete' | 'not-seen';
export type TeardownKind = 'four-way' | 'three-way-merged-fin-ack' | 'fin-with-data' | 'half-close' | 'simultaneous-close'
  | 'rst-abort' | 'unfinished' | 'none';
export type Anomaly = 'retransmission' | 'fast-retransmission' | 'spurious-retransmission' | 'out-of-order' | 'lost-segment'
  | 'ack-lost-segment' | 'dup-ack' | 'sack' | 'zero-window' | 'zero-window-probe' | 'window-update' | 'window-full'
  | 'keep-alive' | 'reused-port';

/** Anomaly names and the tcp.analysis flag each comes from (in the order they are listed). */
export const ANOMALY_FLAGS: ReadonlyArray<[Anomaly, number, string]> = [
  ['retransmission', TcpA.RETRANSMISSION, 'tcp.analysis.retransmission'],
  ['fast-retransmission', TcpA.FAST_RETRANSMISSION, 'tcp.analysis.fast_retransmission'],
  ['spurious-retransmission', TcpA.SPURIOUS_RETRANSMISSION, 'tcp.analysis.spurious_retransmission'],
  ['out-of-order', TcpA.OUT_OF_ORDER, 'tcp.analysis.out_of_order'],
  ['lost-segment', TcpA.LOST_PACKET, 'tcp.analysis.lost_segment'],
  ['ack-lost-segment', TcpA.ACK_LOST_PACKET, 'tcp.analysis.ack_lost_segment'],
  ['dup-ack', TcpA.DUPLICATE_ACK, 'tcp.analysis.duplicate_ack'],
  ['zero-window', TcpA.ZERO_WINDOW, 'tcp.analysis.zero_window'],
  ['zero-window-probe', TcpA.ZERO_WINDOW_PROBE, 'tcp.analysis.zero_window_probe'],
  ['window-update', TcpA.WINDOW_UPDATE, 'tcp.analysis.window_update'],
  ['window-full', TcpA.WINDOW_FULL, 'tcp.analysis.window_full'],
  ['keep-alive', TcpA.KEEP_ALIVE, 'tcp.analysis.keep_alive'],
  ['reused-port', TcpA.REUSED_PORTS, 'tcp.analysis.reused_ports'],
];
/** Wireshark display filter that shows each anomaly. */
export const ANOMALY_FILTER: Record<Anomaly, string> = {
  ...Object.fromEntries(ANOMALY_FLAGS.map(([n, , f]) => [n, f])) as Record<Anomaly, string>,
  sack: 'tcp.options.sack_le',
};

export interface SynOptions { mss: number | null; window_scale: number | null; sack_permitted: boolean; timestamps: boolean }

export interface HandshakeSummary {
  kind: HandshakeKind;
  /** SYN, SYN/ACK, ACK (three-way); SYN, SYN, SYN/ACK, SYN/ACK (simultaneous open); SYN, RST (refused); the SYNs (no answer) */
  frames: number[];
  /** what the capture lacks (incomplete): 'syn', 'syn-ack', 'ack' */
  missing: string[];
  /** every pure SYN the client sent: the first and its retransmissions */
  syn_frames: number[];
  /** seconds between successive SYNs (the back-off) */
  syn_intervals: number[];
  isn: { client: number | null; server: number | null };
  /** SYN/ACK ack = client ISN + 1; ACK ack = server ISN + 1 (null when not seen) */
  checks: { syn_ack_acks_syn: boolean | null; ack_acks_syn_ack: boolean | null };
  options: { client: SynOptions | null; server: SynOptions | null };
  /** window scaling, SACK and timestamps are used only when both SYNs offer them */
  negotiated: { mss: { client: number | null; server: number | null }; window_scale: { client: number; server: number } | null; sack: boolean; timestamps: boolean } | null;
  /** seconds: SYN→SYN/ACK (the server side of the tap), SYN/ACK→ACK (the client side), Wireshark's tcp.analysis.initial_rtt (SYN→ACK) */
  rtt: { syn_to_syn_ack: number | null; syn_ack_to_ack: number | null; initial_rtt: number | null };
}

export interface RstSummary { frame: number; by: Side; state: TcpState; after: 'handshake' | 'data' | 'fin' | 'nothing'; count: number }

export interface TeardownSummary {
  kind: TeardownKind;
  traits: TeardownKind[];
  active_closer: Side | 'both' | null;
  /** four-way: FIN, ACK, FIN, ACK; merged: FIN, FIN/ACK, ACK; simultaneous: FIN, FIN, ACK, ACK; rst-abort: the RST */
  frames: number[];
  /** both FINs sent and acknowledged */
  complete: boolean;
  /** the side that ends in TIME_WAIT (it must wait 2×MSL before the 4-tuple can be reused) */
  time_wait: Side | 'both' | null;
  rst: RstSummary | null;
  /** payload segments the passive closer sent after the first FIN */
  data_after_fin: number;
  open_at_end: boolean;
}

export interface ConnSummary {
  stream: number;
  client: Endpoint;
  server: Endpoint;
  first_frame: number;
  last_frame: number;
  /** epoch seconds of the first packet */
  start: number;
  duration: number;
  packets: { client: number; server: number };
  /** TCP payload bytes */
  bytes: { client: number; server: number };
  handshake: HandshakeSummary;
  teardown: TeardownSummary;
  anomalies: Anomaly[];
  anomaly_counts: Partial<Record<Anomaly, number>>;
  states: { client: TcpState; server: TcpState; midstream: boolean };
  conn_state: string;
  history: string;
  completeness: number;
  completeness_str: string;
  tcptrace: 'complete' | 'reset' | 'unidirectional' | 'incomplete';
  /** Zeek's conn.log view; `orig` is the side Zeek takes as originator */
  zeek: ZeekSummary & { orig: Side };
  /** where the tools disagree, and why (message keys of src/i18n/lifecycle.ts with their values) */
  disagreements: Array<{ key: string; params: Record<string, string | number> }>;
  /** (state, segment) pairs the RFC table has no transition for */
  unexpected: number;
  /** the tunnels that carried the connection, outermost first (only for a tunnelled connection) */
  tunnel?: TunnelHop[];
}

/** A socket-level event an endpoint goes through at a packet (for explain). */
export type SocketEvent = 'connect-returns' | 'accept-returns' | 'close-called' | 'eof' | 'time-wait' | 'closed'
  | 'refused' | 'reset-received' | 'abort' | 'syn-retransmit' | 'connect-times-out';

export interface TimelineEntry {
  frame: number;
  /** seconds since the connection's first packet */
  t: number;
  from: Side;
  flags: number;
  seq: number; ack: number; len: number; nxtseq: number;
  seqRaw: number; ackRaw: number;
  window: number;
  /** both endpoints' states after this packet [client, server] */
  states: [TcpState, TcpState];
  changes: Array<{ side: Side; from: TcpState; to: TcpState; rfc: string }>;
  events: Array<{ side: Side; event: SocketEvent }>;
  analysis: number;
  sack: boolean;
  /** the receiver had not received this segment yet when it sent its next one (they crossed) */
  crossed: boolean;
  unexpected: { side: Side; state: TcpState; dir: 'send' | 'recv'; kind: SegmentKind } | null;
  app: string | null;
}

export interface ConnTimeline { stream: number; initial: [TcpState, TcpState]; entries: TimelineEntry[]; truncated: number }

export interface LifecycleOptions {
  /** keep a packet-by-packet timeline for these streams (explain) */
  timeline?: (stream: number, first: PacketRecord) => boolean;
  /** at most this many timeline entries per stream (default 200000) */
  maxTimeline?: number;
}

interface Pending {
  prev: TcpState;
  kind: SegmentKind;
  /** the ack that proves receipt (relative, in the sender's sequence space); undefined when no ack can prove it */
  needsAck: number | undefined;
  entry: number;
  changes: TimelineEntry['changes'];
  events: TimelineEntry['events'];
}

interface SideFsm { state: TcpState; initial: TcpState; pending: Pending | undefined; sent: number }

interface FinInfo { frame: number; end: number; withData: boolean; acksPeerFin: boolean }

const seqGe = (a: number, b: number): boolean => ((a - b) | 0) >= 0;
const secs = (sec: number, nsec: number, sec0: number, nsec0: number): number => (sec - sec0) + (nsec - nsec0) / 1e9;

function synOptions(rec: PacketRecord): SynOptions {
  const o: SynOptions = { mss: null, window_scale: null, sack_permitted: false, timestamps: false };
  for (const op of rec.packet.tcp!.options) {
    if ('unknown' in op) continue;
    if (op.kind === 2) o.mss = (op as { mss: number }).mss;
    else if (op.kind === 3) o.window_scale = (op as { shift: number }).shift;
    else if (op.kind === 4) o.sack_permitted = true;
    else if (op.kind === 8) o.timestamps = true;
  }
  return o;
}

/** The HTTP request/response line or TLS server name the application stage attached, if any. */
export function appLine(rec: PacketRecord): string | null {
  const app = (rec as unknown as { app?: unknown }).app as Record<string, unknown> | undefined;
  if (!app || typeof app !== 'object') return null;
  const pick = (v: unknown): string | null => (typeof v === 'string' && v ? v : null);
  const http = app.http as Record<string, unknown> | undefined;
  const tls = app.tls as Record<string, unknown> | undefined;
  return pick(app.line) ?? pick(app.summary) ?? pick(http?.line) ?? pick(http?.requestLine) ?? pick(http?.responseLine)
    ?? pick((http?.request as Record<string, unknown> | undefined)?.line) ?? pick((http?.response as Record<string, unknown> | undefined)?.line)
    ?? (pick(tls?.sni) ?? pick(tls?.serverName) ? `TLS ClientHello SNI=${pick(tls?.sni) ?? pick(tls?.serverName)}` : null);
}

/** Per-connection tracking during the pass. */
class ConnTrack {
  readonly stream: number;
  readonly conv: TcpConversation;
  /** the TcpInfo.flow value of packets the client sends */
  readonly clientFlow: 0 | 1;
  readonly client: Endpoint;
  readonly server: Endpoint;
  readonly firstFrame: number;
  readonly tunnel: TunnelHop[];
  readonly firstSec: number; readonly firstNsec: number;
  lastFrame = 0; lastT = 0;
  pkts: [number, number] = [0, 0];
  bytes: [number, number] = [0, 0];
  readonly midstream: boolean;
  readonly fsm: [SideFsm, SideFsm];
  unexpected = 0;
  // handshake
  synFrames: number[] = []; synTimes: number[] = []; synCount = 0; lastSynT = -1;
  serverSynFrame = 0; serverSynT = 0;
  synAckFrames: number[] = []; synAckT = -1; synAckSide: Side | undefined; clientSynAckFrame = 0; clientSynAckT = -1;
  hsAckFrame = 0; hsAckT = -1; hsAckRaw = 0; hsAckOk: boolean | null = null; synAckOk: boolean | null = null;
  isn: [number | null, number | null] = [null, null];
  opts: [SynOptions | null, SynOptions | null] = [null, null];
  refusedFrame = 0;
  // teardown
  fin: [FinInfo | undefined, FinInfo | undefined] = [undefined, undefined];
  /** first segment of each side that acknowledges the other side's FIN: [frame, itWasAFin] */
  finAck: [[number, boolean] | undefined, [number, boolean] | undefined] = [undefined, undefined];
  dataAfterPeerFin: [number, number] = [0, 0];
  firstCloser: Side | undefined;
  rst: RstSummary | undefined;
  sawData = false;
  // verdicts
  synSeen: [boolean, boolean] = [false, false];
  finSeen: [boolean, boolean] = [false, false];
  rstSeen = false;
  readonly zeek = new ZeekConn();
  anomalies = new Map<Anomaly, number>();
  lastWindow: [number, number] = [-1, -1];
  timeline: ConnTimeline | undefined;
  /** tcp.completeness bits of the first packet as a later packet would set them (see finish) */
  private readonly firstBits: number;

  constructor(rec: PacketRecord, keepTimeline: boolean) {
    const t = rec.tcp!, tcp = rec.packet.tcp!, ip = rec.packet.ip!;
    this.stream = t.stream;
    this.conv = t.conv;
    const f = tcp.flags;
    const synOnly = (f & (TcpFlag.SYN | TcpFlag.ACK | TcpFlag.RST)) === TcpFlag.SYN;
    const synAck = (f & (TcpFlag.SYN | TcpFlag.ACK)) === (TcpFlag.SYN | TcpFlag.ACK);
    // The client sent the first SYN; a SYN/ACK comes from the server; otherwise the first sender (as Wireshark's conversation source).
    const senderIsClient = !synAck;
    this.clientFlow = senderIsClient ? t.flow : (t.flow === 0 ? 1 : 0);
    const d = rec.packet.frame.data;
    const src = ip.kind === 'ipv4' ? ipv4(ip.src) : ipv6At(d, ip.srcOffset);
    const dst = ip.kind === 'ipv4' ? ipv4(ip.dst) : ipv6At(d, ip.dstOffset);
    const a: Endpoint = { ip: src, port: tcp.srcPort }, b: Endpoint = { ip: dst, port: tcp.dstPort };
    this.client = senderIsClient ? a : b;
    this.server = senderIsClient ? b : a;
    this.firstFrame = rec.packet.frame.number;
    this.tunnel = tunnelsOf(rec.packet);
    this.firstSec = rec.packet.frame.tsSec; this.firstNsec = rec.packet.frame.tsNsec;
    this.midstream = !synOnly && !synAck;
    let ci: TcpState, si: TcpState;
    if (synOnly) { ci = 'CLOSED'; si = 'LISTEN'; }
    else if (synAck) { ci = 'SYN_SENT'; si = 'LISTEN'; }
    else { ci = 'ESTABLISHED'; si = 'ESTABLISHED'; }
    this.fsm = [
      { state: ci, initial: ci, pending: undefined, sent: 0 },
      { state: si, initial: si, pending: undefined, sent: 0 },
    ];
    this.firstBits = ((f & TcpFlag.SYN) ? ((f & TcpFlag.ACK) ? 2 : 0) : (f & TcpFlag.ACK) ? (tcp.len > 0 ? 8 : 4) : 0)
      | ((f & (TcpFlag.FIN | TcpFlag.ACK)) === (TcpFlag.FIN | TcpFlag.ACK) ? 16 : 0) | ((f & TcpFlag.RST) ? 32 : 0);
    if (keepTimeline) this.timeline = { stream: this.stream, initial: [ci, si], entries: [], truncated: 0 };
  }

  observe(rec: PacketRecord, maxTimeline: number): void {
    const t = rec.tcp!, tcp = rec.packet.tcp!, fr = rec.packet.frame;
    const from: Side = t.flow === this.clientFlow ? 'client' : 'server';
    const to = other(from);
    const fi = idx(from), ti = idx(to);
    const f = tcp.flags;
    const SYN = (f & TcpFlag.SYN) !== 0, ACK = (f & TcpFlag.ACK) !== 0, FIN = (f & TcpFlag.FIN) !== 0, RST = (f & TcpFlag.RST) !== 0;
    const now = secs(fr.tsSec, fr.tsNsec, this.firstSec, this.firstNsec);
    this.lastFrame = fr.number; this.lastT = now;
    this.pkts[fi]++;
    this.bytes[fi] += tcp.len;
    if (tcp.len > 0 && !SYN) this.sawData = true;

    // Anomalies from the analysis stage's flags, plus SACK blocks.
    let sack = false;
    for (const o of tcp.options) if (o.kind === 5 && 'blocks' in o && (o as { blocks: unknown[] }).blocks.length) sack = true;
    if (sack) this.count('sack');
    if (t.analysis) {
      // Wireshark's tcp.analysis.retransmission matches fast and spurious retransmissions too.
      if (t.analysis & RETRANSMISSIONS) this.count('retransmission');
      for (const [name, bit] of ANOMALY_FLAGS) {
        if (!(t.analysis & bit) || bit === TcpA.RETRANSMISSION) continue;
        // Linux probes a zero window with a zero-length segment at SND.UNA−1, which Wireshark calls a
        // keep-alive; while the peer advertises a zero window it is a zero-window probe.
        if (bit === TcpA.KEEP_ALIVE && this.lastWindow[ti] === 0) this.count('zero-window-probe');
        else this.count(name);
      }
    }
    this.lastWindow[fi] = SYN ? -1 : t.windowSize;

    // Zeek's view.
    const ip = rec.packet.ip!;
    this.zeek.observe({
      fromFirst: this.firstFlowIs(t.flow),
      flags: f, seq: tcp.seq, ack: tcp.ack, len: tcp.len,
      payloadCaptured: tcp.payloadCaptured >= tcp.len, window: tcp.window, srcPort: tcp.srcPort, dstPort: tcp.dstPort,
      ipLen: ip.kind === 'ipv4' ? ip.totalLen || ip.hdrLen + ip.payloadLen : ip.payloadLen + 40,
      time: fr.tsSec + fr.tsNsec / 1e9,
    });
    // tcptrace's counters.
    if (SYN) this.synSeen[fi] = true;
    if (FIN) this.finSeen[fi] = true;
    if (RST) this.rstSeen = true;

    // Timeline entry (filled as we go).
    let entry: TimelineEntry | undefined;
    const tl = this.timeline;
    if (tl) {
      if (tl.entries.length < maxTimeline) {
        entry = {
          frame: fr.number, t: now, from, flags: f, seq: t.seq, ack: t.ack, len: tcp.len, nxtseq: t.nxtseq, seqRaw: tcp.seq, ackRaw: tcp.ack,
          window: t.windowSize, states: ['CLOSED', 'CLOSED'], changes: [], events: [], analysis: t.analysis, sack, crossed: false,
          unexpected: null, app: appLine(rec),
        };
        tl.entries.push(entry);
      } else tl.truncated++;
    }

    this.handshake(rec, from, now, SYN, ACK, RST, entry);
    this.teardown(rec, from, now, FIN, RST, ACK, tcp.len);

    // Both endpoints' states.
    const kindSend: SegmentKind = RST ? 'RST' : SYN ? (ACK ? 'SYN_ACK' : 'SYN') : FIN ? 'FIN' : 'ACK';
    this.send(from, kindSend, rec, entry);
    let kindRecv: SegmentKind = kindSend;
    const rf = this.fin[ti];
    if (!RST && !SYN && ACK && rf && seqGe(t.ack, rf.end)) kindRecv = FIN ? 'FIN_ACK_OF_FIN' : 'ACK_OF_FIN';
    const needsAck = SYN || FIN ? t.nxtseq : undefined;
    this.recv(to, kindRecv, needsAck, entry);
    if (entry) entry.states = [this.fsm[0].state, this.fsm[1].state];
  }

  private firstFlow: 0 | 1 | undefined;
  private firstFlowIs(flow: 0 | 1): boolean {
    if (this.firstFlow === undefined) this.firstFlow = flow;
    return flow === this.firstFlow;
  }

  private count(a: Anomaly): void { this.anomalies.set(a, (this.anomalies.get(a) ?? 0) + 1); }

  private handshake(rec: PacketRecord, from: Side, now: number, SYN: boolean, ACK: boolean, RST: boolean, entry: TimelineEntry | undefined): void {
    const tcp = rec.packet.tcp!;
    const fi = idx(from);
    if (SYN && !ACK && !RST) {
      if (from === 'client') {
        if (this.synCount > 0) entry?.events.push({ side: 'client', event: 'syn-retransmit' });
        this.synCount++;
        if (this.synFrames.length < 32) { this.synFrames.push(rec.packet.frame.number); this.synTimes.push(now); }
        this.lastSynT = now;
        if (this.isn[0] === null) this.isn[0] = tcp.seq;
        this.opts[0] ??= synOptions(rec);
      } else if (!this.serverSynFrame) {
        this.serverSynFrame = rec.packet.frame.number; this.serverSynT = now;
        this.isn[1] ??= tcp.seq;
        this.opts[1] ??= synOptions(rec);
      }
    } else if (SYN && ACK && !RST) {
      if (this.synAckFrames.length < 8) this.synAckFrames.push(rec.packet.frame.number);
      if (from === 'server') {
        if (this.synAckT < 0) {
          this.synAckT = now;
          this.isn[1] ??= tcp.seq;
          this.opts[1] ??= synOptions(rec);
          if (this.isn[0] !== null) this.synAckOk = tcp.ack === ((this.isn[0] + 1) >>> 0);
        }
      } else if (this.clientSynAckT < 0) {
        this.clientSynAckFrame = rec.packet.frame.number; this.clientSynAckT = now;
      }
    } else if (ACK && !SYN && !RST && from === 'client' && this.synAckT >= 0 && this.hsAckT < 0) {
      this.hsAckFrame = rec.packet.frame.number; this.hsAckT = now; this.hsAckRaw = tcp.ack;
      if (this.isn[1] !== null) this.hsAckOk = tcp.ack === ((this.isn[1] + 1) >>> 0);
    } else if (ACK && !SYN && !RST && from === 'server' && this.clientSynAckT >= 0 && this.hsAckT < 0) {
      // simultaneous open: the ACK that completes it may come from either side
      this.hsAckFrame = rec.packet.frame.number; this.hsAckT = now;
    }
    if (RST && from === 'server' && !this.refusedFrame && this.synCount > 0 && this.synAckT < 0 && this.fsm[1].sent === 0) {
      this.refusedFrame = rec.packet.frame.number;
    }
    void fi;
  }

  private teardown(rec: PacketRecord, from: Side, now: number, FIN: boolean, RST: boolean, ACK: boolean, len: number): void {
    const t = rec.tcp!;
    const fi = idx(from), ti = idx(other(from));
    const frame = rec.packet.frame.number;
    void now;
    // The first segment of this side that acknowledges the other side's FIN.
    const peerFin = this.fin[ti];
    if (peerFin && !this.finAck[fi] && ACK && !RST && seqGe(t.ack, peerFin.end)) this.finAck[fi] = [frame, FIN];
    if (peerFin && !this.fin[fi] && len > 0 && !RST) this.dataAfterPeerFin[fi]++;
    if (FIN && !RST && !this.fin[fi]) {
      this.fin[fi] = { frame, end: t.nxtseq, withData: len > 0, acksPeerFin: Boolean(peerFin && ACK && seqGe(t.ack, peerFin.end)) };
      this.firstCloser ??= from;
    }
    if (RST) {
      if (!this.rst) {
        const handshakeDone = this.synAckT >= 0 || this.midstream || this.clientSynAckT >= 0;
        const after = this.fin[0] || this.fin[1] ? 'fin' : this.sawData ? 'data' : handshakeDone ? 'handshake' : 'nothing';
        this.rst = { frame, by: from, state: this.fsm[fi].state, after, count: 1 };
        if (handshakeDone) this.firstCloser ??= from;
      } else this.rst.count++;
    }
  }

  private rewrite(side: Side, from: number, to: number, state: TcpState): void {
    const tl = this.timeline;
    if (!tl) return;
    for (let i = Math.max(0, from); i < Math.min(to, tl.entries.length); i++) tl.entries[i]!.states[idx(side)] = state;
  }

  private send(side: Side, kind: SegmentKind, rec: PacketRecord, entry: TimelineEntry | undefined): void {
    const ep = this.fsm[idx(side)];
    const cur = this.timeline ? this.timeline.entries.length - 1 : 0;
    const t = rec.tcp!, tcp = rec.packet.tcp!;
    const ACK = (tcp.flags & TcpFlag.ACK) !== 0;
    // A server whose first answer to a SYN is a RST had nobody listening: it was CLOSED throughout.
    if (side === 'server' && kind === 'RST' && ep.sent === 0 && this.synCount > 0 && this.synAckT < 0 && (ep.initial === 'LISTEN')) {
      ep.initial = 'CLOSED'; ep.state = 'CLOSED'; ep.pending = undefined;
      if (this.timeline) { this.timeline.initial[1] = 'CLOSED'; this.rewrite('server', 0, cur, 'CLOSED'); }
      for (const e of this.timeline?.entries ?? []) e.changes = e.changes.filter((c) => c.side !== 'server');
    }
    // A "server" that sends a pure SYN was not listening: it opened actively too (simultaneous open).
    if (side === 'server' && kind === 'SYN' && ep.initial === 'LISTEN' && ep.sent === 0) {
      ep.initial = 'CLOSED';
      if (this.timeline) this.timeline.initial[1] = 'CLOSED';
      if (ep.pending && ep.pending.prev === 'LISTEN') ep.pending.prev = 'CLOSED';
      else if (ep.state === 'LISTEN') ep.state = 'CLOSED';
    }
    const p = ep.pending;
    if (p) {
      let notYet = false;
      if (p.needsAck !== undefined && ACK && !seqGe(t.ack, p.needsAck)) notYet = true;
      else if (p.needsAck === undefined || !ACK) {
        const now = transition(ep.state, 'send', kind), before = transition(p.prev, 'send', kind);
        if ((!now || now.repeat) && before && !before.repeat) notYet = true;
      }
      ep.pending = undefined;
      if (notYet) {
        // The segment this endpoint was thought to have received was still in flight: undo its receipt,
        // apply this send from the state before, then receive it after.
        ep.state = p.prev;
        this.rewrite(side, p.entry, cur, p.prev);
        const tl = this.timeline;
        if (tl && tl.entries[p.entry]) {
          const e = tl.entries[p.entry]!;
          e.crossed = true;
          e.changes = e.changes.filter((c) => !p.changes.includes(c));
          e.events = e.events.filter((c) => !p.events.includes(c));
        }
        this.apply(side, 'send', kind, entry);
        this.recv(side, p.kind, p.needsAck, entry);
        ep.sent++;
        return;
      }
    }
    this.apply(side, 'send', kind, entry);
    ep.sent++;
  }

  private recv(side: Side, kind: SegmentKind, needsAck: number | undefined, entry: TimelineEntry | undefined): void {
    const ep = this.fsm[idx(side)];
    const before = ep.state;
    const nc = entry ? entry.changes.length : 0, ne = entry ? entry.events.length : 0;
    this.apply(side, 'recv', kind, entry);
    if (ep.state !== before) {
      ep.pending = {
        prev: before, kind, needsAck, entry: this.timeline ? this.timeline.entries.length - 1 : 0,
        changes: entry ? entry.changes.slice(nc) : [], events: entry ? entry.events.slice(ne) : [],
      };
    }
  }

  private apply(side: Side, dir: 'send' | 'recv', kind: SegmentKind, entry: TimelineEntry | undefined): void {
    const ep = this.fsm[idx(side)];
    const from = ep.state;
    const tr: Transition | undefined = transition(from, dir, kind);
    if (!tr) {
      if (from !== 'UNKNOWN') {
        this.unexpected++;
        if (entry && !entry.unexpected) entry.unexpected = { side, state: from, dir, kind };
      }
      return;
    }
    ep.state = tr.next;
    if (!entry) return;
    if (tr.next !== from) entry.changes.push({ side, from, to: tr.next, rfc: tr.rfc });
    const ev = (event: SocketEvent): void => { entry.events.push({ side, event }); };
    if (dir === 'recv') {
      if (from === 'SYN_SENT' && tr.next === 'ESTABLISHED') ev('connect-returns');
      else if (from === 'SYN_RECEIVED' && tr.next === 'ESTABLISHED') ev(ep.initial === 'LISTEN' ? 'accept-returns' : 'connect-returns');
      else if (from === 'SYN_SENT' && kind === 'RST') ev('refused');
      else if (kind === 'RST' && tr.next === 'CLOSED' && from !== 'CLOSED') ev('reset-received');
      else if ((kind === 'FIN' || kind === 'FIN_ACK_OF_FIN') && tr.next !== from) ev('eof');
      if (tr.next === 'TIME_WAIT' && from !== 'TIME_WAIT') ev('time-wait');
      if (tr.next === 'CLOSED' && from === 'LAST_ACK') ev('closed');
    } else {
      if (kind === 'FIN' && tr.next !== from) ev('close-called');
      if (kind === 'RST' && from !== 'CLOSED' && from !== 'LISTEN') ev('abort');
    }
  }

  finish(): { summary: ConnSummary; timeline: ConnTimeline | undefined } {
    // A server that never sent anything: the capture cannot tell whether the SYNs arrived.
    const srv = this.fsm[1];
    if (srv.sent === 0 && this.synCount > 0 && !this.midstream) {
      srv.state = 'UNKNOWN'; srv.initial = 'UNKNOWN'; srv.pending = undefined;
      if (this.timeline) {
        this.timeline.initial[1] = 'UNKNOWN';
        this.rewrite('server', 0, this.timeline.entries.length, 'UNKNOWN');
        for (const e of this.timeline.entries) e.changes = e.changes.filter((c) => c.side !== 'server');
      }
    }
    if (this.timeline && this.synCount > 1 && srv.sent === 0) {
      const last = this.timeline.entries[this.timeline.entries.length - 1];
      last?.events.push({ side: 'client', event: 'connect-times-out' });
    }
    const hs = this.handshakeSummary();
    const td = this.teardownSummary(hs.kind);
    const z = this.zeek.summary();
    const firstSender: Side = this.firstFlow === this.clientFlow ? 'client' : 'server';
    const zeekOrig: Side = z.flipped ? other(firstSender) : firstSender;
    // tshark -2 dissects every packet again; the second time, the first packet no longer opens the
    // conversation, so its SYN/ACK, ACK, DATA, FIN and RST bits count too (from the second packet on).
    const completeness = (this.conv.an?.completeness ?? 0) | (this.pkts[0] + this.pkts[1] > 1 ? this.firstBits : 0);
    const anomalies = [...this.anomalies.keys()].sort((a, b) => ANOMALY_ORDER.indexOf(a) - ANOMALY_ORDER.indexOf(b));
    const tcptrace = this.rstSeen ? 'reset' : this.synSeen[0] && this.synSeen[1] && this.finSeen[0] && this.finSeen[1] ? 'complete'
      : this.pkts[0] === 0 || this.pkts[1] === 0 ? 'unidirectional' : 'incomplete';
    const summary: ConnSummary = {
      stream: this.stream, client: this.client, server: this.server,
      first_frame: this.firstFrame, last_frame: this.lastFrame,
      start: this.firstSec + this.firstNsec / 1e9, duration: this.lastT,
      packets: { client: this.pkts[0], server: this.pkts[1] },
      bytes: { client: this.bytes[0], server: this.bytes[1] },
      handshake: hs, teardown: td,
      anomalies, anomaly_counts: Object.fromEntries([...this.anomalies.entries()]) as Partial<Record<Anomaly, number>>,
      states: { client: this.fsm[0].state, server: this.fsm[1].state, midstream: this.midstream },
      conn_state: z.connState, history: z.history, completeness, completeness_str: completenessStr(completeness),
      tcptrace, zeek: { ...z, orig: zeekOrig }, disagreements: [], unexpected: this.unexpected,
      ...(this.tunnel.length ? { tunnel: this.tunnel } : {}),
    };
    summary.disagreements = disagreements(summary);
    return { summary, timeline: this.timeline };
  }

  private handshakeSummary(): HandshakeSummary {
    const kind: HandshakeKind =
      this.serverSynFrame && this.synCount > 0 ? 'simultaneous-open'
      : this.refusedFrame ? 'refused'
      : this.synCount > 0 && this.synAckT >= 0 && this.hsAckT >= 0 ? 'three-way'
      : this.synCount > 0 && this.synAckT < 0 && this.fsm[1].sent === 0 ? 'no-answer'
      : this.synCount > 0 || this.synAckT >= 0 ? 'incomplete'
      : 'not-seen';
    const missing: string[] = [];
    if (kind === 'incomplete') {
      if (!this.synCount) missing.push('syn');
      if (this.synAckT < 0) missing.push('syn-ack');
      if (this.hsAckT < 0) missing.push('ack');
    }
    let frames: number[] = [];
    const firstSyn = this.synFrames[0];
    if (kind === 'three-way') frames = [this.synFrames[this.synFrames.length - 1]!, this.synAckFrames[0]!, this.hsAckFrame];
    else if (kind === 'simultaneous-open') frames = [firstSyn!, this.serverSynFrame, ...this.synAckFrames.slice(0, 2)];
    else if (kind === 'refused') frames = [this.synFrames[this.synFrames.length - 1]!, this.refusedFrame];
    else if (kind === 'no-answer') frames = [...this.synFrames];
    else if (kind === 'incomplete') frames = [...this.synFrames.slice(-1), ...this.synAckFrames.slice(0, 1), ...(this.hsAckFrame ? [this.hsAckFrame] : [])];
    const intervals: number[] = [];
    for (let i = 1; i < this.synTimes.length; i++) intervals.push(round6(this.synTimes[i]! - this.synTimes[i - 1]!));
    const [co, so] = this.opts;
    const negotiated = co && so ? {
      mss: { client: co.mss, server: so.mss },
      window_scale: co.window_scale !== null && so.window_scale !== null ? { client: Math.min(co.window_scale, 14), server: Math.min(so.window_scale, 14) } : null,
      sack: co.sack_permitted && so.sack_permitted,
      timestamps: co.timestamps && so.timestamps,
    } : null;
    const irttNs = this.conv.an?.irttNs ?? 0;
    const synT = this.lastSynT;
    return {
      kind, frames, missing,
      syn_frames: [...this.synFrames], syn_intervals: intervals,
      isn: { client: this.isn[0], server: this.isn[1] },
      checks: { syn_ack_acks_syn: this.synAckOk, ack_acks_syn_ack: this.hsAckOk },
      options: { client: co, server: so },
      negotiated,
      rtt: {
        syn_to_syn_ack: synT >= 0 && this.synAckT >= 0 ? round9(this.synAckT - synT) : null,
        syn_ack_to_ack: this.synAckT >= 0 && this.hsAckT >= 0 ? round9(this.hsAckT - this.synAckT) : null,
        initial_rtt: irttNs > 0 ? round9(irttNs / 1e9) : null,
      },
    };
  }

  private teardownSummary(hs: HandshakeKind): TeardownSummary {
    const traits: TeardownKind[] = [];
    const A = this.firstCloser;
    let frames: number[] = [];
    let activeCloser: Side | 'both' | null = A ?? null;
    const rstAbort = Boolean(this.rst && hs !== 'refused' && hs !== 'no-answer' && !(this.fin[0] && this.fin[1]) && this.rst.after !== 'nothing');
    if (A) {
      const a = idx(A), b = idx(other(A));
      const fa = this.fin[a], fb = this.fin[b];
      if (fa) {
        if (fa.withData) traits.push('fin-with-data');
        if (this.dataAfterPeerFin[b] > 0) traits.push('half-close');
        if (fb && !fb.acksPeerFin && fb.frame > fa.frame && !(this.finAck[b] && this.finAck[b]![0] < fb.frame)) {
          traits.push('simultaneous-close');
          activeCloser = 'both';
          frames = [fa.frame, fb.frame, ...(this.finAck[a] ? [this.finAck[a]![0]] : []), ...(this.finAck[b] ? [this.finAck[b]![0]] : [])];
        } else if (this.finAck[b]) {
          const [ackFrame, wasFin] = this.finAck[b]!;
          if (wasFin && fb && ackFrame === fb.frame) {
            traits.push('three-way-merged-fin-ack');
            frames = [fa.frame, fb.frame, ...(this.finAck[a] ? [this.finAck[a]![0]] : [])];
          } else if (fb) {
            traits.push('four-way');
            frames = [fa.frame, ackFrame, fb.frame, ...(this.finAck[a] ? [this.finAck[a]![0]] : [])];
          } else frames = [fa.frame, ackFrame];
        } else if (fb) {
          // B's FIN came but its ACK of A's FIN was never seen.
          traits.push('four-way');
          frames = [fa.frame, fb.frame];
        } else frames = [fa.frame];
      }
      if (rstAbort) {
        traits.unshift('rst-abort');
        if (!fa) frames = [this.rst!.frame];
        else frames = [...frames, this.rst!.frame];
      }
    }
    const order: TeardownKind[] = ['rst-abort', 'simultaneous-close', 'fin-with-data', 'half-close', 'three-way-merged-fin-ack', 'four-way'];
    let kind: TeardownKind = 'none';
    for (const k of order) if (traits.includes(k)) { kind = k; break; }
    if (kind === 'none' && (this.fin[0] || this.fin[1])) kind = 'unfinished';
    if (kind === 'none') activeCloser = null;
    const [c, s] = [this.fsm[0].state, this.fsm[1].state];
    const timeWait = c === 'TIME_WAIT' && s === 'TIME_WAIT' ? 'both' : c === 'TIME_WAIT' ? 'client' : s === 'TIME_WAIT' ? 'server' : null;
    const complete = Boolean(this.fin[0] && this.fin[1] && this.finAck[0] && this.finAck[1]);
    const closedStates: TcpState[] = ['CLOSED', 'TIME_WAIT', 'UNKNOWN'];
    return {
      kind, traits: order.filter((k) => traits.includes(k)), active_closer: activeCloser, frames, complete, time_wait: timeWait,
      rst: this.rst ?? null,
      data_after_fin: A ? this.dataAfterPeerFin[idx(other(A))] : 0,
      open_at_end: !(closedStates.includes(c) && closedStates.includes(s)) && hs !== 'no-answer' && hs !== 'refused',
    };
  }
}

const RETRANSMISSIONS = TcpA.RETRANSMISSION | TcpA.FAST_RETRANSMISSION | TcpA.SPURIOUS_RETRANSMISSION;
const ANOMALY_ORDER: Anomaly[] = [...ANOMALY_FLAGS.map(([n]) => n), 'sack'];

const round6 = (x: number): number => Math.round(x * 1e6) / 1e6;
const round9 = (x: number): number => Math.round(x * 1e9) / 1e9;

/** tcp.completeness.str as later Wireshark versions print it: R F D A S S with '·' for unset bits. */
export function completenessStr(v: number): string {
  const letters: Array<[number, string]> = [[32, 'R'], [16, 'F'], [8, 'D'], [4, 'A'], [2, 'S'], [1, 'S']];
  return letters.map(([b, l]) => (v & b ? l : '\u00b7')).join('');
}

/** Where Wireshark's, Zeek's and tcptrace's verdicts disagree with each other or with what happened. */
function disagreements(s: ConnSummary): ConnSummary['disagreements'] {
  const out: ConnSummary['disagreements'] = [];
  const hs = s.handshake.kind, cs = s.conn_state;
  if (cs === 'SF' && s.handshake.syn_frames.length === 0 && hs === 'not-seen') out.push({ key: 'dis.sf_without_syn', params: {} });
  if (cs === 'S1' && hs !== 'three-way' && hs !== 'simultaneous-open') out.push({ key: 'dis.s1_without_ack', params: {} });
  if (cs === 'SF' && s.history.toUpperCase().includes('R')) out.push({ key: 'dis.sf_with_rst', params: {} });
  if (s.tcptrace === 'reset' && s.teardown.complete) out.push({ key: 'dis.tcptrace_reset_after_close', params: {} });
  if (s.tcptrace === 'complete' && !s.teardown.complete) out.push({ key: 'dis.tcptrace_complete_without_acks', params: {} });
  if (hs === 'refused' && (s.completeness & 4)) out.push({ key: 'dis.refused_ack_bit', params: { completeness: s.completeness } });
  if ((s.completeness & 31) === 31 && s.teardown.kind === 'rst-abort') out.push({ key: 'dis.completeness_fin_and_rst', params: {} });
  if (hs === 'simultaneous-open') out.push({ key: 'dis.simopen_retransmission', params: {} });
  if (s.zeek.flipped) out.push({ key: 'dis.zeek_flipped', params: {} });
  if (!(s.completeness & 1) && (hs === 'three-way' || hs === 'refused')) out.push({ key: 'dis.completeness_no_syn', params: {} });
  return out;
}

/**
 * The lifecycle stage. Register with `dissector.addObserver(lifecycle)` before reading; call
 * `finish()` after the last packet for one summary per connection (in tcp.stream order).
 */
export class LifecycleTracker {
  private readonly conns = new Map<number, ConnTrack>();
  private readonly order: ConnTrack[] = [];
  private readonly opts: Required<LifecycleOptions>;

  constructor(opts: LifecycleOptions = {}) {
    this.opts = { timeline: opts.timeline ?? (() => false), maxTimeline: opts.maxTimeline ?? 200_000 };
  }

  observe(rec: PacketRecord): void {
    const t = rec.tcp;
    if (!t || !rec.packet.tcp || !rec.packet.ip) return;
    let c = this.conns.get(t.stream);
    if (!c) {
      c = new ConnTrack(rec, this.opts.timeline(t.stream, rec));
      this.conns.set(t.stream, c);
      this.order.push(c);
    }
    c.observe(rec, this.opts.maxTimeline);
  }

  /** Summaries (and timelines for the streams that keep one), in tcp.stream order. */
  finish(): Array<{ summary: ConnSummary; timeline: ConnTimeline | undefined }> {
    // Let each connection's tracking state go as soon as its summary exists (big captures).
    const out: Array<{ summary: ConnSummary; timeline: ConnTimeline | undefined }> = [];
    const order = this.order.splice(0);
    this.conns.clear();
    for (let i = 0; i < order.length; i++) {
      out.push(order[i]!.finish());
      (order as Array<ConnTrack | undefined>)[i] = undefined;
    }
    return out;
  }
}
