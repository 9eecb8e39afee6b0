/**
 * Zeek's view of one TCP connection, computed in the same in-order pass: the endpoint states
 * of a passive observer (INACTIVE, SYN_SENT, SYN_ACK_SENT, PARTIAL, ESTABLISHED, CLOSED,
 * RESET), the `history` letters, `conn_state`, and the conn.log counters (packets, IP bytes,
 * payload sizes from sequence space, missed bytes, duration).
 *
 * The rules are Zeek's, learnt from its documentation and source (TCPSessionAdapter,
 * TCP_Endpoint, conn/main.zeek) and restated in section B.2 of the shared TCP-SEMANTICS.md; the
 * code is tcpscope's own. Differences that remain are listed in test/zeek.test.ts.
 */
import { TcpFlag } from '../decode/types.js';
import { seqAdd, seqDiff } from '../core/seq.js';
import type { Endpoint, EndpointIndex } from './endpoint.js';

export const enum ZState { INACTIVE = 0, SYN_SENT = 1, SYN_ACK_SENT = 2, PARTIAL = 3, ESTABLISHED = 4, CLOSED = 5, RESET = 6 }
export const ZSTATE_NAMES = ['INACTIVE', 'SYN_SENT', 'SYN_ACK_SENT', 'PARTIAL', 'ESTABLISHED', 'CLOSED', 'RESET'] as const;

/** Zeek's threshold for sequence jumps on SYN/RST packets that are not trusted. */
const TOO_LARGE_SEQ_DELTA = 1048576;

/**
 * Ports Zeek's analyzers register as "likely server ports" (used to guess the originator
 * when the SYN was not seen). Zeek builds this set from the loaded analyzers; this is the
 * set its default scripts register for the common protocols.
 */
export const LIKELY_SERVER_PORTS: ReadonlySet<number> = new Set([
  21, 22, 23, 25, 53, 80, 81, 88, 110, 111, 135, 139, 143, 389, 443, 445, 465, 502, 563, 587, 631, 636, 993, 995,
  1080, 1194, 1433, 1521, 1812, 2049, 3128, 3306, 3389, 5060, 5061, 5222, 5269, 5432, 5672, 5900, 6379, 6667, 6668,
  6669, 8000, 8080, 8443, 8888, 9200, 11211, 27017,
]);

// History mask bits (one per letter kind; the responder's are shifted by 16).
const H_SYN = 1, H_FIN = 2, H_RST = 4, H_FIN_RST = 8, H_DATA = 16, H_ACK = 32, H_MULTI = 64;


/**
 * Zeek's model of one endpoint (TCP_Endpoint): its states and its own sequence base (Zeek
 * re-bases on every new SYN, unlike Wireshark), kept beside the shared Endpoint of the same
 * direction (`tcp`), which owns the packet count.
 */
class ZEndpoint {
  state = ZState.INACTIVE;
  prevState = ZState.INACTIVE;
  startSeq = 0; lastSeq = 0; ackSeq = 0;
  finCnt = 0; finSeq = 0;
  histLastSyn = 0; histLastFin = 0; histLastRst = 0;
  rxmtCnt = 0; rxmtThresh = 1; win0Cnt = 0; win0Thresh = 1; gapCnt = 0; gapThresh = 1;
  didClose = false;
  ipBytes = 0;
  /** reassembly bookkeeping (relative sequence space, data starts at 1) */
  trimSeq = 1;
  blocks: Array<[number, number]> = [];
  missed = 0;
  constructor(public isOrig: boolean, readonly tcp: Endpoint) {}

  setState(s: ZState): void {
    if (s !== this.state) { this.prevState = this.state; this.state = s; }
  }

  rel(seq: number): number { return seqDiff(seq, this.startSeq); }

  /** TCP_Endpoint::Size: payload bytes from sequence space. */
  size(peer: ZEndpoint): number {
    if (this.prevState === ZState.SYN_SENT && this.state === ZState.RESET && peer.state === ZState.INACTIVE && this.rel(this.ackSeq) > 1) return 0;
    let size = Math.max(this.rel(this.lastSeq), this.rel(this.ackSeq));
    if (size <= 0) return 0;
    size--; // the SYN octet
    if (this.finCnt > 0 && size !== 0) size--; // the FIN octet
    return size;
  }

  /** Data seen in sequence space [s, e) (relative), delivered to the reassembler. */
  addData(s: number, e: number): void {
    if (e <= this.trimSeq) return;
    if (s < this.trimSeq) s = this.trimSeq;
    const b = this.blocks;
    // Merge into a sorted, disjoint list; bounded so that memory stays per connection.
    let i = 0;
    while (i < b.length && b[i]![1] < s) i++;
    let ns = s, ne = e, j = i;
    while (j < b.length && b[j]![0] <= ne) { ns = Math.min(ns, b[j]![0]); ne = Math.max(ne, b[j]![1]); j++; }
    b.splice(i, j - i, [ns, ne]);
    if (b.length > 512) b.shift();
  }

  /** The peer acknowledged everything below `seq`: count the bytes below it that were never seen. */
  trimTo(seq: number): number {
    if (seq <= this.trimSeq) return 0;
    let covered = 0;
    const b = this.blocks;
    let k = 0;
    while (k < b.length && b[k]![0] < seq) {
      const [s, e] = b[k]!;
      covered += Math.min(e, seq) - Math.max(s, this.trimSeq);
      if (e <= seq) k++;
      else { b[k] = [seq, e]; break; }
    }
    b.splice(0, k);
    const missing = seq - this.trimSeq - covered;
    this.trimSeq = seq;
    return missing;
  }
}

/** Established, or closed by a FIN straight from established (Zeek's test before it reports a gap). */
function cleanSide(ep: ZEndpoint): boolean {
  return ep.state === ZState.ESTABLISHED || (ep.state === ZState.CLOSED && ep.prevState === ZState.ESTABLISHED);
}

/** Add a letter at the 1st, 10th, 100th … occurrence (Zeek's ScaledHistoryEntry). */
function scaled(cnt: number, thresh: number): { cnt: number; thresh: number; add: boolean } {
  cnt++;
  if (cnt === thresh) return { cnt, thresh: thresh * 10, add: true };
  return { cnt, thresh, add: false };
}

/** What the lifecycle stage passes for every packet of the connection. */
export interface ZeekPacket {
  /** index of the sender in the conversation's endpoints (0: the side that sent the first packet) */
  from: EndpointIndex;
  flags: number;
  seq: number; ack: number;
  /** tcp.len */
  len: number;
  /** whole payload captured (Zeek does not reassemble cut payloads) */
  payloadCaptured: boolean;
  window: number;
  srcPort: number; dstPort: number;
  /** IP total length */
  ipLen: number;
  /** seconds (float) */
  time: number;
}

export interface ZeekSummary {
  /** true when Zeek's originator is the receiver of the connection's first packet */
  flipped: boolean;
  history: string;
  connState: string;
  origState: string; respState: string;
  origBytes: number; respBytes: number;
  origPkts: number; origIpBytes: number; respPkts: number; respIpBytes: number;
  missedBytes: number;
  startTime: number; duration: number;
}

export class ZeekConn {
  private orig: ZEndpoint;
  private resp: ZEndpoint;
  /** the first packet's sender is Zeek's responder */
  private flipped = false;
  private history = '';
  private histSeen = 0;
  private started = false;
  private startTime = 0;
  private lastTime = 0;

  /** `endpoints`: the conversation's two directions; Zeek's originator starts as endpoint 0. */
  constructor(endpoints: readonly [Endpoint, Endpoint]) {
    this.orig = new ZEndpoint(true, endpoints[0]);
    this.resp = new ZEndpoint(false, endpoints[1]);
  }

  observe(p: ZeekPacket): void {
    if (!this.started) {
      this.started = true;
      this.startTime = this.lastTime = p.time;
      // A connection that starts without a SYN (or with a SYN/ACK): guess the real responder by its port.
      const syn = (p.flags & TcpFlag.SYN) !== 0, ackf = (p.flags & TcpFlag.ACK) !== 0;
      if (!syn || ackf) {
        if (LIKELY_SERVER_PORTS.has(p.srcPort)) {
          const flip = LIKELY_SERVER_PORTS.has(p.dstPort) ? !syn && p.srcPort < p.dstPort : true;
          if (flip) this.flip();
        }
      }
    }
    const isOrig = this.orig.tcp.index === p.from;
    const ep = isOrig ? this.orig : this.resp;
    const peer = isOrig ? this.resp : this.orig;
    ep.ipBytes += p.ipLen;
    this.process(p, ep, peer, isOrig);
  }

  private flip(): void {
    const t = this.orig; this.orig = this.resp; this.resp = t;
    this.orig.isOrig = true; this.resp.isOrig = false;
    this.flipped = !this.flipped;
    this.history += '^';
  }

  private addHistory(ep: ZEndpoint, code: string): void {
    const c = ep.isOrig ? code : code.toLowerCase();
    // A connection that began with a SYN/ACK and whose other side answers with an ACK or data
    // had its roles the wrong way round: Zeek flips it and writes '^h'.
    if (this.history === 'H' && (c === 'a' || c === 'd')) {
      this.flip();
      this.history = '^h';
      this.histSeen = ((this.histSeen & 0xffff) << 16) | (this.histSeen >>> 16);
      this.history += c.toUpperCase();
      return;
    }
    this.history += c;
  }

  /** Add the letter the first time only; returns true when it had been seen before. */
  private checkHistory(ep: ZEndpoint, mask: number, code: string): boolean {
    const m = ep.isOrig ? mask : mask << 16;
    if ((this.histSeen & m) === 0) {
      this.histSeen |= m;
      this.addHistory(ep, code);
      return false;
    }
    return true;
  }

  private process(p: ZeekPacket, ep: ZEndpoint, peer: ZEndpoint, isOrig: boolean): void {
    const f = p.flags;
    const SYN = (f & TcpFlag.SYN) !== 0, FIN = (f & TcpFlag.FIN) !== 0, RST = (f & TcpFlag.RST) !== 0, ACK = (f & TcpFlag.ACK) !== 0;
    let segLen = p.len + (SYN ? 1 : 0) + (FIN ? 1 : 0);
    if (RST) segLen -= p.len;
    const seqEnd = seqAdd(p.seq, segLen);

    // init_endpoint
    switch (ep.state) {
      case ZState.INACTIVE:
        if (SYN) { ep.startSeq = ep.ackSeq = p.seq; ep.lastSeq = seqEnd; }
        else { ep.startSeq = ep.ackSeq = seqAdd(p.seq, -1); ep.lastSeq = p.seq; }
        break;
      case ZState.SYN_SENT: case ZState.SYN_ACK_SENT:
        if (SYN && p.seq !== ep.startSeq) { ep.startSeq = ep.ackSeq = p.seq; ep.lastSeq = seqEnd; }
        break;
      case ZState.ESTABLISHED: case ZState.PARTIAL:
        if (SYN) { ep.startSeq = ep.ackSeq = p.seq; ep.lastSeq = seqEnd; }
        break;
      case ZState.RESET:
        if (SYN && ep.prevState === ZState.INACTIVE) { ep.startSeq = ep.ackSeq = p.seq; ep.lastSeq = seqEnd; }
        break;
      default: break;
    }
    const relSeq = ep.rel(p.seq);

    // update_history
    const bits = (SYN ? 1 : 0) + (FIN ? 1 : 0) + (RST ? 1 : 0);
    if (bits > 1) {
      if (FIN && RST) this.checkHistory(ep, H_FIN_RST, 'I');
      else this.checkHistory(ep, H_MULTI, 'Q');
    } else if (bits === 1) {
      if (SYN) {
        const code = ACK ? 'H' : 'S';
        if (this.checkHistory(ep, H_SYN, code) && relSeq !== ep.histLastSyn) this.addHistory(ep, code);
        ep.histLastSyn = relSeq;
      }
      if (FIN) {
        if (this.checkHistory(ep, H_FIN, 'F') && relSeq + p.len !== ep.histLastFin) this.addHistory(ep, 'F');
        ep.histLastFin = relSeq + p.len;
      }
      if (RST) {
        if (this.checkHistory(ep, H_RST, 'R') && relSeq !== ep.histLastRst) this.addHistory(ep, 'R');
        ep.histLastRst = relSeq;
      }
    } else if (p.len) this.checkHistory(ep, H_DATA, 'D');
    else if (ACK) this.checkHistory(ep, H_ACK, 'A');

    // update_window: a zero window is news unless it comes with or after a RST, or after the peer's FIN.
    if (p.window === 0 && !RST && peer.state !== ZState.CLOSED && ep.state !== ZState.RESET) {
      const r = scaled(ep.win0Cnt, ep.win0Thresh);
      ep.win0Cnt = r.cnt; ep.win0Thresh = r.thresh;
      if (r.add) this.addHistory(ep, 'W');
    }

    if (!this.orig.didClose || !this.resp.didClose) this.lastTime = p.time;

    if (FIN) { ep.finCnt++; ep.finSeq = relSeq + segLen; }

    let relAck = 0;
    if (ACK) {
      if (peer.state === ZState.INACTIVE) {
        relAck = 1;
        peer.startSeq = peer.ackSeq = peer.lastSeq = seqAdd(p.ack, -1);
      } else {
        relAck = peer.rel(p.ack);
        if (relAck < 0) relAck = 0;
        else if (!RST) {
          const d = seqDiff(p.ack, peer.ackSeq);
          if (!(p.ack === 0 && d > TOO_LARGE_SEQ_DELTA) && d > 0) peer.ackSeq = p.ack;
        }
      }
    }

    // update_last_seq
    const deltaLast = seqDiff(seqEnd, ep.lastSeq);
    if ((SYN || RST) && (deltaLast > TOO_LARGE_SEQ_DELTA || deltaLast < -TOO_LARGE_SEQ_DELTA)) { /* not trusted */ }
    else if (FIN && ep.lastSeq === seqAdd(ep.startSeq, 1)) ep.lastSeq = seqEnd;
    else if (ep.state === ZState.RESET) { /* nothing after a reset is trusted */ }
    else if (deltaLast > 0) ep.lastSeq = seqEnd;
    else if (p.len > 0) {
      const r = scaled(ep.rxmtCnt, ep.rxmtThresh);
      ep.rxmtCnt = r.cnt; ep.rxmtThresh = r.thresh;
      if (r.add) this.addHistory(ep, 'T');
    }

    const doClose = this.updateState(p, ep, peer, isOrig, SYN, FIN, RST, ACK);

    if (ACK) this.ackReceived(peer, relAck);

    // Payload goes to the reassembler (not with RST, not when cut by the snapshot length).
    if (p.len > 0 && !RST && p.payloadCaptured && relSeq >= 0) {
      const start = SYN ? relSeq + 1 : relSeq;
      ep.addData(start, start + p.len);
    }
    if (doClose) ep.didClose = true;
  }

  private ackReceived(ep: ZEndpoint, relAck: number): void {
    let seq = relAck;
    if (ep.finCnt > 0 && seq >= ep.finSeq) seq = ep.finSeq - 1;
    if (seq <= ep.trimSeq) return;
    // Zeek counts a gap (letter G, missed_bytes) only while both sides are established or
    // closed cleanly from established (a FIN after the handshake), not after a RST or on a partial connection.
    const active = cleanSide(ep) && cleanSide(this.peerOf(ep));
    const missing = ep.trimTo(seq);
    if (active && missing > 0) {
      ep.missed += missing;
      const r = scaled(ep.gapCnt, ep.gapThresh);
      ep.gapCnt = r.cnt; ep.gapThresh = r.thresh;
      if (r.add) this.addHistory(ep, 'G');
    }
  }

  private peerOf(ep: ZEndpoint): ZEndpoint { return ep === this.orig ? this.resp : this.orig; }

  /** UpdateStateMachine; returns whether this packet closes the sender's side. */
  private updateState(p: ZeekPacket, ep: ZEndpoint, peer: ZEndpoint, isOrig: boolean, SYN: boolean, FIN: boolean, RST: boolean, ACK: boolean): boolean {
    let doClose = false;
    switch (ep.state) {
      case ZState.INACTIVE: {
        if (SYN) {
          if (isOrig) ep.setState(ACK ? ZState.SYN_ACK_SENT : ZState.SYN_SENT);
          else {
            if (!ACK && peer.state === ZState.SYN_ACK_SENT && p.seq === ep.startSeq) {
              // A SYN/SYN-ACK reversal: the roles were the wrong way round.
              this.flip();
              peer.setState(ZState.ESTABLISHED);
            }
            if (peer.state === ZState.SYN_SENT) peer.setState(ZState.ESTABLISHED);
            ep.setState(ZState.ESTABLISHED);
          }
        }
        if (FIN) { ep.setState(ZState.CLOSED); doClose = true; }
        if (RST) { ep.setState(ZState.RESET); doClose = true; }
        if (ep.state === ZState.INACTIVE) {
          if (!isOrig && p.len === 0 && this.orig.state === ZState.SYN_SENT) { /* an ACK of a SYN before the SYN/ACK */ }
          else if (ACK && peer.state === ZState.ESTABLISHED) ep.setState(ZState.ESTABLISHED);
          else ep.setState(ZState.PARTIAL);
        }
        break;
      }
      case ZState.SYN_SENT: case ZState.SYN_ACK_SENT:
        if (FIN) { ep.setState(ZState.CLOSED); doClose = true; }
        if (RST) { ep.setState(ZState.RESET); doClose = true; }
        break;
      case ZState.ESTABLISHED: case ZState.PARTIAL:
        if (SYN && ep.state === ZState.PARTIAL && peer.state === ZState.INACTIVE && !ACK) ep.setState(ZState.SYN_SENT);
        if (FIN && !RST) {
          ep.setState(ZState.CLOSED);
          // A FIN then a RST from the peer was a normal termination after all.
          if (peer.state === ZState.RESET && peer.prevState === ZState.CLOSED) peer.setState(ZState.CLOSED);
          doClose = true;
        }
        if (RST) { ep.setState(ZState.RESET); doClose = true; }
        break;
      case ZState.CLOSED:
        if (RST && peer.state !== ZState.CLOSED) {
          ep.setState(ZState.RESET);
          if (!ep.didClose) doClose = true;
        }
        break;
      default: break;
    }
    return doClose;
  }

  summary(): ZeekSummary {
    const o = this.orig, r = this.resp;
    return {
      flipped: this.flipped,
      history: this.history,
      connState: connState(o.state, r.state, o.size(r), r.size(o), this.history),
      origState: ZSTATE_NAMES[o.state], respState: ZSTATE_NAMES[r.state],
      origBytes: o.size(r), respBytes: r.size(o),
      origPkts: o.tcp.packets, origIpBytes: o.ipBytes, respPkts: r.tcp.packets, respIpBytes: r.ipBytes,
      missedBytes: o.missed + r.missed,
      startTime: this.startTime, duration: this.lastTime - this.startTime,
    };
  }
}

/** conn/main.zeek's conn_state for TCP. */
export function connState(os: ZState, rs: ZState, origSize: number, respSize: number, history: string): string {
  const oInactive = os === ZState.INACTIVE || os === ZState.PARTIAL;
  const rInactive = rs === ZState.INACTIVE || rs === ZState.PARTIAL;
  if (rs === ZState.RESET) {
    if (os === ZState.SYN_SENT || os === ZState.SYN_ACK_SENT || (os === ZState.RESET && origSize === 0 && respSize === 0)) return 'REJ';
    return oInactive ? 'RSTRH' : 'RSTR';
  }
  if (os === ZState.RESET) {
    if (rInactive) return /^\^?S[^HAFGIQ]*R/.test(history) ? 'RSTOS0' : 'OTH';
    return 'RSTO';
  }
  if (rs === ZState.CLOSED && os === ZState.CLOSED) return 'SF';
  if (os === ZState.CLOSED) return rInactive ? 'SH' : 'S2';
  if (rs === ZState.CLOSED) return oInactive ? 'SHR' : 'S3';
  if (os === ZState.SYN_SENT && rs === ZState.INACTIVE) return 'S0';
  if (os === ZState.ESTABLISHED && rs === ZState.ESTABLISHED) return 'S1';
  return 'OTH';
}
