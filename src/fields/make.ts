/**
 * Small constructors for field definitions, one per way tshark prints a value. Integer fields
 * say their storage width once, here (`Bits`: Wireshark's FT_UINT8…FT_UINT64 / FT_INT32, as
 * `tshark -G fields` lists them; FT_FRAMENUM counts as 32 bits): the display filter refuses a
 * literal that does not fit (`tcp.port == 99999`). `null`: no width known, no range check.
 */
import type { Bits, FieldDef, FieldType, FieldValue } from './registry.js';
import type { PacketRecord } from '../record.js';
import { hex, hexBytes, ipv4, ipv6At, mac, relTime } from '../core/format.js';

type Getter = (r: PacketRecord, out: FieldValue[]) => void;

const dec = (v: FieldValue): string => String(v);
const time = (v: FieldValue): string => { const t = v as readonly [number, number]; return relTime(t[0], t[1]); };
const view = (v: FieldValue): Uint8Array => v as Uint8Array;

const width = (bits: Bits | null): { bits?: Bits } => (bits === null ? {} : { bits });

/** Unsigned integer of `bits` bits printed in decimal. */
export const uint = (name: string, title: string, bits: Bits | null, get: Getter): FieldDef => ({ name, title, type: 'uint', ...width(bits), get, text: dec });
/** Signed integer of `bits` bits printed in decimal. */
export const int = (name: string, title: string, bits: Bits | null, get: Getter): FieldDef => ({ name, title, type: 'int', ...width(bits), get, text: dec });
/** Unsigned integer of `bits` bits printed as 0x and `digits` hex digits (BASE_HEX). */
export const uhex = (name: string, title: string, bits: Bits | null, digits: number, get: Getter): FieldDef =>
  ({ name, title, type: 'uint', ...width(bits), get, text: (v) => hex(v as number, digits) });
/** Boolean flag printed 1 or 0, as tshark 4.0 prints bit flags. */
export const bool = (name: string, title: string, get: Getter): FieldDef => ({ name, title, type: 'bool', get, text: dec });
export const addr4 = (name: string, title: string, get: Getter): FieldDef =>
  ({ name, title, type: 'ipv4', get, text: (v) => ipv4(v as number) });
export const addr6 = (name: string, title: string, get: Getter): FieldDef =>
  ({ name, title, type: 'ipv6', get, text: (v) => ipv6At(view(v), 0) });
export const ether = (name: string, title: string, get: Getter): FieldDef =>
  ({ name, title, type: 'ether', get, text: (v) => mac(view(v), 0) });
export const bytes = (name: string, title: string, get: Getter): FieldDef =>
  ({ name, title, type: 'bytes', get, text: (v) => { const b = view(v); return hexBytes(b, 0, b.length); } });
export const str = (name: string, title: string, get: Getter): FieldDef => ({ name, title, type: 'string', get, text: (v) => String(v) });
export const reltime = (name: string, title: string, get: Getter): FieldDef => ({ name, title, type: 'reltime', get, text: time });
export const abstime = (name: string, title: string, get: Getter): FieldDef => ({ name, title, type: 'abstime', get, text: time });
export const proto = (name: string, title: string, get: Getter): FieldDef => ({ name, title, type: 'protocol' as FieldType, get, text: () => '' });
