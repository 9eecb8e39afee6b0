/**
 * Sequence numbers across the 2^32 wrap, end to end: a crafted connection whose ISNs sit just
 * below 0xffffffff (its data, retransmissions, SACK blocks and FINs cross the wrap) goes through
 * the TCP tracker, the sequence analysis, the lifecycle stage and Zeek's view.
 *  - tshark must show the same relative numbers and analysis fields for it;
 *  - the same connection shifted far away from the wrap must give the same relative numbers,
 *    analysis flags, lifecycle summary and Zeek verdict (only the raw numbers and ISNs differ).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildFrames, buildPcap, type Seg } from './support/build.js';
import { compareFields, hasTshark } from './support/tshark.js';
import { ANALYSIS_FIELDS } from './support/analysis-fields.js';
import { Dissector } from '../src/dissect.js';
import { LifecycleTracker } from '../src/tcp/lifecycle.js';
import { TcpA } from '../src/tcp/types.js';
import { seqAdd } from '../src/core/seq.js';

const tmp = mkdtempSync(join(tmpdir(), 'tcpscope-seqwrap-'));

/**
 * A connection with window scaling and SACK: 4 client segments of 100 bytes, the second lost
 * and SACKed, then retransmitted; a server response; FIN from the client, FIN/ACK, last ACK.
 * `c` and `s` are the ISNs.
 */
function connection(c: number, s: number): Seg[] {
  const C = (n: number): number => seqAdd(c, n), S = (n: number): number => seqAdd(s, n);
  return [
    { t: 0, dir: 'c', seq: c, flags: 'S', win: 64240, mss: 1460, sackPerm: true, ws: 7 },
    { t: 0.01, dir: 's', seq: s, ack: C(1), flags: 'SA', win: 65160, mss: 1460, sackPerm: true, ws: 7 },
    { t: 0.02, dir: 'c', seq: C(1), ack: S(1), flags: 'A', win: 502 },
    { t: 0.03, dir: 'c', seq: C(1), ack: S(1), flags: 'PA', win: 502, len: 100 },
    { t: 0.031, dir: 'c', seq: C(201), ack: S(1), flags: 'PA', win: 502, len: 100 },
    { t: 0.032, dir: 'c', seq: C(301), ack: S(1), flags: 'PA', win: 502, len: 100 },
    { t: 0.04, dir: 's', seq: S(1), ack: C(101), flags: 'A', win: 509 },
    { t: 0.041, dir: 's', seq: S(1), ack: C(101), flags: 'A', win: 509, sack: [[C(201), C(301)]] },
    { t: 0.042, dir: 's', seq: S(1), ack: C(101), flags: 'A', win: 509, sack: [[C(201), C(401)]] },
    { t: 0.043, dir: 'c', seq: C(101), ack: S(1), flags: 'PA', win: 502, len: 100 },
    { t: 0.05, dir: 's', seq: S(1), ack: C(401), flags: 'PA', win: 509, len: 300 },
    { t: 0.06, dir: 'c', seq: C(401), ack: S(301), flags: 'A', win: 502 },
    { t: 0.07, dir: 'c', seq: C(401), ack: S(301), flags: 'FA', win: 502 },
    { t: 0.08, dir: 's', seq: S(301), ack: C(402), flags: 'FA', win: 509 },
    { t: 0.09, dir: 'c', seq: C(402), ack: S(302), flags: 'A', win: 502 },
  ];
}

/** ISNs placed so that the client's data and the server's response both cross 2^32. */
const WRAP = connection(0xffffff00, 0xfffffff0);
const FAR = connection(1_000_000, 2_000_000);

function run(segs: Seg[]): { recs: ReturnType<Dissector['dissect']>[]; lc: ReturnType<LifecycleTracker['finish']> } {
  const d = new Dissector();
  const lt = new LifecycleTracker();
  d.addObserver(lt);
  const recs = buildFrames(segs).map((f) => d.dissect(f));
  return { recs, lc: lt.finish() };
}

test('the crafted connection really crosses the wrap in both directions', () => {
  const raw = WRAP.map((s) => s.seq);
  assert.ok(raw.some((x) => x > 0xffff0000) && raw.some((x) => x < 0x1000), 'raw sequence numbers on both sides of 2^32');
});

test('relative numbers, analysis flags and windows are the same on both sides of the wrap', () => {
  const a = run(WRAP).recs, b = run(FAR).recs;
  assert.equal(a.length, b.length);
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!.tcp!, y = b[i]!.tcp!;
    assert.deepEqual([x.seq, x.ack, x.nxtseq, x.windowSize, x.analysis, x.completeness, x.events],
      [y.seq, y.ack, y.nxtseq, y.windowSize, y.analysis, y.completeness, y.events], `frame ${i + 1}`);
    assert.deepEqual(x.an, y.an, `frame ${i + 1}: SEQ/ACK analysis`);
  }
  // What happened, in relative numbers: the hole at 101 is seen, SACKed, filled and acknowledged.
  assert.equal(a[4]!.tcp!.seq, 201);
  assert.ok(a[4]!.tcp!.analysis & TcpA.LOST_PACKET, 'segment after the hole: previous segment not captured');
  assert.ok(a[7]!.tcp!.analysis & TcpA.DUPLICATE_ACK, 'SACKing ACK is a duplicate ACK');
  assert.ok(a[9]!.tcp!.analysis & (TcpA.RETRANSMISSION | TcpA.FAST_RETRANSMISSION | TcpA.OUT_OF_ORDER), 'the filler is flagged');
  assert.equal(a[10]!.tcp!.ack, 401);
  assert.equal(a[14]!.tcp!.ack, 302);
});

test('lifecycle and Zeek verdicts are the same on both sides of the wrap', () => {
  const [a] = run(WRAP).lc, [b] = run(FAR).lc;
  assert.ok(a && b);
  const strip = (s: typeof a.summary): unknown => ({ ...s, handshake: { ...s.handshake, isn: null }, start: 0 });
  assert.deepEqual(strip(a.summary), strip(b.summary));
  assert.equal(a.summary.handshake.kind, 'three-way');
  assert.deepEqual(a.summary.handshake.checks, { syn_ack_acks_syn: true, ack_acks_syn_ack: true });
  assert.equal(a.summary.handshake.isn.client, 0xffffff00);
  assert.equal(a.summary.teardown.kind, 'three-way-merged-fin-ack');
  assert.equal(a.summary.teardown.complete, true);
  assert.deepEqual([a.summary.states.client, a.summary.states.server], ['TIME_WAIT', 'CLOSED']);
  assert.equal(a.summary.conn_state, 'SF');
  assert.deepEqual([a.summary.zeek.origBytes, a.summary.zeek.respBytes], [400, 300]);
});

test('tshark shows the same relative numbers and analysis for the wrapped connection', () => {
  assert.ok(hasTshark(), 'tshark is needed for this test');
  const file = join(tmp, 'wrap.pcap');
  writeFileSync(file, buildPcap(WRAP));
  const fields = [...ANALYSIS_FIELDS, 'tcp.seq', 'tcp.seq_raw', 'tcp.ack', 'tcp.ack_raw', 'tcp.nxtseq', 'tcp.window_size',
    'tcp.window_size_scalefactor', 'tcp.options.sack_le', 'tcp.options.sack_re'];
  const r = compareFields(file, fields);
  assert.deepEqual(r.diffs, []);
  assert.equal(r.compared, WRAP.length * fields.length);
});
