/**
 * One registry of named fields (Wireshark's names) serves `-T fields -e`, `-T json`,
 * display filters and the details view. A field pushes one value per occurrence: a packet
 * with two VLAN tags has two `vlan.id`s; `ip.addr` has the source and the destination.
 */
import type { PacketRecord } from '../record.js';

export type FieldType =
  | 'uint' | 'int' | 'bool' | 'float' | 'ipv4' | 'ipv6' | 'ether' | 'bytes' | 'string' | 'reltime' | 'abstime' | 'protocol' | 'none';

/** A field's value: numbers for integer/boolean/ipv4 fields, byte views for addresses and bytes, [sec, nsec] for times. */
export type FieldValue = number | string | Uint8Array | readonly [number, number];

export interface FieldDef {
  /** Wireshark's name, e.g. `tcp.srcport` */
  name: string;
  /** Wireshark's label, e.g. `Source Port` */
  title: string;
  type: FieldType;
  /** Push every occurrence of the field in this packet, in protocol-tree order. */
  get(r: PacketRecord, out: FieldValue[]): void;
  /** One value as tshark's `-T fields` prints it. */
  text(v: FieldValue): string;
}

const registry = new Map<string, FieldDef>();

export function register(defs: FieldDef[]): void {
  for (const d of defs) {
    if (registry.has(d.name)) throw new Error(`field ${d.name} registered twice`);
    registry.set(d.name, d);
  }
}

export function lookupField(name: string): FieldDef | undefined {
  return registry.get(name);
}

export function allFields(): FieldDef[] {
  return [...registry.values()];
}

/** Field names that look like `name` (for "did you mean" hints). */
export function similarFields(name: string, max = 3): string[] {
  const scored: Array<[number, string]> = [];
  for (const k of registry.keys()) {
    const d = editDistance(name, k);
    if (d <= Math.max(2, Math.floor(name.length / 4))) scored.push([d, k]);
  }
  return scored.sort((a, b) => a[0] - b[0] || (a[1] < b[1] ? -1 : 1)).slice(0, max).map((s) => s[1]);
}

function editDistance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0]!;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = prev[j]!;
      prev[j] = Math.min(prev[j]! + 1, prev[j - 1]! + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = tmp;
    }
  }
  return prev[b.length]!;
}
