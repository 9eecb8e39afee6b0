/**
 * Runs INSIDE a private network namespace (bench.ts starts it under `unshare --net`):
 * sets `lo` up at MTU 1500 with TSO/GSO/GRO off (otherwise the kernel hands tcpdump 64 KB
 * super-packets), starts tcpdump on `lo`, makes real traffic and stops tcpdump.
 *
 *   node dist/bench/netns-capture.js A|B OUT.pcap [N]
 *
 * N (optional, for trials): A's number of connections, or B's MiB per download.
 *
 * A: many short HTTP/1.1 connections (one GET each, `Connection: close`), alternating
 *    127.0.0.1 and ::1, response bodies of 4-14 KB.
 * B: four large HTTP downloads (two over IPv4, two over IPv6), one after the other.
 *
 * Everything is bounded in count and in time; the last line on stdout is a JSON summary.
 * The namespace (and with it every socket and tcpdump) disappears when this process ends.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

export const A_CONNECTIONS = 52_600;
export const A_TIME_LIMIT_MS = 600_000;
export const B_DOWNLOADS = 4;
export const B_BYTES = 240 * 2 ** 20;
export const B_TIME_LIMIT_MS = 300_000;
const CONCURRENCY = 64;
const REQUEST_TIMEOUT_MS = 10_000;
const TCPDUMP_START_TIMEOUT_MS = 10_000;
const TCPDUMP_STOP_TIMEOUT_MS = 20_000;
const TCPDUMP_DRAIN_MS = 1_500;
/**
 * B's pace on lo (a token bucket): unpaced, a fast machine moves the downloads at over
 * 200 MB/s and tcpdump's ring overflows (seen: 277,313 of 850,000 packets dropped), so the
 * capture would have holes that are not in the traffic. 800 Mbit/s is what tcpdump -U keeps up with.
 */
const B_RATE = process.env.TCPSCOPE_BENCH_B_RATE ?? '800mbit';

function run(cmd: string, args: string[]): void {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${(r.stderr || r.error?.message || '').trim()}`);
}

function setUpLoopback(): void {
  run('ip', ['link', 'set', 'lo', 'up', 'mtu', '1500']);
  run('ethtool', ['-K', 'lo', 'tso', 'off', 'gso', 'off', 'gro', 'off']);
  // 52,600 client connections to two addresses: give the clients the whole port range so no
  // 4-tuple is reused within the capture (this sysctl is per namespace).
  run('sysctl', ['-q', '-w', 'net.ipv4.ip_local_port_range=1024 65535']);
}

/** Body of response n in capture A: 4-14 KB, varied so that segments are not all alike. */
function bodyA(n: number): Buffer {
  return Buffer.alloc(3072 + ((n * 7919) % 10240), 0x61 + (n % 26));
}

function startServer(kind: 'A' | 'B', host: string, downloadBytes: number): Promise<Server> {
  const chunk = Buffer.alloc(1 << 20, 0x62);
  const server = createServer({ keepAlive: false }, (req, res) => {
    const n = Number.parseInt((req.url ?? '/0').slice(1), 10) || 0;
    if (kind === 'A') {
      const body = bodyA(n);
      res.writeHead(200, { 'content-type': 'text/plain', 'content-length': body.length, connection: 'close' });
      res.end(body);
      return;
    }
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': downloadBytes, connection: 'close' });
    let left = downloadBytes;
    const pump = (): void => {
      while (left > 0) {
        const piece = left >= chunk.length ? chunk : chunk.subarray(0, left);
        left -= piece.length;
        if (!res.write(piece)) { res.once('drain', pump); return; }
      }
      res.end();
    };
    pump();
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => resolve(server));
  });
}

/** One connection: send a GET, read until the server closes, close our side. */
function oneGet(host: string, port: number, path: string, timeoutMs: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = connect({ host, port });
    let bytes = 0;
    s.setTimeout(timeoutMs, () => s.destroy(new Error('timeout')));
    s.on('connect', () => s.write(`GET ${path} HTTP/1.1\r\nHost: bench\r\nUser-Agent: tcpscope-bench\r\nConnection: close\r\n\r\n`));
    s.on('data', (d: Buffer) => { bytes += d.length; });
    s.on('end', () => s.end());
    s.on('close', (hadError) => (hadError ? reject(new Error('socket error')) : resolve(bytes)));
    s.on('error', reject);
  });
}

async function startTcpdump(file: string): Promise<{ child: ChildProcess; stderr: { text: string }; exited: Promise<number | null> }> {
  // -B: a 256 MiB kernel buffer so that bursts are not dropped; -U: write as packets come.
  const child = spawn('tcpdump', ['-i', 'lo', '-B', '262144', '-U', '-s', '0', '-w', file, 'tcp'], { stdio: ['ignore', 'ignore', 'pipe'] });
  const stderr = { text: '' };
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (c: string) => { if (stderr.text.length < 65536) stderr.text += c; });
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => resolve(code));
    child.once('error', (e) => { stderr.text += e.message; resolve(-1); });
  });
  let gone = false;
  void exited.then(() => { gone = true; });
  const deadline = Date.now() + TCPDUMP_START_TIMEOUT_MS;
  while (!stderr.text.includes('listening on')) {
    if (gone || Date.now() > deadline) throw new Error(`tcpdump did not start: ${stderr.text.trim()}`);
    await sleep(20);
  }
  return { child, stderr, exited };
}

async function main(): Promise<void> {
  const [kind, file, n] = process.argv.slice(2);
  if ((kind !== 'A' && kind !== 'B') || !file) throw new Error('usage: netns-capture.js A|B OUT.pcap [N]');
  const scale = n === undefined ? undefined : Number(n);
  if (scale !== undefined && !(Number.isInteger(scale) && scale > 0 && scale <= 1e6)) throw new Error(`bad N: ${n}`);
  const connections = kind === 'A' ? scale ?? A_CONNECTIONS : 0;
  const downloadBytes = kind === 'B' ? (scale === undefined ? B_BYTES : scale * 2 ** 20) : 0;
  setUpLoopback();
  if (kind === 'B') run('tc', ['qdisc', 'add', 'dev', 'lo', 'root', 'tbf', 'rate', B_RATE, 'burst', '256kb', 'latency', '100ms']);
  const v4 = await startServer(kind, '127.0.0.1', downloadBytes);
  const v6 = await startServer(kind, '::1', downloadBytes);
  const targets: Array<[string, number]> = [
    ['127.0.0.1', (v4.address() as AddressInfo).port],
    ['::1', (v6.address() as AddressInfo).port],
  ];
  const td = await startTcpdump(file);
  const started = Date.now();
  let ok = 0;
  let failed = 0;
  let bytes = 0;
  try {
    if (kind === 'A') {
      const deadline = started + A_TIME_LIMIT_MS;
      let next = 0;
      const worker = async (): Promise<void> => {
        while (next < connections && Date.now() < deadline) {
          const i = next++;
          const [host, port] = targets[i % 2]!;
          try { const b = await oneGet(host, port, `/${i}`, REQUEST_TIMEOUT_MS); bytes += b; ok++; } catch { failed++; }
        }
      };
      await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    } else {
      const deadline = started + B_TIME_LIMIT_MS;
      for (let i = 0; i < B_DOWNLOADS && Date.now() < deadline; i++) {
        const [host, port] = targets[i % 2]!;
        try { const b = await oneGet(host, port, `/${i}`, Math.max(1000, deadline - Date.now())); bytes += b; ok++; } catch { failed++; }
      }
    }
    await sleep(TCPDUMP_DRAIN_MS);
  } finally {
    td.child.kill('SIGINT');
    const timer = setTimeout(() => td.child.kill('SIGKILL'), TCPDUMP_STOP_TIMEOUT_MS);
    await td.exited;
    clearTimeout(timer);
    v4.closeAllConnections(); v4.close();
    v6.closeAllConnections(); v6.close();
  }
  const num = (re: RegExp): number | undefined => { const m = re.exec(td.stderr.text); return m ? Number(m[1]) : undefined; };
  console.log(JSON.stringify({
    kind, connectionsOk: ok, connectionsFailed: failed, responseBytes: bytes, seconds: (Date.now() - started) / 1000,
    tcpdumpCaptured: num(/(\d+) packets? captured/), tcpdumpDropped: num(/(\d+) packets? dropped by kernel/),
  }));
}

main().catch((e: unknown) => {
  console.error(`netns-capture: ${e instanceof Error ? e.message : String(e)}`);
  process.exitCode = 1;
});
