/**
 * The observer's corrections (src/tcp/crossing.ts) rule by rule, then through the observer
 * (src/tcp/observer.ts) on the two textbook cases they exist for: crossing FINs
 * (simultaneous close) and crossing SYNs (simultaneous open) seen from one end of the wire.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CROSSING_RULES, crossingRule, INITIAL_STATE_RULES, initialStateRule, SILENT_SERVER, type CrossingEvidence, type SendContext,
} from '../src/tcp/crossing.js';
import { ObserverFsm, socketEvents } from '../src/tcp/observer.js';
import { Timeline } from '../src/tcp/timeline.js';
import type { SegmentKind } from '../src/tcp/fsm.js';
import type { Side, TimelineEntry } from '../src/tcp/lifecycle-types.js';

describe('crossing rules', () => {
  const all: CrossingEvidence[] = [];
  for (const ackCovers of [true, false, undefined]) {
    for (const fitsAfter of [true, false]) for (const fitsBefore of [true, false]) all.push({ ackCovers, fitsAfter, fitsBefore });
  }

  test('an ACK that does not cover the credited SYN/FIN proves it had not arrived, whatever the states say', () => {
    for (const e of all.filter((x) => x.ackCovers === false)) assert.equal(crossingRule(e), 'ack-does-not-cover', JSON.stringify(e));
  });
  test('an ACK that covers it proves the receipt, whatever the states say', () => {
    for (const e of all.filter((x) => x.ackCovers === true)) assert.equal(crossingRule(e), undefined, JSON.stringify(e));
  });
  test('without an ACK to tell: crossed only when the segment fits the state before and not the state after', () => {
    const noAck = all.filter((x) => x.ackCovers === undefined);
    assert.equal(noAck.length, 4);
    for (const e of noAck) assert.equal(crossingRule(e), !e.fitsAfter && e.fitsBefore ? 'fits-only-before' : undefined, JSON.stringify(e));
  });
  test('the rule ids are distinct', () => {
    assert.equal(new Set(CROSSING_RULES.map((r) => r.id)).size, CROSSING_RULES.length);
  });
});

describe('initial-state rules', () => {
  const base: SendContext = { side: 'server', kind: 'RST', sent: 0, initial: 'LISTEN', clientSyns: 1, synAckSeen: false };

  test('a server whose first segment is a RST to an unanswered SYN was not listening (history rewritten)', () => {
    const r = initialStateRule(base);
    assert.equal(r?.id, 'no-listener');
    assert.equal(r?.initial, 'CLOSED');
    assert.equal(r?.history, 'rewrite');
  });
  test('the RST rule needs every condition', () => {
    assert.equal(initialStateRule({ ...base, side: 'client' }), undefined, 'client');
    assert.equal(initialStateRule({ ...base, sent: 1 }), undefined, 'server spoke before');
    assert.equal(initialStateRule({ ...base, clientSyns: 0 }), undefined, 'no SYN');
    assert.equal(initialStateRule({ ...base, synAckSeen: true }), undefined, 'SYN/ACK seen');
    assert.equal(initialStateRule({ ...base, initial: 'ESTABLISHED' }), undefined, 'mid-stream');
    assert.equal(initialStateRule({ ...base, kind: 'ACK' }), undefined, 'not a RST');
  });
  test('a server whose first segment is a pure SYN opened actively (only the starting state changes)', () => {
    const r = initialStateRule({ ...base, kind: 'SYN', clientSyns: 0 });
    assert.equal(r?.id, 'active-open');
    assert.equal(r?.history, 'keep');
    assert.equal(initialStateRule({ ...base, kind: 'SYN', sent: 1 }), undefined);
    assert.equal(initialStateRule({ ...base, kind: 'SYN', initial: 'CLOSED' }), undefined);
    assert.equal(initialStateRule({ ...base, kind: 'SYN', side: 'client' }), undefined);
  });
  test('at most one rule applies to any send', () => {
    const kinds: SegmentKind[] = ['SYN', 'SYN_ACK', 'ACK', 'FIN', 'RST'];
    for (const kind of kinds) for (const side of ['client', 'server'] as Side[]) {
      const c = { ...base, kind, side };
      assert.ok(INITIAL_STATE_RULES.filter((r) => r.when(c)).length <= 1, `${side} ${kind}`);
    }
  });
  test('a silent server after a SYN is UNKNOWN at the end; not when it spoke or the connection began mid-stream', () => {
    assert.equal(SILENT_SERVER.when({ serverSent: 0, clientSyns: 2, midstream: false }), true);
    assert.equal(SILENT_SERVER.when({ serverSent: 1, clientSyns: 2, midstream: false }), false);
    assert.equal(SILENT_SERVER.when({ serverSent: 0, clientSyns: 0, midstream: false }), false);
    assert.equal(SILENT_SERVER.when({ serverSent: 0, clientSyns: 1, midstream: true }), false);
    assert.equal(SILENT_SERVER.state, 'UNKNOWN');
  });
});

/** Feed the observer like the lifecycle stage does: send, then receive, then note the states. */
function drive(o: ObserverFsm, tl: Timeline, from: Side, send: SegmentKind, ack: number | undefined, needsAck: number | undefined, frame: number): TimelineEntry {
  const e = tl.add({
    frame, t: frame, from, flags: 0, seq: 0, ack: ack ?? 0, len: 0, nxtseq: 0, seqRaw: 0, ackRaw: 0, window: 0,
    states: ['CLOSED', 'CLOSED'], changes: [], events: [], analysis: 0, sack: false, crossed: false, unexpected: null, app: null,
  })!;
  o.send(from, send, ack, { clientSyns: 1, synAckSeen: false }, e);
  o.recv(from === 'client' ? 'server' : 'client', send, needsAck, e);
  e.states = [o.sides[0].state, o.sides[1].state];
  return e;
}

describe('the observer applies the rules', () => {
  test('crossing FINs: the second FIN does not ACK the first, so the first had not arrived', () => {
    const tl = new Timeline(0, ['ESTABLISHED', 'ESTABLISHED'], 10);
    const o = new ObserverFsm(['ESTABLISHED', 'ESTABLISHED'], tl);
    const e1 = drive(o, tl, 'client', 'FIN', 1, 101, 1);
    assert.deepEqual(e1.states, ['FIN_WAIT_1', 'CLOSE_WAIT'], 'first reading: the server received the FIN');
    const e2 = drive(o, tl, 'server', 'FIN', 100, 201, 2);
    assert.equal(e1.crossed, true);
    assert.deepEqual(e1.states, ['FIN_WAIT_1', 'ESTABLISHED'], 'corrected: the server had not received it yet');
    assert.deepEqual(e1.changes.map((c) => c.side), ['client'], 'the credited receipt is taken back');
    assert.deepEqual(e1.events.map((e) => e.event), ['close-called']);
    assert.deepEqual(e2.states, ['CLOSING', 'CLOSING']);
    assert.deepEqual(e2.changes.map((c) => `${c.side} ${c.from}→${c.to}`),
      ['server ESTABLISHED→FIN_WAIT_1', 'server FIN_WAIT_1→CLOSING', 'client FIN_WAIT_1→CLOSING']);
    assert.equal(o.unexpected, 0);
  });

  test('a FIN that ACKs the first one is a plain answer (no crossing)', () => {
    const tl = new Timeline(0, ['ESTABLISHED', 'ESTABLISHED'], 10);
    const o = new ObserverFsm(['ESTABLISHED', 'ESTABLISHED'], tl);
    const e1 = drive(o, tl, 'client', 'FIN', 1, 101, 1);
    drive(o, tl, 'server', 'FIN', 101, 201, 2);
    assert.equal(e1.crossed, false);
    assert.deepEqual(e1.states, ['FIN_WAIT_1', 'CLOSE_WAIT']);
    assert.deepEqual([o.sides[0].state, o.sides[1].state], ['CLOSING', 'LAST_ACK']);
  });

  test('crossing SYNs: the "server" sends a pure SYN, so it was not listening and had not received the SYN', () => {
    const tl = new Timeline(0, ['CLOSED', 'LISTEN'], 10);
    const o = new ObserverFsm(['CLOSED', 'LISTEN'], tl);
    const e1 = drive(o, tl, 'client', 'SYN', undefined, 1, 1);
    assert.deepEqual(e1.states, ['SYN_SENT', 'SYN_RECEIVED']);
    const e2 = drive(o, tl, 'server', 'SYN', undefined, 1, 2);
    assert.equal(tl.data.initial[1], 'CLOSED', 'active-open rule');
    assert.equal(o.sides[1].initial, 'CLOSED');
    assert.equal(e1.crossed, true, 'fits-only-before rule');
    assert.deepEqual(e1.states, ['SYN_SENT', 'CLOSED']);
    assert.deepEqual(e2.states, ['SYN_RECEIVED', 'SYN_RECEIVED']);
  });

  test('a RST from a server that never answered rewrites its history to CLOSED', () => {
    const tl = new Timeline(0, ['CLOSED', 'LISTEN'], 10);
    const o = new ObserverFsm(['CLOSED', 'LISTEN'], tl);
    const e1 = drive(o, tl, 'client', 'SYN', undefined, 1, 1);
    assert.equal(e1.states[1], 'SYN_RECEIVED');
    drive(o, tl, 'server', 'RST', 1, undefined, 2);
    assert.equal(tl.data.initial[1], 'CLOSED');
    assert.equal(e1.states[1], 'CLOSED');
    assert.deepEqual(e1.changes.map((c) => c.side), ['client'], 'the server\'s changes are dropped');
    assert.deepEqual([o.sides[0].state, o.sides[1].state], ['CLOSED', 'CLOSED']);
  });

  test('finish: a silent server becomes UNKNOWN everywhere', () => {
    const tl = new Timeline(0, ['CLOSED', 'LISTEN'], 10);
    const o = new ObserverFsm(['CLOSED', 'LISTEN'], tl);
    const e1 = drive(o, tl, 'client', 'SYN', undefined, 1, 1);
    const e2 = drive(o, tl, 'client', 'SYN', undefined, 1, 2);
    o.finish(2, false);
    assert.deepEqual([e1.states[1], e2.states[1], tl.data.initial[1], o.sides[1].state], ['UNKNOWN', 'UNKNOWN', 'UNKNOWN', 'UNKNOWN']);
    assert.ok(e1.changes.every((c) => c.side === 'client'));
  });

  test('socket events: connect() and accept() return, EOF, TIME_WAIT, close and abort', () => {
    assert.deepEqual(socketEvents('recv', 'SYN_ACK', 'SYN_SENT', 'ESTABLISHED', 'CLOSED'), ['connect-returns']);
    assert.deepEqual(socketEvents('recv', 'ACK', 'SYN_RECEIVED', 'ESTABLISHED', 'LISTEN'), ['accept-returns']);
    assert.deepEqual(socketEvents('recv', 'ACK', 'SYN_RECEIVED', 'ESTABLISHED', 'CLOSED'), ['connect-returns']);
    assert.deepEqual(socketEvents('recv', 'RST', 'SYN_SENT', 'CLOSED', 'CLOSED'), ['refused']);
    assert.deepEqual(socketEvents('recv', 'FIN', 'FIN_WAIT_2', 'TIME_WAIT', 'CLOSED'), ['eof', 'time-wait']);
    assert.deepEqual(socketEvents('recv', 'ACK_OF_FIN', 'LAST_ACK', 'CLOSED', 'LISTEN'), ['closed']);
    assert.deepEqual(socketEvents('send', 'FIN', 'ESTABLISHED', 'FIN_WAIT_1', 'CLOSED'), ['close-called']);
    assert.deepEqual(socketEvents('send', 'RST', 'ESTABLISHED', 'CLOSED', 'CLOSED'), ['abort']);
    assert.deepEqual(socketEvents('send', 'RST', 'LISTEN', 'LISTEN', 'LISTEN'), []);
  });
});
