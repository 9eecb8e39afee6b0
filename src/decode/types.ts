/**
 * Decoded packet: a list of layers, each a small record of numbers and byte offsets into
 * the frame's bytes (no copies). Fields that users see are computed from these records by
 * src/fields; decoders never throw and never format strings.
 */
import type { Frame } from '../capture/types.js';

export type ProblemKind = 'truncated' | 'malformed';

/** Something wrong with a packet's headers (not with the file). */
export interface PacketProblem {
  layer: string;
  kind: ProblemKind;
  message: string;
}

export interface EthLayer { kind: 'eth'; offset: number; /** ethertype, or the 802.3 length when ≤ 1500 */ type: number; isLength: boolean }
export interface VlanLayer { kind: 'vlan'; offset: number; tpid: number; priority: number; dei: number; id: number; etype: number }
export interface SllLayer {
  kind: 'sll'; offset: number; version: 1 | 2; pkttype: number; hatype: number; halen: number;
  /** offset of the link-layer address (8 bytes reserved) */ addrOffset: number; protocol: number; ifindex: number;
}
export interface NullLayer { kind: 'null'; offset: number; family: number; loop: boolean }
export interface MplsLayer { kind: 'mpls'; offset: number; label: number; exp: number; bottom: number; ttl: number }
export interface PppoeLayer { kind: 'pppoes'; offset: number; version: number; type: number; code: number; session: number; payloadLength: number }
export interface PppLayer { kind: 'ppp'; offset: number; protocol: number }
export interface Ipv4Layer {
  kind: 'ipv4'; offset: number; version: number; hdrLen: number; dsfield: number; totalLen: number; id: number;
  /** 3 flag bits (reserved, DF, MF) */ flags: number; fragOffset: number; ttl: number; proto: number; checksum: number;
  /** offsets of the addresses in the frame */ srcOffset: number; dstOffset: number;
  /** src and dst as unsigned 32-bit numbers */ src: number; dst: number;
  /** bytes of payload the header announces (totalLen − hdrLen), or the captured rest when totalLen is 0 (TSO) */
  payloadLen: number;
}
export interface Ipv6ExtHeader { type: number; offset: number; length: number; nxt: number }
export interface Ipv6Layer {
  kind: 'ipv6'; offset: number; version: number; tclass: number; flow: number; payloadLen: number; nxt: number; hlim: number;
  srcOffset: number; dstOffset: number; ext: Ipv6ExtHeader[];
  /** protocol after the extension-header chain */ upperProto: number;
  /** bytes of upper-layer payload after the extension headers */ upperLen: number;
}
/**
 * A TCP option, discriminated by `kind`: the option kinds tcpscope decodes carry their values;
 * every other option, and a known kind whose length is wrong, is `kind: 'other'` with its kind
 * byte in `code` (and why it is malformed, if it is). `switch (o.kind)` narrows to one variant.
 */
export type TcpOption =
  | { kind: 0; offset: number; length: 1 }
  | { kind: 1; offset: number; length: 1 }
  | { kind: 2; offset: number; length: number; mss: number }
  | { kind: 3; offset: number; length: number; shift: number }
  | { kind: 4; offset: number; length: number }
  | { kind: 5; offset: number; length: number; blocks: Array<[number, number]> }
  | { kind: 8; offset: number; length: number; tsval: number; tsecr: number }
  | { kind: 'other'; code: number; offset: number; length: number; malformed?: string };

/** The option's kind byte as on the wire (tcp.option_kind), whether decoded or not. */
export const optionCode = (o: TcpOption): number => (o.kind === 'other' ? o.code : o.kind);
export interface TcpLayer {
  kind: 'tcp'; offset: number;
  /** how many header bytes were captured (fields past this do not exist, as in tshark) */ captured: number;
  srcPort: number; dstPort: number; seq: number; ack: number;
  /** header length in bytes (data offset × 4) */ hdrLen: number;
  /** 12 bits: reserved(3) AE CWR ECE URG ACK PSH RST SYN FIN */ flags: number;
  window: number; checksum: number; urgent: number; options: TcpOption[];
  /** segment length from the IP layer's lengths (tcp.len) */ len: number;
  /** offset and captured length of the payload */ payloadOffset: number; payloadCaptured: number;
}
export interface UdpLayer { kind: 'udp'; offset: number; captured: number; srcPort: number; dstPort: number; length: number; checksum: number; payloadOffset: number }
export interface GreLayer { kind: 'gre'; offset: number; flagsVersion: number; protocol: number }
/** Something tcpscope does not decode: named by the number that selected it. */
export interface DataLayer { kind: 'data'; offset: number; length: number; /** e.g. 'ethertype 0x0806', 'ip.proto 1' */ what: string }

export type Layer = EthLayer | VlanLayer | SllLayer | NullLayer | MplsLayer | PppoeLayer | PppLayer
  | Ipv4Layer | Ipv6Layer | TcpLayer | UdpLayer | GreLayer | DataLayer;

export type IpLayer = Ipv4Layer | Ipv6Layer;

/** A frame and its decoded layers. */
export interface Packet {
  frame: Frame;
  layers: Layer[];
  /** the IP layer that carries `tcp`/`udp` (the innermost one) */
  ip?: IpLayer;
  tcp?: TcpLayer;
  udp?: UdpLayer;
  problems: PacketProblem[];
}

export const TcpFlag = {
  FIN: 0x001, SYN: 0x002, RST: 0x004, PSH: 0x008, ACK: 0x010, URG: 0x020, ECE: 0x040, CWR: 0x080, AE: 0x100, RES: 0xe00,
} as const;
