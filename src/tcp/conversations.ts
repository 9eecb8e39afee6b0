/**
 * TCP conversations as Wireshark 4.0 numbers them: `tcp.stream`, relative sequence and
 * acknowledgement numbers, window scaling and per-stream times. One in-order pass; the
 * rules are written out in docs/tcp-analysis.md.
 */
import type { Packet, TcpLayer } from '../decode/types.js';
import { TcpFlag } from '../decode/types.js';
import type { TcpConversation, TcpInfo } from './types.js';
import { analyzeSegment, ConvAnalysis, type SegmentInput, type SegmentOutput, type TwoPassFinals } from './analysis.js';
import { Endpoint } from './endpoint.js';
import { scaleFactorField, shiftOf, WS_NONE, wsShift } from './window-scale.js';
import { seqAdd, seqOffset } from '../core/seq.js';
import { quotedTcp, type QuotedTcpInfo } from './quoted.js';
import { ConvTable, keyString, type ConvKeyWords } from './conv-table.js';
import type { Frame } from '../capture/types.js';

/** One direction of a conversation (Wireshark's tcp_flow): the Endpoint of src/tcp/endpoint.ts. */
export type TcpFlow = Endpoint;

export type { TcpConversation } from './types.js';


/**
 * Conversations announced before their first packet by an application protocol (FTP's passive
 * mode: src/app/ftp-expect.ts). Wireshark then does not count their first SYN as opening a new
 * conversation (tcp.completeness).
 */
export interface ExpectedConversations {
  /** true (once) when the conversation this first packet opens was announced */
  claim(pkt: Packet): boolean;
}

/** One conversation; its string `key` is made only when asked for (the table keys by numbers). */
class Conversation implements TcpConversation {
  readonly endpoints: [Endpoint, Endpoint] = [new Endpoint(0), new Endpoint(1)];
  readonly flows = this.endpoints;
  firstFrame: number;
  firstSec: number; firstNsec: number;
  prevSec: number; prevNsec: number;
  lastFrame: number;
  an = new ConvAnalysis();
  keyWords: ConvKeyWords = NO_KEY;
  constructor(readonly stream: number, readonly firstIsHigh: 0 | 1, f: Frame) {
    this.firstFrame = this.lastFrame = f.number;
    this.firstSec = this.prevSec = f.tsSec;
    this.firstNsec = this.prevNsec = f.tsNsec;
  }
  get key(): string { return keyString(this.keyWords); }
}
const NO_KEY: ConvKeyWords = [];
const OPT_SACK = 1 << 5;

/**
 * A folded conversation (`conns` in bounded memory: src/tcp/fold.ts): the lifecycle has built its
 * summary and let its state go. What stays in the tracker's table is the stream number, the key,
 * the direction, the times, and the relative-number base of each direction, which is all a
 * later SYN needs to be told apart as a reuse of the 4-tuple (a new tcp.stream, as before).
 */
interface FoldedConversation extends TcpConversation {
  folded: readonly [number | undefined, number | undefined];
}

/** Shared stand-ins for a folded conversation's endpoints and analysis: never written (track() swaps in lateConversation first; trackQuoted only reads). */
const FOLDED_ENDPOINTS: [Endpoint, Endpoint] = [new Endpoint(0), new Endpoint(1)];
const FOLDED_ANALYSIS = new ConvAnalysis();

/** Fold a conversation in place: drop its per-direction and analysis state, keep the stub (see FoldedConversation). */
export function foldConversation(conv: TcpConversation): void {
  const c = conv as FoldedConversation;
  if (c.folded) return;
  c.folded = [conv.endpoints[0].base, conv.endpoints[1].base];
  // endpoints and flows are readonly for everyone else; a fold is the one place that swaps them.
  const w = c as { endpoints: [Endpoint, Endpoint]; flows: [Endpoint, Endpoint] };
  w.endpoints = w.flows = FOLDED_ENDPOINTS;
  c.an = FOLDED_ANALYSIS;
}

/** The conversation was folded (a packet for it is a late packet), or is the stand-in built for such a packet. */
export function isFolded(conv: TcpConversation): boolean {
  return (conv as Partial<FoldedConversation>).folded !== undefined;
}

/**
 * A packet for a folded conversation: a throw-away conversation with the stub's stream and
 * bases, so that the packet is numbered as before and a reusing SYN is recognised exactly as
 * before (it then starts a new conversation that replaces the stub in the table). Nothing the
 * packet changes is kept.
 */
function lateConversation(stub: FoldedConversation): FoldedConversation {
  const c = new Conversation(stub.stream, stub.firstIsHigh, { number: stub.firstFrame, tsSec: stub.firstSec, tsNsec: stub.firstNsec } as Frame) as Conversation & FoldedConversation;
  c.prevSec = stub.prevSec; c.prevNsec = stub.prevNsec; c.lastFrame = stub.lastFrame;
  c.keyWords = stub.keyWords;
  c.endpoints[0].base = stub.folded[0];
  c.endpoints[1].base = stub.folded[1];
  c.folded = stub.folded;
  return c;
}

/** Tracks every TCP conversation of a capture in one in-order pass. */
export class TcpTracker {
  private readonly table = new ConvTable<TcpConversation>();
  private nextStream = 0;
  /** the inputs and outputs of analyzeSegment, refilled for every packet (neither is kept) */
  private readonly seg: SegmentInput = {
    frame: 0, sec: 0, nsec: 0, seq: 0, ack: 0, flags: 0, window: 0, seglen: 0, sack: undefined, headerComplete: false, short: false,
  };
  private readonly out: SegmentOutput = { flags: 0, result: undefined, completeness: 0, events: 0 };
  /** `-2`: final per-stream values from a first pass (see collectFinals in analysis.ts); tcp.completeness and the iRTT come from here */
  finals: TwoPassFinals | undefined;
  /** `expected`: conversations announced by an application protocol (they are not "new" when their SYN comes: tcp.completeness) */
  constructor(private readonly expected?: ExpectedConversations) {}

  get conversationCount(): number { return this.nextStream; }

  /** Update the state with one packet and return its TCP numbers (undefined for non-TCP packets). */
  track(pkt: Packet): TcpInfo | undefined {
    const tcp = pkt.tcp, ip = pkt.ip;
    if (!tcp || !ip || tcp.hdrLen < 20) return undefined;
    const f = pkt.frame;
    const table = this.table;
    let conv = table.lookup(f.data, ip.srcOffset, ip.dstOffset, ip.kind === 'ipv4' ? 4 : 16, tcp.srcPort, tcp.dstPort);
    if (conv !== undefined && (conv as FoldedConversation).folded) conv = lateConversation(conv as FoldedConversation);
    const high = table.high;
    const flags = tcp.flags;
    const synOnly = (flags & (TcpFlag.SYN | TcpFlag.ACK)) === TcpFlag.SYN;
    const synAck = (flags & (TcpFlag.SYN | TcpFlag.ACK)) === (TcpFlag.SYN | TcpFlag.ACK);
    let reused = false;
    if (conv) {
      const fwd = conv.endpoints[high === conv.firstIsHigh ? 0 : 1];
      // Wireshark 4.0: a SYN (or SYN/ACK) whose seq differs from the known base of its direction
      // means the 4-tuple was reused. A SYN starts a new conversation (new tcp.stream) here; a
      // SYN/ACK stays in the same one and only restarts its direction's relative numbers
      // (observed with tshark 4.0.17).
      if ((synOnly || synAck) && fwd.base !== undefined && tcp.seq !== fwd.base) {
        if (synOnly) conv = undefined;
        else fwd.base = tcp.seq;
        reused = true;
      }
    }
    let fresh = false;
    if (!conv) {
      fresh = !this.expected?.claim(pkt);
      const c = new Conversation(this.nextStream++, high, f);
      c.keyWords = table.set(c);
      conv = c;
    }
    const fwdIdx: 0 | 1 = high === conv.firstIsHigh ? 0 : 1;
    const fwd = conv.endpoints[fwdIdx];
    const rev = conv.endpoints[fwdIdx === 0 ? 1 : 0];
    // A short segment (the packet ends inside the header its length field claims) is not analysed by tshark.
    const short = pkt.problems.length > 0 && pkt.problems.some((p) => p.id === 'tcp-header-exceeds-segment');
    if (short) return this.trackShort(pkt, tcp, conv, fwdIdx, fwd, rev, reused, fresh);
    // Relative-number bases (tcp_analyze_sequence_number): from the first packet of each direction;
    // the reverse base also from the first ACK-flagged packet (ack − 1), never from a SYN's ack field.
    if (fwd.base === undefined) {
      if (flags & TcpFlag.SYN) {
        fwd.base = tcp.seq;
        if (flags & TcpFlag.ACK) fwd.sawSynAck = true; else fwd.sawSyn = true;
      } else fwd.base = seqAdd(tcp.seq, -1);
    }
    if (rev.base === undefined && (flags & TcpFlag.ACK)) rev.base = seqAdd(tcp.ack, -1);

    if (flags & TcpFlag.SYN) this.windowScaling(tcp, fwd, rev, synAck);

    const seq = seqOffset(fwd.base, tcp.seq);
    const ack = (flags & TcpFlag.ACK) ? seqOffset(rev.base!, tcp.ack) : tcp.ack;
    const nxtseq = seqAdd(seq, tcp.len + ((flags & TcpFlag.SYN) ? 1 : 0) + ((flags & TcpFlag.FIN) ? 1 : 0));
    let windowSize = tcp.window, scaleFactor: number | undefined;
    if (!(flags & TcpFlag.SYN)) {
      windowSize = tcp.window * 2 ** shiftOf(fwd.winScale);
      scaleFactor = scaleFactorField(fwd.winScale);
    }
    fwd.packets++;
    fwd.bytes += tcp.len;
    if (flags & TcpFlag.SYN) fwd.synSeen = true;
    if (flags & TcpFlag.FIN) fwd.finSeen = true;
    if (flags & TcpFlag.RST) fwd.rstSeen = true;
    fwd.lastWindow = (flags & TcpFlag.SYN) ? undefined : windowSize;
    // Sequence analysis (tcp.analysis.*, tcp.completeness): src/tcp/analysis.ts.
    let sack: Array<[number, number]> | undefined;
    // (the options are parsed only when the header has a SACK option: src/decode/tcp-header.ts)
    if (tcp.optionKinds & OPT_SACK) for (const o of tcp.options) if (o.kind === 5) sack = o.blocks;
    const s = this.seg;
    s.frame = f.number; s.sec = f.tsSec; s.nsec = f.tsNsec; s.seq = tcp.seq; s.ack = tcp.ack; s.flags = flags; s.window = tcp.window;
    s.seglen = tcp.len; s.sack = sack; s.headerComplete = tcp.captured >= tcp.hdrLen; s.short = false;
    const an = analyzeSegment(conv.an, fwdIdx, fwd, rev, s, reused, fresh, this.finals?.[conv.stream], this.out);
    const info: TcpInfo = {
      stream: conv.stream, conv, flow: fwdIdx, analysis: an.flags, seq, ack, nxtseq, windowSize, scaleFactor,
      relSec: f.tsSec - conv.firstSec, relNsec: f.tsNsec - conv.firstNsec,
      deltaSec: f.tsSec - conv.prevSec, deltaNsec: f.tsNsec - conv.prevNsec,
      revBase: rev.base, reusedPorts: reused,
      completeness: an.completeness, an: an.result, events: an.events,
    };
    conv.prevSec = f.tsSec; conv.prevNsec = f.tsNsec; conv.lastFrame = f.number;
    return info;
  }

  /**
   * A TCP header quoted by an ICMP error (src/tcp/quoted.ts): the conversation it names (created
   * when unseen, as tshark does), without touching its analysis; only its previous-frame time moves.
   */
  trackQuoted(pkt: Packet): QuotedTcpInfo | undefined {
    const q = quotedTcp(pkt);
    if (!q) return undefined;
    const f = pkt.frame;
    const table = this.table;
    let conv = table.lookup(f.data, q.ip.srcOffset, q.ip.dstOffset, q.ip.kind === 'ipv4' ? 4 : 16, q.tcp.srcPort, q.tcp.dstPort);
    const high = table.high;
    if (!conv) {
      const c = new Conversation(this.nextStream++, high, f);
      c.keyWords = table.set(c);
      conv = c;
    }
    const flow: 0 | 1 = high === conv.firstIsHigh ? 0 : 1;
    const info: QuotedTcpInfo = {
      stream: conv.stream, conv, flow, icmp: q.icmp, ip: q.ip, tcp: q.tcp,
      windowSize: q.tcp.window, scaleFactor: scaleFactorField(conv.endpoints[flow].winScale),
      completeness: conv.an.completeness,
      relSec: f.tsSec - conv.firstSec, relNsec: f.tsNsec - conv.firstNsec,
      deltaSec: f.tsSec - conv.prevSec, deltaNsec: f.tsNsec - conv.prevNsec,
      hasTimes: q.tcp.captured >= 20,
    };
    conv.prevSec = f.tsSec; conv.prevNsec = f.tsNsec;
    return info;
  }

  /** A short segment: raw numbers, no bases, no window scale from its options; only the completeness bits and the packet count. */
  private trackShort(pkt: Packet, tcp: TcpLayer, conv: TcpConversation, fwdIdx: 0 | 1, fwd: TcpFlow, rev: TcpFlow, reused: boolean, fresh: boolean): TcpInfo {
    const f = pkt.frame, flags = tcp.flags;
    fwd.packets++;
    const s = this.seg;
    s.frame = f.number; s.sec = f.tsSec; s.nsec = f.tsNsec; s.seq = tcp.seq; s.ack = tcp.ack; s.flags = flags; s.window = tcp.window;
    s.seglen = 0; s.sack = undefined; s.headerComplete = false; s.short = true;
    const an = analyzeSegment(conv.an, fwdIdx, fwd, rev, s, reused, fresh, this.finals?.[conv.stream], this.out);
    // tshark shows the raw numbers (src/fields/tcp.ts); the lifecycle still reads relative ones.
    const syn = (flags & TcpFlag.SYN) !== 0;
    const seq = fwd.base !== undefined ? seqOffset(fwd.base, tcp.seq) : syn ? 0 : 1;
    const ack = !(flags & TcpFlag.ACK) ? tcp.ack : rev.base !== undefined ? seqOffset(rev.base, tcp.ack) : 1;
    const nxtseq = seqAdd(seq, (syn ? 1 : 0) + ((flags & TcpFlag.FIN) ? 1 : 0));
    const info: TcpInfo = {
      stream: conv.stream, conv, flow: fwdIdx, analysis: an.flags, seq, ack, short: true, nxtseq,
      windowSize: tcp.window, scaleFactor: (flags & TcpFlag.SYN) ? undefined : scaleFactorField(fwd.winScale),
      relSec: f.tsSec - conv.firstSec, relNsec: f.tsNsec - conv.firstNsec,
      deltaSec: f.tsSec - conv.prevSec, deltaNsec: f.tsNsec - conv.prevNsec,
      revBase: rev.base, reusedPorts: reused,
      completeness: an.completeness, an: an.result, events: an.events,
    };
    conv.prevSec = f.tsSec; conv.prevNsec = f.tsNsec; conv.lastFrame = f.number;
    return info;
  }

  /** Window-scale bookkeeping on SYN segments (Wireshark's option handler plus its check on SYN/ACK). */
  private windowScaling(tcp: TcpLayer, fwd: TcpFlow, rev: TcpFlow, synAck: boolean): void {
    for (const o of tcp.options) if (o.kind === 3) fwd.winScale = wsShift(Math.min(o.shift, 14));
    if (fwd.winScale.kind === 'unknown') {
      // This SYN (or SYN/ACK) has no WS option: neither side scales.
      fwd.winScale = WS_NONE; rev.winScale = WS_NONE;
    } else if (synAck && rev.winScale.kind === 'none') {
      // WS on the SYN/ACK but not on the SYN: the endpoints will not scale.
      fwd.winScale = WS_NONE;
    }
  }
}
