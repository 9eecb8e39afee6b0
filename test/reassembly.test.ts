/**
 * src/tcp/reassembly.ts: a known byte string, cut into segments that are permuted, duplicated
 * and overlapped, must come out exactly once and in order; overlaps keep the first data seen
 * (Wireshark's rule, see test/http.test.ts for the check against tshark); memory stays bounded.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { StreamReassembler, type Chunk } from '../src/tcp/reassembly.js';
import { SeqUnwrapper } from '../src/core/seq.js';

function concat(chunks: Chunk[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.data.length, 0));
  let o = 0;
  for (const c of chunks) { out.set(c.data, o); o += c.data.length; }
  return out;
}

/** Segments [start, end) covering 0..len, each at least 1 byte. */
const cover = (len: number) => fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 60 }).map((sizes) => {
  const segs: Array<[number, number]> = [];
  let at = 0;
  for (const s of sizes) { if (at >= len) break; segs.push([at, Math.min(len, at + s)]); at += s; }
  if (at < len) segs.push([at, len]);
  return segs;
});

test('segmented, permuted, duplicated and overlapped data reassembles exactly', () => {
  fc.assert(fc.property(
    fc.uint8Array({ minLength: 1, maxLength: 600 }),
    fc.integer({ min: 0, max: 2 ** 40 }),
    fc.integer({ min: 0, max: 2 ** 31 }),
    (data, base, seed) => {
      return fc.assert(fc.property(cover(data.length), fc.array(fc.tuple(fc.nat(), fc.nat()), { maxLength: 20 }), fc.array(fc.nat(), { maxLength: 80 }), (segs, extra, order) => {
        // extra overlapping segments, consistent with the data (a retransmission carries the same bytes)
        const all = [...segs];
        for (const [a, b] of extra) {
          const s = a % data.length, e = s + 1 + (b % (data.length - s));
          all.push([s, e]);
        }
        // duplicates
        for (let i = 0; i < Math.min(5, segs.length); i++) all.push(segs[(seed + i) % segs.length]!);
        // a permutation driven by `order`
        for (let i = all.length - 1; i > 0; i--) {
          const j = (order[i % Math.max(1, order.length)] ?? i) % (i + 1);
          [all[i], all[j]] = [all[j]!, all[i]!];
        }
        const r = new StreamReassembler(base);
        const got: Chunk[] = [];
        for (const [s, e] of all) got.push(...r.push(base + s, data.subarray(s, e), s));
        assert.deepEqual(concat(got), data);
        // chunks are contiguous, in order, each byte once
        let at = base;
        for (const c of got) { assert.equal(c.offset, at); at += c.data.length; }
        assert.equal(r.nextOffset, base + data.length);
        assert.equal(r.heldByteCount, 0);
        assert.equal(r.stats.deliveredBytes, data.length);
        assert.equal(r.stats.conflictBytes, 0);
        assert.equal(r.stats.missingBytes, 0);
      }), { numRuns: 5 });
    },
  ), { numRuns: 60 });
});

test('overlapping segments with different bytes: the first data seen for an offset wins', () => {
  fc.assert(fc.property(
    fc.integer({ min: 1, max: 200 }),
    fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 50 }), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 40 }),
    (len, writes) => {
      // A model: each offset keeps the value of the first segment that covered it.
      const model = new Int16Array(len).fill(-1);
      const r = new StreamReassembler(0);
      const got: Chunk[] = [];
      for (const [s0, n, v] of writes) {
        const s = s0 % len, e = Math.min(len, s + n);
        for (let i = s; i < e; i++) if (model[i] === -1) model[i] = v;
        got.push(...r.push(s, new Uint8Array(e - s).fill(v)));
      }
      // whatever was delivered (a contiguous prefix) matches the model, and nothing after a gap was delivered
      const out = concat(got);
      let prefix = 0;
      while (prefix < len && model[prefix] !== -1) prefix++;
      assert.equal(out.length, prefix);
      for (let i = 0; i < prefix; i++) assert.equal(out[i], model[i]);
      // held bytes fill the rest of what the model knows
      const known = [...model].filter((x) => x !== -1).length;
      assert.equal(r.heldByteCount, known - prefix);
    },
  ), { numRuns: 300 });
});

test('conflicts are counted against held data and against recent delivered data', () => {
  const r = new StreamReassembler(0, { compareWindow: 16 });
  r.push(5, new Uint8Array([1, 2, 3]));        // held
  r.push(4, new Uint8Array([9, 9, 9]));        // 4 new, 5..6 overlap held with different bytes
  assert.equal(r.stats.conflictBytes, 2);
  const c = r.push(0, new Uint8Array([7, 7, 7, 7]));
  assert.deepEqual([...concat(c)], [7, 7, 7, 7, 9, 1, 2, 3]);
  r.push(6, new Uint8Array([2, 3]));           // same bytes as delivered: duplicates
  assert.equal(r.stats.conflictBytes, 2);
  r.push(6, new Uint8Array([0, 3]));           // one differs
  assert.equal(r.stats.conflictBytes, 3);
  assert.equal(r.stats.duplicateBytes, 3); // 2 repeated at 6..7, then 1 of the 2 at 6..7 again (the other is a conflict)
});

test('gaps: held data waits, skipGap reports the missing bytes and delivers what follows', () => {
  const r = new StreamReassembler(100);
  assert.deepEqual(r.push(110, new Uint8Array([1, 2])), []);
  assert.deepEqual(r.push(115, new Uint8Array([3])), []);
  assert.deepEqual(r.holes(), [[100, 110], [112, 115]]);
  const s = r.skipGap();
  assert.equal(s.missing, 10);
  assert.deepEqual(s.chunks.map((c) => [c.offset, [...c.data]]), [[110, [1, 2]]]);
  const s2 = r.skipGap();
  assert.equal(s2.missing, 3);
  assert.deepEqual(s2.chunks.map((c) => [c.offset, [...c.data]]), [[115, [3]]]);
  assert.equal(r.stats.missingBytes, 13);
  assert.equal(r.nextOffset, 116);
});

test('memory is bounded: out-of-order bytes beyond the cap are dropped and counted', () => {
  const r = new StreamReassembler(0, { maxHeldBytes: 1000, maxHeldSegments: 50 });
  for (let i = 0; i < 100; i++) r.push(10 + i * 20, new Uint8Array(10).fill(i));
  assert.ok(r.heldByteCount <= 1000);
  assert.equal(r.heldByteCount + r.stats.droppedBytes, 1000);
  // thousands of 1-byte pieces: bounded by the piece count too
  const t = new StreamReassembler(0, { maxHeldSegments: 64 });
  for (let i = 0; i < 5000; i++) t.push(1 + 2 * i, new Uint8Array([i & 255]));
  assert.ok(t.heldByteCount <= 64);
  assert.equal(t.heldByteCount + t.stats.droppedBytes, 5000);
});

test('sequence numbers unwrap across 2^32 into growing offsets', () => {
  const u = new SeqUnwrapper();
  const start = 4294967000;
  assert.equal(u.offset(start), start);
  assert.equal(u.offset((start + 500) >>> 0), start + 500);
  assert.equal(u.offset((start + 100) >>> 0), start + 100); // an older segment, after the wrap point
  assert.equal(u.offset((start + 70000) >>> 0), start + 70000);
  // a long stream: many wraps
  let off = start + 70000;
  for (let i = 0; i < 10; i++) { off += 2 ** 31 - 1; assert.equal(u.offset(off >>> 0), off); }
});

/**
 * The `first-segment` rule (tshark's follow) against a model of it written the plain way: held
 * segments in a list in arrival order, each drain scanning it for the first one that starts at
 * or before the next offset (the quadratic algorithm follow used before it shared this class).
 */
function followModel(pushes: Array<[number, Uint8Array, number]>): Array<[number, number[], number]> {
  const out: Array<[number, number[], number]> = [];
  let next = 0;
  const held: Array<{ off: number; data: Uint8Array; tag: number }> = [];
  const drain = (): void => {
    for (;;) {
      const i = held.findIndex((h) => h.off <= next);
      if (i < 0) return;
      const h = held.splice(i, 1)[0]!;
      if (h.off + h.data.length <= next) continue;
      out.push([next, [...h.data.subarray(next - h.off)], h.tag]);
      next = h.off + h.data.length;
    }
  };
  for (const [off0, data0, tag] of pushes) {
    let off = off0, data = data0;
    if (off < next) {
      if (off + data.length <= next) continue;
      data = data.subarray(next - off);
      off = next;
    }
    if (off === next) { out.push([off, [...data], tag]); next = off + data.length; drain(); }
    else held.push({ off, data, tag });
  }
  return out;
}

test('rule first-segment: whole segments, the earliest-arrived held segment wins (a model of tshark\'s follow)', () => {
  fc.assert(fc.property(
    fc.array(fc.tuple(fc.integer({ min: 0, max: 120 }), fc.integer({ min: 1, max: 30 }), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 60 }),
    (writes) => {
      const pushes = writes.map(([o, n, v], i) => [o, new Uint8Array(n).fill(v), i] as [number, Uint8Array, number]);
      const r = new StreamReassembler(0, { rule: 'first-segment' });
      const got: Array<[number, number[], number]> = [];
      for (const [o, d, tag] of pushes) for (const c of r.push(o, d, tag)) got.push([c.offset, [...c.data], c.tag]);
      assert.deepEqual(got, followModel(pushes));
      // what is still held starts beyond the next offset
      const first = r.firstHeldOffset;
      if (first !== undefined) assert.ok(first > r.nextOffset);
    },
  ), { numRuns: 400 });
});

test('rule first-segment: bounded memory, drops counted as bytes and as events', () => {
  const r = new StreamReassembler(0, { rule: 'first-segment', maxHeldBytes: 1000, maxHeldSegments: 50 });
  for (let i = 0; i < 100; i++) r.push(10 + i * 20, new Uint8Array(10).fill(i));
  assert.ok(r.heldByteCount <= 1000 && r.heldCount <= 50);
  assert.equal(r.heldByteCount + r.stats.droppedBytes, 1000);
  assert.equal(r.stats.dropEvents, 50);
  // reversed arrival: everything comes out once the first byte arrives
  const t = new StreamReassembler(0, { rule: 'first-segment' });
  for (let i = 999; i >= 1; i--) assert.deepEqual(t.push(i * 3, new Uint8Array([i, i, i])), []);
  const c = t.push(0, new Uint8Array([0, 0, 0]));
  assert.equal(c.length, 1000);
  assert.equal(t.nextOffset, 3000);
  assert.equal(t.heldByteCount, 0);
});
