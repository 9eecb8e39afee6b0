/**
 * The connection lifecycle stage: one observer of the in-order pass (Dissector.addObserver)
 * that follows every TCP connection (tcp.stream) from its handshake to its teardown and
 * infers both endpoints' RFC 9293 states after every packet, plus the verdicts of the
 * reference tools from the same pass: Wireshark's tcp.completeness (read from the analysis
 * stage), Zeek's conn_state and history (src/tcp/zeek.ts) and tcptrace's complete/reset.
 *
 * This file only orchestrates; each concern has its own module:
 *  - handshake.ts: SYNs, SYN/ACK, the completing ACK, refusal, ISNs and options;
 *  - teardown.ts: FINs, their ACKs, half-close, the first RST;
 *  - observer.ts + crossing.ts: both endpoints' RFC 9293 states as a passive observer sees
 *    them, with the rules that correct a receipt credited too early (crossing segments);
 *  - timeline.ts: the packet-by-packet timeline (explain);
 *  - anomalies.ts: counts of the analysis stage's flags;
 *  - verdicts.ts: tcptrace's verdict, the completeness string, Zeek's originator and the
 *    disagreements between the tools; zeek.ts: Zeek's own view.
 * The shapes it produces are in lifecycle-types.ts.
 *
 * Memory: per connection a fixed set of numbers (plus a bounded list of SYN retransmission
 * times); a packet-by-packet timeline only for the streams the caller asks for (explain). With
 * `fold` (conns), a connection's summary is built and its state dropped as soon as it is final
 * (src/tcp/fold.ts): memory then follows the connections open at once, not every one seen.
 */
import { tunnelsOf, type TunnelHop } from '../decode/tunnels.js';
import { TcpFlag, type Packet } from '../decode/types.js';
import { ipv4, ipv6At } from '../core/format.js';
import { seqGe } from '../core/seq.js';
import type { TcpInfo } from './types.js';
import { foldConversation, isFolded, type TcpConversation } from './conversations.js';
import { TimeQueue, type FoldSettings } from './fold.js';
import type { Endpoint as TcpEndpoint } from './endpoint.js';
import { Completeness } from './analysis.js';
import type { SegmentKind } from './fsm.js';
import { ZeekConn } from './zeek.js';
import { Handshake } from './handshake.js';
import { Teardown } from './teardown.js';
import { initialStates, ObserverFsm } from './observer.js';
import { DEFAULT_MAX_TIMELINE, Timeline } from './timeline.js';
import { AnomalyCounter } from './anomalies.js';
import { completenessStr, disagreements, tcptraceVerdict, zeekOriginator } from './verdicts.js';
import { icmpNote, type IcmpNote } from './icmp-errors.js';
import type { QuotedTcpInfo } from './quoted.js';
import { idx, other, type ConnAddress, type ConnSummary, type ConnTimeline, type Side, type TimelineEntry } from './lifecycle-types.js';

export * from './lifecycle-types.js';
export { ANOMALY_FILTER, ANOMALY_FLAGS, type Anomaly } from './anomalies.js';
export { completenessStr } from './verdicts.js';
/** @deprecated the address of a connection's side: use ConnAddress (Endpoint is the per-direction state of src/tcp/endpoint.ts) */
export type Endpoint = ConnAddress;

/** What the lifecycle stage reads of a record of the in-order pass (src/record.ts's PacketRecord is one). */
export interface LifecycleRecord {
  packet: Packet;
  tcp: TcpInfo | undefined;
  /** a TCP header quoted by an ICMP error (src/tcp/quoted.ts): attached to its connection as an `icmp` note */
  quoted?: QuotedTcpInfo;
}

export interface LifecycleOptions<R extends LifecycleRecord = LifecycleRecord> {
  /** keep a packet-by-packet timeline for these streams (explain) */
  timeline?: (stream: number, first: R) => boolean;
  /** at most this many timeline entries per stream (default 200000) */
  maxTimeline?: number;
  /** the application-layer line shown on a timeline entry (HTTP request line, TLS server name…): src/record.ts appLine */
  appLine?: (rec: R) => string | null;
  /**
   * Fold connections (src/tcp/fold.ts) with these settings: each summary goes to `onFold` as soon
   * as it is final, with its rank (0, 1, 2… in the order finish() would have listed it), and
   * finish() folds the rest. Not with timelines (explain needs whole connections).
   */
  fold?: FoldSettings;
  onFold?: (done: { summary: ConnSummary; timeline: ConnTimeline | undefined }, rank: number) => void;
}

const secs = (sec: number, nsec: number, sec0: number, nsec0: number): number => (sec - sec0) + (nsec - nsec0) / 1e9;

/** tcp.completeness bits a packet sets when it does not open its conversation (as analysis.ts computes them). */
function completenessBits(flags: number, len: number): number {
  const syn = (flags & TcpFlag.SYN) !== 0, ack = (flags & TcpFlag.ACK) !== 0;
  return (syn ? (ack ? Completeness.SYN_ACK : 0) : ack ? (len > 0 ? Completeness.DATA : Completeness.ACK) : 0)
    | ((flags & (TcpFlag.FIN | TcpFlag.ACK)) === (TcpFlag.FIN | TcpFlag.ACK) ? Completeness.FIN : 0)
    | ((flags & TcpFlag.RST) ? Completeness.RST : 0);
}

/** Per-connection tracking during the pass: hands each packet to the parts, builds the summary at the end. */
class ConnTrack {
  readonly stream: number;
  readonly conv: TcpConversation;
  /** the TcpInfo.flow value of packets the client sends */
  readonly clientFlow: 0 | 1;
  readonly client: ConnAddress;
  readonly server: ConnAddress;
  readonly firstFrame: number;
  readonly tunnel: TunnelHop[];
  readonly firstSec: number; readonly firstNsec: number;
  lastFrame = 0; lastT = 0;
  /** folding (src/tcp/fold.ts): what the queues hold, the capture time of the last packet and of the close (-1: open) */
  slot: Slot | undefined;
  seenAt = 0;
  closedAt = -1;
  /** the conversation's endpoints as [client, server] (src/tcp/endpoint.ts): packets, bytes, SYN/FIN/RST seen, last window */
  readonly ep: readonly [TcpEndpoint, TcpEndpoint];
  readonly midstream: boolean;
  readonly hs = new Handshake();
  readonly td = new Teardown();
  readonly fsm: ObserverFsm;
  readonly zeek: ZeekConn;
  readonly anomalies = new AnomalyCounter();
  readonly timeline: Timeline | undefined;
  /** tcp.completeness bits of the first packet as a later packet would set them (see finish) */
  private readonly firstBits: number;

  constructor(rec: LifecycleRecord, keepTimeline: boolean, maxTimeline: number) {
    const t = rec.tcp!, tcp = rec.packet.tcp!, ip = rec.packet.ip!;
    this.stream = t.stream;
    this.conv = t.conv;
    const f = tcp.flags;
    const synOnly = (f & (TcpFlag.SYN | TcpFlag.ACK | TcpFlag.RST)) === TcpFlag.SYN;
    const synAck = (f & (TcpFlag.SYN | TcpFlag.ACK)) === (TcpFlag.SYN | TcpFlag.ACK);
    // The client sent the first SYN; a SYN/ACK comes from the server; otherwise the first sender (as Wireshark's conversation source).
    const senderIsClient = !synAck;
    this.clientFlow = senderIsClient ? t.flow : (t.flow === 0 ? 1 : 0);
    this.ep = [t.conv.endpoints[this.clientFlow], t.conv.endpoints[this.clientFlow === 0 ? 1 : 0]];
    this.zeek = new ZeekConn(t.conv.endpoints);
    const d = rec.packet.frame.data;
    const src = ip.kind === 'ipv4' ? ipv4(ip.src) : ipv6At(d, ip.srcOffset);
    const dst = ip.kind === 'ipv4' ? ipv4(ip.dst) : ipv6At(d, ip.dstOffset);
    const a: ConnAddress = { ip: src, port: tcp.srcPort }, b: ConnAddress = { ip: dst, port: tcp.dstPort };
    this.client = senderIsClient ? a : b;
    this.server = senderIsClient ? b : a;
    this.firstFrame = rec.packet.frame.number;
    this.tunnel = tunnelsOf(rec.packet);
    this.firstSec = rec.packet.frame.tsSec; this.firstNsec = rec.packet.frame.tsNsec;
    this.midstream = !synOnly && !synAck;
    const initial = initialStates(synOnly, synAck);
    this.timeline = keepTimeline ? new Timeline(this.stream, [...initial], maxTimeline) : undefined;
    this.fsm = new ObserverFsm(initial, this.timeline);
    this.firstBits = completenessBits(f, tcp.len);
  }

  observe(rec: LifecycleRecord, appLine: ((rec: LifecycleRecord) => string | null) | undefined): void {
    const t = rec.tcp!, tcp = rec.packet.tcp!, fr = rec.packet.frame;
    const from: Side = t.flow === this.clientFlow ? 'client' : 'server';
    const to = other(from);
    const ti = idx(to);
    const f = tcp.flags;
    const SYN = (f & TcpFlag.SYN) !== 0, ACK = (f & TcpFlag.ACK) !== 0, FIN = (f & TcpFlag.FIN) !== 0, RST = (f & TcpFlag.RST) !== 0;
    const now = secs(fr.tsSec, fr.tsNsec, this.firstSec, this.firstNsec);
    this.lastFrame = fr.number; this.lastT = now;

    // Anomalies from the analysis stage's flags, plus SACK blocks.
    let sack = false;
    if (tcp.optionKinds & (1 << 5)) for (const o of tcp.options) if (o.kind === 5 && o.blocks.length) sack = true; // options parsed only when SACK is there
    this.anomalies.observe(t.analysis, sack, this.ep[ti].lastWindow === 0);

    // Zeek's view.
    const ip = rec.packet.ip!;
    this.zeek.observe({
      from: t.flow,
      flags: f, seq: tcp.seq, ack: tcp.ack, len: tcp.len,
      payloadCaptured: tcp.payloadCaptured >= tcp.len, window: tcp.window, srcPort: tcp.srcPort, dstPort: tcp.dstPort,
      ipLen: ip.kind === 'ipv4' ? ip.totalLen || ip.hdrLen + ip.payloadLen : ip.payloadLen + 40,
      time: fr.tsSec + fr.tsNsec / 1e9,
    });

    // Timeline entry (filled as we go).
    const entry: TimelineEntry | undefined = this.timeline?.add({
      frame: fr.number, t: now, from, flags: f, seq: t.seq, ack: t.ack, len: tcp.len, nxtseq: t.nxtseq, seqRaw: tcp.seq, ackRaw: tcp.ack,
      window: t.windowSize, states: ['CLOSED', 'CLOSED'], changes: [], events: [], analysis: t.analysis, sack, crossed: false,
      unexpected: null, app: appLine ? appLine(rec) : null,
    });

    const server = this.fsm.sides[1];
    if (this.hs.observe({ frame: fr.number, t: now, from, tcp, serverSent: server.sent })) entry?.events.push({ side: 'client', event: 'syn-retransmit' });
    this.td.observe({
      frame: fr.number, from, fin: FIN, rst: RST, ack: ACK, syn: SYN, relAck: t.ack, nxtseq: t.nxtseq, len: tcp.len,
      senderState: this.fsm.sides[idx(from)].state, handshakeDone: this.hs.done(this.midstream),
    });

    // Both endpoints' states.
    const kindSend: SegmentKind = RST ? 'RST' : SYN ? (ACK ? 'SYN_ACK' : 'SYN') : FIN ? 'FIN' : 'ACK';
    this.fsm.send(from, kindSend, ACK ? t.ack : undefined, { clientSyns: this.hs.synCount, synAckSeen: this.hs.synAckT >= 0 }, entry);
    let kindRecv: SegmentKind = kindSend;
    const rf = this.td.fin[ti];
    if (!RST && !SYN && ACK && rf && seqGe(t.ack, rf.end)) kindRecv = FIN ? 'FIN_ACK_OF_FIN' : 'ACK_OF_FIN';
    const needsAck = SYN || FIN ? t.nxtseq : undefined;
    this.fsm.recv(to, kindRecv, needsAck, entry);
    if (entry) entry.states = [this.fsm.sides[0].state, this.fsm.sides[1].state];
  }

  /** Both FINs sent and acknowledged, or a RST: only late stragglers can still come (fold rule b). */
  closed(): boolean {
    const td = this.td;
    return td.rst !== undefined || Boolean(td.fin[0] && td.fin[1] && td.finAck[0] && td.finAck[1]);
  }

  finish(): { summary: ConnSummary; timeline: ConnTimeline | undefined } {
    const [cf, sf] = this.fsm.sides;
    this.fsm.finish(this.hs.synCount, this.midstream);
    if (this.timeline && this.hs.synCount > 1 && sf.sent === 0) {
      const entries = this.timeline.data.entries;
      entries[entries.length - 1]?.events.push({ side: 'client', event: 'connect-times-out' });
    }
    const hs = this.hs.summary(sf.sent, this.conv.an?.irttNs ?? 0);
    const td = this.td.summary(hs.kind, [cf.state, sf.state]);
    const z = this.zeek.summary();
    const firstSender: Side = this.clientFlow === 0 ? 'client' : 'server';
    const [c, s] = this.ep;
    // tshark -2 dissects every packet again; the second time, the first packet no longer opens the
    // conversation, so its SYN/ACK, ACK, DATA, FIN and RST bits count too (from the second packet on).
    const completeness = (this.conv.an?.completeness ?? 0) | (c.packets + s.packets > 1 ? this.firstBits : 0);
    const summary: ConnSummary = {
      stream: this.stream, client: this.client, server: this.server,
      first_frame: this.firstFrame, last_frame: this.lastFrame,
      start: this.firstSec + this.firstNsec / 1e9, duration: this.lastT,
      packets: { client: c.packets, server: s.packets },
      bytes: { client: c.bytes, server: s.bytes },
      handshake: hs, teardown: td,
      anomalies: this.anomalies.list(), anomaly_counts: this.anomalies.record(),
      states: { client: cf.state, server: sf.state, midstream: this.midstream },
      conn_state: z.connState, history: z.history, completeness, completeness_str: completenessStr(completeness),
      tcptrace: tcptraceVerdict(c, s), zeek: { ...z, orig: zeekOriginator(firstSender, z.flipped) }, disagreements: [], unexpected: this.fsm.unexpected,
      ...(this.tunnel.length ? { tunnel: this.tunnel } : {}),
    };
    summary.disagreements = disagreements(summary);
    return { summary, timeline: this.timeline?.data };
  }
}

/**
 * What the folding queues hold for a connection: its rank, and the connection until it folds
 * (then only these few bytes stay queued until their turn, not the connection's state).
 */
class Slot {
  constructor(public track: ConnTrack | undefined, readonly rank: number) {}
}

/**
 * The lifecycle stage. Register with `dissector.addObserver(lifecycle)` before reading; call
 * `finish()` after the last packet for one summary per connection (in tcp.stream order).
 */
export class LifecycleTracker<R extends LifecycleRecord = LifecycleRecord> {
  private readonly conns = new Map<number, ConnTrack>();
  private readonly order: ConnTrack[] = [];
  /** ICMP errors naming each stream (src/tcp/icmp-errors.ts), with the quoted segment's flow */
  private readonly icmp = new Map<number, Array<Omit<IcmpNote, 'side'> & { flow: 0 | 1 }>>();
  private readonly keepTimeline: (stream: number, first: R) => boolean;
  private readonly maxTimeline: number;
  private readonly appLine: ((rec: LifecycleRecord) => string | null) | undefined;
  // Folding (src/tcp/fold.ts); unused without opts.fold.
  private readonly fold: FoldSettings | undefined;
  private readonly onFold: NonNullable<LifecycleOptions['onFold']>;
  /** capture time: the highest timestamp seen so far */
  private now = -Infinity;
  private nextRank = 0;
  /** open connections by conversation key (a new conversation on the same key replaces the old one: rule a) */
  private readonly byKey = new Map<TcpConversation['key'], ConnTrack>();
  /** connections by the capture time of their last packet when queued (rule c), closed ones by their close (rule b) */
  private readonly idleQ = new TimeQueue<Slot>();
  private readonly closedQ = new TimeQueue<Slot>();
  private closedCount = 0;
  /** connections in creation (rank) order, for the lowest rank still open */
  private readonly ranks = new TimeQueue<Slot>();
  /** TCP segments, and ICMP errors quoting one, that came for a folded connection */
  late = 0;
  lateIcmp = 0;

  constructor(opts: LifecycleOptions<R> = {}) {
    this.keepTimeline = opts.timeline ?? (() => false);
    this.maxTimeline = opts.maxTimeline ?? DEFAULT_MAX_TIMELINE;
    this.appLine = opts.appLine as ((rec: LifecycleRecord) => string | null) | undefined;
    this.fold = opts.timeline ? undefined : opts.fold;
    this.onFold = opts.onFold ?? (() => {});
  }

  observe(rec: R): void {
    const t = rec.tcp;
    const fold = this.fold;
    if (fold) {
      const fr = rec.packet.frame, ts = fr.tsSec + fr.tsNsec / 1e9;
      if (ts > this.now) this.now = ts;
    }
    if (!t && rec.quoted) {
      if (fold && isFolded(rec.quoted.conv)) this.lateIcmp++;
      else this.noteIcmp(rec.packet, rec.quoted);
    }
    // Sweeps come after the packet: the TCP tracker has already counted it on its connection's
    // endpoints, so a connection folds only with all of its packets seen here too. Observers that
    // must see a packet before its connection folds (its -Y match, its file) go before this one.
    if (!t || !rec.packet.tcp || !rec.packet.ip) { if (fold) this.sweep(fold); return; }
    if (fold && isFolded(t.conv)) { this.late++; this.sweep(fold); return; }
    let c = this.conns.get(t.stream);
    if (!c) {
      c = new ConnTrack(rec, this.keepTimeline(t.stream, rec), this.maxTimeline);
      this.conns.set(t.stream, c);
      if (fold) this.track(c);
      else this.order.push(c);
    }
    c.observe(rec, this.appLine);
    if (fold) {
      c.seenAt = this.now;
      if (c.closedAt < 0 && c.closed()) {
        c.closedAt = this.now;
        this.closedQ.push(c.slot!, this.now);
        this.closedCount++;
      }
      this.sweep(fold);
    }
  }

  /** With fold: every connection of a lower rank has been handed to onFold (or will never be). */
  get settledBelow(): number {
    const q = this.ranks;
    while (q.size && !q.peek()!.track) q.shift();
    return q.peek()?.rank ?? this.nextRank;
  }

  /** A new connection under folding: its rank and queues; the conversation it replaces on its 4-tuple folds now (rule a). */
  private track(c: ConnTrack): void {
    const slot = c.slot = new Slot(c, this.nextRank++);
    c.seenAt = this.now;
    const key = c.conv.key;
    const old = this.byKey.get(key);
    if (old && old.conv !== c.conv) this.foldConn(old);
    this.byKey.set(key, c);
    this.idleQ.push(slot, this.now);
    this.ranks.push(slot, 0);
  }

  /** Fold what rules b and c say is final (the heads of the queues only: O(1) amortised per packet). */
  private sweep(f: FoldSettings): void {
    const now = this.now;
    for (let q = this.closedQ.peek(); q; q = this.closedQ.peek()) {
      const c = q.track;
      if (!c) { this.closedQ.shift(); continue; }
      const over = this.closedCount > f.maxClosed;
      if (!over && !(this.closedQ.peekTime() + f.timeWait < now)) break;
      this.closedQ.shift();
      // A straggler after the close restarts the wait (unless the cap forces the fold).
      if (over || c.seenAt + f.timeWait < now) this.foldConn(c); else this.closedQ.push(q, c.seenAt);
    }
    for (let q = this.idleQ.peek(); q; q = this.idleQ.peek()) {
      const c = q.track;
      if (!c) { this.idleQ.shift(); continue; }
      if (!(this.idleQ.peekTime() + f.idle < now)) break;
      this.idleQ.shift();
      if (c.seenAt + f.idle < now) this.foldConn(c); else this.idleQ.push(q, c.seenAt);
    }
  }

  /** Build the summary, hand it on, drop the tracking state and leave a stub in the TCP tracker. */
  private foldConn(c: ConnTrack): void {
    const slot = c.slot!;
    slot.track = undefined;
    while (this.ranks.size && !this.ranks.peek()!.track) this.ranks.shift();
    this.conns.delete(c.stream);
    if (this.byKey.get(c.conv.key) === c) this.byKey.delete(c.conv.key);
    if (c.closedAt >= 0) this.closedCount--;
    const done = this.done(c);
    foldConversation(c.conv);
    this.onFold(done, slot.rank);
  }

  private done(c: ConnTrack): { summary: ConnSummary; timeline: ConnTimeline | undefined } {
    const done = c.finish();
    const notes = this.icmp.get(c.stream);
    if (notes) {
      done.summary.icmp = notes.map(({ flow, ...n }) => ({ ...n, side: flow === c.clientFlow ? 'client' : 'server' }));
      if (this.fold) this.icmp.delete(c.stream);
    }
    return done;
  }

  /** Summaries (and timelines for the streams that keep one), in tcp.stream order. */
  finish(): Array<{ summary: ConnSummary; timeline: ConnTimeline | undefined }> {
    if (this.fold) {
      // The rest in rank order (the Map keeps creation order).
      for (const c of [...this.conns.values()]) this.foldConn(c);
      this.icmp.clear();
      return [];
    }
    // Let each connection's tracking state go as soon as its summary exists (big captures).
    const out: Array<{ summary: ConnSummary; timeline: ConnTimeline | undefined }> = [];
    const order = this.order.splice(0);
    this.conns.clear();
    for (let i = 0; i < order.length; i++) {
      out.push(this.done(order[i]!));
      (order as Array<ConnTrack | undefined>)[i] = undefined;
    }
    this.icmp.clear();
    return out;
  }

  private noteIcmp(pkt: Packet, q: QuotedTcpInfo): void {
    const n = icmpNote(pkt, q);
    if (!n) return;
    const list = this.icmp.get(q.stream);
    if (list) list.push(n); else this.icmp.set(q.stream, [n]);
  }
}
