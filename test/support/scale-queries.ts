/**
 * The example queries of docs/scale.md, for DuckDB (Parquet) and ClickHouse: the tests run them
 * and compare with conns --json, so the documentation's queries are known to work.
 */
export const SCALE_QUERIES = {
  /** connections that ended in RST by the server */
  rstByServer: {
    duckdb: (from: string): string =>
      `SELECT stream, client_ip, client_port, server_ip, server_port, rst_state FROM ${from} WHERE rst_by = 'server' ORDER BY stream`,
    clickhouse: (table: string, capture: string): string =>
      `SELECT stream, client_ip, client_port, server_ip, server_port, rst_state FROM ${table} WHERE rst_by = 'server' AND capture = '${capture}' ORDER BY stream FORMAT JSONEachRow`,
  },
  /** handshake RTT percentiles per hour */
  rttPerHour: {
    duckdb: (from: string): string =>
      `SELECT CAST(floor(start / 3600) * 3600 AS BIGINT) AS hour_epoch, count(initial_rtt) AS handshakes, ` +
      `quantile_cont(initial_rtt, 0.5) AS p50, quantile_cont(initial_rtt, 0.9) AS p90, max(initial_rtt) AS max_rtt ` +
      `FROM ${from} WHERE initial_rtt IS NOT NULL GROUP BY hour_epoch ORDER BY hour_epoch`,
    clickhouse: (table: string): string =>
      `SELECT toStartOfHour(toDateTime(toUInt32(start))) AS hour, toUInt32(hour) AS hour_epoch, count() AS handshakes, ` +
      `quantileExact(0.5)(initial_rtt) AS p50, quantileExact(0.9)(initial_rtt) AS p90, max(initial_rtt) AS max_rtt ` +
      `FROM ${table} WHERE initial_rtt IS NOT NULL GROUP BY hour ORDER BY hour FORMAT JSONEachRow`,
  },
};
