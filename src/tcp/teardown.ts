/**
 * The closing of one connection, as the capture shows it: each side's first FIN and the
 * segment that acknowledges it, data sent after the peer's FIN (half-close), the first RST,
 * and the teardown's kind (four-way, merged FIN/ACK, simultaneous close, RST abort…). One
 * part of the lifecycle stage (lifecycle.ts); it only records, the summary is built at the end.
 */
import { seqGe } from '../core/seq.js';
import { TEARDOWN_KINDS, type TcpState } from './vocab.js';
import { idx, other, type HandshakeKind, type RstSummary, type Side, type TeardownKind, type TeardownSummary } from './lifecycle-types.js';

/** A side's first FIN: its frame, the sequence number just after it (relative), whether it carried data and acknowledged the peer's FIN. */
export interface FinInfo { frame: number; end: number; withData: boolean; acksPeerFin: boolean }

/** Teardown kinds in the order they name a connection when several apply (the first present wins). */
export const TEARDOWN_PRECEDENCE: readonly TeardownKind[] = TEARDOWN_KINDS.filter((k) => k !== 'unfinished' && k !== 'none');

/** What one segment tells the teardown tracker (relative ack and nxtseq, flags). */
export interface TeardownSegment {
  frame: number;
  from: Side;
  fin: boolean; rst: boolean; ack: boolean; syn: boolean;
  /** relative ack and next sequence number (TcpInfo) */
  relAck: number; nxtseq: number;
  len: number;
  /** the sender's state before this segment */
  senderState: TcpState;
  /** the handshake is over (or was never seen: the connection began mid-stream) */
  handshakeDone: boolean;
}

export class Teardown {
  fin: [FinInfo | undefined, FinInfo | undefined] = [undefined, undefined];
  /** first segment of each side that acknowledges the other side's FIN: [frame, itWasAFin] */
  finAck: [[number, boolean] | undefined, [number, boolean] | undefined] = [undefined, undefined];
  dataAfterPeerFin: [number, number] = [0, 0];
  firstCloser: Side | undefined;
  rst: RstSummary | undefined;
  sawData = false;

  /** The first FIN of the side opposite to `side` (what an ACK from `side` may acknowledge). */
  peerFin(side: Side): FinInfo | undefined { return this.fin[idx(other(side))]; }

  observe(s: TeardownSegment): void {
    const { frame, from, fin: FIN, rst: RST, ack: ACK, len } = s;
    if (len > 0 && !s.syn) this.sawData = true;
    const fi = idx(from), ti = idx(other(from));
    // The first segment of this side that acknowledges the other side's FIN.
    const peerFin = this.fin[ti];
    const acksPeerFin = Boolean(peerFin && ACK && !RST && seqGe(s.relAck, peerFin.end));
    if (peerFin && !this.finAck[fi] && acksPeerFin) this.finAck[fi] = [frame, FIN];
    if (peerFin && !this.fin[fi] && len > 0 && !RST) this.dataAfterPeerFin[fi]++;
    if (FIN && !RST && !this.fin[fi]) {
      this.fin[fi] = { frame, end: s.nxtseq, withData: len > 0, acksPeerFin };
      this.firstCloser ??= from;
    }
    if (RST) {
      if (!this.rst) {
        const after = this.fin[0] || this.fin[1] ? 'fin' : this.sawData ? 'data' : s.handshakeDone ? 'handshake' : 'nothing';
        this.rst = { frame, by: from, state: s.senderState, after, count: 1 };
        if (s.handshakeDone) this.firstCloser ??= from;
      } else this.rst.count++;
    }
  }

  /** `states`: both sides' final states [client, server]. */
  summary(hs: HandshakeKind, states: readonly [TcpState, TcpState]): TeardownSummary {
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
    let kind: TeardownKind = 'none';
    for (const k of TEARDOWN_PRECEDENCE) if (traits.includes(k)) { kind = k; break; }
    if (kind === 'none' && (this.fin[0] || this.fin[1])) kind = 'unfinished';
    if (kind === 'none') activeCloser = null;
    const [c, s] = states;
    const timeWait = c === 'TIME_WAIT' && s === 'TIME_WAIT' ? 'both' : c === 'TIME_WAIT' ? 'client' : s === 'TIME_WAIT' ? 'server' : null;
    const complete = Boolean(this.fin[0] && this.fin[1] && this.finAck[0] && this.finAck[1]);
    const closedStates: TcpState[] = ['CLOSED', 'TIME_WAIT', 'UNKNOWN'];
    return {
      kind, traits: TEARDOWN_PRECEDENCE.filter((k) => traits.includes(k)), active_closer: activeCloser, frames, complete, time_wait: timeWait,
      rst: this.rst ?? null,
      data_after_fin: A ? this.dataAfterPeerFin[idx(other(A))] : 0,
      open_at_end: !(closedStates.includes(c) && closedStates.includes(s)) && hs !== 'no-answer' && hs !== 'refused',
    };
  }
}
