/**
 * The public capture reader: an incremental, synchronous parser for pcap and pcapng that takes
 * bytes in chunks of any size and hands out frames whose data are views into those chunks.
 * Streaming (nothing accumulates), no Node APIs, and damage becomes a CaptureProblem, never a throw.
 */

import type { CaptureInfo, CaptureProblem, Frame } from './types.js';
import type { CaptureProblemId } from './problems.js';
import {
  MAX_PACKET_BYTES,
  PCAP_FILE_HEADER_LEN,
  checkPcapVersion,
  parsePcapHeader,
  pcapMagic,
  rd16,
  rd32,
} from './pcap.js';
import {
  BT_EPB,
  BT_IDB,
  BT_PB,
  BT_SHB,
  BT_SPB,
  MAX_BLOCK_BYTES,
  PCAPNG_BOM,
  blockName,
  isPacketBlock,
  minBlockLen,
  parseIdb,
  setTimestamp,
  type PcapngInterface,
} from './pcapng.js';
import { maybeGunzip } from './gzip.js';

export { MAX_PACKET_BYTES } from './pcap.js';
export { MAX_BLOCK_BYTES } from './pcapng.js';

const EMPTY = new Uint8Array(0);

/**
 * The unread input: a queue of the pushed chunks. Reads inside one chunk are views; only a
 * stretch that spans chunks is copied (once, into a fresh array that is never reused).
 */
class ByteQueue {
  private chunks: Uint8Array[] = [];
  private head = 0;
  /** chunks[head]: the chunk the read position is in. */
  cur: Uint8Array = EMPTY;
  /** Read position within `cur`. */
  pos = 0;
  /** Unread bytes in total. */
  avail = 0;
  /** File offset of the read position. */
  offset = 0;
  /** Set by ensure(): a contiguous view of the next bytes starts at pb[po]. */
  pb: Uint8Array = EMPTY;
  po = 0;

  push(c: Uint8Array): void {
    if (c.length === 0) return;
    if (this.avail === 0) {
      this.chunks = [c];
      this.head = 0;
      this.cur = c;
      this.pos = 0;
    } else {
      this.chunks.push(c);
    }
    this.avail += c.length;
  }

  /** Consume n bytes (n <= avail). */
  advance(n: number): void {
    this.avail -= n;
    this.offset += n;
    let p = this.pos + n;
    const chunks = this.chunks;
    while (p >= this.cur.length && this.head < chunks.length - 1) {
      p -= this.cur.length;
      chunks[this.head] = EMPTY; // let the consumed chunk go
      this.head++;
      this.cur = chunks[this.head]!;
    }
    this.pos = p;
    if (this.head > 1024) {
      this.chunks = chunks.slice(this.head);
      this.head = 0;
    }
  }

  /** Make the next n bytes readable at pb[po..]; false when fewer than n are buffered. */
  ensure(n: number): boolean {
    if (this.avail < n) return false;
    if (this.cur.length - this.pos >= n) {
      this.pb = this.cur;
      this.po = this.pos;
    } else {
      this.pb = this.gather(n);
      this.po = 0;
    }
    return true;
  }

  /** Consume and return the next n bytes (n <= avail): a view when they lie in one chunk. */
  take(n: number): Uint8Array {
    let out: Uint8Array;
    if (this.cur.length - this.pos >= n) out = this.cur.subarray(this.pos, this.pos + n);
    else out = this.gather(n);
    this.advance(n);
    return out;
  }

  /** Consume up to n bytes without looking at them; returns how many were consumed. */
  skip(n: number): number {
    const k = n < this.avail ? n : this.avail;
    this.advance(k);
    return k;
  }

  /** Drop everything buffered (after a fatal problem). */
  clear(): void {
    this.offset += this.avail;
    this.chunks = [];
    this.head = 0;
    this.cur = EMPTY;
    this.pos = 0;
    this.avail = 0;
  }

  private gather(n: number): Uint8Array {
    const out = new Uint8Array(n);
    let k = 0;
    let h = this.head;
    let p = this.pos;
    while (k < n) {
      const c = this.chunks[h]!;
      const m = Math.min(c.length - p, n - k);
      out.set(c.subarray(p, p + m), k);
      k += m;
      h++;
      p = 0;
    }
    return out;
  }
}

const S_MAGIC = 0;
const S_PCAP_HEADER = 1;
const S_PCAP_RECORD = 2;
const S_NG_BLOCK = 3;
const S_NG_SKIP = 4;
const S_DONE = 5;

/** Non-fatal problems of one kind reported at most this many times. */
const MAX_REPORTS_PER_KIND = 10;

function hex32(n: number): string {
  return '0x' + (n >>> 0).toString(16).padStart(8, '0');
}

/**
 * Incremental pcap/pcapng parser.
 *
 * Feed bytes with {@link push} (any chunk size, even 1 byte), call {@link end} after the last
 * chunk, and pull frames with {@link next} until it returns null. Frame.data is a view into a
 * pushed chunk (or, for a record that spans chunks, a fresh copy); the parser never writes to
 * a buffer it has handed out, so frames stay valid for as long as the caller keeps them.
 * Problems with the file are collected in {@link problems}; a fatal one stops reading.
 *
 * The format comes from the magic number: pcap (µs, ns, both byte orders, tcpdump's modified
 * pcap) or pcapng (any number of sections, both byte orders). gzip data is not decompressed
 * here (this class is synchronous): use {@link readCapture} / {@link readCaptureBatches}.
 */
export class CaptureParser {
  /** Every problem found so far, in file order. */
  readonly problems: CaptureProblem[] = [];

  private q = new ByteQueue();
  private state = S_MAGIC;
  private ended = false;
  private frames = 0;
  private received = 0;
  private infoValue: CaptureInfo | null = null;
  private reportCounts = new Map<CaptureProblemId, number>();

  // pcap
  private le = true;
  private nano = false;
  private recHdrLen = 16;
  private linkType = 0;

  // pcapng (per section)
  private ifaces: PcapngInterface[] = [];
  private skipLeft = 0;
  private skipStart = 0;
  private skipLen = 0;
  private skipPadded = 0;
  private skipType = 0;

  /** Facts from the file header; null until it has been read. */
  get info(): CaptureInfo | null {
    return this.infoValue;
  }

  /** True once no more frames will come: next() returned null after end(), or a fatal problem. */
  get finished(): boolean {
    return this.state === S_DONE;
  }

  /** Number of frames handed out so far. */
  get framesRead(): number {
    return this.frames;
  }

  /** Feed the next bytes of the file. Ignored after end() or a fatal problem. */
  push(chunk: Uint8Array): void {
    if (this.ended || this.state === S_DONE) return;
    this.received += chunk.length;
    this.q.push(chunk);
  }

  /** No more input: the next next() calls drain what is buffered, then report a cut file. */
  end(): void {
    this.ended = true;
  }

  /**
   * Stop reading with a fatal problem at the end of the bytes received so far, e.g. because the
   * byte source failed (read error, damaged gzip data). Frames already returned stay valid.
   */
  abort(reason: string, id: CaptureProblemId = 'source.failed'): void {
    if (this.state === S_DONE) return;
    this.fatal(id, this.received, reason);
  }

  /** The next complete frame, or null when more input is needed or reading is finished. */
  next(): Frame | null {
    for (;;) {
      switch (this.state) {
        case S_PCAP_RECORD: {
          const f = this.pcapRecord();
          if (f !== undefined) return f;
          break;
        }
        case S_NG_BLOCK: {
          const f = this.ngBlock();
          if (f !== undefined) return f;
          break;
        }
        case S_NG_SKIP:
          if (!this.ngSkip()) return null;
          break;
        case S_MAGIC:
          if (!this.magic()) return null;
          break;
        case S_PCAP_HEADER:
          if (!this.pcapHeader()) return null;
          break;
        default:
          return null;
      }
    }
  }

  // ---- problems -------------------------------------------------------------------------------

  private fatal(id: CaptureProblemId, offset: number, message: string): void {
    this.problems.push({ id, offset, frame: this.frames + 1, message, fatal: true });
    this.state = S_DONE;
    this.q.clear();
  }

  /** A non-fatal problem; each id is reported at most MAX_REPORTS_PER_KIND times. */
  private note(id: CaptureProblemId, offset: number, frame: number, message: string): void {
    const n = (this.reportCounts.get(id) ?? 0) + 1;
    this.reportCounts.set(id, n);
    if (n > MAX_REPORTS_PER_KIND) return;
    if (n === MAX_REPORTS_PER_KIND) message += ' (further problems of this kind are not reported)';
    this.problems.push({ id, offset, frame, message, fatal: false });
  }

  /** Not enough bytes for the next item: wait for more, or after end() finish / report the cut. */
  private stall(describe: () => readonly [CaptureProblemId, string]): null {
    if (!this.ended) return null;
    if (this.q.avail === 0) this.state = S_DONE;
    else {
      const [id, message] = describe();
      this.fatal(id, this.q.offset, message);
    }
    return null;
  }

  private cutFrame(what: string, offset: number, need: number): string {
    return `cut short in the middle of frame ${this.frames + 1} (${what} at offset ${offset} needs ${need} bytes, ${this.q.avail} available)`;
  }

  // ---- format detection -----------------------------------------------------------------------

  private magic(): boolean {
    const q = this.q;
    if (!q.ensure(4)) {
      if (this.ended) {
        if (q.avail === 0) this.fatal('file.empty', 0, 'empty file: not a pcap or pcapng file');
        else this.fatal('file.too_short', 0, `not a pcap or pcapng file (only ${q.avail} bytes)`);
      }
      return false;
    }
    const b = q.pb;
    const o = q.po;
    if (pcapMagic(b, o) !== null) {
      this.state = S_PCAP_HEADER;
      return true;
    }
    if (rd32(b, o, true) === BT_SHB) {
      this.state = S_NG_BLOCK;
      return true;
    }
    const m = rd32(b, o, false);
    if (b[o] === 0x1f && b[o + 1] === 0x8b) {
      this.fatal('file.gzip', 0, `gzip-compressed data (magic ${hex32(m)} at offset 0): decompress it first (readCapture() and the Node reader do this)`);
    } else {
      this.fatal('file.unknown_format', 0, `not a pcap or pcapng file (magic ${hex32(m)} at offset 0)`);
    }
    return false;
  }

  // ---- pcap -----------------------------------------------------------------------------------

  private pcapHeader(): boolean {
    const q = this.q;
    if (!q.ensure(PCAP_FILE_HEADER_LEN)) {
      this.stall(() => ['pcap.header.truncated', `cut short in the pcap file header (needs ${PCAP_FILE_HEADER_LEN} bytes, ${q.avail} available)`]);
      return false;
    }
    const h = parsePcapHeader(q.pb, q.po)!;
    const v = checkPcapVersion(h);
    if (v !== null && v.fatal) {
      this.fatal('pcap.version.unsupported', 0, v.message);
      return false;
    }
    if (v !== null) this.note('pcap.version.unusual', 0, 1, v.message);
    this.le = h.le;
    this.nano = h.nano;
    this.recHdrLen = h.recordHeaderLen;
    this.linkType = h.linkType;
    this.infoValue = {
      format: 'pcap',
      linkType: h.linkType,
      precision: h.nano ? 'ns' : 'us',
      byteOrder: h.le ? 'little' : 'big',
      snapLen: h.snapLen,
      versionMajor: h.versionMajor,
      versionMinor: h.versionMinor,
    };
    q.advance(PCAP_FILE_HEADER_LEN);
    this.state = S_PCAP_RECORD;
    return true;
  }

  /** A frame; null when stalled or finished; undefined when the state changed (loop again). */
  private pcapRecord(): Frame | null | undefined {
    const q = this.q;
    const hl = this.recHdrLen;
    const start = q.offset;
    if (!q.ensure(hl)) return this.stall(() => ['pcap.record.truncated', this.cutFrame('record', start, hl)]);
    const b = q.pb;
    const o = q.po;
    const le = this.le;
    let sec = rd32(b, o, le);
    let frac = rd32(b, o + 4, le);
    const capLen = rd32(b, o + 8, le);
    const origLen = rd32(b, o + 12, le);
    if (capLen > MAX_PACKET_BYTES) {
      this.fatal('pcap.record.too_big', start, `frame ${this.frames + 1}: the record at offset ${start} claims ${capLen} captured bytes, more than the ${MAX_PACKET_BYTES}-byte maximum; the file is damaged and nothing after this point can be read`);
      return undefined;
    }
    if (q.avail < hl + capLen) return this.stall(() => ['pcap.record.truncated', this.cutFrame('record', start, hl + capLen)]);
    q.advance(hl);
    const data = q.take(capLen);
    const number = ++this.frames;
    if (capLen > origLen) {
      this.note('pcap.record.caplen_exceeds_origlen', start, number, `frame ${number}: captured length ${capLen} is larger than the original length ${origLen} (record at offset ${start}); kept as is`);
    }
    let nsec: number;
    if (this.nano) {
      if (frac >= 1_000_000_000) { sec += Math.floor(frac / 1_000_000_000); frac %= 1_000_000_000; }
      nsec = frac;
    } else {
      if (frac >= 1_000_000) { sec += Math.floor(frac / 1_000_000); frac %= 1_000_000; }
      nsec = frac * 1000;
    }
    return {
      number,
      tsSec: sec,
      tsNsec: nsec,
      capLen,
      origLen,
      linkType: this.linkType,
      iface: 0,
      data,
      fileOffset: start,
      precision: this.nano ? 9 : 6,
    };
  }

  // ---- pcapng ---------------------------------------------------------------------------------

  private ngBlock(): Frame | null | undefined {
    const q = this.q;
    const start = q.offset;
    if (!q.ensure(8)) {
      return this.stall(() => {
        if (q.ensure(4)) {
          const t = rd32(q.pb, q.po, this.le);
          if (isPacketBlock(t)) return ['pcapng.packet.truncated', this.cutFrame(blockName(t), start, 8)] as const;
          return ['pcapng.block.truncated', `cut short in the ${blockName(t)} at offset ${start} (needs at least 8 bytes, ${q.avail} available)`] as const;
        }
        return ['pcapng.block.truncated', `cut short in a block header at offset ${start} (needs 8 bytes, ${q.avail} available)`] as const;
      });
    }
    let le = this.le;
    let type = rd32(q.pb, q.po, le);
    if (type === BT_SHB) {
      if (!q.ensure(12)) {
        return this.stall(() => ['pcapng.block.truncated', `cut short in the section header block at offset ${start} (needs at least 12 bytes, ${q.avail} available)`]);
      }
      const bomLe = rd32(q.pb, q.po + 8, true);
      if (bomLe === PCAPNG_BOM) le = true;
      else if (rd32(q.pb, q.po + 8, false) === PCAPNG_BOM) le = false;
      else {
        this.fatal('pcapng.shb.bad_byte_order', start, start === 0
          ? `not a pcapng file (the section header at offset 0 has byte-order magic ${hex32(bomLe)}, expected 0x1a2b3c4d)`
          : `the section header block at offset ${start} has a bad byte-order magic ${hex32(bomLe)}; nothing after it can be read`);
        return undefined;
      }
      type = BT_SHB;
    }
    const name = blockName(type);
    const len = rd32(q.pb, q.po + 4, le);
    if (len < 12) {
      this.fatal('pcapng.block.bad_length', start, `the ${name} at offset ${start} has length ${len}, less than the 12-byte minimum, so the next block cannot be found`);
      return undefined;
    }
    if (len > MAX_BLOCK_BYTES) {
      this.fatal('pcapng.block.too_big', start, `the ${name} at offset ${start} claims a length of ${len} bytes, more than the ${MAX_BLOCK_BYTES}-byte limit; the file is damaged and nothing after this point can be read`);
      return undefined;
    }
    const padded = (len + 3) & ~3;
    const known = type === BT_SHB || type === BT_IDB || isPacketBlock(type);
    if (!known) {
      // Stream past it without buffering, then check the trailing length.
      q.advance(8);
      this.skipStart = start;
      this.skipLen = len;
      this.skipPadded = padded;
      this.skipType = type;
      this.skipLeft = padded - 12;
      this.state = S_NG_SKIP;
      return undefined;
    }
    if (q.avail < padded) {
      return this.stall(() => isPacketBlock(type)
        ? ['pcapng.packet.truncated', this.cutFrame(name, start, padded)]
        : ['pcapng.block.truncated', `cut short in the ${name} at offset ${start} (needs ${padded} bytes, ${q.avail} available)`]);
    }
    q.ensure(padded); // a view into the chunk when the block lies within it, else a copy
    const b = q.pb;
    const base = q.po;
    q.advance(padded);
    const trail = rd32(b, base + padded - 4, le);
    if (trail !== len && trail !== padded) {
      this.fatal('pcapng.block.length_mismatch', start, `the ${name} at offset ${start} has leading length ${len} but trailing length ${trail}, so the next block cannot be found`);
      return undefined;
    }
    if (padded !== len) this.alignNote(name, start, len, padded);
    const min = minBlockLen(type);
    if (padded < min && type === BT_SHB) {
      this.fatal('pcapng.shb.too_short', start, `the section header block at offset ${start} is ${len} bytes long, shorter than the ${min}-byte minimum; nothing after it can be read`);
      return undefined;
    }
    if (padded < min) {
      this.note('pcapng.block.too_short', start, this.frames + 1, `the ${name} at offset ${start} is ${len} bytes long, shorter than the ${min}-byte minimum; block skipped`);
      return undefined;
    }
    if (type === BT_SHB) return this.shb(b, base, start, le);
    if (type === BT_IDB) {
      const { iface, note } = parseIdb(b.subarray(base, base + padded), padded, le);
      if (note !== null) this.note('pcapng.idb.bad_option', start, this.frames + 1, `interface description block at offset ${start}: ${note}`);
      this.ifaces.push(iface);
      const info = this.infoValue!;
      if (info.linkType === -1) {
        info.linkType = iface.linkType;
        info.snapLen = iface.snapLen;
      }
      return undefined;
    }
    return this.packet(type, name, b, base, padded, start, le);
  }

  private shb(b: Uint8Array, base: number, start: number, le: boolean): undefined {
    const major = rd16(b, base + 12, le);
    const minor = rd16(b, base + 14, le);
    if (major !== 1 || (minor !== 0 && minor !== 2)) {
      this.fatal('pcapng.shb.unsupported_version', start, `unsupported pcapng version ${major}.${minor} in the section header block at offset ${start} (1.0 and 1.2 can be read)`);
      return undefined;
    }
    this.le = le;
    this.ifaces = [];
    if (this.infoValue === null) {
      this.infoValue = {
        format: 'pcapng',
        linkType: -1,
        precision: 'per-interface',
        byteOrder: le ? 'little' : 'big',
        snapLen: 0,
        versionMajor: major,
        versionMinor: minor,
      };
    }
    return undefined;
  }

  private packet(type: number, name: string, b: Uint8Array, base: number, padded: number, start: number, le: boolean): Frame | undefined {
    let ifIndex: number;
    let hi = 0;
    let lo = 0;
    let capLen: number;
    let origLen: number;
    let dataOff: number;
    const room = padded - (type === BT_SPB ? 16 : 32);
    if (type === BT_EPB) {
      ifIndex = rd32(b, base + 8, le);
      hi = rd32(b, base + 12, le);
      lo = rd32(b, base + 16, le);
      capLen = rd32(b, base + 20, le);
      origLen = rd32(b, base + 24, le);
      dataOff = base + 28;
    } else if (type === BT_PB) {
      ifIndex = rd16(b, base + 8, le);
      hi = rd32(b, base + 12, le);
      lo = rd32(b, base + 16, le);
      capLen = rd32(b, base + 20, le);
      origLen = rd32(b, base + 24, le);
      dataOff = base + 28;
    } else {
      ifIndex = 0;
      origLen = rd32(b, base + 8, le);
      capLen = Math.min(origLen, room);
      dataOff = base + 12;
    }
    const next = this.frames + 1;
    const ifc = this.ifaces[ifIndex];
    if (ifc === undefined) {
      const n = this.ifaces.length;
      this.note('pcapng.packet.no_interface', start, next, `the ${name} at offset ${start} refers to interface ${ifIndex}, but its section defines ${n === 0 ? 'no interface' : n === 1 ? 'only interface 0' : `only interfaces 0 to ${n - 1}`}; block skipped`);
      return undefined;
    }
    if (type === BT_SPB && ifc.snapLen !== 0 && capLen > ifc.snapLen) capLen = ifc.snapLen;
    if (capLen > MAX_PACKET_BYTES) {
      this.note('pcapng.packet.too_big', start, next, `the ${name} at offset ${start} holds a ${capLen}-byte packet, more than the ${MAX_PACKET_BYTES}-byte maximum; block skipped`);
      return undefined;
    }
    if (capLen > room) {
      this.note('pcapng.packet.caplen_exceeds_block', start, next, `the ${name} at offset ${start} says it holds ${capLen} captured bytes but has room for only ${room}; block skipped`);
      return undefined;
    }
    const number = ++this.frames;
    if (capLen > origLen) {
      this.note('pcapng.packet.caplen_exceeds_origlen', start, number, `frame ${number}: captured length ${capLen} is larger than the original length ${origLen} (${name} at offset ${start}); kept as is`);
    }
    const f: Frame = {
      number,
      tsSec: 0,
      tsNsec: 0,
      capLen,
      origLen,
      linkType: ifc.linkType,
      iface: ifIndex,
      data: b.subarray(dataOff, dataOff + capLen),
      fileOffset: start,
      precision: ifc.precision,
    };
    if (type !== BT_SPB) setTimestamp(f, hi, lo, ifc);
    return f;
  }

  private alignNote(name: string, start: number, len: number, padded: number): void {
    this.note('pcapng.block.misaligned', start, this.frames + 1, `the ${name} at offset ${start} has length ${len}, not a multiple of 4; read as ${padded}`);
  }

  /** Skip the body of a block not decoded (without buffering it), then check its trailing length. */
  private ngSkip(): boolean {
    const q = this.q;
    const start = this.skipStart;
    const name = blockName(this.skipType);
    if (this.skipLeft > 0) this.skipLeft -= q.skip(this.skipLeft);
    if (this.skipLeft > 0 || !q.ensure(4)) {
      if (this.ended) {
        const have = q.offset + q.avail - start;
        this.fatal('pcapng.block.truncated', start, `cut short in the ${name} at offset ${start} (needs ${this.skipPadded} bytes, ${have} available)`);
      }
      return false;
    }
    const trail = rd32(q.pb, q.po, this.le);
    if (trail !== this.skipLen && trail !== this.skipPadded) {
      this.fatal('pcapng.block.length_mismatch', start, `the ${name} at offset ${start} has leading length ${this.skipLen} but trailing length ${trail}, so the next block cannot be found`);
      return false;
    }
    q.advance(4);
    if (this.skipPadded !== this.skipLen) this.alignNote(name, start, this.skipLen, this.skipPadded);
    this.state = S_NG_BLOCK;
    return true;
  }
}

/**
 * Read a capture that is wholly in memory. Returns every frame (an array) and the parser, whose
 * `problems` and `info` tell what was found. gzip data is reported, not decompressed.
 */
export function readCaptureSync(bytes: Uint8Array): { frames: Frame[]; parser: CaptureParser } {
  const parser = new CaptureParser();
  parser.push(bytes);
  parser.end();
  const frames: Frame[] = [];
  for (let f = parser.next(); f !== null; f = parser.next()) frames.push(f);
  return { frames, parser };
}

/** Options of {@link readCaptureBatches} and {@link readCapture}. */
export interface ReadOptions {
  /** The parser to use, so the caller can look at its `problems` and `info` (default: a new one). */
  parser?: CaptureParser;
  /** Decompress gzip input (found by its magic) with DecompressionStream. Default true. */
  gunzip?: boolean;
}

function errorText(e: unknown): string {
  if (e instanceof Error) return e.message;
  return String(e);
}

/**
 * Read a capture from a stream of chunks, yielding the frames of each input chunk as one array
 * (empty arrays are not yielded). Never throws for bad input or a failing source: problems go
 * to `options.parser.problems`. Stops pulling from the source after a fatal problem.
 */
export async function* readCaptureBatches(chunks: AsyncIterable<Uint8Array>, options: ReadOptions = {}): AsyncGenerator<Frame[]> {
  const parser = options.parser ?? new CaptureParser();
  const source = options.gunzip === false ? chunks : maybeGunzip(chunks);
  let failed: string | null = null;
  try {
    for await (const chunk of source) {
      parser.push(chunk);
      const out: Frame[] = [];
      for (let f = parser.next(); f !== null; f = parser.next()) out.push(f);
      if (out.length > 0) yield out;
      if (parser.finished) return;
    }
  } catch (e) {
    failed = errorText(e);
  }
  if (failed !== null) {
    // Frames complete before the failure still count; then stop at the failure.
    const out: Frame[] = [];
    for (let f = parser.next(); f !== null; f = parser.next()) out.push(f);
    parser.abort(`reading stopped: ${failed}`);
    if (out.length > 0) yield out;
    return;
  }
  parser.end();
  const out: Frame[] = [];
  for (let f = parser.next(); f !== null; f = parser.next()) out.push(f);
  if (out.length > 0) yield out;
}

/** Like {@link readCaptureBatches}, one frame at a time (simpler, a little slower). */
export async function* readCapture(chunks: AsyncIterable<Uint8Array>, options: ReadOptions = {}): AsyncGenerator<Frame> {
  for await (const batch of readCaptureBatches(chunks, options)) yield* batch;
}
