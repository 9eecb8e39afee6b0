/**
 * One worker thread of `conns --threads N` (cli/threads.ts): reads the whole capture, fully
 * dissects the frames whose conversation hashes to it (src/decode/peek.ts) plus every frame the
 * peek is not sure about, and answers with the connections it owns, numbered locally, with the
 * frame that created each of its conversations so that the main thread can number them globally.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { Dissector } from '../src/dissect.js';
import type { PacketRecord } from '../src/record.js';
import { LifecycleTracker } from '../src/tcp/lifecycle.js';
import { EVERY, peekTcpHash, tupleHash } from '../src/decode/peek.js';
import type { IpLayer, TcpLayer } from '../src/decode/types.js';
import { appLine } from '../src/record.js';
import { openCaptureInput } from './capture-set.js';
import { displayFilter } from './filter.js';
import { packValues, threadCpu, type PackedValues, type ShardRequest, type ShardResult } from './threads.js';

const FTP_REPLY_227 = 0x323237, FTP_REPLY_229 = 0x323239;

/** The owner of a conversation, from the IP and TCP headers that name it. */
function ownerOf(d: Uint8Array, ip: IpLayer, tcp: TcpLayer, n: number): number {
  return tupleHash(d, ip.srcOffset, ip.dstOffset, ip.kind === 'ipv4' ? 4 : 16, tcp.srcPort, tcp.dstPort) % n;
}

/** A passive-mode reply on the FTP control port (src/app/ftp-expect.ts) announces a conversation another worker may own. */
function ftpAnnouncement(rec: PacketRecord): boolean {
  const tcp = rec.packet.tcp;
  if (!rec.tcp || !tcp || tcp.srcPort !== 21 || tcp.payloadCaptured < 3) return false;
  const d = rec.packet.frame.data, p = tcp.payloadOffset;
  const code = (d[p]! << 16) | (d[p + 1]! << 8) | d[p + 2]!;
  return code === FTP_REPLY_227 || code === FTP_REPLY_229;
}

async function shard(req: ShardRequest): Promise<ShardResult> {
  const { index: me, threads: n } = req;
  const opened = await openCaptureInput(req.files, req.append);
  const filter = displayFilter(req.filter);
  const keep = filter ? (rec: PacketRecord): boolean => filter.matches(rec) : undefined;
  // As runLifecycle: the HTTP/TLS stage only when -Y may read it.
  const dissector = new Dissector({ app: Boolean(keep) });
  const lifecycle = new LifecycleTracker<PacketRecord>({ appLine });
  dissector.addObserver(lifecycle);
  const tracker = dissector.tcp;
  /** per local stream: owned by this worker (the rest are partial copies of EVERY frames) */
  const owned: boolean[] = [];
  /** [local stream, frame that created it] of the owned conversations */
  const created: number[] = [];
  const matched = new Set<number>();
  const spans = new Map<number, [number, number]>();
  let frames = 0, dissected = 0, firstSec = 0, firstNsec = 0, prevSec = 0, prevNsec = 0;
  const progressEvery = req.progress ? 4096 : 0;
  const t0 = performance.now();
  let tRead = 0, tLoop = 0, t1 = t0;
  for await (const batch of opened.batches) {
    const t2 = performance.now();
    tRead += t2 - t1;
    for (const frame of batch) {
      if (frames++ === 0) { firstSec = prevSec = frame.tsSec; firstNsec = prevNsec = frame.tsNsec; }
      if (progressEvery && frames % progressEvery === 0) parentPort!.postMessage({ kind: 'progress', frames, offset: frame.fileOffset, conns: owned.length });
      const h = peekTcpHash(frame);
      if (h !== EVERY && h % n !== me) { prevSec = frame.tsSec; prevNsec = frame.tsNsec; continue; }
      const before = tracker.conversationCount;
      const rec = dissector.dissect(frame);
      dissected++;
      // The Dissector saw only some frames: the capture-wide times as if it had seen them all.
      rec.relSec = frame.tsSec - firstSec; rec.relNsec = frame.tsNsec - firstNsec;
      rec.deltaSec = frame.tsSec - prevSec; rec.deltaNsec = frame.tsNsec - prevNsec;
      prevSec = frame.tsSec; prevNsec = frame.tsNsec;
      if (tracker.conversationCount > before) {
        const d = rec.packet.frame.data;
        const mine = rec.tcp ? ownerOf(d, rec.packet.ip!, rec.packet.tcp!, n) === me : rec.quoted ? ownerOf(d, rec.quoted.ip, rec.quoted.tcp, n) === me : false;
        owned[before] = mine;
        if (mine) created.push(before, frame.number);
      }
      if (h === EVERY && ftpAnnouncement(rec)) return { kind: 'fallback', reason: 'ftp' };
      const stream = rec.tcp?.stream;
      if (stream === undefined || !owned[stream]) continue;
      if (keep && !matched.has(stream) && keep(rec)) matched.add(stream);
      if (frame.file !== undefined) {
        const s = spans.get(stream);
        if (s) s[1] = frame.file; else spans.set(stream, [frame.file, frame.file]);
      }
    }
    t1 = performance.now();
    tLoop += t1 - t2;
  }
  const t3 = performance.now();
  const summaries = lifecycle.finish().map((c) => c.summary).filter((s) => owned[s.stream] && (!keep || matched.has(s.stream)));
  const t4 = performance.now();
  let packed: PackedValues | undefined;
  try { packed = packValues(summaries); } catch { /* not plain data: sent as a structured clone */ }
  return {
    kind: 'done', count: summaries.length, ...(packed ? { packed } : { summaries }), created,
    stats: `ms: reading ${tRead.toFixed(0)}, peek+dissect ${tLoop.toFixed(0)}, finish ${(t4 - t3).toFixed(0)}, pack ${(performance.now() - t4).toFixed(0)}, heap ${(process.memoryUsage().heapUsed / 2 ** 20).toFixed(0)} MiB, ${threadCpu()}`, spans: [...spans].map(([s, [a, b]]) => [s, a, b]), frames, dissected,
    // every worker read the same bytes: one of them tells what was wrong with them
    ...(me === 0 ? { label: opened.label, files: opened.files, info: opened.parser.info, problems: [...opened.parser.problems], undecoded: [...dissector.decoder.undecoded] } : {}),
  };
}

const req = workerData as ShardRequest;
shard(req).then(
  (r) => parentPort!.postMessage(r),
  (e: Error) => parentPort!.postMessage({ kind: 'error', error: e.message, errorName: e.constructor.name } satisfies ShardResult),
);
