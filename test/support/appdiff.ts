/** Field-by-field comparison with tshark for the application-layer tests (counts the rows that carry the protocol). */
import { runCli, runTshark, type Exception } from './tshark.js';

export interface AppComparison { compared: number; agreed: number; excused: number; rows: number; diffs: string[] }

/**
 * `tshark -T fields -E occurrence=a` and `tcpscope read` with the same fields on one capture;
 * `protoField` (e.g. `http`) is counted where tshark shows it.
 */
export function compareAppFields(name: string, path: string, fields: string[], protoField: string, exceptions: Exception[]): AppComparison {
  const args = ['-r', path, '-T', 'fields', '-E', 'occurrence=a', ...fields.flatMap((f) => ['-e', f])];
  let ts = runTshark(['-n', ...args]);
  if (ts.status !== 0 || !ts.stdout) ts = runTshark(['-n', ...args]); // a busy machine: try once more
  const us = runCli(['read', ...args]);
  const a = ts.stdout.split('\n'), b = us.stdout.split('\n');
  const res: AppComparison = { compared: 0, agreed: 0, excused: 0, rows: 0, diffs: [] };
  const pi = fields.indexOf(protoField);
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if (!a[i] && !b[i] && i >= a.length - 1) continue;
    const x = (a[i] ?? '').split('\t'), y = (b[i] ?? '').split('\t');
    if (pi >= 0 && x[pi]) res.rows++;
    for (let j = 0; j < fields.length; j++) {
      res.compared++;
      if ((x[j] ?? '') === (y[j] ?? '')) { res.agreed++; continue; }
      if (exceptions.some((e) => e.capture === name && e.field === fields[j] && (!e.frames || e.frames.includes(i + 1)))) { res.excused++; continue; }
      res.diffs.push(`${name} frame ${i + 1} ${fields[j]}: tshark "${x[j] ?? ''}" tcpscope "${y[j] ?? ''}"`);
    }
  }
  return res;
}
