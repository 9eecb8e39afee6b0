/**
 * Per-connection anomaly counts from the analysis stage's flags (tcp.analysis.*) plus SACK
 * blocks, as the lifecycle summary lists them.
 */
import { ANALYSIS_FLAGS, EXTRA_ANOMALIES, TcpA, type Anomaly } from './vocab.js';

export type { Anomaly } from './vocab.js';

/** Anomaly names and the tcp.analysis flag and field each comes from (in the order they are listed): from ANALYSIS_FLAGS. */
export const ANOMALY_FLAGS: ReadonlyArray<[Anomaly, number, string]> = ANALYSIS_FLAGS.flatMap((r) =>
  r.anomaly === null ? [] : [[r.anomaly, r.bit, r.field] as [Anomaly, number, string]]);
/** Wireshark display filter that shows each anomaly. */
export const ANOMALY_FILTER: Readonly<Record<Anomaly, string>> = {
  ...Object.fromEntries(ANOMALY_FLAGS.map(([n, , f]) => [n, f])) as Record<Anomaly, string>,
  ...Object.fromEntries(EXTRA_ANOMALIES.map((e) => [e.anomaly, e.filter])) as Record<Anomaly, string>,
};

const RETRANSMISSIONS = TcpA.RETRANSMISSION | TcpA.FAST_RETRANSMISSION | TcpA.SPURIOUS_RETRANSMISSION;
/** The order anomalies are listed in. */
export const ANOMALY_ORDER: readonly Anomaly[] = [...ANOMALY_FLAGS.map(([n]) => n), ...EXTRA_ANOMALIES.map((e) => e.anomaly)];

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
