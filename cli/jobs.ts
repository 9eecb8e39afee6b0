/**
 * `--jobs N`: independent capture files read in N worker threads (node:worker_threads). Each file
 * is its own capture (its own tcp.stream numbers and hash); the results come back in the order
 * the files were given, so the output is the same for any N.
 */
import { Worker } from 'node:worker_threads';
import type { ConnSummary } from '../src/tcp/lifecycle.js';
import { InputError, UsageError } from './errors.js';

export interface JobRequest { index: number; file: string; filter?: string; hash: boolean }
export type JobResult =
  | { index: number; ok: true; summaries: ConnSummary[]; code: number; capture: string }
  | { index: number; ok: false; error: string; errorName: string; code: number };

export interface FileConns { file: string; summaries: ConnSummary[]; code: number; capture: string }

/** Read every file in a pool of `jobs` workers; results in the order of `files`. */
export async function connsInWorkers(files: string[], jobs: number, filter: string | undefined, hash: boolean): Promise<FileConns[]> {
  const results: Array<FileConns | undefined> = new Array(files.length);
  let next = 0;
  let failure: Error | undefined;
  const n = Math.max(1, Math.min(jobs, files.length));
  await Promise.all(Array.from({ length: n }, () => new Promise<void>((resolve, reject) => {
    const w = new Worker(new URL('./jobs-worker.js', import.meta.url));
    const feed = (): void => {
      if (failure || next >= files.length) { void w.terminate().then(() => resolve()); return; }
      const index = next++;
      w.postMessage({ index, file: files[index]!, filter, hash } satisfies JobRequest);
    };
    w.on('message', (r: JobResult) => {
      if (r.ok) results[r.index] = { file: files[r.index]!, summaries: r.summaries, code: r.code, capture: r.capture };
      else failure ??= r.errorName === 'UsageError' ? new UsageError(r.error) : new InputError(r.error);
      feed();
    });
    w.on('error', (e) => { failure ??= e; reject(e); });
    feed();
  })));
  if (failure) throw failure;
  return results as FileConns[];
}
