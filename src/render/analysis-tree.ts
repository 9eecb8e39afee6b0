/**
 * `read -V`: the `[SEQ/ACK analysis]` subtree of a TCP packet, laid out as tshark 4.0 lays it
 * out, plus (with meanings on) a `[Why: …]` line under each flag: the rule that fired and the
 * numbers it compared, in the chosen language (src/render/findings.ts).
 */
import type { PacketRecord } from '../record.js';
import type { Lang } from '../i18n/catalog.js';
import type { TreeNode } from './tree.js';
import { relTime } from '../core/format.js';
import { analysisFlags, type Severity } from '../tcp/expert.js';
import { analysisFindings } from './findings.js';
import { EXPERT_SUMMARIES } from './info-labels.js';
import { ANALYSIS_TEXTS } from '../i18n/analysis.js';

const SEVERITY_NAMES: Record<Severity, string> = { error: 'Error', warn: 'Warning', note: 'Note', chat: 'Chat' };

const expertNode = (sev: Severity, text: string, field?: string): TreeNode => ({
  label: `[Expert Info (${SEVERITY_NAMES[sev]}/Sequence): ${text}]`, field,
  children: [{ label: `[${text}]` }, { label: `[Severity level: ${SEVERITY_NAMES[sev]}]` }, { label: '[Group: Sequence]' }],
});

/** `[Conversation completeness: Complete, WITH_DATA (31)]`, with Wireshark 4.0's names. */
export function completenessText(v: number): string {
  let name = 'Incomplete';
  if ((v & 7) === 7 && (v & 48)) name = v & 8 ? 'Complete, WITH_DATA' : 'Complete, NO_DATA';
  else if (v === 1) name = 'Incomplete, SYN_SENT';
  else if (v === 3) name = 'Incomplete, CLIENT_ESTABLISHED';
  else if (v === 7) name = 'Incomplete, ESTABLISHED';
  else if (v === 15) name = 'Incomplete, DATA';
  return `[Conversation completeness: ${name} (${v})]`;
}

/** The `[SEQ/ACK analysis]` node, or undefined when tshark shows none for this packet. */
export function analysisNode(r: PacketRecord): TreeNode | undefined {
  const t = r.tcp;
  const a = t?.an;
  if (!t || !a) return undefined;
  const kids: TreeNode[] = [];
  const secs = (ns: number): string => `${relTime(0, ns)} seconds`;
  if (a.acksFrame) {
    kids.push({ label: `[This is an ACK to the segment in frame: ${a.acksFrame}]`, field: 'tcp.analysis.acks_frame' });
    if (a.ackRttNs) kids.push({ label: `[The RTT to ACK the segment was: ${secs(a.ackRttNs)}]`, field: 'tcp.analysis.ack_rtt' });
  }
  if (a.irttNs) kids.push({ label: `[iRTT: ${secs(a.irttNs)}]`, field: 'tcp.analysis.initial_rtt' });
  if (a.bytesInFlight) kids.push({ label: `[Bytes in flight: ${a.bytesInFlight}]`, field: 'tcp.analysis.bytes_in_flight' });
  if (a.pushBytesSent) kids.push({ label: `[Bytes sent since last PSH flag: ${a.pushBytesSent}]`, field: 'tcp.analysis.push_bytes_sent' });
  if (t.analysis) {
    const flags: TreeNode[] = [];
    for (const e of analysisFlags(t.analysis)) {
      const why: TreeNode = {
        label: '', diagram: true,
        localized: (lang: Lang) => `[${ANALYSIS_TEXTS[lang]['why']}: ${analysisFindings(r, lang).find((f) => f.field === e.items[0][1])?.why ?? ''}]`,
      };
      if (e.flag === 'DUPLICATE_ACK') { flags.push({ label: '[This is a TCP duplicate ack]', field: 'tcp.analysis.duplicate_ack', children: [why] }); continue; }
      for (const [i, [sev, field]] of e.items.entries()) {
        const node = expertNode(sev, EXPERT_SUMMARIES[field], field);
        if (i === 0) node.children!.push(why);
        flags.push(node);
      }
      if (e.flag === 'RETRANSMISSION' && a.rtoNs) {
        flags.push({ label: `[The RTO for this segment was: ${secs(a.rtoNs)}]`, field: 'tcp.analysis.rto' });
        flags.push({ label: `[RTO based on delta from frame: ${a.rtoFrame}]`, field: 'tcp.analysis.rto_frame' });
      }
    }
    kids.push({ label: '[TCP Analysis Flags]', field: 'tcp.analysis.flags', children: flags });
  }
  if (a.dupAckNum) {
    kids.push({ label: `[Duplicate ACK #: ${a.dupAckNum}]`, field: 'tcp.analysis.duplicate_ack_num' });
    kids.push({
      label: `[Duplicate to the ACK in frame: ${a.dupAckFrame}]`, field: 'tcp.analysis.duplicate_ack_frame',
      children: [expertNode('note', `Duplicate ACK (#${a.dupAckNum})`)],
    });
  }
  return { label: '[SEQ/ACK analysis]', field: 'tcp.analysis', children: kids };
}
