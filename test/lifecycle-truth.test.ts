/**
 * Ground truth: every connection of every scenario in ../shared/captures/scenarios/*.truth.json
 * against `tcpscope conns --json` (client, server, handshake kind, teardown kind, active
 * closer, expected anomalies), plus the tshark analysis counts recorded in the truth file,
 * and the JSON against docs/schema/conns.schema.json.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2020 from 'ajv/dist/2020.js';
import { REPO, runCli, SHARED } from './support/tshark.js';

const DIR = join(SHARED, 'scenarios');
const truthFiles = readdirSync(DIR).filter((f) => f.endsWith('.truth.json')).sort();

interface TruthConn {
  client: { ip: string; port: number }; server: { ip: string; port: number };
  handshake: string; teardown: string; active_closer: string | null; expected_anomalies: string[];
  tshark: { stream: number; analysis_counts: Record<string, number> };
}

/** tshark's analysis flag names (as in the truth files) → tcpscope's anomaly names. */
const TSHARK_TO_ANOMALY: Record<string, string> = {
  retransmission: 'retransmission', fast_retransmission: 'fast-retransmission', spurious_retransmission: 'spurious-retransmission',
  out_of_order: 'out-of-order', lost_segment: 'lost-segment', ack_lost_segment: 'ack-lost-segment', duplicate_ack: 'dup-ack',
  sack: 'sack', zero_window: 'zero-window', zero_window_probe: 'zero-window-probe', window_update: 'window-update',
  window_full: 'window-full', keep_alive: 'keep-alive', reused_ports: 'reused-port',
};

const schema = JSON.parse(readFileSync(join(REPO, 'docs/schema/conns.schema.json'), 'utf8')) as object;
const ajv = new Ajv2020.default({ allErrors: true, strict: false });
const validate = ajv.compile(schema);

let connections = 0, agreeing = 0, countsCompared = 0, countsSkipped = 0;
/** tshark flags tcpscope's summary does not count (an ACK of a keep-alive is not an anomaly of the connection). */
const NOT_COUNTED = new Set(['keep_alive_ack']);
const countLines: string[] = [];

for (const tf of truthFiles) {
  test(`truth: ${tf}`, () => {
    const truth = JSON.parse(readFileSync(join(DIR, tf), 'utf8')) as { file: string; connections: TruthConn[] };
    const r = runCli(['conns', '--json', join(DIR, truth.file)]);
    assert.equal(r.status, 0, r.stderr);
    const ours = JSON.parse(r.stdout) as Array<Record<string, any>>;
    assert.ok(validate(ours), `schema: ${ajv.errorsText(validate.errors)}`);
    assert.equal(ours.length, truth.connections.length, 'number of connections');
    const problems: string[] = [];
    for (const t of truth.connections) {
      connections++;
      const o = ours.find((c) => c.stream === t.tshark.stream);
      if (!o) { problems.push(`stream ${t.tshark.stream} missing`); continue; }
      const got = {
        client: o.client, server: o.server, handshake: o.handshake.kind, teardown: o.teardown.kind, active_closer: o.teardown.active_closer,
      };
      const want = { client: t.client, server: t.server, handshake: t.handshake, teardown: t.teardown, active_closer: t.active_closer };
      const missing = t.expected_anomalies.filter((a) => !o.anomalies.includes(a));
      const tsharkNames = Object.keys(t.tshark.analysis_counts).filter((k) => t.tshark.analysis_counts[k]! > 0 && k in TSHARK_TO_ANOMALY).map((k) => TSHARK_TO_ANOMALY[k]!);
      // Where Wireshark says keep-alive during a zero window, tcpscope says zero-window-probe (see README).
      const missingTshark = tsharkNames.filter((a) => !o.anomalies.includes(a) && !(a === 'keep-alive' && o.anomalies.includes('zero-window-probe')));
      let ok = true;
      try { assert.deepEqual(got, want); } catch { ok = false; problems.push(`stream ${t.tshark.stream}: got ${JSON.stringify(got)}, truth ${JSON.stringify(want)}`); }
      if (missing.length) { ok = false; problems.push(`stream ${t.tshark.stream}: expected anomalies not found: ${missing.join(', ')}`); }
      if (missingTshark.length) { ok = false; problems.push(`stream ${t.tshark.stream}: tshark flags not found: ${missingTshark.join(', ')}`); }
      // tshark's analysis counts against tcpscope's anomaly counts, flag by flag.
      const counts = t.tshark.analysis_counts;
      // Where Wireshark says keep-alive during a zero window, tcpscope counts a zero-window probe.
      const moved = (counts.keep_alive ?? 0) - (o.anomaly_counts['keep-alive'] ?? 0);
      const extraProbes = (o.anomaly_counts['zero-window-probe'] ?? 0) - (counts.zero_window_probe ?? 0);
      if (moved !== extraProbes) { ok = false; problems.push(`stream ${t.tshark.stream}: ${moved} keep-alives missing but ${extraProbes} extra zero-window probes`); }
      for (const [k, n] of Object.entries(counts)) {
        const name = TSHARK_TO_ANOMALY[k];
        if (name === undefined) {
          if (!NOT_COUNTED.has(k)) { ok = false; problems.push(`stream ${t.tshark.stream}: unknown tshark count ${k}`); }
          countsSkipped++;
          if (truth.connections.length < 5) countLines.push(`${tf} stream ${t.tshark.stream} ${k}: tshark ${n}, tcpscope ${o.anomaly_counts[k] ?? 0}`);
          continue;
        }
        const mine = o.anomaly_counts[name] ?? 0;
        const want = k === 'keep_alive' ? n - moved : k === 'zero_window_probe' ? n + moved : n;
        countsCompared++;
        if (mine !== want) { ok = false; problems.push(`stream ${t.tshark.stream}: ${k}: tshark ${n}, tcpscope ${mine} (expected ${want})`); }
        if (truth.connections.length < 5) countLines.push(`${tf} stream ${t.tshark.stream} ${k}: tshark ${n}, tcpscope ${mine}`);
      }
      if (ok) agreeing++;
    }
    assert.deepEqual(problems, []);
  });
}

test('truth summary', () => {
  console.log(`lifecycle truth: ${agreeing}/${connections} connections agree (client, server, handshake, teardown, closer, anomalies)`);
  for (const l of countLines) console.log(`  analysis count ${l}`);
  assert.equal(agreeing, connections);
  assert.ok(truthFiles.length > 0 && connections > 0, 'the scenarios have connections');
  assert.ok(countsCompared > 0, 'some analysis counts were compared');
  assert.ok(countLines.length > 0, 'small scenarios list their counts');
  console.log(`  analysis counts: ${countsCompared} compared, ${countsSkipped} not counted by tcpscope (${[...NOT_COUNTED].join(', ')})`);
});
