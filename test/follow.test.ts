/**
 * `tcpscope follow` against `tshark -q -z follow,tcp,MODE,N`, byte for byte: every stream of
 * every scenario capture and HTTP/TLS capture (the first streams of many-short.pcap) and of
 * the crafted captures (reordering, overlaps, gaps acknowledged by the peer, hex layout), in
 * the ascii, hex, raw and yaml modes. Also `read -q -z follow,…`, --direction and bad input,
 * and fast-check properties of the follow path (crafted frames through the Dissector and
 * TcpFollower): segmented, permuted, duplicated and overlapped data comes out exactly once, in
 * order, across the 2^32 wrap too.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { readdirSync, readFileSync } from 'node:fs';
import { analyze } from '../src/index.js';
import { renderFollow, TcpFollower, type FollowMode } from '../src/render/follow.js';
import { hasTshark, REPO, runCli, runTshark, SHARED } from './support/tshark.js';
import { craftedCaptures } from './support/appcases.js';
import fc from 'fast-check';
import { Dissector } from '../src/dissect.js';
import { seqAdd } from '../src/core/seq.js';
import { buildFrames, type Seg } from './support/build.js';

const MODES = ['ascii', 'hex', 'raw', 'yaml'];
const skip = !hasTshark() && 'tshark is not installed';

function captures(): Array<{ name: string; path: string }> {
  const list: Array<{ name: string; path: string }> = [];
  for (const f of readdirSync(join(SHARED, 'scenarios')).sort()) if (/\.pcap(ng)?$/.test(f)) list.push({ name: `scenarios/${f}`, path: join(SHARED, 'scenarios', f) });
  for (const f of readdirSync(SHARED).sort()) if (/^(zeek_|pcapplusplus_)/.test(f) && /\.pcap(ng)?$/.test(f)) list.push({ name: f, path: join(SHARED, f) });
  list.push({ name: 'samples/http-get.pcap', path: join(REPO, 'samples/http-get.pcap') });
  return list.concat(craftedCaptures());
}

function tsharkFollow(path: string, mode: string, stream: number): string {
  const args = ['-r', path, '-q', '-z', `follow,tcp,${mode},${stream}`];
  let r = runTshark(args);
  if (r.status !== 0 || !r.stdout) r = runTshark(args); // a busy machine: try once more
  return r.stdout;
}

/**
 * tshark's follow output for every (mode, stream) pair, from one run with one `-z` option each
 * (tshark prints them in the reverse order of the options; each output starts with its header:
 * an empty line and a rule, or `peers:` for yaml).
 */
function tsharkFollowAll(path: string, pairs: Array<[string, number]>): string[] {
  const args = ['-r', path, '-q'];
  for (let i = pairs.length - 1; i >= 0; i--) args.push('-z', `follow,tcp,${pairs[i]![0]},${pairs[i]![1]}`);
  let r = runTshark(args);
  if (r.status !== 0) r = runTshark(args); // a busy machine: try once more
  const lines = r.stdout.split('\n');
  const parts: string[][] = [];
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!;
    const startsText = l === '' && /^={67}$/.test(lines[i + 1] ?? '') && (lines[i + 2] ?? '').startsWith('Follow:');
    if (startsText || l === 'peers:') parts.push([]);
    parts[parts.length - 1]?.push(l);
  }
  const out = parts.map((p) => p.join('\n') + '\n');
  if (out.length) out[out.length - 1] = out[out.length - 1]!.replace(/\n\n$/, '\n');
  return out;
}

/** tcpscope's follow output for streams 0..n-1, from one in-process pass over the capture. */
async function ourFollow(path: string): Promise<TcpFollower[]> {
  const bytes = new Uint8Array(readFileSync(path));
  let n = 0;
  for await (const rec of analyze(bytes)) if (rec.tcp) n = Math.max(n, rec.tcp.stream + 1);
  const followers = Array.from({ length: n }, (_, s) => new TcpFollower(s));
  for await (const rec of analyze(bytes)) if (rec.tcp) followers[rec.tcp.stream]!.observe(rec);
  return followers;
}

test('follow agrees with tshark byte for byte in every mode', { skip }, async () => {
  let compared = 0, agreed = 0;
  const failures: string[] = [];
  for (const cap of captures()) {
    const followers = (await ourFollow(cap.path)).slice(0, cap.name.includes('many-short') ? 8 : 64);
    if (!followers.length) continue;
    const pairs: Array<[string, number]> = [];
    for (const mode of MODES) for (let s = 0; s < followers.length; s++) pairs.push([mode, s]);
    const want = tsharkFollowAll(cap.path, pairs);
    assert.equal(want.length, pairs.length, `${cap.name}: could not split tshark's output`);
    pairs.forEach(([mode, s], i) => {
      compared++;
      if (renderFollow(followers[s]!.result(), mode as FollowMode) === want[i]) agreed++;
      else failures.push(`${cap.name} stream ${s} ${mode}`);
    });
  }
  // the command itself, on a few captures
  for (const name of ['scenarios/reorder.pcap', 'zeek_wikipedia.pcap', 'crafted/follow.pcap']) {
    const cap = captures().find((c) => c.name === name)!;
    assert.equal(runCli(['follow', cap.path, '--stream', '0', '--format', 'hex']).stdout, tsharkFollow(cap.path, 'hex', 0), `${name}: tcpscope follow --format hex`);
  }
  console.log(`follow: ${agreed}/${compared} outputs identical to tshark -q -z follow,tcp,MODE,N (${((100 * agreed) / compared).toFixed(2)} %)`);
  assert.ok(compared > 300);
  assert.deepEqual(failures, []);
});

test('read -q -z follow,tcp,MODE,N prints what tshark prints, also after the packet list without -q', { skip }, () => {
  const cap = join(SHARED, 'scenarios/http-server-close.pcap');
  for (const mode of MODES) {
    assert.equal(runCli(['read', cap, '-q', '-z', `follow,tcp,${mode},0`]).stdout, tsharkFollow(cap, mode, 0));
  }
  const withList = runCli(['read', cap, '-z', 'follow,tcp,ascii,0']).stdout;
  assert.equal(withList, runTshark(['-n', '-r', cap, '-z', 'follow,tcp,ascii,0']).stdout);
  // a stream that does not exist: tshark's empty header
  assert.equal(runCli(['read', cap, '-q', '-z', 'follow,tcp,hex,7']).stdout, tsharkFollow(cap, 'hex', 7));
  assert.equal(runCli(['follow', cap, '--stream', '7', '--format', 'yaml']).stdout, tsharkFollow(cap, 'yaml', 7));
});

test('--direction keeps the chunks of one side (tshark raw output without the other side\'s lines)', { skip }, () => {
  const cap = join(SHARED, 'scenarios/half-close-data.pcapng');
  const lines = tsharkFollow(cap, 'raw', 0).split('\n');
  const head = lines.slice(0, 6), body = lines.slice(6, -2), tail = lines.slice(-2);
  const client = [...head, ...body.filter((l) => !l.startsWith('\t')), ...tail].join('\n');
  const server = [...head, ...body.filter((l) => l.startsWith('\t')), ...tail].join('\n');
  assert.ok(body.some((l) => l.startsWith('\t')) && body.some((l) => !l.startsWith('\t')));
  assert.equal(runCli(['follow', cap, '--stream', '0', '--format', 'raw', '--direction', 'client']).stdout, client);
  assert.equal(runCli(['follow', cap, '--stream', '0', '--format', 'raw', '--direction', 'server']).stdout, server);
});

test('bad follow arguments are one clear line and exit code 1; a missing file exit code 2', () => {
  const cap = join(SHARED, 'scenarios/http-server-close.pcap');
  for (const args of [
    ['follow', cap, '--stream', 'x'], ['follow', cap, '--stream', '0', '--format', 'ebcdic'], ['follow', cap],
    ['read', cap, '-q', '-z', 'follow,tcp,foo,0'], ['read', cap, '-q', '-z', 'follow,udp,ascii,0'], ['read', cap, '-q', '-z', 'follow,tcp,ascii'],
    ['follow', cap, '--stream', '0', '--direction', 'up'],
  ]) {
    const r = runCli(args);
    assert.equal(r.status, 1, `${args.join(' ')}: ${r.stderr}`);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.doesNotMatch(r.stderr, /\bat \S+ \(/);
  }
  const r = runCli(['follow', '/nonexistent.pcap', '--stream', '0']);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /^tcpscope: /);
});

/** Segments [start, end) covering 0..len, each at least 1 byte. */
const cover = (len: number) => fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 40 }).map((sizes) => {
  const segs: Array<[number, number]> = [];
  let at = 0;
  for (const s of sizes) { if (at >= len) break; segs.push([at, Math.min(len, at + s)]); at += s; }
  if (at < len) segs.push([at, len]);
  return segs;
});

/** Follow stream 0 of crafted frames: a handshake, then the client's segments [start, end) of `data`, in the order given. */
function followCrafted(isn: number, data: Uint8Array, segs: Array<[number, number]>): { client: Uint8Array; server: number; dropped: number } {
  const isnS = 7000;
  const list: Seg[] = [
    { t: 0, dir: 'c', seq: isn, flags: 'S' },
    { t: 0.001, dir: 's', seq: isnS, ack: seqAdd(isn, 1), flags: 'SA' },
    { t: 0.002, dir: 'c', seq: seqAdd(isn, 1), ack: isnS + 1, flags: 'A' },
  ];
  segs.forEach(([s, e], i) => list.push({ t: 0.01 + i * 1e-6, dir: 'c', seq: seqAdd(isn, 1 + s), ack: isnS + 1, flags: 'PA', len: e - s }));
  const frames = buildFrames(list);
  segs.forEach(([s, e], i) => frames[3 + i]!.data.set(data.subarray(s, e), 40)); // IPv4 + TCP headers without options: 40 bytes
  const d = new Dissector();
  const f = new TcpFollower(0);
  for (const fr of frames) f.observe(d.dissect(fr));
  const res = f.result();
  const mine = res.chunks.filter((c) => c.node === 0);
  const client = new Uint8Array(mine.reduce((n, c) => n + c.data.length, 0));
  let o = 0;
  for (const c of mine) { assert.ok(!c.missing); client.set(c.data, o); o += c.data.length; }
  return { client, server: res.chunks.length - mine.length, dropped: res.droppedBytes };
}

test('follow path: segmented, permuted, duplicated and overlapped data comes out exactly as it went in (also across 2^32)', () => {
  fc.assert(fc.property(
    fc.uint8Array({ minLength: 1, maxLength: 400 }),
    fc.oneof(fc.integer({ min: 0, max: 2 ** 32 - 1 }), fc.integer({ min: 2 ** 32 - 500, max: 2 ** 32 - 1 })),
    fc.integer({ min: 0, max: 2 ** 31 }),
    (data, isn, seed) => {
      fc.assert(fc.property(cover(data.length), fc.array(fc.tuple(fc.nat(), fc.nat()), { maxLength: 12 }), fc.array(fc.nat(), { maxLength: 60 }), (segs, extra, order) => {
        const all = [...segs];
        // overlapping retransmissions carry the same bytes
        for (const [a, b] of extra) { const s = a % data.length; all.push([s, s + 1 + (b % (data.length - s))]); }
        for (let i = 0; i < Math.min(4, segs.length); i++) all.push(segs[(seed + i) % segs.length]!); // duplicates
        for (let i = all.length - 1; i > 0; i--) {
          const j = (order[i % Math.max(1, order.length)] ?? i) % (i + 1);
          [all[i], all[j]] = [all[j]!, all[i]!];
        }
        const r = followCrafted(isn, data, all);
        assert.deepEqual(r.client, data);
        assert.equal(r.server, 0);
        assert.equal(r.dropped, 0);
      }), { numRuns: 4 });
    },
  ), { numRuns: 40 });
});
