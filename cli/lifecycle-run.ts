/** The pass shared by `conns` and `explain`: read a capture once, follow every connection's lifecycle. */
import pc from 'picocolors';
import { Dissector, type RecordObserver } from '../src/dissect.js';
import { appLine, type PacketRecord } from '../src/record.js';
import { LifecycleTracker, type ConnSummary, type ConnTimeline, type LifecycleOptions } from '../src/tcp/lifecycle.js';
import { isFolded } from '../src/tcp/conversations.js';
import type { Paint } from '../src/render/text.js';
import { plainPaint } from '../src/render/text.js';
import { summaryLine } from '../src/render/summary.js';
import { isStreamInput } from './node-io.js';
import { openCaptureInput, reportProblems } from './capture-set.js';
import { Output, warn } from './output.js';
import { noticeUndecoded } from './notices.js';
import { startProgress } from './progress.js';

export interface LifecycleRun {
  conns: Array<{ summary: ConnSummary; timeline: ConnTimeline | undefined }>;
  /** exit code from the file's problems (0, 2 or 3) */
  code: number;
  /** capture sets: the files read, and per tcp.stream the indexes of the files of its first and last packet */
  files: string[];
  spans: Map<number, [number, number]>;
  /** with fold: packets that came after their connection had been folded (src/tcp/fold.ts), and how many of them were TCP segments (the rest: ICMP errors quoting one) */
  late: number;
  lateSegments: number;
}

export interface RunOptions extends LifecycleOptions<PacketRecord> {
  /** only streams with at least one packet for which it returns true are returned (-Y FILTER) */
  keep?: (rec: PacketRecord) => boolean;
  /**
   * Print each packet's summary line (as `read` does) as soon as it has arrived. Default: when
   * the capture comes from a pipe or standard input that is not a file. The connection verdicts
   * need the whole capture: they follow when the input ends (said once on stderr).
   */
  live?: boolean;
  /** more observers of every record (e.g. the facts `explain` collects) */
  observers?: RecordObserver[];
  /** a capture set (cli/capture-set.ts): these files as one capture, instead of `file` */
  files?: string[];
  /** with files: one after the other (mergecap -a) instead of in timestamp order */
  append?: boolean;
  /** --quiet: no progress bar on stderr (cli/progress.ts) */
  quiet?: boolean;
  /**
   * With `fold` (LifecycleOptions): each kept connection goes to onConn as soon as it is final
   * (with its rank, and the indexes in `files` of the files of its first and last packet);
   * onSettled(below) after each batch of frames: every rank below has gone or never will. The
   * result's `conns` is then empty.
   */
  onConn?: (summary: ConnSummary, rank: number, span: readonly [number, number] | undefined, files: readonly string[]) => void;
  onSettled?: (below: number) => void;
}

/**
 * Read `file` (or '-') in one pass. `keep(rec)`: when given, only streams with at least one
 * packet for which it returns true are returned (the hook `-Y FILTER` uses).
 */
export async function runLifecycle(file: string, opts: RunOptions = {}): Promise<LifecycleRun> {
  const opened = await openCaptureInput(opts.files ?? [file], opts.append);
  const spans = new Map<number, [number, number]>();
  const live = (opts.live ?? isStreamInput(file)) ? new Output(1, 1 << 16) : undefined;
  // The HTTP/TLS stage only for what reads it: -Y, the live packet lines, timelines (their
  // application lines) and extra observers (explain's facts). `conns` alone never does.
  const dissector = new Dissector({ app: Boolean(opts.keep || live || opts.timeline || opts.observers?.length) });
  const matched = new Set<number>();
  const keep = opts.keep;
  const fold = opts.fold && !opts.timeline ? opts.fold : undefined;
  const onConn = opts.onConn ?? (() => {});
  const lifecycle = new LifecycleTracker<PacketRecord>({
    appLine, ...opts, fold,
    // A folded connection: its row (when kept) goes now; its -Y match and file span are no longer needed.
    onFold: ({ summary }, rank) => {
      const s = summary.stream;
      if (!keep || matched.has(s)) onConn(summary, rank, spans.get(s), opened.files);
      matched.delete(s);
      spans.delete(s);
    },
  });
  // Each packet's -Y match and file before the lifecycle sees it: its connection may fold right after.
  dissector.addObserver({
    observe: (rec) => {
      const t = rec.tcp;
      if (!t || (fold && isFolded(t.conv))) return;
      if (keep && !matched.has(t.stream) && keep(rec)) matched.add(t.stream);
      const file = rec.packet.frame.file;
      if (file !== undefined) {
        const s = spans.get(t.stream);
        if (s) s[1] = file; else spans.set(t.stream, [file, file]);
      }
    },
  });
  dissector.addObserver(lifecycle);
  for (const o of opts.observers ?? []) dissector.addObserver(o);
  let frames = 0;
  if (live) warn('tcpscope: packets are shown as they arrive; the connections\' verdicts need the whole capture and follow when the input ends');
  const progress = startProgress(file, { quiet: opts.quiet, streamsToStdout: Boolean(live) });
  for await (const batch of opened.batches) {
    for (const frame of batch) {
      const rec = dissector.dissect(frame);
      frames++;
      progress.tick(frame.fileOffset, rec.tcp ? rec.tcp.stream : -1);
      if (live) live.line(summaryLine(rec, frame.precision ?? (opened.parser.info?.precision === 'ns' ? 9 : 6)));
    }
    live?.flush();
    if (fold) opts.onSettled?.(lifecycle.settledBelow);
  }
  progress.stop();
  if (live && frames) { live.line(''); live.flush(); }
  noticeUndecoded(dissector);
  let conns = lifecycle.finish();
  if (keep) conns = conns.filter((c) => matched.has(c.summary.stream));
  return { conns, code: reportProblems(opened.parser, opened.label, frames), files: opened.files, spans, late: lifecycle.late + lifecycle.lateIcmp, lateSegments: lifecycle.late };
}

/** Colours when writing to a terminal (and NO_COLOR is not set), plain text otherwise. */
export function terminalPaint(enabled = Boolean(process.stdout.isTTY) && !process.env.NO_COLOR): Paint {
  if (!enabled) return plainPaint;
  const c = pc.createColors(true);
  return { client: c.cyan, server: c.magenta, state: c.green, dim: c.dim, bold: c.bold, warn: c.yellow, ok: c.green };
}
