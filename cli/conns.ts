/** `tcpscope conns`: one row per TCP connection, or JSON, or Zeek's conn.log. */
import { Option, type Command } from 'commander';
import type { Lang } from '../src/i18n/meanings.js';
import { connJson, connsTable, zeekJsonLines, zeekTsv } from '../src/render/conns.js';
import { Output } from './output.js';
import { UsageError } from './errors.js';
import { pickLang, captureArg, positiveInt } from './options.js';
import { displayFilter, FILTER_HELP } from './filter.js';
import { runLifecycle, terminalPaint } from './lifecycle-run.js';
import { captureHash } from './capture-set.js';
import { connsInWorkers } from './jobs.js';
import { CONN_COLUMNS } from '../src/scale/columns.js';
import { connsDdl, DEFAULT_CONNS_TABLE, fileLabel, openSink, reportLoaded, type ConnRow } from './scale.js';
import type { ConnSummary } from '../src/tcp/lifecycle.js';

export interface ConnsOptions {
  file: string;
  format: 'table' | 'json' | 'zeek' | 'zeek-json' | 'parquet';
  lang: Lang;
  filter?: string;
  color?: boolean;
  /** capture sets: several files read as one capture (or, with jobs, as independent captures) */
  files?: string[];
  append?: boolean;
  /** read the files as independent captures in this many worker threads */
  jobs?: number;
  /** -w: the Parquet file (-T parquet) */
  write?: string;
  clickhouse?: string;
  table?: string;
}

export async function runConns(o: ConnsOptions): Promise<number> {
  if (o.format === 'parquet' && !o.write) throw new UsageError('conns -T parquet needs -w FILE');
  if (o.write && o.format !== 'parquet') throw new UsageError('-w FILE goes with -T parquet');
  if (o.clickhouse && o.format === 'parquet') throw new UsageError('give either -T parquet -w FILE or --clickhouse URL');
  if (o.table && !o.clickhouse) throw new UsageError('--table goes with --clickhouse');
  const files = o.files ?? [o.file];
  const sinking = o.format === 'parquet' || o.clickhouse !== undefined;
  if (sinking && files.includes('-')) throw new UsageError('--clickhouse and -T parquet read files: standard input has no capture hash');
  // One capture (a file or a merged set) or, with --jobs, every file on its own.
  let groups: Array<{ conns: ConnSummary[]; capture: string; first: (c: ConnSummary) => string; last: (c: ConnSummary) => string; set: boolean }>;
  let code = 0;
  if (o.jobs !== undefined) {
    if (files.includes('-')) throw new UsageError('--jobs reads files: standard input cannot be one of them');
    const res = await connsInWorkers(files, o.jobs, o.filter, sinking);
    groups = res.map((r) => ({ conns: r.summaries, capture: r.capture, first: () => fileLabel(r.file), last: () => fileLabel(r.file), set: files.length > 1 }));
    code = Math.max(0, ...res.map((r) => r.code));
  } else {
    const filter = displayFilter(o.filter);
    // Machine formats stay pure: live packet lines only with the table.
    const run = await runLifecycle(o.file, { keep: filter ? (rec) => filter.matches(rec) : undefined, live: o.format === 'table' && !sinking ? undefined : false, files: o.files, append: o.append });
    const name = (i: number | undefined): string => fileLabel(run.files[i ?? 0]!);
    groups = [{ conns: run.conns.map((c) => c.summary), capture: sinking && o.file !== '-' ? await captureHash(run.files, o.append) : '',
      first: (c) => name(run.spans.get(c.stream)?.[0]), last: (c) => name(run.spans.get(c.stream)?.[1]), set: run.files.length > 1 }];
    code = run.code;
  }
  if (sinking) {
    if (groups.some((g) => !g.capture)) throw new UsageError('--clickhouse and -T parquet read files: standard input has no capture hash');
    const rows = (function* (): Generator<ConnRow> {
      for (const g of groups) for (const c of g.conns) yield { json: connJson(c), capture: g.capture, first_file: g.first(c), last_file: g.last(c) };
    })();
    if (o.clickhouse && groups.length > 1) {
      // --jobs: each file is its own capture; a re-load of one file replaces that file's rows.
      let total = 0, where = '';
      for (const g of groups) {
        const { sink, where: w } = await openSink<ConnRow>({ clickhouse: o.clickhouse, table: o.table }, CONN_COLUMNS, () => connsDdl(o.table ?? DEFAULT_CONNS_TABLE), g.capture, DEFAULT_CONNS_TABLE);
        for (const c of g.conns) await sink.add({ json: connJson(c), capture: g.capture, first_file: g.first(c), last_file: g.last(c) });
        total += await sink.finish();
        where = w.replace(/ \(capture .*\)$/, ` (${groups.length} captures)`);
      }
      reportLoaded(total, 'connections', where);
      return code;
    }
    const { sink, where } = await openSink<ConnRow>({ parquet: o.write, clickhouse: o.clickhouse, table: o.table }, CONN_COLUMNS,
      () => connsDdl(o.table ?? DEFAULT_CONNS_TABLE), groups[0]!.capture, DEFAULT_CONNS_TABLE);
    for (const r of rows) await sink.add(r);
    reportLoaded(await sink.finish(), 'connections', where);
    return code;
  }
  const conns = groups.flatMap((g) => g.conns);
  const fileOf = groups.flatMap((g) => g.conns.map((c) => (g.set ? [g.first(c), g.last(c)] as const : undefined)));
  const out = new Output();
  if (o.format === 'json') {
    // One object at a time: a capture with 100,000 connections never builds one huge string.
    out.line('[');
    conns.forEach((c, i) => {
      const j = connJson(c);
      const f = fileOf[i];
      out.line(JSON.stringify(f ? { ...j, first_file: f[0], last_file: f[1] } : j, null, 2).replace(/^/gm, '  ') + (i < conns.length - 1 ? ',' : ''));
    });
    out.line(']');
  }
  else if (o.format === 'zeek') out.line(zeekTsv(conns));
  else if (o.format === 'zeek-json') { if (conns.length) out.line(zeekJsonLines(conns)); }
  else out.line(connsTable(conns, o.lang, terminalPaint(o.color)));
  out.flush();
  return code;
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
    .option('--clickhouse <url>', 'load the connections into ClickHouse over its HTTP interface, e.g. http://127.0.0.1:8123 (re-loading a capture replaces its rows)')
    .option('--table <name>', `with --clickhouse: the table (default ${DEFAULT_CONNS_TABLE}; created when missing, schema in docs/clickhouse.sql)`)
    .option('--json', 'a JSON array, one object per connection (schema: docs/schema/conns.schema.json)')
    .option('-Y <filter>', `${FILTER_HELP}; keeps the connections with at least one matching packet`)
    .option('--lang <lang>', 'language of the table: en or zh-CN (default from LANG)')
    .option('--color', 'colours even when stdout is not a terminal')
    .option('--no-color', 'no colours')
    .action(async (file: string[] | undefined, opts: Record<string, unknown>) => {
      const files = captureArg('conns', file, opts);
      const format = opts.json ? 'json' : (opts.T as ConnsOptions['format']);
      process.exitCode = await runConns({
        file: files[0]!, files: files.length > 1 ? files : undefined, append: Boolean(opts.append), jobs: opts.jobs as number | undefined,
        write: opts.w as string | undefined, clickhouse: opts.clickhouse as string | undefined, table: opts.table as string | undefined,
        format, lang: pickLang(opts.lang as string | undefined), filter: opts.Y as string | undefined,
        color: opts.color === undefined ? undefined : Boolean(opts.color),
      });
    });
}
