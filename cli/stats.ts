/** CLI glue for `read -z` (statistics) and `read -2` (a first pass that gives tshark -2's final values). */
import { Dissector } from '../src/dissect.js';
import { FinalsCollector, type TwoPassFinals } from '../src/tcp/analysis.js';
import { makeStatistic, StatsError, STAT_SPECS, type Statistic } from '../src/render/stats.js';
import { openCaptureFile } from './node-io.js';
import { InputError, UsageError } from './errors.js';

export const STATS_HELP = `statistics printed after the packets (repeatable): ${STAT_SPECS.join(', ')}`;

/** One statistic per -z argument; a bad one is a usage error. */
export function parseStats(specs: string[]): Statistic[] {
  return specs.map((spec) => {
    const s = makeStatistic(spec);
    if (typeof s === 'string') throw new UsageError(s);
    return s;
  });
}

/** The text of one statistic; one that cannot be printed becomes a usage error. */
export function renderStat(s: Statistic): string {
  try {
    return s.render();
  } catch (e) {
    if (e instanceof StatsError) throw new UsageError(e.message);
    throw e;
  }
}

/**
 * The first of two passes (-2): read the whole capture once and keep, per connection, what
 * tshark's second pass shows on every packet (final tcp.completeness, initial RTT).
 */
export async function firstPass(file: string): Promise<TwoPassFinals> {
  if (file === '-') throw new UsageError('-2 needs a capture file: standard input cannot be read twice');
  const opened = await openCaptureFile(file);
  if (!opened.ok) throw new InputError(opened.error.message);
  const dissector = new Dissector();
  const collector = new FinalsCollector();
  for await (const batch of opened.batches) {
    for (const frame of batch) collector.observe(dissector.dissect(frame));
  }
  return collector.finals();
}
