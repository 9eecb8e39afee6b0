/**
 * `conns` in bounded memory (src/tcp/fold.ts): connections are folded into their summaries as
 * soon as they are final, rows are written as they become final.
 *  - With the default limits, the output (table, --json, -T zeek) is byte-identical to
 *    --no-fold (every connection kept to the end) on every shared capture.
 *  - With limits of zero (every connection folds as soon as time moves on), a capture without
 *    late packets still gives the same summaries, and where packets come late, exactly those
 *    are missing from the rows.
 *  - A crafted capture: a packet after its connection was folded is counted and said on stderr;
 *    a SYN that reuses the 4-tuple afterwards still starts a new stream that reuses the old one.
 *  - Memory: the heap retained after N and 4N short connections stays nearly flat with folding
 *    and grows about 4× without (measured in a child process with --expose-gc).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { allCaptures, label, needs, runCliAsync, runCli, SHARED } from './support/tshark.js';
import { encapCaptures, ENCAP } from './support/encap.js';
import { buildFrames, buildPcap, type Seg } from './support/build.js';
import { runLifecycle } from '../cli/lifecycle-run.js';
import { Dissector } from '../src/dissect.js';
import { LifecycleTracker, type ConnSummary } from '../src/tcp/lifecycle.js';
import { DEFAULT_FOLD } from '../src/tcp/fold.js';

const HEAP_CHILD = process.env.TCPSCOPE_FOLD_HEAP;

/** Run `jobs` with at most `n` at a time. */
async function pool<T>(items: T[], n: number, f: (x: T) => Promise<void>): Promise<void> {
  let i = 0;
  await Promise.all(Array.from({ length: n }, async () => { while (i < items.length) await f(items[i++]!); }));
}

const captures = (): string[] => [...allCaptures(), ...encapCaptures()];

if (!HEAP_CHILD) {
  test('default limits: conns (table, --json, -T zeek) is byte-identical to --no-fold on every shared capture', { skip: needs({ paths: [SHARED, ENCAP] }) }, async () => {
    const files = captures();
    assert.ok(files.length > 40, `only ${files.length} captures found`);
    const diffs: string[] = [];
    // --json on every capture; the table and Zeek's log in turn on every other one (the suite's time budget).
    const jobs = files.flatMap((f, i) => [['--json'], ...(i % 2 ? [] : [i % 4 ? [] : ['-T', 'zeek']])].map((fmt) => ({ f, fmt })));
    await pool(jobs, 4, async ({ f, fmt }) => {
      const [a, b] = await Promise.all([runCliAsync(['conns', ...fmt, f]), runCliAsync(['conns', '--no-fold', ...fmt, f])]);
      if (a.stdout !== b.stdout || a.status !== b.status) diffs.push(`${label(f)} ${fmt.join(' ')}`);
      if (/folded/.test(a.stderr)) diffs.push(`${label(f)} ${fmt.join(' ')}: late packets with the default limits`);
    });
    assert.deepEqual(diffs, []);
  });

  test('limits of zero: the same summaries without late packets; with them, exactly the late segments are missing', { skip: needs({ paths: [SHARED, ENCAP] }) }, async () => {
    const zero = { timeWait: 0, idle: 0, maxClosed: 0 };
    let withLate = 0, without = 0;
    for (const f of captures()) {
      const whole = await runLifecycle(f, { quiet: true, live: false });
      const got: ConnSummary[] = [];
      const run = await runLifecycle(f, { quiet: true, live: false, fold: zero, onConn: (c) => got.push(c) });
      const all = whole.conns.map((c) => c.summary);
      // Same connections, in the same order.
      assert.deepEqual(got.map((c) => c.stream), all.map((c) => c.stream), label(f));
      if (run.late === 0) {
        without++;
        assert.equal(JSON.stringify(got), JSON.stringify(all), label(f));
      } else {
        withLate++;
        const pk = (cs: ConnSummary[]): number => cs.reduce((n, c) => n + c.packets.client + c.packets.server, 0);
        assert.equal(pk(all) - pk(got), run.lateSegments, `${label(f)}: the rows miss exactly the late segments`);
      }
    }
    // Both cases occur on the shared captures (otherwise the test proves less than it says).
    assert.ok(withLate > 0 && without > 0, `with late packets: ${withLate}, without: ${without}`);
  });

  test('a packet after its connection was folded: counted, said once on stderr, left out of the row; a later reusing SYN is a new stream', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tcpscope-fold-'));
    try {
      const conn = (t0: number, isn: number): Seg[] => [
        { t: t0, dir: 'c', seq: isn, flags: 'S', mss: 1460 },
        { t: t0 + 0.01, dir: 's', seq: 9000, ack: isn + 1, flags: 'SA', mss: 1460 },
        { t: t0 + 0.02, dir: 'c', seq: isn + 1, ack: 9001, flags: 'A' },
        { t: t0 + 0.03, dir: 'c', seq: isn + 1, ack: 9001, flags: 'PA', len: 10 },
        { t: t0 + 0.04, dir: 's', seq: 9001, ack: isn + 11, flags: 'FA' },
        { t: t0 + 0.05, dir: 'c', seq: isn + 11, ack: 9002, flags: 'FA' },
        { t: t0 + 0.06, dir: 's', seq: 9002, ack: isn + 12, flags: 'A' },
      ];
      const segs: Seg[] = [
        ...conn(0, 1000),
        // Another connection's packet 99 s later: stream 0 has been closed for more than 60 s, it folds.
        { t: 99, dir: 'c', seq: 5, flags: 'S', cport: 40001 },
        // The server's last ACK of stream 0 again: a late packet.
        { t: 100, dir: 's', seq: 9002, ack: 1012, flags: 'A' },
        // A reuse of the 4-tuple with a new ISN: a new stream, whose row says it reuses stream 0.
        ...conn(200, 50000),
        // A reuse within the time-wait: folds the previous connection at once (rule a).
        ...conn(201, 90000),
      ];
      const file = join(dir, 'late.pcap');
      writeFileSync(file, buildPcap(segs));
      const fold = runCli(['conns', '--json', file]);
      const whole = runCli(['conns', '--json', '--no-fold', file]);
      assert.equal(fold.status, 0, fold.stderr);
      const a = JSON.parse(fold.stdout) as Array<Record<string, unknown> & { packets: { client: number; server: number } }>;
      const b = JSON.parse(whole.stdout) as typeof a;
      assert.deepEqual(a.map((c) => [c.stream, c.reuses_stream]), [[0, null], [1, null], [2, 0], [3, 2]]);
      assert.deepEqual(b.map((c) => [c.stream, c.reuses_stream]), [[0, null], [1, null], [2, 0], [3, 2]]);
      assert.deepEqual(a[0]!.packets, { client: 4, server: 3 });
      assert.deepEqual(b[0]!.packets, { client: 4, server: 4 });
      assert.deepEqual(a.slice(1), b.slice(1));
      const notices = fold.stderr.split('\n').filter((l) => /folded/.test(l));
      assert.deepEqual(notices, ['tcpscope: 1 packet came after its connection had been folded (closed for 60 s, idle for 300 s, or beyond the 2,048 most recently closed): its row leaves it out; --no-fold keeps every connection to the end']);
      assert.doesNotMatch(whole.stderr, /folded/);
      // The late packet keeps its tcp.stream (read does not fold; conns numbers the same).
      const streams = runCli(['read', '-T', 'fields', '-e', 'tcp.stream', file]).stdout.trim().split('\n');
      assert.equal(streams[8], '0');
      // The table and Zeek's log differ only in stream 0's row.
      for (const [fmt, row0] of [[['-T', 'zeek'], /\tC0\t/], [[], /^\s*0 /]] as const) {
        const x = runCli(['conns', ...fmt, file]).stdout.split('\n'), y = runCli(['conns', '--no-fold', ...fmt, file]).stdout.split('\n');
        const diff = x.flatMap((l, i) => (l === y[i] ? [] : [i]));
        assert.equal(diff.length, 1, x.join('\n'));
        assert.match(x[diff[0]!]!, row0);
      }
    } finally { rmSync(dir, { recursive: true, force: true }); }
  });

  test('memory: retained heap after N and 4N short connections is nearly flat with folding, grows about 4x without', () => {
    const heap = (n: number, fold: boolean): number => {
      const r = spawnSync(process.execPath, ['--expose-gc', fileURLToPath(import.meta.url)], {
        encoding: 'utf8', env: { ...process.env, TCPSCOPE_FOLD_HEAP: `${n},${fold ? 1 : 0}` },
      });
      const m = /heap=(\d+)/.exec(r.stdout);
      assert.ok(m, r.stderr + r.stdout);
      return Number(m[1]);
    };
    const N = 3000;
    const [f1, f4, w1, w4] = [heap(N, true), heap(4 * N, true), heap(N, false), heap(4 * N, false)];
    const growFold = f4 - f1, growWhole = w4 - w1;
    const msg = `fold: ${f1} → ${f4} B, --no-fold: ${w1} → ${w4} B`;
    // Without folding every connection stays: the heap grows with them (so this test can fail).
    assert.ok(growWhole > 3 * N * 2000, msg);
    // With folding only a stub per 4-tuple stays (its stream number and ISNs, a few hundred bytes): under a fifth of the growth.
    assert.ok(growFold < growWhole / 5, msg);
  });
} else {
  // The child of the memory test: N short connections (distinct client ports, 1 s apart) through
  // the TCP tracker and the lifecycle, then the heap after a full collection, before finish().
  const [n, fold] = HEAP_CHILD.split(',').map(Number) as [number, number];
  const d = new Dissector({ app: false });
  let kept = 0;
  const lc = new LifecycleTracker(fold ? { fold: DEFAULT_FOLD, onFold: () => { kept++; } } : {});
  d.addObserver(lc);
  let frame = 0;
  for (let i = 0; i < n; i++) {
    const t = i, cport = 1024 + (i % 60000), isn = 1000 + i * 7919;
    const segs: Seg[] = [
      { t, dir: 'c', seq: isn, flags: 'S', mss: 1460, cport },
      { t: t + 0.01, dir: 's', seq: 9000, ack: isn + 1, flags: 'SA', mss: 1460, cport },
      { t: t + 0.02, dir: 'c', seq: isn + 1, ack: 9001, flags: 'PA', len: 100, cport },
      { t: t + 0.03, dir: 's', seq: 9001, ack: isn + 101, flags: 'PA', len: 1000, cport },
      { t: t + 0.04, dir: 'c', seq: isn + 101, ack: 10001, flags: 'FA', cport },
      { t: t + 0.05, dir: 's', seq: 10001, ack: isn + 102, flags: 'FA', cport },
      { t: t + 0.06, dir: 'c', seq: isn + 102, ack: 10002, flags: 'A', cport },
    ];
    for (const f of buildFrames(segs)) { f.number = ++frame; d.dissect(f); }
  }
  (globalThis as { gc?: () => void }).gc!();
  (globalThis as { gc?: () => void }).gc!();
  const heapUsed = process.memoryUsage().heapUsed;
  // Uses of the tracker and the dissector after the measurement keep them alive through it.
  process.stdout.write(`heap=${heapUsed} folded=${kept} rows=${lc.finish().length + kept} frames=${d.tcp.conversationCount}\n`);
}
