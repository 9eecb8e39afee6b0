/**
 * Every Wireshark step `explain` suggests selects exactly the frames printed beside it: each
 * filter runs through `tcpscope read -Y` and through tshark, on every scenario, and the frames
 * each selects are compared with the frames (or the streams) the explanation lists.
 * The `tcpscope follow` step runs too, and `follow -Y` follows the first matching stream.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, runTshark, SHARED } from './support/tshark.js';

const DIR = join(SHARED, 'scenarios');
const captures = readdirSync(DIR).filter((f) => /\.(pcap|pcapng)$/.test(f)).sort();

interface Step { label: string; inside: string; filter: string }

/** The steps of every connection explained, from one unwrapped run. */
function steps(file: string, lang: string): Step[] {
  const r = runCli(['explain', file, '--lang', lang, '--no-ladder'], undefined);
  assert.equal(r.status, 0, r.stderr);
  const out: Step[] = [];
  let inSteps = false;
  for (const line of r.stdout.split('\n')) {
    if (/^(The Wireshark steps|Wireshark 操作步骤)/.test(line)) { inSteps = true; continue; }
    if (!line.startsWith('  • ')) { inSteps = false; continue; }
    if (!inSteps) continue;
    const m = /^ {2}• (.*?)(?: \(|（)([^()（）]*)(?:\)|）)(?:: |：)(.*)$/.exec(line) ?? /^ {2}• (.*?)()(?:: |：)(tcpscope .*)$/.exec(line);
    assert.ok(m, `cannot read the step line: ${line}`);
    out.push({ label: m[1]!, inside: m[2]!, filter: m[3]! });
  }
  return out;
}

const frameList = (s: string): number[] => s.split('\n').filter(Boolean).map(Number);

function tsharkFrames(file: string, filter: string): number[] {
  const r = runTshark(['-r', file, '-Y', filter, '-T', 'fields', '-e', 'frame.number']);
  assert.equal(r.status, 0, `tshark -Y '${filter}': ${r.stderr}`);
  return frameList(r.stdout);
}

function ourFrames(file: string, filter: string): number[] {
  const r = runCli(['read', file, '-Y', filter, '-T', 'fields', '-e', 'frame.number']);
  assert.equal(r.status, 0, `tcpscope read -Y '${filter}': ${r.stderr}`);
  return frameList(r.stdout);
}

/** frame → tcp.stream, from tshark. */
function streamsOf(file: string): Map<number, number> {
  const r = runTshark(['-r', file, '-T', 'fields', '-e', 'frame.number', '-e', 'tcp.stream']);
  const m = new Map<number, number>();
  for (const l of r.stdout.split('\n').filter(Boolean)) { const [f, s] = l.split('\t'); if (s) m.set(Number(f), Number(s)); }
  return m;
}

process.env.COLUMNS = '1000'; // one step per line

for (const cap of captures) {
  test(`suggested filters select exactly their frames: ${cap}`, () => {
    const file = join(DIR, cap);
    const en = steps(file, 'en');
    assert.ok(en.length >= 2, 'at least the site and the handshake');
    let streams: Map<number, number> | undefined;
    for (const st of en) {
      if (st.filter.startsWith('tcpscope ')) {
        const args = st.filter.split(' ').slice(1);
        const r = runCli(args);
        assert.equal(r.status, 0, r.stderr);
        assert.match(r.stdout, /^\n={10,}\nFollow: tcp,ascii\nFilter: tcp\.stream eq \d+\n/);
        continue;
      }
      let want: number[];
      if (st.inside.startsWith('tcp.stream ')) {
        const ss = st.inside.replace(/^tcp\.stream /, '').replace(/: .*$/, '').split(', ').map(Number);
        streams ??= streamsOf(file);
        want = [...streams.entries()].filter(([, s]) => ss.includes(s)).map(([f]) => f).sort((a, b) => a - b);
        const n = Number(/: (\d+) packets?$/.exec(st.inside)?.[1]);
        assert.equal(want.length, n, `${st.label}: the packet count printed`);
      } else {
        want = st.inside.split(', ').filter((x) => x.startsWith('#')).map((x) => Number(x.replace('#', '')));
      }
      const total = /… (\d+) frames in all$/.exec(st.inside);
      for (const [who, got] of [['tshark', tsharkFrames(file, st.filter)], ['tcpscope read', ourFrames(file, st.filter)]] as const) {
        // A long list is printed as its first frames and the count.
        if (total) {
          assert.equal(got.length, Number(total[1]), `${who} -Y '${st.filter}' (${st.label}): the count`);
          assert.deepEqual(got.slice(0, want.length), want, `${who} -Y '${st.filter}' (${st.label})`);
        } else assert.deepEqual(got, want, `${who} -Y '${st.filter}' (${st.label})`);
      }
    }
    // The Chinese explanation suggests the same filters for the same frames.
    const zh = steps(file, 'zh-CN');
    assert.deepEqual(zh.map((s) => s.filter), en.map((s) => s.filter));
    assert.deepEqual(zh.map((s) => s.inside.replace(/：/, ': ').replace(/ 个报文$/, '').replace(/… 共 (\d+) 帧$/, '$1')),
      en.map((s) => s.inside.replace(/ packets?$/, '').replace(/… (\d+) frames in all$/, '$1')));
  });
}

test('follow -Y follows the first stream with a matching packet, as Wireshark\'s Follow does', () => {
  const file = join(DIR, 'port-reuse.pcap');
  const byFilter = runCli(['follow', file, '-Y', 'tcp.stream eq 1 && http']);
  assert.equal(byFilter.status, 0, byFilter.stderr);
  const byStream = runCli(['follow', file, '--stream', '1']);
  assert.equal(byFilter.stdout, byStream.stdout);
  const tshark = runTshark(['-r', file, '-q', '-z', 'follow,tcp,ascii,1']);
  assert.equal(byFilter.stdout, tshark.stdout);
  const http = runCli(['follow', join(DIR, 'http-server-close.pcap'), '-Y', 'http contains "HTTP/1.0 200"']);
  assert.equal(http.status, 0, http.stderr);
  assert.match(http.stdout, /GET \/index\.txt HTTP\/1\.0/);
  const none = runCli(['follow', file, '-Y', 'tcp.port == 1']);
  assert.equal(none.status, 1);
  assert.match(none.stderr, /no packet matches/);
  const both = runCli(['follow', file, '-Y', 'http', '--stream', '0']);
  assert.equal(both.status, 1);
  assert.match(both.stderr, /either --stream N or -Y FILTER/);
});
