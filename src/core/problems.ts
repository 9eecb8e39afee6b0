/**
 * Problem ids: the stable names of what can be wrong with a capture file or a packet, so that
 * tests and programs match an id, never an English sentence. Each stage keeps its own table
 * (`capture/problems.ts`, `decode/problems.ts`), written with `defineProblems` so that the id
 * type is derived from the table; the sentences users read are built by the renderers.
 */

/** truncated: runs past the captured bytes; malformed: contradicts itself; anomaly: legal but odd. */
export type ProblemKind = 'truncated' | 'malformed' | 'anomaly';

export interface ProblemDef {
  readonly kind: ProblemKind;
  /** One line in English saying what the id means (documentation; not shown as is). */
  readonly doc: string;
}

/** Keeps the literal ids of a problem table while checking each entry's shape. */
export function defineProblems<const T extends Record<string, ProblemDef>>(table: T): T {
  return table;
}
