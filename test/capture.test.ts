/**
 * Capture readers: files built byte by byte here (so every field's expected value is known),
 * fed whole, byte by byte and in random chunks; every kind of damage; the shared corpus and
 * damaged files against tshark when it is installed; gzip through both decompressors.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { CaptureParser, readCapture, readCaptureBatches, readCaptureSync } from '../src/capture/reader.js';
import { gunzip } from '../src/capture/gzip.js';
import type { CaptureProblem, CaptureProblemId, Frame } from '../src/capture/types.js';
import { openCaptureFile, openCaptureSource } from '../cli/node-io.js';
import { needs, runTsharkAsync, SHARED } from './support/tshark.js';

// ---- a tiny capture writer ----------------------------------------------------------------------

type Bytes = Uint8Array | number[];

function cat(...parts: Bytes[]): Uint8Array {
  const n = parts.reduce((s, p) => s + p.length, 0);
  const out = new Uint8Array(n);
  let k = 0;
  for (const p of parts) {
    out.set(p, k);
    k += p.length;
  }
  return out;
}
function u16(v: number, le: boolean): number[] {
  return le ? [v & 0xff, (v >>> 8) & 0xff] : [(v >>> 8) & 0xff, v & 0xff];
}
function u32(v: number, le: boolean): number[] {
  const b = [(v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff];
  return le ? b.reverse() : b;
}
function i64(v: bigint, le: boolean): number[] {
  const u = BigInt.asUintN(64, v);
  return le ? [...u32(Number(u & 0xffffffffn), le), ...u32(Number(u >> 32n), le)] : [...u32(Number(u >> 32n), le), ...u32(Number(u & 0xffffffffn), le)];
}
function pad4(b: Bytes): Uint8Array {
  return cat(b, new Array((4 - (b.length % 4)) % 4).fill(0));
}
/** Recognisable packet bytes of length n. */
function payload(n: number, seed: number): Uint8Array {
  return Uint8Array.from({ length: n }, (_, i) => (i * 7 + seed * 31 + 1) & 0xff);
}

interface Rec { sec: number; frac: number; data: Uint8Array; origLen?: number; capLen?: number }
interface PcapOpts { le?: boolean; nano?: boolean; modified?: boolean; linkType?: number; snapLen?: number; major?: number; minor?: number }

function pcapHeader(o: PcapOpts = {}): Uint8Array {
  const le = o.le ?? true;
  const magic = o.modified ? 0xa1b2cd34 : o.nano ? 0xa1b23c4d : 0xa1b2c3d4;
  return cat(u32(magic, le), u16(o.major ?? 2, le), u16(o.minor ?? 4, le), u32(0, le), u32(0, le), u32(o.snapLen ?? 65535, le), u32(o.linkType ?? 1, le));
}
function pcapRecord(r: Rec, o: PcapOpts = {}): Uint8Array {
  const le = o.le ?? true;
  const extra = o.modified ? [...u32(3, le), ...u16(0x0800, le), 4, 0] : [];
  return cat(u32(r.sec, le), u32(r.frac, le), u32(r.capLen ?? r.data.length, le), u32(r.origLen ?? r.data.length, le), extra, r.data);
}
function pcapFile(o: PcapOpts, recs: Rec[]): Uint8Array {
  return cat(pcapHeader(o), ...recs.map((r) => pcapRecord(r, o)));
}

/** A pcapng block; `len`/`trail` override the leading/trailing lengths. */
function block(le: boolean, type: number, body: Bytes, o: { len?: number; trail?: number } = {}): Uint8Array {
  const b = pad4(body);
  const n = 12 + b.length;
  return cat(u32(type, le), u32(o.len ?? n, le), b, u32(o.trail ?? o.len ?? n, le));
}
function option(le: boolean, code: number, value: Bytes): Uint8Array {
  return cat(u16(code, le), u16(value.length, le), pad4(value));
}
function shb(le: boolean, o: { major?: number; minor?: number; bom?: number; sectionLen?: bigint } = {}): Uint8Array {
  const opts = cat(option(le, 4, [...'tcpscope test'].map((c) => c.charCodeAt(0))), option(le, 0, []));
  return block(le, 0x0a0d0d0a, cat(u32(o.bom ?? 0x1a2b3c4d, le), u16(o.major ?? 1, le), u16(o.minor ?? 0, le), i64(o.sectionLen ?? -1n, le), opts));
}
function idb(le: boolean, linkType: number, snapLen: number, o: { tsresol?: number; tsoffset?: bigint; raw?: Bytes } = {}): Uint8Array {
  const opts: Bytes[] = [option(le, 2, [...'eth0'].map((c) => c.charCodeAt(0)))];
  if (o.tsresol !== undefined) opts.push(option(le, 9, [o.tsresol]));
  if (o.tsoffset !== undefined) opts.push(option(le, 14, i64(o.tsoffset, le)));
  opts.push(option(le, 0, []));
  return block(le, 1, cat(u16(linkType, le), u16(0, le), u32(snapLen, le), ...(o.raw ? [o.raw] : opts)));
}
function tsWords(ts: bigint, le: boolean): number[] {
  return [...u32(Number(ts >> 32n), le), ...u32(Number(ts & 0xffffffffn), le)];
}
function epb(le: boolean, iface: number, ts: bigint, data: Uint8Array, o: { origLen?: number; capLen?: number; len?: number; trail?: number } = {}): Uint8Array {
  const body = cat(u32(iface, le), tsWords(ts, le), u32(o.capLen ?? data.length, le), u32(o.origLen ?? data.length, le), pad4(data), option(le, 1, [0x68, 0x69]), option(le, 0, []));
  return block(le, 6, body, o);
}
function spb(le: boolean, origLen: number, data: Uint8Array): Uint8Array {
  return block(le, 3, cat(u32(origLen, le), data));
}
function pb(le: boolean, iface: number, ts: bigint, data: Uint8Array, origLen?: number): Uint8Array {
  return block(le, 2, cat(u16(iface, le), u16(7, le), tsWords(ts, le), u32(data.length, le), u32(origLen ?? data.length, le), pad4(data)));
}

// ---- reading helpers ----------------------------------------------------------------------------

interface Result { frames: Frame[]; problems: CaptureProblem[] }

/** Feed `bytes` in chunks whose sizes cycle through `sizes` (no sizes: one chunk). */
function parseIn(bytes: Uint8Array, sizes: number[] = []): Result {
  const p = new CaptureParser();
  const frames: Frame[] = [];
  if (sizes.length === 0) p.push(bytes);
  else {
    for (let o = 0, i = 0; o < bytes.length; i++) {
      const n = sizes[i % sizes.length]!;
      p.push(bytes.subarray(o, o + n));
      for (let f = p.next(); f !== null; f = p.next()) frames.push(f);
      o += n;
    }
  }
  p.end();
  for (let f = p.next(); f !== null; f = p.next()) frames.push(f);
  assert.equal(p.finished, true);
  assert.equal(p.next(), null);
  return { frames, problems: p.problems };
}

/** Frames as plain comparable values. */
function plain(frames: Frame[]): object[] {
  return frames.map((f) => ({ ...f, data: Array.from(f.data) }));
}

function assertSameEverywhere(bytes: Uint8Array, label: string): Result {
  const whole = parseIn(bytes);
  for (const sizes of [[1], [3], [7, 1, 13], [4096]]) {
    const r = parseIn(bytes, sizes);
    assert.deepEqual(plain(r.frames), plain(whole.frames), `${label}: frames differ with chunks ${sizes}`);
    assert.deepEqual(r.problems, whole.problems, `${label}: problems differ with chunks ${sizes}`);
  }
  return whole;
}

async function* chunksOf(bytes: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  for (let o = 0; o < bytes.length; o += size) yield bytes.slice(o, o + size);
}

function only(problems: CaptureProblem[]): CaptureProblem {
  assert.equal(problems.length, 1, JSON.stringify(problems));
  return problems[0]!;
}

// ---- sample files -------------------------------------------------------------------------------

const D = [payload(60, 1), payload(1514, 2), payload(0, 3), payload(77, 4)];

function samplePcap(le: boolean, nano: boolean): Uint8Array {
  return pcapFile({ le, nano, linkType: 0x30000001 & 0xffffffff, snapLen: 262144 }, [
    { sec: 1700000000, frac: nano ? 123456789 : 123456, data: D[0]! },
    { sec: 1700000001, frac: nano ? 999999999 : 999999, data: D[1]!, origLen: 3000 },
    { sec: 4294967295, frac: 0, data: D[2]! },
    { sec: 0, frac: 1, data: D[3]! },
  ]);
}

/** Two sections, opposite byte orders, five interfaces, every packet block type, unknown blocks. */
function samplePcapng(): { bytes: Uint8Array; offsets: number[] } {
  const parts: Uint8Array[] = [];
  const offsets: number[] = [];
  let at = 0;
  const add = (b: Uint8Array, isFrame = false): void => {
    if (isFrame) offsets.push(at);
    parts.push(b);
    at += b.length;
  };
  // section 1, little-endian, explicit section length
  add(shb(true, { sectionLen: 0n }));
  add(idb(true, 1, 0)); // Ethernet, default µs
  add(idb(true, 101, 0, { tsresol: 9, tsoffset: 1000n })); // RAW, ns, +1000 s
  add(block(true, 4, [0, 0, 0, 0])); // NRB (empty)
  add(epb(true, 0, 1700000000123456n, D[0]!, { origLen: 100 }), true);
  add(epb(true, 1, 1700000000123456789n, D[1]!), true);
  add(block(true, 5, cat(u32(0, true), tsWords(1n, true)))); // ISB
  add(block(true, 0x12345678, payload(33, 9))); // unknown type
  add(pb(true, 1, 5n, D[3]!, 1000), true); // obsolete packet block
  add(spb(true, 1600, D[1]!.subarray(0, 600)), true); // SPB, interface 0 (snaplen 0: no cut)
  // section 2, big-endian
  add(shb(false, { minor: 2 }));
  add(idb(false, 113, 64, { tsresol: 0x80 | 20, tsoffset: -5n })); // SLL, 2^-20 s, -5 s, snaplen 64
  add(idb(false, 0, 0, { tsresol: 3 })); // NULL, ms
  add(idb(false, 276, 0, { tsresol: 12 })); // SLL2, ps
  add(epb(false, 0, (1700000000n << 20n) + 524288n + 1n, D[0]!), true);
  add(epb(false, 1, 1700000000123n, D[3]!), true);
  add(block(false, 0x00000bad, cat(u32(32473, false), payload(5, 1)))); // custom block
  add(spb(false, 1514, D[1]!), true); // SPB cut to the 64-byte snaplen of interface 0
  add(epb(false, 2, 17000000001234567890n, D[2]!), true); // picoseconds, above 2^63
  add(pb(false, 1, 0n, D[0]!), true);
  return { bytes: cat(...parts), offsets };
}

// ---- pcap ---------------------------------------------------------------------------------------

test('pcap: both byte orders, µs and ns, every Frame field', () => {
  for (const le of [true, false]) {
    for (const nano of [false, true]) {
      const bytes = samplePcap(le, nano);
      const { frames, problems } = assertSameEverywhere(bytes, `pcap le=${le} nano=${nano}`);
      assert.deepEqual(problems, []);
      const p = readCaptureSync(bytes).parser;
      assert.deepEqual(p.info, {
        format: 'pcap', linkType: 1, precision: nano ? 'ns' : 'us', byteOrder: le ? 'little' : 'big',
        snapLen: 262144, versionMajor: 2, versionMinor: 4,
      });
      const offs = [24, 24 + 16 + 60, 24 + 32 + 60 + 1514, 24 + 48 + 60 + 1514];
      const ts = nano
        ? [[1700000000, 123456789], [1700000001, 999999999], [4294967295, 0], [0, 1]]
        : [[1700000000, 123456000], [1700000001, 999999000], [4294967295, 0], [0, 1000]];
      assert.deepEqual(plain(frames), D.map((d, i) => ({
        number: i + 1, tsSec: ts[i]![0], tsNsec: ts[i]![1], capLen: d.length, origLen: i === 1 ? 3000 : d.length,
        linkType: 1, iface: 0, data: Array.from(d), fileOffset: offs[i], precision: nano ? 9 : 6,
      })));
    }
  }
});

test('pcap: a record inside one chunk is a view, not a copy', () => {
  const bytes = samplePcap(true, false);
  const { frames } = readCaptureSync(bytes);
  for (const f of frames) assert.equal(f.data.buffer, bytes.buffer);
});

test('pcap: tcpdump modified format (a1b2cd34, 24-byte record headers)', () => {
  const o = { modified: true, linkType: 113 };
  const bytes = pcapFile(o, [{ sec: 10, frac: 20, data: D[0]! }, { sec: 11, frac: 999999, data: D[3]! }]);
  const { frames, problems } = assertSameEverywhere(bytes, 'modified');
  assert.deepEqual(problems, []);
  assert.deepEqual(frames.map((f) => [f.number, f.tsSec, f.tsNsec, f.capLen, f.linkType, f.fileOffset]),
    [[1, 10, 20000, 60, 113, 24], [2, 11, 999999000, 77, 113, 24 + 24 + 60]]);
  assert.deepEqual(Array.from(frames[1]!.data), Array.from(D[3]!));
});

test('pcap: an out-of-range fraction carries into the seconds', () => {
  const { frames } = readCaptureSync(pcapFile({}, [{ sec: 1, frac: 2500000, data: D[0]! }]));
  assert.deepEqual([frames[0]!.tsSec, frames[0]!.tsNsec], [3, 500000000]);
});

// ---- pcapng -------------------------------------------------------------------------------------

test('pcapng: sections, byte orders, if_tsresol, if_tsoffset, SPB, PB, unknown blocks', () => {
  const { bytes, offsets } = samplePcapng();
  const { frames, problems } = assertSameEverywhere(bytes, 'pcapng');
  assert.deepEqual(problems, []);
  const info = readCaptureSync(bytes).parser.info;
  assert.deepEqual(info, {
    format: 'pcapng', linkType: 1, precision: 'per-interface', byteOrder: 'little', snapLen: 0, versionMajor: 1, versionMinor: 0,
  });
  const expect = [
    // [iface, linkType, tsSec, tsNsec, data, origLen, precision]
    [0, 1, 1700000000, 123456000, D[0]!, 100, 6],
    [1, 101, 1700001000, 123456789, D[1]!, 1514, 9],
    [1, 101, 1000, 5, D[3]!, 1000, 9],
    [0, 1, 0, 0, D[1]!.subarray(0, 600), 1600, 6],
    [0, 113, 1700000000 - 5, 500000000 + 953, D[0]!, 60, 6],
    [1, 0, 1700000000, 123000000, D[3]!, 77, 3],
    [0, 113, 0, 0, D[1]!.subarray(0, 64), 1514, 6],
    [2, 276, 17000000, 1234567, D[2]!, 0, 9],
    [1, 0, 0, 0, D[0]!, 60, 3],
  ] as const;
  assert.deepEqual(plain(frames), expect.map((e, i) => ({
    number: i + 1, tsSec: e[2], tsNsec: e[3], capLen: e[4].length, origLen: e[5], linkType: e[1], iface: e[0],
    data: Array.from(e[4]), fileOffset: offsets[i], precision: e[6],
  })));
});

test('pcapng: 64-bit timestamps beyond 2^53 units stay exact', () => {
  const le = true;
  const cases: [number, bigint, number, number][] = [
    // [if_tsresol, timestamp, tsSec, tsNsec]
    [9, 0xffffffffffffffffn, 18446744073, 709551615],
    [9, 1700000000999999999n, 1700000000, 999999999],
    [6, 0x7fffffffffffffffn, 9223372036854, 775807000],
    [0x80 | 32, (1700000000n << 32n) + 0x80000000n, 1700000000, 500000000],
    [0x80 | 30, (1n << 30n) - 1n, 0, 999999999],
    [10, 12345678901234567n, 1234567, 890123456],
  ];
  for (const [res, ts, sec, nsec] of cases) {
    const { frames, parser } = readCaptureSync(cat(shb(le), idb(le, 1, 0, { tsresol: res }), epb(le, 0, ts, D[0]!)));
    assert.deepEqual(parser.problems, []);
    assert.deepEqual([frames[0]!.tsSec, frames[0]!.tsNsec], [sec, nsec], `tsresol ${res} ts ${ts}`);
  }
});

test('random chunk sizes give the same frames and problems (fast-check)', () => {
  const { bytes } = samplePcapng();
  const files = [bytes, samplePcap(false, true), ...Object.values(damaged()).map((d) => d.bytes)];
  const whole = files.map((b) => parseIn(b));
  fc.assert(fc.property(fc.nat(files.length - 1), fc.array(fc.integer({ min: 1, max: 200 }), { minLength: 1, maxLength: 12 }), (i, sizes) => {
    const r = parseIn(files[i]!, sizes);
    assert.deepEqual(plain(r.frames), plain(whole[i]!.frames));
    assert.deepEqual(r.problems, whole[i]!.problems);
  }), { numRuns: 300 });
});

test('frames stay valid after later pushes', () => {
  const { bytes } = samplePcapng();
  const p = new CaptureParser();
  const frames: Frame[] = [];
  const copies: number[][] = [];
  for (let o = 0; o < bytes.length; o += 5) {
    p.push(bytes.slice(o, o + 5));
    for (let f = p.next(); f !== null; f = p.next()) {
      frames.push(f);
      copies.push(Array.from(f.data));
    }
  }
  p.end();
  assert.equal(p.next(), null);
  assert.equal(frames.length, 9);
  assert.deepEqual(frames.map((f) => Array.from(f.data)), copies);
});

// ---- bad input ----------------------------------------------------------------------------------

interface Damaged { bytes: Uint8Array; frames: number; problems: Partial<CaptureProblem>[] }

/** Problems after which the reader goes on (a block skipped, bad options ignored). */
const GOES_ON = new Set<CaptureProblemId>(['pcapng.block.too_short', 'pcapng.packet.caplen_exceeds_block', 'pcapng.packet.too_big', 'pcapng.packet.no_interface', 'pcapng.idb.bad_option']);

/** Damaged files with what the reader must say about them. */
function damaged(): Record<string, Damaged> {
  const le = true;
  const good3 = pcapFile({}, [0, 1, 2].map((i) => ({ sec: 100 + i, frac: 0, data: D[0]! })));
  const rec = pcapRecord({ sec: 9, frac: 9, data: D[3]! });
  const ngHead = cat(shb(le), idb(le, 1, 0));
  const ng2 = cat(ngHead, epb(le, 0, 1n, D[0]!), epb(le, 0, 2n, D[3]!));
  const e = epb(le, 0, 3n, D[0]!);
  const big = 4294967295;
  const S = shb(le).length;
  const I = idb(le, 1, 0).length;
  return {
    text: { bytes: new TextEncoder().encode('<!DOCTYPE html>\n<p>hello</p>\n'), frames: 0, problems: [{ offset: 0, frame: 1, fatal: true, id: 'file.unknown_format' }] },
    empty: { bytes: new Uint8Array(0), frames: 0, problems: [{ offset: 0, frame: 1, fatal: true, id: 'file.empty' }] },
    tiny: { bytes: Uint8Array.of(0xd4, 0xc3), frames: 0, problems: [{ offset: 0, frame: 1, fatal: true, id: 'file.too_short' }] },
    gzipSync: { bytes: Uint8Array.of(0x1f, 0x8b, 8, 0, 0, 0), frames: 0, problems: [{ offset: 0, frame: 1, fatal: true, id: 'file.gzip' }] },
    cutFileHeader: { bytes: good3.subarray(0, 10), frames: 0, problems: [{ offset: 0, frame: 1, fatal: true, id: 'pcap.header.truncated' }] },
    cutRecordHeader: { bytes: cat(good3, rec.subarray(0, 9)), frames: 3, problems: [{ offset: good3.length, frame: 4, fatal: true, id: 'pcap.record.truncated' }] },
    cutRecordData: { bytes: cat(good3, rec.subarray(0, 40)), frames: 3, problems: [{ offset: good3.length, frame: 4, fatal: true, id: 'pcap.record.truncated' }] },
    absurdCaplen: { bytes: cat(good3, pcapRecord({ sec: 1, frac: 0, data: D[0]!, capLen: 300000 }), rec), frames: 3, problems: [{ offset: good3.length, frame: 4, fatal: true, id: 'pcap.record.too_big' }] },
    maxCaplen: { bytes: cat(good3, pcapRecord({ sec: 1, frac: 0, data: payload(262144, 5) })), frames: 4, problems: [] },
    caplenOverOrig: { bytes: cat(good3, pcapRecord({ sec: 1, frac: 0, data: D[0]!, origLen: 40 }), rec), frames: 5, problems: [{ offset: good3.length, frame: 4, fatal: false, id: 'pcap.record.caplen_exceeds_origlen' }] },
    version1: { bytes: pcapFile({ major: 1, minor: 4 }, [{ sec: 1, frac: 0, data: D[0]! }]), frames: 0, problems: [{ offset: 0, frame: 1, fatal: true, id: 'pcap.version.unsupported' }] },
    version3: { bytes: pcapFile({ major: 3, minor: 4 }, [{ sec: 1, frac: 0, data: D[0]! }]), frames: 1, problems: [{ offset: 0, frame: 1, fatal: false, id: 'pcap.version.unusual' }] },
    ngLengthsDisagree: { bytes: cat(ng2, epb(le, 0, 3n, D[0]!, { trail: e.length + 4 }), e), frames: 2, problems: [{ offset: ng2.length, frame: 3, fatal: true, id: 'pcapng.block.length_mismatch' }] },
    ngUnknownLengthsDisagree: { bytes: cat(ng2, block(le, 0x12345678, payload(20, 1), { trail: 36 }), e), frames: 2, problems: [{ offset: ng2.length, frame: 3, fatal: true, id: 'pcapng.block.length_mismatch' }] },
    ngLengthNotMultipleOf4: { bytes: cat(ng2, epb(le, 0, 3n, D[0]!, { len: e.length - 2, trail: e.length }), e), frames: 4, problems: [{ offset: ng2.length, frame: 3, fatal: false, id: 'pcapng.block.misaligned' }] },
    ngLengthUnder12: { bytes: cat(ng2, u32(6, le), u32(8, le), u32(8, le), e), frames: 2, problems: [{ offset: ng2.length, frame: 3, fatal: true, id: 'pcapng.block.bad_length' }] },
    ngLengthHuge: { bytes: cat(ng2, u32(6, le), u32(0x7ffffff0, le), new Uint8Array(64)), frames: 2, problems: [{ offset: ng2.length, frame: 3, fatal: true, id: 'pcapng.block.too_big' }] },
    ngEpbTooShort: { bytes: cat(ng2, block(le, 6, new Uint8Array(8)), e), frames: 3, problems: [{ offset: ng2.length, frame: 3, fatal: false, id: 'pcapng.block.too_short' }] },
    ngCaplenOverBlock: { bytes: cat(ng2, epb(le, 0, 3n, D[0]!, { capLen: 200 }), e), frames: 3, problems: [{ offset: ng2.length, frame: 3, fatal: false, id: 'pcapng.packet.caplen_exceeds_block' }] },
    ngCaplenHuge: { bytes: cat(ng2, epb(le, 0, 3n, D[0]!, { capLen: big }), e), frames: 3, problems: [{ offset: ng2.length, frame: 3, fatal: false, id: 'pcapng.packet.too_big' }] },
    ngUndefinedInterface: { bytes: cat(ng2, epb(le, 3, 3n, D[0]!), e), frames: 3, problems: [{ offset: ng2.length, frame: 3, fatal: false, id: 'pcapng.packet.no_interface' }] },
    ngNoInterfaceYet: { bytes: cat(shb(le), spb(le, 60, D[0]!), idb(le, 1, 0), e), frames: 1, problems: [{ offset: S, frame: 1, fatal: false, id: 'pcapng.packet.no_interface' }] },
    ngBadBom: { bytes: cat(shb(le, { bom: 0x11223344 }), idb(le, 1, 0), e), frames: 0, problems: [{ offset: 0, frame: 1, fatal: true, id: 'pcapng.shb.bad_byte_order' }] },
    ngBadBomLater: { bytes: cat(ng2, shb(le, { bom: 0x11223344 }), idb(le, 1, 0), e), frames: 2, problems: [{ offset: ng2.length, frame: 3, fatal: true, id: 'pcapng.shb.bad_byte_order' }] },
    ngVersion2: { bytes: cat(shb(le, { major: 2 }), idb(le, 1, 0), e), frames: 0, problems: [{ offset: 0, frame: 1, fatal: true, id: 'pcapng.shb.unsupported_version' }] },
    ngCutHeader: { bytes: cat(ng2, e.subarray(0, 6)), frames: 2, problems: [{ offset: ng2.length, frame: 3, fatal: true, id: 'pcapng.packet.truncated' }] },
    ngCutBlock: { bytes: cat(ng2, e.subarray(0, e.length - 4)), frames: 2, problems: [{ offset: ng2.length, frame: 3, fatal: true, id: 'pcapng.packet.truncated' }] },
    ngCutIdb: { bytes: cat(shb(le), idb(le, 1, 0).subarray(0, 17)), frames: 0, problems: [{ offset: S, frame: 1, fatal: true, id: 'pcapng.block.truncated' }] },
    ngCutSkipped: { bytes: cat(ng2, block(le, 5, payload(40, 1)).subarray(0, 30)), frames: 2, problems: [{ offset: ng2.length, frame: 3, fatal: true, id: 'pcapng.block.truncated' }] },
    ngShbShort: { bytes: cat(ng2, block(le, 0x0a0d0d0a, cat(u32(0x1a2b3c4d, le), u16(1, le), u16(0, le))), e), frames: 2, problems: [{ offset: ng2.length, frame: 3, fatal: true, id: 'pcapng.shb.too_short' }] },
    ngCutShb: { bytes: shb(le).subarray(0, 20), frames: 0, problems: [{ offset: 0, frame: 1, fatal: true, id: 'pcapng.block.truncated' }] },
    ngBadOption: { bytes: cat(shb(le), idb(le, 1, 0, { raw: cat(u16(9, le), u16(200, le), [9, 0, 0, 0]) }), e), frames: 1, problems: [{ offset: S, frame: 1, fatal: false, id: 'pcapng.idb.bad_option' }] },
  };
}

test('damaged input: each case gives the expected frames and problems, whatever the chunking', () => {
  for (const [name, d] of Object.entries(damaged())) {
    const r = assertSameEverywhere(d.bytes, name);
    assert.equal(r.frames.length, d.frames, `${name}: frames`);
    assert.equal(r.problems.length, d.problems.length, `${name}: ${JSON.stringify(r.problems)}`);
    d.problems.forEach((want, i) => {
      for (const [k, v] of Object.entries(want)) assert.deepEqual((r.problems[i] as unknown as Record<string, unknown>)[k], v, `${name}: problem ${i} ${k}`);
    });
    // frames kept before the damage are numbered without gaps
    assert.deepEqual(r.frames.map((f) => f.number), r.frames.map((_, i) => i + 1));
  }
});

test('damaged input: a gzip header fed to the synchronous parser is reported as such', () => {
  assert.equal(only(readCaptureSync(gzipSync(samplePcap(true, false))).parser.problems).id, 'file.gzip');
});

test('damaged input: repeated non-fatal problems are reported at most 10 times', () => {
  const le = true;
  const blocks = Array.from({ length: 15 }, (_, i) => epb(le, 7, BigInt(i), D[0]!));
  const { frames, parser } = readCaptureSync(cat(shb(le), idb(le, 1, 0), ...blocks, epb(le, 0, 99n, D[3]!)));
  assert.equal(frames.length, 1);
  assert.equal(parser.problems.length, 10);
  assert.ok(parser.problems.every((p) => p.id === 'pcapng.packet.no_interface'));
  assert.match(parser.problems[9]!.message, /further problems of this kind are not reported\)$/);
  assert.ok(parser.problems.every((p) => !p.fatal && p.frame === 1));
});

test('pushes after a fatal problem are dropped; finished is set', () => {
  const p = new CaptureParser();
  p.push(new TextEncoder().encode('hello world'));
  assert.equal(p.next(), null);
  assert.equal(p.finished, true);
  p.push(samplePcap(true, false));
  assert.equal(p.next(), null);
  assert.equal(p.problems.length, 1);
  assert.equal(p.info, null);
});

test('readCaptureBatches: one batch per chunk, problems on the parser, source failure becomes a problem', async () => {
  const { bytes } = samplePcapng();
  const parser = new CaptureParser();
  const batches: Frame[][] = [];
  for await (const b of readCaptureBatches(chunksOf(bytes, 100), { parser })) batches.push(b);
  assert.ok(batches.length > 1 && batches.length <= Math.ceil(bytes.length / 100) + 1);
  assert.deepEqual(plain(batches.flat()), plain(readCaptureSync(bytes).frames));
  assert.deepEqual(parser.problems, []);

  const frames: Frame[] = [];
  for await (const f of readCapture(chunksOf(bytes, 64))) frames.push(f);
  assert.equal(frames.length, 9);

  async function* failing(): AsyncGenerator<Uint8Array> {
    yield bytes.subarray(0, 300);
    throw new Error('disk on fire');
  }
  const p2 = new CaptureParser();
  let n = 0;
  for await (const b of readCaptureBatches(failing(), { parser: p2 })) n += b.length;
  assert.equal(n, 1); // the second frame ends after byte 300
  const last = p2.problems.at(-1)!;
  assert.deepEqual({ ...last }, { id: 'source.failed', offset: 300, frame: 2, fatal: true, message: 'reading stopped: disk on fire' });
});

test('readCaptureBatches stops pulling from the source after a fatal problem', async () => {
  let pulls = 0;
  let closed = false;
  async function* source(): AsyncGenerator<Uint8Array> {
    try {
      for (let i = 0; i < 1000; i++) {
        pulls++;
        yield new TextEncoder().encode('not a capture at all ');
      }
    } finally {
      closed = true;
    }
  }
  const parser = new CaptureParser();
  for await (const b of readCaptureBatches(source(), { parser })) assert.fail(`unexpected frames ${b.length}`);
  assert.equal(pulls, 1);
  assert.equal(closed, true);
  assert.equal(only(parser.problems).fatal, true);
});

// ---- gzip ---------------------------------------------------------------------------------------

test('gzip: a fatal problem ends reading even when the source then stalls forever', { timeout: 5000 }, async () => {
  const gz = gzipSync(new TextEncoder().encode('this is not a capture file. '.repeat(2000)));
  async function* stalling(): AsyncGenerator<Uint8Array> {
    yield gz.subarray(0, gz.length - 8);
    await new Promise(() => undefined); // never resolves
  }
  const parser = new CaptureParser();
  for await (const b of readCaptureBatches(stalling(), { parser })) assert.fail(`unexpected frames ${b.length}`);
  assert.equal(only(parser.problems).id, 'file.unknown_format');
});

test('gzip: web DecompressionStream path (whole, chunked, concatenated members, cut short)', async () => {
  const { bytes } = samplePcapng();
  const want = plain(readCaptureSync(bytes).frames);
  const gz = gzipSync(bytes);
  for (const size of [gz.length, 1, 37]) {
    const parser = new CaptureParser();
    const got: Frame[] = [];
    for await (const b of readCaptureBatches(chunksOf(gz, size), { parser })) got.push(...b);
    assert.deepEqual(plain(got), want, `chunk size ${size}`);
    assert.deepEqual(parser.problems, []);
  }
  const two = cat(gzipSync(bytes.subarray(0, 333)), gzipSync(bytes.subarray(333)));
  const got2: Frame[] = [];
  for await (const f of readCapture(chunksOf(two, 50))) got2.push(f);
  assert.deepEqual(plain(got2), want);

  // gunzip itself
  const out: Uint8Array[] = [];
  for await (const c of gunzip(chunksOf(gz, 10))) out.push(c);
  assert.deepEqual(Array.from(cat(...out)), Array.from(bytes));

  const parser = new CaptureParser();
  const got3: Frame[] = [];
  for await (const b of readCaptureBatches(chunksOf(gz.subarray(0, gz.length - 200), 64), { parser })) got3.push(...b);
  assert.ok(got3.length > 0 && got3.length < want.length);
  const last = parser.problems.at(-1)!;
  assert.equal(last.fatal, true);
  assert.equal(last.id, 'source.failed');
});

test('gzip and plain files through the Node edge (openCaptureFile), errors as objects', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tcpscope-capture-'));
  try {
    const { bytes } = samplePcapng();
    const want = plain(readCaptureSync(bytes).frames);
    writeFileSync(join(dir, 'a.pcapng'), bytes);
    writeFileSync(join(dir, 'a.bin'), gzipSync(bytes)); // gzip found by magic, not by name
    writeFileSync(join(dir, 'cut.gz'), gzipSync(bytes).subarray(0, 400));
    for (const name of ['a.pcapng', 'a.bin']) {
      const r = await openCaptureFile(join(dir, name));
      assert.ok(r.ok);
      const got: Frame[] = [];
      for await (const b of r.batches) got.push(...b);
      assert.deepEqual(plain(got), want, name);
      assert.deepEqual(r.parser.problems, []);
      assert.equal(r.parser.info?.format, 'pcapng');
    }
    const cut = await openCaptureFile(join(dir, 'cut.gz'));
    assert.ok(cut.ok);
    for await (const b of cut.batches) void b;
    assert.equal(cut.parser.problems.at(-1)?.fatal, true);

    const missing = await openCaptureSource(join(dir, 'nope.pcap'));
    assert.deepEqual(missing, { ok: false, error: { path: join(dir, 'nope.pcap'), code: 'ENOENT', message: `cannot open ${JSON.stringify(join(dir, 'nope.pcap'))}: no such file or directory` } });
    const isDir = await openCaptureFile(dir);
    assert.ok(!isDir.ok);
    assert.equal(isDir.error.code, 'EISDIR');
    assert.equal(isDir.error.message, `cannot open ${JSON.stringify(dir)}: it is a directory`);
    if (process.getuid?.() !== 0) {
      writeFileSync(join(dir, 'secret.pcap'), bytes);
      chmodSync(join(dir, 'secret.pcap'), 0o000);
      const denied = await openCaptureFile(join(dir, 'secret.pcap'));
      assert.ok(!denied.ok);
      assert.equal(denied.error.code, 'EACCES');
      assert.match(denied.error.message, /permission denied$/);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('standard input ("-"), plain and gzip, through the Node edge', async () => {
  const { bytes } = samplePcapng();
  const nodeIo = fileURLToPath(new URL('../cli/node-io.js', import.meta.url));
  const script = `import { openCaptureFile } from ${JSON.stringify(nodeIo)};
const r = await openCaptureFile('-');
let n = 0; for await (const b of r.batches) n += b.length;
console.log(JSON.stringify({ n, problems: r.parser.problems.length }));`;
  for (const input of [bytes, gzipSync(bytes)]) {
    const out = await new Promise<string>((resolve, reject) => {
      const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['pipe', 'pipe', 'inherit'] });
      let s = '';
      child.stdout.on('data', (d: Buffer) => { s += d.toString(); });
      child.on('error', reject);
      child.on('close', () => resolve(s));
      // dribble it in small writes
      for (let o = 0; o < input.length; o += 100) child.stdin.write(input.subarray(o, o + 100));
      child.stdin.end();
    });
    assert.deepEqual(JSON.parse(out), { n: 9, problems: 0 });
  }
});

// ---- against tshark -----------------------------------------------------------------------------

/** The shared captures (../shared/captures beside the repository). */
const CORPUS = SHARED;

interface TsharkRead { ok: boolean; lines: string[] }

/** tshark's frames (epoch time, lengths, interface), and whether it read the whole file. */
async function tsharkRead(path: string): Promise<TsharkRead> {
  const r = await runTsharkAsync(['-n', '-r', path, '-T', 'fields', '-e', 'frame.time_epoch', '-e', 'frame.len', '-e', 'frame.cap_len', '-e', 'frame.interface_id']);
  return { ok: r.status === 0, lines: r.stdout.split('\n').filter((l) => l !== '') };
}

async function mapLimit<T, R>(items: T[], limit: number, fn: (x: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(Array.from({ length: limit }, async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  }));
  return out;
}

function asTsharkLine(f: Frame): string {
  return `${f.tsSec}.${String(f.tsNsec).padStart(9, '0')}\t${f.origLen}\t${f.capLen}\t${f.iface}`;
}
function normaliseTshark(line: string): string {
  const [t, len, cap, iface] = line.split('\t');
  return `${t}\t${len}\t${cap}\t${iface === undefined || iface === '' ? 0 : iface}`;
}

function walk(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...walk(p));
    else out.push(p);
  }
  return out.sort();
}

test('every file of the shared corpus reads without a throw, and like tshark', { skip: needs({ paths: [CORPUS] }) }, async (t) => {
  const files = walk(CORPUS);
  assert.ok(files.length > 20);
  const ours = files.map((f) => ({ f, ...readCaptureSync(readFileSync(f)) }));
  let captures = 0;
  for (const o of ours) {
    if (/\.pcap(ng)?$/.test(o.f) && !o.f.includes('invalid')) {
      captures++;
      assert.deepEqual(o.parser.problems, [], o.f);
      assert.ok(o.frames.length > 0, o.f);
    } else if (!/\.pcap(ng)?$/.test(o.f)) {
      assert.equal(o.parser.problems[0]?.fatal, true, `${o.f} is not a capture`);
    }
  }
  assert.ok(captures > 20);
  const noTshark = needs({ tshark: true, paths: [] });
  if (noTshark) {
    t.skip(`frame counts not compared: ${noTshark}`);
    return;
  }
  // Files whose magic is not pcap/pcapng are not compared: tshark opens some of them in other
  // formats (a JSON file as one record).
  const candidates = ours.filter((o) => !(o.parser.info === null && ['file.unknown_format', 'file.too_short', 'file.empty'].includes(o.parser.problems[0]?.id ?? '')));
  const theirs = await mapLimit(candidates.map((o) => o.f), 4, tsharkRead);
  let compared = 0;
  candidates.forEach((o, i) => {
    const ts = theirs[i]!;
    if (ts.ok) {
      compared++;
      assert.equal(o.frames.length, ts.lines.length, `${o.f}: frame count`);
      assert.deepEqual(o.frames.map(asTsharkLine), ts.lines.map(normaliseTshark), `${o.f}: times and lengths`);
    } else {
      // tshark refuses or stops: we must say so too
      assert.ok(o.parser.problems.some((p) => p.fatal), `${o.f}: tshark failed, we reported nothing fatal`);
    }
  });
  assert.ok(compared > 20);
});

test('damaged files: tshark keeps the same frames before the damage', { skip: needs({ tshark: true, paths: [] }) }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tcpscope-damaged-'));
  try {
    // Left out: files tshark falls back to reading as something else (an empty ERF file, a
    // one-record "MIME" file), and the cases where we go on past a block tshark stops at.
    const otherFormat = new Set(['empty', 'tiny', 'gzipSync', 'ngCutShb']);
    const goesOn = (d: Damaged): boolean => d.problems.some((p) => p.id !== undefined && GOES_ON.has(p.id));
    const cases = Object.entries(damaged()).filter(([name, d]) => !otherFormat.has(name) && !goesOn(d));
    const results = await mapLimit(cases, 4, async ([name, d]) => {
      const path = join(dir, `${name}.cap`);
      writeFileSync(path, d.bytes);
      return { name, d, ts: await tsharkRead(path) };
    });
    const mismatches: string[] = [];
    for (const { name, d, ts } of results) {
      const ours = parseIn(d.bytes);
      const fatal = ours.problems.some((p) => p.fatal);
      if (ts.lines.length !== ours.frames.length || ts.ok === fatal) {
        mismatches.push(`${name}: tshark read ${ts.lines.length} frames (${ts.ok ? 'no error' : 'error'}), we ${ours.frames.length} (fatal=${fatal})`);
      }
    }
    assert.deepEqual(mismatches, []);
    // blocks we skip (or whose bad options we ignore): tshark stops there, with the frames before
    const skipped = Object.entries(damaged()).filter(([, d]) => goesOn(d));
    const res2 = await mapLimit(skipped, 4, async ([name, d]) => {
      const path = join(dir, `${name}.cap`);
      writeFileSync(path, d.bytes);
      return { name, d, ts: await tsharkRead(path) };
    });
    for (const { name, d, ts } of res2) {
      const firstSkip = parseIn(d.bytes).problems.find((p) => GOES_ON.has(p.id))!;
      assert.equal(ts.ok, false, name);
      assert.equal(ts.lines.length, firstSkip.frame - 1, name);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
