/**
 * Transparent gzip for capture streams (Wireshark reads .pcap.gz), using the web-standard
 * DecompressionStream so it runs in browsers as well as Node 20. Concatenated gzip members
 * work where the platform's decompressor supports them (Node's does).
 */

/** The parts of the web streams API used here (the project's TS lib has no DOM types). */
interface WebReader {
  read(): Promise<{ done: boolean; value?: Uint8Array }>;
  cancel(reason?: unknown): Promise<void>;
  releaseLock(): void;
}
interface WebWriter {
  write(chunk: Uint8Array): Promise<void>;
  close(): Promise<void>;
  abort(reason?: unknown): Promise<void>;
}
interface WebDecompressionStream {
  readable: { getReader(): WebReader };
  writable: { getWriter(): WebWriter };
}
type DecompressionStreamCtor = new (format: 'gzip') => WebDecompressionStream;

/** True when the bytes start with the gzip magic 1f 8b. */
export function isGzip(head: Uint8Array): boolean {
  return head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b;
}

/**
 * Decompress a gzip byte stream with DecompressionStream. Throws (from the iteration) when the
 * data are damaged or cut short, or when the platform has no DecompressionStream.
 */
export async function* gunzip(chunks: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  const Ctor = (globalThis as { DecompressionStream?: DecompressionStreamCtor }).DecompressionStream;
  if (Ctor === undefined) throw new Error('gzip data, but this platform has no DecompressionStream');
  const ds = new Ctor('gzip');
  const writer = ds.writable.getWriter();
  const reader = ds.readable.getReader();
  // Feed the decompressor concurrently with reading its output (writes wait for reads).
  const pump = (async () => {
    try {
      for await (const c of chunks) await writer.write(c);
      await writer.close();
    } catch (e) {
      await writer.abort(e).catch(() => undefined);
    }
  })();
  let complete = false;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (value !== undefined && value.length > 0) yield value;
    }
    complete = true;
  } finally {
    // On early exit or error, don't wait for the feeder: it may be blocked on a slow source.
    if (complete) await pump;
    else await reader.cancel().catch(() => undefined);
  }
}

/**
 * Look at the first bytes of a byte stream without losing any: whether it starts with the gzip
 * magic, and the whole stream again (the peeked bytes first). Shared by {@link maybeGunzip} and
 * the Node reader (which inflates with node:zlib).
 */
export async function peekGzip(chunks: AsyncIterable<Uint8Array>): Promise<{ gzip: boolean; stream: AsyncGenerator<Uint8Array> }> {
  const it = chunks[Symbol.asyncIterator]();
  const head: Uint8Array[] = [];
  let have = 0;
  let ended = false;
  while (have < 2) {
    const r = await it.next();
    if (r.done === true) { ended = true; break; }
    if (r.value.length === 0) continue;
    head.push(r.value);
    have += r.value.length;
  }
  const first = head.length === 1 ? head[0]! : concat(head, have);
  async function* rest(): AsyncGenerator<Uint8Array> {
    // Not `for await (... of chunks)`: that would restart the source.
    let done = ended;
    try {
      if (first.length > 0) yield first;
      if (ended) return;
      for (;;) {
        const r = await it.next();
        if (r.done === true) { done = true; return; }
        yield r.value;
      }
    } finally {
      if (!done && it.return !== undefined) await it.return();
    }
  }
  return { gzip: isGzip(first), stream: rest() };
}

/**
 * Pass a byte stream through unchanged, or decompress it when it starts with the gzip magic.
 * Peeks at the first bytes without losing any.
 */
export async function* maybeGunzip(chunks: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  const { gzip, stream } = await peekGzip(chunks);
  if (gzip) yield* gunzip(stream);
  else yield* stream;
}

function concat(parts: Uint8Array[], total: number): Uint8Array {
  const out = new Uint8Array(total);
  let k = 0;
  for (const p of parts) {
    out.set(p, k);
    k += p.length;
  }
  return out;
}
