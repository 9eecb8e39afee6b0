/**
 * A progress bar on stderr for long reads (cli-progress): bytes of the file read, packets,
 * connections, rate and time left. Shown only when it helps and cannot get in the way:
 *   - stderr is a terminal (never when piped or redirected, so scripts and logs stay clean);
 *   - the input is a regular, uncompressed file larger than PROGRESS_MIN_BYTES (its size is the
 *     100 %; a pipe or a gzip file has no known total);
 *   - the command's own output does not go to that terminal while it runs (`conns`, `explain`,
 *     `read -q`, or stdout redirected), so bar and packet lines never interleave;
 *   - not with --quiet, nor when TCPSCOPE_NO_PROGRESS is set.
 * The bar is cleared before the command prints its result.
 */
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import cliProgress from 'cli-progress';

/** Smaller inputs are read in well under a second: no bar. */
export const PROGRESS_MIN_BYTES = 8 * 2 ** 20;
/** Packets between two looks at the clock: keeps the per-packet cost to one counter check. */
const CHECK_EVERY = 4096;

export interface ProgressOptions {
  /** --quiet */
  quiet?: boolean;
  /** true when the command writes its output to stdout while reading (packet lines) */
  streamsToStdout?: boolean;
  /** for tests: pretend these are the streams (default process.stderr / process.stdout) */
  stderr?: NodeJS.WriteStream;
  stdoutIsTTY?: boolean;
}

/** What a reading loop calls; `tick` costs a decrement per packet. */
export interface Progress {
  /** after each packet: the record's file offset and its tcp.stream (or -1) */
  tick(fileOffset: number, stream: number): void;
  /** remove the bar (before printing results); safe to call more than once */
  stop(): void;
}

const NONE: Progress = { tick() { /* no bar */ }, stop() { /* no bar */ } };

function isGzip(path: string): boolean {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const b = Buffer.alloc(2);
    return readSync(fd, b, 0, 2, 0) === 2 && b[0] === 0x1f && b[1] === 0x8b;
  } catch {
    return false;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** Whether a bar would be shown for this input (exported for tests). */
export function progressWanted(path: string, o: ProgressOptions = {}): number | undefined {
  const stderr = o.stderr ?? process.stderr;
  if (o.quiet || process.env.TCPSCOPE_NO_PROGRESS || !stderr.isTTY) return undefined;
  if (o.streamsToStdout && (o.stdoutIsTTY ?? process.stdout.isTTY)) return undefined;
  if (path === '-') return undefined;
  let size: number;
  try {
    const st = statSync(path);
    if (!st.isFile()) return undefined;
    size = st.size;
  } catch {
    return undefined;
  }
  if (size < PROGRESS_MIN_BYTES || isGzip(path)) return undefined;
  return size;
}

function mb(n: number): string {
  return n >= 1e9 ? `${(n / 1e9).toFixed(2)} GB` : `${(n / 1e6).toFixed(0)} MB`;
}

function clock(s: number): string {
  if (!Number.isFinite(s) || s < 0) return '--:--';
  const t = Math.round(s);
  const m = Math.floor(t / 60);
  return m >= 60 ? `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m` : `${String(m).padStart(2, '0')}:${String(t % 60).padStart(2, '0')}`;
}

/** A bar for reading `path`, or a no-op when none is wanted. */
export function startProgress(path: string, o: ProgressOptions = {}): Progress {
  const total = progressWanted(path, o);
  if (total === undefined) return NONE;
  const stream = o.stderr ?? process.stderr;
  const started = Date.now();
  let packets = 0;
  let conns = 0;
  let countdown = CHECK_EVERY;
  let stopped = false;
  const bar = new cliProgress.SingleBar({
    stream,
    hideCursor: true,
    clearOnComplete: true,
    barsize: 24,
    fps: 5,
    format: (options, params, payload: { packets: number; conns: number }) => {
      const done = params.value;
      const secs = (Date.now() - started) / 1000;
      const rate = secs > 0 ? done / secs : 0;
      const eta = rate > 0 ? (params.total - done) / rate : Infinity;
      const filled = Math.round(params.progress * (options.barsize ?? 24));
      const barText = (options.barCompleteString ?? '').slice(0, filled) + (options.barIncompleteString ?? '').slice(0, (options.barsize ?? 24) - filled);
      return `${barText} ${(params.progress * 100).toFixed(0).padStart(3)}%  ${mb(done)} of ${mb(params.total)}  ` +
        `${payload.packets.toLocaleString('en-US')} packets  ${payload.conns.toLocaleString('en-US')} connections  ` +
        `${(rate / 1e6).toFixed(1)} MB/s  ETA ${clock(eta)}`;
    },
  }, cliProgress.Presets.shades_classic);
  bar.start(total, 0, { packets: 0, conns: 0 });
  const stop = (): void => {
    if (stopped) return;
    stopped = true;
    bar.stop();
    process.off('exit', stop);
  };
  // An error path that never reaches stop() must not leave the cursor hidden.
  process.on('exit', stop);
  return {
    tick(fileOffset: number, stream: number): void {
      packets++;
      if (stream >= conns) conns = stream + 1;
      if (--countdown > 0 || stopped) return;
      countdown = CHECK_EVERY;
      bar.update(fileOffset, { packets, conns });
    },
    stop,
  };
}
