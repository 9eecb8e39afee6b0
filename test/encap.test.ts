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

type Row = Record<string, string>;

function parseLog(text: string): Row[] {
  let fields: string[] | undefined;
  const rows: Row[] = [];
  for (const line of text.split('\n')) {
    if (!line) continue;
    if (line.startsWith('#fields\t')) { fields = line.split('\t').slice(1); continue; }
    if (line.startsWith('#')) continue;
    const cells = line.split('\t');
    if (fields) rows.push(Object.fromEntries(fields.map((f, i) => [f, cells[i] ?? ''])));
  }
  return rows;
}

const key = (r: Row): string => `${r['id.orig_h']}:${r['id.orig_p']}>${r['id.resp_h']}:${r['id.resp_p']}`;

test('Zeek conn.log baselines of ../shared/encap: conn_state and history of every TCP row', () => {
  const logs = encapCaptures().map((c) => `${c}.zeek-conn.log`).filter((l) => { try { readFileSync(l); return true; } catch { return false; } });
  assert.ok(logs.length >= 8, `expected the 8 Zeek baselines, found ${logs.length}`);
  let rows = 0, agreed = 0;
  const diffs: string[] = [];
  for (const log of logs) {
    const capture = log.replace(/\.zeek-conn\.log$/, '');
    const want = parseLog(readFileSync(log, 'utf8')).filter((r) => r.proto === 'tcp');
    const r = runCli(['conns', '-T', 'zeek', capture]);
    assert.equal(r.status, 0, r.stderr);
    const ours = new Map(parseLog(r.stdout).map((x) => [key(x), x]));
    for (const w of want) {
      rows++;
      const o = ours.get(key(w));
      if (!o) { diffs.push(`${basename(capture)} ${key(w)}: no such connection`); continue; }
      const a = `${w.conn_state} ${w.history}`, b = `${o.conn_state} ${o.history}`;
      if (a === b) agreed++;
      else diffs.push(`${basename(capture)} ${key(w)}: zeek "${a}" tcpscope "${b}"`);
    }
  }
  console.log(`encap zeek: ${agreed}/${rows} TCP connections agree on conn_state and history`);
  assert.ok(rows >= 8);
  assert.deepEqual(diffs, []);
});
