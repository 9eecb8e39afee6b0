/**
 * The ClickHouse sink against a real server (CI starts Debian's clickhouse-server on 127.0.0.1,
 * .ci/clickhouse-start; TCPSCOPE_CLICKHOUSE_URL overrides the address): the shared captures
 * loaded, counts and queries compared with conns --json, re-loads replace, a server that is down
 * or refuses gives a clear error and a non-zero exit.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { allCaptures, cliOk, REPO, runCli } from './support/tshark.js';
import { makeSplitSet } from './support/capture-set.js';
import { SCALE_QUERIES } from './support/scale-queries.js';
import { connsDdl, packetsDdl } from '../cli/scale.js';
import { DEFAULT_PACKET_FIELDS } from '../src/scale/columns.js';
import { resolveFields } from '../src/render/fields.js';
import { captureHash } from '../cli/capture-set.js';
import { ClickHouse } from '../cli/sinks.js';

const URL_ = process.env.TCPSCOPE_CLICKHOUSE_URL ?? 'http://127.0.0.1:8123';
const T = `tcpscope_test_conns_${process.pid}`;
const P = `tcpscope_test_packets_${process.pid}`;
const D = `tcpscope_test_dist_${process.pid}`;
type Conn = Record<string, any>;

// A client per statement: the test blocks its event loop in spawnSync for seconds at a time.
const q = async (sql: string): Promise<string> => {
  const c = new ClickHouse(URL_);
  try { return await c.query(sql); } finally { await c.close(); }
};
const rows = async (sql: string): Promise<Conn[]> => (await q(sql)).trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Conn);
const num = async (sql: string): Promise<number> => Number((await q(sql)).trim());

after(async () => {
  for (const t of [T, P, D]) await q(`DROP TABLE IF EXISTS ${t}`).catch(() => undefined);
});

test('the server answers (CI starts it with .ci/clickhouse-start)', async () => {
  assert.equal((await q('SELECT 1')).trim(), '1');
});

test('docs/clickhouse.sql holds the tables tcpscope creates, and its Distributed table works', async () => {
  const doc = readFileSync(join(REPO, 'docs/clickhouse.sql'), 'utf8');
  assert.ok(doc.includes(connsDdl() + ';'), 'the conns table in docs/clickhouse.sql is not the one the code creates');
  assert.ok(doc.includes(packetsDdl(resolveFields(DEFAULT_PACKET_FIELDS)) + ';'), 'the packets table differs');
  const dist = /CREATE TABLE IF NOT EXISTS tcpscope_conns_all AS tcpscope_conns\nENGINE = Distributed\(tcpscope, ([^;]+);/.exec(doc);
  assert.ok(dist);
  // The same statement over the single-node cluster Debian's config.xml defines.
  await q(connsDdl(T));
  await q(`CREATE TABLE ${D} AS ${T} ENGINE = Distributed(test_shard_localhost, ${dist[1]!.replace('tcpscope_conns', T)}`);
  assert.equal(await num(`SELECT count() FROM ${D}`), 0);
});

const captures = allCaptures().filter((f) => runCli(['conns', '--json', f]).status === 0);
// Two files with the same bytes are one capture: the second load replaces the first (keep the last).
const hashes = await Promise.all(captures.map((f) => captureHash([f])));
const distinct = captures.filter((_f, i) => hashes.lastIndexOf(hashes[i]!) === i);
const expected = distinct.flatMap((f) => (JSON.parse(cliOk(['conns', '--json', f])) as Conn[]).map((c): Conn => ({ ...c, file: f.slice(f.lastIndexOf('/') + 1) })));

test('conns FILE… --jobs 2 --clickhouse: the shared captures loaded, counts and queries agree with conns --json', async () => {
  assert.ok(captures.length >= 30, `${captures.length} captures`);
  const r = runCli(['conns', '--jobs', '2', '--clickhouse', URL_, '--table', T, ...captures]);
  assert.equal(r.status, 0, r.stderr);
  // Every file's rows are said to be written (a duplicate's rows twice: the second load replaced the first).
  const said = Number(/^tcpscope: (\d+) connections written to ClickHouse table \S+ \(\d+ captures\)\n$/.exec(r.stderr)?.[1]);
  assert.ok(said >= expected.length, r.stderr);
  assert.equal(await num(`SELECT count() FROM ${T}`), expected.length);
  assert.equal(await num(`SELECT uniqExact(capture) FROM ${T}`), new Set(expected.map((c) => c.file)).size); // files with connections
  assert.equal(await num(`SELECT sum(bytes_client + bytes_server) FROM ${T}`), expected.reduce((a, c) => a + c.bytes.client + c.bytes.server, 0));
  // Per file: count and conn_state histogram.
  const perFile = await rows(`SELECT first_file, count() AS n, groupArray(conn_state) AS states FROM ${T} GROUP BY first_file FORMAT JSONEachRow`);
  for (const row of perFile) {
    const mine = expected.filter((c) => c.file === row.first_file);
    assert.equal(Number(row.n), mine.length, row.first_file);
    assert.deepEqual([...row.states].sort(), mine.map((c) => c.conn_state).sort(), row.first_file);
  }
  // One connection in full detail.
  const e = expected.find((c) => c.handshake.rtt?.initial_rtt && c.teardown.active_closer)!;
  const [g] = await rows(`SELECT * FROM ${T} WHERE first_file = '${e.file}' AND stream = ${e.stream} FORMAT JSONEachRow`);
  assert.equal(g!.client_ip, e.client.ip);
  assert.equal(g!.server_port, e.server.port);
  assert.equal(g!.history, e.history);
  assert.equal(g!.initial_rtt, e.handshake.rtt.initial_rtt);
  assert.equal(g!.active_closer, e.teardown.active_closer);
  assert.equal(Number(g!.isn_client), e.handshake.isn.client);
});

test('the example queries of docs/scale.md (RST by server, handshake RTT per hour) agree with conns --json', async () => {
  const set = makeSplitSet();
  const capture = await captureHash(set.parts);
  const r = runCli(['conns', '--clickhouse', URL_, '--table', T, ...set.parts]);
  assert.equal(r.status, 0, r.stderr);
  const json = JSON.parse(cliOk(['conns', '--json', ...set.parts])) as Conn[];
  const rst = await rows(SCALE_QUERIES.rstByServer.clickhouse(T, capture));
  assert.deepEqual(rst.map((x) => x.stream), json.filter((c) => c.teardown.rst?.by === 'server').map((c) => c.stream));
  assert.ok(rst.length >= 1);
  assert.deepEqual(rst.map((x) => x.rst_state), json.filter((c) => c.teardown.rst?.by === 'server').map((c) => c.teardown.rst.state));
  // Over everything loaded (the shared captures and this set): count and max per hour as the JSON says.
  const all = [...expected, ...json];
  const hours = new Map<number, number[]>();
  for (const c of all) {
    const v = c.handshake.rtt?.initial_rtt;
    if (typeof v !== 'number') continue;
    const h = Math.floor(c.start / 3600) * 3600;
    hours.set(h, [...(hours.get(h) ?? []), v]);
  }
  const per = await rows(SCALE_QUERIES.rttPerHour.clickhouse(T));
  assert.equal(per.length, hours.size);
  for (const row of per) {
    const v = hours.get(Number(row.hour_epoch));
    assert.ok(v, `hour ${row.hour_epoch}`);
    assert.equal(Number(row.handshakes), v.length);
    assert.equal(row.max_rtt, Math.max(...v));
    assert.ok(row.p50 >= Math.min(...v) && row.p50 <= row.p90 && row.p90 <= row.max_rtt);
  }
});

test('a second load of the same capture replaces its rows instead of adding to them', async () => {
  const f = captures.find((c) => c.endsWith('zeek_wikipedia.pcap'))!;
  const capture = await captureHash([f]);
  const before = await num(`SELECT count() FROM ${T}`);
  const n = await num(`SELECT count() FROM ${T} WHERE capture = '${capture}'`);
  assert.ok(n > 0);
  for (let i = 0; i < 2; i++) {
    const r = runCli(['conns', '--clickhouse', URL_, '--table', T, f]);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stderr, `tcpscope: ${n} connections written to ClickHouse table ${T} (capture ${capture})\n`);
    assert.equal(await num(`SELECT count() FROM ${T} WHERE capture = '${capture}'`), n);
    assert.equal(await num(`SELECT count() FROM ${T}`), before);
  }
});

test('read --clickhouse: one row per packet, the same numbers as read -T fields; re-load replaces', async () => {
  const set = makeSplitSet();
  const capture = await captureHash(set.parts);
  for (let i = 0; i < 2; i++) {
    const r = runCli(['read', '--clickhouse', URL_, '--table', P, ...set.parts]);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stderr, `tcpscope: ${set.frames} packets written to ClickHouse table ${P} (capture ${capture})\n`);
    assert.equal(r.stdout, '');
  }
  assert.equal(await num(`SELECT count() FROM ${P}`), set.frames);
  const text = cliOk(['read', '-T', 'fields', '-E', 'occurrence=f', '-e', 'tcp.stream', '-e', 'tcp.len', '-e', 'ip.src', ...set.parts]).trimEnd().split('\n').map((l) => l.split('\t'));
  const perStream = await rows(`SELECT tcp_stream, sum(tcp_len) AS bytes, count() AS n FROM ${P} WHERE tcp_stream IS NOT NULL GROUP BY tcp_stream ORDER BY tcp_stream FORMAT JSONEachRow`);
  const want = new Map<number, [number, number]>();
  for (const [s, len] of text) if (s) { const w = want.get(Number(s)) ?? [0, 0]; want.set(Number(s), [w[0] + Number(len), w[1] + 1]); }
  assert.equal(perStream.length, want.size);
  for (const row of perStream) assert.deepEqual([Number(row.bytes), Number(row.n)], want.get(Number(row.tcp_stream)), `stream ${row.tcp_stream}`);
  assert.equal(await num(`SELECT count() FROM ${P} WHERE ip_src IS NULL`), text.filter((l) => l[2] === '').length);
  const files = await rows(`SELECT file, min(frame_number) AS lo, max(frame_number) AS hi FROM ${P} GROUP BY file ORDER BY lo FORMAT JSONEachRow`);
  assert.equal(files.length, 10);
  assert.deepEqual([Number(files[1]!.lo), Number(files[1]!.hi)], [set.perPart + 1, 2 * set.perPart]);
});

test('a server that is down, or refuses, gives a clear error and a non-zero exit; nothing is said to be loaded', async () => {
  const f = captures[0]!;
  const down = runCli(['conns', '--clickhouse', 'http://127.0.0.1:9', f]);
  assert.equal(down.status, 8);
  assert.equal(down.stderr, 'tcpscope: ClickHouse at http://127.0.0.1:9: connection refused (is clickhouse-server running?)\n');
  assert.equal(down.stdout, '');
  const downRead = runCli(['read', '--clickhouse', 'http://127.0.0.1:9', f]);
  assert.equal(downRead.status, 8);
  assert.doesNotMatch(downRead.stderr, /written/);
  const refused = runCli(['conns', '--clickhouse', URL_, '--table', 'no_such_database_x.conns', f]);
  assert.equal(refused.status, 8);
  assert.match(refused.stderr, /^tcpscope: ClickHouse at http:\/\/127\.0\.0\.1:\d+ refused CREATE TABLE IF…: Code: 81, .*no_such_database_x.*\n$/);
  assert.doesNotMatch(refused.stderr, /written/);
  // A table whose columns do not fit refuses the insert.
  await q(`CREATE TABLE IF NOT EXISTS ${T}_bad (capture String, start Float64) ENGINE = MergeTree() ORDER BY start`);
  try {
    const bad = runCli(['conns', '--clickhouse', URL_, '--table', `${T}_bad`, f]);
    assert.equal(bad.status, 8);
    assert.match(bad.stderr, /^tcpscope: ClickHouse at .* refused INSERT INTO .*: Code: \d+/);
    assert.doesNotMatch(bad.stderr, /written/);
    assert.equal(await num(`SELECT count() FROM ${T}_bad`), 0);
  } finally { await q(`DROP TABLE IF EXISTS ${T}_bad`); }
  for (const args of [['--clickhouse', 'not a url'], ['--clickhouse', 'ftp://x'], ['--clickhouse', URL_, '--table', 'a;drop'], ['--table', 'x']]) {
    const r = runCli(['conns', ...args, f]);
    assert.equal(r.status, 1, args.join(' '));
    assert.match(r.stderr, /^tcpscope: .+\n$/);
  }
});

test('an insert refused after earlier batches went in: the rows of this load are deleted again, and it is said', async () => {
  // A stand-in for ClickHouse on loopback: accepts the first INSERT, refuses the second.
  const { createServer } = await import('node:http');
  const { spawn } = await import('node:child_process');
  const { CLI } = await import('./support/tshark.js');
  const seen: string[] = [];
  let inserts = 0;
  const srv = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => { body += c.toString(); });
    req.on('end', () => {
      const sql = new URL(req.url ?? '/', 'http://x').searchParams.get('query') ?? body;
      seen.push(sql.split(/\s+/).slice(0, 3).join(' '));
      if (/^INSERT/.test(sql)) {
        if (++inserts === 2) { res.writeHead(500); res.end('Code: 252, e.displayText() = DB::Exception: Too many parts (300)\n'); return; }
        res.end('');
      } else if (/^SELECT count\(\) FROM system\.mutations/.test(sql)) res.end('0\n');
      else if (/^SELECT count\(\)/.test(sql)) res.end(inserts ? '5\n' : '0\n');
      else res.end('');
    });
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  try {
    const f = captures.find((c) => c.endsWith('zeek_wikipedia.pcap'))!;
    const r = await new Promise<{ status: number | null; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, [CLI, 'read', '--clickhouse', `http://127.0.0.1:${port}`, f],
        { env: { ...process.env, TCPSCOPE_CLICKHOUSE_BATCH: '50' }, stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (c: Buffer) => { stderr += c.toString(); });
      const timer = setTimeout(() => child.kill(), 60_000);
      child.on('close', (status) => { clearTimeout(timer); resolve({ status, stderr }); });
    });
    assert.equal(r.status, 8, r.stderr);
    assert.match(r.stderr, /^tcpscope: ClickHouse at http:\/\/127\.0\.0\.1:\d+ refused INSERT INTO tcpscope_packets…: Code: 252, .*Too many parts/);
    assert.match(r.stderr, /the 50 rows loaded before were deleted again: nothing of this capture is in tcpscope_packets\n$/);
    assert.doesNotMatch(r.stderr, /written/);
    const failedAt = seen.lastIndexOf('INSERT INTO tcpscope_packets');
    assert.ok(seen.slice(failedAt).some((s) => s.startsWith('ALTER TABLE tcpscope_packets')), seen.join(' | '));
  } finally { srv.close(); }
});
