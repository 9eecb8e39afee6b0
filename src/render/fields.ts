/** `-T fields`: one line per packet with the chosen fields, in tshark's format. */
import type { PacketRecord } from '../record.js';
import { lookupField, similarFields, type FieldDef, type FieldValue } from '../fields/index.js';

export interface FieldsOptions {
  /** between fields (tshark -E separator=, default TAB) */
  separator: string;
  /** between occurrences of one field (-E aggregator=, default ',') */
  aggregator: string;
  /** which occurrences: 'a' all, 'f' first, 'l' last (-E occurrence=) */
  occurrence: 'a' | 'f' | 'l';
  /** -E quote=d|s|n */
  quote: '' | '"' | "'";
  /** -E header=y */
  header: boolean;
  /** -E bom=y: start the output with a UTF-8 byte order mark */
  bom: boolean;
}

export const defaultFieldsOptions: FieldsOptions = { separator: '\t', aggregator: ',', occurrence: 'a', quote: '', header: false, bom: false };

export class UnknownFieldError extends Error {
  constructor(readonly names: string[]) {
    super(names.map((n) => {
      const s = similarFields(n);
      return `"${n}" is not a valid field${s.length ? ` (did you mean ${s.map((x) => `"${x}"`).join(', ')}?)` : ''}`;
    }).join('\n'));
  }
}

/** Resolve field names once, before reading (an unknown name is an error, never an empty column). */
export function resolveFields(names: string[]): FieldDef[] {
  const bad = names.filter((n) => !lookupField(n));
  if (bad.length) throw new UnknownFieldError(bad);
  return names.map((n) => lookupField(n)!);
}

/** Parse one `-E key=value` option into `opts` (returns an error message or undefined). */
export function applyFieldsOption(opts: FieldsOptions, kv: string): string | undefined {
  const eq = kv.indexOf('=');
  if (eq < 0) return `-E ${kv}: expected key=value`;
  const key = kv.slice(0, eq), value = kv.slice(eq + 1);
  const ch = (v: string): string => (v === '/t' ? '\t' : v === '/s' ? ' ' : v);
  switch (key) {
    case 'header': if (value !== 'y' && value !== 'n') return `-E header=${value}: use y or n`; opts.header = value === 'y'; return;
    case 'bom': if (value !== 'y' && value !== 'n') return `-E bom=${value}: use y or n`; opts.bom = value === 'y'; return;
    case 'separator': opts.separator = ch(value); return;
    case 'aggregator': opts.aggregator = ch(value); return;
    case 'quote':
      if (value === 'd') opts.quote = '"'; else if (value === 's') opts.quote = "'"; else if (value === 'n') opts.quote = ''; else return `-E quote=${value}: use d, s or n`;
      return;
    case 'occurrence':
      if (value === 'a' || value === 'f' || value === 'l') opts.occurrence = value;
      else return `-E occurrence=${value}: use f (first), l (last) or a (all)`;
      return;
    default: return `-E ${key}: unknown option (bom, header, separator, aggregator, quote, occurrence)`;
  }
}

export function fieldsHeader(defs: FieldDef[], opts: FieldsOptions): string {
  return defs.map((d) => opts.quote + d.name + opts.quote).join(opts.separator);
}

/** Renders records as field lines; reuses one scratch array across packets. */
export class FieldsRenderer {
  private readonly scratch: FieldValue[] = [];
  constructor(private readonly defs: FieldDef[], private readonly opts: FieldsOptions = defaultFieldsOptions) {}

  line(r: PacketRecord): string {
    const { opts, scratch } = this;
    let s = '';
    for (let i = 0; i < this.defs.length; i++) {
      const def = this.defs[i]!;
      if (i) s += opts.separator;
      while (scratch.length) scratch.pop(); // pop is inlined; setting length is a runtime call
      def.get(r, scratch);
      if (scratch.length === 0) continue;
      let text: string;
      if (opts.occurrence === 'a') {
        text = def.text(scratch[0]!);
        for (let k = 1; k < scratch.length; k++) text += opts.aggregator + def.text(scratch[k]!);
      } else {
        const k = opts.occurrence === 'f' ? 0 : scratch.length - 1;
        text = def.text(scratch[k]!);
      }
      s += opts.quote + text + opts.quote;
    }
    return s;
  }
}
