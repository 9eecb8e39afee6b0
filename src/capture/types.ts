/**
 * What a capture reader yields. Readers are pure (no Node imports): they take bytes and give
 * frames, so the same code runs in the CLI, in tests and in the browser.
 */
import type { CaptureProblemId } from './problems.js';

export type { CaptureProblemId } from './problems.js';

/** One captured packet record, as stored in the file. */
export interface Frame {
  /** 1-based frame number, as Wireshark counts (across all sections and interfaces). */
  number: number;
  /** Seconds since the Unix epoch (integer part; may be negative for odd files). */
  tsSec: number;
  /** Nanoseconds within the second, 0..999_999_999. */
  tsNsec: number;
  /** Bytes captured (the length of `data`). */
  capLen: number;
  /** Bytes on the wire (may exceed capLen when the snapshot length cut the packet). */
  origLen: number;
  /** LINKTYPE_* of the interface the packet came from. */
  linkType: number;
  /** pcapng interface index (0 for pcap). */
  iface: number;
  /**
   * The packet bytes: a view into an input chunk (or a fresh copy when the record spanned
   * chunks). The reader never overwrites a buffer it handed out, so it stays valid; note that
   * keeping it keeps its whole input chunk in memory (`data.slice()` to keep just the packet).
   */
  data: Uint8Array;
  /** Byte offset of this record in the (decompressed) capture file. */
  fileOffset: number;
  /** Decimal digits of the timestamp resolution (6 for µs, 9 for ns), as Wireshark shows times. */
  precision?: number;
  /** Capture sets (src/capture/merge.ts): index of the source file this frame came from (0-based, in the order given). */
  file?: number;
}

/** Something wrong with the capture file itself (not with a packet's headers). */
export interface CaptureProblem {
  /** What is wrong, as a stable id (src/capture/problems.ts); match this, not the message. */
  id: CaptureProblemId;
  /** Byte offset in the (decompressed) file where the problem starts. */
  offset: number;
  /** The frame number the problem concerns (the next frame when a record could not be read). */
  frame: number;
  /** The problem in one English line, with offsets and numbers (what the CLI prints). */
  message: string;
  /** True when reading stopped here: nothing after `offset` was read. */
  fatal: boolean;
}

export type CaptureFormat = 'pcap' | 'pcapng';

/** Facts about the file, known once its header has been read. */
export interface CaptureInfo {
  format: CaptureFormat;
  /** pcap: the file's link type; pcapng: the first interface's, -1 until one is described (each frame carries its own). */
  linkType: number;
  /** pcap: 'us' or 'ns'; pcapng: 'per-interface'. */
  precision: 'us' | 'ns' | 'per-interface';
  byteOrder: 'little' | 'big';
  snapLen: number;
  versionMajor: number;
  versionMinor: number;
}

/** LINKTYPE_* values tcpscope decodes (https://www.tcpdump.org/linktypes.html). */
export const LinkType = {
  NULL: 0,
  ETHERNET: 1,
  RAW_OPENBSD: 12,
  RAW_BSDOS: 14,
  LOOP: 108,
  RAW: 101,
  LINUX_SLL: 113,
  IPV4: 228,
  IPV6: 229,
  LINUX_SLL2: 276,
} as const;
