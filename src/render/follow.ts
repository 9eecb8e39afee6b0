/**
 * Follow TCP Stream: the bytes of one connection, each direction put back in order, printed
 * byte for byte as `tshark -q -z follow,tcp,<mode>,<stream>` prints them (modes ascii, hex,
 * raw, yaml).
 *
 * The ordering rules are tshark 4.0's follow rules (observed with crafted captures):
 * - node 0 is the source of the stream's first packet; each direction starts at the first
 *   sequence number it shows (after the SYN);
 * - a segment at the expected sequence number is a chunk; the part of a segment that repeats
 *   bytes already shown is cut off, a segment with nothing new is ignored;
 * - a segment beyond the expected number is held and shown once the gap before it fills (of
 *   the held segments that reach the expected number, the first to arrive, whole); a held
 *   segment that overlaps what was shown keeps only its new bytes;
 * - when the other side acknowledges bytes beyond a gap, the gap is given up:
 *   a chunk `[N bytes missing in capture file]` (with its terminating NUL) takes its place.
 * Held segments are bounded (`maxHeldBytes`, FOLLOW_MAX_HELD_SEGMENTS); what does not fit is
 * dropped and counted (`droppedBytes`, `dropEvents`).
 * The reassembly itself is `StreamReassembler` (src/tcp/reassembly.ts) with its `first-segment` rule.
 */
import type { PacketRecord } from '../record.js';
import { TcpFlag } from '../decode/types.js';
import { ipv4, ipv6At, relTime } from '../core/format.js';
import { StreamReassembler, type Chunk } from '../tcp/reassembly.js';
import { SeqUnwrapper, seq32, seqAdd, seqGt } from '../core/seq.js';

export type FollowMode = 'ascii' | 'hex' | 'raw' | 'yaml';
export const FOLLOW_MODES: readonly FollowMode[] = ['ascii', 'hex', 'raw', 'yaml'];
export type FollowDirection = 'both' | 'client' | 'server';

export interface FollowChunk {
  /** 0: from node 0 (the source of the stream's first packet), 1: from node 1 */
  node: 0 | 1;
  /** frame that carried the bytes (for a missing-bytes note: the frame whose ACK revealed the gap) */
  frame: number;
  tsSec: number;
  tsNsec: number;
  data: Uint8Array;
  /** true for tshark's `[N bytes missing in capture file]` note */
  missing?: boolean;
}

export interface FollowNode { host: string; /** IPv6 in brackets, as in `Node 0: [::1]:40422` */ hostPort: string; port: number }

export interface FollowResult {
  stream: number;
  nodes: [FollowNode, FollowNode] | undefined;
  chunks: FollowChunk[];
  /** out-of-order bytes dropped because too much was held (16 MiB or 65,536 segments per direction) */
  droppedBytes: number;
  /** segments that lost bytes so: each one a point where the output may differ from tshark's */
  dropEvents: number;
}

/** What a chunk remembers of the frame it came from. */
interface FrameTag { frame: number; tsSec: number; tsNsec: number }

interface Side {
  /** raw sequence numbers → unwrapped offsets (undefined until the side's first packet) */
  unwrap: SeqUnwrapper | undefined;
  reasm: StreamReassembler<FrameTag> | undefined;
}

const enc = new TextEncoder();

/** Most out-of-order segments held per direction (memory bound; what does not fit is dropped and counted). */
export const FOLLOW_MAX_HELD_SEGMENTS = 65536;

/**
 * Collects one TCP stream's chunks from the records of a capture (feed every record, in order).
 * Each direction is put back in order by the project's one reassembler (`StreamReassembler`,
 * rule `first-segment`: tshark's follow rules) on unwrapped sequence offsets.
 */
export class TcpFollower {
  private nodes: [FollowNode, FollowNode] | undefined;
  private nodeKey = '';
  private readonly sides: [Side, Side] = [{ unwrap: undefined, reasm: undefined }, { unwrap: undefined, reasm: undefined }];
  private readonly chunks: FollowChunk[] = [];

  constructor(readonly stream: number, private readonly maxHeldBytes = 16 << 20) {}

  observe(rec: PacketRecord): void {
    const t = rec.tcp, l = rec.packet.tcp, ip = rec.packet.ip;
    if (!t || !l || !ip || t.stream !== this.stream) return;
    // tshark gives up on a packet whose TCP header was cut by the snapshot length before following it.
    if (l.captured < l.hdrLen) return;
    const d = rec.packet.frame.data;
    const src = ip.kind === 'ipv4' ? ipv4(ip.src) : ipv6At(d, ip.srcOffset);
    const key = `${src}|${l.srcPort}`;
    if (!this.nodes) {
      const dst = ip.kind === 'ipv4' ? ipv4(ip.dst) : ipv6At(d, ip.dstOffset);
      const hp = (h: string, p: number): string => (ip.kind === 'ipv6' ? `[${h}]:${p}` : `${h}:${p}`);
      this.nodes = [{ host: src, port: l.srcPort, hostPort: hp(src, l.srcPort) }, { host: dst, port: l.dstPort, hostPort: hp(dst, l.dstPort) }];
      this.nodeKey = key;
    }
    const node: 0 | 1 = key === this.nodeKey ? 0 : 1;
    const f = rec.packet.frame;
    // This packet's ACK may show that the other side's held bytes follow bytes the capture missed.
    const other = this.sides[node === 0 ? 1 : 0];
    if (other.reasm) {
      for (let low = other.reasm.firstHeldOffset; low !== undefined && seqGt(l.ack, seq32(low)); low = other.reasm.firstHeldOffset) {
        const gap = other.reasm.skipGap();
        const text = `[${gap.missing} bytes missing in capture file]`;
        const data = new Uint8Array(text.length + 1);
        data.set(enc.encode(text));
        this.chunks.push({ node: node === 0 ? 1 : 0, frame: f.number, tsSec: 0, tsNsec: 0, data, missing: true }); // tshark gives the note no time
        this.take(node === 0 ? 1 : 0, gap.chunks);
      }
    }

    const side = this.sides[node];
    const seq = l.flags & TcpFlag.SYN ? seqAdd(l.seq, 1) : l.seq;
    side.unwrap ??= new SeqUnwrapper();
    const off = side.unwrap.offset(seq);
    // each direction starts at the first sequence number it shows (after the SYN)
    side.reasm ??= new StreamReassembler<FrameTag>(off, { rule: 'first-segment', maxHeldBytes: this.maxHeldBytes, maxHeldSegments: FOLLOW_MAX_HELD_SEGMENTS });
    const data = d.subarray(l.payloadOffset, l.payloadOffset + Math.min(l.payloadCaptured, l.len));
    const tag: FrameTag = { frame: f.number, tsSec: f.tsSec, tsNsec: f.tsNsec };
    this.take(node, side.reasm.push(off, data, tag, l.len));
  }

  private take(node: 0 | 1, chunks: Array<Chunk<FrameTag>>): void {
    // Chunks of a segment that came in order are views of the frame: copy them.
    for (const c of chunks) this.chunks.push({ node, frame: c.tag.frame, tsSec: c.tag.tsSec, tsNsec: c.tag.tsNsec, data: c.data.slice() });
  }

  result(): FollowResult {
    let dropped = 0, drops = 0;
    for (const s of this.sides) { dropped += s.reasm?.stats.droppedBytes ?? 0; drops += s.reasm?.stats.dropEvents ?? 0; }
    return { stream: this.stream, nodes: this.nodes, chunks: this.chunks, droppedBytes: dropped, dropEvents: drops };
  }
}

const RULE = '='.repeat(67);
const HEXD = '0123456789abcdef';

function asciiText(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i++) {
    const c = b[i]!;
    s += c === 10 || c === 13 || (c >= 0x20 && c < 0x7f) ? String.fromCharCode(c) : '.';
  }
  return s;
}

function hexLines(b: Uint8Array, start: number, indent: string): string {
  let out = '';
  for (let off = 0; off < b.length; off += 16) {
    const n = Math.min(16, b.length - off);
    let line = indent + (start + off).toString(16).toUpperCase().padStart(8, '0') + '  ';
    let asc = '';
    for (let i = 0; i < 16; i++) {
      if (i < n) {
        const c = b[off + i]!;
        line += HEXD[c >> 4]! + HEXD[c & 15]! + ' ';
        asc += c >= 0x20 && c < 0x7f ? String.fromCharCode(c) : '.';
        if (i === 7) asc += ' ';
      } else line += '   ';
      if (i === 7) line += ' ';
    }
    // tshark puts a space after the 8th character and drops the line's last character when it is a space
    // (observed: exactly one, even when the data ends in several spaces)
    const text = line + ' ' + asc;
    out += (text.endsWith(' ') ? text.slice(0, -1) : text) + '\n';
  }
  return out;
}

function rawHex(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i++) s += HEXD[b[i]! >> 4]! + HEXD[b[i]! & 15]!;
  return s;
}

function base64Lines(b: Uint8Array): string {
  const A = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  let s = '';
  for (let i = 0; i < b.length; i += 3) {
    const x = (b[i]! << 16) | ((b[i + 1] ?? 0) << 8) | (b[i + 2] ?? 0);
    s += A[(x >> 18) & 63]! + A[(x >> 12) & 63]! + (i + 1 < b.length ? A[(x >> 6) & 63]! : '=') + (i + 2 < b.length ? A[x & 63]! : '=');
  }
  let out = '';
  for (let i = 0; i < s.length; i += 76) out += '      ' + s.slice(i, i + 76) + '\n';
  return out;
}

/**
 * Timestamp as tshark's YAML prints it: the time as a double (seconds + nanoseconds / 1e9),
 * printed with nine decimals as C's printf does — exactly, with ties to even (JS toFixed
 * rounds ties up, which differs on values such as 1795312295.7431640625).
 */
export function yamlTime(sec: number, nsec: number): string {
  const v = sec + nsec / 1e9;
  if (!Number.isFinite(v) || Math.abs(v) >= 2 ** 52) return relTime(sec, nsec);
  const dv = new DataView(new ArrayBuffer(8));
  dv.setFloat64(0, Math.abs(v));
  const hi = dv.getUint32(0), lo = dv.getUint32(4);
  const expBits = (hi >>> 20) & 0x7ff;
  let mant = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  let e = expBits - 1075;
  if (expBits === 0) e = -1074; else mant |= 1n << 52n;
  // |v| = mant × 2^e exactly; scale by 10^9 and round to an integer, ties to even.
  let q: bigint;
  if (e >= 0) q = (mant << BigInt(e)) * 1_000_000_000n;
  else {
    const num = mant * 1_000_000_000n, den = 1n << BigInt(-e);
    q = num / den;
    const r2 = (num % den) * 2n;
    if (r2 > den || (r2 === den && (q & 1n) === 1n)) q += 1n;
  }
  const digits = q.toString().padStart(10, '0');
  return (v < 0 ? '-' : '') + digits.slice(0, -9) + '.' + digits.slice(-9);
}

/** Render a follow result as tshark does for `-z follow,tcp,<mode>,<stream>`. */
export function renderFollow(res: FollowResult, mode: FollowMode, direction: FollowDirection = 'both'): string {
  const keep = (c: FollowChunk): boolean => direction === 'both' || (direction === 'client' ? c.node === 0 : c.node === 1);
  const nodes = res.nodes;
  if (mode === 'yaml') {
    let s = 'peers:\n';
    for (let i = 0; i < 2; i++) {
      const n = nodes?.[i];
      s += `  - peer: ${i}\n    host: ${n ? n.host : ''}\n    port: ${n ? n.port : 0}\n`;
    }
    s += 'packets:\n';
    for (const c of res.chunks) {
      if (!keep(c)) continue;
      s += `  - packet: ${c.frame}\n    peer: ${c.node}\n    timestamp: ${yamlTime(c.tsSec, c.tsNsec)}\n    data: !!binary |\n${base64Lines(c.data)}`;
    }
    return s;
  }
  let s = `\n${RULE}\nFollow: tcp,${mode}\nFilter: tcp.stream eq ${res.stream}\n`;
  s += `Node 0: ${nodes ? nodes[0].hostPort : ':0'}\nNode 1: ${nodes ? nodes[1].hostPort : ':0'}\n`;
  const pos = [0, 0];
  for (const c of res.chunks) {
    const indent = c.node === 1 ? '\t' : '';
    if (keep(c)) {
      if (mode === 'ascii') s += `${indent}${c.data.length}\n${asciiText(c.data)}\n`;
      else if (mode === 'hex') s += hexLines(c.data, pos[c.node]!, indent);
      else s += indent + rawHex(c.data) + '\n';
    }
    pos[c.node]! += c.data.length;
  }
  return s + RULE + '\n';
}

/** `-z follow,tcp,MODE,STREAM` as a statistic of `read` (observe every record, then render); a string is an error for the user. */
export function followStatistic(spec: string): { observe(r: PacketRecord): void; render(): string } | string {
  const parts = spec.split(',');
  if (parts[1] !== 'tcp') return `-z ${spec}: only follow,tcp is supported (follow,tcp,MODE,STREAM)`;
  const mode = parts[2] as FollowMode;
  if (!FOLLOW_MODES.includes(mode)) return `-z ${spec}: the mode must be one of ${FOLLOW_MODES.join(', ')}`;
  if (parts.length !== 4 || !/^\d+$/.test(parts[3]!)) return `-z ${spec}: expected follow,tcp,${mode},STREAM with a tcp.stream number`;
  const f = new TcpFollower(Number(parts[3]));
  return { observe: (r) => f.observe(r), render: () => renderFollow(f.result(), mode) };
}
