/**
 * Per-connection anomaly counts from the analysis stage's flags (tcp.analysis.*) plus SACK
 * blocks, as the lifecycle summary lists them.
 */
import { TcpA } from './types.js';

export type Anomaly = 'retransmission' | 'fast-retransmission' | 'spurious-retransmission' | 'out-of-order' | 'lost-segment'
  | 'ack-lost-segment' | 'dup-ack' | 'sack' | 'zero-window' | 'zero-window-probe' | 'window-update' | 'window-full'
  | 'keep-alive' | 'reused-port';

/** Anomaly names and the tcp.analysis flag each comes from (in the order they are listed). */
export const ANOMALY_FLAGS: ReadonlyArray<[Anomaly, number, string]> = [
  ['retransmission', TcpA.RETRANSMISSION, 'tcp.analysis.retransmission'],
  ['fast-retransmission', TcpA.FAST_RETRANSMISSION, 'tcp.analysis.fast_retransmission'],
  ['spurious-retransmission', TcpA.SPURIOUS_RETRANSMISSION, 'tcp.analysis.spurious_retransmission'],
  ['out-of-order', TcpA.OUT_OF_ORDER, 'tcp.analysis.out_of_order'],
  ['lost-segment', TcpA.LOST_PACKET, 'tcp.analysis.lost_segment'],
  ['ack-lost-segment', TcpA.ACK_LOST_PACKET, 'tcp.analysis.ack_lost_segment'],
  ['dup-ack', TcpA.DUPLICATE_ACK, 'tcp.analysis.duplicate_ack'],
  ['zero-window', TcpA.ZERO_WINDOW, 'tcp.analysis.zero_window'],
  ['zero-window-probe', TcpA.ZERO_WINDOW_PROBE, 'tcp.analysis.zero_window_probe'],
  ['window-update', TcpA.WINDOW_UPDATE, 'tcp.analysis.window_update'],
  ['window-full', TcpA.WINDOW_FULL, 'tcp.analysis.window_full'],
  ['keep-alive', TcpA.KEEP_ALIVE, 'tcp.analysis.keep_alive'],
  ['reused-port', TcpA.REUSED_PORTS, 'tcp.analysis.reused_ports'],
];
/** Wireshark display filter that shows each anomaly. */
export const ANOMALY_FILTER: Record<Anomaly, string> = {
  ...Object.fromEntries(ANOMALY_FLAGS.map(([n, , f]) => [n, f])) as Record<Anomaly, string>,
  sack: 'tcp.options.sack_le',
};

const RETRANSMISSIONS = TcpA.RETRANSMISSION | TcpA.FAST_RETRANSMISSION | TcpA.SPURIOUS_RETRANSMISSION;
/** The order anomalies are listed in. */
export const ANOMALY_ORDER: readonly Anomaly[] = [...ANOMALY_FLAGS.map(([n]) => n), 'sack'];

export class AnomalyCounter {
  readonly counts = new Map<Anomaly, number>();

  /**
   * One segment: its TcpA bits, whether it carries SACK blocks, and whether the receiver's
   * last window was zero.
   */
  observe(analysis: number, sack: boolean, peerWindowZero: boolean): void {
    if (sack) this.count('sack');
    if (!analysis) return;
    // Wireshark's tcp.analysis.retransmission matches fast and spurious retransmissions too.
    if (analysis & RETRANSMISSIONS) this.count('retransmission');
    for (const [name, bit] of ANOMALY_FLAGS) {
      if (!(analysis & bit) || bit === TcpA.RETRANSMISSION) continue;
      // Linux probes a zero window with a zero-length segment at SND.UNA−1, which Wireshark calls a
      // keep-alive; while the peer advertises a zero window it is a zero-window probe.
      if (bit === TcpA.KEEP_ALIVE && peerWindowZero) this.count('zero-window-probe');
      else this.count(name);
    }
  }

  private count(a: Anomaly): void { this.counts.set(a, (this.counts.get(a) ?? 0) + 1); }

  /** The anomalies seen, in ANOMALY_ORDER. */
  list(): Anomaly[] {
    return [...this.counts.keys()].sort((a, b) => ANOMALY_ORDER.indexOf(a) - ANOMALY_ORDER.indexOf(b));
  }

  record(): Partial<Record<Anomaly, number>> {
    return Object.fromEntries([...this.counts.entries()]) as Partial<Record<Anomaly, number>>;
  }
}
