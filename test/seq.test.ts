/** Sequence-space arithmetic (src/core/seq.ts) across the 2^32 wrap, with fast-check properties. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { SEQ_SPACE, SeqUnwrapper, seqAdd, seqDiff, seqGe, seqGt, seqLe, seqLt, seqMax, seqOffset } from '../src/core/seq.js';

const u32 = fc.integer({ min: 0, max: SEQ_SPACE - 1 });
/** a distance that keeps two numbers comparable: |d| < 2^31 */
const near = fc.integer({ min: -(2 ** 31) + 1, max: 2 ** 31 - 1 });

test('seq: a + d is after a exactly when d > 0, across the wrap', () => {
  fc.assert(fc.property(u32, near, (a, d) => {
    const b = seqAdd(a, d);
    assert.equal(seqDiff(b, a), d);
    assert.equal(seqGt(b, a), d > 0);
    assert.equal(seqLt(b, a), d < 0);
    assert.equal(seqGe(b, a), d >= 0);
    assert.equal(seqLe(b, a), d <= 0);
    assert.equal(seqMax(a, b), d > 0 ? b : a);
    assert.ok(b >= 0 && b < SEQ_SPACE && Number.isInteger(b));
  }));
});

test('seq: re-basing on an ISN is the unsigned distance, wrap included', () => {
  assert.equal(seqOffset(0xfffffff0, 0x10), 0x20);
  assert.equal(seqOffset(5, 5), 0);
  assert.equal(seqAdd(0xffffffff, 1), 0);
  assert.equal(seqAdd(0, -1), 0xffffffff);
  assert.ok(seqLt(0xffffffff, 0));
  assert.ok(seqGt(0, 0xffffffff));
  fc.assert(fc.property(u32, fc.integer({ min: 0, max: SEQ_SPACE - 1 }), (isn, off) => {
    assert.equal(seqOffset(isn, seqAdd(isn, off)), off);
  }));
});

test('seq: the unwrapper gives increasing 64-bit offsets through several wraps', () => {
  fc.assert(fc.property(u32, fc.array(fc.integer({ min: -(2 ** 20), max: 2 ** 30 }), { minLength: 1, maxLength: 200 }), (start, steps) => {
    const u = new SeqUnwrapper();
    let abs = start;
    assert.equal(u.offset(start), start);
    let highest = start;
    for (const s of steps) {
      abs += s;
      if (abs < 0) { abs -= s; continue; }
      // only steps within 2^31 of the highest offset seen are well defined
      if (Math.abs(abs - highest) >= 2 ** 31) { abs -= s; continue; }
      assert.equal(u.offset(abs % SEQ_SPACE), abs);
      highest = Math.max(highest, abs);
    }
  }));
  const u = new SeqUnwrapper();
  let last = -1;
  for (let i = 0; i < 20; i++) { const o = u.offset((i * 2 ** 30) % SEQ_SPACE); assert.ok(o > last); last = o; }
  assert.equal(last, 19 * 2 ** 30);
});

test('seq: no other module of src/ does sequence arithmetic by hand (>>> 0 or | 0 on seq/ack/isn values)', async () => {
  const { readdirSync, readFileSync, statSync } = await import('node:fs');
  const { join, relative, resolve, dirname } = await import('node:path');
  const { fileURLToPath } = await import('node:url');
  const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
  const files: string[] = [];
  const walk = (d: string): void => { for (const n of readdirSync(d)) { const p = join(d, n); if (statSync(p).isDirectory()) walk(p); else if (n.endsWith('.ts')) files.push(p); } };
  walk(join(repo, 'src'));
  assert.ok(files.length > 50, 'the sources were found');
  const bad: string[] = [];
  for (const f of files) {
    const rel = relative(repo, f);
    if (rel === join('src', 'core', 'seq.ts')) continue;
    readFileSync(f, 'utf8').split('\n').forEach((line, i) => {
      if (/(seq|ack|isn|nxt|sle|sre)\w*\b[^;]*(>>>\s*0|\|\s*0\))/i.test(line) && !/^\s*(\*|\/\/)/.test(line)) bad.push(`${rel}:${i + 1}: ${line.trim()}`);
    });
  }
  assert.deepEqual(bad, []);
});
