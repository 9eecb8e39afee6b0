/** `tcpscope read` as a user runs it: formats, stdin, gzip, errors and damaged files. */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { allCaptures, needs, label, pool, runCli, runCliAsync, runTshark, SHARED } from './support/tshark.js';

const tmp = mkdtempSync(join(tmpdir(), 'tcpscope-test-'));
after(() => rmSync(tmp, { recursive: true, force: true }));
const HTTP_CLOSE = join(SHARED, 'scenarios/http-server-close.pcap');
const KEEPALIVE = join(SHARED, 'scenarios/keepalive.pcapng');

const noStack = (s: string): boolean => !/^\s+at .+\(.*:\d+:\d+\)$/m.test(s) && !/internal error/.test(s);

test('every shared capture is read in every format without a crash', { skip: needs({}) }, async () => {
  const caps = allCaptures();
  assert.ok(caps.length >= 40);
  const jobs = caps.flatMap((cap) => [['-V', '-x'], ['-T', 'json'], []].map((args) => ({ cap, args })));
  // Three at a time; each output is checked as it arrives (a -V -x output can be large).
  const problems = (await pool(jobs, 3, async ({ cap, args }) => {
    const r = await runCliAsync(['read', cap, ...args]);
    const out: string[] = [];
    if (![0, 2, 3].includes(r.status)) out.push(`${label(cap)} ${args.join(' ')}: exit ${r.status}: ${r.stderr}`);
    if (!noStack(r.stderr)) out.push(`${label(cap)} ${args.join(' ')}: ${r.stderr}`);
    if (args[1] === 'json' && r.status !== 2) {
      try {
        if (!Array.isArray(JSON.parse(r.stdout))) out.push(`${label(cap)} -T json: not an array`);
      } catch (e) { out.push(`${label(cap)} -T json: ${String(e)}`); }
    }
    return out;
  })).flat();
  assert.equal(jobs.length, caps.length * 3);
  assert.deepEqual(problems, []);
});

test('standard input (-r -) and gzip give the same packets as the plain file', () => {
  const plain = runCli(['read', HTTP_CLOSE]);
  assert.equal(plain.status, 0);
  const bytes = readFileSync(HTTP_CLOSE);
  assert.equal(runCli(['read', '-r', '-'], bytes).stdout, plain.stdout);
  const gz = join(tmp, 'x.pcap.gz');
  writeFileSync(gz, gzipSync(bytes));
  assert.equal(runCli(['read', gz]).stdout, plain.stdout);
  // The format comes from the magic number, not the name.
  const misnamed = join(tmp, 'capture.txt');
  writeFileSync(misnamed, gzipSync(readFileSync(KEEPALIVE)));
  const r = runCli(['read', misnamed, '-T', 'fields', '-e', 'frame.number']);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout.trim().split('\n').length, 18);
});

test('a file that is not a capture: exit 2, what and where', () => {
  const f = join(tmp, 'notes.txt');
  writeFileSync(f, 'GET / HTTP/1.1\r\nHost: example\r\n\r\n');
  const r = runCli(['read', f]);
  assert.equal(r.status, 2);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /not a pcap or pcapng/);
  assert.match(r.stderr, /offset 0/);
  assert.ok(noStack(r.stderr));
  const missing = runCli(['read', join(tmp, 'nope.pcap')]);
  assert.equal(missing.status, 2);
  assert.match(missing.stderr, /nope\.pcap/);
  assert.ok(noStack(missing.stderr));
});

test('a capture cut in the middle of a record keeps every whole packet, exit 3', () => {
  const bytes = readFileSync(HTTP_CLOSE);
  // Cut 10 bytes into the 5th record's data: 24-byte header, records of 16 + caplen.
  let off = 24;
  for (let i = 0; i < 4; i++) off += 16 + bytes.readUInt32LE(off + 8);
  const f = join(tmp, 'cut.pcap');
  writeFileSync(f, bytes.subarray(0, off + 16 + 10));
  const r = runCli(['read', f]);
  assert.equal(r.status, 3);
  assert.equal(r.stdout.trim().split('\n').length, 4);
  assert.match(r.stderr, new RegExp(`offset ${off}`));
  assert.match(r.stderr, /frame 5/);
  assert.ok(noStack(r.stderr));
});

test('a record with an absurd length: earlier packets kept, exit 3, offset and frame named', () => {
  const bytes = Buffer.from(readFileSync(HTTP_CLOSE));
  let off = 24;
  for (let i = 0; i < 2; i++) off += 16 + bytes.readUInt32LE(off + 8);
  bytes.writeUInt32LE(0x7fffffff, off + 8); // caplen of frame 3
  const f = join(tmp, 'absurd.pcap');
  writeFileSync(f, bytes);
  const r = runCli(['read', f, '-T', 'fields', '-e', 'frame.number']);
  assert.equal(r.status, 3);
  assert.equal(r.stdout, '1\n2\n');
  assert.match(r.stderr, new RegExp(`offset ${off}`));
  assert.match(r.stderr, /frame 3/);
});

test('a pcapng block whose two lengths disagree is reported with its offset', () => {
  const bytes = Buffer.from(readFileSync(KEEPALIVE));
  // Walk blocks to the 3rd EPB and corrupt its trailing length.
  let off = 0, epb = 0, target = -1;
  while (off + 12 <= bytes.length) {
    const type = bytes.readUInt32LE(off), len = bytes.readUInt32LE(off + 4);
    if (type === 6 && ++epb === 3) { target = off; bytes.writeUInt32LE(len + 4, off + len - 4); break; }
    off += len;
  }
  assert.ok(target > 0);
  const f = join(tmp, 'lengths.pcapng');
  writeFileSync(f, bytes);
  const r = runCli(['read', f, '-T', 'fields', '-e', 'frame.number']);
  assert.notEqual(r.status, 0);
  assert.ok(r.stdout.startsWith('1\n2\n'), r.stdout);
  assert.match(r.stderr, new RegExp(`offset ${target}`));
  assert.ok(noStack(r.stderr));
});

test('an unknown field name is refused before reading, with a suggestion', () => {
  const r = runCli(['read', HTTP_CLOSE, '-T', 'fields', '-e', 'tcp.seqq']);
  assert.equal(r.status, 1);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /"tcp\.seqq" is not a valid field/);
  assert.match(r.stderr, /did you mean "tcp\.seq"/);
});

test('-c, -E header/separator/occurrence/quote behave as tshark', { skip: needs({ tshark: true }) }, () => {
  for (const extra of [['-E', 'header=y'], ['-E', 'separator=,', '-E', 'quote=d'], ['-E', 'occurrence=f'], ['-E', 'occurrence=l', '-E', 'aggregator=/s'], ['-E', 'aggregator=/s', '-E', 'bom=y'], ['-c', '3']]) {
    const args = ['-r', HTTP_CLOSE, '-T', 'fields', '-e', 'frame.number', '-e', 'ip.addr', '-e', 'tcp.port', '-e', 'tcp.options.timestamp.tsval', ...extra];
    const t = runTshark(['-n', ...args]);
    assert.equal(t.status, 0, `tshark ${extra.join(' ')}: ${t.stderr}`);
    assert.ok(t.stdout.split('\n').length > 3, `tshark printed almost nothing for ${extra.join(' ')}`);
    assert.equal(runCli(['read', ...args]).stdout, t.stdout, extra.join(' '));
  }
});

test('-V shows each TCP header field with its meaning, in both languages; -x adds the bytes', () => {
  const en = runCli(['read', HTTP_CLOSE, '-V', '-x', '-c', '1']).stdout;
  assert.match(en, /Source Port: 37504 +\u2190 the sending application's port/);
  assert.match(en, /Sequence Number: 0 +\(relative sequence number\) +\u2190 .*ISN/);
  assert.match(en, /\.\.1\. = Syn: Set +\u2190 synchronise sequence numbers/);
  assert.match(en, /^0000  00 00 00 00 00 00 00 00 00 00 00 00 08 00 45 00   \.\.\.\.\.\.\.\.\.\.\.\.\.\.E\.$/m);
  const zh = runCli(['read', HTTP_CLOSE, '-V', '-c', '1', '--lang', 'zh-CN']).stdout;
  assert.match(zh, /Source Port: 37504 +\u2190 源端口：发送方应用程序的端口/);
  // the textbook names beside Wireshark's, also for IPv4 lines that have no meaning
  assert.match(zh, /Acknowledgment Number: 0 +\u2190 确认号——发送方期望/);
  assert.match(zh, /Fragment Offset: 0 +\u2190 片偏移$/m);
  assert.match(zh, /Time to Live: \d+ +\u2190 生存时间：还能/);
  assert.doesNotMatch(en, /\u2190 (Source Port|Fragment Offset)/);
  const plain = runCli(['read', HTTP_CLOSE, '-V', '-c', '1', '--no-meanings']).stdout;
  assert.doesNotMatch(plain, /\u2190/);
});
