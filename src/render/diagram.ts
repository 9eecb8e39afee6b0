/**
 * The TCP header drawn as in RFC 9293's Figure 1, filled with this segment's values, so a
 * student can match the bytes on the wire to the textbook picture. Shown by `read -V`.
 */
import { optionCode, type TcpLayer } from '../decode/types.js';
import type { TcpInfo } from '../tcp/types.js';
import { hex } from '../core/format.js';

const W = 63; // characters between the outer bars: 32 bits × 2 − 1

function cell(text: string, width: number): string {
  if (text.length >= width) return text.slice(0, width);
  const left = Math.floor((width - text.length) / 2);
  return ' '.repeat(left) + text + ' '.repeat(width - text.length - left);
}

const row = (...cells: Array<[string, number]>): string => '|' + cells.map(([t, w]) => cell(t, w)).join('|') + '|';
const rule = (...widths: number[]): string => '+' + widths.map((w) => '-'.repeat(w)).join('+') + '+';

/** Lines of the diagram (without indentation). */
export function tcpHeaderDiagram(l: TcpLayer, t: TcpInfo | undefined): string[] {
  const bits = (mask: number): string => (l.flags & mask ? '1' : '0');
  const seq = t && !t.short ? `Sequence Number: ${t.seq} (raw ${l.seq})` : `Sequence Number: ${l.seq}`;
  const ack = t && !t.short && l.flags & 0x010 ? `Acknowledgment Number: ${t.ack} (raw ${l.ack})` : `Acknowledgment Number: ${l.ack}`;
  const optNames = l.options.map((o) => ({ 0: 'EOL', 1: 'NOP', 2: 'MSS', 3: 'WS', 4: 'SACK_PERM', 5: 'SACK', 8: 'TS' } as Record<number, string>)[optionCode(o)] ?? `kind ${optionCode(o)}`);
  const lines = [
    ' 0                   1                   2                   3',
    ' 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1',
    rule(31, 31),
    row([`Source Port: ${l.srcPort}`, 31], [`Destination Port: ${l.dstPort}`, 31]),
    rule(W),
    row([seq, W]),
    rule(W),
    row([ack, W]),
    rule(7, 7, 1, 1, 1, 1, 1, 1, 1, 1, 31),
    row([`Off ${l.hdrLen / 4}`, 7], [`Rsv ${(l.flags >> 8) & 0xf}`, 7], ['C', 1], ['E', 1], ['U', 1], ['A', 1], ['P', 1], ['R', 1], ['S', 1], ['F', 1], [`Window: ${l.window}`, 31]),
    row([`${l.hdrLen}B`, 7], ['', 7], [bits(0x80), 1], [bits(0x40), 1], [bits(0x20), 1], [bits(0x10), 1], [bits(0x08), 1], [bits(0x04), 1], [bits(0x02), 1], [bits(0x01), 1], [t && t.windowSize !== l.window ? `(×${t.scaleFactor} = ${t.windowSize})` : '', 31]),
    rule(7, 7, 1, 1, 1, 1, 1, 1, 1, 1, 31),
    row([`Checksum: ${hex(l.checksum, 4)}`, 31], [`Urgent Pointer: ${l.urgent}`, 31]),
    rule(31, 31),
  ];
  if (l.hdrLen > 20) lines.push(row([`Options (${l.hdrLen - 20} bytes): ${optNames.join(' ')}`, W]), rule(W));
  lines.push(row([`Data: ${l.len} byte${l.len === 1 ? '' : 's'}`, W]), rule(W));
  return lines;
}
