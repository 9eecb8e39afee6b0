/**
 * The viewer's analysis worker: reads the capture (a dropped file, or the URL of the local
 * server, possibly still growing), dissects it with tcpscope's core library exactly as the CLI
 * does, and keeps only the frame bytes and typed-array indexes. Rows, details, ladders and
 * exports are computed when the page asks for them.
 */
import { CaptureParser, readCaptureBatches } from '../src/capture/reader.js';
import type { Frame } from '../src/capture/types.js';
import { Dissector } from '../src/dissect.js';
import type { PacketRecord } from '../src/record.js';
import '../src/fields/index.js';
import { columns, summaryLine } from '../src/render/summary.js';
import { relTimeDigits } from '../src/core/format.js';
import { detailsTree, type TreeNode } from '../src/render/details.js';
import { compileFilter, FilterError, type Filter } from '../src/filter/index.js';
import { LifecycleTracker, type ConnSummary, type ConnTimeline } from '../src/tcp/lifecycle.js';
import { selectRows } from '../src/render/ladder.js';
import { explain } from '../src/render/explain.js';
import { connJson } from '../src/render/conns.js';
import { TcpFollower } from '../src/render/follow.js';
import { msg } from '../src/i18n/lifecycle.js';
import { HANDSHAKE_SHORT_KEY, SIDE_KEY, TEARDOWN_SHORT_KEY } from '../src/render/lifecycle-keys.js';
import { fieldMeaning, type Lang } from '../src/i18n/meanings.js';
import { TcpFlag, type Layer, type Packet } from '../src/decode/types.js';
import { writePcapng, type WritePacket } from '../src/capture/pcapng-write.js';
import { Arena, Grow, PacketIndex } from './store.js';
import type { ConnView, DNode, FollowPiece, FromWorker, LadderRow, Row, Source, ToWorker } from './protocol.js';

const ctx = self as unknown as { postMessage(m: FromWorker, transfer?: Transferable[]): void; onmessage: ((e: MessageEvent<ToWorker>) => void) | null };
const post = (m: FromWorker, transfer?: Transferable[]): void => ctx.postMessage(m, transfer ?? []);

/** Colour rules, as Wireshark's defaults put them first: analysis problems, RST, SYN/FIN. */
const CLS = ['', 'syn', 'fin', 'rst', 'bad'] as const;
/** Below this many packets, details and ladders come from a pass over the whole capture (exact even for tcp.analysis.reused_ports); above, from the connection's own packets. */
const FULL_PASS_UP_TO = 200_000;

// ---- the capture ------------------------------------------------------------------------------
let frames = new Arena();
let text = new Arena();
let idx = new PacketIndex();
let parser = new CaptureParser();
let conns: ConnSummary[] = [];
let streamsSeen = 0;
let loading = false;
let live = false;
let bytesRead = 0;
/** the current display filter and the 0-based frame indexes it shows (null: every frame) */
let filter: Filter | null = null;
let shownIdx: Grow<Uint32Array> | null = null;
let generation = 0;
const enc = new TextEncoder();
const dec = new TextDecoder();

function frameAt(i: number): Frame {
  const cap = idx.cap.get(i);
  return {
    number: i + 1, tsSec: idx.sec.get(i), tsNsec: idx.nsec.get(i), capLen: cap, origLen: idx.orig.get(i),
    linkType: idx.link.get(i), iface: 0, data: frames.view(idx.off.get(i), cap), fileOffset: 0, precision: idx.prec.get(i),
  };
}

function clsOf(rec: PacketRecord): number {
  const t = rec.packet.tcp;
  if (!t) return 0;
  if (rec.tcp?.analysis) return 4;
  if (t.flags & TcpFlag.RST) return 3;
  if (t.flags & TcpFlag.SYN) return 1;
  if (t.flags & TcpFlag.FIN) return 2;
  return 0;
}

function record(frame: Frame, rec: PacketRecord, defaultDigits: number): void {
  idx.off.push(frames.append(frame.data));
  idx.cap.push(frame.capLen);
  idx.orig.push(frame.origLen);
  idx.sec.push(frame.tsSec);
  idx.nsec.push(frame.tsNsec);
  idx.link.push(frame.linkType);
  idx.prec.push(frame.precision ?? defaultDigits);
  idx.stream.push(rec.tcp ? rec.tcp.stream : -1);
  if (rec.tcp && rec.tcp.stream + 1 > streamsSeen) streamsSeen = rec.tcp.stream + 1;
  idx.cls.push(clsOf(rec));
  const c = columns(rec);
  const s = `${c.source}\t${c.destination}\t${c.protocol}\t${c.info}`;
  const room = text.reserve(s.length * 3);
  idx.text.push(room.at);
  text.commit(enc.encodeInto(s, room.a.subarray(room.at)).written);
}

async function* chunksOf(source: Source): AsyncGenerator<Uint8Array> {
  let stream: ReadableStream<Uint8Array>;
  if (source.kind === 'file') stream = source.file.stream() as ReadableStream<Uint8Array>;
  else {
    const res = await fetch(source.url, { cache: 'no-store' });
    if (!res.ok || !res.body) throw new Error(`${source.url}: HTTP ${res.status}`);
    stream = res.body;
  }
  const reader = stream.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return;
    bytesRead += value.length;
    yield value;
  }
}

async function open(source: Source): Promise<void> {
  const gen = ++generation;
  frames = new Arena(); text = new Arena(); idx = new PacketIndex(); parser = new CaptureParser();
  conns = []; streamsSeen = 0; bytesRead = 0; filter = null; shownIdx = null;
  loading = true; live = source.kind === 'url' && Boolean(source.live);
  const t0 = performance.now();
  const dissector = new Dissector();
  const lifecycle = new LifecycleTracker();
  dissector.addObserver(lifecycle);
  let lastPost = -Infinity, lastConns = t0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const progress = (): void => {
    const now = performance.now();
    lastPost = now;
    if (live && now - lastConns > 2000) { lastConns = now; conns = connsByPass(); }
    post({ t: 'progress', bytes: bytesRead, packets: idx.count, conns: streamsSeen, live });
  };
  let error: string | undefined;
  try {
    for await (const batch of readCaptureBatches(chunksOf(source), { parser })) {
      if (gen !== generation) return;
      const digits = parser.info?.precision === 'ns' ? 9 : 6;
      for (const frame of batch) {
        const rec = dissector.dissect(frame);
        record(frame, rec, digits);
        const f = filter as Filter | null, sh = shownIdx as Grow<Uint32Array> | null;
        if (f && sh && f.matches(rec)) sh.push(idx.count - 1);
      }
      const now = performance.now();
      if (now - lastPost > 100) progress();
      // A live source may pause for long: what was read is shown soon even when no more comes.
      else if (!timer) timer = setTimeout(() => { timer = undefined; if (gen === generation && loading) progress(); }, 100);
    }
  } catch (e) {
    error = (e as Error)?.message ?? String(e);
  }
  if (gen !== generation) return;
  if (timer) clearTimeout(timer);
  conns = lifecycle.finish().map((c) => c.summary);
  loading = false;
  const fatal = parser.problems.find((p) => p.fatal);
  post({
    t: 'loaded', bytes: bytesRead, packets: idx.count, conns: conns.length, ms: Math.round(performance.now() - t0), error,
    problem: fatal ? { message: fatal.message, offset: fatal.offset, frame: fatal.frame, notCapture: !parser.info && idx.count === 0 } : undefined,
  });
}

/** Connection summaries from a fresh pass over the frames read so far (live captures). */
function connsByPass(): ConnSummary[] {
  const d = new Dissector();
  const lc = new LifecycleTracker();
  d.addObserver(lc);
  for (let i = 0; i < idx.count; i++) d.dissect(frameAt(i));
  return lc.finish().map((c) => c.summary);
}

// ---- rows ---------------------------------------------------------------------------------------
const shownCount = (): number => (shownIdx ? shownIdx.n : idx.count);
const frameOfRow = (r: number): number => (shownIdx ? shownIdx.get(r) : r);

function row(i: number): Row {
  const start = idx.text.get(i);
  const end = i + 1 < idx.count ? idx.text.get(i + 1) : text.length;
  const [src = '', dst = '', proto = '', info = ''] = dec.decode(text.view(start, end - start)).split('\t');
  const sec0 = idx.sec.get(0), nsec0 = idx.nsec.get(0);
  const fake = {
    packet: { frame: { number: i + 1, origLen: idx.orig.get(i) } },
    relSec: idx.sec.get(i) - sec0, relNsec: idx.nsec.get(i) - nsec0,
  } as unknown as PacketRecord;
  const line = summaryLine(fake, idx.prec.get(i), { source: src, destination: dst, protocol: proto, info });
  const time = relTimeDigits(idx.sec.get(i) - sec0, idx.nsec.get(i) - nsec0, idx.prec.get(i));
  return { index: i, no: String(i + 1), time, src, dst, proto, len: String(idx.orig.get(i)), info, line, cls: CLS[idx.cls.get(i)] ?? '' };
}

// ---- re-dissection on demand ------------------------------------------------------------------
/**
 * Records of the frames `wanted` (ascending 0-based indexes), dissected with their state: a
 * pass over every frame up to the last one for small captures, else over the wanted frames
 * only (one connection's packets), with the capture-wide numbers put back.
 */
function* redissect(wanted: number[], stream: number | undefined): Generator<PacketRecord> {
  if (!wanted.length) return;
  const d = new Dissector();
  const last = wanted[wanted.length - 1]!;
  if (idx.count <= FULL_PASS_UP_TO || stream === undefined) {
    const want = new Set(wanted);
    const from = stream === undefined && idx.count > FULL_PASS_UP_TO ? wanted[0]! : 0;
    for (let i = from; i <= last; i++) {
      const rec = d.dissect(frameAt(i));
      if (from) fixTimes(rec, i);
      if (want.has(i)) yield rec;
    }
    return;
  }
  for (const i of wanted) {
    const rec = d.dissect(frameAt(i));
    fixTimes(rec, i);
    if (rec.tcp) (rec.tcp as { stream: number }).stream = stream;
    yield rec;
  }
}

function fixTimes(rec: PacketRecord, i: number): void {
  rec.relSec = idx.sec.get(i) - idx.sec.get(0); rec.relNsec = idx.nsec.get(i) - idx.nsec.get(0);
  const p = i ? i - 1 : 0;
  rec.deltaSec = idx.sec.get(i) - idx.sec.get(p); rec.deltaNsec = idx.nsec.get(i) - idx.nsec.get(p);
}

function framesOfStream(s: number): number[] {
  const out: number[] = [];
  const a = idx.stream.a, n = idx.count;
  for (let i = 0; i < n; i++) if (a[i] === s) out.push(i);
  return out;
}

// ---- details ------------------------------------------------------------------------------------
/** Byte ranges of header fields, relative to their layer. */
const FIELD_BYTES: Record<string, [number, number]> = {
  'eth.dst': [0, 6], 'eth.src': [6, 6], 'eth.type': [12, 2],
  'ip.len': [2, 2], 'ip.id': [4, 2], 'ip.flags.df': [6, 1], 'ip.ttl': [8, 1], 'ip.proto': [9, 1], 'ip.src': [12, 4], 'ip.dst': [16, 4],
  'tcp.srcport': [0, 2], 'tcp.dstport': [2, 2], 'tcp.seq': [4, 4], 'tcp.seq_raw': [4, 4], 'tcp.ack': [8, 4], 'tcp.ack_raw': [8, 4],
  'tcp.hdr_len': [12, 1], 'tcp.flags': [12, 2], 'tcp.window_size_value': [14, 2], 'tcp.window_size': [14, 2],
  'tcp.checksum': [16, 2], 'tcp.urgent_pointer': [18, 2],
  'udp.srcport': [0, 2], 'udp.dstport': [2, 2], 'udp.length': [4, 2],
};
const LABEL_BYTES: Array<[RegExp, string, [number, number]]> = [
  [/^Destination: /, 'eth', [0, 6]], [/^Source: /, 'eth', [6, 6]], [/^(Type|Length): /, 'eth', [12, 2]],
  [/^Header Length: /, 'ipv4', [0, 1]], [/^Differentiated Services/, 'ipv4', [1, 1]], [/^Fragment Offset/, 'ipv4', [6, 2]],
  [/^Header Checksum/, 'ipv4', [10, 2]],
  [/^Traffic Class/, 'ipv6', [0, 2]], [/^Flow Label/, 'ipv6', [1, 3]], [/^Payload Length/, 'ipv6', [4, 2]], [/^Next Header/, 'ipv6', [6, 1]],
  [/^Hop Limit/, 'ipv6', [7, 1]], [/^Source Address/, 'ipv6', [8, 16]], [/^Destination Address/, 'ipv6', [24, 16]],
];

function layerRange(p: Packet, k: number): [number, number] {
  const l = p.layers[k]!;
  const next = p.layers[k + 1];
  const end = next ? next.offset : p.frame.data.length;
  return [l.offset, Math.max(0, end - l.offset)];
}

function fieldRange(p: Packet, layer: Layer | undefined, node: TreeNode): [number, number] | undefined {
  if (!layer) return undefined;
  const f = node.field;
  if (layer.kind === 'tcp') {
    if (f === 'tcp.options') return [layer.offset + 20, layer.hdrLen - 20];
    if (f?.startsWith('tcp.flags.')) return [layer.offset + 12, 2];
    if (/^TCP payload/.test(node.label)) return [layer.payloadOffset, layer.payloadCaptured];
  }
  if (layer.kind === 'ipv6') {
    if (f === 'ip.src' || f === 'ipv6.src') return [layer.srcOffset, 16];
    if (f === 'ip.dst' || f === 'ipv6.dst') return [layer.dstOffset, 16];
  }
  const r = f ? FIELD_BYTES[f] : undefined;
  if (r && f!.split('.')[0] === (layer.kind === 'ipv4' ? 'ip' : layer.kind)) return [layer.offset + r[0], r[1]];
  for (const [re, kind, rr] of LABEL_BYTES) if (kind === layer.kind && re.test(node.label)) return [layer.offset + rr[0], rr[1]];
  return undefined;
}

function toDNodes(p: Packet, nodes: TreeNode[], lang: Lang, layer: Layer | undefined, top: boolean): DNode[] {
  return nodes.map((node, k) => {
    let lay = layer;
    let range: [number, number] | undefined;
    if (top) {
      if (k === 0) range = [0, p.frame.data.length];
      else if (k - 1 < p.layers.length) { lay = p.layers[k - 1]; range = layerRange(p, k - 1); }
    } else range = fieldRange(p, lay, node);
    const d: DNode = { label: node.localized ? node.localized(lang) : node.label };
    if (node.field) { d.field = node.field; const m = fieldMeaning(lang, node.field); if (m) d.meaning = m; }
    if (range && range[1] > 0) d.range = range;
    if (node.diagram) d.aid = true;
    if (node.children?.length) d.children = toDNodes(p, node.children, lang, lay, false);
    return d;
  });
}

function details(frame: number, lang: Lang): { tree: DNode[]; bytes: Uint8Array } {
  const s = idx.stream.get(frame);
  const wanted = s >= 0 && idx.count > FULL_PASS_UP_TO ? framesOfStream(s).filter((i) => i <= frame) : [frame];
  let rec: PacketRecord | undefined;
  for (const r of redissect(wanted, s >= 0 ? s : undefined)) rec = r;
  const bytes = frameAt(frame).data.slice();
  return { tree: rec ? toDNodes(rec.packet, detailsTree(rec), lang, undefined, true) : [], bytes };
}

// ---- connections --------------------------------------------------------------------------------
const ep = (e: { ip: string; port: number }): string => (e.ip.includes(':') ? `[${e.ip}]:${e.port}` : `${e.ip}:${e.port}`);
const CONN_COLS = ['col.stream', 'col.client', 'col.server', 'col.handshake', 'col.teardown', 'col.closer', 'col.duration',
  'col.pkts', 'col.bytes', 'col.states', 'col.conn_state', 'col.history', 'col.completeness'] as const;

/** The cells of `conns`' table for one connection (same texts as src/render/conns.ts). */
function connCells(c: ConnSummary, lang: Lang): string[] {
  const td = c.teardown.kind === 'none' && c.teardown.open_at_end ? msg(lang, 'tshort.open') : msg(lang, TEARDOWN_SHORT_KEY[c.teardown.kind]);
  return [
    String(c.stream), ep(c.client), ep(c.server), msg(lang, HANDSHAKE_SHORT_KEY[c.handshake.kind]), td,
    c.teardown.active_closer ? msg(lang, SIDE_KEY[c.teardown.active_closer]) : '-', c.duration.toFixed(6),
    `${c.packets.client}/${c.packets.server}`, `${c.bytes.client}/${c.bytes.server}`,
    `${c.states.client}/${c.states.server}`, c.conn_state, c.history, `${c.completeness} ${c.completeness_str}`,
  ];
}

function csvCell(s: string): string { return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s; }

const FOLLOW_LIMIT = 1 << 20;

function connView(stream: number, lang: Lang): ConnView | null {
  const summary = conns.find((c) => c.stream === stream);
  if (!summary) return null;
  const wanted = framesOfStream(stream);
  const lc = new LifecycleTracker({ timeline: (s) => s === stream });
  const follower = new TcpFollower(stream);
  for (const rec of redissect(wanted, stream)) { lc.observe(rec); follower.observe(rec); }
  const found = lc.finish().find((c) => c.summary.stream === stream);
  const tl: ConnTimeline | undefined = found?.timeline;
  const rows: LadderRow[] = tl ? selectRows(summary, tl, false, 120) : [];
  const res = follower.result();
  const pieces: FollowPiece[] = [];
  const bytes: [number, number] = [0, 0];
  let shown = 0, cut = false;
  for (const ch of res.chunks) {
    if (ch.missing) { pieces.push({ node: ch.node, frame: ch.frame, text: dec.decode(ch.data), missing: true }); continue; }
    bytes[ch.node] += ch.data.length;
    if (shown >= FOLLOW_LIMIT) { cut = true; continue; }
    let s = '';
    const d = ch.data.subarray(0, FOLLOW_LIMIT - shown);
    for (let k = 0; k < d.length; k++) {
      const b = d[k]!;
      s += b === 10 || b === 13 || b === 9 || (b >= 0x20 && b < 0x7f) ? String.fromCharCode(b) : '.';
    }
    shown += d.length;
    pieces.push({ node: ch.node, frame: ch.frame, text: s });
  }
  return {
    summary, initial: tl?.initial ?? ['CLOSED', 'LISTEN'] as unknown as ConnView['initial'], rows, truncated: tl?.truncated ?? 0,
    explain: explain(summary, tl, lang, { ladder: false }), follow: { pieces, bytes, cut },
  };
}

// ---- export -------------------------------------------------------------------------------------
function* packetsFor(indexes: Iterable<number>): Generator<WritePacket> {
  for (const i of indexes) {
    const f = frameAt(i);
    yield { tsSec: f.tsSec, tsNsec: f.tsNsec, origLen: f.origLen, linkType: f.linkType, data: f.data };
  }
}

function* shownFrames(): Generator<number> { for (let r = 0; r < shownCount(); r++) yield frameOfRow(r); }

// ---- messages -----------------------------------------------------------------------------------
ctx.onmessage = (e: MessageEvent<ToWorker>): void => {
  const m = e.data;
  switch (m.t) {
    case 'open': void open(m.source); break;
    case 'rows': {
      const rows: Row[] = [];
      const n = shownCount();
      for (let r = Math.max(0, m.from); r < Math.min(n, m.to); r++) rows.push(row(frameOfRow(r)));
      post({ t: 'rows', req: m.req, rows, shown: n });
      break;
    }
    case 'filter': {
      let f: Filter;
      try { f = compileFilter(m.text); } catch (err) {
        if (err instanceof FilterError) { post({ t: 'filterError', req: m.req, message: err.message, column: err.column, length: err.length }); return; }
        throw err;
      }
      if (!m.text.trim()) { filter = null; shownIdx = null; }
      else {
        const g = new Grow(Uint32Array);
        const d = new Dissector();
        for (let i = 0; i < idx.count; i++) if (f.matches(d.dissect(frameAt(i)))) g.push(i);
        filter = f; shownIdx = g;
      }
      post({ t: 'filtered', req: m.req, shown: shownCount(), total: idx.count });
      break;
    }
    case 'details': {
      const d = details(m.frame, m.lang);
      post({ t: 'details', req: m.req, frame: m.frame, stream: idx.stream.get(m.frame), tree: d.tree, bytes: d.bytes }, [d.bytes.buffer]);
      break;
    }
    case 'connRows': {
      const rows: string[][] = [], streams: number[] = [];
      for (let i = Math.max(0, m.from); i < Math.min(conns.length, m.to); i++) { rows.push(connCells(conns[i]!, m.lang)); streams.push(conns[i]!.stream); }
      post({ t: 'connRows', req: m.req, rows, streams, total: conns.length, head: CONN_COLS.map((k) => msg(m.lang, k)) });
      break;
    }
    case 'conn': post({ t: 'conn', req: m.req, view: connView(m.stream, m.lang) }); break;
    case 'indexOf': {
      let index = -1;
      if (!shownIdx) index = m.frame < idx.count ? m.frame : -1;
      else {
        let lo = 0, hi = shownIdx.n - 1;
        while (lo <= hi) {
          const mid = (lo + hi) >> 1, v = shownIdx.get(mid);
          if (v === m.frame) { index = mid; break; }
          if (v < m.frame) lo = mid + 1; else hi = mid - 1;
        }
      }
      post({ t: 'indexOf', req: m.req, index });
      break;
    }
    case 'export': {
      let out: { name: string; mime: string; bytes: Uint8Array };
      if (m.kind === 'pcapng-selected') out = { name: `frame-${(m.frame ?? 0) + 1}.pcapng`, mime: 'application/octet-stream', bytes: writePcapng(packetsFor(m.frame === undefined ? [] : [m.frame])) };
      else if (m.kind === 'pcapng-filtered') out = { name: 'displayed.pcapng', mime: 'application/octet-stream', bytes: writePcapng(packetsFor(shownFrames())) };
      else if (m.kind === 'csv') {
        const lines = [CONN_COLS.map((k) => msg('en', k)).map(csvCell).join(',')];
        for (const c of conns) lines.push(connCells(c, 'en').map(csvCell).join(','));
        out = { name: 'connections.csv', mime: 'text/csv', bytes: enc.encode(lines.join('\n') + '\n') };
      } else {
        const body = conns.map((c, i) => JSON.stringify(connJson(c), null, 2).replace(/^/gm, '  ') + (i < conns.length - 1 ? ',' : ''));
        out = { name: 'conns.json', mime: 'application/json', bytes: enc.encode(['[', ...body, ']'].join('\n') + '\n') };
      }
      post({ t: 'file', req: m.req, ...out }, [out.bytes.buffer as ArrayBuffer]);
      break;
    }
  }
};

