/**
 * The encapsulation differential (issue 14): every capture of ../shared/encap (tunnels, IP
 * fragments, ICMP errors, other link types) through `tshark -T fields` and `tcpscope read -T
 * fields` with the core differential's fields, outer and inner layers as multi-occurrence
 * values; and Zeek's conn.log baselines there, conn_state and history of every TCP row, against
 * `tcpscope conns -T zeek`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { compareFields, hasTshark, label, runCli, runTshark } from './support/tshark.js';
import { ENCAP_FIELDS, encapCaptures } from './support/encap.js';
import { key, parseLog, type Row } from './support/zeek-log.js';

test('tcpscope -T fields agrees with tshark on every capture of ../shared/encap', { skip: !hasTshark() && 'tshark is not installed' }, () => {
  const captures = encapCaptures();
  assert.ok(captures.length >= 15, `expected the ../shared/encap captures, found ${captures.length}`);
  let compared = 0, agreed = 0;
  const diffs: string[] = [];
  for (const cap of captures) {
    const r = compareFields(cap, ENCAP_FIELDS);
    compared += r.compared; agreed += r.agreed;
    for (const d of r.diffs.slice(0, 5)) diffs.push(`${label(cap)} frame ${d.frame} ${d.field}: tshark "${d.tshark}" tcpscope "${d.tcpscope}"`);
  }
  console.log(`encap fields: ${agreed}/${compared} fields agree with tshark (${((100 * agreed) / compared).toFixed(3)} %) over ${captures.length} captures`);
  assert.deepEqual(diffs, [], 'fields that differ from tshark');
});

test('the inner TCP of every tunnel is tracked: tcp.stream on every packet where tshark has one', { skip: !hasTshark() && 'tshark is not installed' }, () => {
  let packets = 0;
  for (const cap of encapCaptures()) {
    const args = ['-r', cap, '-T', 'fields', '-e', 'frame.number', '-e', 'tcp.stream', '-Y', 'tcp.stream'];
    const want = runTshark(['-n', ...args]).stdout;
    const got = runCli(['read', ...args]).stdout;
    assert.equal(got, want, label(cap));
    packets += want.split('\n').filter(Boolean).length;
  }
  assert.ok(packets > 1400, `only ${packets} TCP packets in ../shared/encap`);
});


/**
 * Reviewed differences from Zeek's baselines (capture, 4-tuple in Zeek's orientation, reason). None
 * is a decoding matter: the packets are decoded as tshark decodes them.
 */
const ZEEK_EXCEPTIONS: Array<{ capture: string; conn: string; reason: string }> = [
  ...['192.168.2.16:1576>75.126.130.163:80', '192.168.2.16:1577>75.126.203.78:80', '192.168.2.16:1578>75.126.203.78:80'].map((conn) => ({
    capture: 'Teredo.pcap', conn,
    reason: 'plain IPv4 TCP (no tunnel): Zeek removes the connection after its RST/FIN and starts new rows for the later packets of the same 4-tuple (two or three rows); the Zeek emulation in src/tcp/zeek.ts keeps one connection per 4-tuple',
  })),
  {
    capture: 'Teredo.pcap', conn: '2001:0:4137:9e50:8000:f12a:b9c8:2815:1286>2001:4860:0:2001::68:80',
    reason: 'Zeek finds Teredo on UDP 3797<->32900 after seeing a Teredo exchange on 3544; tshark 4.0 decodes Teredo on port 3544 only (its heuristic is off by default), so this connection is not decoded, as in tshark',
  },
];


test('Zeek conn.log baselines of ../shared/encap: conn_state and history of every TCP row', () => {
  const logs = encapCaptures().map((c) => `${c}.zeek-conn.log`).filter((l) => { try { readFileSync(l); return true; } catch { return false; } });
  assert.ok(logs.length >= 8, `expected the 8 Zeek baselines, found ${logs.length}`);
  let rows = 0, agreed = 0, excused = 0;
  const diffs: string[] = [];
  for (const log of logs) {
    const capture = log.replace(/\.zeek-conn\.log$/, '');
    const want = parseLog(readFileSync(log, 'utf8')).filter((r) => r.proto === 'tcp');
    const r = runCli(['conns', '-T', 'zeek', capture]);
    assert.equal(r.status, 0, r.stderr);
    const ours = new Map(parseLog(r.stdout).map((x) => [key(x), x]));
    for (const w of want) {
      rows++;
      if (ZEEK_EXCEPTIONS.some((e) => e.capture === basename(capture) && e.conn === key(w))) { excused++; continue; }
      const o = ours.get(key(w));
      if (!o) { diffs.push(`${basename(capture)} ${key(w)}: no such connection`); continue; }
      const a = `${w.conn_state} ${w.history}`, b = `${o.conn_state} ${o.history}`;
      if (a === b) agreed++;
      else diffs.push(`${basename(capture)} ${key(w)}: zeek "${a}" tcpscope "${b}"`);
    }
  }
  console.log(`encap zeek: ${agreed}/${rows} TCP rows agree on conn_state and history, ${excused} excused (reviewed, see ZEEK_EXCEPTIONS)`);
  assert.ok(agreed >= 8);
  assert.deepEqual(diffs, []);
});

test('conns --json names the tunnels that carried a connection, outermost first; an untunnelled one has no tunnel', () => {
  const byName = new Map(encapCaptures().map((c) => [basename(c), c]));
  const conns = (name: string): Array<{ client: { ip: string }; server: { ip: string }; tunnel?: unknown }> => {
    const r = runCli(['conns', '--json', byName.get(name)!]);
    assert.equal(r.status, 0, r.stderr);
    return JSON.parse(r.stdout);
  };
  const vx = conns('vxlan-encapsulated-http.pcap');
  assert.equal(vx.length, 1);
  assert.deepEqual([vx[0]!.client.ip, vx[0]!.server.ip], ['172.16.11.201', '54.86.237.188']);
  assert.deepEqual(vx[0]!.tunnel, [{ type: 'vxlan', src: '10.1.200.131', dst: '10.1.1.172', id: 1 }]);
  assert.deepEqual(conns('gtp1_gn_normal_incl_fragmentation.pcap')[0]!.tunnel, [{ type: 'gtp', src: '239.114.155.111', dst: '63.94.149.181', id: 0x8c61be36 }]);
  assert.deepEqual(conns('geneve-47101.pcap')[0]!.tunnel, [{ type: 'geneve', src: '127.0.0.1', dst: '127.0.0.1', id: 0x1092 }]);
  assert.deepEqual(conns('pbb.pcap')[0]!.tunnel, [{ type: 'ieee8021ah', src: '', dst: '', id: 2014020 }]);
  for (const c of conns('frag_http_req.pcap')) assert.equal('tunnel' in c, false);
});

test('filters see the tunnels: the same frames as tshark', { skip: !hasTshark() && 'tshark is not installed' }, () => {
  const byName = new Map(encapCaptures().map((c) => [basename(c), c]));
  const cases: Array<[string, string]> = [
    ['vxlan-encapsulated-http.pcap', 'vxlan && tcp.flags.syn==1'],
    ['geneve-47101.pcap', 'geneve.vni == 0x1092 && tcp.flags.fin == 1'],
    ['gre-sample.pcap', 'gre && tcp'],
    ['gtp1_gn_normal_incl_fragmentation.pcap', 'gtp.teid && tcp.len > 1000'],
    ['gtp1_gn_normal_incl_fragmentation.pcap', 'ip.fragment.count == 2'],
    ['frag_http_req.pcap', 'ip.fragment'],
    ['IcmpPackets.pcap', 'icmp.type == 4 && tcp.srcport == 0'],
    ['llc.pcap', 'llc.type == 0x0800 && fddi.fc == 0x50 && tcp.srcport == 2035'],
    ['pbb.pcap', 'ieee8021ah.isid == 2014020 && tcp'],
  ];
  for (const [name, filter] of cases) {
    const args = ['-r', byName.get(name)!, '-Y', filter, '-T', 'fields', '-e', 'frame.number'];
    const want = runTshark(['-n', ...args]).stdout;
    assert.ok(want.trim(), `${name} ${filter}: tshark matches nothing (the case tests nothing)`);
    assert.equal(runCli(['read', ...args]).stdout, want, `${name} ${filter}`);
  }
});
