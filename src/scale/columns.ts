/**
 * Typed columns for columnar and database output (Parquet, ClickHouse): one row per connection
 * (the `conns --json` object flattened) or one row per packet (the registry's fields, typed as
 * the registry types them). Pure: no Node APIs.
 */
import type { FieldDef, FieldValue } from '../fields/registry.js';
import type { PacketRecord } from '../record.js';

export type ColumnType = 'bool' | 'uint8' | 'uint16' | 'uint32' | 'uint64' | 'int32' | 'int64' | 'double' | 'string';

export interface Column<T> {
  /** column name: letters, digits and '_' (a field's dots become '_') */
  name: string;
  type: ColumnType;
  /** may be null (a value the record does not have) */
  nullable: boolean;
  get(row: T): boolean | number | string | null;
}

/** Extra facts a connection row carries beside its `conns --json` object. */
export interface ConnRowContext {
  /** the capture's hash (idempotent loads) */
  capture: string;
  /** names of the files the connection's first and last packet came from */
  first_file: string;
  last_file: string;
}

export type ConnRow = { json: Record<string, unknown> } & ConnRowContext;

const at = (o: unknown, path: string): unknown => {
  let v: unknown = o;
  for (const k of path.split('.')) {
    if (v === null || typeof v !== 'object') return null;
    v = (v as Record<string, unknown>)[k];
  }
  return v === undefined ? null : v;
};

const pick = (type: ColumnType, path: string, nullable = false) => (name: string): Column<ConnRow> => ({
  name, type, nullable,
  get: (r) => {
    const v = at(r.json, path);
    if (v === null) return nullable ? null : type === 'string' ? '' : type === 'bool' ? false : 0;
    if (Array.isArray(v)) return v.join(',');
    return v as boolean | number | string;
  },
});

/** The connection table's columns, in order (docs/clickhouse.sql, Parquet from `conns -T parquet`). */
export const CONN_COLUMNS: Column<ConnRow>[] = [
  { name: 'capture', type: 'string', nullable: false, get: (r) => r.capture },
  { name: 'first_file', type: 'string', nullable: false, get: (r) => r.first_file },
  { name: 'last_file', type: 'string', nullable: false, get: (r) => r.last_file },
  ...([
    ['stream', 'uint32', 'stream'],
    ['client_ip', 'string', 'client.ip'], ['client_port', 'uint16', 'client.port'],
    ['server_ip', 'string', 'server.ip'], ['server_port', 'uint16', 'server.port'],
    ['first_frame', 'uint64', 'first_frame'], ['last_frame', 'uint64', 'last_frame'],
    ['start', 'double', 'start'], ['duration', 'double', 'duration'],
    ['packets_client', 'uint64', 'packets.client'], ['packets_server', 'uint64', 'packets.server'],
    ['bytes_client', 'uint64', 'bytes.client'], ['bytes_server', 'uint64', 'bytes.server'],
    ['handshake_kind', 'string', 'handshake.kind'],
    ['handshake_missing', 'string', 'handshake.missing'],
    ['isn_client', 'uint32', 'handshake.isn.client', true], ['isn_server', 'uint32', 'handshake.isn.server', true],
    ['mss_client', 'uint16', 'handshake.options.client.mss', true], ['mss_server', 'uint16', 'handshake.options.server.mss', true],
    ['wscale_client', 'uint8', 'handshake.options.client.window_scale', true], ['wscale_server', 'uint8', 'handshake.options.server.window_scale', true],
    ['sack', 'bool', 'handshake.negotiated.sack', true], ['timestamps', 'bool', 'handshake.negotiated.timestamps', true],
    ['rtt_syn_to_syn_ack', 'double', 'handshake.rtt.syn_to_syn_ack', true],
    ['rtt_syn_ack_to_ack', 'double', 'handshake.rtt.syn_ack_to_ack', true],
    ['initial_rtt', 'double', 'handshake.rtt.initial_rtt', true],
    ['teardown_kind', 'string', 'teardown.kind'],
    ['active_closer', 'string', 'teardown.active_closer', true],
    ['teardown_complete', 'bool', 'teardown.complete'],
    ['time_wait', 'string', 'teardown.time_wait', true],
    ['rst_frame', 'uint64', 'teardown.rst.frame', true], ['rst_by', 'string', 'teardown.rst.by', true],
    ['rst_state', 'string', 'teardown.rst.state', true], ['rst_count', 'uint32', 'teardown.rst.count', true],
    ['data_after_fin', 'uint64', 'teardown.data_after_fin'], ['open_at_end', 'bool', 'teardown.open_at_end'],
    ['anomalies', 'string', 'anomalies'],
    ['state_client', 'string', 'states.client'], ['state_server', 'string', 'states.server'], ['midstream', 'bool', 'states.midstream'],
    ['conn_state', 'string', 'conn_state'], ['history', 'string', 'history'],
    ['completeness', 'uint8', 'completeness'], ['completeness_str', 'string', 'completeness_str'],
    ['tcptrace', 'string', 'tcptrace'],
    ['zeek_orig', 'string', 'zeek.orig'],
    ['zeek_orig_bytes', 'uint64', 'zeek.orig_bytes'], ['zeek_resp_bytes', 'uint64', 'zeek.resp_bytes'],
    ['zeek_orig_pkts', 'uint64', 'zeek.orig_pkts'], ['zeek_orig_ip_bytes', 'uint64', 'zeek.orig_ip_bytes'],
    ['zeek_resp_pkts', 'uint64', 'zeek.resp_pkts'], ['zeek_resp_ip_bytes', 'uint64', 'zeek.resp_ip_bytes'],
    ['zeek_missed_bytes', 'uint64', 'zeek.missed_bytes'], ['zeek_duration', 'double', 'zeek.duration'],
    ['zeek_orig_state', 'string', 'zeek.orig_state'], ['zeek_resp_state', 'string', 'zeek.resp_state'],
    ['disagreements', 'string', 'disagreements'], ['unexpected_transitions', 'uint32', 'unexpected_transitions'],
  ] as Array<[string, ColumnType, string, boolean?]>).map(([name, type, path, nullable]) => pick(type, path, nullable)(name)),
];

/** A packet row: the record and which capture / file it came from. */
export interface PacketRow {
  rec: PacketRecord;
  capture: string;
  file: string;
}

/** A registry field's column type: integers by their width and sign, times as seconds, the rest as tshark's text. */
export function fieldColumnType(d: FieldDef): ColumnType {
  switch (d.type) {
    case 'uint': return d.bits === 8 ? 'uint8' : d.bits === 16 ? 'uint16' : d.bits === 24 || d.bits === 32 ? 'uint32' : 'uint64';
    case 'int': return d.bits === 8 || d.bits === 16 || d.bits === 24 || d.bits === 32 ? 'int32' : 'int64';
    case 'bool': return 'bool';
    case 'float': case 'reltime': case 'abstime': return 'double';
    default: return 'string';
  }
}

/**
 * One column per field: the first occurrence (as `-T fields -E occurrence=f`), null when the
 * packet has none. Integers and booleans are numbers, times are seconds (a double: nanoseconds
 * beyond its 15-16 digits are rounded), everything else is the text `-T fields` prints.
 */
/** Fields every frame has (never null: they can be in a ClickHouse sorting key). */
const EVERY_FRAME = new Set(['frame.number', 'frame.time_epoch', 'frame.time_relative', 'frame.time_delta', 'frame.len', 'frame.cap_len', 'frame.interface_id']);

export function fieldColumns(defs: FieldDef[]): Column<PacketRow>[] {
  const scratch: FieldValue[] = [];
  return defs.map((d): Column<PacketRow> => {
    const type = fieldColumnType(d);
    return {
      name: d.name.replace(/[^A-Za-z0-9_]/g, '_'), type, nullable: !EVERY_FRAME.has(d.name),
      get: (r) => {
        scratch.length = 0;
        d.get(r.rec, scratch);
        if (!scratch.length) return null;
        const v = scratch[0]!;
        if (type === 'double') return Array.isArray(v) ? (v as readonly [number, number])[0] + (v as readonly [number, number])[1] / 1e9 : Number(v);
        if (type === 'bool') return Boolean(v);
        if (type === 'string') return d.text(v);
        return v as number;
      },
    };
  });
}

/** The packet table's columns for these fields: capture and file first. */
export function packetColumns(defs: FieldDef[]): Column<PacketRow>[] {
  return [
    { name: 'capture', type: 'string', nullable: false, get: (r) => r.capture },
    { name: 'file', type: 'string', nullable: false, get: (r) => r.file },
    ...fieldColumns(defs),
  ];
}

/** The fields `read --clickhouse` loads when no -e is given (docs/clickhouse.sql, table packets). */
export const DEFAULT_PACKET_FIELDS = [
  'frame.number', 'frame.time_epoch', 'frame.len', 'ip.src', 'ip.dst', 'ipv6.src', 'ipv6.dst',
  'tcp.stream', 'tcp.srcport', 'tcp.dstport', 'tcp.flags', 'tcp.seq', 'tcp.ack', 'tcp.len', 'tcp.window_size',
];
