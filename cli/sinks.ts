/**
 * Where rows go besides stdout: an Apache Parquet file (hyparquet-writer, streamed one row group
 * at a time so memory stays bounded) or a ClickHouse table (batched inserts over its HTTP
 * interface with @clickhouse/client, JSONEachRow). Both take the typed columns of src/scale/columns.ts.
 */
import { ParquetWriter, fileWriter } from 'hyparquet-writer';
import type { Column, ColumnType } from '../src/scale/columns.js';
import { createClient, ClickHouseLogLevel, type ClickHouseClient } from '@clickhouse/client';
import { ExitError } from './errors.js';

export interface RowSink<T> {
  /** a promise only when the row made a batch go out (await it then) */
  add(row: T): void | Promise<void>;
  /** write what is left; returns the number of rows written */
  finish(): Promise<number>;
}

/** Rows per Parquet row group (and the most rows held in memory). */
export const PARQUET_ROW_GROUP = 65_536;

// Parquet physical and converted types per column type (unsigned integers keep their width: DuckDB reads UINT_32 as UINTEGER).
const PARQUET: Record<ColumnType, { type: string; converted_type?: string }> = {
  bool: { type: 'BOOLEAN' },
  uint8: { type: 'INT32', converted_type: 'UINT_8' },
  uint16: { type: 'INT32', converted_type: 'UINT_16' },
  uint32: { type: 'INT32', converted_type: 'UINT_32' },
  uint64: { type: 'INT64', converted_type: 'UINT_64' },
  int32: { type: 'INT32' },
  int64: { type: 'INT64' },
  double: { type: 'DOUBLE' },
  string: { type: 'BYTE_ARRAY', converted_type: 'UTF8' },
};

export class ParquetSink<T> implements RowSink<T> {
  private readonly writer: ParquetWriter;
  private readonly data: unknown[][];
  private rows = 0;
  private written = 0;

  constructor(path: string, private readonly columns: Column<T>[], private readonly groupRows = PARQUET_ROW_GROUP) {
    let w;
    try { w = fileWriter(path); } catch (e) { throw new ExitError(`cannot write ${JSON.stringify(path)}: ${(e as Error).message}`, 2); }
    this.writer = new ParquetWriter({
      writer: w,
      schema: [
        { name: 'root', num_children: columns.length },
        ...columns.map((c) => ({ name: c.name, ...PARQUET[c.type], repetition_type: c.nullable ? 'OPTIONAL' : 'REQUIRED' })),
      ] as never,
      createdBy: 'tcpscope',
    });
    this.data = columns.map(() => []);
  }

  add(row: T): void {
    for (let i = 0; i < this.columns.length; i++) {
      const c = this.columns[i]!;
      let v = c.get(row);
      if (v !== null && (c.type === 'uint64' || c.type === 'int64')) v = BigInt(v as number) as never;
      this.data[i]!.push(v);
    }
    if (++this.rows >= this.groupRows) this.flushGroup();
  }

  private flushGroup(): void {
    if (!this.rows) return;
    this.writer.write({ columnData: this.columns.map((c, i) => ({ name: c.name, data: this.data[i]! })) as never, rowGroupSize: this.rows });
    this.written += this.rows;
    this.rows = 0;
    for (let i = 0; i < this.data.length; i++) this.data[i] = [];
  }

  async finish(): Promise<number> {
    this.flushGroup();
    this.writer.finish();
    return this.written;
  }
}

// ---------------------------------------------------------------------------------------------
// ClickHouse

/** Rows per INSERT. */
export const CLICKHOUSE_BATCH = 20_000;

const CH_TYPES: Record<ColumnType, string> = {
  bool: 'UInt8', uint8: 'UInt8', uint16: 'UInt16', uint32: 'UInt32', uint64: 'UInt64',
  int32: 'Int32', int64: 'Int64', double: 'Float64', string: 'String',
};

/** `CREATE TABLE IF NOT EXISTS` for these columns: MergeTree ordered by `orderBy`, partitioned by month of `timeColumn`. */
export function clickhouseDdl<T>(table: string, columns: Column<T>[], timeColumn: string, orderBy: string[]): string {
  const cols = columns.map((c) => `    ${c.name} ${c.nullable ? `Nullable(${CH_TYPES[c.type]})` : CH_TYPES[c.type]}`).join(',\n');
  return `CREATE TABLE IF NOT EXISTS ${table}\n(\n${cols}\n)\nENGINE = MergeTree()\n` +
    `PARTITION BY toYYYYMM(toDateTime(toUInt32(${timeColumn})))\nORDER BY (${orderBy.join(', ')})`;
}

/** A table name: [db.]name of letters, digits and '_'. */
export function checkTableName(name: string): string {
  if (!/^([A-Za-z_][A-Za-z0-9_]*\.)?[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new ExitError(`--table ${name}: use [database.]name of letters, digits and _`, 1);
  return name;
}

/** Exit code when the database is unreachable or refuses (documented in the README). */
export const SINK_FAILED = 8;

/** The connection broke before an answer came (not a refusal by the server). */
const isBrokenConnection = (e: unknown): boolean =>
  (e as NodeJS.ErrnoException)?.code === 'ECONNRESET' || /socket hang up/.test(String((e as Error)?.message));

export class ClickHouse {
  private readonly client: ClickHouseClient;
  private readonly origin: string;

  constructor(url: string) {
    let u: URL;
    try { u = new URL(url); } catch { throw new ExitError(`--clickhouse ${url}: not a URL (e.g. http://127.0.0.1:8123)`, 1); }
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new ExitError(`--clickhouse ${url}: use an http:// or https:// URL of ClickHouse's HTTP interface`, 1);
    this.origin = u.origin;
    const database = u.pathname.replace(/^\/+|\/+$/g, '') || undefined;
    this.client = createClient({
      url: u.origin, ...(u.username ? { username: decodeURIComponent(u.username), password: decodeURIComponent(u.password) } : {}),
      ...(database ? { database } : {}),
      request_timeout: 120_000,
      // A new connection per statement: a pooled socket the server closed while tcpscope was busy
      // reading (its timers do not run then) fails with "socket hang up", and an INSERT cannot safely be sent again.
      keep_alive: { enabled: false },
      log: { level: ClickHouseLogLevel.OFF },
    });
  }

  /** One line for an error: unreachable (with the reason) or refused (with ClickHouse's own first line). */
  private fail(e: unknown, what: string): ExitError {
    void this.close(); // nothing more will be sent: let the process end
    const err = e as NodeJS.ErrnoException;
    if (err?.code === 'ECONNREFUSED') return new ExitError(`ClickHouse at ${this.origin}: connection refused (is clickhouse-server running?)`, SINK_FAILED);
    if (err?.code === 'ENOTFOUND') return new ExitError(`ClickHouse at ${this.origin}: no such host`, SINK_FAILED);
    if (err?.code && /^E[A-Z]+$/.test(err.code)) return new ExitError(`ClickHouse at ${this.origin}: ${err.message}`, SINK_FAILED);
    const first = String(err?.message ?? e).trim().split('\n')[0];
    return new ExitError(`ClickHouse at ${this.origin} refused ${what}…: ${first}`, SINK_FAILED);
  }

  /** Run one statement; returns the response text. Throws ExitError(8) when unreachable or refused. */
  async query(sql: string): Promise<string> {
    // Statements here are safe to send twice (SELECT, CREATE … IF NOT EXISTS, ALTER … DELETE of one
    // capture): one more try when the connection broke before an answer (never for INSERT: see insert()).
    for (let attempt = 0; ; attempt++) {
      try {
        const r = await this.client.exec({ query: sql });
        let text = '';
        for await (const c of r.stream as AsyncIterable<Buffer>) text += c.toString('utf8');
        return text;
      } catch (e) {
        if (attempt === 0 && isBrokenConnection(e)) continue;
        throw this.fail(e, sql.split(/\s+/).slice(0, 3).join(' '));
      }
    }
  }

  /** Insert rows (objects keyed by column) with INSERT … FORMAT JSONEachRow. */
  async insert(table: string, values: Array<Record<string, unknown>>): Promise<void> {
    try { await this.client.insert({ table, values, format: 'JSONEachRow' }); } catch (e) { throw this.fail(e, `INSERT INTO ${table}`); }
  }

  async close(): Promise<void> { await this.client.close().catch(() => undefined); }

  /** Delete a capture's rows and wait (at most 120 s) until the mutation is done (18.16 has no synchronous mutations). */
  async deleteCapture(table: string, capture: string): Promise<void> {
    const count = Number((await this.query(`SELECT count() FROM ${table} WHERE capture = '${capture}'`)).trim());
    if (!count) return;
    await this.query(`ALTER TABLE ${table} DELETE WHERE capture = '${capture}'`);
    const [db, name] = table.includes('.') ? table.split('.') : [undefined, table];
    const where = `table = '${name}'${db ? ` AND database = '${db}'` : ' AND database = currentDatabase()'} AND is_done = 0`;
    const until = Date.now() + 120_000;
    while (Date.now() < until) {
      if (Number((await this.query(`SELECT count() FROM system.mutations WHERE ${where}`)).trim()) === 0) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new ExitError(`ClickHouse: the earlier rows of capture ${capture} were not deleted within 120 s; nothing was loaded`, SINK_FAILED);
  }
}

/**
 * Rows into a ClickHouse table: creates the table when missing, replaces the capture's earlier
 * rows (delete by capture hash, then insert), inserts in batches. When an insert fails after
 * others succeeded, it deletes what this run loaded, so that a failed load leaves nothing behind.
 */
export class ClickHouseSink<T> implements RowSink<T> {
  private batch: Array<Record<string, unknown>> = [];
  /** rows per INSERT (TCPSCOPE_CLICKHOUSE_BATCH overrides, for tests) */
  private readonly batchRows = Number(process.env.TCPSCOPE_CLICKHOUSE_BATCH) || CLICKHOUSE_BATCH;
  private loaded = 0;
  private started = false;

  constructor(private readonly ch: ClickHouse, private readonly table: string, private readonly columns: Column<T>[],
    private readonly capture: string, private readonly ddl: string) {}

  async start(): Promise<void> {
    await this.ch.query(this.ddl);
    await this.ch.deleteCapture(this.table, this.capture);
    this.started = true;
  }

  add(row: T): void | Promise<void> {
    const o: Record<string, unknown> = {};
    for (const c of this.columns) {
      const v = c.get(row);
      o[c.name] = c.type === 'bool' && v !== null ? (v ? 1 : 0) : v;
    }
    this.batch.push(o);
    if (this.batch.length >= this.batchRows) return this.flush();
  }

  private async flush(): Promise<void> {
    if (!this.batch.length) return;
    if (!this.started) await this.start();
    const rows = this.batch;
    const n = rows.length;
    this.batch = [];
    try {
      await this.ch.insert(this.table, rows);
    } catch (e) {
      if (this.loaded) {
        let cleaned = false;
        try { await this.ch.deleteCapture(this.table, this.capture); cleaned = true; } catch { /* said below */ }
        throw new ExitError(`${(e as Error).message}\n${cleaned ? `the ${this.loaded} rows loaded before were deleted again: nothing of this capture is in ${this.table}`
          : `${this.loaded} rows of capture ${this.capture} may be in ${this.table}: run again to replace them`}`, SINK_FAILED);
      }
      throw e;
    }
    this.loaded += n;
  }

  async finish(): Promise<number> {
    try {
      if (!this.started) await this.start();
      await this.flush();
      return this.loaded;
    } finally { await this.ch.close(); }
  }
}
