/**
 * Wireshark's tcp.completeness, final value per connection: `tshark -2 -T fields -e tcp.stream
 * -e tcp.completeness` (last packet of each stream) against `tcpscope conns --json`, on every
 * shared capture; plus tcptrace's label rules on the study scenarios (TCP-SEMANTICS B.3).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { allCaptures, analysisArgs, needs, label, runCli, runTshark, SHARED } from './support/tshark.js';
import { completenessStr } from '../src/tcp/lifecycle.js';
import { ANALYSIS_FIELDS } from './support/analysis-fields.js';

const STREAM = ANALYSIS_FIELDS.indexOf('tcp.stream');
const COMPLETENESS = ANALYSIS_FIELDS.indexOf('tcp.completeness');

test('tcp.completeness agrees with tshark -2 on every capture', { skip: needs({ tshark: true }) }, () => {
  let compared = 0, agreed = 0;
  const diffs: string[] = [];
  for (const cap of allCaptures()) {
    // The very run test/differential-analysis.test.ts makes for its -2 comparison (same
    // arguments, so the tshark cache answers the second asker): read two of its columns.
    const t = runTshark(analysisArgs(cap, ['-2']));
    if (t.status !== 0) continue;
    const final = new Map<number, string>();
    for (const line of t.stdout.split('\n')) {
      const cells = line.split('\t');
      const s = cells[STREAM], c = cells[COMPLETENESS];
      if (s) final.set(Number(s), c ?? '');
    }
    if (!final.size) continue;
    const r = runCli(['conns', '--json', cap]);
    const ours = JSON.parse(r.stdout || '[]') as Array<{ stream: number; completeness: number }>;
    for (const [stream, c] of final) {
      compared++;
      const o = ours.find((x) => x.stream === stream);
      if (o && String(o.completeness) === c) agreed++;
      else diffs.push(`${label(cap)} stream ${stream}: tshark ${c}, tcpscope ${o?.completeness}`);
    }
  }
  console.log(`tcp.completeness: ${agreed}/${compared} connections agree with tshark -2`);
  assert.ok(STREAM >= 0 && COMPLETENESS >= 0, 'ANALYSIS_FIELDS carries tcp.stream and tcp.completeness');
  assert.ok(compared > 100, `only ${compared} connections compared`);
  assert.deepEqual(diffs, []);
});

test('completeness string (R F D A S S)', () => {
  assert.equal(completenessStr(31), '·FDASS');
  assert.equal(completenessStr(37), 'R··A·S');
  assert.equal(completenessStr(47), 'R·DASS');
  assert.equal(completenessStr(28), '·FDA··');
  assert.equal(completenessStr(1), '·····S');
});

test('tcptrace labels of the study scenarios (TCP-SEMANTICS B.3)', () => {
  const want: Record<string, string> = {
    'client-close-4way.pcap': 'complete', 'http-server-close.pcap': 'complete', 'simultaneous-close.pcap': 'complete',
    'rst-abort.pcap': 'reset', 'refused.pcap': 'reset', 'syn-timeout.pcap': 'unidirectional',
  };
  for (const [f, v] of Object.entries(want)) {
    const ours = JSON.parse(runCli(['conns', '--json', join(SHARED, 'scenarios', f)]).stdout) as Array<{ tcptrace: string }>;
    assert.equal(ours[0]!.tcptrace, v, f);
  }
});
