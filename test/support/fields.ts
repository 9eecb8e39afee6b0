/**
 * The fields the core differential compares with tshark (test/differential.test.ts), shared with
 * the encapsulation differential (test/support/encap.ts) so both compare the same list.
 */
export const CORE_FIELDS = [
  'frame.number', 'frame.time_relative', 'frame.time_delta', 'frame.time_epoch', 'frame.len', 'frame.cap_len',
  'eth.src', 'eth.dst', 'eth.type', 'vlan.id', 'sll.pkttype',
  'ip.src', 'ip.dst', 'ip.addr', 'ip.proto', 'ip.len', 'ip.id', 'ip.ttl', 'ip.flags.df',
  'ipv6.src', 'ipv6.dst', 'ipv6.addr', 'ipv6.nxt',
  'tcp.stream', 'tcp.srcport', 'tcp.dstport', 'tcp.port', 'tcp.seq', 'tcp.seq_raw', 'tcp.nxtseq', 'tcp.ack', 'tcp.ack_raw',
  'tcp.len', 'tcp.hdr_len', 'tcp.flags', 'tcp.flags.str', 'tcp.flags.syn', 'tcp.flags.ack', 'tcp.flags.fin', 'tcp.flags.reset',
  'tcp.flags.push', 'tcp.flags.urg', 'tcp.flags.ece', 'tcp.flags.cwr', 'tcp.window_size_value', 'tcp.window_size',
  'tcp.window_size_scalefactor', 'tcp.checksum', 'tcp.urgent_pointer', 'tcp.options.mss_val', 'tcp.options.wscale.shift',
  'tcp.options.wscale.multiplier', 'tcp.options.sack_perm', 'tcp.options.sack_le', 'tcp.options.sack_re',
  'tcp.options.timestamp.tsval', 'tcp.options.timestamp.tsecr', 'tcp.time_relative', 'tcp.time_delta',
  'udp.srcport', 'udp.dstport', 'udp.length',
];
