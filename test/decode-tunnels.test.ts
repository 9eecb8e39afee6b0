/**
 * Crafted captures (test/support/encap-build.ts) for each tunnel and link type of issue 14 that
 * ../shared/encap does not cover, each read by tshark and by tcpscope with the core differential's
 * fields plus the tunnel's own fields: every cell must agree, and tshark must see the inner TCP
 * (so that a capture nobody decodes cannot pass by agreeing on empty cells).
 */
import { test } from 'node:test';
import fc from 'fast-check';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compareFields, hasTshark, runCli, runTshark } from './support/tshark.js';
import { ENCAP_FIELDS } from './support/encap.js';
import {
  aristaTs, ayiya, cat, conversation, juniper, pktapHdr, erspan2, eth, fragments4, fragments6, geneve, gre, gtpu, innerIpv4, ipv4, ipv6, pbbTag, pcapOf, ppp,
  radiotap, tcp, teredo, udp, vxlan, wlanData, ieee8023, mpacket, type Bytes,
} from './support/encap-build.js';
import { quotedTcpFrames, quotedTcp6Frames } from './support/icmp-build.js';
import { decodePacket } from '../src/decode/decode.js';
import { DECODE_PROBLEMS } from '../src/decode/problems.js';

const M1 = '02:00:00:00:00:01', M2 = '02:00:00:00:00:02', M3 = '02:00:00:00:01:01', M4 = '02:00:00:00:01:02';
const O1 = '192.0.2.1', O2 = '192.0.2.2';

/** Outer Ethernet/IPv4 around `proto` payloads, alternating direction like the inner conversation. */
const outer4 = (proto: number, i: number, payload: Bytes): Bytes =>
  eth(i % 2 ? M1 : M2, i % 2 ? M2 : M1, 0x0800, ipv4({ src: i % 2 ? O2 : O1, dst: i % 2 ? O1 : O2, proto, id: 100 + i }, payload));
const outerUdp = (port: number, i: number, payload: Bytes): Bytes => outer4(17, i, udp(50000 + i, port, payload));
const innerEth = (ip: Bytes, i: number): Bytes => eth(i % 2 ? M3 : M4, i % 2 ? M4 : M3, 0x0800, ip);
/** The inner conversation's direction per segment: 'c' even-looking, 's' odd (for outer addressing). */
const segs = conversation();
const dirs = segs.map((s) => (s.dir === 'c' ? 0 : 1));
const inner = innerIpv4(segs);

/** IPv6 TCP conversation (handshake, data, FIN) between 2001:db8::1 and 2001:db8::2. */
function inner6(): Bytes[] {
  const A = '2001:db8::1', B = '2001:db8::2';
  const c = (seq: number, ack: number, flags: number, len = 0): Bytes => ipv6(A, B, 6, tcp(40000, 80, seq, ack, flags, len));
  const s = (seq: number, ack: number, flags: number, len = 0): Bytes => ipv6(B, A, 6, tcp(80, 40000, seq, ack, flags, len));
  return [c(100, 0, 0x02), s(900, 101, 0x12), c(101, 901, 0x10), c(101, 901, 0x18, 50), s(901, 151, 0x18, 70), c(151, 971, 0x11), s(971, 152, 0x11), c(152, 972, 0x10)];
}
const dirs6 = [0, 1, 0, 0, 1, 0, 1, 0];

interface Case { name: string; dlt: number; frames: Bytes[]; fields?: string[]; tcpFrames: number }


const CASES: Case[] = [
  { name: 'gre-teb-checksum-key-seq', dlt: 1, tcpFrames: 8, fields: ['gre.flags_and_version', 'gre.proto', 'gre.checksum', 'gre.key', 'gre.sequence_number'],
    frames: inner.map((ip, k) => outer4(47, dirs[k]!, gre({ protocol: 0x6558, checksum: true, key: 0x1234abcd, seq: k + 1 }, innerEth(ip, dirs[k]!)))) },
  { name: 'gre-ipv6-payload', dlt: 1, tcpFrames: 8, fields: ['gre.proto', 'gre.key'],
    frames: inner6().map((ip, k) => outer4(47, dirs6[k]!, gre({ protocol: 0x86dd, key: 7 }, ip))) },
  { name: 'erspan-type2', dlt: 1, tcpFrames: 8, fields: ['gre.proto', 'gre.sequence_number'],
    frames: inner.map((ip, k) => outer4(47, dirs[k]!, gre({ protocol: 0x88be, seq: k }, erspan2(5, innerEth(ip, dirs[k]!))))) },
  { name: 'gtpu-extension-header', dlt: 1, tcpFrames: 8, fields: ['gtp.flags', 'gtp.message', 'gtp.length', 'gtp.teid'],
    frames: inner.map((ip, k) => outerUdp(2152, dirs[k]!, gtpu(0x11223344 + dirs[k]!, ip, k % 2 === 0))) },
  { name: 'teredo-origin-auth', dlt: 1, tcpFrames: 8, fields: ['teredo.orig.port', 'teredo.orig.addr'],
    frames: inner6().map((ip, k) => outerUdp(3544, dirs6[k]!, teredo(ip, k % 3 === 0 ? { port: 40001, addr: '198.51.100.7' } : undefined, k % 4 === 1))) },
  { name: 'geneve-options', dlt: 1, tcpFrames: 8, fields: ['geneve.version', 'geneve.proto_type', 'geneve.vni', 'geneve.option.length', 'geneve.flags', 'geneve.flags.oam', 'geneve.flags.critical', 'geneve.reserved',
      'geneve.options', 'geneve.option', 'geneve.option.class', 'geneve.option.type', 'geneve.option.type.critical', 'geneve.option.flags', 'geneve.option.unknown.data'],
    frames: inner.map((ip, k) => outerUdp(6081, dirs[k]!, geneve(0x42, 0x6558, Uint8Array.of(0x01, 0x02, 0x80, 0x01, 0xde, 0xad, 0xbe, 0xef, 0xff, 0xff, 0x05, 0x02, 1, 2, 3, 4, 5, 6, 7, 8), innerEth(ip, dirs[k]!)))) },
  { name: 'vxlan-vni', dlt: 1, tcpFrames: 8, fields: ['vxlan.flags', 'vxlan.vni'],
    frames: inner.map((ip, k) => outerUdp(4789, dirs[k]!, vxlan(4242, innerEth(ip, dirs[k]!)))) },
  { name: 'ayiya-ipv6', dlt: 1, tcpFrames: 8, fields: ['ayiya.opcode', 'ayiya.nextheader'], frames: inner6().map((ip, k) => outerUdp(5072, dirs6[k]!, ayiya(41, ip))) },
  { name: 'ipv6-in-ipv4', dlt: 1, tcpFrames: 8, frames: inner6().map((ip, k) => outer4(41, dirs6[k]!, ip)) },
  { name: 'ipv4-in-ipv6', dlt: 1, tcpFrames: 8,
    frames: inner.map((ip, k) => eth(M1, M2, 0x86dd, ipv6(dirs[k] ? '2001:db8::b' : '2001:db8::a', dirs[k] ? '2001:db8::a' : '2001:db8::b', 4, ip))) },
  { name: 'pbb-mac-in-mac', dlt: 1, tcpFrames: 8, fields: ['ieee8021ah.isid', 'ieee8021ah.etype'],
    frames: inner.map((ip) => eth(M1, M2, 0x88e7, pbbTag(0x10203, [2, 0, 0, 0, 9, 1], [2, 0, 0, 0, 9, 2], 0x0800, ip))) },
  { name: 'ipv4-fragments-out-of-order', dlt: 1, tcpFrames: 1, fields: ['ip.fragment', 'ip.fragment.count', 'ip.reassembled.length', 'ip.frag_offset', 'ip.flags.mf'],
    frames: fragments4({ src: '10.0.0.1', dst: '10.0.0.2', proto: 6, id: 0x4242 }, tcp(40000, 80, 1, 1, 0x18, 2980), 1480).reverse().map((p) => eth(M1, M2, 0x0800, p)) },
  { name: 'ipv6-fragments', dlt: 1, tcpFrames: 1, fields: ['ipv6.fragment', 'ipv6.fragment.count', 'ipv6.reassembled.length'],
    frames: fragments6('2001:db8::1', '2001:db8::2', 6, 77, tcp(40000, 80, 1, 1, 0x18, 3000), 1232).map((p) => eth(M1, M2, 0x86dd, p)) },
  { name: 'icmp-frag-needed-quoting-tcp', dlt: 1, tcpFrames: 0, fields: ['icmp.type', 'icmp.code'],
    frames: [eth(M1, M2, 0x0800, ipv4({ src: '203.0.113.1', dst: '10.0.0.1', proto: 1 }, cat([3, 4, 0, 0, 0, 0, 0x05, 0x78], inner[3]!.subarray(0, 28))))] },
  { name: 'icmpv6-packet-too-big-quoting-tcp', dlt: 1, tcpFrames: 0, fields: ['icmpv6.type', 'icmpv6.code'],
    frames: [eth(M1, M2, 0x86dd, ipv6('2001:db8::fe', '2001:db8::1', 58, cat([2, 0, 0, 0, 0, 0, 0x05, 0x00], inner6()[3]!.subarray(0, 48))))] },
  { name: 'icmp-errors-quoting-whole-tcp-header', dlt: 1, tcpFrames: 13, fields: ['icmp.type', 'icmp.code', 'tcp.completeness'], frames: quotedTcpFrames() },
  { name: 'icmpv6-packet-too-big-whole-tcp-header', dlt: 1, tcpFrames: 9, fields: ['icmpv6.type', 'tcp.completeness'], frames: quotedTcp6Frames() },
  { name: 'ah-tcp', dlt: 1, tcpFrames: 8, fields: ['ah.spi', 'ah.sequence', 'ah.next_header'],
    frames: inner.map((ip, k) => {
      const ah = cat([6, 4, 0, 0, 0, 0, 0x10, 0x01, 0, 0, 0, k + 1], new Uint8Array(12).fill(0xaa));
      const p = ipv4({ src: ip.subarray(12, 16).join('.'), dst: ip.subarray(16, 20).join('.'), proto: 51, id: k }, cat(ah, ip.subarray(20)));
      return eth(M1, M2, 0x0800, p);
    }) },
  { name: 'arista-timestamp', dlt: 1, tcpFrames: 8, fields: ['avsp.sub_type', 'avsp.ver', 'avsp.etype'],
    frames: inner.map((ip, k) => eth(M1, M2, 0xd28b, aristaTs(k % 2 === 0, 0x0800, ip))) },
  { name: 'vn-tag', dlt: 1, tcpFrames: 8, fields: ['vntag.etype'], frames: inner.map((ip) => eth(M1, M2, 0x8926, cat([0x80, 0x01, 0x00, 0x02, 0x08, 0x00], ip))) },
  { name: 'e-tag', dlt: 1, tcpFrames: 8, fields: ['etag.etype'], frames: inner.map((ip) => eth(M1, M2, 0x893f, cat([0x20, 0x01, 0x00, 0x02, 0x00, 0x00, 0x08, 0x00], ip))) },
  { name: 'pktap-as-user2', dlt: 149, tcpFrames: 8, fields: ['pktap.hdrlen', 'pktap.dlt'], frames: inner.map((ip, k) => pktapHdr(1, innerEth(ip, dirs[k]!))) },
  { name: 'juniper-ethernet', dlt: 178, tcpFrames: 8, fields: ['juniper.direction', 'juniper.ext_total_len'], frames: inner.map((ip, k) => juniper(innerEth(ip, dirs[k]!), k % 2 === 1)) },
  { name: 'ieee8023-llc-snap', dlt: 1, tcpFrames: 8, fields: ['llc.dsap', 'llc.control', 'llc.type'], frames: inner.map((ip) => ieee8023(M1, M2, ip)) },
  { name: 'ppp', dlt: 9, tcpFrames: 8, frames: inner.map((ip) => ppp(0x0021, ip, false)) },
  { name: 'ppp-hdlc', dlt: 50, tcpFrames: 8, frames: inner.map((ip) => ppp(0x0021, ip)) },
  { name: 'radiotap-80211-qos-data', dlt: 127, tcpFrames: 8, fields: ['wlan.fc.type_subtype', 'llc.type'], frames: inner.map((ip) => radiotap(wlanData(ip, true))) },
  { name: 'ieee80211-data', dlt: 105, tcpFrames: 8, fields: ['wlan.fc.type_subtype'], frames: inner.map((ip) => wlanData(ip)) },
  { name: 'ethernet-mpacket', dlt: 274, tcpFrames: 8, frames: inner.map((ip, k) => mpacket(innerEth(ip, dirs[k]!))) },
  { name: 'ethernet-mpacket-bad-crc', dlt: 274, tcpFrames: 0, frames: inner.slice(0, 2).map((ip, k) => mpacket(innerEth(ip, dirs[k]!), true)) },
  { name: 'openbsd-loop', dlt: 108, tcpFrames: 8, frames: inner.map((ip) => cat([0, 0, 0, 2], ip)) },
  // tshark's IPv4 dissector passes a version-6 header to IPv6; IPv6 with version 4 is malformed.
  { name: 'ethertype-ipv4-carrying-ipv6', dlt: 1, tcpFrames: 2, frames: inner6().slice(0, 2).map((ip) => eth(M1, M2, 0x0800, ip)) },
  { name: 'ethertype-ipv6-carrying-ipv4', dlt: 1, tcpFrames: 0, frames: inner.slice(0, 2).map((ip) => eth(M1, M2, 0x86dd, ip)) },
];

test('crafted tunnel and link-type captures agree with tshark, inner TCP included', { skip: !hasTshark() && 'tshark is not installed' }, () => {
  const dir = process.env.TCPSCOPE_KEEP_CRAFTED ?? mkdtempSync(join(tmpdir(), 'tcpscope-encap-'));
  try {
    const diffs: string[] = [];
    let compared = 0;
    for (const c of CASES) {
      const file = join(dir, `${c.name}.pcap`);
      writeFileSync(file, pcapOf(c.dlt, c.frames));
      const streams = runTshark(['-n', '-r', file, '-Y', 'tcp.stream', '-T', 'fields', '-e', 'frame.number']).stdout.split('\n').filter(Boolean).length;
      if (streams !== c.tcpFrames) diffs.push(`${c.name}: tshark sees TCP on ${streams} frames, expected ${c.tcpFrames}`);
      const r = compareFields(file, [...ENCAP_FIELDS, ...(c.fields ?? [])]);
      compared += r.compared;
      for (const d of r.diffs.slice(0, 4)) diffs.push(`${c.name} frame ${d.frame} ${d.field}: tshark "${d.tshark}" tcpscope "${d.tcpscope}"`);
    }
    console.log(`crafted encapsulations: ${CASES.length} captures, ${compared} cells compared with tshark`);
    assert.deepEqual(diffs, []);
  } finally { if (!process.env.TCPSCOPE_KEEP_CRAFTED) rmSync(dir, { recursive: true, force: true }); }
});

test('-V shows the main fields of VXLAN, Geneve, GRE, GTP-U, Teredo and ICMP with tshark\'s wording', { skip: !hasTshark() && 'tshark is not installed' }, () => {
  const titles: Record<string, string> = {
    'vxlan-vni': 'Virtual eXtensible Local Area Network', 'geneve-options': 'Generic Network Virtualization Encapsulation, VNI: 0x000042',
    'gre-teb-checksum-key-seq': 'Generic Routing Encapsulation', 'gtpu-extension-header': 'GPRS Tunneling Protocol',
    'teredo-origin-auth': 'Teredo IPv6 over UDP tunneling', 'icmp-errors-quoting-whole-tcp-header': 'Internet Control Message Protocol',
    'icmpv6-packet-too-big-whole-tcp-header': 'Internet Control Message Protocol v6',
  };
  const dir = mkdtempSync(join(tmpdir(), 'tcpscope-encap-'));
  try {
    const bad: string[] = [];
    let checked = 0;
    for (const c of CASES.filter((x) => titles[x.name])) {
      const file = join(dir, `${c.name}.pcap`);
      writeFileSync(file, pcapOf(c.dlt, c.frames));
      const theirs = new Set(runTshark(['-n', '-r', file, '-V']).stdout.split('\n').map((l) => l.trim()));
      const ours = runCli(['read', file, '-V']).stdout.split('\n');
      // every line of each of our blocks for the layer (its title line up to the next top-level line)
      for (let i = 0; i < ours.length; i++) {
        if (!ours[i]!.startsWith(titles[c.name]!)) continue;
        const block = [ours[i]!];
        for (let j = i + 1; j < ours.length && ours[j]!.startsWith(' '); j++) block.push(ours[j]!);
        if (block.length < 2 && c.name !== 'teredo-origin-auth') bad.push(`${c.name}: only a title`);
        for (const l of block) { checked++; if (!theirs.has(l.trim())) bad.push(`${c.name}: "${l.trim()}" is not a line of tshark -V`); }
      }
    }
    assert.ok(checked >= 40, `only ${checked} lines checked`);
    assert.deepEqual(bad.slice(0, 20), []);
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test('an IP version that contradicts its ethertype is malformed and not decoded', () => {
  const frame = eth(M1, M2, 0x86dd, inner[0]!);
  const p = decodePacket({ number: 1, tsSec: 0, tsNsec: 0, capLen: frame.length, origLen: frame.length, linkType: 1, iface: 0, data: frame, fileOffset: 0 });
  assert.deepEqual(p.problems.map((x) => x.id), ['ip-version-mismatch']);
  assert.equal(DECODE_PROBLEMS['ip-version-mismatch'].kind, 'malformed');
  assert.equal(p.tcp, undefined);
  assert.equal(p.ip, undefined);
});

test('a link type tcpscope does not decode is named once on stderr with its frame count', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tcpscope-encap-'));
  try {
    const file = join(dir, 'user0.pcap');
    writeFileSync(file, pcapOf(147, [Uint8Array.of(1, 2, 3), Uint8Array.of(4, 5, 6)]));
    const r = runCli(['read', file]);
    assert.equal(r.status, 0);
    assert.equal(r.stderr, 'tcpscope: link type 147 (USER0) not decoded: 2 frames shown as raw\n');
    const c = runCli(['conns', file]);
    assert.match(c.stderr, /^tcpscope: link type 147 \(USER0\) not decoded: 2 frames shown as raw$/m);
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test('the fragment table is bounded: unfinished datagrams do not grow it without limit', async () => {
  const { FragmentTable, MAX_DATAGRAMS } = await import('../src/decode/fragments.js');
  const { PacketDecoder } = await import('../src/decode/decode.js');
  const dec = new PacketDecoder();
  // MAX_DATAGRAMS + 500 first fragments that never complete, then one complete pair: still reassembled.
  for (let i = 0; i < MAX_DATAGRAMS + 500; i++) {
    const [first] = fragments4({ src: '10.0.0.1', dst: '10.0.0.2', proto: 6, id: i }, new Uint8Array(64), 32);
    const f = eth(M1, M2, 0x0800, first!);
    dec.decode({ number: i + 1, tsSec: 0, tsNsec: 0, capLen: f.length, origLen: f.length, linkType: 1, iface: 0, data: f, fileOffset: 0 });
  }
  const table = (dec as unknown as { fragments: { table: Map<string, unknown> } }).fragments.table;
  assert.ok(table.size <= MAX_DATAGRAMS, `table holds ${table.size}`);
  assert.ok(FragmentTable);
  const pair = fragments4({ src: '10.0.0.1', dst: '10.0.0.2', proto: 6, id: 0xfffe }, tcp(1, 2, 3, 4, 0x10, 40), 32);
  let last;
  for (const p of pair) {
    const f = eth(M1, M2, 0x0800, p);
    last = dec.decode({ number: 9999, tsSec: 0, tsNsec: 0, capLen: f.length, origLen: f.length, linkType: 1, iface: 0, data: f, fileOffset: 0 });
  }
  assert.equal(last!.tcp?.len, 40);
});

test('decode problems carry stable ids', () => {
  const f = (data: Bytes, linkType = 1) => decodePacket({ number: 1, tsSec: 0, tsNsec: 0, capLen: data.length, origLen: data.length, linkType, iface: 0, data, fileOffset: 0 });
  const syn = eth(M1, M2, 0x0800, inner[0]!);
  assert.deepEqual(f(syn).problems, []);
  assert.deepEqual(f(syn.subarray(0, 30)).problems.map((p) => [p.id, p.kind, p.layer]), [['header-truncated', 'truncated', 'ip']]);
  const badTcp = syn.slice(); badTcp[14 + 20 + 12] = 0x20; // data offset 8 bytes
  assert.deepEqual(f(badTcp).problems.map((p) => p.id), ['tcp-bad-header-length']);
  const gre2 = outer4(47, 0, Uint8Array.of(0, 2, 0x08, 0)); // GRE version 2
  assert.deepEqual(f(gre2).problems.map((p) => p.id), ['gre-bad-version']);
  for (const [id, def] of Object.entries(DECODE_PROBLEMS)) assert.ok(def.doc.length > 10, id);
});

test('random bytes behind every new link type and tunnel never throw, and the walk stays bounded', async () => {
  const { PacketDecoder } = await import('../src/decode/decode.js');
  const links = [7, 9, 10, 50, 104, 105, 127, 129, 149, 178, 192, 239, 258, 274];
  const frame = (data: Bytes, linkType: number, n: number) => ({ number: n, tsSec: 0, tsNsec: 0, capLen: data.length, origLen: data.length + 3, linkType, iface: 0, data, fileOffset: 0 });
  const dec = new PacketDecoder();
  let n = 0;
  fc.assert(fc.property(fc.constantFrom(...links), fc.uint8Array({ maxLength: 300 }), (lt, data) => {
    const p = dec.decode(frame(data, lt, ++n));
    assert.ok(p.layers.length < 200);
  }), { numRuns: 3000 });
  // Tunnel payloads: random bytes after each tunnel's UDP port, after GRE, and nested tunnels.
  const ports = [4789, 6081, 4754, 2152, 3544, 5072];
  fc.assert(fc.property(fc.constantFrom(...ports), fc.uint8Array({ maxLength: 300 }), fc.boolean(), (port, payload, viaGre) => {
    const f = viaGre ? outer4(47, 0, cat([0, 0, 0x08, 0x00], ipv4({ src: '1.1.1.1', dst: '2.2.2.2', proto: 17 }, udp(1, port, payload)))) : outerUdp(port, 0, payload);
    const p = dec.decode(frame(f, 1, ++n));
    assert.ok(p.layers.length < 200);
  }), { numRuns: 3000 });
  // A deep nest of GRE-in-IP stops at the depth bound instead of recursing for ever.
  let nest: Bytes = inner[0]!;
  for (let i = 0; i < 200; i++) nest = ipv4({ src: '1.1.1.1', dst: '2.2.2.2', proto: 47 }, cat([0, 0, 0x08, 0x00], nest));
  const deep = dec.decode(frame(eth(M1, M2, 0x0800, nest), 1, ++n));
  assert.ok(deep.layers.length < 80, `${deep.layers.length} layers`);
});
