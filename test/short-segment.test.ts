/**
 * Issue 10 (a): a segment whose IP packet ends inside the TCP header its own header length field
 * claims (tshark's "Short segment" expert info). tshark gives such a segment no relative numbers
 * (tcp.seq and tcp.ack show the raw values, tcp.nxtseq and tcp.len are empty) and leaves it out
 * of the analysis of its stream. Crafted captures go through both tools, every cell compared.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildShortPcap, type ShortSeg } from './support/build.js';
import { compareFields, hasTshark, runCli, runTshark } from './support/tshark.js';

import { ANALYSIS_FIELDS } from './support/analysis-fields.js';

const HS: ShortSeg[] = [
  { t: 0, dir: 'c', seq: 1000, flags: 'S', mss: 1460, ws: 7, sackPerm: true, ts: [1, 0] },
  { t: 0.01, dir: 's', seq: 5000, ack: 1001, flags: 'SA', mss: 1460, ws: 7, sackPerm: true, ts: [2, 1] },
  { t: 0.02, dir: 'c', seq: 1001, ack: 5001, flags: 'A', ts: [3, 2] },
];

export const SHORT_CASES: Record<string, ShortSeg[]> = {
  // a data segment cut inside its options, later data and a short FIN
  'data-and-fin': [...HS,
    { t: 0.03, dir: 'c', seq: 1001, ack: 5001, flags: 'PA', len: 100, ts: [4, 2], tcpBytes: 24 },
    { t: 0.04, dir: 's', seq: 5001, ack: 1101, flags: 'A', ts: [5, 4] },
    { t: 0.05, dir: 'c', seq: 1101, ack: 5001, flags: 'PA', len: 10, ts: [6, 5] },
    { t: 0.06, dir: 's', seq: 5001, ack: 1111, flags: 'FA', ts: [7, 6], tcpBytes: 24 },
    { t: 0.07, dir: 'c', seq: 1111, ack: 5002, flags: 'FA', ts: [8, 7] },
    { t: 0.08, dir: 's', seq: 5002, ack: 1112, flags: 'A', ts: [9, 8] },
  ],
  // only the fixed 20 bytes of the header, the options missing
  'no-options': [...HS,
    { t: 0.03, dir: 'c', seq: 1001, ack: 5001, flags: 'PA', len: 50, ts: [4, 2], tcpBytes: 20 },
    { t: 0.04, dir: 'c', seq: 1051, ack: 5001, flags: 'PA', len: 50, ts: [5, 2] },
    { t: 0.05, dir: 's', seq: 5001, ack: 1101, flags: 'A', ts: [6, 5] },
  ],
  // a short SYN: its options (window scale) are cut
  'short-syn': [
    { t: 0, dir: 'c', seq: 1000, flags: 'S', mss: 1460, ws: 7, sackPerm: true, ts: [1, 0], tcpBytes: 28 },
    { t: 0.01, dir: 's', seq: 5000, ack: 1001, flags: 'SA', mss: 1460, ws: 7, sackPerm: true, ts: [2, 1] },
    { t: 0.02, dir: 'c', seq: 1001, ack: 5001, flags: 'A', ts: [3, 2] },
    { t: 0.03, dir: 'c', seq: 1001, ack: 5001, flags: 'PA', len: 20, ts: [4, 2] },
    { t: 0.04, dir: 's', seq: 5001, ack: 1021, flags: 'A', ts: [5, 4] },
  ],
  // a short segment that retransmits bytes already seen
  'short-retransmission': [...HS,
    { t: 0.03, dir: 'c', seq: 1001, ack: 5001, flags: 'PA', len: 100, ts: [4, 2] },
    { t: 0.3, dir: 'c', seq: 1001, ack: 5001, flags: 'PA', len: 100, ts: [5, 2], tcpBytes: 24 },
    { t: 0.31, dir: 's', seq: 5001, ack: 1101, flags: 'A', ts: [6, 5] },
  ],
};

/** the TCP fields of the core differential test (test/differential.test.ts), then the analysis fields */
const FIELDS = [...new Set([
  'frame.number', 'frame.len', 'frame.cap_len', 'ip.len',
  'tcp.stream', 'tcp.srcport', 'tcp.dstport', 'tcp.port', 'tcp.seq', 'tcp.seq_raw', 'tcp.nxtseq', 'tcp.ack', 'tcp.ack_raw',
  'tcp.len', 'tcp.hdr_len', 'tcp.flags', 'tcp.flags.str', 'tcp.window_size_value', 'tcp.window_size',
  'tcp.window_size_scalefactor', 'tcp.checksum', 'tcp.urgent_pointer', 'tcp.options.mss_val', 'tcp.options.wscale.shift',
  'tcp.options.sack_perm', 'tcp.options.timestamp.tsval', 'tcp.options.timestamp.tsecr', 'tcp.time_relative', 'tcp.time_delta',
  'tcp.completeness',
  ...ANALYSIS_FIELDS,
])];

test('short segments: every field agrees with tshark', { skip: !hasTshark() && 'tshark is not installed' }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'tcpscope-short-'));
  try {
    let compared = 0, agreed = 0;
    const diffs: string[] = [];
    for (const [name, segs] of Object.entries(SHORT_CASES)) {
      const file = join(dir, `${name}.pcap`);
      writeFileSync(file, buildShortPcap(segs));
      for (const extra of [[], ['-2']]) {
        const r = compareFields(file, FIELDS, extra);
        compared += r.compared; agreed += r.agreed;
        for (const d of r.diffs) diffs.push(`${name} ${extra.join(' ')} frame ${d.frame} ${d.field}: tshark "${d.tshark}" tcpscope "${d.tcpscope}"`);
      }
    }
    // the packet list too (tcpscope does not append tshark's "[Malformed Packet…]" to the Info column: stripped)
    for (const name of Object.keys(SHORT_CASES)) {
      const file = join(dir, `${name}.pcap`);
      const strip = (t: string): string => t.replace(/\[Malformed Packet[^\]]*\]$/gm, '');
      assert.equal(runCli(['read', '-r', file]).stdout, strip(runTshark(['-r', file]).stdout), name);
    }
    console.log(`short segments: ${agreed}/${compared} cells agree with tshark over ${Object.keys(SHORT_CASES).length} crafted captures, one and two passes`);
    assert.deepEqual(diffs, []);
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test('a short segment keeps its raw numbers and no next sequence number (without tshark)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tcpscope-short-'));
  try {
    const file = join(dir, 'data-and-fin.pcap');
    writeFileSync(file, buildShortPcap(SHORT_CASES['data-and-fin']!));
    const r = runCli(['read', '-r', file, '-T', 'fields', '-e', 'tcp.seq', '-e', 'tcp.nxtseq', '-e', 'tcp.ack', '-e', 'tcp.len']);
    assert.equal(r.status, 0, r.stderr);
    const rows = r.stdout.trimEnd().split('\n');
    assert.equal(rows[3], '1001\t\t5001\t');
    assert.equal(rows[4], '1\t1\t101\t0');
    assert.equal(rows[6], '5001\t\t1111\t');
    const list = runCli(['read', '-r', file]).stdout.split('\n');
    assert.match(list[3]!, /\[PSH, ACK\] Seq=1001 Ack=5001 Win=65535$/);
  } finally { rmSync(dir, { recursive: true, force: true }); }
});
