/**
 * Throughput of the scale-out paths (docs/scale.md): one capture of N packets (real loopback
 * HTTP connections from ../shared/captures/scenarios/http-server-close.pcap, repeated with new
 * client addresses by bench/traffic.ts), split into ten files with editcap -c, then timed:
 * conns on one file, on the set, with --jobs, to Parquet, to ClickHouse; read to fields, Parquet,
 * ClickHouse. `node dist/bench/scale.js [--packets N] [--clickhouse URL]` after a build.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expandPcap, readPcap } from './traffic.js';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const CLI = join(REPO, 'dist/cli/main.js');
const arg = (name: string, def: string): string => { const i = process.argv.indexOf(name); return i > 0 ? process.argv[i + 1]! : def; };
const packets = Number(arg('--packets', '300000'));
const ch = arg('--clickhouse', 'http://127.0.0.1:8123');

const dir = mkdtempSync(join(tmpdir(), 'tcpscope-scale-'));
try {
  const src = readPcap(join(REPO, '../shared/captures/scenarios/http-server-close.pcap'));
  const port = Number(execFileSync('tshark', ['-r', join(REPO, '../shared/captures/scenarios/http-server-close.pcap'), '-c', '1', '-T', 'fields', '-e', 'tcp.dstport'], { encoding: 'utf8' }).trim());
  const big = join(dir, 'big.pcap');
  expandPcap(src, port, big, packets);
  const parts = join(dir, 'parts');
  execFileSync('mkdir', [parts]);
  execFileSync('editcap', ['-c', String(Math.ceil(packets / 10)), big, join(parts, 'part.pcap')]);
  const files = readdirSync(parts).sort().map((n) => join(parts, n));
  const F = ['frame.number', 'frame.time_epoch', 'ip.src', 'ip.dst', 'tcp.stream', 'tcp.srcport', 'tcp.dstport', 'tcp.seq', 'tcp.ack', 'tcp.len', 'tcp.flags', 'tcp.window_size'].flatMap((f) => ['-e', f]);
  const runs: Array<[string, string[]]> = [
    ['conns --json, one file', ['conns', '--json', big]],
    ['conns --json, the ten files as one capture set', ['conns', '--json', ...files]],
    ['conns --json --jobs 1, ten independent files', ['conns', '--json', '--jobs', '1', ...files]],
    ['conns --json --jobs 2, ten independent files', ['conns', '--json', '--jobs', '2', ...files]],
    ['conns -T parquet -w, one file', ['conns', '-T', 'parquet', '-w', join(dir, 'c.parquet'), big]],
    ['conns --clickhouse, one file', ['conns', '--clickhouse', ch, '--table', 'tcpscope_bench_conns', big]],
    ['read -T fields (12 fields), one file', ['read', '-T', 'fields', ...F, big]],
    ['read -T parquet (12 fields), one file', ['read', '-T', 'parquet', ...F, '-w', join(dir, 'p.parquet'), big]],
    ['read --clickhouse (default fields), one file', ['read', '--clickhouse', ch, '--table', 'tcpscope_bench_packets', big]],
  ];
  console.log(`${packets} packets; ${files.length} files; Node ${process.version}`);
  for (const [name, args] of runs) {
    const t0 = process.hrtime.bigint();
    const r = spawnSync(process.execPath, [CLI, ...args], { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
    const s = Number(process.hrtime.bigint() - t0) / 1e9;
    if (r.status !== 0) { console.log(`${name}: exit ${r.status}: ${r.stderr.trim()}`); continue; }
    console.log(`${name.padEnd(50)} ${s.toFixed(2).padStart(7)} s  ${Math.round(packets / s).toLocaleString('en-US').padStart(9)} packets/s`);
  }
  for (const t of ['tcpscope_bench_conns', 'tcpscope_bench_packets']) {
    spawnSync('curl', ['-s', '--data-binary', `DROP TABLE IF EXISTS ${t}`, ch]);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
