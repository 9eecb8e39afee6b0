/**
 * Both endpoints' RFC 9293 states as a passive observer infers them. The sender's transition
 * is applied when a packet is seen and the receiver's as if the packet arrived at once; the
 * rules of crossing.ts correct that reading when a later packet disproves it. Socket-level
 * events (connect() returns, EOF, TIME_WAIT…) are derived from the transitions.
 */
import { seqGe } from '../core/seq.js';
import { transition, type SegmentKind, type TcpState, type Transition } from './fsm.js';
import { crossingRule, initialStateRule, SILENT_SERVER } from './crossing.js';
import { idx, type Side, type SocketEvent, type TimelineEntry } from './lifecycle-types.js';
import type { Timeline } from './timeline.js';

/** A receipt credited to a side that a later segment of that side may still disprove. */
interface Pending {
  /** the side's state before the receipt */
  prev: TcpState;
  kind: SegmentKind;
  /** the ack that proves receipt (relative, in the sender's sequence space); undefined when no ack can prove it */
  needsAck: number | undefined;
  /** the timeline entry of the received segment */
  entry: number;
  changes: TimelineEntry['changes'];
  events: TimelineEntry['events'];
}

export interface SideFsm { state: TcpState; initial: TcpState; pending: Pending | undefined; sent: number }

/** Socket events of one transition (`initial`: the side's starting state). */
export function socketEvents(dir: 'send' | 'recv', kind: SegmentKind, from: TcpState, to: TcpState, initial: TcpState): SocketEvent[] {
  const out: SocketEvent[] = [];
  if (dir === 'recv') {
    if (from === 'SYN_SENT' && to === 'ESTABLISHED') out.push('connect-returns');
    else if (from === 'SYN_RECEIVED' && to === 'ESTABLISHED') out.push(initial === 'LISTEN' ? 'accept-returns' : 'connect-returns');
    else if (from === 'SYN_SENT' && kind === 'RST') out.push('refused');
    else if (kind === 'RST' && to === 'CLOSED' && from !== 'CLOSED') out.push('reset-received');
    else if ((kind === 'FIN' || kind === 'FIN_ACK_OF_FIN') && to !== from) out.push('eof');
    if (to === 'TIME_WAIT' && from !== 'TIME_WAIT') out.push('time-wait');
    if (to === 'CLOSED' && from === 'LAST_ACK') out.push('closed');
  } else {
    if (kind === 'FIN' && to !== from) out.push('close-called');
    if (kind === 'RST' && from !== 'CLOSED' && from !== 'LISTEN') out.push('abort');
  }
  return out;
}

/** The initial states of [client, server] from the connection's first segment. */
export function initialStates(synOnly: boolean, synAck: boolean): [TcpState, TcpState] {
  if (synOnly) return ['CLOSED', 'LISTEN'];
  if (synAck) return ['SYN_SENT', 'LISTEN'];
  return ['ESTABLISHED', 'ESTABLISHED'];
}

export class ObserverFsm {
  /** [client, server] */
  readonly sides: [SideFsm, SideFsm];
  /** (state, segment) pairs the RFC table has no transition for */
  unexpected = 0;

  constructor(initial: [TcpState, TcpState], private readonly tl: Timeline | undefined) {
    this.sides = [
      { state: initial[0], initial: initial[0], pending: undefined, sent: 0 },
      { state: initial[1], initial: initial[1], pending: undefined, sent: 0 },
    ];
  }

  /**
   * `side` sends a segment. `ack`: its relative ack when the ACK flag is set (undefined when
   * not). `hs`: what the handshake saw so far (for the initial-state rules).
   */
  send(side: Side, kind: SegmentKind, ack: number | undefined, hs: { clientSyns: number; synAckSeen: boolean }, entry: TimelineEntry | undefined): void {
    const ep = this.sides[idx(side)];
    const tl = this.tl;
    const cur = tl ? tl.last : 0;
    const rule = initialStateRule({ side, kind, sent: ep.sent, initial: ep.initial, clientSyns: hs.clientSyns, synAckSeen: hs.synAckSeen });
    if (rule) {
      const was = ep.initial;
      ep.initial = rule.initial;
      if (rule.history === 'rewrite') {
        ep.state = rule.initial; ep.pending = undefined;
        tl?.reinitialize(side, rule.initial, cur, true);
      } else {
        tl?.reinitialize(side, rule.initial, cur, false);
        if (ep.pending && ep.pending.prev === was) ep.pending.prev = rule.initial;
        else if (ep.state === was) ep.state = rule.initial;
      }
    }
    const p = ep.pending;
    ep.pending = undefined;
    if (p) {
      const now = transition(ep.state, 'send', kind), before = transition(p.prev, 'send', kind);
      const crossed = crossingRule({
        ackCovers: p.needsAck !== undefined && ack !== undefined ? seqGe(ack, p.needsAck) : undefined,
        fitsAfter: Boolean(now && !now.repeat),
        fitsBefore: Boolean(before && !before.repeat),
      });
      if (crossed) {
        // The segment this endpoint was thought to have received was still in flight: undo its receipt,
        // apply this send from the state before, then receive it after.
        ep.state = p.prev;
        if (tl) { tl.setState(side, p.entry, cur, p.prev); tl.uncross(p.entry, p.changes, p.events); }
        this.apply(side, 'send', kind, entry);
        this.recv(side, p.kind, p.needsAck, entry);
        ep.sent++;
        return;
      }
    }
    this.apply(side, 'send', kind, entry);
    ep.sent++;
  }

  /** `side` receives a segment (credited at once; a later send of `side` may move it, see send). */
  recv(side: Side, kind: SegmentKind, needsAck: number | undefined, entry: TimelineEntry | undefined): void {
    const ep = this.sides[idx(side)];
    const before = ep.state;
    const nc = entry ? entry.changes.length : 0, ne = entry ? entry.events.length : 0;
    this.apply(side, 'recv', kind, entry);
    if (ep.state !== before) {
      ep.pending = {
        prev: before, kind, needsAck, entry: this.tl ? this.tl.last : 0,
        changes: entry ? entry.changes.slice(nc) : [], events: entry ? entry.events.slice(ne) : [],
      };
    }
  }

  /** At the end of the capture: the silent-server rule. */
  finish(clientSyns: number, midstream: boolean): void {
    const srv = this.sides[1];
    if (SILENT_SERVER.when({ serverSent: srv.sent, clientSyns, midstream })) {
      srv.state = SILENT_SERVER.state; srv.initial = SILENT_SERVER.state; srv.pending = undefined;
      this.tl?.reinitialize('server', SILENT_SERVER.state, this.tl.data.entries.length, true);
    }
  }

  private apply(side: Side, dir: 'send' | 'recv', kind: SegmentKind, entry: TimelineEntry | undefined): void {
    const ep = this.sides[idx(side)];
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
    for (const event of socketEvents(dir, kind, from, tr.next, ep.initial)) entry.events.push({ side, event });
  }
}
