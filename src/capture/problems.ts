/**
 * Problem ids of the capture readers: what can be wrong with a pcap/pcapng file itself (not
 * with a packet's headers). Every CaptureProblem carries one of these ids beside its message;
 * tests and programs match the id, the CLI prints the message.
 */
import { defineProblems } from '../core/problems.js';

export const CAPTURE_PROBLEMS = defineProblems({
  'file.empty': { kind: 'truncated', doc: 'the file has no bytes at all' },
  'file.too_short': { kind: 'truncated', doc: 'the file ends before its 4-byte magic number' },
  'file.gzip': { kind: 'malformed', doc: 'gzip-compressed data handed to the parser, which reads only decompressed captures' },
  'file.unknown_format': { kind: 'malformed', doc: 'the magic number is neither pcap nor pcapng' },
  'source.failed': { kind: 'truncated', doc: 'the byte source failed (read error, damaged gzip data): reading stopped there' },
  'pcap.header.truncated': { kind: 'truncated', doc: 'the file ends inside the 24-byte pcap file header' },
  'pcap.version.unsupported': { kind: 'malformed', doc: 'the pcap file header has a major version other than 2' },
  'pcap.version.unusual': { kind: 'anomaly', doc: 'the pcap file header has an unusual 2.x version; read as 2.4' },
  'pcap.record.truncated': { kind: 'truncated', doc: 'the file ends inside a packet record (its header or its data)' },
  'pcap.record.too_big': { kind: 'malformed', doc: 'a record claims more captured bytes than any packet can have: the file is damaged' },
  'pcap.record.caplen_exceeds_origlen': { kind: 'anomaly', doc: 'a record captured more bytes than the packet had on the wire; kept as is' },
  'pcapng.block.truncated': { kind: 'truncated', doc: 'the file ends inside a block that is not a packet (or inside a block header)' },
  'pcapng.packet.truncated': { kind: 'truncated', doc: 'the file ends inside a packet block' },
  'pcapng.shb.bad_byte_order': { kind: 'malformed', doc: 'a section header block has no valid byte-order magic' },
  'pcapng.shb.too_short': { kind: 'malformed', doc: 'a section header block is shorter than its fixed part' },
  'pcapng.shb.unsupported_version': { kind: 'malformed', doc: 'a section header block has a version other than 1.0 or 1.2' },
  'pcapng.block.bad_length': { kind: 'malformed', doc: 'a block length is below the 12-byte minimum, so the next block cannot be found' },
  'pcapng.block.too_big': { kind: 'malformed', doc: 'a block length is above the size limit: the file is damaged' },
  'pcapng.block.length_mismatch': { kind: 'malformed', doc: 'a block\'s leading and trailing lengths differ, so the next block cannot be found' },
  'pcapng.block.too_short': { kind: 'malformed', doc: 'a block is shorter than its type\'s fixed part; skipped' },
  'pcapng.block.misaligned': { kind: 'anomaly', doc: 'a block length is not a multiple of 4; read as rounded up' },
  'pcapng.idb.bad_option': { kind: 'malformed', doc: 'an interface description block has a damaged or odd option' },
  'pcapng.packet.no_interface': { kind: 'malformed', doc: 'a packet block names an interface its section does not define; skipped' },
  'pcapng.packet.too_big': { kind: 'malformed', doc: 'a packet block holds more bytes than any packet can have; skipped' },
  'pcapng.packet.caplen_exceeds_block': { kind: 'malformed', doc: 'a packet block claims more captured bytes than it has room for; skipped' },
  'pcapng.packet.caplen_exceeds_origlen': { kind: 'anomaly', doc: 'a packet block captured more bytes than the packet had on the wire; kept as is' },
});

export type CaptureProblemId = keyof typeof CAPTURE_PROBLEMS;
