/** frame.* and link-layer fields (eth, vlan, sll). */
import type { FieldDef, FieldValue } from './registry.js';
import { abstime, ether, proto, reltime, uhex, uint } from './make.js';
import type { PacketRecord } from '../record.js';
import type { Layer } from '../decode/types.js';

/** Push `f(layer)` for every layer of the given kind. */
export function eachLayer<K extends Layer['kind']>(kind: K, f: (l: Extract<Layer, { kind: K }>, d: Uint8Array, out: FieldValue[]) => void) {
  return (r: PacketRecord, out: FieldValue[]): void => {
    const d = r.packet.frame.data;
    for (const l of r.packet.layers) if (l.kind === kind) f(l as Extract<Layer, { kind: K }>, d, out);
  };
}

/** The frame fields, in the order tshark's protocol tree shows them. */
export const FRAME_FIELDS: FieldDef[] = [
  proto('frame', 'Frame', (r, out) => { out.push(r.packet.frame.data); }),
  uint('frame.number', 'Frame Number', 32, (r, out) => { out.push(r.packet.frame.number); }),
  reltime('frame.time_relative', 'Time since reference or first frame', (r, out) => { out.push([r.relSec, r.relNsec]); }),
  reltime('frame.time_delta', 'Time delta from previous captured frame', (r, out) => { out.push([r.deltaSec, r.deltaNsec]); }),
  abstime('frame.time_epoch', 'Epoch Time', (r, out) => { out.push([r.packet.frame.tsSec, r.packet.frame.tsNsec]); }),
  uint('frame.len', 'Frame Length', 32, (r, out) => { out.push(r.packet.frame.origLen); }),
  uint('frame.cap_len', 'Capture Length', 32, (r, out) => { out.push(r.packet.frame.capLen); }),
  uint('frame.interface_id', 'Interface id', 32, (r, out) => { out.push(r.packet.frame.iface); }),
  // tcpscope's own (capture sets): index of the file the frame came from; absent when one file is read.
  uint('frame.file', 'Source file index in the capture set', 32, (r, out) => { if (r.packet.frame.file !== undefined) out.push(r.packet.frame.file); }),

  proto('eth', 'Ethernet II', eachLayer('eth', (l, d, out) => { out.push(d.subarray(l.offset, l.offset + 14)); })),
  ether('eth.dst', 'Destination', eachLayer('eth', (l, d, out) => { out.push(d.subarray(l.offset, l.offset + 6)); })),
  ether('eth.src', 'Source', eachLayer('eth', (l, d, out) => { out.push(d.subarray(l.offset + 6, l.offset + 12)); })),
  ether('eth.addr', 'Address', eachLayer('eth', (l, d, out) => { out.push(d.subarray(l.offset, l.offset + 6), d.subarray(l.offset + 6, l.offset + 12)); })),
  uhex('eth.type', 'Type', 16, 4, eachLayer('eth', (l, _d, out) => { if (!l.isLength) out.push(l.type); })),
  uint('eth.len', 'Length', 16, eachLayer('eth', (l, _d, out) => { if (l.isLength) out.push(l.type); })),

  proto('vlan', '802.1Q Virtual LAN', eachLayer('vlan', (l, d, out) => { out.push(d.subarray(l.offset, l.offset + 4)); })),
  uint('vlan.id', 'ID', 16, eachLayer('vlan', (l, _d, out) => { out.push(l.id); })),
  uint('vlan.priority', 'Priority', 16, eachLayer('vlan', (l, _d, out) => { out.push(l.priority); })),
  uint('vlan.dei', 'DEI', null, eachLayer('vlan', (l, _d, out) => { out.push(l.dei); })),
  uhex('vlan.etype', 'Type', 16, 4, eachLayer('vlan', (l, _d, out) => { out.push(l.etype); })),

  proto('sll', 'Linux cooked capture', eachLayer('sll', (l, d, out) => { out.push(d.subarray(l.offset, l.offset + (l.version === 1 ? 16 : 20))); })),
  uint('sll.pkttype', 'Packet type', 16, eachLayer('sll', (l, _d, out) => { out.push(l.pkttype); })),
  uint('sll.hatype', 'Link-layer address type', 16, eachLayer('sll', (l, _d, out) => { out.push(l.hatype); })),
  uint('sll.halen', 'Link-layer address length', 16, eachLayer('sll', (l, _d, out) => { out.push(l.halen); })),
  uhex('sll.etype', 'Protocol', 16, 4, eachLayer('sll', (l, _d, out) => { out.push(l.protocol); })),
  uint('sll.ifindex', 'Interface index', 32, eachLayer('sll', (l, _d, out) => { if (l.version === 2) out.push(l.ifindex); })),

  uint('null.family', 'Family', 32, eachLayer('null', (l, _d, out) => { out.push(l.family); })),
  uint('mpls.label', 'MPLS Label', 32, eachLayer('mpls', (l, _d, out) => { out.push(l.label); })),
  uint('mpls.ttl', 'MPLS TTL', 32, eachLayer('mpls', (l, _d, out) => { out.push(l.ttl); })),
  uhex('pppoes.session_id', 'Session ID', null, 4, eachLayer('pppoes', (l, _d, out) => { out.push(l.session); })),
  uhex('ppp.protocol', 'Protocol', 16, 4, eachLayer('ppp', (l, _d, out) => { out.push(l.protocol); })),
];

