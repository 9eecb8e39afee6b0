/**
 * Issue 10 (b): Zeek's content gaps (history letters G/g, missed_bytes) on crafted connections.
 * Zeek reports a gap when an acknowledgement covers bytes it never saw, and only while both sides
 * are "clean": established, or closed by a FIN straight from established (TCP_Reassembler's
 * established-or-cleanly-closing test); never after a RST or on a connection seen without its
 * handshake. The expected rows are derived by hand from those rules (see ../shared/TCP-SEMANTICS.md
 * B.2); the GTP capture of ../shared/encap (gap after the FIN, "ShADadfgF", 5760 missed bytes) is
 * the real-world case, checked in test/encap.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildPcap, type Seg } from './support/build.js';
import { runCli } from './support/tshark.js';

const HS: Seg[] = [
  { t: 0, dir: 'c', seq: 1000, flags: 'S' },
  { t: 0.01, dir: 's', seq: 5000, ack: 1001, flags: 'SA' },
  { t: 0.02, dir: 'c', seq: 1001, ack: 5001, flags: 'A' },
];

const CASES: Array<{ name: string; segs: Seg[]; state: string; history: string; missed: number }> = [
  {
    // 100 client bytes (1101..1200) never seen, acknowledged while both sides are established
    name: 'gap while established', state: 'SF', history: 'ShADaGFf', missed: 100,
    segs: [...HS,
      { t: 0.03, dir: 'c', seq: 1001, ack: 5001, flags: 'PA', len: 100 },
      { t: 0.04, dir: 'c', seq: 1201, ack: 5001, flags: 'PA', len: 100 },
      { t: 0.05, dir: 's', seq: 5001, ack: 1301, flags: 'A' },
      { t: 0.06, dir: 'c', seq: 1301, ack: 5001, flags: 'FA' },
      { t: 0.07, dir: 's', seq: 5001, ack: 1302, flags: 'FA' },
      { t: 0.08, dir: 'c', seq: 1302, ack: 5002, flags: 'A' },
    ],
  },
  {
    // the server's last 100 bytes are missing before its FIN; the client acknowledges the FIN:
    // the server closed cleanly, so the gap counts ('g' after 'f', as in the GTP capture)
    name: 'gap before the FIN', state: 'SF', history: 'ShADadfgF', missed: 100,
    segs: [...HS,
      { t: 0.03, dir: 'c', seq: 1001, ack: 5001, flags: 'PA', len: 100 },
      { t: 0.04, dir: 's', seq: 5001, ack: 1101, flags: 'A' },
      { t: 0.05, dir: 's', seq: 5001, ack: 1101, flags: 'PA', len: 100 },
      { t: 0.06, dir: 's', seq: 5201, ack: 1101, flags: 'FA' },
      { t: 0.07, dir: 'c', seq: 1101, ack: 5202, flags: 'A' },
      { t: 0.08, dir: 'c', seq: 1101, ack: 5202, flags: 'FA' },
      { t: 0.09, dir: 's', seq: 5202, ack: 1102, flags: 'A' },
    ],
  },
  {
    // both sides closed cleanly, then the last ACK covers bytes never seen
    name: 'gap acknowledged after both FINs', state: 'SF', history: 'ShADdFfaG', missed: 50,
    segs: [...HS,
      { t: 0.03, dir: 'c', seq: 1001, ack: 5001, flags: 'PA', len: 50 },
      { t: 0.04, dir: 's', seq: 5001, ack: 1051, flags: 'PA', len: 10 },
      { t: 0.05, dir: 'c', seq: 1101, ack: 5011, flags: 'FA' },
      { t: 0.06, dir: 's', seq: 5011, ack: 1051, flags: 'FA' },
      { t: 0.07, dir: 's', seq: 5012, ack: 1102, flags: 'A' },
    ],
  },
  {
    // the server resets: a gap acknowledged by the RST is not counted
    name: 'no gap after a RST', state: 'RSTR', history: 'ShADr', missed: 0,
    segs: [...HS,
      { t: 0.03, dir: 'c', seq: 1001, ack: 5001, flags: 'PA', len: 100 },
      { t: 0.04, dir: 'c', seq: 1201, ack: 5001, flags: 'PA', len: 100 },
      { t: 0.05, dir: 's', seq: 5001, ack: 1301, flags: 'RA' },
    ],
  },
];

test('Zeek content gaps: G/g where Zeek writes them, and missed_bytes', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tcpscope-gaps-'));
  try {
    const got: string[] = [], want: string[] = [];
    for (const c of CASES) {
      const file = join(dir, `${c.name.replace(/\W+/g, '-')}.pcap`);
      writeFileSync(file, buildPcap(c.segs));
      const r = runCli(['conns', '-T', 'zeek', file]);
      assert.equal(r.status, 0, r.stderr);
      const lines = r.stdout.split('\n');
      const fields = lines.find((l) => l.startsWith('#fields\t'))!.split('\t').slice(1);
      const rows = lines.filter((l) => l && !l.startsWith('#')).map((l) => Object.fromEntries(l.split('\t').map((v, i) => [fields[i], v])));
      assert.equal(rows.length, 1, c.name);
      const row = rows[0]!;
      got.push(`${c.name}: ${row['conn_state']} ${row['history']} missed ${row['missed_bytes']}`);
      want.push(`${c.name}: ${c.state} ${c.history} missed ${c.missed}`);
    }
    assert.deepEqual(got, want);
  } finally { rmSync(dir, { recursive: true, force: true }); }
});
