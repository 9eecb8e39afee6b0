/**
 * Why a packet got a `tcp.analysis.*` label: the rule Wireshark 4.0 applies, with the numbers
 * it compared filled in (`{name}` placeholders, see src/render/findings.ts). Shown by `read -V`
 * and `explain`. Three catalogues (src/i18n/catalog.ts): the flags' short names and their
 * why-texts, both keyed by the flag's name in `TcpA` (src/tcp/types.ts; the REUSED_PORTS
 * why-text is the SYN's, REUSED_PORTS_SYNACK the SYN/ACK's), and the words around them.
 * src/render/findings.ts checks at compile time that the flag keys are exactly TcpA's.
 */
import { defineCatalogue, type Messages } from './catalog.js';

/** Short names of the analysis flags. */
const titlesEn = {
  REUSED_PORTS: 'port numbers reused',
  RETRANSMISSION: 'retransmission',
  FAST_RETRANSMISSION: 'fast retransmission',
  SPURIOUS_RETRANSMISSION: 'spurious retransmission',
  OUT_OF_ORDER: 'out-of-order segment',
  LOST_PACKET: 'previous segment not captured',
  ACK_LOST_PACKET: 'ACKed unseen segment',
  WINDOW_UPDATE: 'window update',
  WINDOW_FULL: 'window full',
  KEEP_ALIVE: 'keep-alive',
  KEEP_ALIVE_ACK: 'keep-alive ACK',
  DUPLICATE_ACK: 'duplicate ACK',
  ZERO_WINDOW_PROBE: 'zero-window probe',
  ZERO_WINDOW: 'zero window',
  ZERO_WINDOW_PROBE_ACK: 'zero-window probe ACK',
} as const;
export type AnalysisTitleKey = keyof typeof titlesEn;

const titlesZh = {
  REUSED_PORTS: '端口复用',
  RETRANSMISSION: '重传',
  FAST_RETRANSMISSION: '快速重传',
  SPURIOUS_RETRANSMISSION: '虚假重传',
  OUT_OF_ORDER: '乱序报文段',
  LOST_PACKET: '前一个报文段未被抓到',
  ACK_LOST_PACKET: '确认了未抓到的报文段',
  WINDOW_UPDATE: '窗口更新',
  WINDOW_FULL: '窗口已满',
  KEEP_ALIVE: '保活探测',
  KEEP_ALIVE_ACK: '保活探测的确认',
  DUPLICATE_ACK: '重复确认',
  ZERO_WINDOW_PROBE: '零窗口探测',
  ZERO_WINDOW: '零窗口',
  ZERO_WINDOW_PROBE_ACK: '零窗口探测的确认',
} satisfies Messages<AnalysisTitleKey>;

export const ANALYSIS_TITLES = defineCatalogue<AnalysisTitleKey>({ en: titlesEn, 'zh-CN': titlesZh });

/** Why each flag fired, with the numbers the rule compared. */
const whyEn = {
  REUSED_PORTS: 'A SYN whose initial sequence number ({isn}, raw) differs from the one an earlier connection on the same addresses and ports started with: the ports were reused, so a new connection (tcp.stream {stream}) starts here.',
  REUSED_PORTS_SYNACK: 'A SYN/ACK whose sequence number differs from the SYN/ACK this side sent before on the same addresses and ports: its relative sequence numbers start again from here (Wireshark keeps the same tcp.stream).',
  RETRANSMISSION: 'Seq {seq} is below the next expected sequence number {nextseq} of this side: these bytes (or this SYN/FIN) were sent before. Not fast: that needs at least 2 duplicate ACKs from the peer asking for exactly seq {seq} within 20 ms (the peer has sent {dups}). Not out-of-order: {since} have passed since the highest segment (frame {nextseqFrame}), not less than {threshold}. The RTO is measured from the oldest unacknowledged segment, frame {rtoFrame}: {rto}.',
  FAST_RETRANSMISSION: 'Seq {seq} is below the next expected sequence number {nextseq}, and the peer asked for exactly this byte with {dups} duplicate ACKs (its ACK in frame {ackFrame}, duplicates in frames {dupFirst}–{dupLast}). The last of them came {sinceAck} before this segment, within the 20 ms window: a fast retransmission, sent on the duplicate ACKs rather than on a timeout.',
  SPURIOUS_RETRANSMISSION: 'Everything in this segment (seq {seq} up to {end}) had already been acknowledged: the peer\'s last ACK was {revAck}, and {end} ≤ {revAck}. The data was sent again although it had arrived (often a timer that fired too early, or an ACK lost before the sender).',
  OUT_OF_ORDER: 'Seq {seq} is below the next expected sequence number {nextseq}, but it came only {since} after the highest segment (frame {nextseqFrame}), less than {threshold}, and it is not a copy of that segment: it was most likely sent earlier and overtaken on the way (reordering) rather than retransmitted.',
  LOST_PACKET: 'Seq {seq} is beyond the next expected sequence number {nextseq}: the {gap} bytes in between were not captured (lost before the capture point, or the capture started in the middle of the connection).',
  ACK_LOST_PACKET: 'This ACK ({ack}) acknowledges more than the peer was seen to send: its data was captured only up to {maxseq}. Segments of the other direction are missing from the capture (the capture point did not see them).',
  WINDOW_UPDATE: 'No data, and the same seq {seq} and ack {ack} as this side\'s previous segment, but a different window: {prevWindow} → {window} (×{scale}). The receiver tells the sender that buffer space was freed.',
  WINDOW_FULL: 'This segment ends at {end}, exactly the right edge of the window the peer offered: its last ACK {revAck} + window {revWindowBytes} bytes = {edge}. The sender may send nothing more until the peer acknowledges data or opens its window.',
  KEEP_ALIVE: 'Zero or one byte at seq {seq}, one below the next expected sequence number {nextseq}, without SYN, FIN or RST: a keep-alive probe, which the peer must answer with an ACK. (Linux sends its zero-window probes the same way.)',
  KEEP_ALIVE_ACK: 'No data, and the same seq {seq}, ack {ack} and window {window} as this side\'s previous segment, right after the peer\'s keep-alive in frame {probeFrame}: the answer to it.',
  DUPLICATE_ACK: 'No data, and the same seq {seq}, ack {ack} and window {window} as this side\'s previous segment: duplicate ACK #{n} for byte {ack} (the ack number last changed in frame {ackFrame}). The receiver is still waiting for byte {ack}, usually because a segment was lost or reordered; the sender retransmits after 3 duplicates (RFC 5681).',
  ZERO_WINDOW_PROBE: 'One byte at exactly the next expected sequence number {seq} while the peer\'s window is 0: a zero-window probe, asking whether the receiver has made room.',
  ZERO_WINDOW: 'The window is 0: this side\'s receive buffer is full and the peer has to stop sending (it will send window probes until the window opens again).',
  ZERO_WINDOW_PROBE_ACK: 'Still a zero window, with the same seq {seq} and ack {ack} as before, right after the peer\'s zero-window probe in frame {probeFrame}: the answer that the window is still closed.',
} as const;
export type AnalysisWhyKey = keyof typeof whyEn;

const whyZh = {
  REUSED_PORTS: '这个 SYN 的初始序号（原始值 {isn}）与同一地址和端口上的旧连接不同：端口被复用了，从这里开始一条新连接（tcp.stream {stream}）。',
  REUSED_PORTS_SYNACK: '这个 SYN/ACK 的序号与本方向之前在同一地址和端口上发出的 SYN/ACK 不同：它的相对序号从这里重新开始（Wireshark 仍使用同一个 tcp.stream）。',
  RETRANSMISSION: '序号 {seq} 小于本方向期望的下一个序号 {nextseq}：这些字节（或这个 SYN/FIN）之前已经发送过。不是快速重传：那需要对方至少 2 个重复确认、正好请求序号 {seq}，且在 20 ms 之内（对方发了 {dups} 个）。不是乱序：距最高的报文段（第 {nextseqFrame} 帧）已过去 {since}，不小于{threshold}。RTO 从最早未被确认的报文段（第 {rtoFrame} 帧）算起：{rto}。',
  FAST_RETRANSMISSION: '序号 {seq} 小于期望的下一个序号 {nextseq}，而对方用 {dups} 个重复确认正好请求这个字节（确认在第 {ackFrame} 帧，重复确认在第 {dupFirst}–{dupLast} 帧）。最后一个在本报文段之前 {sinceAck} 到达，在 20 ms 的窗口之内：这是快速重传，由重复确认触发，而不是超时。',
  SPURIOUS_RETRANSMISSION: '这个报文段的全部内容（序号 {seq} 到 {end}）都已经被确认过：对方最后的确认号是 {revAck}，而 {end} ≤ {revAck}。数据已经到达却又被发送了一次（常见原因是定时器过早超时，或确认在到达发送方之前丢失）。',
  OUT_OF_ORDER: '序号 {seq} 小于期望的下一个序号 {nextseq}，但它在最高的报文段（第 {nextseqFrame} 帧）之后仅 {since} 就到达，小于{threshold}，并且不是那个报文段的副本：它很可能是更早发出、在路上被后面的报文段超过了（乱序），而不是重传。',
  LOST_PACKET: '序号 {seq} 大于期望的下一个序号 {nextseq}：中间的 {gap} 字节没有被抓到（在抓包点之前丢失，或抓包从连接中途开始）。',
  ACK_LOST_PACKET: '这个确认号（{ack}）确认的数据多于抓到的对方发送的数据：对方的数据只连续抓到 {maxseq}。另一个方向的报文段没有出现在抓包中（抓包点没有看到它们）。',
  WINDOW_UPDATE: '没有数据，序号 {seq} 和确认号 {ack} 与本方向上一个报文段相同，但窗口变了：{prevWindow} → {window}（×{scale}）。接收方告诉发送方缓冲区有了空间。',
  WINDOW_FULL: '这个报文段结束于 {end}，正好是对方提供的窗口的右边界：对方最后的确认号 {revAck} + 窗口 {revWindowBytes} 字节 = {edge}。在对方确认数据或扩大窗口之前，发送方不能再发送。',
  KEEP_ALIVE: '在序号 {seq}（比期望的下一个序号 {nextseq} 小 1）处发送 0 或 1 个字节，且没有 SYN、FIN、RST：这是保活探测，对方必须回复一个 ACK。（Linux 的零窗口探测也是这样发送的。）',
  KEEP_ALIVE_ACK: '没有数据，序号 {seq}、确认号 {ack} 和窗口 {window} 与本方向上一个报文段相同，紧跟在对方第 {probeFrame} 帧的保活探测之后：这是对它的回复。',
  DUPLICATE_ACK: '没有数据，序号 {seq}、确认号 {ack} 和窗口 {window} 与本方向上一个报文段相同：这是对字节 {ack} 的第 {n} 个重复确认（确认号最后一次变化在第 {ackFrame} 帧）。接收方仍在等待字节 {ack}，通常是因为有报文段丢失或乱序；发送方在收到 3 个重复确认后重传（RFC 5681）。',
  ZERO_WINDOW_PROBE: '在对方窗口为 0 时，正好在期望的下一个序号 {seq} 处发送 1 个字节：这是零窗口探测，询问接收方是否已腾出空间。',
  ZERO_WINDOW: '窗口为 0：本方的接收缓冲区已满，对方必须停止发送（它会发送窗口探测，直到窗口重新打开）。',
  ZERO_WINDOW_PROBE_ACK: '窗口仍为 0，序号 {seq} 和确认号 {ack} 与之前相同，紧跟在对方第 {probeFrame} 帧的零窗口探测之后：回复窗口仍然关闭。',
} satisfies Messages<AnalysisWhyKey>;

export const ANALYSIS_WHY = defineCatalogue<AnalysisWhyKey>({ en: whyEn, 'zh-CN': whyZh });

/** The words around the why-texts. */
const textsEn = {
  'why': 'Why',
  'threshold.irtt': 'the initial RTT ({irtt})',
  'threshold.default': '3 ms (the default: the initial RTT is not known)',
  'none': 'none',
} as const;
export type AnalysisTextKey = keyof typeof textsEn;

const textsZh = {
  'why': '原因',
  'threshold.irtt': '初始 RTT（{irtt}）',
  'threshold.default': '3 ms（默认值：初始 RTT 未知）',
  'none': '无',
} satisfies Messages<AnalysisTextKey>;

export const ANALYSIS_TEXTS = defineCatalogue<AnalysisTextKey>({ en: textsEn, 'zh-CN': textsZh });
