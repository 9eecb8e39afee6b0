/**
 * The differential test of the core issue: every capture in ../shared/captures and samples/
 * through `tshark -T fields` and `tcpscope read -T fields` with the same fields; every cell
 * must agree unless test/tshark-exceptions.json excuses it with a reason.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { allCaptures, compareFields, needs, label, loadExceptions } from './support/tshark.js';

export const CORE_FIELDS = [
  'frame.number', 'frame.time_relative', 'frame.time_delta', 'frame.time_epoch', 'frame.len', 'frame.cap_len',
  'eth.src', 'eth.dst', 'eth.type', 'vlan.id', 'sll.pkttype',
  'ip.src', 'ip.dst', 'ip.addr', 'ip.proto', 'ip.len', 'ip.id', 'ip.ttl', 'ip.flags.df',
  'ipv6.src', 'ipv6.dst', 'ipv6.addr', 'ipv6.nxt',
  'tcp.stream', 'tcp.srcport', 'tcp.dstport', 'tcp.port', 'tcp.seq', 'tcp.seq_raw', 'tcp.nxtseq', 'tcp.ack', 'tcp.ack_raw',
  'tcp.len', 'tcp.hdr_len', 'tcp.flags', 'tcp.flags.str', 'tcp.flags.syn', 'tcp.flags.ack', 'tcp.flags.fin', 'tcp.flags.reset',
  'tcp.flags.push', 'tcp.flags.urg', 'tcp.flags.ece', 'tcp.flags.cwr', 'tcp.window_size_value', 'tcp.window_size',
  'tcp.window_size_scalefactor', 'tcp.checksum', 'tcp.urgent_pointer', 'tcp.options.mss_val', 'tcp.options.wscale.shift',
  'tcp.options.wscale.multiplier', 'tcp.options.sack_perm', 'tcp.options.sack_le', 'tcp.options.sack_re',
  'tcp.options.timestamp.tsval', 'tcp.options.timestamp.tsecr', 'tcp.time_relative', 'tcp.time_delta',
  'udp.srcport', 'udp.dstport', 'udp.length',
];

test('tcpscope -T fields agrees with tshark on every capture', { skip: needs({ tshark: true }) }, () => {
  const exceptions = loadExceptions();
  const captures = allCaptures();
  assert.ok(captures.length >= 40, `expected the shared captures, found ${captures.length}`);
  let compared = 0, agreed = 0, excused = 0, unread = 0;
  const diffs: string[] = [];
  for (const cap of captures) {
    const r = compareFields(cap, CORE_FIELDS, [], exceptions);
    compared += r.compared; agreed += r.agreed; excused += r.excused;
    // A capture tshark cannot read compares no cell: tcpscope must refuse it too, not pass by default.
    if (r.tsharkStatus !== 0) { unread++; if (r.tcpscopeStatus === 0) diffs.push(`${label(cap)}: tshark cannot read it (exit ${r.tsharkStatus}), tcpscope exits 0`); }
    for (const d of r.diffs.slice(0, 5)) diffs.push(`${label(cap)} frame ${d.frame} ${d.field}: tshark "${d.tshark}" tcpscope "${d.tcpscope}"`);
  }
  console.log(`core fields: ${agreed}/${compared} fields agree with tshark (${((100 * agreed) / compared).toFixed(3)} %), ${excused} excused by test/tshark-exceptions.json, over ${captures.length} captures (${unread} that tshark cannot read)`);
  assert.ok(captures.length - unread >= 40, `tshark read only ${captures.length - unread} captures`);
  assert.deepEqual(diffs, [], 'fields that differ from tshark');
});
