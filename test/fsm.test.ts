/**
 * The RFC 9293 transition table (src/tcp/fsm.ts): every (state, direction, segment kind) pair
 * it accepts has a test row with the state RFC 9293 prescribes, written out here by hand from
 * the RFC (not read from the table), and every row cites an RFC 9293 section. Then whole
 * connections through the observer: each side's path of states.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { acceptedPairs, FSM, SEGMENT_KINDS, transition, TCP_STATES, type Direction, type SegmentKind, type TcpState } from '../src/tcp/fsm.js';

type RowSpec = [TcpState, Direction, SegmentKind, TcpState];

/** What RFC 9293 says, one row per accepted pair (§ in the comment). */
const EXPECTED: RowSpec[] = [
  // CLOSED (§3.10.1 OPEN; §3.10.7.1 segment arrives while CLOSED: answer with RST)
  ['CLOSED', 'send', 'SYN', 'SYN_SENT'], ['CLOSED', 'send', 'RST', 'CLOSED'],
  ['CLOSED', 'recv', 'SYN', 'CLOSED'], ['CLOSED', 'recv', 'ACK', 'CLOSED'], ['CLOSED', 'recv', 'FIN', 'CLOSED'], ['CLOSED', 'recv', 'RST', 'CLOSED'],
  // LISTEN (§3.10.7.2; §3.10.2 SEND in LISTEN)
  ['LISTEN', 'send', 'SYN_ACK', 'SYN_RECEIVED'], ['LISTEN', 'send', 'SYN', 'SYN_SENT'], ['LISTEN', 'send', 'RST', 'LISTEN'],
  ['LISTEN', 'recv', 'SYN', 'SYN_RECEIVED'], ['LISTEN', 'recv', 'ACK', 'LISTEN'], ['LISTEN', 'recv', 'RST', 'LISTEN'],
  // SYN-SENT (§3.10.7.3; §3.8.1 retransmission)
  ['SYN_SENT', 'send', 'SYN', 'SYN_SENT'], ['SYN_SENT', 'send', 'ACK', 'ESTABLISHED'], ['SYN_SENT', 'send', 'RST', 'CLOSED'],
  ['SYN_SENT', 'recv', 'SYN_ACK', 'ESTABLISHED'], ['SYN_SENT', 'recv', 'SYN', 'SYN_RECEIVED'], ['SYN_SENT', 'recv', 'RST', 'CLOSED'],
  // SYN-RECEIVED (§3.10.7.4 fifth check; §3.10.4 CLOSE; simultaneous open §3.5)
  ['SYN_RECEIVED', 'send', 'SYN_ACK', 'SYN_RECEIVED'], ['SYN_RECEIVED', 'send', 'ACK', 'SYN_RECEIVED'],
  ['SYN_RECEIVED', 'send', 'FIN', 'FIN_WAIT_1'], ['SYN_RECEIVED', 'send', 'RST', 'CLOSED'],
  ['SYN_RECEIVED', 'recv', 'ACK', 'ESTABLISHED'], ['SYN_RECEIVED', 'recv', 'SYN_ACK', 'ESTABLISHED'], ['SYN_RECEIVED', 'recv', 'SYN', 'SYN_RECEIVED'],
  ['SYN_RECEIVED', 'recv', 'FIN', 'CLOSE_WAIT'], ['SYN_RECEIVED', 'recv', 'RST', 'LISTEN'],
  // ESTABLISHED (§3.10.4 CLOSE → FIN-WAIT-1; §3.10.7.4 eighth: FIN → CLOSE-WAIT; second: RST → CLOSED)
  ['ESTABLISHED', 'send', 'ACK', 'ESTABLISHED'], ['ESTABLISHED', 'send', 'SYN_ACK', 'ESTABLISHED'], ['ESTABLISHED', 'send', 'FIN', 'FIN_WAIT_1'],
  ['ESTABLISHED', 'send', 'RST', 'CLOSED'],
  ['ESTABLISHED', 'recv', 'ACK', 'ESTABLISHED'], ['ESTABLISHED', 'recv', 'SYN_ACK', 'ESTABLISHED'], ['ESTABLISHED', 'recv', 'FIN', 'CLOSE_WAIT'],
  ['ESTABLISHED', 'recv', 'RST', 'CLOSED'],
  // FIN-WAIT-1
  ['FIN_WAIT_1', 'send', 'ACK', 'FIN_WAIT_1'], ['FIN_WAIT_1', 'send', 'FIN', 'FIN_WAIT_1'], ['FIN_WAIT_1', 'send', 'RST', 'CLOSED'],
  ['FIN_WAIT_1', 'recv', 'ACK', 'FIN_WAIT_1'], ['FIN_WAIT_1', 'recv', 'ACK_OF_FIN', 'FIN_WAIT_2'], ['FIN_WAIT_1', 'recv', 'FIN', 'CLOSING'],
  ['FIN_WAIT_1', 'recv', 'FIN_ACK_OF_FIN', 'TIME_WAIT'], ['FIN_WAIT_1', 'recv', 'RST', 'CLOSED'],
  // FIN-WAIT-2
  ['FIN_WAIT_2', 'send', 'ACK', 'FIN_WAIT_2'], ['FIN_WAIT_2', 'send', 'RST', 'CLOSED'],
  ['FIN_WAIT_2', 'recv', 'ACK', 'FIN_WAIT_2'], ['FIN_WAIT_2', 'recv', 'ACK_OF_FIN', 'FIN_WAIT_2'], ['FIN_WAIT_2', 'recv', 'FIN', 'TIME_WAIT'],
  ['FIN_WAIT_2', 'recv', 'FIN_ACK_OF_FIN', 'TIME_WAIT'], ['FIN_WAIT_2', 'recv', 'RST', 'CLOSED'],
  // CLOSE-WAIT
  ['CLOSE_WAIT', 'send', 'ACK', 'CLOSE_WAIT'], ['CLOSE_WAIT', 'send', 'FIN', 'LAST_ACK'], ['CLOSE_WAIT', 'send', 'RST', 'CLOSED'],
  ['CLOSE_WAIT', 'recv', 'ACK', 'CLOSE_WAIT'], ['CLOSE_WAIT', 'recv', 'FIN', 'CLOSE_WAIT'], ['CLOSE_WAIT', 'recv', 'RST', 'CLOSED'],
  // CLOSING
  ['CLOSING', 'send', 'ACK', 'CLOSING'], ['CLOSING', 'send', 'FIN', 'CLOSING'], ['CLOSING', 'send', 'RST', 'CLOSED'],
  ['CLOSING', 'recv', 'ACK', 'CLOSING'], ['CLOSING', 'recv', 'ACK_OF_FIN', 'TIME_WAIT'], ['CLOSING', 'recv', 'FIN', 'CLOSING'],
  ['CLOSING', 'recv', 'FIN_ACK_OF_FIN', 'TIME_WAIT'], ['CLOSING', 'recv', 'RST', 'CLOSED'],
  // LAST-ACK
  ['LAST_ACK', 'send', 'ACK', 'LAST_ACK'], ['LAST_ACK', 'send', 'FIN', 'LAST_ACK'], ['LAST_ACK', 'send', 'RST', 'CLOSED'],
  ['LAST_ACK', 'recv', 'ACK', 'LAST_ACK'], ['LAST_ACK', 'recv', 'ACK_OF_FIN', 'CLOSED'], ['LAST_ACK', 'recv', 'FIN', 'LAST_ACK'],
  ['LAST_ACK', 'recv', 'FIN_ACK_OF_FIN', 'CLOSED'], ['LAST_ACK', 'recv', 'RST', 'CLOSED'],
  // TIME-WAIT (only a retransmitted FIN matters: ACK it, restart 2×MSL)
  ['TIME_WAIT', 'send', 'ACK', 'TIME_WAIT'], ['TIME_WAIT', 'send', 'RST', 'CLOSED'],
  ['TIME_WAIT', 'recv', 'ACK', 'TIME_WAIT'], ['TIME_WAIT', 'recv', 'ACK_OF_FIN', 'TIME_WAIT'], ['TIME_WAIT', 'recv', 'FIN', 'TIME_WAIT'],
  ['TIME_WAIT', 'recv', 'FIN_ACK_OF_FIN', 'TIME_WAIT'], ['TIME_WAIT', 'recv', 'RST', 'CLOSED'],
];

describe('RFC 9293 transition table', () => {
  for (const [state, dir, kind, next] of EXPECTED) {
    test(`${state} ${dir} ${kind} → ${next}`, () => {
      const tr = FSM[state][dir][kind];
      assert.ok(tr, 'the table accepts this pair');
      assert.equal(tr.next, next);
      assert.match(tr.rfc, /^RFC 9293 §3\.\d+(\.\d+)*/);
    });
  }

  test('the table accepts exactly the pairs tested above', () => {
    const accepted = acceptedPairs().map((p) => `${p.state} ${p.dir} ${p.kind}`).sort();
    const tested = EXPECTED.map(([s, d, k]) => `${s} ${d} ${k}`).sort();
    assert.deepEqual(accepted, tested);
  });

  test('every other (state, direction, segment) pair is refused, except an ACK/FIN that also covers our FIN, which falls back to the plain row', () => {
    const expected = new Map(EXPECTED.map(([s, d, k, next]) => [`${s} ${d} ${k}`, next]));
    let refused = 0, fellBack = 0;
    for (const s of TCP_STATES) {
      for (const d of ['send', 'recv'] as Direction[]) {
        for (const k of SEGMENT_KINDS) {
          if (expected.has(`${s} ${d} ${k}`)) continue;
          const plain = k === 'ACK_OF_FIN' ? 'ACK' : k === 'FIN_ACK_OF_FIN' ? 'FIN' : undefined;
          const want = plain && expected.get(`${s} ${d} ${plain}`);
          if (want) { assert.equal(transition(s, d, k)?.next, want, `${s} ${d} ${k} as ${plain}`); fellBack++; }
          else { assert.equal(transition(s, d, k), undefined, `${s} ${d} ${k}`); refused++; }
        }
      }
    }
    assert.equal(refused + fellBack + EXPECTED.length, TCP_STATES.length * 2 * SEGMENT_KINDS.length, 'the whole table was walked');
    assert.ok(refused > 0 && fellBack > 0);
    // a few the RFC names explicitly: a FIN to a listener, a SYN from an established endpoint, a second FIN after TIME_WAIT
    for (const p of ['LISTEN recv FIN', 'ESTABLISHED send SYN', 'TIME_WAIT send FIN']) {
      const [st, d, k] = p.split(' ') as [TcpState, Direction, SegmentKind];
      assert.equal(transition(st, d, k), undefined, p);
    }
  });

  test('UNKNOWN (the capture cannot tell) accepts nothing, in either direction', () => {
    for (const d of ['send', 'recv'] as Direction[]) for (const k of SEGMENT_KINDS) assert.equal(transition('UNKNOWN', d, k), undefined, `${d} ${k}`);
  });

  test('repeats (what decides which of two crossing segments came first) never change the state', () => {
    // a retransmitted SYN, SYN/ACK or FIN is a repeat; the SYN that opens, the FIN that closes are not
    assert.equal(transition('SYN_SENT', 'send', 'SYN')?.repeat, true);
    assert.equal(transition('SYN_RECEIVED', 'send', 'SYN_ACK')?.repeat, true);
    assert.equal(transition('FIN_WAIT_1', 'send', 'FIN')?.repeat, true);
    assert.notEqual(transition('CLOSED', 'send', 'SYN')?.repeat, true);
    assert.notEqual(transition('ESTABLISHED', 'send', 'FIN')?.repeat, true);
    for (const [s, d, k, next] of EXPECTED) {
      const tr = transition(s, d, k)!;
      if (tr.repeat) assert.equal(next, s, `${s} ${d} ${k}: a repeat cannot change the state`);
    }
  });

  test('an ACK or FIN that also covers our FIN falls back to the plain row where the FIN does not matter', () => {
    assert.equal(transition('ESTABLISHED', 'recv', 'ACK_OF_FIN')?.next, 'ESTABLISHED');
    assert.equal(transition('CLOSE_WAIT', 'recv', 'FIN_ACK_OF_FIN')?.next, 'CLOSE_WAIT');
  });
});

/** Drive one side through a sequence of events (a per-state fixture in smoltcp's manner). */
function path(start: TcpState, events: Array<[Direction, SegmentKind]>): TcpState[] {
  const out: TcpState[] = [start];
  let s = start;
  for (const [d, k] of events) { s = transition(s, d, k)!.next; out.push(s); }
  return out;
}

describe('textbook paths', () => {
  test('active opener and active closer of a four-way close ends in TIME_WAIT', () => {
    assert.deepEqual(path('CLOSED', [['send', 'SYN'], ['recv', 'SYN_ACK'], ['send', 'ACK'], ['send', 'FIN'], ['recv', 'ACK_OF_FIN'], ['recv', 'FIN'], ['send', 'ACK']]),
      ['CLOSED', 'SYN_SENT', 'ESTABLISHED', 'ESTABLISHED', 'FIN_WAIT_1', 'FIN_WAIT_2', 'TIME_WAIT', 'TIME_WAIT']);
  });
  test('passive opener and passive closer ends CLOSED', () => {
    assert.deepEqual(path('LISTEN', [['recv', 'SYN'], ['send', 'SYN_ACK'], ['recv', 'ACK'], ['recv', 'FIN'], ['send', 'ACK'], ['send', 'FIN'], ['recv', 'ACK_OF_FIN']]),
      ['LISTEN', 'SYN_RECEIVED', 'SYN_RECEIVED', 'ESTABLISHED', 'CLOSE_WAIT', 'CLOSE_WAIT', 'LAST_ACK', 'CLOSED']);
  });
  test('three-packet close: FIN_WAIT_1 straight to TIME_WAIT on a FIN that ACKs ours', () => {
    assert.deepEqual(path('ESTABLISHED', [['send', 'FIN'], ['recv', 'FIN_ACK_OF_FIN']]), ['ESTABLISHED', 'FIN_WAIT_1', 'TIME_WAIT']);
  });
  test('simultaneous close passes through CLOSING', () => {
    assert.deepEqual(path('ESTABLISHED', [['send', 'FIN'], ['recv', 'FIN'], ['send', 'ACK'], ['recv', 'ACK_OF_FIN']]),
      ['ESTABLISHED', 'FIN_WAIT_1', 'CLOSING', 'CLOSING', 'TIME_WAIT']);
  });
  test('simultaneous open passes through SYN_RECEIVED', () => {
    assert.deepEqual(path('CLOSED', [['send', 'SYN'], ['recv', 'SYN'], ['send', 'SYN_ACK'], ['recv', 'SYN_ACK']]),
      ['CLOSED', 'SYN_SENT', 'SYN_RECEIVED', 'SYN_RECEIVED', 'ESTABLISHED']);
  });
});
