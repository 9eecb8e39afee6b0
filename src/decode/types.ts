/**
 * Decoded packet: a list of layers, each a small record of numbers and byte offsets into
 * the frame's bytes (no copies). Fields that users see are computed from these records by
 * src/fields; decoders never throw and never format strings.
 */
import type { Frame } from '../capture/types.js';
import type { DecodeProblemId } from './problems.js';

export type ProblemKind = 'truncated' | 'malformed';

/** Something wrong with a packet's headers (not with the file). */
export interface PacketProblem {
  /** stable id (src/decode/problems.ts): what tests and programs match */
  id: DecodeProblemId;
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
  /** set on the frame that completed a fragmented datagram */
  reassembled?: Reassembly;
  /** a header quoted inside an ICMP error */
  quoted?: boolean;
}
export interface Ipv6ExtHeader { type: number; offset: number; length: number; nxt: number }
export interface Ipv6Layer {
  kind: 'ipv6'; offset: number; version: number; tclass: number; flow: number; payloadLen: number; nxt: number; hlim: number;
  srcOffset: number; dstOffset: number; ext: Ipv6ExtHeader[];
  /** protocol after the extension-header chain */ upperProto: number;
  /** bytes of upper-layer payload after the extension headers */ upperLen: number;
  /** set on the frame that completed a fragmented datagram */
  reassembled?: Reassembly;
  /** a header quoted inside an ICMP error */
  quoted?: boolean;
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
  window: number; checksum: number; urgent: number;
  /** the options, in header order (parsed on first use: src/decode/tcp-header.ts) */
  readonly options: TcpOption[];
  /** bit k set when the header has a well-formed option of kind k (`1 << o.kind` for each option whose kind is a number): SACK is `1 << 5` */
  optionKinds: number;
  /** segment length from the IP layer's lengths (tcp.len) */ len: number;
  /** offset and captured length of the payload */ payloadOffset: number; payloadCaptured: number;
  /** a header quoted inside an ICMP error (only the first 8 bytes may be there; never tracked) */
  quoted?: boolean;
  /** inside an ICMP or ICMPv6 error (from 16 header bytes tshark shows each fixed field that was quoted) */
  inError?: boolean;
}
export interface UdpLayer { kind: 'udp'; offset: number; captured: number; srcPort: number; dstPort: number; length: number; checksum: number; payloadOffset: number; /** quoted inside an ICMP error */ quoted?: boolean }
export interface GreLayer {
  kind: 'gre'; offset: number; flagsVersion: number; protocol: number;
  /** header length with the optional words; checksum, key, sequence number and acknowledgement when their flag is set */
  hdrLen?: number; checksum?: number; key?: number; seq?: number; ackNum?: number;
}
/** IEEE 802.2 LLC, with the SNAP extension when DSAP and SSAP are 0xaa. */
export interface LlcLayer { kind: 'llc'; offset: number; dsap: number; ssap: number; control: number; /** SNAP OUI and PID */ oui?: number; pid?: number }
/** FDDI: frame control, then destination and source in FDDI's bit order. */
export interface FddiLayer { kind: 'fddi'; offset: number; fc: number }
export interface ChdlcLayer { kind: 'chdlc'; offset: number; address: number; control: number; protocol: number }
/** PPI, radiotap, PKTAP: pseudo-headers in front of another link type. */
interface PseudoLink<K extends string> { kind: K; offset: number; length: number; /** the link type that follows (PPI, PKTAP) */ dlt: number }
export type PseudoLinkLayer = PseudoLink<'ppi'> | PseudoLink<'radiotap'> | PseudoLink<'pktap'>;
export interface WlanLayer { kind: 'wlan'; offset: number; fc: number; hdrLen: number; /** bytes of addr1..addr3 (addr4 when 4-address) */ addrs: number }
export interface NflogLayer { kind: 'nflog'; offset: number; family: number; version: number; resId: number }
export interface AyiyaLayer { kind: 'ayiya'; offset: number; opcode: number; nxt: number; /** header length with identity and signature */ length: number }
/** IEEE 802.3br frame preemption (link type 274, ETHERNET_MPACKET): preamble and SMD, the frame, its mCRC. */
export interface FppLayer { kind: 'fpp'; offset: number; smd: number; /** the mCRC matched the frame (tshark decodes the frame only then) */ crcOk: boolean }
export interface JuniperLayer { kind: 'juniper'; offset: number; flags: number; /** extension TLV bytes (0 without) */ extLen: number; /** pseudo-header length */ length: number }
export interface ArcnetLayer { kind: 'arcnet'; offset: number; src: number; dst: number; protocol: number; hdrLen: number }
/** IEEE 802.1ah provider backbone bridging I-TAG: service id and the customer MACs. */
export interface PbbLayer { kind: 'ieee8021ah'; offset: number; isid: number; priority: number; etype: number }
/** VN-Tag (0x8926) and E-Tag (0x893f): a tag in front of the real ethertype. */
interface Tag<K extends string> { kind: K; offset: number; length: number; etype: number }
export type TagLayer = Tag<'vntag'> | Tag<'etag'>;
/** Arista's timestamp header (ethertype 0xd28b): subtype, version, a 64- or 48-bit timestamp, the real ethertype. */
export interface AristaLayer { kind: 'avsp'; offset: number; subtype: number; version: number; /** header bytes before the ethertype */ length: number; etype: number }
export interface VxlanLayer { kind: 'vxlan'; offset: number; flags: number; vni: number }
export interface GeneveLayer { kind: 'geneve'; offset: number; version: number; optLen: number; flags: number; protocol: number; vni: number }
export interface GtpLayer {
  kind: 'gtp'; offset: number; flags: number; msgType: number; length: number; teid: number;
  /** the optional sequence number (S flag) and extension header types, outermost first */ seq?: number; extTypes: number[]; hdrLen: number;
}
export interface TeredoLayer { kind: 'teredo'; offset: number; /** authentication indicator length, 0 when absent */ authLen: number; /** origin indicator: port and address (already un-obfuscated) */ originPort?: number; originAddr?: number }
interface Icmp<K extends string> { kind: K; offset: number; type: number; code: number; checksum: number }
export type IcmpLayer = Icmp<'icmp'> | Icmp<'icmpv6'>;
export interface AhLayer { kind: 'ah'; offset: number; nxt: number; length: number; spi: number; seq: number }
/** An IP fragment table entry completed on this frame: the frames and the datagram length. */
export interface Reassembly { frames: number[]; length: number; /** offset of the reassembled payload in the packet's data */ offset: number }
/** Something tcpscope does not decode: named by the number that selected it. */
export interface DataLayer { kind: 'data'; offset: number; length: number; /** e.g. 'ethertype 0x0806', 'ip.proto 1' */ what: string }

export type Layer = EthLayer | VlanLayer | SllLayer | NullLayer | MplsLayer | PppoeLayer | PppLayer
  | Ipv4Layer | Ipv6Layer | TcpLayer | UdpLayer | GreLayer | DataLayer
  | LlcLayer | FddiLayer | ChdlcLayer | PseudoLinkLayer | WlanLayer | NflogLayer | ArcnetLayer | PbbLayer | TagLayer
  | VxlanLayer | GeneveLayer | GtpLayer | TeredoLayer | IcmpLayer | AhLayer | AristaLayer | JuniperLayer | AyiyaLayer | FppLayer;

export type IpLayer = Ipv4Layer | Ipv6Layer;

/** A frame and its decoded layers. */
export interface Packet {
  frame: Frame;
  layers: Layer[];
  /** the IP layer that carries `tcp`/`udp` (the innermost one) */
  ip?: IpLayer;
  tcp?: TcpLayer;
  udp?: UdpLayer;
  /** what is wrong with its headers, in decoding order (a shared empty array when nothing is) */
  problems: readonly PacketProblem[];
  /** what the decoder did not decode: a link type, ethertype or tunnel (for the CLI's one-time notice) */
  undecoded?: string;
}

export const TcpFlag = {
  FIN: 0x001, SYN: 0x002, RST: 0x004, PSH: 0x008, ACK: 0x010, URG: 0x020, ECE: 0x040, CWR: 0x080, AE: 0x100, RES: 0xe00,
} as const;
