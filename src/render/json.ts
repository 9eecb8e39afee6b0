/**
 * `-T json`: one object per packet, built from the field registry so that every field
 * `-e` knows is there too. Schema: docs/schema/packet.schema.json.
 *
 *   { "frame": 1, "layers": { "frame": { "frame.number": 1, … }, "tcp": { "tcp.srcport": 37504, … } },
 *     "problems": [ { "layer": "tcp", "kind": "truncated", "message": "…" } ] }
 *
 * Integer fields printed in decimal are JSON numbers; everything else is tshark's text.
 * A field with several occurrences is an array.
 */
import type { PacketRecord } from '../record.js';
import { allFields, type FieldDef, type FieldValue } from '../fields/index.js';

export interface PacketJson {
  frame: number;
  layers: Record<string, Record<string, unknown>>;
  problems: Array<{ layer: string; kind: string; message: string }>;
}

let cachedDefs: FieldDef[] | undefined;
const isDecimal = (d: FieldDef, v: FieldValue): boolean =>
  typeof v === 'number' && (d.type === 'uint' || d.type === 'int' || d.type === 'bool') && d.text(v) === String(v);

export function packetJson(r: PacketRecord): PacketJson {
  const defs = (cachedDefs ??= allFields().filter((d) => d.type !== 'protocol'));
  const layers: Record<string, Record<string, unknown>> = {};
  const scratch: FieldValue[] = [];
  for (const d of defs) {
    scratch.length = 0;
    d.get(r, scratch);
    if (!scratch.length) continue;
    const vals = scratch.map((v) => (isDecimal(d, v) ? v : d.text(v)));
    const dot = d.name.indexOf('.');
    const proto = dot < 0 ? d.name : d.name.slice(0, dot);
    (layers[proto] ??= {})[d.name] = vals.length === 1 ? vals[0] : vals;
  }
  // Protocols in packet order (frame first, application protocols last), whatever order fields were registered in.
  const order = ['frame', ...r.packet.layers.map((l) => (l.kind === 'ipv4' ? 'ip' : l.kind))];
  const rank = (k: string): number => { const i = order.indexOf(k); return i < 0 ? order.length : i; };
  const sorted: Record<string, Record<string, unknown>> = {};
  for (const k of Object.keys(layers).sort((a, b) => rank(a) - rank(b))) sorted[k] = layers[k]!;
  return { frame: r.packet.frame.number, layers: sorted, problems: r.packet.problems.map((p) => ({ ...p })) };
}
