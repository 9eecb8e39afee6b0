/** The pass shared by `conns` and `explain`: read a capture once, follow every connection's lifecycle. */
import pc from 'picocolors';
import { Dissector } from '../src/dissect.js';
import type { PacketRecord } from '../src/record.js';
import { LifecycleTracker, type ConnSummary, type ConnTimeline, type LifecycleOptions } from '../src/tcp/lifecycle.js';
import type { Paint } from '../src/render/text.js';
import { plainPaint } from '../src/render/text.js';
import { summaryLine } from '../src/render/summary.js';
import { isStreamInput, openCaptureFile } from './node-io.js';
import { InputError } from './errors.js';
import { Output, warn } from './output.js';
import { reportProblems } from './read.js';
import { startProgress } from './progress.js';

export interface LifecycleRun {
  conns: Array<{ summary: ConnSummary; timeline: ConnTimeline | undefined }>;
  /** exit code from the file's problems (0, 2 or 3) */
  code: number;
}

export interface RunOptions extends LifecycleOptions {
  /** only streams with at least one packet for which it returns true are returned (-Y FILTER) */
  keep?: (rec: PacketRecord) => boolean;
  /**
   * Print each packet's summary line (as `read` does) as soon as it has arrived. Default: when
   * the capture comes from a pipe or standard input that is not a file. The connection verdicts
   * need the whole capture: they follow when the input ends (said once on stderr).
   */
  live?: boolean;
  /** --quiet: no progress bar on stderr (cli/progress.ts) */
  quiet?: boolean;
}

/**
 * Read `file` (or '-') in one pass. `keep(rec)`: when given, only streams with at least one
 * packet for which it returns true are returned (the hook `-Y FILTER` uses).
 */
export async function runLifecycle(file: string, opts: RunOptions = {}): Promise<LifecycleRun> {
  const opened = await openCaptureFile(file);
  if (!opened.ok) throw new InputError(opened.error.message);
  const dissector = new Dissector();
  const lifecycle = new LifecycleTracker(opts);
  dissector.addObserver(lifecycle);
  const matched = new Set<number>();
  const keep = opts.keep;
  let frames = 0;
  const live = (opts.live ?? isStreamInput(file)) ? new Output(1, 1 << 16) : undefined;
  if (live) warn('tcpscope: packets are shown as they arrive; the connections\' verdicts need the whole capture and follow when the input ends');
  const progress = startProgress(file, { quiet: opts.quiet, streamsToStdout: Boolean(live) });
  for await (const batch of opened.batches) {
    for (const frame of batch) {
      const rec = dissector.dissect(frame);
      frames++;
      progress.tick(frame.fileOffset, rec.tcp ? rec.tcp.stream : -1);
      if (keep && rec.tcp && !matched.has(rec.tcp.stream) && keep(rec)) matched.add(rec.tcp.stream);
      if (live) live.line(summaryLine(rec, frame.precision ?? (opened.parser.info?.precision === 'ns' ? 9 : 6)));
    }
    live?.flush();
  }
  progress.stop();
  if (live && frames) { live.line(''); live.flush(); }
  let conns = lifecycle.finish();
  if (keep) conns = conns.filter((c) => matched.has(c.summary.stream));
  return { conns, code: reportProblems(opened.parser, file, frames) };
}

/** Colours when writing to a terminal (and NO_COLOR is not set), plain text otherwise. */
export function terminalPaint(enabled = Boolean(process.stdout.isTTY) && !process.env.NO_COLOR): Paint {
  if (!enabled) return plainPaint;
  const c = pc.createColors(true);
  return { client: c.cyan, server: c.magenta, state: c.green, dim: c.dim, bold: c.bold, warn: c.yellow, ok: c.green };
}
