/**
 * `npm run bench`: tcpscope against cat, tcpdump, tcptrace and tshark on two captures of real
 * loopback traffic that it makes itself (see bench/README.md).
 *
 * This is a measurement, not a test: it prints figures and the issue's targets as met / not
 * met, and asserts nothing. It sanity-checks that tshark and tcpscope print the same first
 * lines of `-T fields`.
 */
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, readSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { cpus, totalmem } from 'node:os';
import { concatShifted } from './big.js';

/** The 6 fields of the `-T fields` runs (both tools). */
const FIELDS = ['frame.number', 'tcp.stream', 'tcp.seq', 'tcp.ack', 'tcp.flags', 'tcp.len'];
const FIELD_ARGS = ['-T', 'fields', ...FIELDS.flatMap((f) => ['-e', f])];
const NODESEG = ['-o', 'tcp.desegment_tcp_streams:FALSE'];

const DEFAULT_RUNS = 3;
const DEFAULT_TIMEOUT_S = 600;
/** Making a capture: the whole `unshare` child is killed after this long. */
const CAPTURE_TIMEOUT_MS = 15 * 60_000;
const COMPARE_LINES = 2_000;

/** dist/bench/bench.js -> dist/cli/main.js; the cache is bench/.cache in the repository (git-ignored). */
const HERE = dirname(fileURLToPath(import.meta.url));
const TCPSCOPE_MAIN = join(HERE, '..', 'cli', 'main.js');
const NETNS_WORKER = join(HERE, 'netns-capture.js');
const CACHE_DIR = join(HERE, '..', '..', 'bench', '.cache');
const GNU_TIME = '/usr/bin/time';

type CaptureName = 'A' | 'B';
const CAPTURES: CaptureName[] = ['A', 'B'];

/** Every timed job. `ts-*` are tcpscope. */
const JOBS: Array<{ id: string; tool: string; what: string; argv: (f: string) => [string, string[]] }> = [
  { id: 'cat', tool: 'cat', what: 'cat FILE', argv: (f) => ['cat', [f]] },
  { id: 'tcpdump', tool: 'tcpdump', what: 'tcpdump -nn -r', argv: (f) => ['tcpdump', ['-nn', '-r', f]] },
  { id: 'tcptrace', tool: 'tcptrace', what: 'tcptrace -n', argv: (f) => ['tcptrace', ['-n', f]] },
  { id: 'tshark-fields', tool: 'tshark', what: 'tshark -T fields (6)', argv: (f) => ['tshark', ['-n', '-r', f, ...FIELD_ARGS]] },
  { id: 'tshark-fields-nodeseg', tool: 'tshark', what: 'tshark -T fields (6), desegment off', argv: (f) => ['tshark', ['-n', '-r', f, ...NODESEG, ...FIELD_ARGS]] },
  { id: 'tshark-list', tool: 'tshark', what: 'tshark (packet list)', argv: (f) => ['tshark', ['-n', '-r', f]] },
  { id: 'tshark-conv', tool: 'tshark', what: 'tshark -q -z conv,tcp', argv: (f) => ['tshark', ['-n', '-q', '-r', f, '-z', 'conv,tcp']] },
  { id: 'tshark-conv-nodeseg', tool: 'tshark', what: 'tshark -q -z conv,tcp, desegment off', argv: (f) => ['tshark', ['-n', '-q', '-r', f, ...NODESEG, '-z', 'conv,tcp']] },
  { id: 'ts-fields', tool: 'tcpscope', what: 'tcpscope read -T fields (6)', argv: (f) => [process.execPath, [TCPSCOPE_MAIN, 'read', f, ...FIELD_ARGS]] },
  { id: 'ts-list', tool: 'tcpscope', what: 'tcpscope read (packet list)', argv: (f) => [process.execPath, [TCPSCOPE_MAIN, 'read', f]] },
  { id: 'ts-conns', tool: 'tcpscope', what: 'tcpscope conns', argv: (f) => [process.execPath, [TCPSCOPE_MAIN, 'conns', f]] },
  { id: 'ts-conns-threads', tool: 'tcpscope', what: 'tcpscope conns --threads 2', argv: (f) => [process.execPath, [TCPSCOPE_MAIN, 'conns', '--threads', '2', f]] },
  { id: 'ts-conns-json', tool: 'tcpscope', what: 'tcpscope conns --json', argv: (f) => [process.execPath, [TCPSCOPE_MAIN, 'conns', '--json', f]] },
  { id: 'ts-conv', tool: 'tcpscope', what: 'tcpscope read -q -z conv,tcp', argv: (f) => [process.execPath, [TCPSCOPE_MAIN, 'read', '-q', f, '-z', 'conv,tcp']] },
];

const USAGE = `Usage: npm run bench -- [options]
   or: node dist/bench/bench.js [options]     (after a build; as root)

Times tcpscope against cat, tcpdump, tcptrace and tshark on two captures of real loopback
traffic, made once inside a private network namespace and cached in bench/.cache/:
  A  ~52,600 short HTTP connections over IPv4 and IPv6 (~1.1 M packets, ~650 MB)
  B  four 240 MiB HTTP downloads in 1514-byte frames (~1.1 GB)

Options:
  --packets N     use only the first N packets of each capture (cut copies are cached too)
  --runs N        timed runs of each job, alternating; the median is reported (default ${DEFAULT_RUNS})
  --only LIST     comma-separated job ids and/or captures, e.g. --only B,ts-conns,tcptrace
                  jobs: ${JOBS.map((j) => j.id).join(', ')}
  --timeout S     one run's limit in seconds; a slower tool shows as "> S" (default ${DEFAULT_TIMEOUT_S})
  --save FILE     also write the figures as JSON
  --fresh         capture the traffic again
  --big           instead of the table: tcpscope conns on the first 100k/200k/400k/800k packets
                  and all of A (is its memory flat?), and on a 5 GB capture (B five times,
                  shifted in time, new client ports), once each, with peak RSS
  -h, --help      show this help

Needs root (unshare --net, tcpdump on lo), Node 20, GNU time and:
  apt-get install -y tcpdump tshark tcptrace ethtool iproute2 util-linux time`;

interface Options {
  packets?: number;
  runs: number;
  only: Set<string>;
  timeoutS: number;
  save?: string;
  fresh: boolean;
  big: boolean;
}

const log = (line = ''): void => console.log(line);

function parseOptions(argv: string[]): Options | 'help' {
  const { values } = parseArgs({
    args: argv, strict: true, allowPositionals: false,
    options: {
      packets: { type: 'string' }, runs: { type: 'string' }, only: { type: 'string' }, timeout: { type: 'string' },
      save: { type: 'string' }, fresh: { type: 'boolean', default: false }, big: { type: 'boolean', default: false }, help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) return 'help';
  const only = new Set((values.only ?? '').split(',').map((s) => s.trim()).filter(Boolean));
  for (const o of only) {
    if (!CAPTURES.includes(o as CaptureName) && !JOBS.some((j) => j.id === o)) throw new Error(`--only: unknown job or capture "${o}"`);
  }
  return {
    packets: values.packets === undefined ? undefined : positiveInt('--packets', values.packets, 100_000_000),
    runs: values.runs === undefined ? DEFAULT_RUNS : positiveInt('--runs', values.runs, 100),
    timeoutS: values.timeout === undefined ? DEFAULT_TIMEOUT_S : positiveInt('--timeout', values.timeout, 86_400),
    only, save: values.save, fresh: values.fresh, big: values.big,
  };
}

function positiveInt(name: string, raw: string, max: number): number {
  const n = Number(raw.replaceAll('_', ''));
  if (!Number.isInteger(n) || n < 1 || n > max) throw new Error(`${name} must be an integer from 1 to ${max}, got "${raw}"`);
  return n;
}

function missingTools(): string[] {
  const probes: Array<[string, string[]]> = [
    ['tcpdump', ['--version']], ['tshark', ['-v']], ['tcptrace', ['-v']], ['unshare', ['--version']],
    ['ip', ['-V']], ['ethtool', ['--version']], [GNU_TIME, ['-f', '%M', '-o', '/dev/null', 'true']],
  ];
  return probes.filter(([cmd, args]) => spawnSync(cmd, args, { stdio: 'ignore' }).error !== undefined).map(([cmd]) => cmd);
}

// ---------------------------------------------------------------------------
// Captures
// ---------------------------------------------------------------------------

interface CaptureFile {
  name: CaptureName;
  file: string;
  packets: number;
  bytes: number;
  note: string;
}

/** Counts the records of a classic pcap file, reading it in 4 MiB chunks. */
function countPcap(file: string): number {
  const fd = openSync(file, 'r');
  try {
    const head = Buffer.alloc(24);
    if (readSync(fd, head, 0, 24, 0) !== 24) throw new Error(`${file}: not a pcap file`);
    const magic = head.readUInt32LE(0);
    const le = magic === 0xa1b2c3d4 || magic === 0xa1b23c4d;
    if (!le && head.readUInt32BE(0) !== 0xa1b2c3d4 && head.readUInt32BE(0) !== 0xa1b23c4d) throw new Error(`${file}: not a classic pcap file`);
    const size = statSync(file).size;
    const buf = Buffer.alloc(4 << 20);
    let pos = 24;
    let n = 0;
    const rec = Buffer.alloc(16);
    // Read each 16-byte record header, skip the data; a chunked reader would be faster but this
    // runs once per capture and is bounded by the file size.
    let chunkStart = -1;
    let chunkLen = 0;
    while (pos + 16 <= size) {
      if (pos < chunkStart || pos + 16 > chunkStart + chunkLen) {
        chunkLen = readSync(fd, buf, 0, buf.length, pos);
        chunkStart = pos;
      }
      buf.copy(rec, 0, pos - chunkStart, pos - chunkStart + 16);
      const incl = le ? rec.readUInt32LE(8) : rec.readUInt32BE(8);
      pos += 16 + incl;
      if (pos > size) break;
      n++;
    }
    return n;
  } finally {
    closeSync(fd);
  }
}

/** Runs a command with a time limit; returns its stdout. */
function runOrThrow(cmd: string, args: string[], timeoutMs: number): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: timeoutMs, maxBuffer: 1 << 20 });
  if (r.error) throw new Error(`${cmd}: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited with ${r.status}: ${(r.stderr ?? '').trim().split('\n').slice(-5).join(' / ')}`);
  return r.stdout;
}

/** The full capture, made inside a private network namespace when it is not cached yet. */
function ensureCapture(name: CaptureName, fresh: boolean): CaptureFile {
  const file = join(CACHE_DIR, `${name}.pcap`);
  const metaFile = join(CACHE_DIR, `${name}.json`);
  if (!fresh && existsSync(file) && existsSync(metaFile)) {
    const meta = JSON.parse(readFileSync(metaFile, 'utf8')) as { packets: number; note: string };
    return { name, file, packets: meta.packets, bytes: statSync(file).size, note: meta.note };
  }
  log(`Capturing ${name} inside a new network namespace (unshare --net; lo at MTU 1500, TSO/GSO/GRO off)…`);
  const partial = `${file}.partial`;
  rmSync(partial, { force: true });
  try {
    const t0 = Date.now();
    const out = runOrThrow('unshare', ['--net', '--', process.execPath, NETNS_WORKER, name, partial], CAPTURE_TIMEOUT_MS);
    const summary = JSON.parse(out.trim().split('\n').pop() ?? '{}') as Record<string, number>;
    const packets = countPcap(partial);
    if (packets === 0) throw new Error('tcpdump wrote no packets');
    const note = `${summary.connectionsOk} connections ok, ${summary.connectionsFailed} failed; tcpdump: ${summary.tcpdumpCaptured} captured, ` +
      `${summary.tcpdumpDropped} dropped by the kernel; traffic took ${summary.seconds} s`;
    renameSync(partial, file);
    writeFileSync(metaFile, `${JSON.stringify({ ...summary, packets, note, capturedAt: new Date().toISOString() }, null, 2)}\n`);
    log(`  ${name}: ${fmtInt(packets)} packets in ${((Date.now() - t0) / 1000).toFixed(0)} s (${note})`);
    // A capture with holes that were not in the traffic would time tools on lost-segment analysis.
    if (summary.tcpdumpDropped) log(`  warning: tcpdump dropped ${fmtInt(summary.tcpdumpDropped)} packets; make ${name} again with --fresh on a quieter machine`);
    return { name, file, packets, bytes: statSync(file).size, note };
  } finally {
    rmSync(partial, { force: true });
  }
}

/** The first `packets` packets of a capture (cached next to it). */
function cutCapture(full: CaptureFile, packets: number): CaptureFile {
  if (packets >= full.packets) return full;
  const file = join(CACHE_DIR, `${full.name}-${packets}.pcap`);
  if (!existsSync(file) || statSync(file).mtimeMs < statSync(full.file).mtimeMs) {
    const partial = `${file}.partial`;
    runOrThrow('tcpdump', ['-r', full.file, '-c', String(packets), '-w', partial], 10 * 60_000);
    renameSync(partial, file);
  }
  return { ...full, file, packets: countPcap(file), bytes: statSync(file).size, note: `first ${fmtInt(packets)} packets of ${full.name}` };
}

// ---------------------------------------------------------------------------
// Timing
// ---------------------------------------------------------------------------

interface RunResult {
  ok: boolean;
  timedOut?: boolean;
  seconds: number;
  rssKb?: number;
  detail?: string;
}

/** One run under GNU time (peak RSS), stdout to /dev/null, in its own process group. */
function timeRun(cmd: string, args: string[], timeoutS: number): Promise<RunResult> {
  const rssFile = join(CACHE_DIR, `rss-${process.pid}.txt`);
  rmSync(rssFile, { force: true });
  return new Promise((resolve) => {
    const t0 = process.hrtime.bigint();
    const devNull = openSync('/dev/null', 'w');
    const child = spawn(GNU_TIME, ['-f', '%M', '-o', rssFile, cmd, ...args], { stdio: ['ignore', devNull, 'pipe'], detached: true });
    closeSync(devNull);
    let stderr = '';
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (c: string) => { if (stderr.length < 8192) stderr += c; });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try { process.kill(-child.pid!, 'SIGKILL'); } catch { /* already gone */ }
    }, timeoutS * 1000);
    child.once('error', (e) => { clearTimeout(timer); resolve({ ok: false, seconds: 0, detail: e.message }); });
    child.once('close', (code) => {
      clearTimeout(timer);
      const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
      let rssKb: number | undefined;
      try {
        const last = readFileSync(rssFile, 'utf8').trim().split('\n').pop() ?? '';
        if (/^\d+$/.test(last)) rssKb = Number(last);
      } catch { /* no file */ }
      rmSync(rssFile, { force: true });
      if (timedOut) resolve({ ok: false, timedOut: true, seconds: timeoutS });
      else if (code !== 0) resolve({ ok: false, seconds, rssKb, detail: `exit status ${code}: ${stderr.trim().split('\n').slice(0, 4).join(' / ')}` });
      else resolve({ ok: true, seconds, rssKb });
    });
  });
}

/** The first `n` lines a command prints (it is killed afterwards). */
function headLines(cmd: string, args: string[], n: number): string[] {
  const r = spawnSync('sh', ['-c', `"$@" 2>/dev/null | head -n ${n}`, 'sh', cmd, ...args], { encoding: 'utf8', maxBuffer: 64 << 20, timeout: 120_000 });
  return (r.stdout ?? '').split('\n').slice(0, n);
}

interface Job {
  capture: CaptureFile;
  id: string;
  what: string;
  cmd: string;
  args: string[];
  runs: RunResult[];
  stop?: string;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

interface Figure {
  seconds?: number;
  /** true when the tool was stopped at the time limit: seconds is then a lower bound */
  over?: boolean;
  rssMiB?: number;
}

function figure(job: Job | undefined): Figure | undefined {
  if (!job) return undefined;
  if (job.runs.some((r) => r.timedOut)) return { seconds: job.runs.find((r) => r.timedOut)!.seconds, over: true };
  const ok = job.runs.filter((r) => r.ok);
  if (!ok.length) return undefined;
  const rss = ok.map((r) => r.rssKb).filter((x): x is number => x !== undefined);
  return { seconds: median(ok.map((r) => r.seconds)), rssMiB: rss.length ? median(rss) / 1024 : undefined };
}

function fmtInt(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

function printTable(cap: CaptureFile, jobs: Job[]): void {
  log(`\nCapture ${cap.name}: ${cap.file}`);
  log(`  ${fmtInt(cap.packets)} packets, ${(cap.bytes / 1e6).toFixed(0)} MB (${cap.note})`);
  const rows: string[][] = [['job', 'median s', 'packets/s', 'MB/s', 'peak RSS MiB', 'runs (s)']];
  for (const j of jobs) {
    const f = figure(j);
    const runs = j.runs.map((r) => (r.ok ? r.seconds.toFixed(2) : r.timedOut ? `>${r.seconds}` : 'fail')).join(' ');
    if (!f || f.seconds === undefined) { rows.push([j.what, 'FAILED', '-', '-', '-', runs || '-']); continue; }
    const s = f.seconds;
    rows.push([j.what, `${f.over ? '>' : ''}${s.toFixed(2)}`, `${f.over ? '<' : ''}${fmtInt(cap.packets / s)}`,
      `${f.over ? '<' : ''}${(cap.bytes / 1e6 / s).toFixed(1)}`, f.rssMiB === undefined ? '-' : f.rssMiB.toFixed(0), runs]);
  }
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  for (const [i, r] of rows.entries()) {
    log('  ' + r.map((cell, c) => (c >= 1 && c <= 4 ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!))).join('  ').trimEnd());
    if (i === 0) log('  ' + widths.map((w) => '-'.repeat(w)).join('  '));
  }
  for (const j of jobs) if (j.stop && !j.runs.some((r) => r.timedOut)) log(`  ${j.what}: ${j.stop}`);
}

/** "how many times faster tcpscope is than X" (X's time / tcpscope's time); '>' when X hit the time limit. */
function ratio(peer: Figure | undefined, ours: Figure | undefined): { text: string; value?: number; lower?: boolean } {
  if (!peer?.seconds || !ours?.seconds || ours.over) return { text: 'n/a' };
  const v = peer.seconds / ours.seconds;
  return { text: `${peer.over ? '>' : ''}${v.toFixed(2)}×`, value: v, lower: peer.over };
}

function printRatios(cap: CaptureFile, jobs: Job[]): Array<{ target: string; met: boolean | undefined; text: string }> {
  const f = (id: string): Figure | undefined => figure(jobs.find((j) => j.id === id));
  const lines: Array<{ target: string; met: boolean | undefined; text: string }> = [];
  const want = (target: string, r: ReturnType<typeof ratio>, min: number): void => {
    lines.push({ target, met: r.value === undefined ? undefined : r.value >= min, text: r.text });
  };
  want('read -T fields >= 10x tshark -T fields', ratio(f('tshark-fields'), f('ts-fields')), 10);
  lines.push({ target: 'read -T fields vs tshark -T fields, desegment off (info)', met: undefined, text: ratio(f('tshark-fields-nodeseg'), f('ts-fields')).text });
  want('read -T fields faster than tcpdump -nn -r', ratio(f('tcpdump'), f('ts-fields')), 1);
  want('packet list >= 3x tshark', ratio(f('tshark-list'), f('ts-list')), 3);
  want('conns >= 10x tshark -z conv,tcp', ratio(f('tshark-conv'), f('ts-conns')), 10);
  lines.push({ target: 'conns vs tshark -z conv,tcp, desegment off (info)', met: undefined, text: ratio(f('tshark-conv-nodeseg'), f('ts-conns')).text });
  want('conns faster than tcptrace', ratio(f('tcptrace'), f('ts-conns')), 1);
  lines.push({ target: 'conns --threads 2 vs tcptrace (info)', met: undefined, text: ratio(f('tcptrace'), f('ts-conns-threads')).text });
  lines.push({ target: 'conns --json vs tshark -z conv,tcp (info)', met: undefined, text: ratio(f('tshark-conv'), f('ts-conns-json')).text });
  lines.push({ target: 'read -q -z conv,tcp vs tshark -z conv,tcp (info)', met: undefined, text: ratio(f('tshark-conv'), f('ts-conv')).text });
  const rss = f('ts-conns')?.rssMiB;
  const limit = cap.name === 'A' ? 150 : 100;
  lines.push({ target: `conns peak RSS < ${limit} MB`, met: rss === undefined ? undefined : rss * 1.048576 < limit, text: rss === undefined ? 'n/a' : `${(rss * 1.048576).toFixed(0)} MB` });
  log(`\nCapture ${cap.name}: tcpscope against the others (their time / tcpscope's time; > 1 means tcpscope is faster)`);
  for (const l of lines) log(`  ${l.met === undefined ? '     ' : l.met ? ' met ' : ' NOT '} ${l.target.padEnd(62)} ${l.text}`);
  return lines;
}

async function main(): Promise<number> {
  let opts: Options | 'help';
  try {
    opts = parseOptions(process.argv.slice(2));
  } catch (err) {
    console.error(`${(err as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (opts === 'help') { log(USAGE); return 0; }
  const missing = missingTools();
  if (missing.length) {
    console.error(`Missing: ${missing.join(', ')}. Install with:\n  apt-get install -y tcpdump tshark tcptrace ethtool iproute2 util-linux time`);
    return 1;
  }
  if (process.getuid?.() !== 0) console.error('note: not root; making a capture (unshare --net, tcpdump) needs root, cached captures do not');
  if (!existsSync(TCPSCOPE_MAIN)) { console.error(`${TCPSCOPE_MAIN} is missing: build first (npx tsc -p tsconfig.json)`); return 1; }
  mkdirSync(CACHE_DIR, { recursive: true });

  if (opts.big) return bigRuns(opts);
  const capsWanted = CAPTURES.filter((c) => opts.only.has(c) || !CAPTURES.some((x) => opts.only.has(x)));
  const jobsWanted = JOBS.filter((j) => opts.only.has(j.id) || !JOBS.some((x) => opts.only.has(x.id)));
  const caps = capsWanted.map((c) => {
    const full = ensureCapture(c, opts.fresh);
    return opts.packets ? cutCapture(full, opts.packets) : full;
  });

  const tsharkVersion = (spawnSync('tshark', ['-v'], { encoding: 'utf8' }).stdout ?? '').split('\n')[0];
  const tcptraceVersion = (spawnSync('tcptrace', ['-v'], { encoding: 'utf8' }).stderr ?? '').trim().split('\n')[0];
  const cpu = cpus()[0]?.model ?? '?';
  log(`Machine: ${cpus().length} × ${cpu}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB; load average ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}`);
  log(`${tsharkVersion}; ${tcptraceVersion}; node ${process.version}`);

  for (const cap of caps) {
    if (!jobsWanted.some((j) => j.id === 'ts-fields') || !jobsWanted.some((j) => j.id === 'tshark-fields')) break;
    const [tc, ta] = JOBS.find((j) => j.id === 'tshark-fields-nodeseg')!.argv(cap.file);
    const [sc, sa] = JOBS.find((j) => j.id === 'ts-fields')!.argv(cap.file);
    const a = headLines(tc, ta, COMPARE_LINES);
    const b = headLines(sc, sa, COMPARE_LINES);
    const diff = a.findIndex((l, i) => l !== b[i]);
    log(diff < 0 ? `Sanity check ${cap.name}: first ${a.length} lines of -T fields identical (tshark, desegment off)` :
      `WARNING ${cap.name}: -T fields differs at line ${diff + 1}: tshark ${JSON.stringify(a[diff])} tcpscope ${JSON.stringify(b[diff])}`);
  }

  const jobs: Job[] = [];
  for (const cap of caps) {
    for (const j of jobsWanted) {
      const [cmd, args] = j.argv(cap.file);
      jobs.push({ capture: cap, id: j.id, what: j.what, cmd, args, runs: [] });
    }
  }
  // Alternate: run 1 of every job, then run 2 of every job, … so drift on the (shared)
  // machine spreads over all tools instead of favouring one.
  log(`\nTiming ${opts.runs} run(s) of each job, alternating, stdout to /dev/null, limit ${opts.timeoutS} s a run:`);
  for (let run = 1; run <= opts.runs; run++) {
    for (const job of jobs) {
      if (job.stop) continue;
      const r = await timeRun(job.cmd, job.args, opts.timeoutS);
      job.runs.push(r);
      log(`  run ${run}  ${job.capture.name}  ${job.what.padEnd(40)} ${r.ok ? `${r.seconds.toFixed(2)} s` : r.timedOut ? `stopped at ${opts.timeoutS} s` : 'FAILED'}` +
        `${r.rssKb ? `  ${(r.rssKb / 1024).toFixed(0)} MiB` : ''}`);
      if (!r.ok) job.stop = r.timedOut ? `stopped at the ${opts.timeoutS} s limit` : (r.detail ?? 'failed');
    }
  }

  const saved: unknown[] = [];
  for (const cap of caps) {
    const mine = jobs.filter((j) => j.capture === cap);
    printTable(cap, mine);
    const targets = printRatios(cap, mine);
    saved.push({
      capture: cap.name, file: cap.file, packets: cap.packets, bytes: cap.bytes, note: cap.note,
      jobs: mine.map((j) => ({ id: j.id, what: j.what, runs: j.runs, ...figure(j) })), targets,
    });
  }
  if (opts.save) writeFileSync(opts.save, `${JSON.stringify({ when: new Date().toISOString(), node: process.version, tshark: tsharkVersion, cpu, cores: cpus().length, captures: saved }, null, 2)}\n`);
  return 0;
}

/** Copies of B in the 5 GB capture (5 × 1.07 GB). */
const BIG_COPIES = 5;
const GROWTH = [100_000, 200_000, 400_000, 800_000];

/** `--big`: is `conns`' memory flat as A grows, and does a 5 GB capture complete in bounded memory? */
async function bigRuns(opts: Options): Promise<number> {
  const a = ensureCapture('A', opts.fresh);
  const b = ensureCapture('B', opts.fresh);
  const bigFile = join(CACHE_DIR, `B${BIG_COPIES}.pcap`);
  if (!existsSync(bigFile) || statSync(bigFile).mtimeMs < statSync(b.file).mtimeMs) {
    log(`Writing ${bigFile}: B ${BIG_COPIES} times, each copy shifted in time and with new client ports…`);
    concatShifted(b.file, `${bigFile}.partial`, BIG_COPIES);
    renameSync(`${bigFile}.partial`, bigFile);
  }
  log(`Machine: ${cpus().length} × ${cpus()[0]?.model ?? '?'}; load average ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}; node ${process.version}`);
  const caps = [...GROWTH.map((n) => cutCapture(a, n)), a,
    { name: 'A' as CaptureName, file: bigFile, packets: countPcap(bigFile), bytes: statSync(bigFile).size, note: `B ${BIG_COPIES} times` }];
  const rows: string[] = [];
  const rss: number[] = [];
  for (const cap of caps) {
    const r = await timeRun(process.execPath, [TCPSCOPE_MAIN, 'conns', cap.file], opts.timeoutS);
    const mib = r.rssKb === undefined ? NaN : r.rssKb / 1024;
    rss.push(mib);
    rows.push(`  ${cap.file.split('/').pop()!.padEnd(16)} ${fmtInt(cap.packets).padStart(11)} packets ${(cap.bytes / 1e6).toFixed(0).padStart(6)} MB  ` +
      `${r.ok ? `${r.seconds.toFixed(2).padStart(7)} s` : r.timedOut ? `  > ${opts.timeoutS} s` : '   FAILED'}  ${Number.isNaN(mib) ? '-' : mib.toFixed(0).padStart(5)} MiB peak` +
      `${r.ok ? `  ${fmtInt(cap.packets / r.seconds).padStart(9)} packets/s` : ` ${r.detail ?? ''}`}`);
    log(rows[rows.length - 1]);
  }
  const aPeaks = rss.slice(0, GROWTH.length + 1);
  const flat = aPeaks[aPeaks.length - 1]! <= 1.25 * aPeaks[1]!;
  const big = rss[rss.length - 1]!;
  log(`\n  ${flat ? ' met ' : ' NOT '} conns memory flat as A grows (all of A within 1.25× of its first 200k packets)   ${aPeaks.map((m) => m.toFixed(0)).join(' / ')} MiB`);
  log(`  ${big * 1.048576 < 100 ? ' met ' : ' NOT '} 5 GB capture completes with conns under 100 MB                            ${Number.isNaN(big) ? 'failed' : `${(big * 1.048576).toFixed(0)} MB`}`);
  return 0;
}

main().then(
  (code) => { process.exitCode = code; },
  (err: unknown) => {
    console.error(`bench failed: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 1;
  },
);
