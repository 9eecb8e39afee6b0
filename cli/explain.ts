/** `tcpscope explain`: a connection's life told in plain words, with both endpoints' states and a ladder diagram. */
import type { Command } from 'commander';
import { TcpFlag } from '../src/decode/types.js';
import type { Lang } from '../src/i18n/meanings.js';
import { msg } from '../src/i18n/lifecycle.js';
import { explain } from '../src/render/explain.js';
import { Output } from './output.js';
import { UsageError } from './errors.js';
import { pickLang, positiveInt, captureArg } from './options.js';
import { displayFilter, FILTER_HELP } from './filter.js';
import { runLifecycle, terminalPaint } from './lifecycle-run.js';

export interface ExplainCliOptions {
  file: string;
  /** a capture set: these files as one capture (merged by time, or one after the other with append) */
  files?: string[];
  append?: boolean;
  stream?: number;
  lang: Lang;
  all: boolean;
  limit?: number;
  ladder: boolean;
  filter?: string;
  color?: boolean;
}

/** With more connections than this and no --stream, only the first one with a handshake is explained. */
export const EXPLAIN_ALL_UP_TO = 4;

export async function runExplain(o: ExplainCliOptions): Promise<number> {
  const filter = displayFilter(o.filter);
  let kept = 0, haveHandshake = false;
  const run = await runLifecycle(o.file, {
    files: o.files, append: o.append,
    keep: filter ? (rec) => filter.matches(rec) : undefined,
    // Timelines only for what will be printed: the asked stream, or the first few and the first with a SYN.
    timeline: (stream, first) => {
      if (o.stream !== undefined) return stream === o.stream;
      const syn = (first.packet.tcp!.flags & TcpFlag.SYN) !== 0;
      if (kept < EXPLAIN_ALL_UP_TO || (!haveHandshake && syn)) {
        kept++;
        if (syn) haveHandshake = true;
        return true;
      }
      return false;
    },
  });
  const out = new Output();
  const paint = terminalPaint(o.color);
  const opts = { all: o.all, limit: o.limit, ladder: o.ladder, paint };
  let chosen = run.conns.filter((c) => c.timeline);
  if (o.stream !== undefined) {
    if (!chosen.length) throw new UsageError(msg(o.lang, 'ex.nostream', { stream: o.stream }));
  } else if (run.conns.length > EXPLAIN_ALL_UP_TO) {
    const first = chosen.find((c) => c.summary.handshake.kind !== 'not-seen') ?? chosen[0];
    chosen = first ? [first] : [];
    if (first) { out.line(paint.dim(msg(o.lang, 'ex.more', { n: run.conns.length, stream: first.summary.stream }))); out.line(''); }
  }
  chosen.forEach((c, i) => {
    if (i) { out.line(''); out.line(paint.dim('═'.repeat(72))); out.line(''); }
    out.line(explain(c.summary, c.timeline, o.lang, opts));
  });
  if (!run.conns.length) out.line(msg(o.lang, 'conns.none'));
  out.flush();
  return run.code;
}

export function registerExplain(program: Command): void {
  program.command('explain')
    .description('tell the life of a connection: handshake arithmetic, every packet with both endpoints\' RFC 9293 states, the teardown, the tools\' verdicts, Wireshark filters, and a ladder diagram')
    .argument('[file...]', 'pcap or pcapng files (gzip allowed), directories or globs: several are read as one capture in timestamp order; - for standard input')
    .option('-r <file>', 'the capture to read (same as the positional argument)')
    .option('--append', 'several files: one after the other (mergecap -a) instead of merged by time')
    .option('--stream <n>', 'the connection to explain (tcp.stream); default: every connection, or the first with a handshake when there are more than 4', (v: string) => {
      if (!/^\d+$/.test(v)) throw new UsageError(`--stream ${v}: expected a tcp.stream number (0, 1, …)`);
      return Number(v);
    })
    .option('--all', 'show every packet (long connections are folded to their key packets otherwise)')
    .option('--limit <n>', 'fold connections with more packets than this (default 40)', positiveInt('--limit'))
    .option('--no-ladder', 'leave out the ladder diagram')
    .option('-Y <filter>', `${FILTER_HELP}; only connections with at least one matching packet`)
    .option('--lang <lang>', 'language: en or zh-CN (default from LANG)')
    .option('--color', 'colours even when stdout is not a terminal')
    .option('--no-color', 'no colours')
    .action(async (file: string[] | undefined, opts: Record<string, unknown>) => {
      const files = captureArg('explain', file, opts);
      process.exitCode = await runExplain({
        file: files[0]!, files: files.length > 1 ? files : undefined, append: Boolean(opts.append), stream: opts.stream as number | undefined, lang: pickLang(opts.lang as string | undefined),
        all: Boolean(opts.all), limit: opts.limit as number | undefined, ladder: opts.ladder !== false,
        filter: opts.Y as string | undefined, color: opts.color === undefined ? undefined : Boolean(opts.color),
      });
    });
}
