/**
 * The observer's corrections, stated as rules. The capture point sees a packet once; the
 * observer (observer.ts) credits its receipt at once. Later packets can prove that reading
 * wrong, and these rules say when:
 *
 *  - CROSSING_RULES: the receiver's own next segment shows it had not yet received the
 *    segment it was credited with (the two crossed on the wire): the receipt is moved after
 *    that segment. This is how crossing FINs (simultaneous close) and crossing SYNs
 *    (simultaneous open) come out right from either end of the wire.
 *  - INITIAL_STATE_RULES: the server's first segment shows it was not in LISTEN.
 *  - SILENT_SERVER: a server that never sent anything may never have received the SYNs.
 *
 * Each rule is data (a condition and its effect); test/crossing.test.ts checks each one.
 */
import type { SegmentKind, TcpState } from './fsm.js';
import type { Side } from './lifecycle-types.js';

/** What the receiver's next segment shows about a segment it was credited with receiving. */
export interface CrossingEvidence {
  /**
   * its ACK covers the credited SYN or FIN (true), does not (false), or cannot tell
   * (undefined: the segment has no ACK flag, or the credited segment needs no acknowledgement)
   */
  ackCovers: boolean | undefined;
  /** it is a real transition (not a repeat) from the state after the credited receipt */
  fitsAfter: boolean;
  /** it is a real transition from the state before the receipt */
  fitsBefore: boolean;
}

export const CROSSING_RULES = [
  {
    id: 'ack-does-not-cover',
    /** the receiver acknowledges less than the SYN/FIN it was credited with: it had not received it */
    crossed: (e: CrossingEvidence): boolean => e.ackCovers === false,
  },
  {
    id: 'fits-only-before',
    /** no ACK to tell, but what it sends only makes sense in the state before the receipt */
    crossed: (e: CrossingEvidence): boolean => e.ackCovers === undefined && !e.fitsAfter && e.fitsBefore,
  },
] as const;

export type CrossingRuleId = (typeof CROSSING_RULES)[number]['id'];

/** The first crossing rule that holds, or undefined when the receipt stands. */
export function crossingRule(e: CrossingEvidence): CrossingRuleId | undefined {
  for (const r of CROSSING_RULES) if (r.crossed(e)) return r.id;
  return undefined;
}

/** What is known when a side sends a segment, for the initial-state rules. */
export interface SendContext {
  side: Side;
  kind: SegmentKind;
  /** segments this side sent before */
  sent: number;
  /** the state this side was assumed to start in */
  initial: TcpState;
  /** pure SYNs the client sent so far */
  clientSyns: number;
  /** the server's SYN/ACK was seen */
  synAckSeen: boolean;
}

export const INITIAL_STATE_RULES = [
  {
    id: 'no-listener',
    /** a server whose first answer to a SYN is a RST had nobody listening: it was CLOSED throughout */
    when: (c: SendContext): boolean => c.side === 'server' && c.kind === 'RST' && c.sent === 0 && c.clientSyns > 0 && !c.synAckSeen && c.initial === 'LISTEN',
    initial: 'CLOSED',
    /** the states shown so far are rewritten and the changes recorded for the side dropped */
    history: 'rewrite',
  },
  {
    id: 'active-open',
    /** a "server" that sends a pure SYN was not listening: it opened actively too (simultaneous open) */
    when: (c: SendContext): boolean => c.side === 'server' && c.kind === 'SYN' && c.initial === 'LISTEN' && c.sent === 0,
    initial: 'CLOSED',
    /** only the starting state changes (a receipt credited so far now starts from it) */
    history: 'keep',
  },
] as const satisfies ReadonlyArray<{ id: string; when: (c: SendContext) => boolean; initial: TcpState; history: 'rewrite' | 'keep' }>;

export type InitialStateRule = (typeof INITIAL_STATE_RULES)[number];

/** The initial-state rule that applies to this send, if any (at most one can). */
export function initialStateRule(c: SendContext): InitialStateRule | undefined {
  for (const r of INITIAL_STATE_RULES) if (r.when(c)) return r;
  return undefined;
}

/** At the end: a server that never sent anything, after a SYN, in a connection not picked up mid-stream. */
export const SILENT_SERVER = {
  when: (c: { serverSent: number; clientSyns: number; midstream: boolean }): boolean => c.serverSent === 0 && c.clientSyns > 0 && !c.midstream,
  /** the capture cannot tell whether the SYNs arrived */
  state: 'UNKNOWN',
} as const satisfies { when: (c: { serverSent: number; clientSyns: number; midstream: boolean }) => boolean; state: TcpState };
