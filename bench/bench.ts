/**
 * `npm run bench`: tcpscope against tshark on the same large capture of real
 * loopback TCP traffic. See bench/README.md.
 *
 * This is a measurement, not a test: it asserts nothing about speed. It does
 * sanity-check that both tools print the same first lines, and it keeps going
 * (printing tshark's numbers) when tcpscope is missing or fails.
 */
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createInterface } from 'node:readline';
import {
  captureLoopback,
  collectText,
  expandPcap,
  firstLines,
  readPcap,
  withTimeout,
  TIMED_OUT,
  type CaptureInfo,
} from './traffic.js';

/** The field list both tools print in the `-T fields` runs. */
const FIELDS = [
  'frame.number', 'frame.time_relative', 'ip.src', 'ip.dst', 'tcp.stream', 'tcp.srcport', 'tcp.dstport',
  'tcp.seq', 'tcp.ack', 'tcp.len', 'tcp.flags', 'tcp.window_size',
];
const FIELD_ARGS = ['-T', 'fields', ...FIELDS.flatMap((f) => ['-e', f])];

const DEFAULT_PACKETS = 1_000_000;
const DEFAULT_RUNS = 3;
/** Loopback traffic shape: ~10 packets per connection, so ~30k packets to multiply. */
const CONNECTIONS = 3_000;
const CONCURRENCY = 16;
const TRAFFIC_TIME_LIMIT_MS = 60_000;
/** Upper bound for one timed run; a hung tool is killed and reported, not waited on. */
const RUN_TIMEOUT_MS = 10 * 60_000;
/** Lines compared between the two tools' field output (sanity check only). */
const COMPARE_LINES = 1_000;
const COMPARE_TIMEOUT_MS = 60_000;

const WORK_DIR = join(tmpdir(), 'tcpscope-bench');
const CAPTURE_FILE = join(WORK_DIR, 'loopback.pcap');
const CAPTURE_META = join(WORK_DIR, 'loopback.json');
/** dist/bench/bench.js -> dist/cli/main.js */
const TCPSCOPE_MAIN = fileURLToPath(new URL('../cli/main.js', import.meta.url));
const GNU_TIME = '/usr/bin/time';

const USAGE = `Usage: npm run bench -- [options]
   or: node dist/bench/bench.js [options]

Times tcpscope against tshark on one large pcap made from real loopback traffic.

Options:
  --packets N   packets in the large capture (default ${DEFAULT_PACKETS.toLocaleString('en-US')})
  --runs N      timed runs per tool and mode; the best is reported (default ${DEFAULT_RUNS})
  --fresh       re-capture the loopback traffic instead of reusing the cached capture
  --keep        keep the large capture afterwards and print the files' paths
  -h, --help    show this help

Needs tcpdump (run as root or with capture rights) and tshark:
  apt-get install -y tcpdump tshark
Cache: ${WORK_DIR}`;

interface Options {
  packets: number;
  runs: number;
  fresh: boolean;
  keep: boolean;
}

const log = (line: string): void => console.log(line);

function parseOptions(argv: string[]): Options | 'help' {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    allowPositionals: false,
    options: {
      packets: { type: 'string' },
      runs: { type: 'string' },
      fresh: { type: 'boolean', default: false },
      keep: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) return 'help';
  return {
    packets: positiveInt('--packets', values.packets, DEFAULT_PACKETS, 100_000_000),
    runs: positiveInt('--runs', values.runs, DEFAULT_RUNS, 100),
    fresh: values.fresh,
    keep: values.keep,
  };
}

function positiveInt(name: string, raw: string | undefined, fallback: number, max: number): number {
  if (raw === undefined) return fallback;
  // Accept 1e6 and 1_000_000 style too: handy on the command line.
  const n = Number(raw.replaceAll('_', ''));
  if (!Number.isInteger(n) || n < 1 || n > max) throw new Error(`${name} must be an integer from 1 to ${max}, got "${raw}"`);
  return n;
}

/** Names of required tools that cannot be executed. */
function missingTools(): string[] {
  const probes: Array<[string, string[]]> = [['tcpdump', ['--version']], ['tshark', ['-v']]];
  return probes.filter(([cmd, args]) => spawnSync(cmd, args, { stdio: 'ignore' }).error !== undefined).map(([cmd]) => cmd);
}

/** GNU time gives peak RSS for free; BusyBox/BSD `time` lack -f/-o, so probe it. */
function hasGnuTime(): boolean {
  return spawnSync(GNU_TIME, ['-f', '%M', '-o', '/dev/null', 'true'], { stdio: 'ignore' }).status === 0;
}

// ---------------------------------------------------------------------------
// Input files
// ---------------------------------------------------------------------------

interface CaptureMeta extends CaptureInfo {
  packets: number;
  capturedAt: string;
}

/** Returns the cached loopback capture, capturing it first when needed. */
async function ensureCapture(fresh: boolean, signal: AbortSignal): Promise<CaptureMeta> {
  if (!fresh && existsSync(CAPTURE_FILE) && existsSync(CAPTURE_META)) {
    try {
      const meta = JSON.parse(readFileSync(CAPTURE_META, 'utf8')) as CaptureMeta;
      if (Number.isInteger(meta.serverPort) && meta.packets > 0) {
        log(`Using cached capture ${CAPTURE_FILE} (${meta.packets} packets, ${meta.capturedAt}; --fresh to redo)`);
        return meta;
      }
    } catch {
      // Unreadable metadata: fall through and capture again.
    }
  }
  log(`Capturing ${CONNECTIONS} loopback HTTP connections with tcpdump…`);
  // Capture into a side file and rename at the end, so an interrupted or
  // failed capture is never mistaken for a cached one.
  const partial = `${CAPTURE_FILE}.partial`;
  rmSync(partial, { force: true });
  const started = Date.now();
  try {
    const info = await captureLoopback({
      file: partial,
      connections: CONNECTIONS,
      concurrency: CONCURRENCY,
      timeLimitMs: TRAFFIC_TIME_LIMIT_MS,
      signal,
      log: (l) => log(`  ${l}`),
    });
    const packets = readPcap(partial).records.length;
    if (packets === 0) throw new Error('tcpdump wrote no packets');
    if (info.tcpdumpDropped) log(`  warning: tcpdump reports ${info.tcpdumpDropped} packets dropped by the kernel`);
    const meta: CaptureMeta = { ...info, packets, capturedAt: new Date().toISOString() };
    renameSync(partial, CAPTURE_FILE);
    writeFileSync(CAPTURE_META, `${JSON.stringify(meta, null, 2)}\n`);
    log(`  captured ${packets} packets in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    return meta;
  } finally {
    rmSync(partial, { force: true });
  }
}

// ---------------------------------------------------------------------------
// Running the tools
// ---------------------------------------------------------------------------

interface Spawned {
  /** Resolves on exit with the code (or 128+signal, shell-style). */
  exited: Promise<number>;
  stderr: { text: string };
  kill: () => void;
}

/**
 * Spawns in a new process group so that a kill also reaches grandchildren
 * (e.g. the tool under /usr/bin/time), and so that Ctrl-C is handled once,
 * by us, rather than racing the children.
 */
function spawnGroup(cmd: string, args: string[], stdout: number | 'pipe', signal: AbortSignal): Spawned & { stdout: NodeJS.ReadableStream | null } {
  // An abort listener added to an already-aborted signal never fires: check first.
  signal.throwIfAborted();
  const child = spawn(cmd, args, { stdio: ['ignore', stdout, 'pipe'], detached: true });
  const stderr = collectText(child);
  const kill = (): void => {
    if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  };
  signal.addEventListener('abort', kill, { once: true });
  const exited = new Promise<number>((resolve) => {
    child.once('error', (err) => {
      stderr.text += `${err.message}\n`;
      resolve(-1);
    });
    child.once('exit', (code, sig) => resolve(code ?? 128 + (sig ? signalNumber(sig) : 0)));
  }).finally(() => signal.removeEventListener('abort', kill));
  return { exited, stderr, kill, stdout: child.stdout };
}

function signalNumber(sig: NodeJS.Signals): number {
  return ({ SIGINT: 2, SIGKILL: 9, SIGSEGV: 11, SIGPIPE: 13, SIGTERM: 15, SIGABRT: 6 } as Record<string, number>)[sig] ?? 0;
}

interface RunResult {
  ok: boolean;
  seconds: number;
  rssKb?: number;
  /** Why it failed: exit status and the first stderr lines. */
  detail?: string;
}

/**
 * One timed run: wall clock from spawn to exit, stdout straight to /dev/null
 * (the child writes to the fd itself, so no pipe or Node stream sits in the
 * measured path). With GNU time, the tool runs under it for peak RSS; that
 * adds one fork+exec, about a millisecond.
 */
async function timeRun(cmd: string, args: string[], devNull: number, rssFile: string | undefined, signal: AbortSignal): Promise<RunResult> {
  const [c, a] = rssFile ? [GNU_TIME, ['-f', '%M', '-o', rssFile, cmd, ...args]] : [cmd, args];
  try {
    const t0 = process.hrtime.bigint();
    const p = spawnGroup(c, a, devNull, signal);
    const code = await withTimeout(p.exited, RUN_TIMEOUT_MS);
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    signal.throwIfAborted();
    if (code === TIMED_OUT) {
      p.kill();
      await p.exited;
      return { ok: false, seconds, detail: `killed after ${RUN_TIMEOUT_MS / 1000} s` };
    }
    const rssKb = rssFile ? readRss(rssFile) : undefined;
    if (code !== 0) return { ok: false, seconds, rssKb, detail: `exit status ${code}\n${firstLines(p.stderr.text, 6, '')}` };
    return { ok: true, seconds, rssKb };
  } finally {
    if (rssFile) rmSync(rssFile, { force: true });
  }
}

/** Peak RSS in KiB from GNU time's -o file, if it wrote one. */
function readRss(file: string): number | undefined {
  try {
    // GNU time may prepend "Command exited with non-zero status N"; the number is last.
    const last = readFileSync(file, 'utf8').trim().split('\n').pop() ?? '';
    return /^\d+$/.test(last) ? Number(last) : undefined;
  } catch {
    return undefined;
  }
}

/** The first `n` stdout lines of a command; the command is killed once they are in. */
async function headLines(cmd: string, args: string[], n: number, signal: AbortSignal): Promise<{ lines: string[]; error?: string }> {
  const p = spawnGroup(cmd, args, 'pipe', signal);
  const lines: string[] = [];
  const rl = createInterface({ input: p.stdout! });
  const read = (async () => {
    for await (const line of rl) {
      lines.push(line);
      if (lines.length >= n) break; // breaking closes the reader; the kill below ends the tool
    }
  })();
  try {
    const r = await withTimeout(read, COMPARE_TIMEOUT_MS);
    if (r === TIMED_OUT) return { lines, error: `no ${n} lines within ${COMPARE_TIMEOUT_MS / 1000} s` };
  } finally {
    rl.close();
    p.kill();
    await p.exited;
  }
  if (lines.length < n) {
    const code = await p.exited;
    if (code !== 0) return { lines, error: `exit status ${code}\n${firstLines(p.stderr.text, 6, '')}` };
  }
  return { lines };
}

// ---------------------------------------------------------------------------
// Main
// ---------------------------------------------------------------------------

type Tool = 'tshark' | 'tcpscope';
type Mode = 'fields' | 'summary';

interface Job {
  mode: Mode;
  tool: Tool;
  cmd: string;
  args: string[];
  runs: RunResult[];
  /** Set on the first failed run; later runs of this job are skipped. */
  failure?: string;
}

function commands(tool: Tool, mode: Mode, file: string): [string, string[]] {
  const extra = mode === 'fields' ? FIELD_ARGS : [];
  return tool === 'tshark'
    ? ['tshark', ['-n', '-r', file, ...extra]]
    : [process.execPath, [TCPSCOPE_MAIN, 'read', file, ...extra]];
}

function display(cmd: string, args: string[]): string {
  const c = cmd === process.execPath ? 'node' : cmd;
  return [c, ...args.map((a) => (a === TCPSCOPE_MAIN ? 'dist/cli/main.js' : a))].join(' ');
}

async function compareFieldOutput(file: string, signal: AbortSignal): Promise<void> {
  log(`\nSanity check: first ${COMPARE_LINES} lines of the -T fields output`);
  const [ts, sc] = await Promise.all(
    (['tshark', 'tcpscope'] as const).map((t) => {
      const [cmd, args] = commands(t, 'fields', file);
      return headLines(cmd, args, COMPARE_LINES, signal);
    }),
  );
  if (ts!.error) return log(`  skipped: tshark failed: ${ts!.error.replaceAll('\n', '\n    ')}`);
  if (sc!.error) return log(`  skipped: tcpscope failed: ${sc!.error.replaceAll('\n', '\n    ')}`);
  const n = Math.max(ts!.lines.length, sc!.lines.length);
  for (let i = 0; i < n; i++) {
    if (ts!.lines[i] !== sc!.lines[i]) {
      log(`  WARNING: outputs differ at line ${i + 1}:`);
      log(`    tshark:   ${JSON.stringify(ts!.lines[i] ?? '<no line>')}`);
      log(`    tcpscope: ${JSON.stringify(sc!.lines[i] ?? '<no line>')}`);
      return;
    }
  }
  log(`  ok: ${n} identical lines`);
}

function best(job: Job): RunResult | undefined {
  const ok = job.runs.filter((r) => r.ok);
  return ok.length ? ok.reduce((a, b) => (b.seconds < a.seconds ? b : a)) : undefined;
}

function printResults(jobs: Job[], packets: number): void {
  const rows: string[][] = [['mode', 'tool', 'packets', 'best s', 'packets/s', 'peak RSS', 'all runs (s)']];
  for (const job of jobs) {
    const b = best(job);
    const all = job.runs.map((r) => (r.ok ? r.seconds.toFixed(2) : 'fail')).join(' ');
    rows.push(
      b
        ? [job.mode, job.tool, fmtInt(packets), b.seconds.toFixed(2), fmtInt(Math.round(packets / b.seconds)),
          b.rssKb !== undefined ? `${(b.rssKb / 1024).toFixed(0)} MiB` : '-', all]
        : [job.mode, job.tool, fmtInt(packets), 'FAILED', '-', '-', all || '-'],
    );
  }
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  const numeric = new Set([2, 3, 4, 5]);
  log('');
  for (const [i, r] of rows.entries()) {
    log(r.map((cell, c) => (numeric.has(c) ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!))).join('  ').trimEnd());
    if (i === 0) log(widths.map((w) => '-'.repeat(w)).join('  '));
  }
  log('');
  for (const mode of ['fields', 'summary'] as const) {
    const ts = jobs.find((j) => j.mode === mode && j.tool === 'tshark');
    const sc = jobs.find((j) => j.mode === mode && j.tool === 'tcpscope');
    const bt = ts && best(ts);
    const bs = sc && best(sc);
    if (bt && bs) {
      // Same packet count on both sides, so the packets/s ratio is the inverse time ratio.
      log(`${mode}: tcpscope is ${(bt.seconds / bs.seconds).toFixed(2)}× tshark (packets/second)`);
    } else if (sc?.failure) {
      log(`${mode}: tcpscope FAILED (${display(sc.cmd, sc.args)}):\n  ${sc.failure.replaceAll('\n', '\n  ')}`);
    } else if (ts?.failure) {
      log(`${mode}: tshark FAILED:\n  ${ts.failure.replaceAll('\n', '\n  ')}`);
    }
  }
}

function fmtInt(n: number): string {
  return n.toLocaleString('en-US');
}

async function main(): Promise<number> {
  let opts: Options | 'help';
  try {
    opts = parseOptions(process.argv.slice(2));
  } catch (err) {
    console.error(`${(err as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (opts === 'help') {
    log(USAGE);
    return 0;
  }
  const missing = missingTools();
  if (missing.length) {
    console.error(`Missing: ${missing.join(', ')}. Install with:\n  apt-get install -y tcpdump tshark`);
    return 1;
  }

  // Ctrl-C / SIGTERM: abort, so every finally block runs (tcpdump, server and
  // timed children are stopped). A second signal exits at once.
  const ac = new AbortController();
  const onSignal = (sig: NodeJS.Signals): void => {
    if (ac.signal.aborted) process.exit(130);
    console.error(`\n${sig}: stopping…`);
    ac.abort(new Error(`interrupted by ${sig}`));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  mkdirSync(WORK_DIR, { recursive: true });
  const bigFile = join(WORK_DIR, `large-${opts.packets}.pcap`);
  const devNull = openSync('/dev/null', 'w');
  try {
    const meta = await ensureCapture(opts.fresh, ac.signal);

    // The large file is cheap to rebuild (about a second per million packets),
    // so it is rebuilt on each run rather than cached next to the capture.
    const t0 = Date.now();
    const expanded = expandPcap(readPcap(CAPTURE_FILE), meta.serverPort, bigFile, opts.packets);
    log(`Wrote ${bigFile}: ${fmtInt(expanded.packets)} packets, ${(expanded.bytes / 2 ** 20).toFixed(0)} MiB, ` +
      `${expanded.copies} cop${expanded.copies === 1 ? 'y' : 'ies'} of the capture, in ${((Date.now() - t0) / 1000).toFixed(1)} s`);

    const tsharkVersion = (spawnSync('tshark', ['-v'], { encoding: 'utf8' }).stdout ?? '').split('\n')[0];
    log(`tshark: ${tsharkVersion}; node ${process.version}`);
    const haveTcpscope = existsSync(TCPSCOPE_MAIN);
    if (!haveTcpscope) log(`NOTE: ${TCPSCOPE_MAIN} does not exist (tcpscope CLI not built yet); timing tshark only.`);

    if (haveTcpscope) await compareFieldOutput(bigFile, ac.signal);

    const jobs: Job[] = [];
    for (const mode of ['fields', 'summary'] as const) {
      for (const tool of ['tshark', 'tcpscope'] as const) {
        const [cmd, args] = commands(tool, mode, bigFile);
        jobs.push({ mode, tool, cmd, args, runs: [], failure: tool === 'tcpscope' && !haveTcpscope ? 'dist/cli/main.js not built' : undefined });
      }
    }
    const rssFile = hasGnuTime() ? join(WORK_DIR, `rss-${process.pid}.txt`) : undefined;
    if (!rssFile) log(`(no GNU ${GNU_TIME}: peak RSS not measured)`);

    // Interleave the tools run by run, so drift on the machine (other load,
    // CPU frequency) spreads over both rather than favouring one.
    log(`\nTiming ${opts.runs} run(s) each, stdout to /dev/null:`);
    for (let run = 1; run <= opts.runs; run++) {
      for (const job of jobs) {
        if (job.failure) continue;
        const r = await timeRun(job.cmd, job.args, devNull, rssFile, ac.signal);
        job.runs.push(r);
        log(`  run ${run}  ${job.mode.padEnd(7)}  ${job.tool.padEnd(8)}  ${r.ok ? `${r.seconds.toFixed(2)} s` : `FAILED after ${r.seconds.toFixed(2)} s`}`);
        if (!r.ok) job.failure = r.detail ?? 'failed';
      }
    }
    printResults(jobs, expanded.packets);

    if (opts.keep) log(`\nFiles:\n  capture: ${CAPTURE_FILE}\n  large:   ${bigFile} (${fmtInt(statSync(bigFile).size)} bytes)`);
    // The bench itself worked if tshark did; a failing tcpscope is reported above, not an error here.
    return jobs.some((j) => j.tool === 'tshark' && !best(j)) ? 1 : 0;
  } finally {
    closeSync(devNull);
    if (!opts.keep) rmSync(bigFile, { force: true });
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    console.error(`bench failed: ${err instanceof Error ? err.message : String(err)}`);
    // 130 (as a shell reports Ctrl-C) when we were interrupted, 1 otherwise.
    process.exitCode = err instanceof Error && err.message.startsWith('interrupted by') ? 130 : 1;
  },
);
