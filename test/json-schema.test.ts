/** `read -T json` output validates against docs/schema/packet.schema.json and carries the -e values. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2020 from 'ajv/dist/2020.js';
import { REPO, SHARED, runCli } from './support/tshark.js';

const schema = JSON.parse(readFileSync(join(REPO, 'docs/schema/packet.schema.json'), 'utf8'));

test('read -T json validates against the documented schema and agrees with -T fields', () => {
  const ajv = new Ajv2020.default({ allErrors: true, strict: false });
  const validate = ajv.compile(schema);
  for (const cap of ['scenarios/http-server-close.pcap', 'scenarios/rst-abort.pcap', 'pcapplusplus_one_http_stream_rst.pcap', 'zeek_wikipedia.pcap', 'tcpdump_tcp_header_heapoverflow.pcap']) {
    const file = join(SHARED, cap);
    const r = runCli(['read', file, '-T', 'json']);
    const data = JSON.parse(r.stdout) as Array<{ frame: number; layers: Record<string, Record<string, unknown>> }>;
    assert.ok(validate(data), `${cap}: ${ajv.errorsText(validate.errors)}`);
    const fields = runCli(['read', file, '-T', 'fields', '-e', 'frame.number', '-e', 'tcp.seq', '-e', 'ip.addr', '-e', 'tcp.flags'])
      .stdout.replace(/\n$/, '').split('\n').map((l) => l.split('\t'));
    assert.equal(data.length, fields.length);
    data.forEach((p, i) => {
      const [num, seq, addr, flags] = fields[i]!;
      assert.equal(String(p.frame), num);
      assert.equal(p.layers.tcp?.['tcp.seq'] === undefined ? '' : String(p.layers.tcp['tcp.seq']), seq);
      const a = p.layers.ip?.['ip.addr'];
      assert.equal(a === undefined ? '' : ([] as unknown[]).concat(a).join(','), addr);
      assert.equal(p.layers.tcp?.['tcp.flags'] ?? '', flags);
    });
  }
});
