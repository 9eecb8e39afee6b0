/** `tcpscope conns`: one row per TCP connection, or JSON, or Zeek's conn.log. */
import { Option, type Command } from 'commander';
import type { Lang } from '../src/i18n/meanings.js';
import { ConnEmitter, connJson, connsTable, zeekJsonLines, zeekTsv } from '../src/render/conns.js';
import { DEFAULT_FOLD, lateNotice, type FoldSettings } from '../src/tcp/fold.js';
import { reuseLinks } from '../src/render/facts.js';
import { msg } from '../src/i18n/lifecycle.js';
import { proseWidth } from './explain.js';
import { Output, warn } from './output.js';
import { ExitCode, UsageError } from './errors.js';
import { pickLang, captureArg, positiveInt } from './options.js';
import { displayFilter, FILTER_HELP } from './filter.js';
import { runLifecycle, terminalPaint } from './lifecycle-run.js';
import { connGroups, DEFAULT_CONNS_TABLE, fileLabel, sinkConns } from './scale.js';
import { threadsOption } from './threads.js';

export interface ConnsOptions {
  file: string;
  format: 'table' | 'json' | 'zeek' | 'zeek-json' | 'parquet';
  lang: Lang;
  filter?: string;
  color?: boolean;
  wide?: boolean;
  /** --quiet: no progress bar */
  quiet?: boolean;
  /** capture sets: several files read as one capture (or, with jobs, as independent captures) */
  files?: string[];
  append?: boolean;
  /** read the files as independent captures in this many worker threads */
  jobs?: number;
  /** one capture read by this many worker threads, sharded by connection (cli/threads.ts) */
  threads?: number;
  /** -w: the Parquet file (-T parquet) */
  write?: string;
  clickhouse?: string;
  table?: string;
  /** --no-fold: keep every connection to the end (false); default: fold (src/tcp/fold.ts) */
  fold?: boolean;
  /** tests only: other folding limits than DEFAULT_FOLD */
  foldSettings?: FoldSettings;
}

export async function runConns(o: ConnsOptions): Promise<number> {
  if (o.format === 'parquet' && !o.write) throw new UsageError('conns -T parquet needs -w FILE');
  if (o.write && o.format !== 'parquet') throw new UsageError('-w FILE goes with -T parquet');
  if (o.clickhouse && o.format === 'parquet') throw new UsageError('give either -T parquet -w FILE or --clickhouse URL');
  if (o.table && !o.clickhouse) throw new UsageError('--table goes with --clickhouse');
  if (o.threads !== undefined && o.jobs !== undefined) throw new UsageError('give either --jobs (independent files) or --threads (one capture)');
  // Folding streams the rows in one pass; --threads (sharded workers) and the sinks collect them.
  if (o.fold !== false && o.jobs === undefined && !(o.threads !== undefined && o.threads > 1) && o.format !== 'parquet' && o.clickhouse === undefined) return foldedConns(o, o.format);
  // One capture (a file or a merged set) or, with --jobs, every file on its own (cli/scale.ts).
  const { groups, code } = await connGroups(o);
  if (o.format === 'parquet' || o.clickhouse !== undefined) { await sinkConns(o, groups); return code; }
  const conns = groups.flatMap((g) => g.conns);
  const fileOf = groups.flatMap((g) => g.conns.map((c) => (g.set ? [g.first(c), g.last(c)] as const : undefined)));
  const out = new Output();
  if (o.format === 'json') {
    // One object at a time: a capture with 100,000 connections never builds one huge string.
    // reuses_stream links streams of one capture: with --jobs each file is its own capture.
    const reuseOf = groups.flatMap((g) => { const r = reuseLinks(g.conns).reuses; return g.conns.map((c) => r.get(c.stream)?.stream ?? null); });
    out.line('[');
    conns.forEach((c, i) => {
      const j = connJson(c, reuseOf[i] ?? null);
      const f = fileOf[i];
      out.line(JSON.stringify(f ? { ...j, first_file: f[0], last_file: f[1] } : j, null, 2).replace(/^/gm, '  ') + (i < conns.length - 1 ? ',' : ''));
    });
    out.line(']');
  }
  else if (o.format === 'zeek') out.line(zeekTsv(conns));
  else if (o.format === 'zeek-json') { if (conns.length) out.line(zeekJsonLines(conns)); }
  else if (!conns.length && code === ExitCode.NOT_A_CAPTURE) { /* the error already said so */ }
  else if (!conns.length && o.filter) out.line(msg(o.lang, 'conns.nomatch'));
  else out.line(connsTable(conns, o.lang, terminalPaint(o.color), { width: proseWidth(), wide: o.wide }));
  out.flush();
  return code;
}

/**
 * One capture in bounded memory: each connection is folded into its summary as soon as it is
 * final (src/tcp/fold.ts) and its row goes to the ConnEmitter, which writes the rows in order
 * as soon as every earlier one has gone (JSON), or keeps them as text until the end (table,
 * Zeek's log). Same bytes as the end-of-capture path below, except for packets that came after
 * their connection had been folded (said on stderr).
 */
async function foldedConns(o: ConnsOptions, format: 'table' | 'json' | 'zeek' | 'zeek-json'): Promise<number> {
  const filter = displayFilter(o.filter);
  const settings = o.foldSettings ?? DEFAULT_FOLD;
  const out = new Output();
  const emitter = new ConnEmitter({ format, lang: o.lang, paint: terminalPaint(o.color), table: { width: proseWidth(), wide: o.wide } }, (l) => out.line(l));
  const run = await runLifecycle(o.file, {
    keep: filter ? (rec) => filter.matches(rec) : undefined, live: format === 'table' ? undefined : false,
    files: o.files, append: o.append, quiet: o.quiet, fold: settings,
    onConn: (c, rank, span, files) => emitter.add(c, rank, files.length > 1 ? [fileLabel(files[span?.[0] ?? 0]!), fileLabel(files[span?.[1] ?? 0]!)] : undefined),
    onSettled: (below) => emitter.settle(below),
  });
  const rows = emitter.end();
  if (format === 'table' && !rows) {
    if (run.code === ExitCode.NOT_A_CAPTURE) { /* the error already said so */ }
    else out.line(msg(o.lang, o.filter ? 'conns.nomatch' : 'conns.none'));
  }
  out.flush();
  const notice = lateNotice(run.late, settings);
  if (notice) warn(notice);
  return run.code;
}

export function registerConns(program: Command): void {
  program.command('conns')
    .description('one row per TCP connection: handshake, teardown, active closer, both final states, Zeek conn_state/history, Wireshark completeness')
    .argument('[file...]', 'pcap or pcapng files (gzip allowed), directories or globs: several are read as one capture in timestamp order; - for standard input')
    .option('-r <file>', 'the capture to read (same as the positional argument)')
    .addOption(new Option('-T <format>', 'table (default), json (same as --json), zeek (Zeek conn.log, TSV), zeek-json (conn.log as JSON lines), parquet (with -w FILE)')
      .choices(['table', 'json', 'zeek', 'zeek-json', 'parquet']).default('table'))
    .option('-w <file>', 'with -T parquet: the Parquet file to write (one row per connection)')
    .option('--append', 'several files: one after the other (a ring buffer\'s consecutive files, as mergecap -a) instead of merged by time')
    .option('--jobs <n>', 'read the files as independent captures in n worker threads (same output for any n)', positiveInt('--jobs'))
    .option('--threads <n>', 'read one capture with n worker threads, each following its share of the connections (same output for any n; auto: one per core)', threadsOption)
    .option('--clickhouse <url>', 'load the connections into ClickHouse over its HTTP interface, e.g. http://127.0.0.1:8123 (re-loading a capture replaces its rows)')
    .option('--table <name>', `with --clickhouse: the table (default ${DEFAULT_CONNS_TABLE}; created when missing, schema in docs/clickhouse.sql)`)
    .option('--json', 'a JSON array, one object per connection (schema: docs/schema/conns.schema.json)')
    .option('-Y <filter>', `${FILTER_HELP}; keeps the connections with at least one matching packet`)
    .option('--lang <lang>', 'language of the table: en or zh-CN (default from LANG)')
    .option('--wide', 'every column, however wide (otherwise columns are left out to fit $COLUMNS, or 100 when not a terminal)')
    .option('--color', 'colours even when stdout is not a terminal')
    .option('--no-color', 'no colours')
    .option('--quiet', 'no progress bar (shown on stderr when it is a terminal and the file is larger than 8 MB)')
    .option('--no-fold', 'keep every connection in memory to the end of the capture (by default a connection is folded into its row once it has closed and 60 s of capture time passed, or 2,048 later connections closed, or after 300 s without a packet: memory then follows the connections open at once; a packet that comes after its connection was folded is left out of the row, and said on stderr)')
    .addOption(new Option('--fold-limits <timeWait,idle,maxClosed>', 'tests only: folding limits').hideHelp())
    .action(async (file: string[] | undefined, opts: Record<string, unknown>) => {
      const files = captureArg('conns', file, opts);
      const format = opts.json ? 'json' : (opts.T as ConnsOptions['format']);
      process.exitCode = await runConns({
        file: files[0]!, files: files.length > 1 ? files : undefined, append: Boolean(opts.append), jobs: opts.jobs as number | undefined, threads: opts.threads as number | undefined,
        write: opts.w as string | undefined, clickhouse: opts.clickhouse as string | undefined, table: opts.table as string | undefined,
        format, lang: pickLang(opts.lang as string | undefined), filter: opts.Y as string | undefined,
        color: opts.color === undefined ? undefined : Boolean(opts.color), wide: Boolean(opts.wide), quiet: Boolean(opts.quiet),
        fold: opts.fold !== false, foldSettings: foldLimits(opts.foldLimits as string | undefined),
      });
    });
}

/** --fold-limits T,I,N (tests): seconds of time-wait, seconds of idleness, closed connections kept. */
function foldLimits(v: string | undefined): FoldSettings | undefined {
  if (v === undefined) return undefined;
  const [timeWait, idle, maxClosed] = v.split(',').map(Number);
  if (![timeWait, idle, maxClosed].every((n) => n !== undefined && Number.isFinite(n) && n >= 0)) throw new UsageError('--fold-limits takes three numbers: timeWait,idle,maxClosed');
  return { timeWait: timeWait!, idle: idle!, maxClosed: maxClosed! };
}
