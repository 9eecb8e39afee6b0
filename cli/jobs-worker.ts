/** A worker thread of `--jobs N`: reads one capture file at a time, answers with its connections. */
import { parentPort } from 'node:worker_threads';
import { runLifecycle } from './lifecycle-run.js';
import { displayFilter } from './filter.js';
import { captureHash } from './capture-set.js';
import type { JobRequest, JobResult } from './jobs.js';

parentPort!.on('message', (req: JobRequest) => {
  void (async (): Promise<JobResult> => {
    try {
      const filter = displayFilter(req.filter);
      const run = await runLifecycle(req.file, { keep: filter ? (rec) => filter.matches(rec) : undefined, live: false });
      const capture = req.hash ? await captureHash([req.file]) : '';
      return { index: req.index, ok: true, summaries: run.conns.map((c) => c.summary), code: run.code, capture };
    } catch (e) {
      return { index: req.index, ok: false, error: (e as Error).message, errorName: (e as Error).constructor.name, code: 0 };
    }
  })().then((r) => parentPort!.postMessage(r));
});
