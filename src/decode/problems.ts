/**
 * Decode problem ids: what can be wrong with a packet's headers. Every PacketProblem carries one
 * of these ids beside its English message; tests and programs match the id.
 */
import { defineProblems } from '../core/problems.js';

export const DECODE_PROBLEMS = defineProblems({
  'header-truncated': { kind: 'truncated', doc: 'a header runs past the captured bytes' },
  'ip-version-mismatch': { kind: 'malformed', doc: 'the IP version field contradicts the link type, ethertype or protocol that selected IP' },
  'ipv4-bad-header-length': { kind: 'malformed', doc: 'IPv4 header length below 20 bytes' },
  'ipv4-bad-total-length': { kind: 'malformed', doc: 'IPv4 total length below the header length' },
  'ipv4-length-exceeds-frame': { kind: 'malformed', doc: 'IPv4 total length larger than the bytes the frame had' },
  'ipv6-length-exceeds-frame': { kind: 'malformed', doc: 'IPv6 payload length larger than the bytes the frame had' },
  'ipv6-ext-past-end': { kind: 'malformed', doc: 'an IPv6 extension header runs past the packet' },
  'tcp-bad-header-length': { kind: 'malformed', doc: 'TCP data offset below 20 bytes' },
  'tcp-header-exceeds-segment': { kind: 'malformed', doc: 'TCP header longer than the segment' },
  'tcp-option-no-length': { kind: 'malformed', doc: 'a TCP option has no length byte' },
  'tcp-option-bad-length': { kind: 'malformed', doc: 'a TCP option length is below 2 or runs past the header' },
  'tcp-option-wrong-length': { kind: 'malformed', doc: 'a TCP option has a length other than its kind requires' },
  'udp-bad-length': { kind: 'malformed', doc: 'UDP length below 8' },
  'udp-length-exceeds-ip': { kind: 'malformed', doc: 'UDP length larger than the IP payload' },
  'gre-bad-version': { kind: 'malformed', doc: 'GRE version other than 0 or 1' },
  'tunnel-bad-header': { kind: 'malformed', doc: 'a tunnel header contradicts itself (length, version)' },
  'link-bad-header': { kind: 'malformed', doc: 'a link-layer pseudo-header contradicts itself (length, version)' },
  'ah-bad-length': { kind: 'malformed', doc: 'an IP Authentication Header length runs past the packet' },
});

export type DecodeProblemId = keyof typeof DECODE_PROBLEMS;
