/**
 * The TCP layer of a decoded packet, with its options read on demand. Decoding checks the options
 * at once (their problems belong to the packet) but makes no object for them: most readers never
 * look at them (the tracker wants SACK blocks, which `optionKinds` says are there, and a SYN's
 * window scale), and one object per option per packet was a measurable share of the garbage.
 * `options` parses them on first use from the frame's bytes, which never change.
 */
import type { TcpLayer, TcpOption } from './types.js';
import type { Walk } from './walk.js';

const u16 = (d: Uint8Array, o: number): number => (d[o]! << 8) | d[o + 1]!;
const u32 = (d: Uint8Array, o: number): number => ((d[o]! << 24) | (d[o + 1]! << 16) | (d[o + 2]! << 8) | d[o + 3]!) >>> 0;
const NONE: TcpOption[] = [];

export class TcpHeader implements TcpLayer {
  readonly kind = 'tcp' as const;
  offset = 0;
  captured = 0;
  srcPort = 0;
  dstPort = 0;
  seq = 0;
  ack = 0;
  hdrLen = 0;
  flags = 0;
  window = 0;
  checksum = 0;
  urgent = 0;
  len = 0;
  payloadOffset = 0;
  payloadCaptured = 0;
  optionKinds = 0;
  declare quoted?: boolean;
  declare inError?: boolean;
  /** the bytes the header was decoded from, and the end of its captured options (0: none read) */
  #d: Uint8Array;
  #optEnd = 0;
  #options: TcpOption[] | undefined;

  constructor(d: Uint8Array) { this.#d = d; }

  /** Check the options (reporting their problems to the walk) and note which kinds are there. */
  scanOptions(w: Walk, capEnd: number): void {
    this.#optEnd = capEnd;
    this.optionKinds = tcpOptions(this.#d, this.offset + 20, capEnd, this.offset + this.hdrLen, null, w);
  }

  get options(): TcpOption[] {
    if (this.#options === undefined) {
      if (this.#optEnd === 0) this.#options = NONE;
      else {
        this.#options = [];
        tcpOptions(this.#d, this.offset + 20, this.#optEnd, this.offset + this.hdrLen, this.#options, null);
      }
    }
    return this.#options;
  }
}

/**
 * Walk the options from `p` to the header's end `hdrEnd` (bytes past `capEnd` were not captured):
 * push each into `out` (when given), report problems to `w` (when given); returns the
 * `optionKinds` bits. The same walk both times, so the two cannot disagree.
 */
function tcpOptions(d: Uint8Array, p: number, capEnd: number, hdrEnd: number, out: TcpOption[] | null, w: Walk | null): number {
  let bits = 0;
  while (p < hdrEnd) {
    if (p >= capEnd) return bits;
    const kind = d[p]!;
    if (kind === 0) { out?.push({ kind: 0, offset: p, length: 1 }); return bits | 1; }
    if (kind === 1) { out?.push({ kind: 1, offset: p, length: 1 }); bits |= 2; p++; continue; }
    if (p + 1 >= hdrEnd) {
      out?.push({ kind: 'other', code: kind, offset: p, length: 1, malformed: 'option length missing' });
      w?.malformed('tcp', `TCP option ${kind} has no length byte`, 'tcp-option-no-length');
      return bits;
    }
    if (p + 1 >= capEnd) return bits;
    const len = d[p + 1]!;
    if (len < 2 || p + len > hdrEnd) {
      out?.push({ kind: 'other', code: kind, offset: p, length: len, malformed: `option length ${len} is invalid` });
      w?.malformed('tcp', `TCP option ${kind} has an invalid length ${len}`, 'tcp-option-bad-length');
      return bits;
    }
    if (p + len > capEnd) return bits;
    switch (kind) {
      case 2:
        if (len !== 4) { bad(out, w, kind, p, len, 4); break; }
        bits |= 1 << 2; out?.push({ kind: 2, offset: p, length: len, mss: u16(d, p + 2) }); break;
      case 3:
        if (len !== 3) { bad(out, w, kind, p, len, 3); break; }
        bits |= 1 << 3; out?.push({ kind: 3, offset: p, length: len, shift: d[p + 2]! }); break;
      case 4:
        if (len !== 2) { bad(out, w, kind, p, len, 2); break; }
        bits |= 1 << 4; out?.push({ kind: 4, offset: p, length: len }); break;
      case 5: {
        if ((len - 2) % 8 !== 0) { bad(out, w, kind, p, len, 10); break; }
        bits |= 1 << 5;
        if (out) {
          const blocks: Array<[number, number]> = [];
          for (let q = p + 2; q + 8 <= p + len; q += 8) blocks.push([u32(d, q), u32(d, q + 4)]);
          out.push({ kind: 5, offset: p, length: len, blocks });
        }
        break;
      }
      case 8:
        if (len !== 10) { bad(out, w, kind, p, len, 10); break; }
        bits |= 1 << 8; out?.push({ kind: 8, offset: p, length: len, tsval: u32(d, p + 2), tsecr: u32(d, p + 6) }); break;
      default: out?.push({ kind: 'other', code: kind, offset: p, length: len });
    }
    p += len;
  }
  return bits;
}

function bad(out: TcpOption[] | null, w: Walk | null, kind: number, offset: number, length: number, want: number): void {
  w?.malformed('tcp', `TCP option ${kind}: length ${length}, should be ${want}`, 'tcp-option-wrong-length');
  out?.push({ kind: 'other', code: kind, offset, length, malformed: `option length should be ${want}` });
}
