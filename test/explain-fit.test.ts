/**
 * Fit the terminal: on every scenario, in both languages, every line of the ladder diagram is
 * at most 80 columns wide (CJK characters count 2), explain's prose wraps at $COLUMNS, and the
 * conns table fits $COLUMNS unless --wide asks for every column.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { REPO, runCli, SHARED } from './support/tshark.js';
import { displayWidth } from '../src/render/text.js';

const DIR = join(SHARED, 'scenarios');
const captures = readdirSync(DIR).filter((f) => /\.(pcap|pcapng)$/.test(f)).sort();

function ladderLines(out: string): string[] {
  const lines = out.split('\n');
  const res: string[] = [];
  let inLadder = false;
  for (const l of lines) {
    if (/^(Ladder diagram:|时序图：)$/.test(l)) { inLadder = true; continue; }
    if (l.startsWith('═') || /^(Connection|连接) \d+/.test(l)) inLadder = false;
    if (inLadder) res.push(l);
  }
  return res;
}

for (const cap of captures) {
  for (const lang of ['en', 'zh-CN']) {
    test(`ladder fits 80 columns, prose wraps at $COLUMNS: ${cap} ${lang}`, () => {
      for (const cols of ['60', '100']) {
        process.env.COLUMNS = cols;
        for (const extra of [[], ['--all']]) {
          const r = runCli(['explain', join(DIR, cap), '--lang', lang, ...extra]);
          assert.equal(r.status, 0, r.stderr);
          const lad = ladderLines(r.stdout);
          assert.ok(lad.length > 3, 'a ladder is drawn');
          for (const l of lad) assert.ok(displayWidth(l) <= 80, `ladder line of ${displayWidth(l)} columns: ${l}`);
          const prose = r.stdout.split('\n').filter((l) => !lad.includes(l) && !l.startsWith('═'));
          for (const l of prose) {
            // A single word longer than the width (a long filter) may stay whole.
            const longestWord = Math.max(...l.trim().split(' ').map((w) => displayWidth(w)));
            if (longestWord + 8 > Number(cols)) continue;
            assert.ok(displayWidth(l) <= Number(cols), `prose line of ${displayWidth(l)} columns at COLUMNS=${cols}: ${l}`);
          }
        }
      }
    });
  }
  test(`conns fits $COLUMNS, --wide shows every column: ${cap}`, () => {
    process.env.COLUMNS = '100';
    const r = runCli(['conns', join(DIR, cap)]);
    assert.equal(r.status, 0, r.stderr);
    for (const l of r.stdout.split('\n')) assert.ok(displayWidth(l) <= 100, `conns line of ${displayWidth(l)} columns: ${l}`);
    const wide = runCli(['conns', join(DIR, cap), '--wide']);
    assert.match(wide.stdout.split('\n')[0]!, /zeek +history +completeness$/);
  });
}

test('a -Y filter that matches no connection says so', () => {
  const file = join(DIR, 'refused.pcap');
  for (const cmd of ['conns', 'explain']) {
    const r = runCli([cmd, file, '-Y', 'tcp.port == 1']);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, 'no TCP connection has a packet that matches the -Y filter\n');
  }
});

test('not a capture: one error line, no second message', () => {
  const r = runCli(['conns', join(REPO, 'package.json')]);
  assert.equal(r.status, 2);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /not a pcap or pcapng file/);
  const e = runCli(['explain', join(REPO, 'package.json')]);
  assert.equal(e.status, 2);
  assert.equal(e.stdout, '');
});
