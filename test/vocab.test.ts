/**
 * Vocabularies as registries: TCP options narrow by kind (unknown and malformed ones are
 * `kind: 'other'` with their wire code), integer widths live on the field definitions, the
 * field registry is built explicitly, the analysis flags have one place in the order and one
 * Info label each, and capture problem ids are well-formed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Frame } from '../src/capture/types.js';
import { LinkType } from '../src/capture/types.js';
import { decodePacket } from '../src/decode/decode.js';
import { optionCode, type TcpOption } from '../src/decode/types.js';
import { Dissector } from '../src/dissect.js';
import { FIELDS, lookupField, allFields, type FieldValue } from '../src/fields/index.js';
import { FieldRegistry } from '../src/fields/registry.js';
import { uint } from '../src/fields/make.js';
import { compileFilter } from '../src/filter/index.js';
import { ANALYSIS_ORDER, analysisFlags } from '../src/tcp/expert.js';
import { TcpA, type TcpInfo } from '../src/tcp/types.js';
import { INFO_LABELS, analysisPrefix, tcpExpertItems } from '../src/render/info-labels.js';
import { CAPTURE_PROBLEMS } from '../src/capture/problems.js';

const hex = (s: string): Uint8Array => new Uint8Array(s.replace(/\s+/g, '').match(/../g)!.map((b) => parseInt(b, 16)));

// A real SYN (Ethernet, IPv4, TCP with 20 bytes of options), whose options are replaced below.
const SYN = hex('00000000000000000000000008004500003c871840004006b5a17f0000017f000001928042c0df83610000000000a002ffd7fe3000000204ffd70402080add4b014f000000000103030a');

function withOptions(opts: number[]): Frame {
  assert.equal(opts.length, 20);
  const data = SYN.slice();
  data.set(opts, 54);
  return { number: 1, tsSec: 1, tsNsec: 0, capLen: data.length, origLen: data.length, linkType: LinkType.ETHERNET, iface: 0, data, fileOffset: 24 };
}

// kind 30 (not decoded), an MSS of length 5 (malformed), NOP ×3, window scale 7, NOP ×4, EOL
const ODD = [0x1e, 4, 0, 0, 2, 5, 0, 0, 0, 1, 1, 1, 3, 3, 7, 1, 1, 1, 1, 0];

test('TCP options: unknown and malformed kinds are "other" with their code; known kinds narrow', () => {
  const tcp = decodePacket(withOptions(ODD)).tcp!;
  assert.deepEqual(tcp.options.map((o) => o.kind), ['other', 'other', 1, 1, 1, 3, 1, 1, 1, 1, 0]);
  assert.deepEqual(tcp.options.map(optionCode), [30, 2, 1, 1, 1, 3, 1, 1, 1, 1, 0]);
  const other = tcp.options[1]!;
  assert.ok(other.kind === 'other' && other.malformed === 'option length should be 4');
  const shifts = tcp.options.map((o: TcpOption) => (o.kind === 3 ? o.shift : undefined)).filter((s) => s !== undefined);
  assert.deepEqual(shifts, [7]);
});

test('TCP options: fields and expert items read the wire code of every option', () => {
  const r = new Dissector().dissect(withOptions(ODD));
  const values = (name: string): FieldValue[] => { const out: FieldValue[] = []; lookupField(name)!.get(r, out); return out; };
  assert.deepEqual(values('tcp.option_kind'), [30, 2, 1, 1, 1, 3, 1, 1, 1, 1, 0]);
  assert.deepEqual(values('tcp.options.wscale.shift'), [7]);
  assert.deepEqual(values('tcp.options.mss_val'), [], 'a malformed MSS has no value');
  const items = tcpExpertItems(r).map((i) => `${i.field}: ${i.summary}`);
  assert.ok(items.includes('tcp.option.len.invalid: option length should be 4'), items.join('\n'));
  // tshark counts the malformed MSS as an MSS option: no "SYN without MSS" item
  assert.ok(!items.some((i) => i.startsWith('tcp.options.mss.absent')), items.join('\n'));
});

test('field widths live on the definitions; the registry is built from the tables', () => {
  assert.equal(lookupField('tcp.port')!.bits, 16);
  assert.equal(lookupField('ip.ttl')!.bits, 8);
  assert.equal(lookupField('tcp.seq')!.bits, 32);
  assert.equal(lookupField('http.content_length')!.bits, 64);
  assert.equal(lookupField('tcp.window_size_scalefactor')!.type, 'int');
  assert.equal(lookupField('tcp.flags.syn')!.bits, undefined, 'boolean flags have no width');
  assert.throws(() => compileFilter('tcp.port == 65536'), /too big/);
  assert.doesNotThrow(() => compileFilter('tcp.port == 65535'));
  assert.doesNotThrow(() => compileFilter('tcp.window_size_scalefactor == -2'));
  // every integer field but the three bit fields tshark stores as booleans has a width
  const noWidth = allFields().filter((d) => (d.type === 'uint' || d.type === 'int') && d.bits === undefined).map((d) => d.name);
  assert.deepEqual(noWidth.sort(), ['pppoes.session_id', 'tcp.flags.res', 'vlan.dei']);
  assert.equal(FIELDS.all().length, allFields().length);
  const def = uint('x.y', 'X', 8, () => undefined);
  assert.throws(() => new FieldRegistry([def, def]), /x\.y registered twice/);
});

test('analysis flags: every TcpA flag has one place in the order and one Info label', () => {
  const flags = ANALYSIS_ORDER.map((e) => e.flag);
  assert.deepEqual([...flags].sort(), Object.keys(TcpA).sort());
  assert.deepEqual(Object.keys(INFO_LABELS).sort(), Object.keys(TcpA).sort());
  assert.deepEqual(analysisFlags(TcpA.DUPLICATE_ACK | TcpA.WINDOW_UPDATE).map((e) => e.flag), ['WINDOW_UPDATE', 'DUPLICATE_ACK']);
  const t = { analysis: TcpA.DUPLICATE_ACK | TcpA.WINDOW_UPDATE, an: { dupAckFrame: 5, dupAckNum: 2 } } as unknown as TcpInfo;
  assert.equal(analysisPrefix(t), '[TCP Dup ACK 5#2] [TCP Window Update] ');
  assert.equal(analysisPrefix({ analysis: 0 } as unknown as TcpInfo), '');
});

test('capture problem ids: dotted lower-case names, each with a kind and a doc line', () => {
  for (const [id, def] of Object.entries(CAPTURE_PROBLEMS)) {
    assert.match(id, /^(file|source|pcap|pcapng)\.[a-z_]+(\.[a-z_]+)?$/, id);
    assert.ok(['truncated', 'malformed', 'anomaly'].includes(def.kind), id);
    assert.ok(def.doc.length > 10, id);
  }
});
