/**
 * One registry of named fields (Wireshark's names) serves `-T fields -e`, `-T json`,
 * display filters and the details view. A field pushes one value per occurrence: a packet
 * with two VLAN tags has two `vlan.id`s; `ip.addr` has the source and the destination.
 */
import type { PacketRecord } from '../record.js';

export type FieldType =
  | 'uint' | 'int' | 'bool' | 'float' | 'ipv4' | 'ipv6' | 'ether' | 'bytes' | 'string' | 'reltime' | 'abstime' | 'protocol' | 'none';

/** Storage width of an integer field in bits (its signedness is its type: 'int' is signed). */
export type Bits = 8 | 16 | 24 | 32 | 64;

/** A field's value: numbers for integer/boolean/ipv4 fields, byte views for addresses and bytes, [sec, nsec] for times. */
export type FieldValue = number | string | Uint8Array | readonly [number, number];

export interface FieldDef {
  /** Wireshark's name, e.g. `tcp.srcport` */
  name: string;
  /** Wireshark's label, e.g. `Source Port` */
  title: string;
  type: FieldType;
  /** Storage width of an integer field (FT_UINT16 → 16); absent: not an integer, or no range check. */
  bits?: Bits;
  /** Push every occurrence of the field in this packet, in protocol-tree order. */
  get(r: PacketRecord, out: FieldValue[]): void;
  /** One value as tshark's `-T fields` prints it. */
  text(v: FieldValue): string;
}

/** Field definitions by name, built once from the per-protocol tables (src/fields/index.ts). */
export class FieldRegistry {
  private readonly byName = new Map<string, FieldDef>();

  constructor(defs: Iterable<FieldDef>) {
    for (const d of defs) {
      if (this.byName.has(d.name)) throw new Error(`field ${d.name} registered twice`);
      this.byName.set(d.name, d);
    }
  }

  lookup(name: string): FieldDef | undefined {
    return this.byName.get(name);
  }

  /** Every field, in registration order (the order of -T json). */
  all(): FieldDef[] {
    return [...this.byName.values()];
  }

  /** Field names that look like `name` (for "did you mean" hints). */
  similar(name: string, max = 3): string[] {
    const scored: Array<[number, string]> = [];
    for (const k of this.byName.keys()) {
      const d = editDistance(name, k);
      if (d <= Math.max(2, Math.floor(name.length / 4))) scored.push([d, k]);
    }
    return scored.sort((a, b) => a[0] - b[0] || (a[1] < b[1] ? -1 : 1)).slice(0, max).map((s) => s[1]);
  }
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
