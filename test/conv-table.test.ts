/** The numeric 4-tuple table (src/tcp/conv-table.ts) against a Map of string keys, with fast-check. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ConvTable, keyString, type ConvKeyWords } from '../src/tcp/conv-table.js';

/** A "frame" holding a source and a destination address back to back. */
function frame(src: number[], dst: number[]): Uint8Array {
  return Uint8Array.from([...src, ...dst]);
}
const look = <V>(t: ConvTable<V>, src: number[], dst: number[], sp: number, dp: number): V | undefined =>
  t.lookup(frame(src, dst), 0, src.length, src.length as 4 | 16, sp, dp);

/** The key of the string table tcpscope had before (the lower endpoint first), and the `high` bit. */
function oldKey(src: number[], dst: number[], sp: number, dp: number): { key: string; high: 0 | 1 } {
  let dir = 0;
  for (let i = 0; i < src.length && dir === 0; i++) if (src[i] !== dst[i]) dir = src[i]! > dst[i]! ? 1 : -1;
  if (dir === 0) dir = sp > dp ? 1 : sp < dp ? -1 : 0;
  const a = (b: number[]): string => { let s = ''; for (let i = 0; i < b.length; i += 2) s += String.fromCharCode((b[i]! << 8) | b[i + 1]!); return s; };
  const lo = dir <= 0;
  return { key: (lo ? a(src) + a(dst) : a(dst) + a(src)) + String.fromCharCode(lo ? sp : dp, lo ? dp : sp, src.length), high: dir >= 0 ? 1 : 0 };
}

test('conv-table: both directions find the same entry; high as the old key', () => {
  const t = new ConvTable<string>();
  assert.equal(look(t, [10, 0, 0, 1], [10, 0, 0, 2], 40000, 80), undefined);
  assert.equal(t.high, 0);
  const k = t.set('a');
  assert.equal(look(t, [10, 0, 0, 2], [10, 0, 0, 1], 80, 40000), 'a');
  assert.equal(t.high, 1);
  assert.equal(keyString(k), oldKey([10, 0, 0, 1], [10, 0, 0, 2], 40000, 80).key);
  // the same bytes as IPv6 are another conversation
  const v6a = [0xfe, 0x80, ...new Array<number>(12).fill(0), 10, 0], v6b = [0xfe, 0x80, ...new Array<number>(12).fill(0), 10, 1];
  assert.equal(look(t, v6a, v6b, 40000, 80), undefined);
  t.set('b');
  assert.equal(look(t, v6b, v6a, 80, 40000), 'b');
  assert.equal(t.size, 2);
});

test('conv-table: agrees with a Map of the old string keys through inserts, replaces and deletes', () => {
  // few addresses and ports, so that keys repeat and probe runs collide
  const addr = (n: 4 | 16) => fc.constantFrom(...[0, 1, 2, 255].map((x) => Array.from({ length: n }, (_, i) => (i === n - 1 ? x : i === 0 ? 10 : 0))));
  const tuple = fc.oneof(
    fc.tuple(addr(4), addr(4), fc.integer({ min: 0, max: 2 }), fc.integer({ min: 65534, max: 65535 })),
    fc.tuple(addr(16), addr(16), fc.integer({ min: 0, max: 2 }), fc.integer({ min: 0, max: 2 })),
  );
  const op = fc.tuple(fc.constantFrom('set', 'get', 'delete', 'replace'), tuple, fc.boolean());
  fc.assert(fc.property(fc.array(op, { minLength: 100, maxLength: 400 }), (ops) => {
    const t = new ConvTable<number>(1);
    const model = new Map<string, number>();
    const keys = new Map<string, ConvKeyWords>();
    ops.forEach(([kind, [src, dst, sp, dp], swap], i) => {
      const [s, d, a, b] = swap ? [dst, src, dp, sp] : [src, dst, sp, dp];
      const { key, high } = oldKey(s, d, a, b);
      const got = look(t, s, d, a, b);
      assert.equal(got, model.get(key));
      assert.equal(t.high, high);
      if (kind === 'set') {
        const k = t.set(i); model.set(key, i); keys.set(key, k);
        assert.equal(keyString(k), key);
      } else if (kind === 'delete') {
        const k = keys.get(key);
        assert.equal(k ? t.delete(k) : false, model.delete(key));
      } else if (kind === 'replace' && keys.has(key)) {
        t.replace(keys.get(key)!, -i); model.set(key, -i);
      }
      assert.equal(t.size, model.size);
    });
    for (const [key, v] of model) assert.equal(t.get(keys.get(key)!), v);
    assert.deepEqual([...t.values()].sort(), [...model.values()].sort());
  }), { numRuns: 100 });
});
