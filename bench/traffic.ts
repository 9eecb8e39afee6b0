/**
 * Benchmark input: real loopback TCP traffic, captured with tcpdump, then
 * multiplied into a large classic-pcap file.
 *
 * Kept separate from src/ on purpose: the bench must not depend on the code it
 * measures, so it has its own (deliberately small) pcap reader and writer.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';
import { createServer, get as httpGet, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

// ---------------------------------------------------------------------------
// Loopback capture
// ---------------------------------------------------------------------------

export interface CaptureOptions {
  /** Where tcpdump writes the pcap. */
  file: string;
  /** Number of client connections (each: connect, GET, close). */
  connections: number;
  /** How many connections are in flight at once. */
  concurrency: number;
  /** Stop starting new connections after this long, whatever the count. */
  timeLimitMs: number;
  /** Aborting stops the traffic and tcpdump early (used for Ctrl-C). */
  signal: AbortSignal;
  log: (line: string) => void;
}

export interface CaptureInfo {
  serverPort: number;
  connectionsOk: number;
  connectionsFailed: number;
  /** tcpdump's own end-of-run counters, when it printed them. */
  tcpdumpCaptured?: number;
  tcpdumpDropped?: number;
}

/** Per-request socket timeout; bounds how long one stuck connection can take. */
const REQUEST_TIMEOUT_MS = 5_000;
/** How long we give tcpdump to start, and to exit after SIGINT. */
const TCPDUMP_START_TIMEOUT_MS = 10_000;
const TCPDUMP_STOP_TIMEOUT_MS = 5_000;
/**
 * Pause between the last request and stopping tcpdump. libpcap (TPACKET_V3)
 * hands packets over in blocks with a ~1 s timeout, so stopping right away can
 * lose the final FIN/ACKs that are still sitting in the kernel ring.
 */
const TCPDUMP_DRAIN_MS = 1_200;

/**
 * Starts a local HTTP server on 127.0.0.1, records its traffic with tcpdump,
 * and drives `connections` short non-keep-alive requests against it.
 * Everything it starts is stopped again before it returns or throws.
 */
export async function captureLoopback(opts: CaptureOptions): Promise<CaptureInfo> {
  const server = createServer((req, res) => {
    // Vary the body size a little so that the data segments are not all alike.
    const n = Number.parseInt((req.url ?? '/0').slice(1), 10) || 0;
    const body = Buffer.alloc(64 + ((n * 37) % 1400), 0x61 + (n % 26));
    res.writeHead(200, { 'content-type': 'text/plain', 'content-length': body.length });
    res.end(body);
  });
  let tcpdump: ChildProcess | undefined;
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    const port = (server.address() as AddressInfo).port;
    opts.log(`HTTP server on 127.0.0.1:${port}; starting tcpdump`);

    tcpdump = spawn('tcpdump', ['-i', 'lo', '-U', '-w', opts.file, '-s', '0', `tcp port ${port}`], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    const stderr = collectText(tcpdump);
    const exited = new Promise<number | null>((resolve) => {
      tcpdump!.once('exit', (code) => resolve(code));
      // A failed spawn emits 'error' (and possibly no 'exit'); treat it as an exit.
      tcpdump!.once('error', (err) => {
        stderr.text += `${err.message}\n`;
        resolve(-1);
      });
    });

    await waitFor(
      () => stderr.text.includes('listening on'),
      exited,
      TCPDUMP_START_TIMEOUT_MS,
      opts.signal,
      () => `tcpdump did not start listening:\n${firstLines(stderr.text, 5)}`,
    );

    const { ok, failed } = await driveTraffic(port, opts);
    opts.log(`traffic done: ${ok} connections ok, ${failed} failed; stopping tcpdump`);

    await sleep(TCPDUMP_DRAIN_MS, undefined, { signal: opts.signal });
    tcpdump.kill('SIGINT');
    const code = await withTimeout(exited, TCPDUMP_STOP_TIMEOUT_MS);
    if (code === TIMED_OUT) throw new Error('tcpdump did not exit after SIGINT');
    // tcpdump exits 0 on SIGINT; anything else means the capture is suspect.
    if (code !== 0) throw new Error(`tcpdump exited with ${code}:\n${firstLines(stderr.text, 5)}`);
    if (ok === 0) throw new Error('no client connection succeeded');

    return {
      serverPort: port,
      connectionsOk: ok,
      connectionsFailed: failed,
      tcpdumpCaptured: matchCount(stderr.text, /(\d+) packets? captured/),
      tcpdumpDropped: matchCount(stderr.text, /(\d+) packets? dropped by kernel/),
    };
  } finally {
    if (tcpdump && tcpdump.exitCode === null && tcpdump.signalCode === null) tcpdump.kill('SIGKILL');
    server.closeAllConnections();
    server.close();
  }
}

/** Runs the client side: `concurrency` workers sharing one bounded counter. */
async function driveTraffic(port: number, opts: CaptureOptions): Promise<{ ok: number; failed: number }> {
  const deadline = Date.now() + opts.timeLimitMs;
  let next = 0;
  let ok = 0;
  let failed = 0;
  const worker = async (): Promise<void> => {
    while (next < opts.connections && Date.now() < deadline && !opts.signal.aborted) {
      const i = next++;
      try {
        await oneRequest(port, i);
        ok++;
      } catch {
        failed++;
      }
    }
  };
  await Promise.all(Array.from({ length: opts.concurrency }, worker));
  opts.signal.throwIfAborted();
  if (next < opts.connections) opts.log(`time limit reached after ${next} of ${opts.connections} connections`);
  return { ok, failed };
}

/** One connection: GET, read the body, and let both sides close it. */
function oneRequest(port: number, i: number): Promise<void> {
  return new Promise((resolve, reject) => {
    // agent:false gives a fresh, non-keep-alive agent: one TCP connection per request.
    const req = httpGet({ host: '127.0.0.1', port, path: `/${i}`, agent: false, headers: { connection: 'close' } }, (res) => {
      res.on('error', reject);
      res.on('end', resolve);
      res.resume();
    });
    req.setTimeout(REQUEST_TIMEOUT_MS, () => req.destroy(new Error('request timeout')));
    req.on('error', reject);
  });
}

export const TIMED_OUT = Symbol('timed out');

/** Resolves with `p`'s value, or TIMED_OUT after `ms`; never leaves a timer behind. */
export async function withTimeout<T>(p: Promise<T>, ms: number): Promise<T | typeof TIMED_OUT> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([p, new Promise<typeof TIMED_OUT>((r) => (timer = setTimeout(() => r(TIMED_OUT), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

/** Polls `ready` until it holds; fails if the process exits, the time runs out, or on abort. */
async function waitFor(
  ready: () => boolean,
  exited: Promise<unknown>,
  timeoutMs: number,
  signal: AbortSignal,
  describe: () => string,
): Promise<void> {
  let gone = false;
  void exited.then(() => (gone = true));
  const deadline = Date.now() + timeoutMs;
  while (!ready()) {
    if (gone || Date.now() > deadline) throw new Error(describe());
    await sleep(20, undefined, { signal });
  }
}

/** Accumulates a child's stderr (capped, so a chatty process cannot grow memory). */
export function collectText(child: ChildProcess, cap = 64 * 1024): { text: string } {
  const out = { text: '' };
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    if (out.text.length < cap) out.text += chunk.slice(0, cap - out.text.length);
  });
  return out;
}

/** The first `n` non-blank lines of `text`, each prefixed with `indent`. */
export function firstLines(text: string, n: number, indent = '    '): string {
  return text.split('\n').filter((l) => l.trim() !== '').slice(0, n).map((l) => indent + l).join('\n');
}

function matchCount(text: string, re: RegExp): number | undefined {
  const m = re.exec(text);
  return m ? Number(m[1]) : undefined;
}

// ---------------------------------------------------------------------------
// Classic pcap reading
// ---------------------------------------------------------------------------

export interface PcapRecord {
  /** Timestamp in microseconds since the epoch (fits a double exactly). */
  tsUs: number;
  origLen: number;
  /** Captured bytes (a view into the file buffer). */
  data: Buffer;
}

export interface Pcap {
  linktype: number;
  snaplen: number;
  records: PcapRecord[];
}

/** Reads a whole classic pcap file (either byte order, µs or ns timestamps). */
export function readPcap(file: string): Pcap {
  const buf = readFileSync(file);
  if (buf.length < 24) throw new Error(`${file}: too short for a pcap header`);
  const magic = buf.readUInt32LE(0);
  let le: boolean;
  let nanos: boolean;
  switch (magic) {
    case 0xa1b2c3d4: le = true; nanos = false; break;
    case 0xa1b23c4d: le = true; nanos = true; break;
    case 0xd4c3b2a1: le = false; nanos = false; break;
    case 0x4d3cb2a1: le = false; nanos = true; break;
    default:
      throw new Error(`${file}: not a classic pcap file (magic 0x${magic.toString(16)}; pcapng is not supported here)`);
  }
  const u32 = (off: number): number => (le ? buf.readUInt32LE(off) : buf.readUInt32BE(off));
  const snaplen = u32(16);
  const linktype = u32(20) & 0xffff;
  const records: PcapRecord[] = [];
  let off = 24;
  // A capture cut short (e.g. tcpdump killed mid-write) may end in a partial record; drop it.
  while (off + 16 <= buf.length) {
    const sec = u32(off);
    const frac = u32(off + 4);
    const inclLen = u32(off + 8);
    const origLen = u32(off + 12);
    if (off + 16 + inclLen > buf.length) break;
    const tsUs = sec * 1_000_000 + (nanos ? Math.floor(frac / 1000) : frac);
    records.push({ tsUs, origLen, data: buf.subarray(off + 16, off + 16 + inclLen) });
    off += 16 + inclLen;
  }
  return { linktype, snaplen, records };
}

// ---------------------------------------------------------------------------
// Classic pcap writing
// ---------------------------------------------------------------------------

/**
 * Buffered little-endian, microsecond pcap writer. Synchronous on purpose:
 * nothing else runs while the bench builds its input, and large sequential
 * writeSync calls are as fast as streams without the back-pressure plumbing.
 */
export class PcapWriter {
  private readonly fd: number;
  private readonly chunk: Buffer;
  private used = 0;
  count = 0;

  constructor(file: string, linktype: number, snaplen: number, chunkSize = 4 * 1024 * 1024) {
    this.fd = openSync(file, 'w');
    this.chunk = Buffer.allocUnsafe(chunkSize);
    const h = Buffer.alloc(24);
    h.writeUInt32LE(0xa1b2c3d4, 0); // magic: µs timestamps
    h.writeUInt16LE(2, 4); // version 2.4
    h.writeUInt16LE(4, 6);
    h.writeInt32LE(0, 8); // thiszone
    h.writeUInt32LE(0, 12); // sigfigs
    h.writeUInt32LE(snaplen, 16);
    h.writeUInt32LE(linktype, 20);
    writeSync(this.fd, h);
  }

  /**
   * Appends one record and returns the view of its data inside the write
   * buffer, so the caller can patch the copy in place (no per-packet
   * allocation). The view is only valid until the next append.
   */
  append(tsUs: number, origLen: number, data: Buffer): Buffer {
    const need = 16 + data.length;
    if (this.used + need > this.chunk.length) this.flush();
    if (need > this.chunk.length) throw new Error(`record of ${data.length} bytes exceeds the write buffer`);
    const c = this.chunk;
    const o = this.used;
    const sec = Math.floor(tsUs / 1_000_000);
    c.writeUInt32LE(sec, o);
    c.writeUInt32LE(tsUs - sec * 1_000_000, o + 4);
    c.writeUInt32LE(data.length, o + 8);
    c.writeUInt32LE(origLen, o + 12);
    data.copy(c, o + 16);
    this.used += need;
    this.count++;
    return c.subarray(o + 16, o + need);
  }

  private flush(): void {
    let off = 0;
    while (off < this.used) off += writeSync(this.fd, this.chunk, off, this.used - off);
    this.used = 0;
  }

  close(): void {
    try {
      this.flush();
    } finally {
      closeSync(this.fd);
    }
  }
}

// ---------------------------------------------------------------------------
// Multiplying a capture
// ---------------------------------------------------------------------------

/** Where the client's IPv4 address and the checksums sit inside one record. */
interface PatchPoint {
  /** Offset of the client's IPv4 address (src or dst), or -1: copy unchanged. */
  addr: number;
  ipCsum: number;
  /** Offset of the TCP checksum, or -1 when the snap length cut it off. */
  tcpCsum: number;
}

/** Offset of the IPv4 header for the link types tcpdump may produce, or -1. */
function ipv4Offset(linktype: number, d: Buffer): number {
  let off: number;
  switch (linktype) {
    case 1: { // Ethernet (what Linux "lo" reports), possibly one VLAN tag
      if (d.length < 14) return -1;
      let type = d.readUInt16BE(12);
      off = 14;
      if (type === 0x8100 && d.length >= 18) { type = d.readUInt16BE(16); off = 18; }
      if (type !== 0x0800) return -1;
      break;
    }
    case 113: // Linux cooked v1
      if (d.length < 16 || d.readUInt16BE(14) !== 0x0800) return -1;
      off = 16;
      break;
    case 276: // Linux cooked v2
      if (d.length < 20 || d.readUInt16BE(0) !== 0x0800) return -1;
      off = 20;
      break;
    case 0: // BSD loopback: 4-byte address family in host order, AF_INET = 2
      if (d.length < 4 || (d.readUInt32LE(0) !== 2 && d.readUInt32BE(0) !== 2)) return -1;
      off = 4;
      break;
    case 12: case 101: case 228: // raw IP
      off = 0;
      break;
    default:
      return -1;
  }
  return d.length >= off + 20 && d[off]! >> 4 === 4 ? off : -1;
}

function patchPoint(linktype: number, d: Buffer, serverPort: number): PatchPoint {
  const none = { addr: -1, ipCsum: -1, tcpCsum: -1 };
  const ip = ipv4Offset(linktype, d);
  if (ip < 0 || d[ip + 9] !== 6) return none;
  const ihl = (d[ip]! & 0x0f) * 4;
  const tcp = ip + ihl;
  if ((d.readUInt16BE(ip + 6) & 0x1fff) !== 0 || d.length < tcp + 4) return none; // non-first fragment or no ports
  const srcPort = d.readUInt16BE(tcp);
  // The server keeps 127.0.0.1; the client side gets a new address per copy.
  const addr = srcPort === serverPort ? ip + 16 : ip + 12;
  return { addr, ipCsum: ip + 10, tcpCsum: d.length >= tcp + 18 ? tcp + 16 : -1 };
}

/**
 * Incremental Internet-checksum update for one 32-bit word changing from
 * `from` to `to` (RFC 1624, eqn. 3: HC' = ~(~HC + ~m + m')). Used because the
 * address is covered by both the IPv4 header checksum and the TCP
 * pseudo-header; an incremental update keeps each checksum exactly as right
 * (or, with loopback checksum offload, as "wrong") as it was.
 */
function updateChecksum(sum: number, from: number, to: number): number {
  let s = (~sum & 0xffff) + (~(from >>> 16) & 0xffff) + (~from & 0xffff) + (to >>> 16) + (to & 0xffff);
  s = (s & 0xffff) + (s >>> 16);
  s = (s & 0xffff) + (s >>> 16);
  return ~s & 0xffff;
}

export interface ExpandResult {
  packets: number;
  copies: number;
  bytes: number;
}

/**
 * Writes `packets` records to `out` by repeating `src` as often as needed.
 * Copy k (k >= 1) is shifted in time to start after copy k-1 ends, and its
 * client address becomes 127.0.0.(k+1) (carrying into the higher octets), so
 * every copy is a fresh set of connections for a stream tracker rather than
 * retransmissions of the first. The last copy is cut to hit the exact count.
 */
export function expandPcap(src: Pcap, serverPort: number, out: string, packets: number): ExpandResult {
  const recs = src.records;
  if (recs.length === 0) throw new Error('capture has no packets');
  const points = recs.map((r) => patchPoint(src.linktype, r.data, serverPort));
  const first = recs[0]!.tsUs;
  const last = recs[recs.length - 1]!.tsUs;
  const period = last - first + 1_000; // 1 ms gap between copies
  const copies = Math.ceil(packets / recs.length);
  if (copies >= 1 << 24) throw new Error('too many copies for the 127.0.0.0/8 address space');

  const w = new PcapWriter(out, src.linktype, src.snaplen);
  let bytes = 24;
  try {
    for (let k = 0; k < copies && w.count < packets; k++) {
      const newAddr = (0x7f000000 | (k + 1)) >>> 0;
      const shift = k * period;
      for (let i = 0; i < recs.length && w.count < packets; i++) {
        const r = recs[i]!;
        const d = w.append(r.tsUs + shift, r.origLen, r.data);
        bytes += 16 + d.length;
        const p = points[i]!;
        if (k === 0 || p.addr < 0) continue; // copy 0 is the original traffic
        const oldAddr = d.readUInt32BE(p.addr);
        d.writeUInt32BE(newAddr, p.addr);
        d.writeUInt16BE(updateChecksum(d.readUInt16BE(p.ipCsum), oldAddr, newAddr), p.ipCsum);
        if (p.tcpCsum >= 0) d.writeUInt16BE(updateChecksum(d.readUInt16BE(p.tcpCsum), oldAddr, newAddr), p.tcpCsum);
      }
    }
  } finally {
    w.close();
  }
  return { packets: w.count, copies, bytes };
}
