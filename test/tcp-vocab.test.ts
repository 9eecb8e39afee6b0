/**
 * The TCP vocabularies (src/tcp/vocab.ts): each registry is consistent, and the lists derived
 * from it (TcpA, the anomaly list and filters, the completeness string, the teardown
 * precedence) say what the hand-written expectations below say.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ANALYSIS_FLAGS, ANALYSIS_FLAGS_EXPERT_ORDER, Completeness, COMPLETENESS_BITS, COMPLETENESS_CLOSED, HANDSHAKE_KINDS, TcpA, TEARDOWN_KINDS,
} from '../src/tcp/vocab.js';
import { ANOMALY_FILTER, ANOMALY_FLAGS, ANOMALY_ORDER, AnomalyCounter } from '../src/tcp/anomalies.js';
import { completenessStr } from '../src/tcp/verdicts.js';
import { TEARDOWN_PRECEDENCE } from '../src/tcp/teardown.js';

test('analysis flags: one bit each, distinct names and fields, every field under tcp.analysis.', () => {
  const bits = ANALYSIS_FLAGS.map((r) => r.bit);
  assert.equal(new Set(bits).size, bits.length);
  for (const b of bits) assert.equal(b & (b - 1), 0, `0x${b.toString(16)} is one bit`);
  assert.equal(bits.reduce((a, b) => a | b, 0), 0x7fff, 'Wireshark 4.0 has 15 flags, bits 0–14');
  assert.equal(new Set(ANALYSIS_FLAGS.map((r) => r.name)).size, ANALYSIS_FLAGS.length);
  assert.equal(new Set(ANALYSIS_FLAGS.map((r) => r.field)).size, ANALYSIS_FLAGS.length);
  for (const r of ANALYSIS_FLAGS) assert.match(r.field, /^tcp\.analysis\.[a-z_]+$/);
});

test('TcpA is the registry: Wireshark\'s TCP_A_* values', () => {
  assert.deepEqual({ ...TcpA }, {
    RETRANSMISSION: 0x0001, LOST_PACKET: 0x0002, ACK_LOST_PACKET: 0x0004, KEEP_ALIVE: 0x0008, DUPLICATE_ACK: 0x0010,
    ZERO_WINDOW: 0x0020, ZERO_WINDOW_PROBE: 0x0040, ZERO_WINDOW_PROBE_ACK: 0x0080, KEEP_ALIVE_ACK: 0x0100,
    OUT_OF_ORDER: 0x0200, FAST_RETRANSMISSION: 0x0400, WINDOW_UPDATE: 0x0800, WINDOW_FULL: 0x1000,
    REUSED_PORTS: 0x2000, SPURIOUS_RETRANSMISSION: 0x4000,
  });
  assert.ok(Object.isFrozen(TcpA));
});

test('expert order is a permutation of the flags, in the order Wireshark\'s info column and expert tree use', () => {
  assert.deepEqual([...ANALYSIS_FLAGS_EXPERT_ORDER.map((r) => r.expert)], ANALYSIS_FLAGS.map((_, i) => i));
  assert.deepEqual(ANALYSIS_FLAGS_EXPERT_ORDER.map((r) => r.name), [
    'REUSED_PORTS', 'SPURIOUS_RETRANSMISSION', 'RETRANSMISSION', 'FAST_RETRANSMISSION', 'OUT_OF_ORDER', 'LOST_PACKET', 'ACK_LOST_PACKET',
    'WINDOW_UPDATE', 'WINDOW_FULL', 'KEEP_ALIVE', 'KEEP_ALIVE_ACK', 'DUPLICATE_ACK', 'ZERO_WINDOW_PROBE', 'ZERO_WINDOW', 'ZERO_WINDOW_PROBE_ACK',
  ]);
});

test('anomalies: derived from the registry, in the lifecycle\'s listing order, each with a display filter', () => {
  assert.deepEqual(ANOMALY_ORDER, [
    'retransmission', 'fast-retransmission', 'spurious-retransmission', 'out-of-order', 'lost-segment', 'ack-lost-segment', 'dup-ack',
    'zero-window', 'zero-window-probe', 'window-update', 'window-full', 'keep-alive', 'reused-port', 'sack',
  ]);
  assert.equal(ANOMALY_FILTER['dup-ack'], 'tcp.analysis.duplicate_ack');
  assert.equal(ANOMALY_FILTER.sack, 'tcp.options.sack_le');
  assert.equal(Object.keys(ANOMALY_FILTER).length, ANOMALY_ORDER.length);
  for (const [name, bit, field] of ANOMALY_FLAGS) assert.equal(ANALYSIS_FLAGS.find((r) => r.bit === bit)?.anomaly, name, field);
});

test('anomaly counter: retransmission counts fast and spurious ones too; a keep-alive into a zero window is a probe', () => {
  const c = new AnomalyCounter();
  c.observe(TcpA.FAST_RETRANSMISSION, false, false);
  c.observe(TcpA.SPURIOUS_RETRANSMISSION | TcpA.DUPLICATE_ACK, true, false);
  c.observe(TcpA.KEEP_ALIVE, false, true);
  c.observe(TcpA.KEEP_ALIVE, false, false);
  c.observe(TcpA.KEEP_ALIVE_ACK, false, false);
  assert.deepEqual(c.record(), {
    retransmission: 2, 'fast-retransmission': 1, sack: 1, 'spurious-retransmission': 1, 'dup-ack': 1, 'zero-window-probe': 1, 'keep-alive': 1,
  });
  assert.deepEqual(c.list(), ['retransmission', 'fast-retransmission', 'spurious-retransmission', 'dup-ack', 'zero-window-probe', 'keep-alive', 'sack']);
});

test('completeness bits: named constants, the string in R F D A S S order', () => {
  assert.deepEqual({ ...Completeness }, { RST: 32, FIN: 16, DATA: 8, ACK: 4, SYN_ACK: 2, SYN: 1 });
  assert.equal(COMPLETENESS_BITS.reduce((a, r) => a | r.bit, 0), 63);
  assert.equal(COMPLETENESS_CLOSED, 31);
  assert.equal(completenessStr(0), '······');
  assert.equal(completenessStr(31), '·FDASS');
  assert.equal(completenessStr(Completeness.RST | Completeness.SYN), 'R····S');
});

test('handshake and teardown kinds: distinct; the teardown precedence is the table without its fallbacks', () => {
  assert.equal(new Set(HANDSHAKE_KINDS).size, HANDSHAKE_KINDS.length);
  assert.equal(new Set(TEARDOWN_KINDS).size, TEARDOWN_KINDS.length);
  assert.deepEqual(TEARDOWN_PRECEDENCE, ['rst-abort', 'simultaneous-close', 'fin-with-data', 'half-close', 'three-way-merged-fin-ack', 'four-way']);
});
