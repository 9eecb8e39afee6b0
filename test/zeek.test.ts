/**
 * Zeek's conn.log baselines beside the shared captures, column by column, against
 * `tcpscope conns -T zeek` (conn_state, history, packets, IP bytes, payload bytes, missed
 * bytes, duration), and the *.zeek-history.txt files. Rows are matched by their 4-tuple in
 * Zeek's orientation (so a wrong originator counts as a miss). Prints the agreement figures.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { needs, runCli, SHARED } from './support/tshark.js';
import { key, parseLog, type Row } from './support/zeek-log.js';

const COLUMNS = ['conn_state', 'history', 'orig_pkts', 'orig_ip_bytes', 'resp_pkts', 'resp_ip_bytes', 'orig_bytes', 'resp_bytes', 'missed_bytes', 'duration'];

/**
 * Reviewed differences (capture, 4-tuple "orig_h:orig_p>resp_h:resp_p" or '*', column, reason).
 * None are needed today; keep the reasons when adding one.
 */
const EXCEPTIONS: Array<{ capture: string; conn: string; column: string; reason: string }> = [];



test('Zeek conn.log baselines agree column by column', { skip: needs({}) }, () => {
  const logs = readdirSync(SHARED).filter((f) => /\.zeek-conn(-cut)?\.log$/.test(f)).sort();
  assert.ok(logs.length >= 10);
  let compared = 0, agreed = 0, excused = 0, rowsSeen = 0, rowsFound = 0;
  const diffs: string[] = [];
  for (const log of logs) {
    const capture = log.replace(/\.zeek-conn(-cut)?\.log$/, '');
    const want = parseLog(readFileSync(join(SHARED, log), 'utf8')).filter((r) => !r.proto || r.proto === 'tcp');
    if (!want.length) continue;
    const r = runCli(['conns', '-T', 'zeek', join(SHARED, capture)]);
    assert.equal(r.status, 0, r.stderr);
    const ours = new Map(parseLog(r.stdout).map((x) => [key(x), x]));
    for (const w of want) {
      rowsSeen++;
      const o = ours.get(key(w));
      if (!o) { diffs.push(`${capture} ${key(w)}: no such connection (originator/responder differ?)`); continue; }
      rowsFound++;
      for (const col of COLUMNS) {
        if (!(col in w)) continue;
        compared++;
        const a = w[col]!, b = o[col]!;
        if (a === b) { agreed++; continue; }
        if (EXCEPTIONS.some((e) => e.capture === capture && (e.conn === '*' || e.conn === key(w)) && e.column === col)) { excused++; continue; }
        diffs.push(`${capture} ${key(w)} ${col}: zeek "${a}" tcpscope "${b}"`);
      }
    }
  }
  assert.ok(rowsSeen >= 20 && compared >= 5 * rowsSeen, `only ${rowsSeen} baseline connections, ${compared} cells compared`);
  console.log(`zeek conn.log: ${rowsFound}/${rowsSeen} TCP connections found with Zeek's originator; ${agreed}/${compared} cells agree (${((100 * agreed) / compared).toFixed(2)} %), ${excused} excused`);
  assert.deepEqual(diffs, []);
});

test('Zeek history/conn_state baselines (*.zeek-history.txt)', { skip: needs({}) }, () => {
  const files = readdirSync(SHARED).filter((f) => f.endsWith('.zeek-history.txt')).sort();
  assert.ok(files.length >= 2);
  for (const f of files) {
    const capture = f.replace(/\.zeek-history\.txt$/, '');
    const lines = readFileSync(join(SHARED, f), 'utf8').split('\n').filter((l) => l && !l.startsWith('#'));
    const r = runCli(['conns', '--json', join(SHARED, capture)]);
    assert.equal(r.status, 0, r.stderr);
    assert.ok(lines.length > 0, `${f} holds no baseline line`);
    const ours = JSON.parse(r.stdout) as Array<{ history: string; conn_state: string }>;
    assert.deepEqual(ours.map((c) => `${c.history}, ${c.conn_state}`), lines, capture);
  }
});

test('-T zeek-json carries the same values as -T zeek', { skip: needs({}) }, () => {
  const file = join(SHARED, 'zeek_wikipedia.pcap');
  const tsv = parseLog(runCli(['conns', '-T', 'zeek', file]).stdout);
  const json = runCli(['conns', '-T', 'zeek-json', file]).stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.ok(tsv.length >= 5, `${tsv.length} connections in -T zeek`);
  assert.equal(json.length, tsv.length);
  json.forEach((j, i) => {
    for (const [k, v] of Object.entries(tsv[i]!)) {
      if (v === '-') assert.equal(j[k], undefined, k);
      else assert.equal(String(j[k]), k === 'ts' || k === 'duration' ? String(Number(v)) : v, k);
    }
  });
});
