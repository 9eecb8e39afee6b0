/**
 * A capture set read as one capture: several sources of frames merged in timestamp order, as
 * `mergecap` does (or concatenated one after the other, as `mergecap -a` does for a ring
 * buffer's consecutive files). Frames are renumbered so that frame numbers run on across the
 * sources, and each frame says which source it came from (`frame.file`, the 0-based index of
 * the source in the order given). Pure: no Node APIs (runs in the browser too).
 *
 * Order: the frame with the earliest timestamp among the next frame of every source goes next;
 * equal timestamps keep the order of the sources (the earlier source first), and frames of one
 * source always keep their order, as mergecap does. Memory: one batch per source.
 */
import type { Frame } from './types.js';

export interface MergeOptions {
  /** concatenate the sources in the order given instead of merging by time (mergecap -a) */
  append?: boolean;
  /** frames per yielded batch (default 4096) */
  batchSize?: number;
}

/** One source: batches of frames in file order (what readCaptureBatches yields). */
export type FrameSource = AsyncIterable<Frame[]>;

interface Head {
  index: number;
  it: AsyncIterator<Frame[]>;
  batch: Frame[];
  pos: number;
}

/** True when frame a is later than frame b. */
const later = (a: Frame, b: Frame): boolean => a.tsSec > b.tsSec || (a.tsSec === b.tsSec && a.tsNsec > b.tsNsec);

/** Next non-empty batch of a source, or undefined at its end. */
async function refill(h: Head): Promise<boolean> {
  for (;;) {
    const r = await h.it.next();
    if (r.done) return false;
    if (r.value.length) { h.batch = r.value; h.pos = 0; return true; }
  }
}

/**
 * Merge (or concatenate) the sources into one stream of frame batches. Every frame's `number`
 * is rewritten to its place in the merged stream (1-based) and `file` is set to its source's
 * index. A source that throws stops the merge with that error (the caller reports it).
 */
export async function* mergeFrameSources(sources: FrameSource[], opts: MergeOptions = {}): AsyncGenerator<Frame[]> {
  const size = opts.batchSize ?? 4096;
  let n = 0;
  if (opts.append) {
    for (let i = 0; i < sources.length; i++) {
      for await (const batch of sources[i]!) {
        for (const f of batch) { f.number = ++n; f.file = i; }
        if (batch.length) yield batch;
      }
    }
    return;
  }
  // A small binary heap of the sources' next frames, keyed by (time, source index).
  const heap: Head[] = [];
  const less = (a: Head, b: Head): boolean => {
    const fa = a.batch[a.pos]!, fb = b.batch[b.pos]!;
    return later(fb, fa) || (!later(fa, fb) && a.index < b.index);
  };
  const up = (k: number): void => {
    while (k > 0) {
      const p = (k - 1) >> 1;
      if (!less(heap[k]!, heap[p]!)) break;
      [heap[k], heap[p]] = [heap[p]!, heap[k]!];
      k = p;
    }
  };
  const down = (k: number): void => {
    for (;;) {
      const l = 2 * k + 1, r = l + 1;
      let m = k;
      if (l < heap.length && less(heap[l]!, heap[m]!)) m = l;
      if (r < heap.length && less(heap[r]!, heap[m]!)) m = r;
      if (m === k) return;
      [heap[k], heap[m]] = [heap[m]!, heap[k]!];
      k = m;
    }
  };
  const heads = sources.map((s, index): Head => ({ index, it: s[Symbol.asyncIterator](), batch: [], pos: 0 }));
  try {
    for (const h of heads) if (await refill(h)) { heap.push(h); up(heap.length - 1); }
    let out: Frame[] = [];
    while (heap.length) {
      const h = heap[0]!;
      const f = h.batch[h.pos++]!;
      f.number = ++n;
      f.file = h.index;
      out.push(f);
      if (h.pos >= h.batch.length && !(await refill(h))) {
        const last = heap.pop()!;
        if (heap.length) { heap[0] = last; down(0); }
      } else down(0);
      if (out.length >= size) { yield out; out = []; }
    }
    if (out.length) yield out;
  } finally {
    // Stopped early (a consumer's break, or an error): let every source close its input.
    await Promise.all(heads.map((h) => h.it.return?.().catch(() => undefined)));
  }
}
