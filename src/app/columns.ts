/** Applying the application layer's column edits to the protocol and info columns. */
import type { AppRecord, ColumnOp } from './types.js';

export const SEGMENT_OF_PDU = '[TCP segment of a reassembled PDU]';

/**
 * Apply `ops` to an info text whose first `fence` characters are protected (tshark's
 * column fence: the TCP analysis labels stay in front of what a higher layer writes).
 */
export function applyColumnOps(text: string, fence: number, ops: readonly ColumnOp[]): string {
  let s = text;
  let f = Math.min(fence, text.length);
  for (const o of ops) {
    switch (o.op) {
      case 'set': s = s.slice(0, f) + o.text; break;
      case 'append': s += o.text; break;
      case 'appendSep': s += (s.length ? o.sep : '') + o.text; break;
      case 'clear': s = s.slice(0, f); break;
      case 'fence': f = s.length; break;
    }
  }
  return s;
}

/**
 * The protocol and info columns once the application layer has had its say. `tcpText` is
 * the TCP info as the TCP stage wrote it (analysis labels first, then `sport → dport [...`);
 * the labels are kept in front, as tshark's fence keeps them.
 */
export function appColumns(r: AppRecord, protocol: string, tcpText: string): { protocol: string; info: string } {
  const app = r.app;
  const l = r.packet.tcp;
  if (!app || !l) return { protocol, info: tcpText };
  const core = tcpText.indexOf(`${l.srcPort} \u2192 ${l.dstPort} [`);
  const fence = core > 0 ? core : 0;
  return { protocol: app.protocol ?? protocol, info: applyColumnOps(tcpText, fence, app.ops) };
}
