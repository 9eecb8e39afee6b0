/**
 * No hidden quadratic work: for adversarial inputs (line-less data to the HTTP port, segments
 * that all arrive in reverse order, many tiny overlapping segments, many connections) the work
 * done on stream bytes — `streamWork.units`: bytes scanned or copied, held pieces visited or
 * moved, counted by the reassembler and by the scans over its output — is measured at N and at
 * 4N through the real pipeline (`analyze`, which runs the application stage, and the follow
 * path). The test fails when the work grows faster than N log N: the ratio work(4N)/work(N)
 * must stay within 4·log(4N)/log(N), with a margin of 25 % (a quadratic gives about 16).
 * (Also a head that comes one header line per segment, followed by many pipelined requests.)
 * Also: the memory limits that keep such inputs bounded (an unfinished head, out-of-order bytes
 * held for a pending PDU) are findings on the frame that hit them and counted by the stage.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyze } from '../src/index.js';
import { Dissector } from '../src/dissect.js';
import { streamWork } from '../src/tcp/reassembly.js';
import { renderFollow, TcpFollower } from '../src/render/follow.js';
import { buildPcap, type Seg } from './support/build.js';

const enc = new TextEncoder();
const ISN_C = 1000, ISN_S = 5000;

/** A segment with its own payload bytes (build.ts fills payloads with 'a'; these are written over them). */
interface PSeg { seg: Seg; payload?: Uint8Array }

/** A pcap of the segments, with each payload written over the builder's filler bytes. */
function pcap(segs: PSeg[]): Uint8Array {
  const file = buildPcap(segs.map((s) => ({ ...s.seg, len: s.payload ? s.payload.length : s.seg.len })));
  let at = 24;
  for (const s of segs) {
    const capLen = new DataView(file.buffer, file.byteOffset + at + 8, 4).getUint32(0, true);
    const pkt = at + 16;
    const thl = (file[pkt + 20 + 12]! >> 4) * 4;
    if (s.payload) file.set(s.payload, pkt + 20 + thl);
    at = pkt + capLen;
  }
  return file;
}

function handshake(t0: number, cport?: number): PSeg[] {
  return [
    { seg: { t: t0, dir: 'c', seq: ISN_C, flags: 'S', cport } },
    { seg: { t: t0 + 0.001, dir: 's', seq: ISN_S, ack: ISN_C + 1, flags: 'SA', cport } },
    { seg: { t: t0 + 0.002, dir: 'c', seq: ISN_C + 1, ack: ISN_S + 1, flags: 'A', cport } },
  ];
}

/**
 * Client data segments [offset, length] (offsets from the first data byte) in the order given,
 * carrying `body`'s bytes, 100 ns apart (well within the handshake's 2 ms round trip, so that a
 * segment below the highest one is out-of-order, not a retransmission, and continues the PDU).
 */
function dataSegs(body: Uint8Array, spans: Array<[number, number]>, t0: number, first = 0): PSeg[] {
  return spans.map(([o, n], i) => ({
    seg: { t: t0 + i * 1e-7, dir: 'c', seq: ISN_C + 1 + first + o, ack: ISN_S + 1, flags: 'PA' },
    payload: body.subarray(o, o + n),
  }));
}

function bodyBytes(n: number): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = 0x41 + (i % 26);
  return b;
}

/** Work done by `analyze` over the capture, and (optionally) by following stream 0 in it. */
async function work(file: Uint8Array, follow: boolean): Promise<{ units: number; followed?: string }> {
  const before = streamWork.units;
  const f = follow ? new TcpFollower(0) : undefined;
  for await (const rec of analyze(file)) f?.observe(rec);
  const followed = f ? renderFollow(f.result(), 'raw') : undefined;
  return { units: streamWork.units - before, followed };
}

const N = 1000;
/** The largest ratio work(4N)/work(N) allowed: N log N growth, plus a 25 % margin. */
const LIMIT = 1.25 * 4 * Math.log(4 * N) / Math.log(N);

async function growth(name: string, make: (n: number) => PSeg[], follow: boolean): Promise<number> {
  const small = await work(pcap(make(N)), follow);
  const large = await work(pcap(make(4 * N)), follow);
  const ratio = large.units / Math.max(1, small.units);
  console.log(`complexity: ${name}: work ${small.units} at N=${N}, ${large.units} at 4N: ratio ${ratio.toFixed(2)} (limit ${LIMIT.toFixed(2)})`);
  assert.ok(small.units >= N, `${name}: the work counter saw almost nothing (${small.units} units): is it wired?`);
  assert.ok(ratio <= LIMIT, `${name}: work grew ${ratio.toFixed(2)}× from N to 4N (N log N allows ${LIMIT.toFixed(2)}×)`);
  return ratio;
}

test('line-less data to port 80 (an HTTP head that never ends): work grows at most as N log N', async () => {
  const make = (n: number): PSeg[] => {
    const body = new Uint8Array(8 * n).fill(0x61);
    return [...handshake(0), ...dataSegs(body, Array.from({ length: n }, (_, i) => [8 * i, 8] as [number, number]), 0.01)];
  };
  await growth('line-less data to port 80', make, false);
});

test('segments all arriving in reverse order: work grows at most as N log N (app stage and follow)', async () => {
  // An HTTP request whose body arrives backwards: the application stage holds it, follow holds it.
  const make = (n: number): PSeg[] => {
    const head = enc.encode(`POST /up HTTP/1.1\r\nHost: x\r\nContent-Length: ${8 * n}\r\n\r\n`);
    const body = bodyBytes(8 * n);
    const spans = Array.from({ length: n }, (_, i) => [8 * (n - 1 - i), 8] as [number, number]);
    return [...handshake(0), { seg: { t: 0.005, dir: 'c', seq: ISN_C + 1, ack: ISN_S + 1, flags: 'PA' }, payload: head }, ...dataSegs(body, spans, 0.01, head.length)];
  };
  await growth('reversed segments (analyze)', make, false);
  await growth('reversed segments (analyze and follow)', make, true);
  // and what follow shows is the data, in order
  const n = 50;
  const r = await work(pcap(make(n)), true);
  const want = Buffer.concat([Buffer.from(enc.encode(`POST /up HTTP/1.1\r\nHost: x\r\nContent-Length: ${8 * n}\r\n\r\n`)), Buffer.from(bodyBytes(8 * n))]).toString('hex');
  const lines = r.followed!.split('\n').slice(6, -2);
  assert.equal(lines.join(''), want);
});

test('many tiny overlapping segments, in reverse order: work grows at most as N log N (app stage and follow)', async () => {
  const make = (n: number): PSeg[] => {
    const head = enc.encode(`POST /up HTTP/1.1\r\nHost: x\r\nContent-Length: ${4 * n + 4}\r\n\r\n`);
    const body = bodyBytes(4 * n + 4);
    // 8-byte segments every 4 bytes: each overlaps half of the one before it
    const spans = Array.from({ length: n }, (_, i) => [4 * (n - 1 - i), 8] as [number, number]);
    return [...handshake(0), { seg: { t: 0.005, dir: 'c', seq: ISN_C + 1, ack: ISN_S + 1, flags: 'PA' }, payload: head }, ...dataSegs(body, spans, 0.01, head.length)];
  };
  await growth('tiny overlapping segments (analyze)', make, false);
  await growth('tiny overlapping segments (analyze and follow)', make, true);
});

test('a head that arrives one header line per segment, then many pipelined requests: work grows at most as N log N', async () => {
  const make = (n: number): PSeg[] => {
    const parts = [enc.encode('GET / HTTP/1.1\r\n')];
    for (let i = 0; i < n; i++) parts.push(enc.encode(`X-${i}: y\r\n`));
    parts.push(enc.encode('\r\n' + 'GET / HTTP/1.1\r\n\r\n'.repeat(n / 2)));
    const body = new Uint8Array(parts.reduce((k, p) => k + p.length, 0));
    const spans: Array<[number, number]> = [];
    let o = 0;
    for (const p of parts) { body.set(p, o); spans.push([o, p.length]); o += p.length; }
    return [...handshake(0), ...dataSegs(body, spans, 0.01)];
  };
  await growth('header lines one per segment, then pipelined requests', make, false);
});

test('many connections, each a request and a response: work grows at most as N log N', async () => {
  const make = (n: number): PSeg[] => {
    const out: PSeg[] = [];
    for (let k = 0; k < n; k++) {
      const cport = 10000 + k, t = k * 0.01;
      const req = enc.encode('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
      const resp = enc.encode('HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello');
      out.push(...handshake(t, cport));
      out.push({ seg: { t: t + 0.003, dir: 'c', seq: ISN_C + 1, ack: ISN_S + 1, flags: 'PA', cport }, payload: req });
      out.push({ seg: { t: t + 0.004, dir: 's', seq: ISN_S + 1, ack: ISN_C + 1 + req.length, flags: 'PA', cport }, payload: resp });
    }
    return out;
  };
  await growth('many connections', make, false);
});

test('a head longer than the head limit (1 MiB) is given up, and that is a finding on the frame', async () => {
  const n = 1100, size = 1000;
  const body = new Uint8Array(n * size).fill(0x61);
  const file = pcap([...handshake(0), ...dataSegs(body, Array.from({ length: n }, (_, i) => [size * i, size] as [number, number]), 0.01)]);
  const dissector = new Dissector();
  const hits: Array<{ frame: number; kind: string; limit: number; bytes: number }> = [];
  for await (const rec of analyze(file, { dissector })) for (const l of rec.app?.limits ?? []) hits.push({ frame: rec.packet.frame.number, ...l });
  // frame 4 is the first data segment: the head passes 1 MiB with the 1049th segment
  assert.deepEqual(hits, [{ frame: 3 + 1049, kind: 'head', limit: 1 << 20, bytes: 1049 * size }]);
  assert.deepEqual(dissector.app.limitStats, { heads: 1, held: 0, heldBytes: 0 });
});

test('out-of-order bytes beyond the hold limit (4096 pieces) are dropped, counted and a finding on each frame', async () => {
  const n = 4200;
  const head = enc.encode(`POST /up HTTP/1.1\r\nHost: x\r\nContent-Length: ${8 * n}\r\n\r\n`);
  const body = bodyBytes(8 * n);
  // the last 4199 pieces backwards (all held: the first 8 bytes never come)
  const spans = Array.from({ length: n - 1 }, (_, i) => [8 * (n - 1 - i), 8] as [number, number]);
  const file = pcap([...handshake(0), { seg: { t: 0.005, dir: 'c', seq: ISN_C + 1, ack: ISN_S + 1, flags: 'PA' }, payload: head }, ...dataSegs(body, spans, 0.01, head.length)]);
  const dissector = new Dissector();
  let frames = 0, bytes = 0;
  for await (const rec of analyze(file, { dissector })) {
    for (const l of rec.app?.limits ?? []) { assert.equal(l.kind, 'held'); assert.equal(l.limit, 4 << 20); frames++; bytes += l.bytes; }
  }
  assert.equal(frames, n - 1 - 4096);
  assert.equal(bytes, 8 * frames);
  assert.deepEqual(dissector.app.limitStats, { heads: 0, held: frames, heldBytes: bytes });
});
