/**
 * The Node-only edge of capture reading: open a path (or '-' for stdin) as a stream of byte
 * chunks, gunzip with node:zlib (faster than DecompressionStream), and turn open failures into
 * a plain error object instead of a thrown stack trace.
 */

import { fstatSync, statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { pipeline } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { CaptureParser, readCaptureBatches } from '../src/capture/reader.js';
import { peekGzip } from '../src/capture/gzip.js';
import type { Frame } from '../src/capture/types.js';

/** Why a capture could not be opened. */
export interface OpenFailure {
  /** The path as given ('-' for stdin). */
  path: string;
  /** The system error code (ENOENT, EACCES, EISDIR, ...) or 'EUNKNOWN'. */
  code: string;
  /** One line for the user, e.g. `cannot open "x.pcap": no such file or directory`. */
  message: string;
}

/** Result of {@link openCaptureSource}. */
export type OpenedSource =
  | { ok: true; path: string; chunks: AsyncIterable<Uint8Array> }
  | { ok: false; error: OpenFailure };

/** Result of {@link openCaptureFile}. */
export type OpenedCapture =
  | { ok: true; path: string; parser: CaptureParser; batches: AsyncGenerator<Frame[]> }
  | { ok: false; error: OpenFailure };

/** Read size for files: large chunks keep the per-chunk cost negligible. */
export const READ_CHUNK_BYTES = 1 << 20;

const REASONS: Record<string, string> = {
  ENOENT: 'no such file or directory',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EISDIR: 'it is a directory',
  ENOTDIR: 'a part of the path is not a directory',
  ELOOP: 'too many symbolic links',
  ENAMETOOLONG: 'the name is too long',
  EMFILE: 'too many open files',
};

function failure(path: string, e: unknown): OpenFailure {
  const code = typeof (e as { code?: unknown })?.code === 'string' ? (e as { code: string }).code : 'EUNKNOWN';
  const why = REASONS[code] ?? (e instanceof Error ? e.message : String(e));
  return { path, code, message: `cannot open ${JSON.stringify(path)}: ${why}` };
}

/**
 * Open a capture file, or standard input for '-', as a stream of byte chunks; gzip data (found
 * by the magic 1f 8b, not the name) come out decompressed. Never throws: an open failure comes
 * back as `{ ok: false, error }`. Read or decompression errors later are thrown by the iteration
 * (readCaptureBatches turns them into a fatal CaptureProblem).
 */
export async function openCaptureSource(pathOrDash: string): Promise<OpenedSource> {
  if (pathOrDash === '-') {
    return { ok: true, path: '-', chunks: gunzipIfNeeded(process.stdin as AsyncIterable<Uint8Array>) };
  }
  let handle;
  try {
    handle = await open(pathOrDash, 'r');
  } catch (e) {
    return { ok: false, error: failure(pathOrDash, e) };
  }
  try {
    const st = await handle.stat();
    if (st.isDirectory()) {
      await handle.close();
      return { ok: false, error: failure(pathOrDash, { code: 'EISDIR' }) };
    }
  } catch (e) {
    await handle.close().catch(() => undefined);
    return { ok: false, error: failure(pathOrDash, e) };
  }
  const stream = handle.createReadStream({ highWaterMark: READ_CHUNK_BYTES });
  return { ok: true, path: pathOrDash, chunks: gunzipIfNeeded(stream as AsyncIterable<Uint8Array>) };
}

/**
 * Open a capture and read it: `batches` yields the frames of each read chunk as one array;
 * `parser.info` and `parser.problems` tell about the file (fill as reading goes on).
 */
export async function openCaptureFile(pathOrDash: string): Promise<OpenedCapture> {
  const src = await openCaptureSource(pathOrDash);
  if (!src.ok) return src;
  const parser = new CaptureParser();
  const batches = readCaptureBatches(src.chunks, { parser, gunzip: false });
  return { ok: true, path: src.path, parser, batches };
}

/** Pass chunks through, or through zlib's gunzip when the data start with 1f 8b (no byte lost). */
async function* gunzipIfNeeded(chunks: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  const { gzip, stream } = await peekGzip(chunks);
  if (!gzip) {
    yield* stream;
    return;
  }
  const gz = createGunzip({ chunkSize: 256 * 1024 });
  pipeline(stream, gz, () => undefined); // errors surface through the iteration of gz below
  for await (const c of gz as AsyncIterable<Uint8Array>) yield c;
}

/**
 * The library's Node entry (`import { openCapture } from 'tcpscope/node'`): a capture file, or
 * '-' for standard input, as a stream of (decompressed) chunks for `analyze()`. Rejects with a
 * one-line Error when the file cannot be opened.
 */
export async function openCapture(pathOrDash: string): Promise<AsyncIterable<Uint8Array>> {
  const src = await openCaptureSource(pathOrDash);
  if (!src.ok) throw new Error(src.error.message);
  return src.chunks;
}

/**
 * True when the capture arrives as a stream rather than a file (standard input that is a pipe
 * or terminal, a FIFO, a socket): commands then show packets as they arrive.
 */
export function isStreamInput(pathOrDash: string): boolean {
  try {
    const st = pathOrDash === '-' ? fstatSync(0) : statSync(pathOrDash);
    return !st.isFile();
  } catch {
    return false;
  }
}
