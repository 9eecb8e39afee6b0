/**
 * The analysis labels of one packet as findings a person can act on: the label, the Wireshark
 * display filter that shows it, and why it fired, with the numbers the rule compared, in
 * English or Simplified Chinese (src/i18n/analysis.ts). Used by `read -V` and `explain`.
 */
import type { PacketRecord } from '../record.js';
import type { Lang } from '../i18n/meanings.js';
import { ANALYSIS_TEXTS } from '../i18n/analysis.js';
import { ANALYSIS_ORDER, type Severity } from './expert.js';
import { TcpA, type TcpInfo } from './types.js';
import type { AnalysisWhy } from './analysis.js';
import { TcpFlag } from '../decode/types.js';

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

/** A duration for people: milliseconds below one second, else seconds. */
export function humanDuration(ns: number): string {
  if (ns < 0) return `${ns / 1e6} ms`;
  if (ns < 1e9) return `${(ns / 1e6).toFixed(3)} ms`;
  return `${(ns / 1e9).toFixed(6)} s`;
}

function fill(template: string, params: Record<string, string | number | undefined>, none: string): string {
  return template.replace(/\{(\w+)\}/g, (_m, k: string) => {
    const v = params[k];
    return v === undefined ? none : String(v);
  });
}

const u32 = (n: number): number => n >>> 0;

/** The template key and parameters for one flag. */
function explain(bit: number, t: TcpInfo, w: AnalysisWhy | undefined, r: PacketRecord, texts: Record<string, string>): [string, Record<string, string | number | undefined>] {
  const l = r.packet.tcp!;
  if (bit === TcpA.REUSED_PORTS) {
    const syn = (l.flags & (TcpFlag.SYN | TcpFlag.ACK)) === TcpFlag.SYN;
    return [syn ? 'why.reused_ports.syn' : 'why.reused_ports.synack', { isn: l.seq, stream: t.stream }];
  }
  if (!w) return ['none', {}];
  const threshold = w.irttKnown ? fill(texts['threshold.irtt']!, { irtt: humanDuration(w.oooThresholdNs) }, '') : texts['threshold.default']!;
  const end = u32(w.seq + w.seglen);
  const common = {
    seq: w.seq, nextseq: w.nextseq, ack: w.ack, window: w.window, end,
    since: humanDuration(w.sinceNextseqNs), nextseqFrame: w.nextseqFrame, threshold,
  };
  switch (bit) {
    case TcpA.RETRANSMISSION:
      return ['why.retransmission', { ...common, dups: w.revDupacks, rtoFrame: t.an?.rtoFrame, rto: t.an?.rtoNs !== undefined ? humanDuration(t.an.rtoNs) : undefined }];
    case TcpA.FAST_RETRANSMISSION:
      return ['why.fast_retransmission', {
        ...common, dups: w.revDupacks, ackFrame: w.revAckFrame, dupFirst: w.revDupFirst, dupLast: w.revDupLast, sinceAck: humanDuration(w.sinceRevAckNs),
      }];
    case TcpA.SPURIOUS_RETRANSMISSION: return ['why.spurious_retransmission', { ...common, revAck: w.revLastack }];
    case TcpA.OUT_OF_ORDER: return ['why.out_of_order', common];
    case TcpA.LOST_PACKET: return ['why.lost_segment', { ...common, gap: w.nextseq === undefined ? undefined : u32(w.seq - w.nextseq) }];
    case TcpA.ACK_LOST_PACKET: return ['why.ack_lost_segment', { ...common, maxseq: w.revMaxseqtobeacked }];
    case TcpA.WINDOW_UPDATE: return ['why.window_update', { ...common, prevWindow: w.prevWindow, scale: 2 ** w.winShift }];
    case TcpA.WINDOW_FULL: {
      const bytes = w.revWindow === undefined ? undefined : w.revWindow * 2 ** w.revShift;
      return ['why.window_full', { ...common, revAck: w.revLastack, revWindowBytes: bytes, edge: w.revLastack !== undefined && bytes !== undefined ? u32(w.revLastack + bytes) : undefined }];
    }
    case TcpA.KEEP_ALIVE: return ['why.keep_alive', common];
    case TcpA.KEEP_ALIVE_ACK: return ['why.keep_alive_ack', { ...common, probeFrame: w.revLastFrame }];
    case TcpA.DUPLICATE_ACK: return ['why.duplicate_ack', { ...common, n: t.an?.dupAckNum, ackFrame: t.an?.dupAckFrame }];
    case TcpA.ZERO_WINDOW_PROBE: return ['why.zero_window_probe', common];
    case TcpA.ZERO_WINDOW: return ['why.zero_window', common];
    case TcpA.ZERO_WINDOW_PROBE_ACK: return ['why.zero_window_probe_ack', { ...common, probeFrame: w.revLastFrame }];
    default: return ['none', {}];
  }
}

/** The analysis findings of one packet, in the order Wireshark prints its flags (empty when none). */
export function analysisFindings(r: PacketRecord, lang: Lang): Finding[] {
  const t = r.tcp;
  if (!t || !t.analysis || !r.packet.tcp) return [];
  const texts = ANALYSIS_TEXTS[lang];
  const out: Finding[] = [];
  for (const e of ANALYSIS_ORDER) {
    if (!(t.analysis & e.bit)) continue;
    const [sev, field] = e.items[0]!;
    const name = field.slice('tcp.analysis.'.length);
    const [key, params] = explain(e.bit, t, t.an?.why, r, texts);
    out.push({
      field, severity: sev, title: texts[`title.${name}`] ?? name,
      label: e.label.replace('%f', String(t.an?.dupAckFrame ?? 0)).replace('%n', String(t.an?.dupAckNum ?? 0)),
      filter: `${field} && tcp.stream eq ${t.stream}`,
      why: fill(texts[key] ?? '', params, texts['none']!),
    });
  }
  return out;
}
