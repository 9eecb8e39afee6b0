/**
 * The state of one decode walk, shared by the per-layer decoders (decode.ts, link.ts, tunnel.ts,
 * icmp.ts). Decoders call each other through `w.to`, the registry that decode.ts fills in, so
 * that the layer files import only this one and there is no import cycle.
 */
import type { Frame } from '../capture/types.js';
import type { Packet, Layer, PacketProblem, IpLayer } from './types.js';
import { DECODE_PROBLEMS, type DecodeProblemId } from './problems.js';

/** A decoder: bytes from `off` to `cap` (captured) / `rep` (on the wire) of the walk's data. */
export type Decoder = (w: Walk, off: number, cap: number, rep: number) => void;

/** The next-layer registry: by link type, ethertype, IP protocol, and the well-known entries tunnels need. */
export interface Dispatch {
  linktype(w: Walk, dlt: number, off: number, cap: number, rep: number): void;
  ethertype(w: Walk, type: number, off: number, cap: number, rep: number): void;
  ipProto(w: Walk, proto: number, off: number, cap: number, rep: number): void;
  ethernet: Decoder;
  ipv4: Decoder;
  ipv6: Decoder;
  /** IPv4 or IPv6 by the version nibble (GTP-U, MPLS payloads) */
  ipByVersion: Decoder;
  ppp: Decoder;
}

/** The problems of a packet that has none: one shared, frozen array (most packets have none). */
export const NO_PROBLEMS: readonly PacketProblem[] = Object.freeze([]);
const EMPTY = new Uint8Array(0);

/**
 * One decoder keeps one Walk and starts it again on every frame ({@link reset}): only the
 * packet, its layers and problems escape into the result, so they are made new each time; the
 * walk itself and its byte access (plain byte arithmetic, no DataView per frame) are reused.
 */
export class Walk {
  d: Uint8Array = EMPTY;
  layers: Layer[] = [];
  pkt: Packet;
  /** inside an ICMP error: quoted headers, not tracked and not length-checked */
  inError = 0;
  /** which ICMP quoted the headers being decoded (tshark shows a TCP header quoted by ICMPv4 differently) */
  errorKind: 'icmp' | 'icmpv6' = 'icmp';
  /** tunnel/IP nesting depth, bounded so a crafted packet cannot recurse for ever */
  depth = 0;
  constructor(readonly to: Dispatch) {
    this.pkt = newPacket(undefined as unknown as Frame, this.layers);
  }
  /** Start on a new frame. */
  reset(frame: Frame): void {
    this.d = frame.data;
    this.layers = [];
    this.pkt = newPacket(frame, this.layers);
    this.inError = 0;
    this.errorKind = 'icmp';
    this.depth = 0;
  }
  private problem(id: DecodeProblemId, layer: string, message: string): void {
    let list = this.pkt.problems as PacketProblem[];
    if (list === NO_PROBLEMS) list = this.pkt.problems = [];
    list.push({ id, layer, kind: DECODE_PROBLEMS[id].kind === 'truncated' ? 'truncated' : 'malformed', message });
  }
  truncated(layer: string, what: string): void {
    this.problem('header-truncated', layer, `${what}: packet size limited during capture`);
  }
  malformed(layer: string, what: string, id: DecodeProblemId): void {
    this.problem(id, layer, what);
  }
  /** Anything tcpscope does not decode is kept as data, named by its number. */
  data(off: number, cap: number, what: string): void {
    if (cap > off) this.layers.push({ kind: 'data', offset: off, length: cap - off, what });
  }
  /** Data that a tshark dissector would decode but tcpscope does not (the CLI names it once). */
  undecoded(off: number, cap: number, what: string): void {
    this.data(off, cap, what);
    this.pkt.undecoded ??= what;
  }
  // Big-endian (and little-endian) reads; callers check the captured length first.
  u8(o: number): number { return this.d[o]!; }
  u16(o: number): number { const d = this.d; return (d[o]! << 8) | d[o + 1]!; }
  u32(o: number): number { const d = this.d; return ((d[o]! << 24) | (d[o + 1]! << 16) | (d[o + 2]! << 8) | d[o + 3]!) >>> 0; }
  le16(o: number): number { const d = this.d; return d[o]! | (d[o + 1]! << 8); }
  le32(o: number): number { const d = this.d; return (d[o]! | (d[o + 1]! << 8) | (d[o + 2]! << 16) | (d[o + 3]! << 24)) >>> 0; }
  /** Swap in a longer buffer (the frame followed by a reassembled datagram): offsets stay valid. */
  extend(d: Uint8Array): void {
    this.d = d;
    this.pkt.frame = { ...this.pkt.frame, data: d };
  }
}

/** A packet with every property present from the start (one object shape for all packets). */
function newPacket(frame: Frame, layers: Layer[]): Packet {
  return { frame, layers, ip: undefined, tcp: undefined, udp: undefined, problems: NO_PROBLEMS, undecoded: undefined };
}

export function lastIp(w: Walk): IpLayer | undefined {
  for (let i = w.layers.length - 1; i >= 0; i--) {
    const l = w.layers[i]!;
    if ((l.kind === 'ipv4' || l.kind === 'ipv6') && !l.quoted) return l;
  }
  return undefined;
}
