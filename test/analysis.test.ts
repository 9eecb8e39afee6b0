/**
 * tcp.analysis.* on crafted packet sequences, one rule at a time (test/support/build.ts).
 * Each case states what tshark 4.0.17 shows for it; when tshark is installed the same pcap goes
 * through tshark too and every analysis field must agree. Plus: bounded memory on one long
 * connection, findings and their "why" texts, the Info labels and the details tree.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildFrames, buildPcap, type Seg } from './support/build.js';
import { compareFields, hasTshark } from './support/tshark.js';
import { Dissector } from '../src/dissect.js';
import { TcpA } from '../src/tcp/types.js';
import { MAX_UNACKED_SEGMENTS } from '../src/tcp/analysis.js';
import { analysisFindings } from '../src/render/findings.js';
import { columns } from '../src/render/summary.js';
import { detailsTree, renderTree } from '../src/render/details.js';
import { lookupField, type FieldValue } from '../src/fields/index.js';
import type { PacketRecord } from '../src/record.js';
import { ANALYSIS_FIELDS } from './support/analysis-fields.js';

const tmp = mkdtempSync(join(tmpdir(), 'tcpscope-analysis-'));
const C = 1000, S = 5000;
/** Client SYN, server SYN/ACK, client ACK: 10 ms RTT on each side, no window scaling. */
const HANDSHAKE: Seg[] = [
  { t: 0, dir: 'c', seq: C, flags: 'S', win: 1000 },
  { t: 0.01, dir: 's', seq: S, ack: C + 1, flags: 'SA', win: 1000 },
  { t: 0.02, dir: 'c', seq: C + 1, ack: S + 1, flags: 'A', win: 1000 },
];

function dissect(segs: Seg[]): PacketRecord[] {
  const d = new Dissector();
  return buildFrames(segs).map((f) => d.dissect(f));
}

/** Field values of one record as tshark prints them. */
function field(r: PacketRecord, name: string): string {
  const def = lookupField(name)!;
  const out: FieldValue[] = [];
  def.get(r, out);
  return out.map((v) => def.text(v)).join(',');
}

const has = (r: PacketRecord, bit: number): boolean => ((r.tcp?.analysis ?? 0) & bit) !== 0;

let caseNo = 0;
/** With tshark installed: the crafted capture must give the same analysis fields in both tools. */
function agreesWithTshark(segs: Seg[]): void {
  if (!hasTshark()) return;
  const file = join(tmp, `case-${++caseNo}.pcap`);
  writeFileSync(file, buildPcap(segs));
  const r = compareFields(file, ANALYSIS_FIELDS);
  assert.deepEqual(r.diffs, [], `crafted case ${caseNo} differs from tshark`);
  assert.ok(r.compared > 0);
}

test('duplicate ACKs count up while the ack stays; the first ACK after a SYN/ACK is a dup of it', () => {
  const segs: Seg[] = [...HANDSHAKE,
    { t: 0.03, dir: 'c', seq: C + 1, ack: S + 1, flags: 'PA', win: 1000, len: 100 },
    { t: 0.04, dir: 's', seq: S + 1, ack: C + 1, flags: 'A', win: 1000 },
    { t: 0.05, dir: 's', seq: S + 1, ack: C + 1, flags: 'A', win: 1000 },
    { t: 0.06, dir: 's', seq: S + 1, ack: C + 101, flags: 'A', win: 1000 },
  ];
  const r = dissect(segs);
  assert.ok(has(r[4]!, TcpA.DUPLICATE_ACK));
  assert.equal(field(r[4]!, 'tcp.analysis.duplicate_ack_num'), '1');
  assert.equal(field(r[4]!, 'tcp.analysis.duplicate_ack_frame'), '2');
  assert.equal(field(r[5]!, 'tcp.analysis.duplicate_ack_num'), '2');
  assert.equal(field(r[4]!, 'tcp.analysis.duplicate_ack'), '1,1', 'tshark adds the item twice');
  assert.ok(!has(r[6]!, TcpA.DUPLICATE_ACK), 'a new ack is no duplicate');
  assert.equal(field(r[6]!, 'tcp.analysis.acks_frame'), '4');
  assert.equal(field(r[6]!, 'tcp.analysis.ack_rtt'), '0.030000000');
  assert.equal(columns(r[5]!).info.slice(0, 21), '[TCP Dup ACK 2#2] 80 ');
  agreesWithTshark(segs);
});

test('fast retransmission needs 2 dup ACKs for its seq within 20 ms; later it is a plain retransmission', () => {
  const data = (t: number, seq: number): Seg => ({ t, dir: 'c', seq, ack: S + 1, flags: 'A', win: 1000, len: 100 });
  const dup = (t: number, ack: number): Seg => ({ t, dir: 's', seq: S + 1, ack, flags: 'A', win: 1000 });
  const segs: Seg[] = [...HANDSHAKE,
    data(0.030, C + 1), data(0.031, C + 101), data(0.032, C + 201),
    dup(0.040, C + 101), dup(0.041, C + 101), dup(0.042, C + 101),
    data(0.050, C + 101), // 8 ms after the last dup ACK: fast
    dup(0.060, C + 301), data(0.061, C + 301), dup(0.070, C + 301), dup(0.071, C + 301), dup(0.072, C + 301),
    data(0.100, C + 301), // 28 ms after: retransmission, RTO from the oldest unacked (frame 12)
  ];
  const r = dissect(segs);
  assert.ok(has(r[9]!, TcpA.FAST_RETRANSMISSION));
  assert.equal(field(r[9]!, 'tcp.analysis.retransmission'), '1', 'fast retransmissions are retransmissions too');
  assert.equal(columns(r[9]!).info.split(' 40000')[0], '[TCP Fast Retransmission]');
  const why = analysisFindings(r[9]!, 'en')[0]!;
  assert.equal(why.filter, 'tcp.analysis.fast_retransmission && tcp.stream eq 0');
  assert.match(why.why, /2 duplicate ACKs \(its ACK in frame 7, duplicates in frames 8–9\)/);
  assert.match(why.why, /8\.000 ms before this segment, within the 20 ms window/);
  assert.ok(has(r[15]!, TcpA.RETRANSMISSION) && !has(r[15]!, TcpA.FAST_RETRANSMISSION));
  assert.equal(field(r[15]!, 'tcp.analysis.rto_frame'), '12');
  assert.equal(field(r[15]!, 'tcp.analysis.rto'), '0.039000000');
  agreesWithTshark(segs);
});

test('out-of-order below the iRTT, spurious when already acknowledged, lost segment on a gap', () => {
  const d = (t: number, seq: number, len = 100): Seg => ({ t, dir: 'c', seq, ack: S + 1, flags: 'A', win: 1000, len });
  const segs: Seg[] = [...HANDSHAKE,
    d(0.030, C + 1), d(0.031, C + 201), // gap: previous segment not captured
    d(0.035, C + 101), // 4 ms after the highest one, iRTT 20 ms: out-of-order
    { t: 0.040, dir: 's', seq: S + 1, ack: C + 301, flags: 'A', win: 1000 },
    d(0.050, C + 1), // everything acknowledged: spurious
  ];
  const r = dissect(segs);
  assert.ok(has(r[4]!, TcpA.LOST_PACKET));
  assert.ok(has(r[5]!, TcpA.OUT_OF_ORDER));
  assert.match(analysisFindings(r[5]!, 'en')[0]!.why, /less than the initial RTT \(20\.000 ms\)/);
  assert.ok(has(r[7]!, TcpA.SPURIOUS_RETRANSMISSION));
  assert.equal(field(r[7]!, 'tcp.analysis.retransmission'), '1');
  assert.equal(field(r[5]!, 'tcp.analysis.initial_rtt'), '0.020000000');
  agreesWithTshark(segs);
});

test('zero window, zero-window probe and its ACK; window update; keep-alive and its ACK; ACKed unseen', () => {
  const segs: Seg[] = [...HANDSHAKE,
    { t: 0.03, dir: 'c', seq: C + 1, ack: S + 1, flags: 'PA', win: 1000, len: 500 },
    { t: 0.04, dir: 's', seq: S + 1, ack: C + 501, flags: 'A', win: 0 },
    { t: 0.05, dir: 'c', seq: C + 501, ack: S + 1, flags: 'A', win: 1000, len: 1 },
    { t: 0.06, dir: 's', seq: S + 1, ack: C + 501, flags: 'A', win: 0 },
    { t: 0.07, dir: 's', seq: S + 1, ack: C + 501, flags: 'A', win: 500 },
    { t: 1.07, dir: 'c', seq: C + 500, ack: S + 1, flags: 'A', win: 1000 },
    { t: 1.08, dir: 's', seq: S + 1, ack: C + 501, flags: 'A', win: 500 },
    { t: 1.09, dir: 's', seq: S + 1, ack: C + 900, flags: 'A', win: 500 },
  ];
  const r = dissect(segs);
  assert.ok(has(r[4]!, TcpA.ZERO_WINDOW));
  assert.ok(has(r[5]!, TcpA.ZERO_WINDOW_PROBE));
  assert.ok(has(r[6]!, TcpA.ZERO_WINDOW_PROBE_ACK) && has(r[6]!, TcpA.ZERO_WINDOW));
  assert.equal(columns(r[6]!).info.split(' 80 ')[0], '[TCP ZeroWindowProbeAck] [TCP ZeroWindow]', 'the label added last comes first');
  assert.ok(has(r[7]!, TcpA.WINDOW_UPDATE));
  assert.ok(has(r[8]!, TcpA.KEEP_ALIVE));
  assert.ok(has(r[9]!, TcpA.KEEP_ALIVE_ACK));
  assert.ok(has(r[10]!, TcpA.ACK_LOST_PACKET));
  assert.match(analysisFindings(r[7]!, 'zh-CN')[0]!.why, /窗口变了：0 → 500/);
  agreesWithTshark(segs);
});

test('window full uses the peer\'s scaled window, but not before the peer has sent a pure ACK', () => {
  const segs: Seg[] = [
    { t: 0, dir: 'c', seq: C, flags: 'S', win: 64240, ws: 2 },
    { t: 0.01, dir: 's', seq: S, ack: C + 1, flags: 'SA', win: 1000, ws: 3 },
    { t: 0.02, dir: 'c', seq: C + 1, ack: S + 1, flags: 'A', win: 100 },
    { t: 0.021, dir: 'c', seq: C + 1, ack: S + 1, flags: 'PA', win: 100, len: 1000 }, // 1000 = the SYN/ACK's window, unscaled
    { t: 0.03, dir: 's', seq: S + 1, ack: C + 1001, flags: 'A', win: 100 },
    { t: 0.031, dir: 'c', seq: C + 1001, ack: S + 1, flags: 'PA', win: 100, len: 800 }, // 100 << 3
  ];
  const r = dissect(segs);
  assert.ok(has(r[3]!, TcpA.WINDOW_FULL));
  assert.ok(has(r[5]!, TcpA.WINDOW_FULL));
  assert.match(analysisFindings(r[5]!, 'en')[0]!.why, /its last ACK 1001 \+ window 800 bytes = 1801/);
  agreesWithTshark(segs);
});

test('bytes in flight subtract the peer\'s last SACK blocks; PSH restarts the push counter', () => {
  const segs: Seg[] = [...HANDSHAKE,
    { t: 0.03, dir: 'c', seq: C + 1, ack: S + 1, flags: 'A', win: 1000, len: 100 },
    { t: 0.031, dir: 'c', seq: C + 101, ack: S + 1, flags: 'PA', win: 1000, len: 100 },
    { t: 0.032, dir: 'c', seq: C + 201, ack: S + 1, flags: 'A', win: 1000, len: 100 },
    { t: 0.04, dir: 's', seq: S + 1, ack: C + 1, flags: 'A', win: 1000, sack: [[C + 101, C + 201]] },
    { t: 0.041, dir: 'c', seq: C + 301, ack: S + 1, flags: 'A', win: 1000, len: 100 },
  ];
  const r = dissect(segs);
  assert.equal(field(r[5]!, 'tcp.analysis.bytes_in_flight'), '300');
  assert.equal(field(r[4]!, 'tcp.analysis.push_bytes_sent'), '200');
  assert.equal(field(r[5]!, 'tcp.analysis.push_bytes_sent'), '100');
  assert.equal(field(r[7]!, 'tcp.analysis.bytes_in_flight'), '300', '400 unacknowledged less 100 SACKed');
  agreesWithTshark(segs);
});

test('tcp.completeness: the value before the packet; -2 (finals) shows the final one', async () => {
  const segs: Seg[] = [...HANDSHAKE,
    { t: 0.03, dir: 'c', seq: C + 1, ack: S + 1, flags: 'PA', win: 1000, len: 10 },
    { t: 0.04, dir: 's', seq: S + 1, ack: C + 11, flags: 'FA', win: 1000 },
    { t: 0.05, dir: 'c', seq: C + 11, ack: S + 2, flags: 'RA', win: 0 },
  ];
  const r = dissect(segs);
  assert.deepEqual(r.map((x) => x.tcp!.completeness), [0, 1, 3, 7, 15, 31]);
  assert.equal(r[5]!.tcp!.conv.an.completeness, 63, 'the running value on the conversation is final after the last packet');
  const { FinalsCollector } = await import('../src/tcp/analysis.js');
  const c = new FinalsCollector();
  for (const x of r) c.observe(x);
  const d = new Dissector();
  d.tcp.finals = c.finals();
  assert.deepEqual(buildFrames(segs).map((f) => d.dissect(f).tcp!.completeness), [63, 63, 63, 63, 63, 63]);
});

test('per-connection memory stays bounded on a long one-way connection (no ACKs)', () => {
  const d = new Dissector();
  // Port 9999: no application protocol looks at the payload (this test is about the TCP stage).
  for (const f of buildFrames([
    { t: 0, dir: 'c', seq: C, flags: 'S', win: 1000, sport: 9999 },
    { t: 0.001, dir: 's', seq: S, ack: C + 1, flags: 'SA', win: 1000, sport: 9999 },
  ])) d.dissect(f);
  const sizes: number[] = [];
  const one = buildFrames([{ t: 0, dir: 'c', seq: 0, ack: S + 1, flags: 'A', win: 1000, len: 10, sport: 9999 }])[0]!;
  const v = new DataView(one.data.buffer, one.data.byteOffset);
  let last: PacketRecord | undefined;
  const n = 3 * MAX_UNACKED_SEGMENTS;
  for (let i = 0; i < n; i++) {
    v.setUint32(24, (C + 1 + i * 10) >>> 0); // the same segment with the next seq (raw IPv4: TCP starts at 20)
    last = d.dissect({ ...one, number: i + 3, tsSec: one.tsSec + Math.floor(i / 1000), tsNsec: (i % 1000) * 1e6 });
    if (i === MAX_UNACKED_SEGMENTS + 999 || i === n - 1) {
      const an = last.tcp!.conv.flows[last.tcp!.flow].an;
      sizes.push(an.unacked.length + last.tcp!.conv.flows[1 - last.tcp!.flow].an.unacked.length);
    }
  }
  assert.deepEqual(sizes, [MAX_UNACKED_SEGMENTS, MAX_UNACKED_SEGMENTS], 'unacknowledged segments are capped, not grown with the packets');
  assert.equal(field(last!, 'tcp.analysis.bytes_in_flight'), String(MAX_UNACKED_SEGMENTS * 10), 'in flight counts the remembered segments only');
});

test('the cap is Wireshark 4.0\'s: past 10000 unacknowledged segments tshark stops tracking too', { skip: !hasTshark() && 'tshark is not installed' }, () => {
  assert.equal(MAX_UNACKED_SEGMENTS, 10_000);
  const segs: Seg[] = [
    { t: 0, dir: 'c', seq: C, flags: 'S', win: 1000, sport: 9999 },
    { t: 0.001, dir: 's', seq: S, ack: C + 1, flags: 'SA', win: 1000, sport: 9999 },
  ];
  for (let i = 0; i < MAX_UNACKED_SEGMENTS + 20; i++) segs.push({ t: 0.002 + i * 1e-4, dir: 'c', seq: C + 1 + i * 10, ack: S + 1, flags: 'A', win: 1000, len: 10, sport: 9999 });
  segs.push({ t: 2, dir: 's', seq: S + 1, ack: C + 1 + (MAX_UNACKED_SEGMENTS + 20) * 10, flags: 'A', win: 1000, sport: 9999 });
  agreesWithTshark(segs);
});

test('read -V shows the SEQ/ACK analysis with the why of each flag', () => {
  const segs: Seg[] = [...HANDSHAKE,
    { t: 0.03, dir: 'c', seq: C + 1, ack: S + 1, flags: 'PA', win: 1000, len: 100 },
    { t: 0.04, dir: 's', seq: S + 1, ack: C + 1, flags: 'A', win: 1000 },
  ];
  const r = dissect(segs);
  const text = renderTree(detailsTree(r[4]!), { meanings: true, lang: 'en' });
  assert.match(text, /\[SEQ\/ACK analysis\]\n\s+\[iRTT: 0\.020000000 seconds\]/);
  assert.match(text, /\[This is a TCP duplicate ack\]\n\s+\[Why: No data, and the same seq 1, ack 1 and window 1000/);
  assert.match(text, /\[Duplicate to the ACK in frame: 2\]/);
  const plain = renderTree(detailsTree(r[4]!), { meanings: false, lang: 'en' });
  assert.doesNotMatch(plain, /\[Why:/, 'no why lines with --no-meanings');
  assert.match(renderTree(detailsTree(r[4]!), { meanings: true, lang: 'zh-CN' }), /\[原因: 没有数据/);
});
