/** The README's library example, run for real, and the browser-safe entry on bytes in memory. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyze, CaptureParser, lookupField, type FieldValue } from '../src/index.js';
import { openCapture } from '../cli/node-io.js';
import { REPO, SHARED } from './support/tshark.js';

test('README example: openCapture + analyze yields frames with tcp.stream and relative numbers', async () => {
  const rows: string[] = [];
  for await (const rec of analyze(await openCapture(join(REPO, 'samples/http-get.pcap')))) {
    const { frame, tcp } = rec.packet;
    if (tcp && rec.tcp) rows.push(`${frame.number} ${rec.tcp.stream} ${tcp.srcPort}→${tcp.dstPort} seq ${rec.tcp.seq} ack ${rec.tcp.ack}`);
  }
  // The client-close-4way scenario: 11 packets of one connection (key packets from its truth file).
  assert.equal(rows.length, 11);
  assert.equal(rows[0], '1 0 51030→12709 seq 0 ack 0');
  assert.equal(rows[1], '2 0 12709→51030 seq 0 ack 1');
  assert.equal(rows[7], '8 0 51030→12709 seq 71 ack 677');
  assert.equal(rows[10], '11 0 51030→12709 seq 72 ack 678');
  await assert.rejects(openCapture(join(REPO, 'no-such.pcap')), /no-such\.pcap/);
});

test('analyze() on bytes in memory (as in a browser) reports file problems through its parser', async () => {
  const bytes = readFileSync(join(SHARED, 'scenarios/rst-abort.pcap'));
  const parser = new CaptureParser();
  const seen: number[] = [];
  const ack = lookupField('tcp.ack')!;
  const out: FieldValue[] = [];
  for await (const rec of analyze(new Uint8Array(bytes.subarray(0, bytes.length - 5)), { parser })) {
    out.length = 0;
    ack.get(rec, out);
    seen.push(out[0] as number);
  }
  assert.equal(seen.length, 7); // the 8th record was cut
  assert.equal(seen[2], 1);
  assert.ok(parser.problems.some((p) => p.fatal && p.frame === 8));
});

test('the library exports the stateful decoder and the tunnel hops (a VXLAN capture, decoded packet by packet)', async () => {
  const { PacketDecoder, tunnelsOf, readCapture } = await import('../src/index.js');
  const bytes = new Uint8Array(readFileSync(join(SHARED, '../encap/vxlan-encapsulated-http.pcap')));
  const decoder = new PacketDecoder();
  const hops = new Set<string>();
  let tcp = 0;
  for await (const frame of readCapture((async function* () { yield bytes; })())) {
    const p = decoder.decode(frame);
    if (p.tcp) tcp++;
    for (const h of tunnelsOf(p)) hops.add(h.type);
  }
  assert.ok(tcp > 0, 'no TCP inside the VXLAN capture');
  assert.ok(hops.has('vxlan'), `tunnel hops seen: ${[...hops].join(', ')}`);
});
