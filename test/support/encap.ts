/**
 * Test support for the encapsulation work: the captures of ../shared/encap and the fields the
 * encapsulation differential compares (the core differential's CORE_FIELDS, test/support/fields.ts).
 */
import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { REPO } from './tshark.js';
import { CORE_FIELDS } from './fields.js';

export const ENCAP = resolve(REPO, '../shared/encap');

/** The encapsulation differential compares every field of the core differential. */
export const ENCAP_FIELDS: string[] = CORE_FIELDS;

/** Every capture of ../shared/encap (a missing folder is an empty list: the tests assert the count). */
export function encapCaptures(): string[] {
  if (!existsSync(ENCAP)) return [];
  return readdirSync(ENCAP).filter((n) => /\.(pcap|pcapng|cap)$/.test(n)).sort().map((n) => join(ENCAP, n));
}
