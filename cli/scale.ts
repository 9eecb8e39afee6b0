/**
 * The scale-out outputs of `conns` and `read`: Parquet files (-T parquet -w FILE) and ClickHouse
 * tables (--clickhouse URL [--table NAME]), from one capture, a capture set, or (--jobs) many
 * independent files.
 */
import { basename } from 'node:path';
import { CONN_COLUMNS, DEFAULT_PACKET_FIELDS, packetColumns, type ConnRow, type PacketRow } from '../src/scale/columns.js';
import type { PacketRecord } from '../src/record.js';
import { resolveFields, UnknownFieldError } from '../src/render/fields.js';
import { captureHash } from './capture-set.js';
import { connJson } from '../src/render/conns.js';
import type { ConnSummary } from '../src/tcp/lifecycle.js';
import { connsInWorkers } from './jobs.js';
import { runLifecycle, type RunOptions } from './lifecycle-run.js';
import { runLifecycleThreaded } from './threads.js';
import { displayFilter } from './filter.js';
import type { FieldDef } from '../src/fields/registry.js';
import { ClickHouse, ClickHouseSink, ParquetSink, checkTableName, clickhouseDdl, type RowSink } from './sinks.js';
import { UsageError } from './errors.js';
import { warn } from './output.js';

export const DEFAULT_CONNS_TABLE = 'tcpscope_conns';
export const DEFAULT_PACKETS_TABLE = 'tcpscope_packets';

/** Where rows go: a Parquet file or a ClickHouse table. */
export interface SinkTarget {
  parquet?: string;
  clickhouse?: string;
  table?: string;
}

/** The conns table's DDL (docs/clickhouse.sql has the same text). */
export const connsDdl = (table = DEFAULT_CONNS_TABLE): string =>
  clickhouseDdl(table, CONN_COLUMNS, 'start', ['start', 'client_ip', 'client_port', 'server_ip', 'server_port', 'capture']);

/** The packets table's DDL for these fields. */
export const packetsDdl = (defs: FieldDef[], table = DEFAULT_PACKETS_TABLE): string => {
  const cols = packetColumns(defs);
  const has = (n: string): boolean => cols.some((c) => c.name === n);
  const time = has('frame_time_epoch') ? 'frame_time_epoch' : undefined;
  if (!time) throw new UsageError('read --clickhouse: the fields need frame.time_epoch (the table is partitioned and ordered by it)');
  // A sorting key cannot hold Nullable columns (addresses and ports are null on other packets): time, capture, frame.
  const order = [time, 'capture', ...['frame_number'].filter(has)];
  return clickhouseDdl(table, cols, time, order);
};

/** The name a record shows for a file (its base name: the same capture loaded from elsewhere is the same). */
export const fileLabel = (path: string): string => (path === '-' ? '-' : basename(path));

export async function openSink<T>(t: SinkTarget, columns: typeof CONN_COLUMNS | ReturnType<typeof packetColumns>, ddl: () => string,
  capture: string, defaultTable: string): Promise<{ sink: RowSink<T>; where: string }> {
  // TCPSCOPE_PARQUET_ROW_GROUP: rows per row group (default 65,536), the most rows held in memory.
  if (t.parquet !== undefined) return { sink: new ParquetSink<T>(t.parquet, columns as never, Number(process.env.TCPSCOPE_PARQUET_ROW_GROUP) || undefined), where: t.parquet };
  const table = checkTableName(t.table ?? defaultTable);
  const ch = new ClickHouse(t.clickhouse!);
  const sink = new ClickHouseSink<T>(ch, table, columns as never, capture, ddl());
  await sink.start();
  return { sink, where: `ClickHouse table ${table} (capture ${capture})` };
}

/** Said on stderr when a load is complete (and only then). */
export function reportLoaded(rows: number, what: string, where: string): void {
  warn(`tcpscope: ${rows} ${rows === 1 ? what.replace(/s$/, '') : what} written to ${where}`);
}

export type { ConnRow, PacketRow };

/** What `read` needs to write packet rows. */
export interface PacketSinkOptions {
  format: string;
  fields: string[];
  files: string[];
  append?: boolean;
  write?: string;
  clickhouse?: string;
  table?: string;
}

/**
 * `read -T parquet -e … -w FILE` or `read --clickhouse URL`: check the options and open the sink
 * (undefined when the packets are printed instead). add() takes the record and its frame.file.
 */
export async function openPacketSink(o: PacketSinkOptions): Promise<{ add(rec: PacketRecord, file: number | undefined): void | Promise<void>; finish(): Promise<void> } | undefined> {
  if (o.format === 'parquet' && (!o.write || !o.fields.length)) throw new UsageError('read -T parquet needs -e FIELD (one or more) and -w FILE');
  if (o.write && o.format !== 'parquet') throw new UsageError('-w FILE goes with -T parquet');
  if (o.clickhouse && o.format !== 'text') throw new UsageError('--clickhouse loads the packets instead of printing them: leave out -T');
  if (o.table && !o.clickhouse) throw new UsageError('--table goes with --clickhouse');
  if (o.format !== 'parquet' && !o.clickhouse) return undefined;
  if (o.files.includes('-')) throw new UsageError('-T parquet and --clickhouse read files: standard input has no capture hash');
  let defs;
  try { defs = resolveFields(o.fields.length ? o.fields : DEFAULT_PACKET_FIELDS); } catch (e) {
    if (e instanceof UnknownFieldError) throw new UsageError(e.message);
    throw e;
  }
  const capture = await captureHash(o.files, o.append);
  const labels = o.files.map(fileLabel);
  const { sink, where } = await openSink<PacketRow>({ parquet: o.write, clickhouse: o.clickhouse, table: o.table }, packetColumns(defs),
    () => packetsDdl(defs, o.table ?? DEFAULT_PACKETS_TABLE), capture, DEFAULT_PACKETS_TABLE);
  return {
    add: (rec, file) => sink.add({ rec, capture, file: labels[file ?? 0]! }),
    finish: async () => { reportLoaded(await sink.finish(), 'packets', where); },
  };
}

/** The options of `conns` that choose what is read and where rows go. */
export interface ConnGroupOptions {
  file: string;
  files?: string[];
  append?: boolean;
  /** --quiet: no progress bar */
  quiet?: boolean;
  jobs?: number;
  /** --threads N: one capture sharded over N worker threads (cli/threads.ts) */
  threads?: number;
  filter?: string;
  format: string;
  write?: string;
  clickhouse?: string;
  table?: string;
}

/** The connections of one capture (a file, or a set read as one) or, with --jobs, of each file on its own. */
export interface ConnGroup { conns: ConnSummary[]; capture: string; first: (c: ConnSummary) => string; last: (c: ConnSummary) => string; set: boolean }

/** Read what `conns` was given: one capture (a file or a merged set) or, with --jobs, every file on its own. */
export async function connGroups(o: ConnGroupOptions): Promise<{ groups: ConnGroup[]; code: number }> {
  const files = o.files ?? [o.file];
  const sinking = o.format === 'parquet' || o.clickhouse !== undefined;
  if (sinking && files.includes('-')) throw new UsageError('--clickhouse and -T parquet read files: standard input has no capture hash');
  let groups: ConnGroup[];
  let code = 0;
  if (o.jobs !== undefined) {
    if (files.includes('-')) throw new UsageError('--jobs reads files: standard input cannot be one of them');
    const res = await connsInWorkers(files, o.jobs, o.filter, sinking);
    groups = res.map((r) => ({ conns: r.summaries, capture: r.capture, first: () => fileLabel(r.file), last: () => fileLabel(r.file), set: files.length > 1 }));
    code = Math.max(0, ...res.map((r) => r.code));
  } else {
    const filter = displayFilter(o.filter);
    // Machine formats stay pure: live packet lines only with the table.
    const ro: RunOptions = { keep: filter ? (rec) => filter.matches(rec) : undefined, live: o.format === 'table' && !sinking ? undefined : false, files: o.files, append: o.append, quiet: o.quiet };
    // --threads N: the same run sharded over worker threads when it gives the same answer (cli/threads.ts).
    const run = (o.threads && o.threads > 1 && await runLifecycleThreaded(o.file, { ...ro, threads: o.threads, filter: o.filter })) || await runLifecycle(o.file, ro);
    const name = (i: number | undefined): string => fileLabel(run.files[i ?? 0]!);
    groups = [{ conns: run.conns.map((c) => c.summary), capture: sinking && o.file !== '-' ? await captureHash(run.files, o.append) : '',
      first: (c) => name(run.spans.get(c.stream)?.[0]), last: (c) => name(run.spans.get(c.stream)?.[1]), set: run.files.length > 1 }];
    code = run.code;
  }
  return { groups, code };
}

/** `conns -T parquet -w FILE` or `conns --clickhouse URL`: the rows of every group. */
export async function sinkConns(o: ConnGroupOptions, groups: ConnGroup[]): Promise<void> {
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
    return;
  }
  const { sink, where } = await openSink<ConnRow>({ parquet: o.write, clickhouse: o.clickhouse, table: o.table }, CONN_COLUMNS,
    () => connsDdl(o.table ?? DEFAULT_CONNS_TABLE), groups[0]!.capture, DEFAULT_CONNS_TABLE);
  for (const r of rows) await sink.add(r);
  reportLoaded(await sink.finish(), 'connections', where);
  return;
}
