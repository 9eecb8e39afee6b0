/** Zeek conn.log baselines for the tests: parse the TSV (with a #fields header, or zeek-cut -m output) and key rows by 4-tuple. */
export type Row = Record<string, string>;

export function parseLog(text: string): Row[] {
  let fields: string[] | undefined;
  const rows: Row[] = [];
  for (const line of text.split('\n')) {
    if (!line) continue;
    if (line.startsWith('#fields\t')) { fields = line.split('\t').slice(1); continue; }
    if (line.startsWith('#')) continue;
    const cells = line.split('\t');
    if (!fields) { fields = cells; continue; } // zeek-cut -m output: the first line names the columns
    rows.push(Object.fromEntries(fields.map((f, i) => [f, cells[i] ?? ''])));
  }
  return rows;
}

/** A conn.log row's 4-tuple, originator first. */
export const key = (r: Row): string => `${r['id.orig_h']}:${r['id.orig_p']}>${r['id.resp_h']}:${r['id.resp_p']}`;
