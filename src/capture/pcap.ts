/**
 * Classic pcap (libpcap) format knowledge: file header, record header, timestamps.
 * Pure functions on byte views, so the streaming reader in reader.ts owns all buffering.
 * Also home of the tiny byte readers shared with pcapng.ts.
 */

/** Magic of a microsecond pcap file, as a number read in the file's own byte order. */
export const PCAP_MAGIC_US = 0xa1b2c3d4;
/** Magic of a nanosecond pcap file. */
export const PCAP_MAGIC_NS = 0xa1b23c4d;
/** Magic of tcpdump's "modified pcap" (Alexey Kuznetsov's patch): 24-byte record headers. */
export const PCAP_MAGIC_MODIFIED = 0xa1b2cd34;
/** Size of the pcap file header. */
export const PCAP_FILE_HEADER_LEN = 24;
/**
 * Largest packet record accepted, as Wireshark's limit for ordinary link types. A larger
 * captured length almost always means the file is damaged.
 */
export const MAX_PACKET_BYTES = 262144;

/** Unsigned 16-bit integer at `o`. */
export function rd16(b: Uint8Array, o: number, le: boolean): number {
  return le ? b[o]! | (b[o + 1]! << 8) : (b[o]! << 8) | b[o + 1]!;
}

/** Unsigned 32-bit integer at `o`. */
export function rd32(b: Uint8Array, o: number, le: boolean): number {
  return le
    ? (b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16) | (b[o + 3]! << 24)) >>> 0
    : ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0;
}

/** Decoded pcap file header. */
export interface PcapHeader {
  le: boolean;
  /** Timestamps' fraction is in nanoseconds (else microseconds). */
  nano: boolean;
  /** Record header length: 16, or 24 for the "modified pcap" variant. */
  recordHeaderLen: number;
  versionMajor: number;
  versionMinor: number;
  snapLen: number;
  /** LINKTYPE_* (low 16 bits of the header field; FCS bits above are dropped). */
  linkType: number;
}

/** Recognise a pcap magic number at `o` (4 bytes needed). Null when it is not pcap. */
export function pcapMagic(b: Uint8Array, o: number): { le: boolean; nano: boolean; modified: boolean } | null {
  for (const le of [true, false]) {
    const m = rd32(b, o, le);
    if (m === PCAP_MAGIC_US) return { le, nano: false, modified: false };
    if (m === PCAP_MAGIC_NS) return { le, nano: true, modified: false };
    if (m === PCAP_MAGIC_MODIFIED) return { le, nano: false, modified: true };
  }
  return null;
}

/** Decode the 24-byte file header at `o`; null when the magic is not a pcap one. */
export function parsePcapHeader(b: Uint8Array, o: number): PcapHeader | null {
  const m = pcapMagic(b, o);
  if (m === null) return null;
  const le = m.le;
  return {
    le,
    nano: m.nano,
    recordHeaderLen: m.modified ? 24 : 16,
    versionMajor: rd16(b, o + 4, le),
    versionMinor: rd16(b, o + 6, le),
    snapLen: rd32(b, o + 16, le),
    linkType: rd32(b, o + 20, le) & 0xffff,
  };
}

/**
 * Judge the header's version the way Wireshark 4.0 does: major versions below 2 are refused
 * (fatal), later ones are read as 2.x (a non-fatal note). Null when the version is ordinary.
 */
export function checkPcapVersion(h: PcapHeader): { message: string; fatal: boolean } | null {
  const v = `${h.versionMajor}.${h.versionMinor}`;
  if (h.versionMajor < 2) {
    return { message: `unsupported pcap version ${v} in the file header (only version 2.x can be read)`, fatal: true };
  }
  if (h.versionMajor > 2) {
    return { message: `unusual pcap version ${v} in the file header; read as version 2 like Wireshark does`, fatal: false };
  }
  return null;
}
