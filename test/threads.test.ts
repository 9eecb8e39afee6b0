/**
 * `conns --threads N` (cli/threads.ts): the same connections, numbers, order, problems and exit
 * code as one thread, on every shared capture (../shared/captures with its scenarios,
 * ../shared/encap, samples/), for N = 2..4 in-process and through the command line; the peek
 * (src/decode/peek.ts) names the same 4-tuple as the full decoder on every frame it answers for.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { allCaptures, label, needs, pool, REPO, runCli, runCliAsync, SHARED } from './support/tshark.js';
import { ENCAP, encapCaptures } from './support/encap.js';
import { runLifecycle } from '../cli/lifecycle-run.js';
import { mergeShards, packValues, runLifecycleThreaded, threadsOption, unpackValues } from '../cli/threads.js';
import { openCaptureInput } from '../cli/capture-set.js';
import { EVERY, peekTcpHash, tupleHash } from '../src/decode/peek.js';
import { PacketDecoder } from '../src/decode/decode.js';
import { connJson, connsTable, zeekTsv } from '../src/render/conns.js';
import { reuseLinks } from '../src/render/facts.js';
import type { ConnSummary } from '../src/tcp/lifecycle.js';

const skip = needs({ paths: [SHARED, join(SHARED, 'scenarios'), ENCAP] });
const captures = (): string[] => [...allCaptures(), ...encapCaptures()];
/** The captures with FTP passive-mode replies: read by one thread (see cli/threads.ts). */
const ONE_THREAD = new Set(['zeek_ftp_ipv6.pcap']);

/** A few captures with many connections, reuse, ICMP errors, tunnels, fragments, VLANs, pcapng. */
const FEW = (): string[] => ['scenarios/many-short.pcap', 'scenarios/port-reuse.pcap', 'scenarios/loss-retransmission.pcap', 'scenarios/zero-window.pcapng',
  'zeek_mixed-vlan-mpls.pcap', 'pcapplusplus_four_ipv6_http_streams.pcap', 'zeek_tls_openjdk-sll2.pcap'].map((f) => join(SHARED, f))
  .concat(['IcmpPackets.pcap', 'frag_http_req.pcap', 'gtp1_gn_normal_incl_fragmentation.pcap', 'vxlan-encapsulated-http.pcap', 'Teredo.pcap'].map((f) => join(ENCAP, f)));

const render = (conns: ConnSummary[]): string => {
  const reuse = reuseLinks(conns).reuses;
  return [
    JSON.stringify(conns.map((c) => connJson(c, reuse.get(c.stream)?.stream ?? null))),
    connsTable(conns, 'en', undefined, { width: 100 }), connsTable(conns, 'zh-CN', undefined, { wide: true }), zeekTsv(conns),
  ].join('\n');
};

test('the shared captures are there', { skip }, () => {
  const all = captures();
  assert.ok(all.filter((c) => c.includes('/scenarios/')).length >= 15, 'scenarios');
  assert.ok(encapCaptures().length >= 15, 'encap');
  assert.ok(all.length >= 50, `only ${all.length} captures`);
});

test('N threads give one thread\'s connections on every shared capture (N = 2, 3, 4 in turn)', { skip }, async () => {
  let threaded = 0, conns = 0;
  const seen = new Set<number>();
  // One threaded run per capture, N taking 2, 3 and 4 in turn: every N on about a third of the
  // captures (starting workers costs about 0.2 s each, and the suite has a time budget).
  for (const [i, cap] of captures().entries()) {
    const one = await runLifecycle(cap, { live: false, quiet: true });
    const want = one.conns.map((c) => c.summary);
    const wantText = render(want);
    for (const n of [2 + (i % 3)]) {
      seen.add(n);
      const got = await runLifecycleThreaded(cap, { live: false, quiet: true, threads: n });
      const name = cap.split('/').pop()!;
      if (ONE_THREAD.has(name)) { assert.equal(got, undefined, `${label(cap)}: read by one thread`); continue; }
      assert.ok(got, `${label(cap)}: threaded`);
      threaded++;
      const have = got.conns.map((c) => c.summary);
      assert.deepEqual(have, want, `${label(cap)} N=${n}: summaries`);
      assert.equal(render(have), wantText, `${label(cap)} N=${n}: renderings`);
      assert.equal(got.code, one.code, `${label(cap)} N=${n}: exit code`);
      assert.deepEqual([...got.spans], [...one.spans], `${label(cap)} N=${n}: spans`);
      assert.deepEqual(got.files, one.files);
    }
    conns += want.length;
  }
  assert.ok(threaded > 50 && conns > 250, `${threaded} threaded runs, ${conns} connections`);
  assert.deepEqual([...seen].sort(), [2, 3, 4]);
});

test('-Y keeps the same connections with N threads; a filter on tcp.stream is read by one thread', { skip }, async () => {
  const { displayFilter } = await import('../cli/filter.js');
  const filters = ['tcp.analysis.retransmission', 'frame.time_delta > 0.05', 'http || tcp.len > 100 && ip.version == 6'];
  let kept = 0;
  for (const cap of FEW()) {
    for (const filter of filters) {
      const f = displayFilter(filter)!;
      const keep = (rec: Parameters<typeof f.matches>[0]): boolean => f.matches(rec);
      const want = (await runLifecycle(cap, { live: false, quiet: true, keep })).conns.map((c) => c.summary);
      const got = await runLifecycleThreaded(cap, { live: false, quiet: true, keep, filter, threads: 3 });
      assert.ok(got);
      assert.deepEqual(got.conns.map((c) => c.summary), want, `${label(cap)} -Y ${filter}`);
      kept += want.length;
    }
  }
  assert.ok(kept > 100, `only ${kept} connections kept`);
  const f = displayFilter('tcp.stream == 1')!;
  assert.equal(await runLifecycleThreaded(join(REPO, 'samples/http-get.pcap'), { live: false, quiet: true, keep: (r) => f.matches(r), filter: 'tcp.stream == 1', threads: 2 }), undefined);
});

test('conns --threads through the command line: stdout, stderr and exit status as one thread', { skip }, async () => {
  // The varied few in every output, N = 2, 3, 4 in turn (every capture's summaries and renderings
  // are compared in process above; this checks what the command line adds: stdout, stderr, status).
  const outputs = (cap: string): string[][] => [['conns', '--json', cap], ['conns', '-T', 'zeek', cap], ['conns', '--wide', cap], ['conns', '-Y', 'tcp.len > 0', cap]];
  const runs = FEW().flatMap((cap, i) => outputs(cap).map((args, j) => ({ cap, args, n: String(2 + ((i + j) % 3)) })));
  const diffs: string[] = [];
  await pool(runs, 2, async ({ cap, args, n }) => {
    const [one, many] = await Promise.all([runCliAsync(args), runCliAsync([...args, '--threads', n])]);
    if (one.stdout !== many.stdout || one.stderr !== many.stderr || one.status !== many.status) diffs.push(`${label(cap)}: ${args.join(' ')} --threads ${n}`);
  });
  assert.deepEqual(diffs, []);
});

test('a capture set with --threads: the same connections and files (first_file, last_file)', { skip }, () => {
  const set = ['scenarios/port-reuse.pcap', 'scenarios/refused.pcap', 'scenarios/many-short.pcap'].map((f) => join(SHARED, f));
  for (const extra of [[], ['--append']]) {
    const one = runCli(['conns', '--json', ...extra, ...set]);
    const two = runCli(['conns', '--json', ...extra, '--threads', '2', ...set]);
    assert.equal(one.status, 0, one.stderr);
    assert.match(one.stdout, /"first_file"/);
    assert.equal(two.stdout, one.stdout);
  }
});

test('--threads: auto, bad values, with --jobs, standard input', () => {
  assert.ok(threadsOption('auto') >= 1);
  assert.equal(threadsOption('3'), 3);
  assert.throws(() => threadsOption('0'), /--threads 0: expected a positive whole number or auto/);
  assert.throws(() => threadsOption('two'));
  const sample = join(REPO, 'samples/http-get.pcap');
  const both = runCli(['conns', '--jobs', '2', '--threads', '2', sample]);
  assert.equal(both.status, 1);
  assert.match(both.stderr, /either --jobs .* or --threads/);
  const one = runCli(['conns', sample]);
  const auto = runCli(['conns', '--threads', 'auto', sample]);
  assert.equal(auto.stdout, one.stdout);
  const piped = runCli(['conns', '--json', '--threads', '2', '-'], readFileSync(sample));
  assert.equal(piped.stdout, runCli(['conns', '--json', sample]).stdout);
  const missing = runCli(['conns', '--threads', '2', join(REPO, 'no-such.pcap')]);
  assert.equal(missing.status, runCli(['conns', join(REPO, 'no-such.pcap')]).status);
});

test('the peek names the 4-tuple the full decoder finds, on every frame it answers for', { skip }, async () => {
  let answered = 0, every = 0;
  for (const cap of captures()) {
    const opened = await openCaptureInput([cap]);
    const decoder = new PacketDecoder();
    for await (const batch of opened.batches) {
      for (const frame of batch) {
        const h = peekTcpHash(frame);
        const pkt = decoder.decode(frame);
        if (h === EVERY) { every++; continue; }
        answered++;
        const ip = pkt.ip, tcp = pkt.tcp;
        // A plain segment too short to track may have no TCP layer; one that is tracked must hash alike.
        if (!ip || !tcp || tcp.hdrLen < 20) continue;
        const d = pkt.frame.data;
        assert.equal(tupleHash(d, ip.srcOffset, ip.dstOffset, ip.kind === 'ipv4' ? 4 : 16, tcp.srcPort, tcp.dstPort), h, `${label(cap)} frame ${frame.number}`);
        assert.equal(tupleHash(d, ip.dstOffset, ip.srcOffset, ip.kind === 'ipv4' ? 4 : 16, tcp.dstPort, tcp.srcPort), h, 'both directions');
      }
    }
  }
  assert.ok(answered > 5000 && every > 500, `${answered} frames peeked, ${every} for every worker`);
});

test('mergeShards numbers streams by the frame that created them and orders connections by their first frame', () => {
  const s = (stream: number, first: number): ConnSummary => ({ stream, first_frame: first } as ConnSummary);
  // worker 0 created local 0 at frame 5 (a quote in an ICMP error: no summary) and local 1 at 9;
  // worker 1 created local 0 at frame 6, whose first segment is frame 10.
  const { conns, spans } = mergeShards([
    { summaries: [s(1, 9)], created: [0, 5, 1, 9], spans: [[1, 0, 1]] },
    { summaries: [s(0, 10)], created: [0, 6], spans: [] },
  ]);
  assert.deepEqual(conns.map((c) => [c.stream, c.first_frame]), [[2, 9], [1, 10]]);
  assert.deepEqual([...spans], [[2, [0, 1]]]);
});

test('packValues / unpackValues: the same trees back, key order, -0, NaN and undefined included; anything else refused', () => {
  const values = [
    { stream: 3, client: { ip: '::1', port: 80 }, duration: -0, rtt: NaN, big: 2 ** 53, none: null, gone: undefined, ok: true, no: false, list: [1, 'a', [], {}, undefined, null] },
    { b: 1, a: 2, '10': 'x', '2': 'y', nested: { deep: { deeper: [{ z: 'CLOSED' }, { z: 'CLOSED' }] } } },
    [], 'text', 7, null, undefined,
  ];
  const packed = packValues(values);
  assert.equal(packed.strings.filter((x) => x === 'CLOSED').length, 1, 'strings are sent once');
  const back = unpackValues(structuredClone(packed), values.length);
  assert.deepEqual(back, values);
  assert.ok(Object.is((back[0] as { duration: number }).duration, -0));
  assert.deepEqual(Object.keys(back[1] as object), Object.keys(values[1] as object));
  assert.ok('gone' in (back[0] as object));
  assert.throws(() => packValues([{ m: new Map() }]), /not a plain object/);
  assert.throws(() => packValues([JSON.parse('{"__proto__": 1}')]), /__proto__/);
  assert.throws(() => packValues([() => 1]), /function/);
});
