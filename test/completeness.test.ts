/**
 * Wireshark's tcp.completeness, final value per connection: `tshark -2 -T fields -e tcp.stream
 * -e tcp.completeness` (last packet of each stream) against `tcpscope conns --json`, on every
 * shared capture; plus tcptrace's label rules on the study scenarios (TCP-SEMANTICS B.3).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { allCaptures, needs, label, runCli, runTshark, SHARED } from './support/tshark.js';
import { completenessStr } from '../src/tcp/lifecycle.js';

test('tcp.completeness agrees with tshark -2 on every capture', { skip: needs({ tshark: true }) }, () => {
  let compared = 0, agreed = 0;
  const diffs: string[] = [];
  for (const cap of allCaptures()) {
    const t = runTshark(['-n', '-2', '-r', cap, '-T', 'fields', '-e', 'tcp.stream', '-e', 'tcp.completeness']);
    if (t.status !== 0) continue;
    const final = new Map<number, string>();
    for (const line of t.stdout.split('\n')) {
      const [s, c] = line.split('\t');
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
