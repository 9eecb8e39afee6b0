/**
 * Golden files for `conns` and `explain` on every scenario capture, in English and Chinese
 * (test/golden/lifecycle/). Regenerate with `UPDATE=1 npm test`, then read the diff against
 * the scenario's truth.json before committing: the goldens were reviewed by eye, they are not
 * the oracle (lifecycle-truth, zeek and completeness tests are).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO, runCli, SHARED } from './support/tshark.js';

// Prose wraps at $COLUMNS and conns fits it: the goldens are made at 100 columns whatever the terminal.
process.env.COLUMNS = '100';
const DIR = join(SHARED, 'scenarios');
const GOLDEN = join(REPO, 'test/golden/lifecycle');
const UPDATE = Boolean(process.env.UPDATE);
const captures = readdirSync(DIR).filter((f) => /\.(pcap|pcapng)$/.test(f)).sort();

for (const cap of captures) {
  for (const lang of ['en', 'zh-CN']) {
    for (const cmd of ['conns', 'explain']) {
      test(`golden ${cmd} ${lang} ${cap}`, () => {
        // conns with --wide: every verdict column stays under test.
        const r = runCli([cmd, join(DIR, cap), '--lang', lang, ...(cmd === 'conns' ? ['--wide'] : [])]);
        assert.equal(r.status, 0, r.stderr);
        const file = join(GOLDEN, `${cap}.${cmd}.${lang}.txt`);
        if (UPDATE || !existsSync(file)) {
          mkdirSync(GOLDEN, { recursive: true });
          writeFileSync(file, r.stdout);
          if (!UPDATE) assert.fail(`${file} did not exist: written, review it and run again`);
          return;
        }
        assert.equal(r.stdout, readFileSync(file, 'utf8'));
      });
    }
  }
}

test('explain http-server-close tells who closed first and why the close took three packets', () => {
  const file = join(DIR, 'http-server-close.pcap');
  // Prose wraps: compare with every run of white space as one space.
  const en = runCli(['explain', file, '--lang', 'en']).stdout.replace(/\s+/g, ' ');
  assert.match(en, /The server closed first/);
  assert.match(en, /Three packets, not four: the client's ACK of the FIN \(#8\) went out together with its own FIN \(#9\)/);
  assert.match(en, /Before the first packet: client CLOSED, server LISTEN/);
  assert.match(en, /client: CLOSED → SYN_SENT/);
  assert.match(en, /Final states: client CLOSED, server TIME_WAIT/);
  assert.match(en, /┌─ teardown/);
  const zh = runCli(['explain', file, '--lang', 'zh-CN']).stdout.replace(/\s+/g, ' ');
  assert.match(zh, /服务器先关闭（主动关闭方）/);
  assert.match(zh, /是三个报文而不是四个/);
  assert.match(zh, /最终状态：客户端 CLOSED，服务器 TIME_WAIT/);
  assert.match(zh, /┌─ 挥手：三次挥手/);
});

test('explain: colours only on a terminal or with --color', () => {
  const file = join(DIR, 'refused.pcap');
  assert.doesNotMatch(runCli(['explain', file]).stdout, /\u001b\[/);
  assert.match(runCli(['explain', file, '--color']).stdout, /\u001b\[/);
});

test('explain --stream picks one connection; a missing stream is a usage error', () => {
  const file = join(DIR, 'many-short.pcap');
  const r = runCli(['explain', file, '--stream', '7']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^Connection 7 \(tcp.stream eq 7\)/);
  assert.equal((r.stdout.match(/^Connection \d+/gm) ?? []).length, 1);
  const bad = runCli(['explain', file, '--stream', '999']);
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /no TCP stream 999/);
  const many = runCli(['explain', file]);
  assert.match(many.stdout, /200 connections in this capture; showing stream 0/);
});

test('conns -Y keeps the connections with a matching packet', () => {
  const file = join(DIR, 'port-reuse.pcap');
  const all = JSON.parse(runCli(['conns', '--json', file]).stdout) as unknown[];
  assert.equal(all.length, 2);
  const r = runCli(['conns', '--json', file, '-Y', 'tcp.analysis.reused_ports']);
  assert.equal(r.status, 0, r.stderr);
  const some = JSON.parse(r.stdout) as Array<{ stream: number }>;
  assert.deepEqual(some.map((c) => c.stream), [1]);
});
