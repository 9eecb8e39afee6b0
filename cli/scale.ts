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
