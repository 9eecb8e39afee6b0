/**
 * One-line meanings of header fields, shown beside each value in `read -V` so that a student
 * reads the header like the diagram in a textbook. Every key exists in every language; a
 * test fails otherwise.
 */
import { defineCatalogue, type Lang, type Messages } from './catalog.js';

export type { Lang } from './catalog.js';

const en = {
  'tcp.srcport': 'the sending application\'s port; with the IP addresses it names the connection',
  'tcp.dstport': 'the receiving application\'s port (80 for HTTP, 443 for HTTPS…)',
  'tcp.stream': 'tcpscope/Wireshark\'s index of this connection in the capture (not on the wire)',
  'tcp.len': 'bytes of application data in this segment (IP length − IP header − TCP header)',
  'tcp.seq': 'number of this segment\'s first byte, counted from the sender\'s ISN (SYN = 0)',
  'tcp.seq_raw': 'the sequence number as it is on the wire (starts at a random ISN)',
  'tcp.nxtseq': 'the sequence number the sender will use next: seq + len (+1 for SYN or FIN)',
  'tcp.ack': 'the next byte the sender expects from the peer: everything before it was received',
  'tcp.ack_raw': 'the acknowledgment number as it is on the wire',
  'tcp.hdr_len': 'TCP header size (data offset × 4): 20 bytes plus options',
  'tcp.flags': 'control bits that say what this segment does',
  'tcp.flags.res': 'reserved for future use, must be zero',
  'tcp.flags.ae': 'Accurate ECN (formerly the ECN nonce)',
  'tcp.flags.cwr': 'the sender reduced its congestion window after an ECN echo',
  'tcp.flags.ece': 'ECN echo: the network signalled congestion (on SYN: ECN capable)',
  'tcp.flags.urg': 'the urgent pointer field is valid',
  'tcp.flags.ack': 'the acknowledgment number is valid (set on every segment after the first SYN)',
  'tcp.flags.push': 'deliver the data to the application now, without waiting for more',
  'tcp.flags.reset': 'abort the connection at once (no orderly close)',
  'tcp.flags.syn': 'synchronise sequence numbers: opens a connection; consumes one sequence number',
  'tcp.flags.fin': 'the sender has no more data: closes its direction; consumes one sequence number',
  'tcp.window_size_value': 'receive window as sent: how many more bytes the sender can accept (before scaling)',
  'tcp.window_size': 'receive window after applying the scale factor negotiated in the handshake',
  'tcp.window_size_scalefactor': 'multiplier from the window-scale option (-1: handshake not seen, -2: not used)',
  'tcp.checksum': 'checksum over a pseudo-header, the TCP header and the data (not verified, as in Wireshark)',
  'tcp.urgent_pointer': 'offset of the end of urgent data (only meaningful with URG)',
  'tcp.options': 'optional header extensions negotiated or carried by this segment',
  'tcp.options.mss_val': 'maximum segment size: the largest payload the sender wants to receive',
  'tcp.options.wscale.shift': 'window scale: the sender\'s future windows are shifted left by this count',
  'tcp.options.sack_perm': 'the sender can receive selective acknowledgments (SACK)',
  'tcp.options.sack': 'blocks of data received beyond the acknowledgment number (selective ACK)',
  'tcp.options.timestamp.tsval': 'the sender\'s clock, used to measure RTT and protect against wrapped sequence numbers',
  'tcp.options.timestamp.tsecr': 'echo of the peer\'s most recent TSval',
  'tcp.time_relative': 'time since the first packet of this connection',
  'tcp.time_delta': 'time since the previous packet of this connection',
  'tcp.completeness': 'what this connection showed so far: SYN 1, SYN/ACK 2, ACK 4, data 8, FIN 16, RST 32',
  'tcp.analysis.acks_frame': 'the earlier segment this ACK acknowledges exactly',
  'tcp.analysis.ack_rtt': 'time from that segment to this ACK, as seen at the capture point',
  'tcp.analysis.initial_rtt': 'round-trip time of the handshake: from the SYN to the first ACK',
  'tcp.analysis.bytes_in_flight': 'data sent by this side and not yet acknowledged, after this segment',
  'tcp.analysis.push_bytes_sent': 'data sent by this side since its last segment with PSH',
  'ip.src': 'the sending host',
  'ip.dst': 'the receiving host',
  'ip.ttl': 'hops left before a router discards the packet',
  'ip.len': 'length of the IP packet: header plus payload',
  'ip.id': 'identifies the fragments of one datagram',
  'ip.flags.df': 'do not fragment: routers must drop rather than split this packet',
  'ip.proto': 'the protocol inside: 6 = TCP, 17 = UDP',
  'ipv6.src': 'the sending host',
  'ipv6.dst': 'the receiving host',
  'ipv6.nxt': 'the header that follows: 6 = TCP, 17 = UDP, or an extension header',
  'ipv6.hlim': 'hops left before a router discards the packet',
  'udp.srcport': 'the sending application\'s port',
  'udp.dstport': 'the receiving application\'s port',
  'udp.length': 'UDP header plus data, in bytes',
} as const;

/** The fields that have a meaning: keys of the catalogue, Wireshark's field names. */
export type MeaningKey = keyof typeof en;

const zhCN = {
  'tcp.srcport': '发送方应用程序的端口；与 IP 地址一起标识这条连接',
  'tcp.dstport': '接收方应用程序的端口（HTTP 为 80，HTTPS 为 443 等）',
  'tcp.stream': 'tcpscope/Wireshark 为本连接在抓包文件中编的序号（不在报文中）',
  'tcp.len': '本报文段携带的应用数据字节数（IP 总长 − IP 首部 − TCP 首部）',
  'tcp.seq': '本报文段第一个字节的序号，从发送方的初始序号（ISN）算起（SYN 为 0）',
  'tcp.seq_raw': '报文中实际的序号（从随机的初始序号开始）',
  'tcp.nxtseq': '发送方下一次使用的序号：seq + len（SYN 或 FIN 再加 1）',
  'tcp.ack': '发送方期望从对方收到的下一个字节序号：之前的数据都已收到',
  'tcp.ack_raw': '报文中实际的确认号',
  'tcp.hdr_len': 'TCP 首部长度（数据偏移 × 4）：20 字节加选项',
  'tcp.flags': '控制位，说明本报文段的作用',
  'tcp.flags.res': '保留位，必须为 0',
  'tcp.flags.ae': '精确 ECN（原 ECN nonce）',
  'tcp.flags.cwr': '发送方在收到 ECN 回显后已减小拥塞窗口',
  'tcp.flags.ece': 'ECN 回显：网络发出了拥塞信号（在 SYN 上表示支持 ECN）',
  'tcp.flags.urg': '紧急指针字段有效',
  'tcp.flags.ack': '确认号有效（第一个 SYN 之后的每个报文段都置位）',
  'tcp.flags.push': '立即把数据交给应用程序，不必等待更多数据',
  'tcp.flags.reset': '立即中止连接（非正常关闭）',
  'tcp.flags.syn': '同步序号：建立连接；占用一个序号',
  'tcp.flags.fin': '发送方已无数据要发：关闭本方向；占用一个序号',
  'tcp.window_size_value': '报文中的接收窗口：发送方还能接收多少字节（未乘缩放因子）',
  'tcp.window_size': '乘以握手时协商的窗口缩放因子后的接收窗口',
  'tcp.window_size_scalefactor': '窗口缩放选项给出的倍数（-1：未看到握手，-2：未使用缩放）',
  'tcp.checksum': '对伪首部、TCP 首部和数据计算的校验和（与 Wireshark 一样不做校验）',
  'tcp.urgent_pointer': '紧急数据结束处的偏移（仅在 URG 置位时有意义）',
  'tcp.options': '本报文段协商或携带的可选首部扩展',
  'tcp.options.mss_val': '最大报文段长度：发送方希望接收的最大载荷',
  'tcp.options.wscale.shift': '窗口缩放：发送方之后的窗口值左移这么多位',
  'tcp.options.sack_perm': '发送方可以接收选择性确认（SACK）',
  'tcp.options.sack': '已收到的、位于确认号之后的数据块（选择性确认）',
  'tcp.options.timestamp.tsval': '发送方的时钟，用于测量 RTT 和防止序号回绕',
  'tcp.options.timestamp.tsecr': '回显对方最近一次的 TSval',
  'tcp.time_relative': '距本连接第一个报文的时间',
  'tcp.time_delta': '距本连接上一个报文的时间',
  'tcp.completeness': '本连接到目前为止出现过的内容：SYN 1、SYN/ACK 2、ACK 4、数据 8、FIN 16、RST 32',
  'tcp.analysis.acks_frame': '这个 ACK 恰好确认的那个之前的报文段',
  'tcp.analysis.ack_rtt': '从那个报文段到这个 ACK 的时间（在抓包点测得）',
  'tcp.analysis.initial_rtt': '握手的往返时间：从 SYN 到第一个 ACK',
  'tcp.analysis.bytes_in_flight': '本报文段之后，本方已发送但尚未被确认的数据量',
  'tcp.analysis.push_bytes_sent': '本方自上一个带 PSH 的报文段以来发送的数据量',
  'ip.src': '发送主机',
  'ip.dst': '接收主机',
  'ip.ttl': '生存时间：还能经过多少跳路由器',
  'ip.len': 'IP 数据报总长度：首部加载荷',
  'ip.id': '标识同一数据报的各个分片',
  'ip.flags.df': '禁止分片：路由器只能丢弃而不能拆分此数据报',
  'ip.proto': '上层协议：6 = TCP，17 = UDP',
  'ipv6.src': '发送主机',
  'ipv6.dst': '接收主机',
  'ipv6.nxt': '后面跟着的首部：6 = TCP，17 = UDP，或扩展首部',
  'ipv6.hlim': '跳数限制：还能经过多少跳路由器',
  'udp.srcport': '发送方应用程序的端口',
  'udp.dstport': '接收方应用程序的端口',
  'udp.length': 'UDP 首部加数据的字节数',
} satisfies Messages<MeaningKey>;

export const FIELD_MEANINGS = defineCatalogue<MeaningKey>({ en, 'zh-CN': zhCN });

/** The meaning of a details-tree field in `lang`, or undefined when the field has none. */
export function fieldMeaning(lang: Lang, field: string): string | undefined {
  const texts: Messages<MeaningKey> = FIELD_MEANINGS[lang];
  return Object.hasOwn(texts, field) ? texts[field as MeaningKey] : undefined;
}

/** Lines of the details tree that are teaching aids (shown only with meanings on). */
export const DETAILS_TEXTS = defineCatalogue<'diagram'>({
  en: { 'diagram': '[Header diagram (RFC 9293, Figure 1)]' },
  'zh-CN': { 'diagram': '[首部示意图（RFC 9293 图 1）]' },
});

/**
 * The textbook name of a header field, shown in Chinese beside Wireshark's (English) name in
 * `read -V --lang zh-CN`, in front of the field's meaning. English shows Wireshark's name only
 * (the `en` texts are those names, for reference).
 */
const namesEn = {
  'ip.hdr_len': 'Header Length', 'ip.dsfield': 'Differentiated Services Field', 'ip.len': 'Total Length',
  'ip.id': 'Identification', 'ip.flags.df': 'Flags', 'ip.frag_offset': 'Fragment Offset', 'ip.ttl': 'Time to Live',
  'ip.proto': 'Protocol', 'ip.checksum': 'Header Checksum', 'ip.src': 'Source Address', 'ip.dst': 'Destination Address',
  'ipv6.nxt': 'Next Header', 'ipv6.hlim': 'Hop Limit', 'ipv6.src': 'Source Address', 'ipv6.dst': 'Destination Address',
  'tcp.srcport': 'Source Port', 'tcp.dstport': 'Destination Port', 'tcp.len': 'TCP Segment Len',
  'tcp.seq': 'Sequence Number', 'tcp.seq_raw': 'Sequence Number (raw)', 'tcp.nxtseq': 'Next Sequence Number',
  'tcp.ack': 'Acknowledgment Number', 'tcp.ack_raw': 'Acknowledgment number (raw)', 'tcp.hdr_len': 'Header Length',
  'tcp.flags': 'Flags', 'tcp.flags.res': 'Reserved', 'tcp.flags.ae': 'Accurate ECN', 'tcp.flags.cwr': 'Congestion Window Reduced',
  'tcp.flags.ece': 'ECN-Echo', 'tcp.flags.urg': 'Urgent', 'tcp.flags.ack': 'Acknowledgment', 'tcp.flags.push': 'Push',
  'tcp.flags.reset': 'Reset', 'tcp.flags.syn': 'Syn', 'tcp.flags.fin': 'Fin', 'tcp.window_size_value': 'Window',
  'tcp.window_size': 'Calculated window size', 'tcp.window_size_scalefactor': 'Window size scaling factor',
  'tcp.checksum': 'Checksum', 'tcp.urgent_pointer': 'Urgent Pointer', 'tcp.options': 'Options',
  'udp.srcport': 'Source Port', 'udp.dstport': 'Destination Port', 'udp.length': 'Length',
} as const;

export type FieldNameKey = keyof typeof namesEn;

const namesZh = {
  'ip.hdr_len': '首部长度', 'ip.dsfield': '区分服务', 'ip.len': '总长度',
  'ip.id': '标识', 'ip.flags.df': '标志', 'ip.frag_offset': '片偏移', 'ip.ttl': '生存时间',
  'ip.proto': '协议', 'ip.checksum': '首部校验和', 'ip.src': '源地址', 'ip.dst': '目的地址',
  'ipv6.nxt': '下一个首部', 'ipv6.hlim': '跳数限制', 'ipv6.src': '源地址', 'ipv6.dst': '目的地址',
  'tcp.srcport': '源端口', 'tcp.dstport': '目的端口', 'tcp.len': '数据长度',
  'tcp.seq': '序号', 'tcp.seq_raw': '序号（原始值）', 'tcp.nxtseq': '下一个序号',
  'tcp.ack': '确认号', 'tcp.ack_raw': '确认号（原始值）', 'tcp.hdr_len': '首部长度',
  'tcp.flags': '标志', 'tcp.flags.res': '保留', 'tcp.flags.ae': '精确 ECN', 'tcp.flags.cwr': '拥塞窗口减小 CWR',
  'tcp.flags.ece': 'ECN 回显 ECE', 'tcp.flags.urg': '紧急 URG', 'tcp.flags.ack': '确认 ACK', 'tcp.flags.push': '推送 PSH',
  'tcp.flags.reset': '复位 RST', 'tcp.flags.syn': '同步 SYN', 'tcp.flags.fin': '终止 FIN', 'tcp.window_size_value': '窗口',
  'tcp.window_size': '计算后的窗口', 'tcp.window_size_scalefactor': '窗口缩放因子',
  'tcp.checksum': '校验和', 'tcp.urgent_pointer': '紧急指针', 'tcp.options': '选项',
  'udp.srcport': '源端口', 'udp.dstport': '目的端口', 'udp.length': '长度',
} satisfies Messages<FieldNameKey>;

export const FIELD_NAMES = defineCatalogue<FieldNameKey>({ en: namesEn, 'zh-CN': namesZh });

/**
 * What goes after `← ` on a details line: in Chinese the field's textbook name, then its meaning
 * (not when the meaning already begins with it, e.g. 生存时间：…); in English the meaning only.
 */
export function fieldNote(lang: Lang, field: string): string | undefined {
  const m = fieldMeaning(lang, field);
  if (lang === 'en' || !Object.hasOwn(namesZh, field)) return m;
  const name = FIELD_NAMES[lang][field as FieldNameKey];
  if (!m) return name;
  const head = m.split('：')[0]!;
  if (head.length < m.length && (head.includes(name) || name.includes(head))) return m;
  // A meaning that has its own colon ("禁止分片：路由器…") gets a dash after the name, not a second colon.
  return m.includes('：') ? `${name}——${m}` : `${name}：${m}`;
}
