/**
 * Wireshark 4.0's TCP sequence analysis (`tcp.analysis.*`), re-implemented from its documented
 * and observed behaviour: the same checks, in the same order, with the same constants. The
 * rules are written out in docs/tcp-analysis.md; keep the two in sync.
 *
 * Everything here works on raw (wire) sequence numbers with 32-bit wrap-around, as Wireshark
 * does; 0 means "not seen yet" for nextseq, lastack and maxseqtobeacked (Wireshark's sentinel).
 * Relative numbers are only made for the "why" record that explains a flag.
 *
 * Memory per connection is bounded: at most MAX_UNACKED_SEGMENTS unacknowledged segments are
 * remembered per direction (as Wireshark 4.0 caps them); everything else is a fixed
 * set of numbers.
 */
import { TcpFlag } from '../decode/types.js';
import { Completeness, TcpA } from './vocab.js';
import { seqAdd, seqDiff, seqOffset } from '../core/seq.js';
import { shiftOf, type WindowScale } from './window-scale.js';

/** Wireshark 4.0's cap on the unacknowledged segments remembered per direction (observed: segments past 10000 are not tracked). */
export const MAX_UNACKED_SEGMENTS = 10_000;
/** A retransmission within this time of the peer's last (duplicate) ACK is "fast" (20 ms). */
export const FAST_RETRANSMISSION_NS = 20_000_000;
/** Out-of-order threshold when the initial RTT is unknown (3 ms). */
export const DEFAULT_OOO_THRESHOLD_NS = 3_000_000;

/** tcp.completeness bits (Wireshark 3.6+): the COMPLETENESS_BITS registry of src/tcp/vocab.ts. */
export { Completeness } from './vocab.js';

/** Per-packet TCP expert events that need connection state (beyond the flag bits). */
export const TcpEvent = {
  /** tcp.connection.fin_active: a FIN from the side that closed first */
  FIN_ACTIVE: 1,
  /** tcp.connection.fin_passive: a FIN from the other side */
  FIN_PASSIVE: 2,
  /** tcp.options.sack.dsack: the first SACK block reports data already acknowledged (RFC 2883) */
  DSACK: 4,
  /** tcp.analysis.tfo_ack: a SYN/ACK that acknowledges the data sent with the SYN (TCP Fast Open) */
  TFO_ACK: 8,
  /** tcp.analysis.tfo_ignored: a SYN/ACK that acknowledges only the SYN, not its data */
  TFO_IGNORED: 16,
} as const;

const SYN_FIN = TcpFlag.SYN | TcpFlag.FIN;
const SYN_FIN_RST = TcpFlag.SYN | TcpFlag.FIN | TcpFlag.RST;


/** One remembered segment that the other side has not acknowledged yet. */
export interface UnackedSegment {
  frame: number;
  /** raw sequence number of the first byte not yet acknowledged */
  seq: number;
  /** raw seq + len (+1 for SYN/FIN) */
  nextseq: number;
  sec: number;
  nsec: number;
}

/** The sequence-analysis state of one direction (Wireshark's tcp_analyze_seq_info plus a few tcp_flow members). */
export class FlowAnalysis {
  /** highest seq + len (+SYN/FIN) seen, raw; 0 = none yet */
  nextseq = 0;
  nextseqFrame = 0;
  nextseqSec = 0;
  nextseqNsec = 0;
  /** ack field of the previous segment in this direction, raw */
  lastack = 0;
  lastackSec = 0;
  lastackNsec = 0;
  /** highest contiguous nextseq seen: acks beyond it acknowledge something never captured */
  maxseqtobeacked = 0;
  /** raw window field of the previous segment; Wireshark starts from an impossible value */
  window = 0xffffffff;
  /** TcpA flags of the previous segment (keep-alive / zero-window-probe answers look at it) */
  lastFlags = 0;
  /** duplicate ACKs in a row for the same ack number, and the frames of the first and last of them */
  dupacks = 0;
  dupFirstFrame = 0;
  dupLastFrame = 0;
  /** frame of the last segment of this direction */
  lastFrame = 0;
  /** the last frame whose ack number differed from the one before (tcp.analysis.duplicate_ack_frame) */
  lastNonDupAck = 0;
  /** bytes in flight are trustworthy (false after a gap until the peer acknowledges) */
  validBif = true;
  pushBytes = 0;
  pushLast = false;
  /** this direction's nextseq when the peer's ack was last flagged "ACKed unseen segment" (-1: never) */
  ackLostAt = -1;
  /** seq and length of this direction's SYN when it carried data (TCP Fast Open) */
  synSeq = 0;
  synDataLen = 0;
  /** no pure ACK sent yet in this direction: the window is still the SYN's unscaled one */
  firstAck = true;
  /** bytes covered by the SACK blocks of the last segment of this direction (0 when it had none) */
  sacked = 0;
  readonly unacked: UnackedSegment[] = [];
  /**
   * Cached span of `unacked` relative to `spanBase` (lowest seq, highest nextseq), kept up to date
   * while segments are only added; `spanDirty` after a trim or removal. Spares a walk over the
   * list on every segment of a long one-way stream.
   */
  spanLo = 0;
  spanHi = 0;
  spanBase = 0;
  spanDirty = true;
}

/** Bring the cached span of a direction's unacknowledged segments up to date. */
function span(f: FlowAnalysis, base: number): void {
  if (!f.spanDirty && f.spanBase === base) return;
  const list = f.unacked;
  let lo = 0, hi = 0;
  if (list.length) {
    const last = list[list.length - 1]!;
    lo = seqOffset(base, last.seq); hi = seqOffset(base, last.nextseq);
    for (let i = list.length - 2; i >= 0; i--) {
      const u = list[i]!;
      const a = seqOffset(base, u.seq), b = seqOffset(base, u.nextseq);
      if (b > hi) hi = b;
      if (a < lo) lo = a;
    }
  }
  f.spanLo = lo; f.spanHi = hi; f.spanBase = base; f.spanDirty = false;
}

/** Connection-wide analysis state (kept on TcpConversation; the lifecycle engine reads `completeness`). */
export class ConvAnalysis {
  /** running tcp.completeness (bits of Completeness); final once the capture is read */
  completeness = 0;
  /**
   * the bits the conversation's first packet would set if it did not open the conversation:
   * `tshark -2` shows `completeness | firstBits` from the second packet on (it dissects everything
   * again, and the second time the conversation already exists)
   */
  firstBits = 0;
  /** initial RTT in ns (SYN → first ACK); 0 = unknown, as in Wireshark */
  irttNs = 0;
  /** time of the most recent pure SYN */
  synSec = 0;
  synNsec = 0;
  sawSyn = false;
  /** flow index (0/1) of the first FIN, -1 before it */
  finFlow = -1;
}

/** The numbers a rule compared, kept for the packets that got a flag ("why" texts). Relative numbers. */
export interface AnalysisWhy {
  seq: number;
  seglen: number;
  nxtseq: number;
  ack: number;
  /** raw window field of this segment, and its scaled value */
  window: number;
  /** this direction before the packet: next expected seq, last ack, last raw window */
  nextseq: number | undefined;
  lastack: number | undefined;
  prevWindow: number | undefined;
  /** the other direction before the packet */
  revNextseq: number | undefined;
  revLastack: number | undefined;
  revWindow: number | undefined;
  revShift: number;
  revMaxseqtobeacked: number | undefined;
  revDupacks: number;
  /** flags and frame of the other direction's last segment */
  revLastFlags: number;
  revLastFrame: number;
  /** the other direction's ACK that the duplicates repeat, and the first and last duplicate (fast retransmission) */
  revAckFrame: number;
  revDupFirst: number;
  revDupLast: number;
  /** window shift of this direction (0 when not scaled) and of the other one */
  winShift: number;
  /** ns since the other direction's last segment (fast retransmission window) */
  sinceRevAckNs: number;
  /** ns since this direction's highest segment was sent (out-of-order threshold) */
  sinceNextseqNs: number;
  nextseqFrame: number;
  oooThresholdNs: number;
  irttKnown: boolean;
}

/** Results Wireshark shows in the `[SEQ/ACK analysis]` tree; the object exists only when the tree does. */
export interface TcpAnalysisResult {
  /** tcp.analysis.duplicate_ack_num / _frame */
  dupAckNum?: number;
  dupAckFrame?: number;
  /** tcp.analysis.acks_frame and tcp.analysis.ack_rtt (ns; absent when 0) */
  acksFrame?: number;
  ackRttNs?: number;
  /** tcp.analysis.bytes_in_flight / push_bytes_sent */
  bytesInFlight?: number;
  pushBytesSent?: number;
  /** tcp.analysis.initial_rtt (ns), shown only inside the tree and only once known */
  irttNs?: number;
  /** tcp.analysis.rto / rto_frame (plain retransmissions) */
  rtoNs?: number;
  rtoFrame?: number;
  /** the compared numbers behind the flags, when a flag fired */
  why?: AnalysisWhy;
}

/** The inputs of one segment. */
export interface SegmentInput {
  frame: number;
  sec: number;
  nsec: number;
  /** raw header values */
  seq: number;
  ack: number;
  flags: number;
  window: number;
  seglen: number;
  /** raw SACK blocks of this segment (undefined when it carries no SACK option) */
  sack: Array<[number, number]> | undefined;
  /**
   * the whole header (options included) was captured; when not, tshark stops dissecting inside
   * the options and shows no sequence analysis for the packet (its state is still updated)
   */
  headerComplete: boolean;
  /** a short segment (its packet ends inside the TCP header): only the completeness bits are taken from it, as in tshark */
  short?: boolean;
}

/** Per-packet output (written into TcpInfo by the tracker; the tracker passes one object it reuses). */
export interface SegmentOutput {
  /** TcpA bits (REUSED_PORTS is passed in) */
  flags: number;
  result: TcpAnalysisResult | undefined;
  /** tcp.completeness as Wireshark 4.0 shows it: the value before this packet (one pass) or the final one (-2) */
  completeness: number;
  /** TcpEvent bits */
  events: number;
}

/** What the analysis reads of an endpoint (src/tcp/endpoint.ts). */
interface FlowView {
  base: number | undefined;
  winScale: WindowScale;
  an: FlowAnalysis;
}

const elapsedNs = (sec: number, nsec: number, sec0: number, nsec0: number): number => (sec - sec0) * 1e9 + (nsec - nsec0);

/**
 * Analyse one segment: Wireshark's tcp_analyze_sequence_number plus the bits of dissect_tcp
 * around it (completeness, iRTT, window-scale first-ACK flag, FIN roles, SACK bookkeeping).
 * `newConversation`: this packet created the conversation (and no other protocol announced it).
 * The results go into `out` (returned); `s` and `out` are not kept, so callers may reuse them.
 */
export function analyzeSegment(
  conv: ConvAnalysis, fwdIdx: 0 | 1, fwdFlow: FlowView, revFlow: FlowView, s: SegmentInput, reused: boolean, newConversation: boolean,
  final: StreamFinal | undefined, out: SegmentOutput,
): SegmentOutput {
  const fwd = fwdFlow.an, rev = revFlow.an;
  const { seq, ack, flags, window, seglen } = s;
  // tshark -2: in its second pass a SYN/ACK whose seq differs from the base its direction ended
  // with (a later SYN/ACK restarted the numbers) is flagged "port numbers reused" too.
  if (final && (flags & (TcpFlag.SYN | TcpFlag.ACK)) === (TcpFlag.SYN | TcpFlag.ACK)) {
    const b = final.bases[fwdIdx];
    if (b !== undefined && b !== s.seq) reused = true;
  }
  let ta = reused ? TcpA.REUSED_PORTS : 0;
  let hasTa = reused;
  let events = 0;

  // Conversation completeness: the shown value is the one before this packet's update.
  // The packet that creates a conversation can only set SYN (a pure SYN, plus DATA for a SYN
  // with payload); every later packet sets the other bits.
  const completenessBefore = conv.completeness;
  let bits = 0;
  if (flags & TcpFlag.SYN) {
    if (flags & TcpFlag.ACK) bits |= Completeness.SYN_ACK;
  } else if (flags & TcpFlag.ACK) bits |= seglen > 0 ? Completeness.DATA : Completeness.ACK;
  if ((flags & (TcpFlag.FIN | TcpFlag.ACK)) === (TcpFlag.FIN | TcpFlag.ACK)) bits |= Completeness.FIN;
  if (flags & TcpFlag.RST) bits |= Completeness.RST;
  if (newConversation) {
    // What this packet would have set had the conversation existed: tshark -2 adds it in its second pass.
    conv.firstBits = bits;
    if ((flags & (TcpFlag.SYN | TcpFlag.ACK)) === TcpFlag.SYN) {
      conv.completeness |= Completeness.SYN;
      if (seglen > 0) conv.completeness |= Completeness.DATA;
    }
  } else conv.completeness |= bits;

  // Initial RTT: from the most recent pure SYN to the first ACK without SYN.
  const synAck = flags & (TcpFlag.SYN | TcpFlag.ACK);
  if (synAck === TcpFlag.SYN) { conv.synSec = s.sec; conv.synNsec = s.nsec; conv.sawSyn = true; }
  if (synAck === TcpFlag.ACK) {
    if (conv.sawSyn && conv.irttNs === 0) conv.irttNs = elapsedNs(s.sec, s.nsec, conv.synSec, conv.synNsec);
    fwd.firstAck = false;
  }

  // TCP Fast Open: does the SYN/ACK acknowledge the data of the SYN?
  if ((flags & (TcpFlag.SYN | TcpFlag.ACK)) === TcpFlag.SYN && seglen > 0) { fwd.synSeq = seq; fwd.synDataLen = seglen; }
  if (synAck === (TcpFlag.SYN | TcpFlag.ACK) && rev.synDataLen > 0) {
    if (ack === seqAdd(rev.synSeq, 1 + rev.synDataLen)) events |= TcpEvent.TFO_ACK;
    else if (ack === seqAdd(rev.synSeq, 1)) events |= TcpEvent.TFO_IGNORED;
  }

  // FIN roles (tcp.connection.fin_active / fin_passive).
  if (flags & TcpFlag.FIN) {
    if (conv.finFlow < 0) conv.finFlow = fwdIdx;
    events |= conv.finFlow === fwdIdx ? TcpEvent.FIN_ACTIVE : TcpEvent.FIN_PASSIVE;
  }
  // A short segment (tshark's "Short segment") stops here: no sequence analysis.
  if (s.short) {
    const shown = final ? (s.frame === final.firstFrame ? final.completeness : final.completeness | final.firstBits) : completenessBefore;
    return output(out, ta, undefined, shown, events);
  }

  // made only when there is something to put in it (most segments have no analysis tree)
  let result: TcpAnalysisResult | undefined;
  // Snapshot for the why record (cheap numbers; the object is built only when a flag fires).
  const prevNextseq = fwd.nextseq, prevNextseqFrame = fwd.nextseqFrame, prevLastack = fwd.lastack, prevWindow = fwd.window;
  const prevRevMaxseq = rev.maxseqtobeacked;
  const sinceRevAck = elapsedNs(s.sec, s.nsec, rev.lastackSec, rev.lastackNsec);
  const sinceNextseq = elapsedNs(s.sec, s.nsec, fwd.nextseqSec, fwd.nextseqNsec);
  const oooThreshold = conv.irttNs !== 0 ? conv.irttNs : DEFAULT_OOO_THRESHOLD_NS;
  const revDupacks = rev.dupacks, revDupFirst = rev.dupFirstFrame, revDupLast = rev.dupLastFrame, revAckFrame = rev.lastNonDupAck;
  const revLastFrame = rev.lastFrame;
  const noSfr = (flags & SYN_FIN_RST) === 0;

  if (flags & TcpFlag.ACK) rev.validBif = true;

  check: {
    // 1. ZERO WINDOW PROBE: one byte at the next expected seq while the peer's window is 0.
    if (seglen === 1 && seq === fwd.nextseq && rev.window === 0) {
      ta |= TcpA.ZERO_WINDOW_PROBE;
      break check;
    }
    // 2. ZERO WINDOW: this segment advertises a zero window (SYN/FIN/RST excepted).
    if (window === 0 && noSfr) ta |= TcpA.ZERO_WINDOW;
    // 3. LOST SEGMENT: the segment starts beyond the next expected seq.
    if (fwd.nextseq !== 0 && seqDiff(seq, fwd.nextseq) > 0 && !(flags & TcpFlag.RST)) {
      ta |= TcpA.LOST_PACKET;
      fwd.validBif = false;
    }
    // 4. KEEP-ALIVE: 0 or 1 byte starting one byte before the next expected seq.
    if (seglen <= 1 && seq === seqAdd(fwd.nextseq, -1) && noSfr) ta |= TcpA.KEEP_ALIVE;
    const sameSeqAck = seglen === 0 && seq === fwd.nextseq && ack === fwd.lastack && noSfr;
    // 5. WINDOW UPDATE: no data, same seq and ack, a new non-zero window.
    if (sameSeqAck && window !== 0 && window !== fwd.window) ta |= TcpA.WINDOW_UPDATE;
    // 6. WINDOW FULL: the data reaches exactly the right edge of the peer's advertised window.
    if (seglen > 0 && revFlow.winScale.kind !== 'unknown' && noSfr) {
      const shift = rev.firstAck ? 0 : shiftOf(revFlow.winScale);
      if (seqAdd(seq, seglen) === seqAdd(rev.lastack, rev.window * 2 ** shift)) ta |= TcpA.WINDOW_FULL;
    }
    // 7. KEEP-ALIVE ACK: repeats the last ack and window right after a keep-alive from the peer.
    if (sameSeqAck && window !== 0 && window === fwd.window && (rev.lastFlags & TcpA.KEEP_ALIVE)) {
      ta |= TcpA.KEEP_ALIVE_ACK;
      break check;
    }
    // 8. ZERO WINDOW PROBE ACK: repeats the zero window right after a zero-window probe from the peer.
    if (sameSeqAck && window === 0 && window === fwd.window && (rev.lastFlags & TcpA.ZERO_WINDOW_PROBE)) {
      ta |= TcpA.ZERO_WINDOW_PROBE_ACK;
      break check;
    }
    // 9. DUPLICATE ACK: no data, same seq, ack and (non-zero) window as the previous segment.
    if (sameSeqAck && window !== 0 && window === fwd.window) {
      if (++fwd.dupacks === 1) fwd.dupFirstFrame = s.frame;
      fwd.dupLastFrame = s.frame;
      ta |= TcpA.DUPLICATE_ACK;
      (result ??= {}).dupAckNum = fwd.dupacks;
      result!.dupAckFrame = fwd.lastNonDupAck;
    }
  }
  // The duplicate-ACK count starts again whenever the ack number moves.
  if (ack !== fwd.lastack) {
    fwd.lastNonDupAck = s.frame;
    fwd.dupacks = 0;
  }

  // 10. ACKED UNSEEN SEGMENT: the ack is beyond anything the peer was seen to send.
  // Observed with tshark 4.0.17: once flagged, later acks beyond the mark get the analysis tree
  // but no flag again until the peer's nextseq has moved.
  if (rev.maxseqtobeacked !== 0 && seqDiff(ack, rev.maxseqtobeacked) > 0 && (flags & TcpFlag.ACK)) {
    hasTa = true;
    if (rev.ackLostAt !== rev.nextseq) {
      ta |= TcpA.ACK_LOST_PACKET;
      rev.ackLostAt = rev.nextseq;
    }
    rev.maxseqtobeacked = rev.nextseq;
  }

  // 11. RETRANSMISSION family: a segment with data (or SYN/FIN) that does not advance the sequence.
  if ((seglen > 0 || (flags & SYN_FIN)) && !(ta & TcpA.KEEP_ALIVE)) {
    let notAdvanced = fwd.nextseq !== 0 && seqDiff(seq, fwd.nextseq) < 0;
    if (seglen > 1 && seqAdd(fwd.nextseq, -1) === seq) notAdvanced = false;
    if (seglen > 0 && rev.lastack !== 0 && seqDiff(seqAdd(seq, seglen), rev.lastack) <= 0) {
      // Spurious: everything in it was already acknowledged by the peer.
      ta |= TcpA.SPURIOUS_RETRANSMISSION;
    } else if (notAdvanced && rev.dupacks >= 2 && rev.lastack === seq && sinceRevAck >= 0 && sinceRevAck < FAST_RETRANSMISSION_NS) {
      // Fast: the peer asked for exactly this seq with ≥ 2 duplicate ACKs, the last one < 20 ms ago.
      ta |= TcpA.FAST_RETRANSMISSION;
    } else if (notAdvanced && sinceNextseq >= 0 && sinceNextseq < oooThreshold
      && fwd.nextseq !== seqAdd(seq, seglen + (flags & SYN_FIN ? 1 : 0))) {
      // Out-of-order: it came soon (< iRTT, or 3 ms) after the highest segment, and is not a copy of it.
      ta |= TcpA.OUT_OF_ORDER;
    } else if (notAdvanced) {
      // Otherwise a plain retransmission; the RTO is measured from the oldest unacknowledged segment.
      ta |= TcpA.RETRANSMISSION;
      const oldest = fwd.unacked[0];
      (result ??= {}).rtoNs = oldest ? elapsedNs(s.sec, s.nsec, oldest.sec, oldest.nsec) : sinceNextseq;
      result!.rtoFrame = oldest ? oldest.frame : fwd.nextseqFrame;
    }
  }

  // Remember the segment until it is acknowledged (bounded).
  let nextseq = seqAdd(seq, seglen);
  if (seglen > 0 || (flags & SYN_FIN)) {
    if (flags & SYN_FIN) nextseq = seqAdd(nextseq, 1);
    if (fwd.unacked.length < MAX_UNACKED_SEGMENTS) {
      fwd.unacked.push({ frame: s.frame, seq, nextseq, sec: s.sec, nsec: s.nsec });
      if (!fwd.spanDirty) {
        const base = fwd.spanBase;
        const a = seqOffset(base, seq), b = seqOffset(base, nextseq);
        if (fwd.unacked.length === 1) { fwd.spanLo = a; fwd.spanHi = b; } else {
          if (a < fwd.spanLo) fwd.spanLo = a;
          if (b > fwd.spanHi) fwd.spanHi = b;
        }
      }
    }
  }
  // The highest nextseq so far (zero-window probes do not move it).
  const zwp = (ta & TcpA.ZERO_WINDOW_PROBE) !== 0;
  if ((seqDiff(nextseq, fwd.nextseq) > 0 || fwd.nextseq === 0) && !zwp) {
    fwd.nextseq = nextseq;
    fwd.nextseqFrame = s.frame;
    fwd.nextseqSec = s.sec;
    fwd.nextseqNsec = s.nsec;
  }
  // The highest contiguous nextseq, for "ACKed unseen segment".
  if ((seq === fwd.maxseqtobeacked || fwd.maxseqtobeacked === 0) && !zwp) fwd.maxseqtobeacked = fwd.nextseq;

  fwd.window = window;
  fwd.lastack = ack;
  fwd.lastackSec = s.sec;
  fwd.lastackNsec = s.nsec;
  fwd.lastFlags = ta;
  fwd.lastFrame = s.frame;
  if (ta) hasTa = true;

  // Segments of the other direction that this ack covers: the oldest exact match is "acked".
  const list = rev.unacked;
  // Nothing to do when the ack does not pass the lowest unacknowledged seq (every segment lies above it).
  const revBase = revFlow.base ?? 0;
  if (list.length && !(!rev.spanDirty && rev.spanBase === revBase && seqDiff(ack, seqAdd(revBase, rev.spanLo)) <= 0)) {
    let keep = list.length;
    for (let i = list.length - 1; i >= 0; i--) {
      const u = list[i]!;
      if (ack === u.nextseq) {
        (result ??= {}).acksFrame = u.frame;
        result!.ackRttNs = elapsedNs(s.sec, s.nsec, u.sec, u.nsec);
        hasTa = true;
      } else if (seqDiff(ack, u.seq) > 0 && seqDiff(ack, u.nextseq) <= 0) {
        u.seq = ack;
        rev.spanDirty = true;
        continue;
      } else if (seqDiff(u.nextseq, ack) > 0) {
        continue;
      }
      list[i] = undefined as unknown as UnackedSegment;
      keep--;
    }
    if (keep !== list.length) {
      rev.spanDirty = true;
      let j = 0;
      for (let i = 0; i < list.length; i++) if (list[i]) list[j++] = list[i]!;
      list.length = j;
    }
  }

  // Bytes in flight after this segment: from the lowest unacked seq to the highest unacked
  // nextseq of this direction, less what the peer's last SACK blocks cover.
  if (seglen !== 0 && fwd.unacked.length && fwd.validBif) {
    span(fwd, fwdFlow.base ?? 0);
    const inFlight = seqOffset(fwd.spanLo, fwd.spanHi);
    let bif = 0;
    if (inFlight > 0 && inFlight < 2_000_000_000) {
      // less the peer's SACKed bytes and the sequence number a SYN or FIN uses up
      bif = seqAdd(inFlight, -rev.sacked - (flags & SYN_FIN ? 1 : 0));
      if (bif) (result ??= {}).bytesInFlight = bif;
      hasTa = true;
    }
    // Bytes sent since the last PSH.
    if (flags & TcpFlag.PSH) {
      fwd.pushBytes = fwd.pushLast ? seglen : fwd.pushBytes + seglen;
      fwd.pushLast = true;
    } else if (fwd.pushLast) {
      fwd.pushBytes = seglen;
      fwd.pushLast = false;
    } else fwd.pushBytes += seglen;
    // Wireshark shows it only beside a bytes-in-flight value.
    if (bif) result!.pushBytesSent = fwd.pushBytes;
  }

  // SACK blocks of this segment: D-SACK detection and the bytes they cover (for the peer's bytes in flight).
  fwd.sacked = 0;
  if (s.sack) {
    let total = 0;
    for (const [l, r] of s.sack) total = seqAdd(total, seqOffset(l, r));
    fwd.sacked = total;
    const b0 = s.sack[0];
    if (b0 && (flags & TcpFlag.ACK)) {
      const b1 = s.sack[1];
      if (seqDiff(b0[0], ack) < 0 || (b1 && seqDiff(b0[0], b1[0]) >= 0 && seqDiff(b0[1], b1[1]) <= 0)) events |= TcpEvent.DSACK;
    }
  }

  if (ta & ~TcpA.REUSED_PORTS) {
    const fb = fwdFlow.base ?? 0, rb = revFlow.base ?? 0;
    (result ??= {}).why = {
      seq: seqOffset(fb, seq), seglen, nxtseq: seqOffset(fb, seqAdd(seq, seglen + (flags & SYN_FIN ? 1 : 0))), ack: seqOffset(rb, ack), window,
      nextseq: prevNextseq ? seqOffset(fb, prevNextseq) : undefined,
      lastack: prevLastack ? seqOffset(rb, prevLastack) : undefined,
      prevWindow: prevWindow === 0xffffffff ? undefined : prevWindow,
      revNextseq: rev.nextseq ? seqOffset(rb, rev.nextseq) : undefined,
      revLastack: rev.lastack ? seqOffset(fb, rev.lastack) : undefined,
      revWindow: rev.window === 0xffffffff ? undefined : rev.window,
      revShift: rev.firstAck ? 0 : shiftOf(revFlow.winScale),
      revMaxseqtobeacked: prevRevMaxseq ? seqOffset(rb, prevRevMaxseq) : undefined,
      revDupacks, revLastFlags: rev.lastFlags, revLastFrame, revAckFrame, revDupFirst, revDupLast,
      winShift: flags & TcpFlag.SYN ? 0 : shiftOf(fwdFlow.winScale),
      sinceRevAckNs: sinceRevAck, sinceNextseqNs: sinceNextseq, nextseqFrame: prevNextseqFrame,
      oooThresholdNs: oooThreshold, irttKnown: conv.irttNs !== 0,
    };
  }
  const irtt = final ? final.irttNs : conv.irttNs;
  if (hasTa && irtt !== 0) (result ??= {}).irttNs = irtt;
  // The first packet of a conversation that reused the ports shows the value after its own update.
  const completeness = final ? (s.frame === final.firstFrame ? final.completeness : final.completeness | final.firstBits)
    : reused && newConversation ? conv.completeness : completenessBefore;
  if (!s.headerComplete) return output(out, 0, undefined, completeness, events & ~TcpEvent.DSACK);
  return output(out, ta, hasTa ? (result ?? {}) : undefined, completeness, events);
}

function output(out: SegmentOutput, flags: number, result: TcpAnalysisResult | undefined, completeness: number, events: number): SegmentOutput {
  out.flags = flags; out.result = result; out.completeness = completeness; out.events = events;
  return out;
}

/** Final per-stream values that `tshark -2` shows on every packet of the stream. */
export interface StreamFinal {
  completeness: number;
  firstBits: number;
  firstFrame: number;
  irttNs: number;
  /** each direction's final relative-number base (a SYN/ACK that restarted it moves it) */
  bases: [number | undefined, number | undefined];
}
/** Indexed by tcp.stream. */
export type TwoPassFinals = StreamFinal[];

/**
 * First pass of `-2`: add as an observer (Dissector.addObserver) while reading the whole capture
 * once, then hand `finals()` to the second pass's tracker (`dissector.tcp.finals = …`).
 * Keeps one small entry per connection.
 */
export class FinalsCollector {
  private readonly convs: Array<{ an: ConvAnalysis; firstFrame: number; flows: [{ base: number | undefined }, { base: number | undefined }] }> = [];
  observe(rec: { tcp?: { stream: number; conv: { an: ConvAnalysis; firstFrame: number; flows: [{ base: number | undefined }, { base: number | undefined }] } } | undefined }): void {
    const t = rec.tcp;
    if (t && this.convs[t.stream] === undefined) this.convs[t.stream] = t.conv;
  }
  finals(): TwoPassFinals {
    const out: TwoPassFinals = [];
    for (let i = 0; i < this.convs.length; i++) {
      const c = this.convs[i];
      out[i] = {
        completeness: c?.an.completeness ?? 0, firstBits: c?.an.firstBits ?? 0, firstFrame: c?.firstFrame ?? 0, irttNs: c?.an.irttNs ?? 0,
        bases: [c?.flows[0].base, c?.flows[1].base],
      };
    }
    return out;
  }
}
