/**
 * ICMP/ICMPv6 errors attached to the connection they name (src/tcp/icmp-errors.ts): `conns --json`
 * lists them under `icmp` (validated against docs/schema/conns.schema.json) on the stream tshark
 * gives the quoted TCP header, and `explain` says who sent each, what it said, the next-hop MTU and
 * the quoted segment, in English and Chinese, plus the retransmission at a smaller size after a
 * "fragmentation needed" / "packet too big" (the path-MTU discovery made visible).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Ajv2020 from 'ajv/dist/2020.js';
import { execFileSync } from 'node:child_process';
import { CLI, cliOk, hasTshark, REPO, runTshark } from './support/tshark.js';
import { pcapOf } from './support/encap-build.js';
import { quotedTcp6Frames, quotedTcpFrames } from './support/icmp-build.js';

const schema = JSON.parse(readFileSync(join(REPO, 'docs/schema/conns.schema.json'), 'utf8')) as object;
const validate = new Ajv2020.default({ allErrors: true, strict: false }).compile(schema);

/** explain with wide lines (no wrapping), so each sentence is one line. */
const explain = (args: string[]): string =>
  execFileSync(process.execPath, [CLI, 'explain', ...args], { encoding: 'utf8', env: { ...process.env, LANG: 'C', COLUMNS: '400' } });

interface Conn { stream: number; icmp?: Array<Record<string, unknown>> }

function withCaptures(f: (q4: string, q6: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'tcpscope-icmp-'));
  try {
    const q4 = join(dir, 'q4.pcap'), q6 = join(dir, 'q6.pcap');
    writeFileSync(q4, pcapOf(1, quotedTcpFrames()));
    writeFileSync(q6, pcapOf(1, quotedTcp6Frames()));
    f(q4, q6);
  } finally { rmSync(dir, { recursive: true, force: true }); }
}

/** The block of explain's output that starts with `title`, up to the next empty line. */
function block(out: string, title: string): string[] {
  const lines = out.split('\n');
  const i = lines.indexOf(title);
  assert.ok(i >= 0, `no "${title}" in explain's output`);
  const j = lines.indexOf('', i);
  return lines.slice(i + 1, j < 0 ? undefined : j);
}

test('conns --json lists each ICMP error under the connection its quoted TCP header names', () => {
  withCaptures((q4, q6) => {
    const c4 = JSON.parse(cliOk(['conns', q4, '--json'])) as Conn[];
    assert.ok(validate(c4), JSON.stringify(validate.errors));
    const byStream = new Map(c4.map((c) => [c.stream, c.icmp]));
    assert.deepEqual(byStream.get(1), [
      { frame: 7, from: '10.0.0.254', protocol: 'icmp', type: 3, code: 4, meaning: 'fragmentation-needed', mtu: 1400, seq: 1, seq_raw: 5001, side: 'server' },
      { frame: 8, from: '10.0.0.254', protocol: 'icmp', type: 3, code: 4, meaning: 'fragmentation-needed', mtu: 1400, seq: 1, seq_raw: 5001, side: 'server' },
      { frame: 12, from: '10.0.0.2', protocol: 'icmp', type: 3, code: 3, meaning: 'port-unreachable', seq: 1, seq_raw: 1001, side: 'client' },
    ]);
    // The error came before the connection's first packet: no relative number yet.
    assert.deepEqual(byStream.get(0), [
      { frame: 1, from: '10.0.0.2', protocol: 'icmp', type: 3, code: 3, meaning: 'port-unreachable', seq: null, seq_raw: 777, side: 'client' },
    ]);
    const c6 = JSON.parse(cliOk(['conns', q6, '--json'])) as Conn[];
    assert.ok(validate(c6), JSON.stringify(validate.errors));
    assert.deepEqual(c6.map((c) => c.icmp?.map((n) => [n.frame, n.meaning, n.mtu, n.seq, n.side])), [[[5, 'packet-too-big', 1280, 1, 'server'], [6, 'packet-too-big', 1280, 1, 'server']]]);
  });
});

test('the ICMP notes sit on the stream tshark gives the quoted TCP header', { skip: !hasTshark() && 'tshark is not installed' }, () => {
  withCaptures((q4, q6) => {
    for (const file of [q4, q6]) {
      const conns = JSON.parse(cliOk(['conns', file, '--json'])) as Conn[];
      const ours = conns.flatMap((c) => (c.icmp ?? []).map((n) => `${String(n.frame)}\t${c.stream}`)).sort();
      const theirs = runTshark(['-n', '-r', file, '-Y', '(icmp || icmpv6) && tcp.stream', '-T', 'fields', '-e', 'frame.number', '-e', 'tcp.stream'])
        .stdout.split('\n').filter(Boolean).sort();
      assert.ok(theirs.length >= 2);
      assert.deepEqual(ours, theirs);
    }
  });
});

test('explain says who sent each error, what it said, and the smaller retransmission (en and zh-CN)', () => {
  withCaptures((q4, q6) => {
    const en = explain([q4, '--stream', '1']);
    assert.deepEqual(block(en, 'ICMP errors about this connection:'), [
      "  • #7: a router at 10.0.0.254 said fragmentation needed (next-hop MTU 1400) for the server's segment seq=1",
      '    #9: the server sent seq=1 again, 1360 bytes instead of 1460',
      "  • #8: a router at 10.0.0.254 said fragmentation needed (next-hop MTU 1400) for the server's segment seq=1",
      "  • #12: the server (10.0.0.2) said port unreachable for the client's segment seq=1",
    ]);
    const zh = explain([q4, '--stream', '1', '--lang', 'zh-CN']);
    assert.deepEqual(block(zh, '关于此连接的 ICMP 差错报文：'), [
      '  • #7：10.0.0.254 处的路由器报告“需要分片”（下一跳 MTU 1400），针对此连接服务器的报文段 seq=1',
      '    #9：服务器再次发送 seq=1，长度 1360 字节（原为 1460 字节）',
      '  • #8：10.0.0.254 处的路由器报告“需要分片”（下一跳 MTU 1400），针对此连接服务器的报文段 seq=1',
      '  • #12：服务器（10.0.0.2）报告“端口不可达”，针对此连接客户端的报文段 seq=1',
    ]);
    const before = explain([q4, '--stream', '0']);
    assert.deepEqual(block(before, 'ICMP errors about this connection:'), [
      "  • #1: the server (10.0.0.2) said port unreachable for the client's segment seq=777 (raw: that side had sent nothing before)",
    ]);
    const v6 = explain([q6]);
    assert.deepEqual(block(v6, 'ICMP errors about this connection:'), [
      "  • #5: a router at 2001:db8::fe said packet too big (next-hop MTU 1280) for the server's segment seq=1",
      '    #8: the server sent seq=1 again, 1220 bytes instead of 1440',
      "  • #6: a router at 2001:db8::fe said packet too big (next-hop MTU 1280) for the server's segment seq=1",
    ]);
  });
});
