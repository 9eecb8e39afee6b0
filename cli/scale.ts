/**
 * The scale-out outputs of `conns` and `read`: Parquet files (-T parquet -w FILE) and ClickHouse
 * tables (--clickhouse URL [--table NAME]), from one capture, a capture set, or (--jobs) many
 * independent files.
 */
import { basename } from 'node:path';
import { CONN_COLUMNS, packetColumns, type ConnRow, type PacketRow } from '../src/scale/columns.js';
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
