/**
 * pcapng format knowledge: block types, section and interface blocks, exact timestamp
 * conversion for any if_tsresol. Pure functions on whole-block byte views; reader.ts does the
 * framing and buffering.
 */

import { rd16, rd32 } from './pcap.js';

/** Block types: section header, interface description, obsolete packet, simple packet, enhanced packet. */
export const BT_SHB = 0x0a0d0d0a;
export const BT_IDB = 1;
export const BT_PB = 2;
export const BT_SPB = 3;
export const BT_EPB = 6;
/** Byte-order magic of the section header block. */
export const PCAPNG_BOM = 0x1a2b3c4d;
/**
 * Largest block length believed. Larger means the file is damaged (Wireshark 4.0's own limit
 * is about the same size).
 */
export const MAX_BLOCK_BYTES = 128 * 1024 * 1024;

/** Minimum total length of a block the reader decodes (12 for any other type). */
export function minBlockLen(type: number): number {
  switch (type) {
    case BT_SHB: return 28;
    case BT_IDB: return 20;
    case BT_PB: case BT_EPB: return 32;
    case BT_SPB: return 16;
    default: return 12;
  }
}

/** Human name of a block type, for messages. */
export function blockName(type: number): string {
  switch (type) {
    case BT_SHB: return 'section header block';
    case BT_IDB: return 'interface description block';
    case BT_PB: return 'packet block';
    case BT_SPB: return 'simple packet block';
    case 4: return 'name resolution block';
    case 5: return 'interface statistics block';
    case BT_EPB: return 'enhanced packet block';
    case 10: return 'decryption secrets block';
    case 0xbad: case 0x40000bad: return 'custom block';
    default: return `block of type 0x${type.toString(16).padStart(8, '0')}`;
  }
}

/** True for the block types that carry a packet. */
export function isPacketBlock(type: number): boolean {
  return type === BT_EPB || type === BT_SPB || type === BT_PB;
}

/** An interface of the current section, as its IDB describes it. */
export interface PcapngInterface {
  linkType: number;
  /** 0 means no limit. */
  snapLen: number;
  /** if_tsresol: units per second are 10^tsExp (tsBinary false) or 2^tsExp (tsBinary true). */
  tsBinary: boolean;
  tsExp: number;
  /** if_tsoffset, in seconds (added to every timestamp). */
  tsOffset: number;
  /** 10^tsExp when decimal with tsExp <= 9 (the exact fast path), else 0. */
  divisor: number;
  /** Nanoseconds per unit on the fast path: 10^(9 - tsExp). */
  nsPerUnit: number;
  /** Digits Wireshark shows for this resolution: 0, 1, 2, 3, 6 or 9 (Frame.precision). */
  precision: number;
}

/**
 * Wireshark's display precision for a timestamp resolution: the resolution's decimal digits
 * (for 2^-n: floor(n log10 2)), rounded down to one of 0, 1, 2, 3, 6, 9.
 */
export function displayPrecision(tsBinary: boolean, tsExp: number): number {
  const digits = tsBinary ? Math.floor(tsExp * Math.log10(2)) : tsExp;
  return digits >= 9 ? 9 : digits >= 6 ? 6 : digits >= 3 ? 3 : digits;
}

/** Build an interface record (defaults: microseconds, no offset). */
export function makeInterface(linkType: number, snapLen: number, tsBinary = false, tsExp = 6, tsOffset = 0): PcapngInterface {
  const fast = !tsBinary && tsExp <= 9;
  return {
    linkType,
    snapLen,
    tsBinary,
    tsExp,
    tsOffset,
    divisor: fast ? 10 ** tsExp : 0,
    nsPerUnit: fast ? 10 ** (9 - tsExp) : 0,
    precision: displayPrecision(tsBinary, tsExp),
  };
}

/**
 * Decode an interface description block (whole block, `len` bytes from its start). Returns the
 * interface and, when its options are malformed, a note (the options read so far still count).
 */
export function parseIdb(b: Uint8Array, len: number, le: boolean): { iface: PcapngInterface; note: string | null } {
  const linkType = rd16(b, 8, le);
  const snapLen = rd32(b, 12, le);
  let tsBinary = false;
  let tsExp = 6;
  let tsOffset = 0;
  let note: string | null = null;
  const end = len - 4;
  let o = 16;
  while (o + 4 <= end) {
    const code = rd16(b, o, le);
    const olen = rd16(b, o + 2, le);
    if (code === 0) break;
    const v = o + 4;
    if (v + olen > end) {
      note = `option ${code} of the interface description block overruns the block; the rest of its options are ignored`;
      break;
    }
    if (code === 9 && olen >= 1) {
      const r = b[v]!;
      tsBinary = (r & 0x80) !== 0;
      tsExp = r & 0x7f;
    } else if (code === 14 && olen >= 8) {
      // signed 64-bit seconds
      const lo = rd32(b, le ? v : v + 4, le);
      const hi = rd32(b, le ? v + 4 : v, le) | 0;
      tsOffset = hi * 4294967296 + lo;
    }
    o = v + ((olen + 3) & ~3);
  }
  return { iface: makeInterface(linkType, snapLen, tsBinary, tsExp, tsOffset), note };
}

/** Something with timestamp fields to fill (a Frame). */
export interface HasTimestamp {
  tsSec: number;
  tsNsec: number;
}

/**
 * Convert a 64-bit timestamp (hi:lo, in the interface's units) into seconds and nanoseconds,
 * exactly: plain doubles below 2^53, 16-bit long division above, BigInt for unusual units.
 * Fractions of a nanosecond are truncated (as Wireshark does).
 */
export function setTimestamp(out: HasTimestamp, hi: number, lo: number, ifc: PcapngInterface): void {
  const d = ifc.divisor;
  if (d !== 0) {
    let s: number;
    let r: number;
    if (hi < 0x200000) {
      const v = hi * 4294967296 + lo;
      s = Math.floor(v / d);
      r = v - s * d;
      if (r < 0) { s -= 1; r += d; } else if (r >= d) { s += 1; r -= d; }
    } else {
      // Long division by 16-bit digits: every intermediate stays below 2^46.
      let q = 0;
      r = 0;
      const digits = [hi >>> 16, hi & 0xffff, lo >>> 16, lo & 0xffff];
      for (let i = 0; i < 4; i++) {
        const cur = r * 65536 + digits[i]!;
        const qd = Math.floor(cur / d);
        r = cur - qd * d;
        q = q * 65536 + qd;
      }
      s = q;
    }
    out.tsSec = s + ifc.tsOffset;
    out.tsNsec = r * ifc.nsPerUnit;
    return;
  }
  const v = (BigInt(hi) << 32n) | BigInt(lo);
  let sec: bigint;
  let ns: bigint;
  if (ifc.tsBinary) {
    const n = BigInt(ifc.tsExp);
    sec = v >> n;
    ns = ((v & ((1n << n) - 1n)) * 1_000_000_000n) >> n;
  } else {
    const div = 10n ** BigInt(ifc.tsExp);
    sec = v / div;
    ns = ((v % div) * 1_000_000_000n) / div;
  }
  out.tsSec = Number(sec) + ifc.tsOffset;
  out.tsNsec = Number(ns);
}
