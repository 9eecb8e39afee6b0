/**
 * Capture sets: several files read as one capture, against mergecap + tshark on captures split
 * with editcap -c; --append against mergecap -a; directories and globs; --jobs against one thread.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import Ajv2020 from 'ajv/dist/2020.js';
import { cliOk, REPO, runCli, runTshark, SHARED } from './support/tshark.js';
import { makeSplitSet, SET_SOURCES } from './support/capture-set.js';
import { mergeFrameSources } from '../src/capture/merge.js';
import type { Frame } from '../src/capture/types.js';

const set = makeSplitSet();
const FIELDS = ['frame.number', 'frame.time_epoch', 'frame.len', 'ip.src', 'ipv6.src', 'tcp.stream', 'tcp.srcport', 'tcp.seq', 'tcp.ack',
  'tcp.len', 'tcp.analysis.flags', 'tcp.analysis.retransmission', 'tcp.analysis.ack_rtt', 'tcp.analysis.acks_frame', 'tcp.completeness'];
const fieldArgs = FIELDS.flatMap((f) => ['-e', f]);
type Conn = Record<string, unknown> & { stream: number; first_frame: number; last_frame: number; first_file?: string; last_file?: string };
const conns = (args: string[]): Conn[] => JSON.parse(cliOk(['conns', '--json', ...args])) as Conn[];
const base = (p: string): string => p.slice(p.lastIndexOf('/') + 1);

test('the split is what the test needs: ten files, connections interleaved and crossing files', () => {
  assert.equal(set.parts.length, 10);
  const whole = conns([set.whole]);
  assert.ok(whole.length >= 20, `${whole.length} connections`);
  const crossing = whole.filter((c) => Math.floor((c.first_frame - 1) / set.perPart) !== Math.floor((c.last_frame - 1) / set.perPart));
  assert.ok(crossing.length >= 5, `${crossing.length} connections cross a file boundary`);
});

test('conns on the ten files gives the same connections as on the whole capture, each saying its first and last file', () => {
  const whole = conns([set.whole]);
  const parts = conns(set.parts);
  assert.equal(parts.length, whole.length);
  assert.deepEqual(parts.map(({ first_file: _f, last_file: _l, ...rest }) => rest), whole);
  for (const c of parts) {
    assert.equal(c.first_file, base(set.parts[Math.floor((c.first_frame - 1) / set.perPart)]!), `stream ${c.stream}`);
    assert.equal(c.last_file, base(set.parts[Math.floor((c.last_frame - 1) / set.perPart)]!), `stream ${c.stream}`);
  }
  // The JSON of a set fits docs/schema/conns.schema.json (first_file and last_file included).
  const ajv = new Ajv2020.default({ allErrors: true, strict: false });
  const validate = ajv.compile(JSON.parse(readFileSync(join(REPO, 'docs/schema/conns.schema.json'), 'utf8')) as object);
  assert.ok(validate(parts), ajv.errorsText(validate.errors));
  // The other formats agree too.
  assert.equal(cliOk(['conns', '-T', 'zeek-json', ...set.parts]), cliOk(['conns', '-T', 'zeek-json', set.whole]));
  assert.equal(cliOk(['conns', ...set.parts]), cliOk(['conns', set.whole]));
});

test('read -T fields on the ten files equals tshark on the mergecap\'d files', () => {
  const merged = join(set.dir, 'merged.pcapng');
  execFileSync('mergecap', ['-w', merged, ...[...set.parts].reverse()]); // mergecap orders by time whatever the argument order
  const t = runTshark(['-r', merged, '-T', 'fields', ...fieldArgs]);
  assert.equal(t.status, 0, t.stderr);
  const ours = cliOk(['read', '-T', 'fields', ...fieldArgs, ...[...set.parts].reverse()]);
  assert.equal(ours.split('\n').length - 1, set.frames);
  assert.equal(ours, t.stdout);
  // The packet list and -Y too.
  assert.equal(cliOk(['read', '-Y', 'tcp.analysis.retransmission', ...set.parts]), runTshark(['-r', merged, '-Y', 'tcp.analysis.retransmission']).stdout);
});

test('frame.file says which file each frame came from (index in the order given; -T json has it too)', () => {
  const lines = cliOk(['read', '-T', 'fields', '-e', 'frame.number', '-e', 'frame.file', ...set.parts]).trim().split('\n');
  assert.equal(lines.length, set.frames);
  for (const l of lines) {
    const [n, f] = l.split('\t').map(Number) as [number, number];
    assert.equal(f, Math.floor((n - 1) / set.perPart), l);
  }
  const json = JSON.parse(cliOk(['read', '-T', 'json', '-c', String(set.perPart + 1), ...set.parts])) as Array<{ layers: { frame: Record<string, unknown> } }>;
  assert.equal(json[0]!.layers.frame['frame.file'], 0);
  assert.equal(json[set.perPart]!.layers.frame['frame.file'], 1);
  // One file: no frame.file (the output stays as it was).
  assert.equal(cliOk(['read', '-T', 'fields', '-e', 'frame.file', '-c', '3', set.whole]), '\n\n\n');
});

test('--append concatenates in the order given, as mergecap -a', () => {
  const order = [set.parts[3]!, set.parts[0]!, set.parts[7]!];
  const merged = join(set.dir, 'appended.pcapng');
  execFileSync('mergecap', ['-a', '-w', merged, ...order]);
  assert.equal(cliOk(['read', '--append', '-T', 'fields', ...fieldArgs, ...order]), runTshark(['-r', merged, '-T', 'fields', ...fieldArgs]).stdout);
  // The parts in order: appending them is the whole capture.
  assert.equal(cliOk(['conns', '--append', ...set.parts]), cliOk(['conns', set.whole]));
});

test('a directory or a quoted glob stands for its files, sorted by name', () => {
  const listed = cliOk(['conns', '--json', ...set.parts]);
  assert.equal(cliOk(['conns', '--json', set.partsDir]), listed);
  assert.equal(cliOk(['conns', '--json', join(set.partsDir, 'part_*')]), listed);
  // The same story, except that a set gets no `tcpscope follow FILE` step (follow reads one file).
  const whole = cliOk(['explain', '--stream', '3', set.whole]).split('\n');
  assert.equal(whole.filter((l) => /tcpscope follow /.test(l)).length, 1);
  assert.equal(cliOk(['explain', '--stream', '3', set.partsDir]), whole.filter((l) => !/tcpscope follow /.test(l)).join('\n'));
  const none = runCli(['conns', join(set.partsDir, 'nothing*')]);
  assert.equal(none.status, 1);
  assert.match(none.stderr, /^tcpscope: .*nothing\*: no file matches\n$/);
  const missing = runCli(['conns', set.parts[0]!, join(set.dir, 'missing.pcap')]);
  assert.equal(missing.status, 2);
  assert.match(missing.stderr, /^tcpscope: cannot open ".*missing\.pcap": no such file or directory\n$/);
  const stdin = runCli(['conns', set.parts[0]!, '-']);
  assert.equal(stdin.status, 1);
  assert.match(stdin.stderr, /standard input \(-\) cannot be part of a capture set/);
});

test('a damaged file in a set is named in the message, with the offset in that file', () => {
  const r = runCli(['read', '-T', 'fields', '-e', 'frame.number', set.parts[0]!, join(SHARED, 'libpcap_pcap-invalid-version-1.pcap')]);
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /libpcap_pcap-invalid-version-1\.pcap: .*\(offset \d+, frame \d+\)/);
  // The frames of the good file were all read before.
  assert.equal(r.stdout.trim().split('\n').length, set.perPart);
});

test('--jobs: independent files in worker threads give the same output as one thread, and as each file alone', () => {
  const files = SET_SOURCES;
  const one = cliOk(['conns', '--json', '--jobs', '1', ...files]);
  const three = cliOk(['conns', '--json', '--jobs', '3', ...files]);
  assert.equal(three, one);
  const each = files.flatMap((f) => (JSON.parse(cliOk(['conns', '--json', f])) as Conn[]).map((c) => ({ ...c, first_file: base(f), last_file: base(f) })));
  assert.deepEqual(JSON.parse(one), each);
  assert.equal(cliOk(['conns', '-T', 'zeek-json', '--jobs', '4', ...files]), cliOk(['conns', '-T', 'zeek-json', '--jobs', '1', ...files]));
  const bad = runCli(['conns', '--jobs', '2', files[0]!, join(set.dir, 'missing.pcap')]);
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /cannot open ".*missing\.pcap"/);
});

test('mergeFrameSources: time order, ties keep the source order, numbers run on, file index set', async () => {
  const f = (tsSec: number, tsNsec: number, tag: number): Frame => ({ number: tag, tsSec, tsNsec, capLen: 0, origLen: tag, linkType: 1, iface: 0, data: new Uint8Array(0), fileOffset: 0 });
  async function* src(batches: Frame[][]): AsyncGenerator<Frame[]> { for (const b of batches) yield b; }
  const a = [[f(1, 0, 10), f(2, 0, 11)], [], [f(2, 0, 12), f(5, 0, 13)]];
  const b = [[f(0, 5, 20), f(2, 0, 21)], [f(9, 0, 22)]];
  const c: Frame[][] = [];
  const out: Frame[] = [];
  for await (const batch of mergeFrameSources([src(a), src(b), src(c)], { batchSize: 2 })) out.push(...batch);
  assert.deepEqual(out.map((x) => x.origLen), [20, 10, 11, 12, 21, 13, 22]);
  assert.deepEqual(out.map((x) => x.number), [1, 2, 3, 4, 5, 6, 7]);
  assert.deepEqual(out.map((x) => x.file), [1, 0, 0, 0, 1, 0, 1]);
});
