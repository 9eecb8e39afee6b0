/** Decoders: known bytes → known fields; every truncation and random damage → no exception. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { decodePacket } from '../src/decode/decode.js';
import type { Frame } from '../src/capture/types.js';
import { LinkType } from '../src/capture/types.js';
import { Dissector } from '../src/dissect.js';
import { FieldsRenderer, resolveFields } from '../src/render/fields.js';
import { allFields } from '../src/fields/index.js';
import { summaryLine } from '../src/render/summary.js';
import { detailsTree, renderTree } from '../src/render/details.js';
import { packetJson } from '../src/render/json.js';
import type { TcpLayer, Ipv4Layer } from '../src/decode/types.js';

const hex = (s: string): Uint8Array => new Uint8Array(s.replace(/\s+/g, '').match(/../g)!.map((b) => parseInt(b, 16)));

// A real SYN from http-server-close.pcap (frame 1): Ethernet, IPv4, TCP with MSS, SACK_PERM, TS, NOP, WS.
const SYN = hex('00000000000000000000000008004500003c871840004006b5a17f0000017f000001928042c0df83610000000000a002ffd7fe3000000204ffd70402080add4b014f000000000103030a');

function frame(data: Uint8Array, linkType: number = LinkType.ETHERNET, origLen = data.length, number = 1): Frame {
  return { number, tsSec: 1795312235, tsNsec: 286653000, capLen: data.length, origLen, linkType, iface: 0, data, fileOffset: 24 };
}

test('a real SYN decodes field by field', () => {
  const p = decodePacket(frame(SYN));
  assert.deepEqual(p.layers.map((l) => l.kind), ['eth', 'ipv4', 'tcp']);
  const ip = p.layers[1] as Ipv4Layer;
  assert.equal(ip.totalLen, 60); assert.equal(ip.id, 0x8718); assert.equal(ip.ttl, 64); assert.equal(ip.proto, 6);
  assert.equal(ip.flags, 2); assert.equal(ip.checksum, 0xb5a1);
  const tcp = p.tcp as TcpLayer;
  assert.equal(tcp.srcPort, 37504); assert.equal(tcp.dstPort, 17088);
  assert.equal(tcp.seq, 3749929216); assert.equal(tcp.ack, 0);
  assert.equal(tcp.hdrLen, 40); assert.equal(tcp.flags, 0x002); assert.equal(tcp.window, 65495);
  assert.equal(tcp.checksum, 0xfe30); assert.equal(tcp.urgent, 0); assert.equal(tcp.len, 0);
  assert.deepEqual(tcp.options.map((o) => o.kind), [2, 4, 8, 1, 3]);
  assert.deepEqual(p.problems, []);
  const rec = new Dissector().dissect(frame(SYN));
  assert.equal(summaryLine(rec, 6),
    '    1   0.000000    127.0.0.1 \u2192 127.0.0.1    TCP 74 37504 \u2192 17088 [SYN] Seq=0 Win=65495 Len=0 MSS=65495 SACK_PERM TSval=3712680271 TSecr=0 WS=1024');
});

test('Ethernet padding is trimmed to the IP total length', () => {
  const padded = new Uint8Array(SYN.length + 6);
  padded.set(SYN);
  const p = decodePacket(frame(padded));
  assert.equal(p.tcp!.len, 0);
  assert.equal(p.problems.length, 0);
});

test('an IP total length larger than the frame is marked malformed, and TCP length follows the frame', () => {
  const lying = SYN.slice();
  lying[16] = 0x05; lying[17] = 0xdc; // total length 1500
  const p = decodePacket(frame(lying));
  assert.ok(p.problems.some((x) => x.kind === 'malformed' && x.layer === 'ip'), JSON.stringify(p.problems));
  assert.equal(p.tcp!.len, 0);
});

test('a TCP data offset below 5 is malformed, not a crash', () => {
  const bad = SYN.slice();
  bad[14 + 20 + 12] = 0x20; // data offset 2 → 8 bytes
  const p = decodePacket(frame(bad));
  assert.ok(p.problems.some((x) => x.kind === 'malformed' && /header length 8/.test(x.message)));
});

test('every truncation of a packet gives a truncated problem or fewer layers, never an exception', () => {
  const defs = allFields();
  for (let n = 0; n <= SYN.length; n++) {
    const f = frame(SYN.subarray(0, n), LinkType.ETHERNET, SYN.length);
    const rec = new Dissector().dissect(f);
    if (n < SYN.length) assert.ok(rec.packet.problems.some((p) => p.kind === 'truncated'), `cut at ${n}: ${JSON.stringify(rec.packet.problems)}`);
    // Every renderer and every field copes with it.
    new FieldsRenderer(defs).line(rec);
    summaryLine(rec, 6);
    renderTree(detailsTree(rec), { meanings: true, lang: 'en' });
    JSON.stringify(packetJson(rec));
  }
});

test('random bytes on every link type never throw (property)', () => {
  const defs = resolveFields(allFields().map((d) => d.name));
  const links = [LinkType.ETHERNET, LinkType.LINUX_SLL, LinkType.LINUX_SLL2, LinkType.NULL, LinkType.LOOP, LinkType.RAW, LinkType.IPV4, LinkType.IPV6, 12, 14, 9999];
  fc.assert(fc.property(fc.constantFrom(...links), fc.uint8Array({ maxLength: 200 }), fc.nat(300), (lt, data, extra) => {
    const d = new Dissector();
    const rec = d.dissect(frame(data, lt, data.length + extra));
    new FieldsRenderer(defs).line(rec);
    summaryLine(rec, 9);
    renderTree(detailsTree(rec), { meanings: false, lang: 'en' });
    return true;
  }), { numRuns: 3000 });
});

test('damaged copies of a real SYN (bit flips) never throw', () => {
  fc.assert(fc.property(fc.array(fc.tuple(fc.nat(SYN.length - 1), fc.integer({ min: 0, max: 7 })), { maxLength: 8 }), (flips) => {
    const b = SYN.slice();
    for (const [i, bit] of flips) b[i]! ^= 1 << bit;
    const rec = new Dissector().dissect(frame(b));
    summaryLine(rec, 6);
    JSON.stringify(packetJson(rec));
    return true;
  }), { numRuns: 2000 });
});

test('VLAN, SLL2, null and raw IP headers lead to the same TCP layer', () => {
  const ipTcp = SYN.subarray(14);
  const vlan = new Uint8Array([...SYN.subarray(0, 12), 0x81, 0x00, 0x23, 0xab, 0x88, 0xa8, 0x02, 0xe8, 0x08, 0x00, ...ipTcp]);
  // 802.1Q tag then an 802.1ad tag (order as on the wire), then IPv4.
  vlan[16] = 0x81; vlan[17] = 0x00;
  const pv = decodePacket(frame(vlan));
  assert.deepEqual(pv.layers.map((l) => l.kind), ['eth', 'vlan', 'vlan', 'ipv4', 'tcp']);
  const sll2 = new Uint8Array([0x08, 0x00, 0, 0, 0, 0, 0, 2, 0, 1, 4, 6, 6, 0x44, 0xc8, 0xa5, 0xcc, 0xdb, 0, 0, ...ipTcp]);
  assert.equal(decodePacket(frame(sll2, LinkType.LINUX_SLL2)).tcp!.srcPort, 37504);
  const nullLe = new Uint8Array([2, 0, 0, 0, ...ipTcp]);
  const nullBe = new Uint8Array([0, 0, 0, 2, ...ipTcp]);
  assert.equal(decodePacket(frame(nullLe, LinkType.NULL)).tcp!.seq, 3749929216);
  assert.equal(decodePacket(frame(nullBe, LinkType.NULL)).tcp!.seq, 3749929216);
  assert.equal(decodePacket(frame(ipTcp, LinkType.RAW)).tcp!.dstPort, 17088);
  assert.equal(decodePacket(frame(ipTcp, 228)).tcp!.dstPort, 17088);
});

test('unknown ethertypes and IP protocols are kept as data named by their number', () => {
  const arp = new Uint8Array([...SYN.subarray(0, 12), 0x08, 0x06, 1, 2, 3]);
  const p = decodePacket(frame(arp));
  assert.deepEqual(p.layers.map((l) => l.kind), ['eth', 'data']);
  assert.equal((p.layers[1] as { what: string }).what, 'ethertype 0x0806');
  const sctp = SYN.slice(); sctp[23] = 132; // (ICMP, once the example here, is decoded since issue 14)
  const q = decodePacket(frame(sctp));
  assert.equal((q.layers.at(-1) as { what: string }).what, 'ip.proto 132');
});
