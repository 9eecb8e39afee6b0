/**
 * The opening of one connection, as the capture shows it: the client's SYNs (and their
 * back-off), the SYN/ACK, the ACK that completes the handshake, a refusal, the ISNs and
 * options, and the handshake's kind (three-way, simultaneous open, refused…). One part of the
 * lifecycle stage (lifecycle.ts); it only records, the summary is built at the end.
 */
import { TcpFlag, type TcpLayer } from '../decode/types.js';
import { seqAdd } from '../core/seq.js';
import type { HandshakeKind, HandshakeSummary, Side, SynOptions } from './lifecycle-types.js';

/** SYN frames kept per connection (the first and its retransmissions). */
export const MAX_SYN_FRAMES = 32;
/** SYN/ACK frames kept per connection. */
export const MAX_SYN_ACK_FRAMES = 8;

export function synOptions(tcp: TcpLayer): SynOptions {
  const o: SynOptions = { mss: null, window_scale: null, sack_permitted: false, timestamps: false };
  for (const op of tcp.options) {
    if (op.kind === 2) o.mss = op.mss;
    else if (op.kind === 3) o.window_scale = op.shift;
    else if (op.kind === 4) o.sack_permitted = true;
    else if (op.kind === 8) o.timestamps = true;
  }
  return o;
}

export const round6 = (x: number): number => Math.round(x * 1e6) / 1e6;
export const round9 = (x: number): number => Math.round(x * 1e9) / 1e9;

/** What one segment tells the handshake tracker. */
export interface HandshakeSegment {
  frame: number;
  /** seconds since the connection's first packet */
  t: number;
  from: Side;
  tcp: TcpLayer;
  /** segments the server had sent before this one */
  serverSent: number;
}

export class Handshake {
  synFrames: number[] = []; synTimes: number[] = []; synCount = 0; lastSynT = -1;
  serverSynFrame = 0; serverSynT = 0;
  synAckFrames: number[] = []; synAckT = -1; clientSynAckFrame = 0; clientSynAckT = -1;
  hsAckFrame = 0; hsAckT = -1; hsAckOk: boolean | null = null; synAckOk: boolean | null = null;
  isn: [number | null, number | null] = [null, null];
  opts: [SynOptions | null, SynOptions | null] = [null, null];
  refusedFrame = 0;

  /** The client's SYN was answered by the server (SYN/ACK), or the connection began mid-stream, or the client answered a SYN/ACK. */
  done(midstream: boolean): boolean { return this.synAckT >= 0 || midstream || this.clientSynAckT >= 0; }

  /** Record one segment; returns true when it is a retransmission of the client's SYN. */
  observe(s: HandshakeSegment): boolean {
    const { tcp, from, t: now, frame } = s;
    const f = tcp.flags;
    const SYN = (f & TcpFlag.SYN) !== 0, ACK = (f & TcpFlag.ACK) !== 0, RST = (f & TcpFlag.RST) !== 0;
    let synRetransmit = false;
    if (SYN && !ACK && !RST) {
      if (from === 'client') {
        if (this.synCount > 0) synRetransmit = true;
        this.synCount++;
        if (this.synFrames.length < MAX_SYN_FRAMES) { this.synFrames.push(frame); this.synTimes.push(now); }
        this.lastSynT = now;
        if (this.isn[0] === null) this.isn[0] = tcp.seq;
        this.opts[0] ??= synOptions(tcp);
      } else if (!this.serverSynFrame) {
        this.serverSynFrame = frame; this.serverSynT = now;
        this.isn[1] ??= tcp.seq;
        this.opts[1] ??= synOptions(tcp);
      }
    } else if (SYN && ACK && !RST) {
      if (this.synAckFrames.length < MAX_SYN_ACK_FRAMES) this.synAckFrames.push(frame);
      if (from === 'server') {
        if (this.synAckT < 0) {
          this.synAckT = now;
          this.isn[1] ??= tcp.seq;
          this.opts[1] ??= synOptions(tcp);
          if (this.isn[0] !== null) this.synAckOk = tcp.ack === seqAdd(this.isn[0], 1);
        }
      } else if (this.clientSynAckT < 0) {
        this.clientSynAckFrame = frame; this.clientSynAckT = now;
      }
    } else if (ACK && !SYN && !RST && from === 'client' && this.synAckT >= 0 && this.hsAckT < 0) {
      this.hsAckFrame = frame; this.hsAckT = now;
      if (this.isn[1] !== null) this.hsAckOk = tcp.ack === seqAdd(this.isn[1], 1);
    } else if (ACK && !SYN && !RST && from === 'server' && this.clientSynAckT >= 0 && this.hsAckT < 0) {
      // simultaneous open: the ACK that completes it may come from either side
      this.hsAckFrame = frame; this.hsAckT = now;
    }
    if (RST && from === 'server' && !this.refusedFrame && this.synCount > 0 && this.synAckT < 0 && s.serverSent === 0) {
      this.refusedFrame = frame;
    }
    return synRetransmit;
  }

  kind(serverSent: number): HandshakeKind {
    return this.serverSynFrame && this.synCount > 0 ? 'simultaneous-open'
      : this.refusedFrame ? 'refused'
      : this.synCount > 0 && this.synAckT >= 0 && this.hsAckT >= 0 ? 'three-way'
      : this.synCount > 0 && this.synAckT < 0 && serverSent === 0 ? 'no-answer'
      : this.synCount > 0 || this.synAckT >= 0 ? 'incomplete'
      : 'not-seen';
  }

  /** `irttNs`: Wireshark's initial RTT (0 = unknown). */
  summary(serverSent: number, irttNs: number): HandshakeSummary {
    const kind = this.kind(serverSent);
    const missing: string[] = [];
    if (kind === 'incomplete') {
      if (!this.synCount) missing.push('syn');
      if (this.synAckT < 0) missing.push('syn-ack');
      if (this.hsAckT < 0) missing.push('ack');
    }
    let frames: number[] = [];
    const firstSyn = this.synFrames[0];
    if (kind === 'three-way') frames = [this.synFrames[this.synFrames.length - 1]!, this.synAckFrames[0]!, this.hsAckFrame];
    else if (kind === 'simultaneous-open') frames = [firstSyn!, this.serverSynFrame, ...this.synAckFrames.slice(0, 2)];
    else if (kind === 'refused') frames = [this.synFrames[this.synFrames.length - 1]!, this.refusedFrame];
    else if (kind === 'no-answer') frames = [...this.synFrames];
    else if (kind === 'incomplete') frames = [...this.synFrames.slice(-1), ...this.synAckFrames.slice(0, 1), ...(this.hsAckFrame ? [this.hsAckFrame] : [])];
    const intervals: number[] = [];
    for (let i = 1; i < this.synTimes.length; i++) intervals.push(round6(this.synTimes[i]! - this.synTimes[i - 1]!));
    const [co, so] = this.opts;
    const negotiated = co && so ? {
      mss: { client: co.mss, server: so.mss },
      window_scale: co.window_scale !== null && so.window_scale !== null ? { client: Math.min(co.window_scale, 14), server: Math.min(so.window_scale, 14) } : null,
      sack: co.sack_permitted && so.sack_permitted,
      timestamps: co.timestamps && so.timestamps,
    } : null;
    const synT = this.lastSynT;
    return {
      kind, frames, missing,
      syn_frames: [...this.synFrames], syn_intervals: intervals,
      isn: { client: this.isn[0], server: this.isn[1] },
      checks: { syn_ack_acks_syn: this.synAckOk, ack_acks_syn_ack: this.hsAckOk },
      options: { client: co, server: so },
      negotiated,
      rtt: {
        syn_to_syn_ack: synT >= 0 && this.synAckT >= 0 ? round9(this.synAckT - synT) : null,
        syn_ack_to_ack: this.synAckT >= 0 && this.hsAckT >= 0 ? round9(this.hsAckT - this.synAckT) : null,
        initial_rtt: irttNs > 0 ? round9(irttNs / 1e9) : null,
      },
    };
  }
}
