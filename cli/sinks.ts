/**
 * Where rows go besides stdout: an Apache Parquet file (hyparquet-writer, streamed one row group
 * at a time so memory stays bounded) or a ClickHouse table (batched inserts over its HTTP
 * interface, JSONEachRow). Both take the typed columns of src/scale/columns.ts.
 */
import { ParquetWriter, fileWriter } from 'hyparquet-writer';
import type { Column, ColumnType } from '../src/scale/columns.js';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
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

export class ClickHouse {
  private readonly base: URL;
  private readonly auth: string | undefined;

  constructor(url: string) {
    let u: URL;
    try { u = new URL(url); } catch { throw new ExitError(`--clickhouse ${url}: not a URL (e.g. http://127.0.0.1:8123)`, 1); }
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new ExitError(`--clickhouse ${url}: use an http:// or https:// URL of ClickHouse's HTTP interface`, 1);
    this.auth = u.username ? 'Basic ' + Buffer.from(`${decodeURIComponent(u.username)}:${decodeURIComponent(u.password)}`).toString('base64') : undefined;
    u.username = ''; u.password = '';
    this.base = u;
  }

  /**
   * Run one statement (with `body` as its data); returns the response text. Throws ExitError(8)
   * when unreachable or refused. A new connection per statement (no keep-alive: a pooled socket
   * the server closed while tcpscope was reading would fail an INSERT that cannot be retried safely).
   */
  query(sql: string, body = ''): Promise<string> {
    const u = new URL(this.base);
    u.searchParams.set('query', sql);
    const origin = this.base.origin;
    const what = sql.split(/\s+/).slice(0, 3).join(' ');
    return new Promise((resolve, reject) => {
      const req = (u.protocol === 'https:' ? httpsRequest : httpRequest)(u, {
        method: 'POST', agent: false, timeout: 120_000,
        headers: { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(body), ...(this.auth ? { authorization: this.auth } : {}) },
      }, (res) => {
        const parts: Buffer[] = [];
        res.on('data', (c: Buffer) => parts.push(c));
        res.on('error', (e) => reject(new ExitError(`ClickHouse at ${origin}: ${e.message}`, SINK_FAILED)));
        res.on('end', () => {
          const text = Buffer.concat(parts).toString('utf8');
          if (res.statusCode === 200) resolve(text);
          else reject(new ExitError(`ClickHouse at ${origin} refused ${what}…: ${text.trim().split('\n')[0] || `HTTP ${res.statusCode}`}`, SINK_FAILED));
        });
      });
      req.on('timeout', () => req.destroy(new Error('no answer within 120 s')));
      req.on('error', (e: NodeJS.ErrnoException) => {
        const why = e.code === 'ECONNREFUSED' ? 'connection refused (is clickhouse-server running?)' : e.code === 'ENOTFOUND' ? `no such host ${u.hostname}` : e.message;
        reject(new ExitError(`ClickHouse at ${origin}: ${why}`, SINK_FAILED));
      });
      req.end(body);
    });
  }

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
  private batch: string[] = [];
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
    this.batch.push(JSON.stringify(o));
    if (this.batch.length >= CLICKHOUSE_BATCH) return this.flush();
  }

  private async flush(): Promise<void> {
    if (!this.batch.length) return;
    if (!this.started) await this.start();
    const body = this.batch.join('\n') + '\n';
    const n = this.batch.length;
    this.batch = [];
    try {
      await this.ch.query(`INSERT INTO ${this.table} FORMAT JSONEachRow`, body);
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
    if (!this.started) await this.start();
    await this.flush();
    return this.loaded;
  }
}
