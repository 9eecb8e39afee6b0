/**
 * The field registry: every field definition, from the per-protocol tables, in the order
 * -T json lists them. Built explicitly here (no registration by import side effects).
 */
import { FieldRegistry, type FieldDef } from './registry.js';
import { FRAME_FIELDS } from './frame.js';
import { IP_FIELDS } from './ip.js';
import { TCP_FIELDS } from './tcp.js';
import { ANALYSIS_FIELDS } from './analysis.js';
import { HTTP_FIELDS } from './http.js';
import { TLS_FIELDS } from './tls.js';
import { ENCAP_FIELDS } from './encap.js';

export type { FieldDef, FieldValue, FieldType, Bits } from './registry.js';

export const FIELDS = new FieldRegistry([...FRAME_FIELDS, ...IP_FIELDS, ...TCP_FIELDS, ...ANALYSIS_FIELDS, ...HTTP_FIELDS, ...TLS_FIELDS, ...ENCAP_FIELDS]);

export function lookupField(name: string): FieldDef | undefined {
  return FIELDS.lookup(name);
}

/** Fields whose values come from the HTTP/TLS stage (`rec.app`): the dissector runs it only when one is asked for. */
const APP_FIELDS = new Set([...HTTP_FIELDS, ...TLS_FIELDS].map((d) => d.name));

export function fieldNeedsApp(name: string): boolean {
  return APP_FIELDS.has(name);
}

export function allFields(): FieldDef[] {
  return FIELDS.all();
}

/** Field names that look like `name` (for "did you mean" hints). */
export function similarFields(name: string, max = 3): string[] {
  return FIELDS.similar(name, max);
}
