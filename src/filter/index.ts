/**
 * Wireshark 4.0 display filters for tcpscope records.
 *
 *   const f = compileFilter('tcp.flags.syn == 1 && tcp.flags.ack == 0');
 *   if (f.matches(record)) …
 *
 * Compile once (lexer → Pratt parser → checker against the field registry → closures), then
 * call `matches` per record. A bad filter throws FilterError with Wireshark-like wording and
 * the 1-based column it points at; an unknown field is always an error.
 */
import type { PacketRecord } from '../record.js';
import { check } from './check.js';
import { compile } from './compile.js';
import { parse } from './parser.js';

export { FilterError } from './errors.js';

export interface Filter {
  /** the filter as written */
  readonly text: string;
  /** names of the fields the filter reads */
  readonly fields: readonly string[];
  /** does this record pass the filter? */
  matches(rec: PacketRecord): boolean;
}

/** An empty (or blank) filter passes every record, as `tshark -Y ""` does. */
export function compileFilter(text: string): Filter {
  if (!text.trim()) return { text, fields: [], matches: () => true };
  const checked = check(parse(text));
  const test = compile(checked.expr);
  return { text, fields: checked.fields, matches: test };
}
