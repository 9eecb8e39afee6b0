-- tcpscope tables in ClickHouse (written for and tested with ClickHouse 18.16, Debian 12 clickhouse-server).
--
-- tcpscope creates these tables itself when they are missing (the exact text below; test/clickhouse.test.ts checks that
-- this file says what the code does). One row per connection (conns --clickhouse) and one row per packet
-- (read --clickhouse; these are the default fields, with -e FIELD… the table has those fields instead).
--
-- Idempotent loads: every row carries `capture`, the SHA-256 (first 32 hex digits) of the capture file, or of the
-- ordered file hashes of a capture set. Before inserting, tcpscope deletes the rows of that capture
-- (ALTER TABLE … DELETE WHERE capture = …, waiting in system.mutations until the mutation is done: 18.16 has no
-- synchronous mutations), then inserts in batches of 20,000 rows (INSERT … FORMAT JSONEachRow over HTTP).
-- Why not ReplacingMergeTree: it removes duplicates only when parts merge, at a time of its own choosing, so every
-- query would need FINAL (slow on 18.16) to avoid counting a re-loaded capture twice; a delete before the insert
-- keeps plain MergeTree and exact counts right after the load.
--
-- Times are epoch seconds (Float64, microsecond or nanosecond precision as the capture has it); partitions are months.

-- One row per TCP connection: the conns --json object flattened (docs/schema/conns.schema.json says what each means).
CREATE TABLE IF NOT EXISTS tcpscope_conns
(
    capture String,
    first_file String,
    last_file String,
    stream UInt32,
    client_ip String,
    client_port UInt16,
    server_ip String,
    server_port UInt16,
    first_frame UInt64,
    last_frame UInt64,
    start Float64,
    duration Float64,
    packets_client UInt64,
    packets_server UInt64,
    bytes_client UInt64,
    bytes_server UInt64,
    handshake_kind String,
    handshake_missing String,
    isn_client Nullable(UInt32),
    isn_server Nullable(UInt32),
    mss_client Nullable(UInt16),
    mss_server Nullable(UInt16),
    wscale_client Nullable(UInt8),
    wscale_server Nullable(UInt8),
    sack Nullable(UInt8),
    timestamps Nullable(UInt8),
    rtt_syn_to_syn_ack Nullable(Float64),
    rtt_syn_ack_to_ack Nullable(Float64),
    initial_rtt Nullable(Float64),
    teardown_kind String,
    active_closer Nullable(String),
    teardown_complete UInt8,
    time_wait Nullable(String),
    rst_frame Nullable(UInt64),
    rst_by Nullable(String),
    rst_state Nullable(String),
    rst_count Nullable(UInt32),
    data_after_fin UInt64,
    open_at_end UInt8,
    anomalies String,
    state_client String,
    state_server String,
    midstream UInt8,
    conn_state String,
    history String,
    completeness UInt8,
    completeness_str String,
    tcptrace String,
    zeek_orig String,
    zeek_orig_bytes UInt64,
    zeek_resp_bytes UInt64,
    zeek_orig_pkts UInt64,
    zeek_orig_ip_bytes UInt64,
    zeek_resp_pkts UInt64,
    zeek_resp_ip_bytes UInt64,
    zeek_missed_bytes UInt64,
    zeek_duration Float64,
    zeek_orig_state String,
    zeek_resp_state String,
    disagreements String,
    unexpected_transitions UInt32
)
ENGINE = MergeTree()
PARTITION BY toYYYYMM(toDateTime(toUInt32(start)))
ORDER BY (start, client_ip, client_port, server_ip, server_port, capture);

-- One row per packet (the default fields of read --clickhouse). Addresses and ports are NULL on packets without them,
-- and a sorting key cannot hold Nullable columns: ordered by time, capture and frame number.
CREATE TABLE IF NOT EXISTS tcpscope_packets
(
    capture String,
    file String,
    frame_number UInt32,
    frame_time_epoch Float64,
    frame_len UInt32,
    ip_src Nullable(String),
    ip_dst Nullable(String),
    ipv6_src Nullable(String),
    ipv6_dst Nullable(String),
    tcp_stream Nullable(UInt32),
    tcp_srcport Nullable(UInt16),
    tcp_dstport Nullable(UInt16),
    tcp_flags Nullable(UInt16),
    tcp_seq Nullable(UInt32),
    tcp_ack Nullable(UInt32),
    tcp_len Nullable(UInt32),
    tcp_window_size Nullable(UInt32)
)
ENGINE = MergeTree()
PARTITION BY toYYYYMM(toDateTime(toUInt32(frame_time_epoch)))
ORDER BY (frame_time_epoch, capture, frame_number);

-- ---------------------------------------------------------------------------------------------------------------
-- A cluster: one local table per shard, and a Distributed table over them for queries and inserts.
-- config.xml needs a <remote_servers> entry named tcpscope listing the shards. Each sensor (or each day's batch)
-- loads into one shard's local table: tcpscope conns FILE… --clickhouse http://shardN:8123 (a Distributed table
-- cannot run the ALTER … DELETE of a re-load). Queries go to the Distributed table, which reads every shard.
--
-- On every shard: the table above, as it is (CREATE TABLE IF NOT EXISTS tcpscope_conns …), or with ON CLUSTER:
--   CREATE TABLE IF NOT EXISTS tcpscope_conns ON CLUSTER tcpscope ( …the columns above… ) ENGINE = MergeTree() …;
--
-- The Distributed table (sharding key: the capture's hash, used only if rows are inserted through it). Tested against
-- the single-node cluster test_shard_localhost that Debian's config.xml defines (test/clickhouse.test.ts).
CREATE TABLE IF NOT EXISTS tcpscope_conns_all AS tcpscope_conns
ENGINE = Distributed(tcpscope, currentDatabase(), tcpscope_conns, cityHash64(capture));

CREATE TABLE IF NOT EXISTS tcpscope_packets_all AS tcpscope_packets
ENGINE = Distributed(tcpscope, currentDatabase(), tcpscope_packets, cityHash64(capture));
