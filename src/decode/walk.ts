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

export class Walk {
  d: Uint8Array;
  dv: DataView;
  readonly layers: Layer[] = [];
  readonly problems: PacketProblem[] = [];
  pkt: Packet;
  /** inside an ICMP error: quoted headers, not tracked and not length-checked */
  inError = 0;
  /** which ICMP quoted the headers being decoded (tshark shows a TCP header quoted by ICMPv4 differently) */
  errorKind: 'icmp' | 'icmpv6' = 'icmp';
  /** tunnel/IP nesting depth, bounded so a crafted packet cannot recurse for ever */
  depth = 0;
  constructor(frame: Frame, readonly to: Dispatch) {
    this.d = frame.data;
    this.dv = new DataView(frame.data.buffer, frame.data.byteOffset, frame.data.byteLength);
    this.pkt = { frame, layers: this.layers, problems: this.problems };
  }
  private problem(id: DecodeProblemId, layer: string, message: string): void {
    this.problems.push({ id, layer, kind: DECODE_PROBLEMS[id].kind === 'truncated' ? 'truncated' : 'malformed', message });
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
  u8(o: number): number { return this.dv.getUint8(o); }
  u16(o: number): number { return this.dv.getUint16(o); }
  u32(o: number): number { return this.dv.getUint32(o); }
  le16(o: number): number { return this.dv.getUint16(o, true); }
  le32(o: number): number { return this.dv.getUint32(o, true); }
  /** Swap in a longer buffer (the frame followed by a reassembled datagram): offsets stay valid. */
  extend(d: Uint8Array): void {
    this.d = d;
    this.dv = new DataView(d.buffer, d.byteOffset, d.byteLength);
    this.pkt.frame = { ...this.pkt.frame, data: d };
  }
}

export function lastIp(w: Walk): IpLayer | undefined {
  for (let i = w.layers.length - 1; i >= 0; i--) {
    const l = w.layers[i]!;
    if ((l.kind === 'ipv4' || l.kind === 'ipv6') && !l.quoted) return l;
  }
  return undefined;
}
