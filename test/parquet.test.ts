/**
 * Parquet written by tcpscope, read back with DuckDB: the same numbers as `conns --json` and
 * `read -T fields`, typed columns, row groups, and the example queries of docs/scale.md.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { cliOk, runCli } from './support/tshark.js';
import { makeSplitSet } from './support/capture-set.js';
import { SCALE_QUERIES } from './support/scale-queries.js';

const set = makeSplitSet();
let conn: DuckDBConnection | undefined;
async function db(): Promise<DuckDBConnection> {
  conn ??= await (await DuckDBInstance.create(':memory:')).connect();
  return conn;
}
async function rows(sql: string): Promise<Array<Record<string, unknown>>> {
  return (await (await db()).runAndReadAll(sql)).getRowObjectsJson() as Array<Record<string, unknown>>;
}
type Conn = Record<string, any>;

const connsPq = join(set.dir, 'conns.parquet');
const json = (): Conn[] => JSON.parse(cliOk(['conns', '--json', ...set.parts])) as Conn[];

test('conns -T parquet: one row per connection, DuckDB reads the numbers conns --json has', async () => {
  const r = runCli(['conns', '-T', 'parquet', '-w', connsPq, ...set.parts]);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, '');
  const expected = json();
  assert.match(r.stderr, new RegExp(`^tcpscope: ${expected.length} connections written to `));
  const got = await rows(`SELECT * FROM '${connsPq}' ORDER BY stream`);
  assert.equal(got.length, expected.length);
  for (let i = 0; i < got.length; i++) {
    const g = got[i]!, e = expected[i]!;
    const at = `stream ${e.stream}`;
    assert.equal(g.stream, e.stream, at);
    assert.equal(g.client_ip, e.client.ip, at);
    assert.equal(g.client_port, e.client.port, at);
    assert.equal(g.server_ip, e.server.ip, at);
    assert.equal(g.server_port, e.server.port, at);
    assert.equal(Number(g.first_frame), e.first_frame, at);
    assert.equal(Number(g.bytes_server), e.bytes.server, at);
    assert.equal(g.start, e.start, at);
    assert.equal(g.conn_state, e.conn_state, at);
    assert.equal(g.history, e.history, at);
    assert.equal(g.completeness, e.completeness, at);
    assert.equal(g.initial_rtt, e.handshake.rtt?.initial_rtt ?? null, at);
    assert.equal(g.isn_client, e.handshake.isn?.client ?? null, at);
    assert.equal(g.rst_by, e.teardown.rst?.by ?? null, at);
    assert.equal(g.active_closer, e.teardown.active_closer ?? null, at);
    assert.equal(g.first_file, e.first_file, at);
    assert.equal(g.last_file, e.last_file, at);
    assert.equal(g.anomalies, e.anomalies.join(','), at);
  }
  const types = Object.fromEntries((await rows(`DESCRIBE SELECT * FROM '${connsPq}'`)).map((x) => [x.column_name, x.column_type]));
  assert.equal(types.stream, 'UINTEGER');
  assert.equal(types.client_port, 'USMALLINT');
  assert.equal(types.bytes_client, 'UBIGINT');
  assert.equal(types.isn_client, 'UINTEGER');
  assert.equal(types.start, 'DOUBLE');
  assert.equal(types.sack, 'BOOLEAN');
  assert.equal(types.conn_state, 'VARCHAR');
});

test('the example queries of docs/scale.md give in DuckDB what conns --json says', async () => {
  const expected = json();
  const rstByServer = await rows(SCALE_QUERIES.rstByServer.duckdb(`'${connsPq}'`));
  assert.deepEqual(rstByServer.map((x) => x.stream), expected.filter((c) => c.teardown.rst?.by === 'server').map((c) => c.stream));
  assert.ok(rstByServer.length >= 1);
  const perHour = await rows(SCALE_QUERIES.rttPerHour.duckdb(`'${connsPq}'`));
  const withRtt = expected.filter((c) => typeof c.handshake.rtt?.initial_rtt === 'number');
  const hours = new Map<number, number[]>();
  for (const c of withRtt) {
    const h = Math.floor(c.start / 3600) * 3600;
    hours.set(h, [...(hours.get(h) ?? []), c.handshake.rtt.initial_rtt as number]);
  }
  assert.equal(perHour.length, hours.size);
  for (const row of perHour) {
    const v = hours.get(Number(row.hour_epoch))!;
    assert.ok(v, `hour ${row.hour_epoch}`);
    const s = [...v].sort((a, b) => a - b);
    assert.equal(Number(row.handshakes), s.length);
    // Interpolation rounds differently in the last bit: 1e-12 s is far below the µs the times have.
    assert.ok(Math.abs(Number(row.p50) - quantileCont(s, 0.5)) < 1e-12, `p50 ${row.p50}`);
    assert.ok(Math.abs(Number(row.p90) - quantileCont(s, 0.9)) < 1e-12, `p90 ${row.p90}`);
    assert.equal(row.max_rtt, s[s.length - 1]);
  }
});

/** DuckDB's quantile_cont: linear interpolation between the two nearest ranks. */
function quantileCont(sorted: number[], q: number): number {
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos), hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

const FIELDS = ['frame.number', 'frame.time_epoch', 'frame.len', 'ip.src', 'ipv6.dst', 'tcp.stream', 'tcp.srcport', 'tcp.flags', 'tcp.seq',
  'tcp.len', 'tcp.window_size', 'tcp.analysis.ack_rtt', 'tcp.analysis.retransmission', 'tcp.completeness'];

test('read -T parquet -e FIELD…: one row per packet, typed by the registry, same values as read -T fields', async () => {
  const pq = join(set.dir, 'packets.parquet');
  const r = runCli(['read', '-T', 'parquet', ...FIELDS.flatMap((f) => ['-e', f]), '-w', pq, ...set.parts], undefined);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, new RegExp(`^tcpscope: ${set.frames} packets written to `));
  const text = cliOk(['read', '-T', 'fields', '-E', 'occurrence=f', ...FIELDS.flatMap((f) => ['-e', f]), ...set.parts]).trimEnd().split('\n').map((l) => l.split('\t'));
  const cols = FIELDS.map((f) => f.replace(/\./g, '_'));
  const got = await rows(`SELECT ${cols.join(', ')}, file FROM '${pq}'`);
  assert.equal(got.length, text.length);
  got.forEach((g, i) => {
    FIELDS.forEach((f, k) => {
      const want = text[i]![k]!;
      const v = g[cols[k]!];
      const at = `frame ${i + 1} ${f}`;
      if (want === '') { assert.equal(v, null, at); return; }
      if (f === 'tcp.flags') assert.equal(v, parseInt(want, 16), at); // BASE_HEX in the text, a number in the column
      else if (f === 'frame.time_epoch' || f === 'tcp.analysis.ack_rtt') assert.ok(Math.abs(Number(v) - Number(want)) < 1e-6, `${at}: ${v} vs ${want}`);
      else if (f === 'tcp.analysis.retransmission') assert.equal(v, want, at);
      else if (typeof v === 'number' || typeof v === 'string' && /^\d+$/.test(v)) assert.equal(String(v), want, at);
      else assert.equal(v, want, at);
    });
    assert.equal(g.file, set.parts[Math.floor(i / set.perPart)]!.slice(set.parts[0]!.lastIndexOf('/') + 1));
  });
  const types = Object.fromEntries((await rows(`DESCRIBE SELECT * FROM '${pq}'`)).map((x) => [x.column_name, x.column_type]));
  assert.deepEqual([types.frame_number, types.frame_time_epoch, types.ip_src, types.tcp_srcport, types.tcp_seq, types.tcp_stream],
    ['UINTEGER', 'DOUBLE', 'VARCHAR', 'USMALLINT', 'UINTEGER', 'UINTEGER']);
  assert.equal(types.tcp_flags, 'USMALLINT');
  // A sum over a typed column is the sum of the text.
  const [sum] = await rows(`SELECT sum(tcp_len) AS s, count(*) AS n FROM '${pq}' WHERE tcp_stream IS NOT NULL`);
  const tcpRows = text.filter((l) => l[5] !== '');
  assert.equal(Number(sum!.s), tcpRows.reduce((a, l) => a + Number(l[9]), 0));
  assert.equal(Number(sum!.n), tcpRows.length);
});

test('row groups: the writer streams a group at a time (TCPSCOPE_PARQUET_ROW_GROUP=100 → several groups)', async () => {
  const pq = join(set.dir, 'groups.parquet');
  const { spawnSync } = await import('node:child_process');
  const { CLI } = await import('./support/tshark.js');
  const r = spawnSync(process.execPath, [CLI, 'read', '-T', 'parquet', '-e', 'frame.number', '-e', 'tcp.stream', '-w', pq, ...set.parts],
    { encoding: 'utf8', env: { ...process.env, TCPSCOPE_PARQUET_ROW_GROUP: '100' } });
  assert.equal(r.status, 0, r.stderr);
  const groups = await rows(`SELECT row_group_id, max(row_group_num_rows) AS n FROM parquet_metadata('${pq}') GROUP BY row_group_id ORDER BY row_group_id`);
  assert.equal(groups.length, Math.ceil(set.frames / 100));
  assert.equal(Number(groups[0]!.n), 100);
  const [{ n, mx }] = await rows(`SELECT count(*) AS n, max(frame_number) AS mx FROM '${pq}'`) as [{ n: unknown; mx: unknown }];
  assert.equal(Number(n), set.frames);
  assert.equal(Number(mx), set.frames);
});

test('usage errors: -T parquet without -w or -e, -w without -T parquet, standard input', () => {
  for (const args of [['conns', '-T', 'parquet', set.whole], ['read', '-T', 'parquet', '-w', join(set.dir, 'x.parquet'), set.whole],
    ['conns', '-w', join(set.dir, 'x.parquet'), set.whole], ['conns', '-T', 'parquet', '-w', join(set.dir, 'x.parquet'), '-']]) {
    const r = runCli(args);
    assert.equal(r.status, 1, args.join(' '));
    assert.match(r.stderr, /^tcpscope: .+\n$/, args.join(' '));
  }
  const r = runCli(['conns', '-T', 'parquet', '-w', join(set.dir, 'no/such/dir/x.parquet'), set.whole]);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /^tcpscope: cannot write ".*x\.parquet": /);
});
