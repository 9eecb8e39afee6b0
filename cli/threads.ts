/**
 * `conns --threads N`: one capture read by N worker threads (cli/threads-worker.ts), each
 * dissecting the conversations whose 4-tuple hashes to it (src/decode/peek.ts), with exactly
 * the output of one thread. Every worker reads the whole file (reading is a few per cent of the
 * work), so frame numbers and times stay global; the main thread numbers the streams again in
 * the order their conversations were created (tcp.stream), puts the connections in the order
 * one thread gives them and reports the capture's problems once.
 *
 * When sharding cannot give one thread's answer, the capture is read by one thread instead:
 * standard input or a pipe (it cannot be read N times), timelines or extra observers (explain),
 * a -Y filter on tcp.stream (the workers' numbers are local), and a capture with FTP
 * passive-mode replies (an announced data connection may hash to another worker, and which
 * connection claims an announcement depends on every connection seen before it).
 */
import { Worker } from 'node:worker_threads';
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import type { CaptureInfo, CaptureProblem } from '../src/capture/types.js';
import type { ConnSummary } from '../src/tcp/lifecycle.js';
import type { LifecycleRun, RunOptions } from './lifecycle-run.js';
import { isStreamInput } from './node-io.js';
import { reportProblems } from './capture-set.js';
import { noticeUndecoded } from './notices.js';
import { displayFilter } from './filter.js';
import { startProgress } from './progress.js';
import { InputError, UsageError } from './errors.js';
import { warn } from './output.js';

/** What a worker is asked: its index among `threads` and the capture. */
export interface ShardRequest { index: number; threads: number; files: string[]; append?: boolean; filter?: string; progress: boolean }

export type ShardResult =
  | {
    kind: 'done';
    /** the connections this worker owns, with its local stream numbers, in its local order: packed, or as they are */
    count: number;
    packed?: PackedValues;
    summaries?: ConnSummary[];
    /** pairs: local stream, number of the frame that created the conversation (owned ones only) */
    created: number[];
    /** capture sets: local stream, first file, last file */
    spans: Array<[number, number, number]>;
    frames: number;
    /** frames this worker dissected (its own and those every worker dissects) */
    dissected: number;
    /** TCPSCOPE_THREADS_STATS: where the worker's time went */
    stats?: string;
    /** worker 0 only: what the whole capture's reading reported */
    label?: string; files?: string[]; info?: CaptureInfo | null; problems?: CaptureProblem[]; undecoded?: Array<[string, number]>;
  }
  | { kind: 'fallback'; reason: string }
  | { kind: 'error'; error: string; errorName: string };

type Progress = { kind: 'progress'; frames: number; offset: number; conns: number };

/** TCPSCOPE_THREADS_STATS on Linux: this thread's own CPU seconds (user + system), from /proc. */
export function threadCpu(): string {
  try {
    const f = readFileSync('/proc/thread-self/stat', 'utf8').split(') ')[1]!.split(' ');
    return `${((Number(f[11]) + Number(f[12])) / 100).toFixed(2)} s CPU`;
  } catch { return 'CPU unknown'; }
}

/** `--threads auto`: the cores this process may use. */
export function threadsOption(v: string): number {
  if (v === 'auto') return availableParallelism();
  if (!/^\d+$/.test(v) || Number(v) < 1) throw new UsageError(`--threads ${v}: expected a positive whole number or auto`);
  return Number(v);
}

/** runLifecycle's options, the number of threads, and the text of -Y (the workers compile it again). */
export interface ThreadedOptions extends RunOptions { threads: number; filter?: string }

/** Why these options need one thread, or undefined when N threads give the same answer. */
function oneThreadReason(file: string, opts: ThreadedOptions): string | undefined {
  const files = opts.files ?? [file];
  if (files.some((f) => f === '-' || isStreamInput(f))) return 'a stream';
  if (opts.live || opts.timeline || opts.observers?.length) return 'timelines or live lines';
  if (opts.keep && displayFilter(opts.filter)?.fields.includes('tcp.stream')) return '-Y on tcp.stream';
  return undefined;
}

/**
 * Read `file` (or the set `opts.files`) with `opts.threads` workers; the same LifecycleRun as
 * runLifecycle, or undefined when only one thread gives that answer (then the caller reads it).
 */
export async function runLifecycleThreaded(file: string, opts: ThreadedOptions): Promise<LifecycleRun | undefined> {
  const n = opts.threads;
  if (n < 2 || oneThreadReason(file, opts)) return undefined;
  const files = opts.files ?? [file];
  const progress = startProgress(file, { quiet: opts.quiet });
  let seenFrames = 0;
  const workers: Worker[] = [];
  let results: ShardResult[];
  try {
    results = await Promise.all(Array.from({ length: n }, (_, index) => new Promise<ShardResult>((resolve, reject) => {
      const req: ShardRequest = { index, threads: n, files, append: opts.append, filter: opts.keep ? opts.filter : undefined, progress: index === 0 };
      const w = new Worker(new URL('./threads-worker.js', import.meta.url), { workerData: req });
      workers.push(w);
      w.on('message', (m: ShardResult | Progress) => {
        if (m.kind === 'progress') {
          for (; seenFrames < m.frames - 1; seenFrames++) progress.tick(m.offset, -1);
          seenFrames++; progress.tick(m.offset, m.conns - 1);
          return;
        }
        resolve(m);
        // A worker that found a reason for one thread stops the others early.
        if (m.kind !== 'done') for (const o of workers) if (o !== w) void o.terminate();
      });
      w.on('error', reject);
      w.on('exit', () => resolve({ kind: 'fallback', reason: 'stopped' }));
    })));
  } finally {
    progress.stop();
    for (const w of workers) void w.terminate();
  }
  if (process.env.TCPSCOPE_THREADS_STATS) {
    warn(`tcpscope: main thread so far: ${threadCpu()}`);
    results.forEach((r, i) => warn(`tcpscope: thread ${i}: ${r.kind === 'done' ? `${r.frames} frames read, ${r.dissected} dissected, ${r.count} connections; ${r.stats}` : r.kind === 'fallback' ? `one thread instead (${r.reason})` : r.error}`));
  }
  const failed = results.find((r) => r.kind === 'error');
  if (failed?.kind === 'error') throw failed.errorName === 'UsageError' ? new UsageError(failed.error) : new InputError(failed.error);
  if (results.some((r) => r.kind !== 'done')) return undefined;
  const done = results as Array<Extract<ShardResult, { kind: 'done' }>>;
  const lead = done[0]!;
  const { conns, spans } = mergeShards(done.map((r) => ({ ...r, summaries: r.summaries ?? unpackValues(r.packed!, r.count) as ConnSummary[] })));
  noticeUndecoded({ decoder: { undecoded: new Map(lead.undecoded) } });
  const code = reportProblems({ info: lead.info ?? null, problems: lead.problems ?? [] }, lead.label ?? file, lead.frames);
  // Workers keep every connection to the end (no folding), so no packet comes late.
  return { conns: conns.map((summary) => ({ summary, timeline: undefined })), code, files: lead.files ?? files, spans, late: 0, lateSegments: 0 };
}

/**
 * The workers' connections as one thread gives them: tcp.stream numbers in the order the
 * conversations were created (a quote in an ICMP error creates one too), the connections in
 * the order of their first TCP segment (the lifecycle's order).
 */
export function mergeShards(done: ReadonlyArray<{ summaries: ConnSummary[]; created: number[]; spans: Array<[number, number, number]> }>): { conns: ConnSummary[]; spans: Map<number, [number, number]> } {
  const all: Array<[frame: number, worker: number, local: number]> = [];
  done.forEach((r, w) => { for (let i = 0; i < r.created.length; i += 2) all.push([r.created[i + 1]!, w, r.created[i]!]); });
  all.sort((a, b) => a[0] - b[0]);
  const global = done.map(() => new Map<number, number>());
  all.forEach(([, w, local], g) => global[w]!.set(local, g));
  const conns: ConnSummary[] = [];
  const spans = new Map<number, [number, number]>();
  done.forEach((r, w) => {
    const g = global[w]!;
    for (const s of r.summaries) { s.stream = g.get(s.stream)!; conns.push(s); }
    for (const [local, a, b] of r.spans) spans.set(g.get(local)!, [a, b]);
  });
  conns.sort((a, b) => a.first_frame - b.first_frame);
  return { conns, spans };
}

/**
 * The workers' connections in a form that crosses threads fast. A structured clone of 52,600
 * summaries (about 30 small objects each) took the main thread longer to rebuild than the
 * table took to print; here they travel as typed arrays (tags, numbers) and one list of distinct
 * strings, and the main thread rebuilds each object shape with one compiled object literal.
 * Exact for trees of plain objects, arrays, strings, numbers (NaN and -0 too), booleans, null and
 * undefined; anything else (a Map, a class instance) throws, and the caller sends a plain clone.
 */
export interface PackedValues { tags: Uint8Array; nums: Float64Array; strings: string[]; shapes: string[][] }

const T_UNDEFINED = 0, T_NULL = 1, T_FALSE = 2, T_TRUE = 3, T_NUMBER = 4, T_STRING = 5, T_ARRAY = 6, T_OBJECT = 7;

export function packValues(values: readonly unknown[]): PackedValues {
  const tags: number[] = [], nums: number[] = [], strings: string[] = [], shapes: string[][] = [];
  const stringIds = new Map<string, number>(), shapeIds = new Map<string, number>();
  const put = (v: unknown): void => {
    switch (typeof v) {
      case 'undefined': tags.push(T_UNDEFINED); return;
      case 'boolean': tags.push(v ? T_TRUE : T_FALSE); return;
      case 'number': tags.push(T_NUMBER); nums.push(v); return;
      case 'string': {
        let id = stringIds.get(v);
        if (id === undefined) { id = strings.length; strings.push(v); stringIds.set(v, id); }
        tags.push(T_STRING); nums.push(id);
        return;
      }
      case 'object': {
        if (v === null) { tags.push(T_NULL); return; }
        if (Array.isArray(v)) {
          tags.push(T_ARRAY); nums.push(v.length);
          for (let i = 0; i < v.length; i++) put(v[i]);
          return;
        }
        if (Object.getPrototypeOf(v) !== Object.prototype) throw new TypeError('packValues: not a plain object');
        const keys = Object.keys(v);
        const sig = keys.join('\u0000');
        let id = shapeIds.get(sig);
        if (id === undefined) {
          if (keys.includes('__proto__')) throw new TypeError('packValues: __proto__ key');
          id = shapes.length; shapes.push(keys); shapeIds.set(sig, id);
        }
        tags.push(T_OBJECT); nums.push(id);
        for (const k of keys) put((v as Record<string, unknown>)[k]);
        return;
      }
      default: throw new TypeError(`packValues: ${typeof v}`);
    }
  };
  for (const v of values) put(v);
  return { tags: Uint8Array.from(tags), nums: Float64Array.from(nums), strings, shapes };
}

export function unpackValues(p: PackedValues, count: number): unknown[] {
  const { tags, nums, strings } = p;
  let ti = 0, ni = 0;
  const read = (): unknown => {
    switch (tags[ti++]) {
      case T_UNDEFINED: return undefined;
      case T_NULL: return null;
      case T_FALSE: return false;
      case T_TRUE: return true;
      case T_NUMBER: return nums[ni++];
      case T_STRING: return strings[nums[ni++]!];
      case T_ARRAY: {
        const n = nums[ni++]!;
        const a = new Array<unknown>(n);
        for (let i = 0; i < n; i++) a[i] = read();
        return a;
      }
      case T_OBJECT: return build[nums[ni++]!]!(read);
      default: throw new Error('unpackValues: corrupt input');
    }
  };
  // One object literal per shape: the keys in their order, each value read in turn.
  // eslint-disable-next-line @typescript-eslint/no-implied-eval
  const build = p.shapes.map((keys) => new Function('r', `return {${keys.map((k) => `${JSON.stringify(k)}: r()`).join(', ')}};`) as (r: () => unknown) => unknown);
  const out = new Array<unknown>(count);
  for (let i = 0; i < count; i++) out[i] = read();
  return out;
}
