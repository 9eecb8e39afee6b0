/** `tcpscope read`: tshark's packet list, details, fields and JSON, from a file or stdin. */
import { noticeUndecoded } from './notices.js';
import type { CaptureParser } from '../src/capture/reader.js';
import { Dissector } from '../src/dissect.js';
import { fieldNeedsApp } from '../src/fields/index.js';
import { ConvStats } from '../src/render/stats.js';
import { summaryBytes, summaryLine } from '../src/render/summary.js';
import { detailsTree, hexDump, renderTree } from '../src/render/details.js';
import { FieldsRenderer, applyFieldsOption, defaultFieldsOptions, fieldsHeader, resolveFields, UnknownFieldError, type FieldsOptions } from '../src/render/fields.js';
import { packetJson } from '../src/render/json.js';
import type { Lang } from '../src/i18n/meanings.js';
import { openCaptureInput, reportProblems } from './capture-set.js';
import { DEFAULT_PACKETS_TABLE, openPacketSink } from './scale.js';
import { Output, warn } from './output.js';
import { ExitCode, InputError, UsageError } from './errors.js';
import { Option, type Command } from 'commander';
import { collect, pickLang, positiveInt, captureArg } from './options.js';
import { displayFilter, FILTER_HELP } from './filter.js';
import { firstPass, parseStats, renderStat, STATS_HELP } from './stats.js';
import { startProgress } from './progress.js';

export interface ReadOptions {
  file: string;
  format: 'text' | 'fields' | 'json' | 'parquet';
  /** a capture set: these files as one capture (merged by time, or one after the other with append) */
  files?: string[];
  append?: boolean;
  /** -w: the Parquet file (-T parquet) */
  write?: string;
  clickhouse?: string;
  table?: string;
  fields: string[];
  fieldOptions: string[];
  count?: number;
  verbose: boolean;
  hex: boolean;
  meanings: boolean;
  lang: Lang;
  /** -Y: display filter (only matching packets are printed; frame numbers stay the original ones) */
  filter?: string;
  /** -z: statistics printed after the packets (src/render/stats.ts) */
  stats?: string[];
  /** -q: no packet output (only the -z statistics) */
  quiet?: boolean;
  /** -2: read the capture twice and show tshark -2's final per-connection values */
  twoPass?: boolean;
  /** --quiet: no progress bar on stderr */
  noProgress?: boolean;
}

/** Run `read`; returns the process exit code. */
export async function runRead(o: ReadOptions): Promise<number> {
  let fieldsRenderer: FieldsRenderer | undefined;
  let fopts: FieldsOptions | undefined;
  if (o.format === 'fields') {
    if (!o.fields.length) throw new UsageError('-T fields needs at least one -e FIELD');
    fopts = { ...defaultFieldsOptions };
    for (const kv of o.fieldOptions) {
      const err = applyFieldsOption(fopts, kv);
      if (err) throw new UsageError(err);
    }
    try {
      fieldsRenderer = new FieldsRenderer(resolveFields(o.fields), fopts);
    } catch (e) {
      if (e instanceof UnknownFieldError) throw new UsageError(e.message);
      throw e;
    }
  } else if (o.fields.length && o.format !== 'parquet' && !o.clickhouse) throw new UsageError('-e needs -T fields');
  if (o.twoPass && o.files) throw new UsageError('-2 reads one file twice: not with a capture set');
  const files = o.files ?? [o.file];
  const sink = await openPacketSink({ ...o, files }); // -T parquet, --clickhouse (cli/scale.ts)
  const filter = displayFilter(o.filter);
  const stats = parseStats(o.stats ?? []);
  const finals = o.twoPass ? await firstPass(o.file) : undefined;

  const opened = await openCaptureInput(files, o.append);
  const parser = opened.parser;
  // The HTTP/TLS stage only when something printed reads it: the packet list (protocol and
  // info columns), -V/-x/JSON, an HTTP or TLS field, a display filter, -z other than conv,tcp.
  // With -q no packet is printed (statistics see every packet, before -Y).
  const printed = !o.quiet && (o.format !== 'fields' || o.fields.some(fieldNeedsApp) || filter !== undefined);
  const dissector = new Dissector({ app: printed || stats.some((s) => !(s instanceof ConvStats)) });
  if (finals) dissector.tcp.finals = finals;
  const out = new Output();
  const limit = o.count ?? Infinity;
  let shown = 0;
  let jsonFirst = true;
  // tshark prints the header once the file is known to be a capture, even when it has no packets.
  if (fopts?.bom && !o.quiet) out.raw('\ufeff');
  let headerDue = Boolean(fopts?.header) && !o.quiet;
  const header = (): void => {
    if (headerDue && parser.info) { out.line(fieldsHeader(resolveFields(o.fields), fopts!)); headerDue = false; }
  };
  if (o.format === 'json' && !o.quiet) out.line('[');
  const digits = (): number => (parser.info?.precision === 'ns' ? 9 : 6);

  const progress = startProgress(o.file, { quiet: o.noProgress, streamsToStdout: !o.quiet });
  outer: for await (const batch of opened.batches) {
    for (const frame of batch) {
      if (shown >= limit || out.closed) break outer;
      const rec = dissector.dissect(frame);
      shown++;
      progress.tick(frame.fileOffset, rec.tcp ? rec.tcp.stream : -1);
      for (let i = 0; i < stats.length; i++) stats[i]!.observe(rec);
      if (o.quiet) continue;
      // -c counts packets read, as tshark does with -r: -c 5 -Y FILTER shows the matches among the first 5.
      if (filter && !filter.matches(rec)) continue;
      if (sink) { const p = sink.add(rec, frame.file); if (p) await p; }
      else if (fieldsRenderer) { header(); out.line(fieldsRenderer.line(rec)); }
      else if (o.format === 'json') {
        out.line((jsonFirst ? '  ' : ', ') + JSON.stringify(packetJson(rec)));
        jsonFirst = false;
      } else if (o.verbose || o.hex) {
        if (o.verbose) out.line(renderTree(detailsTree(rec), { meanings: o.meanings, lang: o.lang }));
        else out.line(summaryLine(rec, frame.precision ?? digits()));
        if (o.hex) { out.line(''); out.line(hexDump(frame.data)); }
        out.line('');
      } else out.bytesLine(summaryBytes(rec, frame.precision ?? digits()));
    }
    // Streaming: what one read of the input completed is shown now, not when the input ends
    // (a pipe from tcpdump -U or dumpcap delivers a few packets at a time).
    out.flush();
  }
  progress.stop();
  header();
  if (o.format === 'json' && !o.quiet) out.line(']');
  // tshark prints the statistics in the reverse order of its -z options (and none when the file is no capture).
  if (parser.info) for (let i = stats.length - 1; i >= 0; i--) out.raw(renderStat(stats[i]!));
  out.flush();
  noticeUndecoded(dissector);
  const code = reportProblems(parser, opened.label, shown);
  if (sink) await sink.finish();
  return code;
}


/** Adds `read` and its tshark-style options to the program. */
export function registerRead(program: Command): void {
  program.command('read')
    .description('print the packets of a capture, as tshark -r does')
    .argument('[file...]', 'pcap or pcapng files (gzip allowed), directories or globs: several are read as one capture in timestamp order (frame.file says which file); - for standard input')
    .option('-r <file>', 'the capture to read (same as the positional argument; - for stdin)')
    .addOption(new Option('-T <format>', 'output format (parquet: with -e FIELD… and -w FILE)').choices(['text', 'fields', 'json', 'parquet']).default('text'))
    .option('-e <field>', 'a field to print with -T fields or to write with -T parquet / --clickhouse (repeatable), e.g. -e tcp.seq', collect, [])
    .option('-w <file>', 'with -T parquet: the Parquet file to write (one row per packet, typed columns)')
    .option('--append', 'several files: one after the other (mergecap -a) instead of merged by time')
    .option('--clickhouse <url>', 'load the packets (the -e fields, or a default set) into ClickHouse over its HTTP interface, e.g. http://127.0.0.1:8123')
    .option('--table <name>', `with --clickhouse: the table (default ${DEFAULT_PACKETS_TABLE}; created when missing)`)
    .option('-E <option>', 'fields output option: bom=y|n, header=y|n, separator=/t|/s|C, aggregator=,|/s|C, quote=d|s|n, occurrence=f|l|a', collect, [])
    .option('-c <count>', 'stop after reading this many packets (with -Y: shows the matches among them, as tshark)', positiveInt('-c'))
    .option('-Y <filter>', FILTER_HELP)
    .option('-z <statistic>', STATS_HELP, collect, [])
    .option('-q', 'quiet: print no packets (with -z: only the statistics)')
    .option('--quiet', 'no progress bar (shown on stderr when it is a terminal, the file is larger than 8 MB and the packets do not go to that terminal)')
    .option('-2', 'two passes, as tshark -2: every packet shows its connection\'s final tcp.completeness and iRTT (needs a file)')
    .option('-V', 'show the details tree of every packet, with what each header field is for')
    .option('-x', 'add the packet bytes as hex and ASCII')
    .option('-n', 'no name resolution (accepted for tshark compatibility: tcpscope never resolves names)')
    .option('--no-meanings', 'with -V: leave out the one-line meaning beside each field')
    .option('--lang <lang>', 'language of explanations: en or zh-CN (default from LANG)')
    .action(async (file: string[] | undefined, opts: Record<string, unknown>) => {
      const files = captureArg('read', file, opts);
      process.exitCode = await runRead({
        file: files[0]!, files: files.length > 1 ? files : undefined, append: Boolean(opts.append),
        write: opts.w as string | undefined, clickhouse: opts.clickhouse as string | undefined, table: opts.table as string | undefined,
        format: opts.T as ReadOptions['format'], fields: opts.e as string[], fieldOptions: opts.E as string[],
        count: opts.c as number | undefined, verbose: Boolean(opts.V), hex: Boolean(opts.x), meanings: opts.meanings !== false,
        lang: pickLang(opts.lang as string | undefined), filter: opts.Y as string | undefined,
        stats: opts.z as string[], quiet: Boolean(opts.q), twoPass: Boolean(opts['2']), noProgress: Boolean(opts.quiet),
      });
    });
}
