/**
 * RFC 9293 connection states of ONE endpoint, as an observer on the wire infers them.
 *
 * The machine is a table: (state, event) → next state, where an event is a segment this
 * endpoint sends or receives, classified by what matters for its state (SYN, SYN/ACK, ACK,
 * FIN, RST; on receipt also whether the segment acknowledges the endpoint's own FIN). Every
 * row names the section of RFC 9293 it comes from. A pair that is not in the table leaves
 * the state unchanged and is reported as unexpected by the caller.
 *
 * This is an observer's machine, not a participant's: it never decides what to send, and it
 * is driven by both directions of the capture (src/tcp/lifecycle.ts applies the sender's
 * event when a packet passes the capture point and the receiver's event as if it arrived at
 * once, correcting the receiver afterwards when its own later segments prove otherwise).
 */

import { TCP_STATES, type TcpState } from './vocab.js';

/** The states (UNKNOWN: the capture cannot tell, e.g. a server that never answered: did the SYN arrive?). */
export { TCP_STATES, type TcpState } from './vocab.js';

/**
 * What a segment is, for the state of one endpoint.
 * - SYN: SYN without ACK. SYN_ACK: SYN with ACK.
 * - ACK: ACK flag, no SYN/FIN/RST (with or without data).
 * - ACK_OF_FIN (receipt only): such an ACK that acknowledges the receiver's own FIN.
 * - FIN: FIN (with or without ACK and data). FIN_ACK_OF_FIN (receipt only): a FIN that also acknowledges the receiver's FIN.
 * - RST: any segment with RST.
 */
export type SegmentKind = 'SYN' | 'SYN_ACK' | 'ACK' | 'ACK_OF_FIN' | 'FIN' | 'FIN_ACK_OF_FIN' | 'RST';
export const SEGMENT_KINDS: readonly SegmentKind[] = ['SYN', 'SYN_ACK', 'ACK', 'ACK_OF_FIN', 'FIN', 'FIN_ACK_OF_FIN', 'RST'];

export type Direction = 'send' | 'recv';

export interface Transition {
  next: TcpState;
  /** where RFC 9293 says so */
  rfc: string;
  /**
   * a repeat of something already done (a retransmitted SYN or FIN, a duplicate ACK): the
   * state stays. Used to decide which of two crossing segments was sent first.
   */
  repeat?: boolean;
}

type Row = Partial<Record<SegmentKind, Transition>>;
interface StateRows { send: Row; recv: Row }

const t = (next: TcpState, rfc: string, repeat?: boolean): Transition => (repeat ? { next, rfc, repeat } : { next, rfc });

/** Receipt of a RST in a synchronized state: "enter the CLOSED state, delete the TCB" (3.10.7.4, second check). */
const RST_SYNC = t('CLOSED', 'RFC 9293 §3.10.7.4 (second: RST bit set → CLOSED)');
/** Sending a RST: the ABORT call (3.10.5), or a reset answering an unacceptable segment (3.5.2). */
const SEND_RST = t('CLOSED', 'RFC 9293 §3.10.5 (ABORT: send a reset, enter CLOSED)');

/**
 * The transition table. Send rows: what the endpoint's own segment says about it. Receive
 * rows: what happens when the peer's segment arrives.
 */
export const FSM: Readonly<Record<TcpState, StateRows>> = {
  CLOSED: {
    send: {
      SYN: t('SYN_SENT', 'RFC 9293 §3.10.1 (active OPEN: send SYN, enter SYN-SENT)'),
      // No connection here: an arriving segment is answered by a reset (3.10.7.1); a refused connect().
      RST: t('CLOSED', 'RFC 9293 §3.10.7.1 (CLOSED: an incoming segment is answered by a reset)'),
    },
    recv: {
      SYN: t('CLOSED', 'RFC 9293 §3.10.7.1 (CLOSED: nobody listens, answer with a reset)'),
      ACK: t('CLOSED', 'RFC 9293 §3.10.7.1 (CLOSED: answer with a reset)'),
      FIN: t('CLOSED', 'RFC 9293 §3.10.7.1 (CLOSED: answer with a reset)'),
      RST: t('CLOSED', 'RFC 9293 §3.10.7.1 (CLOSED: an incoming RST is discarded)', true),
    },
  },
  LISTEN: {
    send: {
      // The SYN arrived though the capture did not show it.
      SYN_ACK: t('SYN_RECEIVED', 'RFC 9293 §3.10.7.2 (LISTEN: SYN arrives, send SYN,ACK, enter SYN-RECEIVED)'),
      SYN: t('SYN_SENT', 'RFC 9293 §3.10.2 (SEND in LISTEN: the connection turns active, send SYN)'),
      RST: t('LISTEN', 'RFC 9293 §3.10.7.2 (LISTEN: an ACK is answered by a reset, stay in LISTEN)', true),
    },
    recv: {
      SYN: t('SYN_RECEIVED', 'RFC 9293 §3.10.7.2 (LISTEN: SYN arrives, enter SYN-RECEIVED)'),
      ACK: t('LISTEN', 'RFC 9293 §3.10.7.2 (LISTEN: an ACK is answered by a reset)', true),
      RST: t('LISTEN', 'RFC 9293 §3.10.7.2 (LISTEN: an incoming RST is ignored)', true),
    },
  },
  SYN_SENT: {
    send: {
      SYN: t('SYN_SENT', 'RFC 9293 §3.8.1 (retransmission timeout: the SYN is sent again)', true),
      // The SYN,ACK arrived though the capture did not show it.
      ACK: t('ESTABLISHED', 'RFC 9293 §3.10.7.3 (SYN-SENT: SYN,ACK arrives, send ACK, enter ESTABLISHED)'),
      RST: SEND_RST,
    },
    recv: {
      SYN_ACK: t('ESTABLISHED', 'RFC 9293 §3.10.7.3 (SYN-SENT: our SYN is ACKed, enter ESTABLISHED)'),
      SYN: t('SYN_RECEIVED', 'RFC 9293 §3.10.7.3 and §3.5 Figure 8 (simultaneous open: enter SYN-RECEIVED)'),
      RST: t('CLOSED', 'RFC 9293 §3.10.7.3 (SYN-SENT: RST with an acceptable ACK: connection refused, CLOSED)'),
    },
  },
  SYN_RECEIVED: {
    send: {
      SYN_ACK: t('SYN_RECEIVED', 'RFC 9293 §3.5 Figure 6 and §3.8.1 (SYN,ACK sent or sent again)', true),
      ACK: t('SYN_RECEIVED', 'RFC 9293 §3.10.7.4 (an ACK that does not change the state)', true),
      FIN: t('FIN_WAIT_1', 'RFC 9293 §3.10.4 (CLOSE in SYN-RECEIVED: send FIN, enter FIN-WAIT-1)'),
      RST: SEND_RST,
    },
    recv: {
      ACK: t('ESTABLISHED', 'RFC 9293 §3.10.7.4 (fifth: SYN-RECEIVED and the ACK is acceptable → ESTABLISHED)'),
      SYN_ACK: t('ESTABLISHED', 'RFC 9293 §3.5 Figure 8 (simultaneous open: the SYN,ACK completes it)'),
      SYN: t('SYN_RECEIVED', 'RFC 9293 §3.10.7.4 (a retransmitted SYN: answer again)', true),
      FIN: t('CLOSE_WAIT', 'RFC 9293 §3.10.7.4 (fifth then eighth: the ACK establishes, the FIN → CLOSE-WAIT)'),
      RST: t('LISTEN', 'RFC 9293 §3.10.7.4 (second: SYN-RECEIVED from a passive OPEN returns to LISTEN)'),
    },
  },
  ESTABLISHED: {
    send: {
      ACK: t('ESTABLISHED', 'RFC 9293 §3.10.2 (data and ACKs in ESTABLISHED)', true),
      SYN_ACK: t('ESTABLISHED', 'RFC 9293 §3.8.1 (a SYN,ACK sent again before our ACK arrived)', true),
      FIN: t('FIN_WAIT_1', 'RFC 9293 §3.10.4 (CLOSE in ESTABLISHED: send FIN, enter FIN-WAIT-1)'),
      RST: SEND_RST,
    },
    recv: {
      ACK: t('ESTABLISHED', 'RFC 9293 §3.10.7.4 (ESTABLISHED: data and ACKs)', true),
      SYN_ACK: t('ESTABLISHED', 'RFC 9293 §3.10.7.4 (a duplicate SYN,ACK is answered with an ACK)', true),
      FIN: t('CLOSE_WAIT', 'RFC 9293 §3.10.7.4 (eighth: FIN in ESTABLISHED → CLOSE-WAIT)'),
      RST: RST_SYNC,
    },
  },
  FIN_WAIT_1: {
    send: {
      ACK: t('FIN_WAIT_1', 'RFC 9293 §3.6 (a closed direction still receives and ACKs)', true),
      FIN: t('FIN_WAIT_1', 'RFC 9293 §3.8.1 (the FIN is sent again)', true),
      RST: SEND_RST,
    },
    recv: {
      ACK: t('FIN_WAIT_1', 'RFC 9293 §3.10.7.4 (fifth: an ACK that does not cover our FIN)', true),
      ACK_OF_FIN: t('FIN_WAIT_2', 'RFC 9293 §3.10.7.4 (fifth: FIN-WAIT-1 and our FIN is ACKed → FIN-WAIT-2)'),
      FIN: t('CLOSING', 'RFC 9293 §3.10.7.4 (eighth: FIN-WAIT-1, FIN whose ACK does not cover ours → CLOSING)'),
      FIN_ACK_OF_FIN: t('TIME_WAIT', 'RFC 9293 §3.10.7.4 (eighth: FIN-WAIT-1 and our FIN ACKed → TIME-WAIT)'),
      RST: RST_SYNC,
    },
  },
  FIN_WAIT_2: {
    send: {
      ACK: t('FIN_WAIT_2', 'RFC 9293 §3.6 (half-closed: still receiving and ACKing)', true),
      RST: SEND_RST,
    },
    recv: {
      ACK: t('FIN_WAIT_2', 'RFC 9293 §3.10.7.4 (FIN-WAIT-2: data from the peer)', true),
      ACK_OF_FIN: t('FIN_WAIT_2', 'RFC 9293 §3.10.7.4 (FIN-WAIT-2: a duplicate ACK of our FIN)', true),
      FIN: t('TIME_WAIT', 'RFC 9293 §3.10.7.4 (eighth: FIN-WAIT-2 → TIME-WAIT, start the 2×MSL timer)'),
      FIN_ACK_OF_FIN: t('TIME_WAIT', 'RFC 9293 §3.10.7.4 (eighth: FIN-WAIT-2 → TIME-WAIT, start the 2×MSL timer)'),
      RST: RST_SYNC,
    },
  },
  CLOSE_WAIT: {
    send: {
      ACK: t('CLOSE_WAIT', 'RFC 9293 §3.10.2 (CLOSE-WAIT: the passive side may still send data)', true),
      FIN: t('LAST_ACK', 'RFC 9293 §3.10.4 (CLOSE in CLOSE-WAIT: send FIN, enter LAST-ACK)'),
      RST: SEND_RST,
    },
    recv: {
      ACK: t('CLOSE_WAIT', 'RFC 9293 §3.10.7.4 (CLOSE-WAIT: ACKs of our data)', true),
      FIN: t('CLOSE_WAIT', 'RFC 9293 §3.10.7.4 (eighth: CLOSE-WAIT, a retransmitted FIN)', true),
      RST: RST_SYNC,
    },
  },
  CLOSING: {
    send: {
      ACK: t('CLOSING', 'RFC 9293 §3.10.7.4 (eighth: CLOSING, the peer\'s FIN is ACKed)', true),
      FIN: t('CLOSING', 'RFC 9293 §3.8.1 (the FIN is sent again)', true),
      RST: SEND_RST,
    },
    recv: {
      ACK: t('CLOSING', 'RFC 9293 §3.10.7.4 (fifth: an ACK that does not cover our FIN)', true),
      ACK_OF_FIN: t('TIME_WAIT', 'RFC 9293 §3.10.7.4 (fifth: CLOSING and our FIN is ACKed → TIME-WAIT)'),
      FIN: t('CLOSING', 'RFC 9293 §3.10.7.4 (eighth: CLOSING, a retransmitted FIN)', true),
      FIN_ACK_OF_FIN: t('TIME_WAIT', 'RFC 9293 §3.10.7.4 (fifth: CLOSING and our FIN is ACKed → TIME-WAIT)'),
      RST: RST_SYNC,
    },
  },
  LAST_ACK: {
    send: {
      ACK: t('LAST_ACK', 'RFC 9293 §3.10.7.4 (LAST-ACK: an ACK sent while waiting)', true),
      FIN: t('LAST_ACK', 'RFC 9293 §3.8.1 (the FIN is sent again)', true),
      RST: SEND_RST,
    },
    recv: {
      ACK: t('LAST_ACK', 'RFC 9293 §3.10.7.4 (fifth: an ACK that does not cover our FIN)', true),
      ACK_OF_FIN: t('CLOSED', 'RFC 9293 §3.10.7.4 (fifth: LAST-ACK and our FIN is ACKed → CLOSED)'),
      FIN: t('LAST_ACK', 'RFC 9293 §3.10.7.4 (eighth: LAST-ACK, a retransmitted FIN)', true),
      FIN_ACK_OF_FIN: t('CLOSED', 'RFC 9293 §3.10.7.4 (fifth: LAST-ACK and our FIN is ACKed → CLOSED)'),
      RST: RST_SYNC,
    },
  },
  TIME_WAIT: {
    send: {
      ACK: t('TIME_WAIT', 'RFC 9293 §3.10.7.4 (eighth: TIME-WAIT, the peer\'s FIN is ACKed)', true),
      RST: SEND_RST,
    },
    recv: {
      ACK: t('TIME_WAIT', 'RFC 9293 §3.10.7.4 (TIME-WAIT: nothing but a retransmitted FIN matters)', true),
      ACK_OF_FIN: t('TIME_WAIT', 'RFC 9293 §3.10.7.4 (TIME-WAIT: a duplicate ACK)', true),
      FIN: t('TIME_WAIT', 'RFC 9293 §3.10.7.4 (eighth: TIME-WAIT, a retransmitted FIN: ACK it, restart 2×MSL)', true),
      FIN_ACK_OF_FIN: t('TIME_WAIT', 'RFC 9293 §3.10.7.4 (eighth: TIME-WAIT, a retransmitted FIN: ACK it, restart 2×MSL)', true),
      RST: RST_SYNC,
    },
  },
  UNKNOWN: { send: {}, recv: {} },
};

/** The row for (state, direction, kind), or undefined when RFC 9293 has no such transition. */
export function transition(state: TcpState, dir: Direction, kind: SegmentKind): Transition | undefined {
  const row = FSM[state][dir];
  const tr = row[kind];
  if (tr) return tr;
  // An ACK that covers our FIN is still an ACK where the FIN does not matter; the same for a FIN.
  if (kind === 'ACK_OF_FIN') return row.ACK;
  if (kind === 'FIN_ACK_OF_FIN') return row.FIN;
  return undefined;
}

/** Every (state, direction, kind) the table accepts, for tests and documentation. */
export function acceptedPairs(): Array<{ state: TcpState; dir: Direction; kind: SegmentKind; tr: Transition }> {
  const out: Array<{ state: TcpState; dir: Direction; kind: SegmentKind; tr: Transition }> = [];
  for (const state of TCP_STATES) {
    for (const dir of ['send', 'recv'] as const) {
      for (const kind of SEGMENT_KINDS) {
        const tr = FSM[state][dir][kind];
        if (tr) out.push({ state, dir, kind, tr });
      }
    }
  }
  return out;
}

/** The RFC's spelling, for readers who know "FIN-WAIT-1". */
export function rfcSpelling(s: TcpState): string {
  return s.replace(/_/g, '-');
}
