/**
 * The analysis labels of one packet as findings a person can act on: the label, the Wireshark
 * display filter that shows it, and why it fired, with the numbers the rule compared, in
 * English or Simplified Chinese (src/i18n/analysis.ts). Used by `read -V` and `explain`. The
 * flags and the numbers come from the analysis (src/tcp/); the sentences are built here.
 */
import type { PacketRecord } from '../record.js';
import type { Lang, Params } from '../i18n/catalog.js';
import { fill } from '../i18n/catalog.js';
import { ANALYSIS_TEXTS, ANALYSIS_TITLES, ANALYSIS_WHY, type AnalysisTitleKey, type AnalysisWhyKey } from '../i18n/analysis.js';
import { analysisFlags, type AnalysisFlag, type Severity } from '../tcp/expert.js';
import type { TcpInfo } from '../tcp/types.js';
import type { AnalysisWhy } from '../tcp/analysis.js';
import type { TcpLayer } from '../decode/types.js';
import { TcpFlag } from '../decode/types.js';
import { seqAdd, seqOffset } from '../core/seq.js';
import { infoLabel } from './info-labels.js';

export interface Finding {
  /** the flag's field, e.g. `tcp.analysis.fast_retransmission` */
  field: string;
  /** Wireshark's Info label, e.g. `[TCP Fast Retransmission]` */
  label: string;
  /** a short name in the chosen language */
  title: string;
  severity: Severity;
  /** a display filter that shows this kind of finding on this connection */
  filter: string;
  /** the rule that fired and the numbers it compared, in the chosen language */
  why: string;
}

/** Compile-time checks: the title catalogue has exactly one key per flag, the why catalogue one per flag plus the SYN/ACK case. */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const titlesMatchFlags: Same<AnalysisTitleKey, AnalysisFlag> = true;
const whyMatchesFlags: Same<Exclude<AnalysisWhyKey, 'REUSED_PORTS_SYNACK'>, AnalysisFlag> = true;
void titlesMatchFlags; void whyMatchesFlags;

/** A duration for people: milliseconds below one second, else seconds. */
export function humanDuration(ns: number): string {
  if (ns < 0) return `${ns / 1e6} ms`;
  if (ns < 1e9) return `${(ns / 1e6).toFixed(3)} ms`;
  return `${(ns / 1e9).toFixed(6)} s`;
}

/** What a why-text is built from: the packet's analysis, the numbers the rule compared, and the values every text shares. */
interface WhyContext { t: TcpInfo; l: TcpLayer; w: AnalysisWhy; common: Params }

type Explain = (c: WhyContext) => readonly [AnalysisWhyKey, Params];

/** For each flag, its why-text and the numbers that go in it. */
const EXPLAIN: Readonly<Record<Exclude<AnalysisFlag, 'REUSED_PORTS'>, Explain>> = {
  RETRANSMISSION: ({ t, w, common }) => ['RETRANSMISSION', {
    ...common, dups: w.revDupacks, rtoFrame: t.an?.rtoFrame, rto: t.an?.rtoNs !== undefined ? humanDuration(t.an.rtoNs) : undefined,
  }],
  FAST_RETRANSMISSION: ({ w, common }) => ['FAST_RETRANSMISSION', {
    ...common, dups: w.revDupacks, ackFrame: w.revAckFrame, dupFirst: w.revDupFirst, dupLast: w.revDupLast, sinceAck: humanDuration(w.sinceRevAckNs),
  }],
  SPURIOUS_RETRANSMISSION: ({ w, common }) => ['SPURIOUS_RETRANSMISSION', { ...common, revAck: w.revLastack }],
  OUT_OF_ORDER: ({ common }) => ['OUT_OF_ORDER', common],
  LOST_PACKET: ({ w, common }) => ['LOST_PACKET', { ...common, gap: w.nextseq === undefined ? undefined : seqOffset(w.nextseq, w.seq) }],
  ACK_LOST_PACKET: ({ w, common }) => ['ACK_LOST_PACKET', { ...common, maxseq: w.revMaxseqtobeacked }],
  WINDOW_UPDATE: ({ w, common }) => ['WINDOW_UPDATE', { ...common, prevWindow: w.prevWindow, scale: 2 ** w.winShift }],
  WINDOW_FULL: ({ w, common }) => {
    const bytes = w.revWindow === undefined ? undefined : w.revWindow * 2 ** w.revShift;
    return ['WINDOW_FULL', { ...common, revAck: w.revLastack, revWindowBytes: bytes, edge: w.revLastack !== undefined && bytes !== undefined ? seqAdd(w.revLastack, bytes) : undefined }];
  },
  KEEP_ALIVE: ({ common }) => ['KEEP_ALIVE', common],
  KEEP_ALIVE_ACK: ({ w, common }) => ['KEEP_ALIVE_ACK', { ...common, probeFrame: w.revLastFrame }],
  DUPLICATE_ACK: ({ t, common }) => ['DUPLICATE_ACK', { ...common, n: t.an?.dupAckNum, ackFrame: t.an?.dupAckFrame }],
  ZERO_WINDOW_PROBE: ({ common }) => ['ZERO_WINDOW_PROBE', common],
  ZERO_WINDOW: ({ common }) => ['ZERO_WINDOW', common],
  ZERO_WINDOW_PROBE_ACK: ({ w, common }) => ['ZERO_WINDOW_PROBE_ACK', { ...common, probeFrame: w.revLastFrame }],
};

/** Why `flag` fired on this packet, in `lang`. */
function why(flag: AnalysisFlag, t: TcpInfo, l: TcpLayer, lang: Lang): string {
  const none = ANALYSIS_TEXTS[lang]['none'];
  const say = ([key, params]: readonly [AnalysisWhyKey, Params]): string => fill(ANALYSIS_WHY[lang][key], params, none);
  if (flag === 'REUSED_PORTS') {
    const syn = (l.flags & (TcpFlag.SYN | TcpFlag.ACK)) === TcpFlag.SYN;
    return say([syn ? 'REUSED_PORTS' : 'REUSED_PORTS_SYNACK', { isn: l.seq, stream: t.stream }]);
  }
  const w = t.an?.why;
  if (!w) return none;
  const threshold = w.irttKnown
    ? fill(ANALYSIS_TEXTS[lang]['threshold.irtt'], { irtt: humanDuration(w.oooThresholdNs) }, '')
    : ANALYSIS_TEXTS[lang]['threshold.default'];
  const common: Params = {
    seq: w.seq, nextseq: w.nextseq, ack: w.ack, window: w.window, end: seqAdd(w.seq, w.seglen),
    since: humanDuration(w.sinceNextseqNs), nextseqFrame: w.nextseqFrame, threshold,
  };
  return say(EXPLAIN[flag]({ t, l, w, common }));
}

/** The analysis findings of one packet, in the order Wireshark prints its flags (empty when none). */
export function analysisFindings(r: PacketRecord, lang: Lang): Finding[] {
  const t = r.tcp, l = r.packet.tcp;
  if (!t || !l) return [];
  return analysisFlags(t.analysis).map((e) => {
    const [severity, field] = e.items[0];
    return {
      field, severity, title: ANALYSIS_TITLES[lang][e.flag], label: infoLabel(e.flag, t),
      filter: `${field} && tcp.stream eq ${t.stream}`,
      why: why(e.flag, t, l, lang),
    };
  });
}
