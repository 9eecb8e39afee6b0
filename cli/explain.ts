/** `tcpscope explain`: a connection's life told in plain words, with both endpoints' states and a ladder diagram. */
import type { Command } from 'commander';
import { TcpFlag } from '../src/decode/types.js';
import type { Lang } from '../src/i18n/meanings.js';
import { msg } from '../src/i18n/lifecycle.js';
import { explain, type ExplainFacts } from '../src/render/explain.js';
import { FactsCollector, reuseLinks } from '../src/render/facts.js';
import { wrapLine } from '../src/render/wrap.js';
import { Output } from './output.js';
import { ExitCode, UsageError } from './errors.js';
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
  const collector = new FactsCollector();
  const run = await runLifecycle(o.file, {
    observers: [collector],
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
  const width = proseWidth();
  const reuse = reuseLinks(run.conns.map((c) => c.summary));
  const factsOf = (s: (typeof run.conns)[number]['summary']): ExplainFacts => {
    const site = run.conns.filter((x) => x.summary.server.ip === s.server.ip && x.summary.server.port === s.server.port);
    const host = collector.http.get(s.stream)?.find((h) => h.kind === 'request' && h.host)?.host;
    let hostFrames: number[] = [];
    if (host) {
      const needle = Buffer.from(host, 'latin1');
      const fs = new Set<number>();
      for (const list of collector.http.values()) for (const h of list) if (Buffer.from(h.bytes).includes(needle)) fs.add(h.frame);
      hostFrames = [...fs].sort((a, b) => a - b);
    }
    return {
      http: collector.http.get(s.stream) ?? [], reuses: reuse.reuses.get(s.stream), reusedBy: reuse.reusedBy.get(s.stream),
      site: { streams: site.map((x) => x.summary.stream), packets: site.reduce((n, x) => n + x.summary.packets.client + x.summary.packets.server, 0) },
      host: host ? { host, frames: hostFrames } : undefined,
      // follow re-reads one file: no suggestion for standard input or a capture set
      file: o.file === '-' || o.files ? undefined : o.file,
    };
  };
  const optsFor = (s: (typeof run.conns)[number]['summary']) => ({ all: o.all, limit: o.limit, ladder: o.ladder, paint, width, facts: factsOf(s) });
  let chosen = run.conns.filter((c) => c.timeline);
  if (o.stream !== undefined) {
    if (!chosen.length) throw new UsageError(msg(o.lang, 'ex.nostream', { stream: o.stream }));
  } else if (run.conns.length > EXPLAIN_ALL_UP_TO) {
    const first = chosen.find((c) => c.summary.handshake.kind !== 'not-seen') ?? chosen[0];
    chosen = first ? [first] : [];
    if (first) {
      for (const l of wrapLine(msg(o.lang, 'ex.more', { n: run.conns.length, stream: first.summary.stream }), proseWidth())) out.line(paint.dim(l));
      out.line('');
    }
  }
  chosen.forEach((c, i) => {
    if (i) { out.line(''); out.line(paint.dim('═'.repeat(72))); out.line(''); }
    out.line(explain(c.summary, c.timeline, o.lang, optsFor(c.summary)));
  });
  // Not a capture at all: the error already said so, nothing more to add.
  if (!run.conns.length && run.code !== ExitCode.NOT_A_CAPTURE) out.line(msg(o.lang, filter ? 'conns.nomatch' : 'conns.none'));
  out.flush();
  return run.code;
}

/** Prose width: $COLUMNS, else the terminal's width, else 100. */
export function proseWidth(): number {
  const env = Number(process.env.COLUMNS);
  if (Number.isInteger(env) && env >= 40) return env;
  if (process.stdout.isTTY && process.stdout.columns) return Math.max(40, process.stdout.columns);
  return 100;
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
