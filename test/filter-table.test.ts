/**
 * Display filters against tshark: every (filter, capture) row runs through
 * `tshark -n -r CAP -Y FILTER -T fields -e frame.number` and through tcpscope's filter over the
 * capture's records (what `read -Y` does, in this process: one tshark start per row is the cost
 * already); the selected frame numbers must be the same, and a filter tshark rejects must be
 * rejected too. The examples and some errors also run as
 * `tcpscope read CAP -Y FILTER -T fields -e frame.number` (errors: exit 1, one line with a column).
 *
 * PENDING rows use fields other engineers are adding (http.*, tls.*, tcp.analysis.*): they run
 * as soon as the registry knows every field they name, so the table grows by itself.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { CLI, needs, runTsharkAsync, SHARED } from './support/tshark.js';
import { compileFilter, FilterError } from '../src/filter/index.js';
import { tokenize } from '../src/filter/lexer.js';
import { analyze, lookupField, type PacketRecord } from '../src/index.js';

const C = {
  http: 'zeek_http_get.pcap',
  gzip: 'zeek_http_get-gzip.pcap',
  pad: 'zeek_tcp-http-with-padding.pcap',
  vlan: 'pcapplusplus_one_http_stream_rst.pcap',
  mpls: 'zeek_mixed-vlan-mpls.pcap',
  sll: 'tcpdump_tcp-handshake-nano.pcap',
  sll2: 'zeek_tls_openjdk-sll2.pcap',
  irc: 'zeek_tls_irc-starttls.pcap',
  null: 'zeek_tls_pop3-starttls.pcap',
  v6raw: 'pcapplusplus_four_ipv6_http_streams.pcap',
  ftp6: 'zeek_ftp_ipv6.pcap',
  wiki: 'zeek_wikipedia.pcap',
  nosyn: 'zeek_tcp_missing-syn.pcap',
  fast: 'zeek_tcp_retransmit-fast009.pcap',
  trunc: 'zeek_tcp_truncated-header.pcap',
  ctu: 'zeek_tcp_ctu-64702-888.pcap',
  maxseq: 'pcapplusplus_one_tcp_stream_max_seq.pcap',
  ifaces: 'pcapplusplus_many_interfaces-1.pcapng',
  multi: 'zeek_pcapng-multi-interface.pcapng',
  pptp: 'tcpdump_pptp.pcap',
  split: 'suricata_split-handshake-4whs.pcap',
  synrst: 'zeek_tcp_syn-then-rst.pcap',
  close4: 'scenarios/client-close-4way.pcap',
  finData: 'scenarios/fin-with-data.pcapng',
  halfClose: 'scenarios/half-close-data.pcapng',
  serverClose: 'scenarios/http-server-close.pcap',
  v6http: 'scenarios/ipv6-http.pcap',
  keepalive: 'scenarios/keepalive.pcapng',
  loss: 'scenarios/loss-retransmission.pcap',
  many: 'scenarios/many-short.pcap',
  reuse: 'scenarios/port-reuse.pcap',
  refused: 'scenarios/refused.pcap',
  reorder: 'scenarios/reorder.pcap',
  rst: 'scenarios/rst-abort.pcap',
  simClose: 'scenarios/simultaneous-close.pcap',
  simOpen: 'scenarios/simultaneous-open.pcapng',
  synTimeout: 'scenarios/syn-timeout.pcap',
  zeroWin: 'scenarios/zero-window.pcapng',
} as const;
type Cap = keyof typeof C;

/** [filter, capture]: tshark decides what is right. */
export const ROWS: Array<[string, Cap]> = [
  // the examples
  ['ip.addr==127.0.0.1 && tcp.flags.fin==1', 'serverClose'],
  ['ip.addr==127.0.0.1 && tcp.flags.fin==1', 'finData'],
  ['tcp.flags.syn==1 && tcp.flags.ack==0', 'http'],
  ['tcp.flags.syn==1 && tcp.flags.ack==0', 'many'],
  ['tcp.flags == 0x012', 'http'],
  ['tcp.flags == 0x012', 'simOpen'],
  ['ip.addr != 10.78.0.1', 'close4'],
  ['ip.addr != 10.78.0.1', 'wiki'],
  ['tcp.port in {80 443}', 'http'],
  ['tcp.port in {80, 443}', 'wiki'],
  ['tcp.len > 0', 'http'],
  ['tcp.len > 0', 'halfClose'],
  ['frame contains "GET"', 'http'],
  ['frame contains "GET"', 'v6raw'],
  ['tcp contains "HTTP"', 'http'],
  ['tcp contains "HTTP"', 'pad'],
  ['tcp.payload[0:4] == 47:45:54:20', 'http'],
  ['tcp.payload[0:4] == 47:45:54:20', 'wiki'],
  ['ip.addr == 10.0.0.0/8', 'close4'],
  ['ip.addr == 10.0.0.0/8', 'mpls'],
  ['tcp.stream eq 1', 'wiki'],
  ['tcp.stream eq 1', 'reuse'],
  ['!tcp', 'wiki'],
  ['!tcp', 'multi'],
  ['eth.src == 00:00:00:00:00:00', 'fast'],
  ['eth.src == 00:00:00:00:00:00', 'serverClose'],
  ['ipv6.addr == ::1', 'v6http'],
  ['ipv6.addr == ::1', 'ftp6'],
  ['tcp.window_size_scalefactor == -1', 'nosyn'],
  ['tcp.window_size_scalefactor == -1', 'ctu'],
  ['frame.time_relative > 1', 'wiki'],
  ['frame.time_relative > 1', 'keepalive'],
  ['vlan.id == 4093', 'mpls'],
  ['vlan', 'vlan'],
  ['vlan.id', 'mpls'],
  ['sll.pkttype == 4', 'sll'],
  ['sll.pkttype == 0', 'irc'],
  ['sll', 'sll2'],
  ['tcp.payload matches "(?i)get"', 'http'],
  ['tcp.payload matches "(?i)^http/1\\.[01] 200"', 'wiki'],
  // existence, logic, precedence
  ['tcp', 'multi'],
  ['udp', 'wiki'],
  ['ip', 'v6raw'],
  ['ipv6', 'wiki'],
  ['eth', 'null'],
  ['tcp.options.mss_val', 'http'],
  ['tcp.options.sack_le', 'gzip'],
  ['not tcp', 'ifaces'],
  ['!!tcp', 'ifaces'],
  ['not not udp', 'ifaces'],
  ['tcp and not ip', 'wiki'],
  ['tcp && tcp.len == 0 && tcp.flags.push == 0', 'gzip'],
  ['frame.number == 1 or frame.number == 2 and frame.number == 3', 'http'],
  ['frame.number == 3 and frame.number == 2 or frame.number == 1', 'http'],
  ['(frame.number == 1 or frame.number == 2) and tcp.flags.ack == 1', 'http'],
  ['not frame.number == 1 and not frame.number == 2', 'synrst'],
  ['tcp.flags.syn == 1 || tcp.flags.fin == 1 || tcp.flags.reset == 1', 'ctu'],
  ['tcp.flags.reset==1 or tcp.flags.fin==1', 'rst'],
  ['((tcp))', 'split'],
  ['udp or (tcp and tcp.srcport > 1024)', 'wiki'],
  // comparisons, English operators, integer forms
  ['tcp.srcport == 80', 'http'],
  ['tcp.srcport eq 80', 'gzip'],
  ['tcp.dstport ne 80', 'http'],
  ['tcp.len gt 1000', 'wiki'],
  ['tcp.len lt 10 and tcp.len ge 1', 'ftp6'],
  ['tcp.len le 0', 'split'],
  ['tcp.hdr_len >= 32', 'http'],
  ['tcp.hdr_len <= 20', 'pptp'],
  ['tcp.window_size_value < 1000', 'zeroWin'],
  ['tcp.window_size == 0', 'zeroWin'],
  ['tcp.port == 0x50', 'http'],
  ['tcp.port == 0120', 'http'],
  ['tcp.port == 0b1010000', 'http'],
  ["tcp.srcport == 'P'", 'http'],
  ["frame.len > '\\n'", 'synrst'],
  ['tcp.port == 08', 'http'],
  ['tcp.port == 1.5', 'http'],
  ['tcp.port == 99999', 'http'],
  ['tcp.port == 0x', 'http'],
  ['tcp.seq == 0', 'many'],
  ['tcp.seq == 1 && tcp.ack == 1', 'http'],
  ['tcp.seq_raw > 4294960000', 'maxseq'],
  ['tcp.ack_raw == 0', 'synTimeout'],
  ['tcp.nxtseq > 100000', 'loss'],
  ['tcp.seq > 4000000000', 'ctu'],
  ['frame.len == 60', 'pad'],
  ['frame.cap_len < frame.len', 'fast'],
  ['frame.cap_len < frame.len', 'trunc'],
  ['frame.interface_id == 1', 'ifaces'],
  ['frame.interface_id == 0', 'multi'],
  ['ip.ttl == 64', 'wiki'],
  ['ip.ttl < 64', 'mpls'],
  ['ip.flags.df == 1', 'http'],
  ['ip.flags.df == 0', 'pptp'],
  ['ip.id == 0', 'serverClose'],
  ['ip.proto == 17', 'wiki'],
  ['ip.len > 1000', 'wiki'],
  ['ip.dsfield.dscp == 0', 'gzip'],
  ['ipv6.nxt == 6', 'wiki'],
  ['ipv6.hlim == 64', 'ftp6'],
  ['ipv6.plen > 1000', 'v6raw'],
  ['ipv6.flow == 0', 'v6raw'],
  ['udp.port == 53', 'wiki'],
  ['udp.length > 100', 'multi'],
  ['udp.srcport == 53 || udp.dstport == 53', 'ifaces'],
  ['eth.type == 0x0800', 'wiki'],
  ['eth.type == 0x86dd', 'wiki'],
  ['mpls.label == 29', 'mpls'],
  ['null.family == 2', 'null'],
  ['tcp.options.wscale.shift == 7', 'many'],
  ['tcp.options.wscale.multiplier == 128', 'close4'],
  ['tcp.options.timestamp.tsval > 0', 'keepalive'],
  ['tcp.flags.str == "·······A··S·"', 'http'],
  ['tcp.flags.str contains "F"', 'simClose'],
  ['tcp.flags.str matches "R.*$"', 'rst'],
  ['tcp.flags.ece == 1 || tcp.flags.cwr == 1', 'mpls'],
  ['tcp.flags.syn == True', 'split'],
  ['tcp.flags.syn == FALSE', 'split'],
  ['tcp.flags.syn == 2', 'http'],
  ['tcp.flags.syn == true', 'http'],
  ['tcp.flags.syn > 0', 'simOpen'],
  ['tcp.urgent_pointer != 0', 'wiki'],
  // multi-valued fields
  ['ip.addr == 141.142.228.5', 'http'],
  ['ip.addr != 141.142.228.5', 'gzip'],
  ['ip.addr ~= 141.142.228.5', 'gzip'],
  ['ip.addr !== 141.142.228.5', 'http'],
  ['ip.addr any_ne 141.142.228.5', 'http'],
  ['ip.addr === 127.0.0.1', 'serverClose'],
  ['ip.addr all_eq 127.0.0.1', 'close4'],
  ['ip.addr all_ne 10.77.0.1', 'loss'],
  ['tcp.port == 80', 'wiki'],
  ['tcp.port != 80', 'wiki'],
  ['tcp.port === 80', 'http'],
  ['all tcp.port > 1024', 'many'],
  ['any tcp.port > 50000', 'many'],
  ['any ip.addr != 127.0.0.1', 'serverClose'],
  ['all ip.addr == 10.78.0.1', 'close4'],
  ['tcp.port == -1', 'http'],
  ['tcp.port != -1', 'http'],
  ['tcp.port === -1', 'http'],
  ['tcp.port ~= -1', 'http'],
  ['tcp.port > -1', 'http'],
  ['vlan.id != 5', 'mpls'],
  ['eth.addr == ff:ff:ff:ff:ff:ff', 'wiki'],
  ['eth.addr != ff:ff:ff:ff:ff:ff', 'wiki'],
  ['tcp.options.sack_le > 0 && tcp.options.sack_re > 1000', 'gzip'],
  // two fields
  ['tcp.srcport == tcp.dstport', 'pptp'],
  ['tcp.srcport > tcp.dstport', 'http'],
  ['ip.src == ip.dst', 'serverClose'],
  ['ip.src != ip.dst', 'http'],
  ['ip.addr == ip.src', 'http'],
  ['ip.addr != ip.src', 'http'],
  ['ip.addr !== ip.src', 'http'],
  ['tcp.seq == tcp.ack', 'keepalive'],
  ['tcp.window_size > tcp.window_size_value', 'many'],
  ['tcp.flags.syn == tcp.len', 'http'],
  ['tcp.srcport == frame.time_relative', 'http'],
  ['frame.time_relative == frame.time_delta', 'http'],
  // sets and ranges
  ['tcp.port in {80, 443, 8000..8080}', 'many'],
  ['tcp.port in {80..79}', 'http'],
  ['tcp.port in {21, 20}', 'ftp6'],
  ['tcp.port not in {80, 443}', 'wiki'],
  ['vlan.id not in {1}', 'http'],
  ['frame.number in {1..3, 5}', 'http'],
  ['frame.number in {1 ..3}', 'http'],
  ['frame.number in {1..3 5}', 'http'],
  ['ip.addr in {141.142.0.0/16}', 'wiki'],
  ['ip.addr in {1.0.0.0 .. 100.0.0.0}', 'mpls'],
  ['ipv6.addr in {::1, 2001:470:1f11:81f:c999:d94:aa7c:2e3e}', 'ftp6'],
  ['tcp.flags.str in {"··········S·", "·······A··S·"}', 'many'],
  ['frame.time_delta in {0 .. 0.0001}', 'http'],
  ['tcp.srcport in {80, tcp.dstport}', 'http'],
  ['tcp.srcport in {80 .. tcp.dstport}', 'http'],
  ['tcp.port in {}', 'http'],
  ['tcp.port in {80, 443,}', 'http'],
  ['tcp.payload[0:1] in {47, 48}', 'http'],
  ['len(tcp.payload) in {6, 1448}', 'http'],
  // addresses
  ['ip.src == 192.150.187.0/24', 'http'],
  ['ip.src == 192.150.187.43/32', 'http'],
  ['ip.addr == 0.0.0.0/0', 'wiki'],
  ['ip.dst == 224.0.0.0/4', 'ifaces'],
  ['ip.src > 140.0.0.0', 'http'],
  ['ip.src > 192.150.187.0/24', 'http'],
  ['ip.src <= 10.1.2.1', 'mpls'],
  ['ip.src == 192.150.187.43/33', 'http'],
  ['ip.addr == "foo"', 'http'],
  ['ip.src == 3233864491', 'http'],
  ['ip.dst == 2001:470:4867:99::21', 'ftp6'],
  ['ipv6.addr == 2001:618:400::/48', 'v6raw'],
  ['ipv6.src == 2001:618:1:8000::5', 'v6raw'],
  ['ipv6.dst == 2001:638:902:1:202:b3ff:feee:5dc2', 'v6raw'],
  ['ipv6.addr == fe80::/10', 'wiki'],
  ['ipv6.src < ipv6.dst', 'ftp6'],
  ['eth.dst == c8:bc:c8:96:d2:a0', 'http'],
  ['eth.dst == c8-bc-c8-96-d2-a0', 'http'],
  ['eth.dst == c8bc.c896.d2a0', 'http'],
  ['eth.dst == C8:BC:C8:96:D2:A0', 'http'],
  ['eth.dst == c8bcc896d2a0', 'http'],
  ['eth.src == 00:00:00', 'http'],
  ['eth.src > 00:00:00:00:00:00', 'serverClose'],
  ['eth.src contains 00', 'http'],
  ['eth.src[0:3] == 00:10:db', 'http'],
  ['eth.addr[0] & 1', 'wiki'],
  // bytes, strings, contains, slices
  ['tcp.payload contains "Accept" && tcp.payload contains "Host"', 'http'],
  ['tcp.payload contains 47.45.54', 'http'],
  ['tcp.payload contains 47:45:54', 'http'],
  ['tcp.payload contains 0x47', 'http'],
  ['tcp.payload contains 0x4745', 'http'],
  ['tcp.payload contains GET', 'http'],
  ['tcp.payload contains "\\r\\n\\r\\n"', 'http'],
  ['tcp.payload contains "\\015\\012"', 'http'],
  ['tcp.payload contains "\\x47ET"', 'wiki'],
  ['tcp.payload contains r"\\r\\n"', 'http'],
  ['tcp.payload contains "\\q"', 'http'],
  ['tcp.payload contains "abc', 'http'],
  ['tcp.payload contains "\\400"', 'http'],
  ['tcp.payload contains "\\u0047ET"', 'http'],
  ['tcp.payload contains tcp.payload', 'http'],
  ['frame contains tcp.payload', 'http'],
  ['tcp.payload == "GET"', 'http'],
  ['tcp.payload[0:3] == "GET"', 'ftp6'],
  ['tcp.payload[0:2] == 4745', 'http'],
  ['tcp.payload[0:2] == 47-45', 'http'],
  ['tcp.payload[0:2] > "GA"', 'http'],
  ['tcp.payload[0:2] > 47:41', 'http'],
  ['tcp.payload[0] == 0x47', 'http'],
  ['tcp.payload[0] == 71', 'http'],
  ['tcp.payload[-2:] == 0d:0a', 'http'],
  ['tcp.payload[-2:2] == 0d:0a', 'wiki'],
  ['tcp.payload[1-2] == 45:54', 'http'],
  ['tcp.payload[:2] == 47:45', 'http'],
  ['tcp.payload[0,2] == 47:54', 'http'],
  ['tcp.payload[0:2,4] == 47:45:20', 'wiki'],
  ['tcp.payload[-4--1] == 0d:0a:0d:0a', 'http'],
  ['tcp.payload[2:] contains "T /"', 'http'],
  ['tcp.payload[1000:2]', 'http'],
  ['tcp.payload[-1000:]', 'http'],
  ['tcp.payload[0:0]', 'http'],
  ['tcp.payload[1:-1]', 'http'],
  ['tcp.payload[3-1]', 'http'],
  ['tcp.payload[-3:10] == 00', 'http'],
  ['tcp.srcport[0:1] == 00', 'http'],
  ['frame[0:2]', 'http'],
  ['frame[12:2] == 08:00', 'wiki'],
  ['frame[0] == 0', 'http'],
  ['ip[0:1] == 45', 'wiki'],
  ['ip[9] == 06', 'mpls'],
  ['ip[20:2] == 04:0b', 'http'],
  ['eth[12:2] == 86:dd', 'wiki'],
  ['eth[14:1] == 45', 'http'],
  ['tcp[13] & 0x02', 'http'],
  ['tcp[13] == 0x12', 'many'],
  ['tcp[32:3] == "GET"', 'http'],
  ['ip.src[0] == c0', 'http'],
  ['ipv6.src[0:2] == 20:01', 'v6raw'],
  ['udp[0:2] == 00:35', 'wiki'],
  ['ip contains "GET"', 'http'],
  ['eth contains "GET"', 'http'],
  ['udp contains "wikipedia"', 'wiki'],
  ['ipv6 contains "GET"', 'v6raw'],
  ['tcp contains 00:00:00:00:00:00', 'pad'],
  ['frame contains 00:00:00:00:00:00', 'pad'],
  ['sll contains "HTTP"', 'sll'],
  ['tcp.options contains 01:01', 'http'],
  ['tcp.options.sack_perm', 'many'],
  ['tcp.flags.str contains S', 'http'],
  ['tcp.flags.str == S', 'http'],
  ["tcp.flags.str contains 'S'", 'http'],
  ['tcp.flags.str > "a"', 'http'],
  ['tcp > 00', 'http'],
  // matches
  ['tcp.payload matches "get"', 'http'],
  ['tcp.payload matches "^get"', 'http'],
  ['tcp.payload matches "(?-i)^get"', 'http'],
  ['tcp.payload matches "(?-i)GET"', 'http'],
  ['tcp.payload ~ "^GET /"', 'http'],
  ['frame matches "G.T"', 'http'],
  ['frame matches "\\\\x47ET"', 'http'],
  ['frame matches "\\\\AGET"', 'http'],
  ['tcp.payload matches "^GET.*\\r\\n"', 'http'],
  ['tcp.payload matches "(?s)^GET.*Accept"', 'http'],
  ['tcp.payload matches "^Host"', 'http'],
  ['tcp.payload matches "(?m)^Host"', 'http'],
  ['tcp.payload matches "(?m)^host: [a-z.]+\\r$"', 'http'],
  ['tcp.payload matches "Host$"', 'http'],
  ['tcp.payload matches "[[:digit:]]{3}"', 'http'],
  ['tcp.payload matches "\\\\d{3} OK"', 'http'],
  ['tcp.payload matches "(?<n>OK)"', 'http'],
  ['tcp.payload matches "a{,3}"', 'http'],
  ['tcp.payload matches "\\\\x{47}ET"', 'http'],
  ['tcp.payload matches "\\\\QG\\\\E"', 'http'],
  ['tcp.payload matches "("', 'http'],
  ['tcp.payload matches GET', 'http'],
  ['tcp.payload matches "\\\\xff"', 'sll2'],
  ['tcp.payload matches "\\\\xe0"', 'sll2'],
  ['tcp.payload matches "[\\\\x80-\\\\xff]"', 'sll2'],
  ['tcp.payload matches "^\\\\x16\\\\x03.\\\\x00"', 'sll2'],
  ['tcp.payload matches "\\\\xc3\\\\xbf"', 'sll2'],
  ['tcp.payload matches "user|pass"', 'null'],
  ['tcp.payload matches "^\\\\+OK"', 'null'],
  ['tcp.payload matches "starttls"', 'irc'],
  ['tcp.payload matches "\\\\s\\\\S+\\\\.org"', 'wiki'],
  ['tcp.payload matches "[^\\\\x00-\\\\x7f]{4}"', 'wiki'],
  ['ip.src matches "192"', 'http'],
  ['tcp.srcport matches "80"', 'http'],
  ['frame matches "wiki(pedia|media)\\\\.org"', 'wiki'],
  // functions and arithmetic
  ['len(tcp.payload) > 3', 'http'],
  ['len(tcp.payload) & 1', 'http'],
  ['len(ip.src) == 4', 'http'],
  ['len(eth.src) == 6', 'http'],
  ['len(tcp.payload)', 'http'],
  ['count(ip.addr) == 2', 'wiki'],
  ['count(tcp.options.sack_le) == 2', 'gzip'],
  ['count(vlan.id) == 0', 'http'],
  ['count(vlan.id) == 2', 'mpls'],
  ['upper(tcp.flags.str) contains "S"', 'http'],
  ['lower(tcp.flags.str) contains "s"', 'http'],
  ['upper(tcp.payload) contains "GET"', 'http'],
  ['string(tcp.srcport) matches "^80$"', 'http'],
  ['string(frame.number) matches "[13579]$"', 'http'],
  ['string(tcp.flags) == "18"', 'http'],
  ['string(ip.src) == "192.150.187.43"', 'http'],
  ['string(eth.src) contains ":"', 'http'],
  ['string(tcp.window_size_scalefactor) == "128"', 'http'],
  ['string(frame.time_relative) contains "."', 'http'],
  ['max(tcp.srcport, 100) == 100', 'http'],
  ['max(tcp.srcport, tcp.dstport) == 80', 'http'],
  ['min(tcp.port) == 80', 'http'],
  ['abs(tcp.window_size_scalefactor) == 1', 'nosyn'],
  ['max(udp.srcport, 0) == 0', 'wiki'],
  ['min(tcp.srcport, udp.srcport) < 100', 'wiki'],
  ['tcp.srcport + 1 == 81', 'http'],
  ['tcp.srcport+1 == 81', 'http'],
  ['tcp.srcport -1 == 79', 'http'],
  ['tcp.srcport - 81 == -1', 'http'],
  ['tcp.srcport - 80', 'http'],
  ['tcp.srcport * 2 == 160', 'http'],
  ['tcp.len / 2 == 724', 'http'],
  ['tcp.len/2 == 724', 'http'],
  ['tcp.len / 3 == 482', 'http'],
  ['tcp.srcport % 7 == 3', 'http'],
  ['tcp.len / 0', 'http'],
  ['-tcp.srcport == -80', 'http'],
  ['tcp.dstport >= 4 * {tcp.srcport + 3}', 'http'],
  ['tcp.srcport == 80 - 0', 'http'],
  ['tcp.srcport == 4 * 20', 'http'],
  ['tcp.srcport & 0xff + 1 == 81', 'http'],
  ['tcp.srcport + 1 & 0xff == 81', 'http'],
  ['tcp.flags & 0x02', 'http'],
  ['tcp.flags & 0x02 == 0x02', 'many'],
  ['tcp.flags bitwise_and 0x11', 'simClose'],
  ['tcp.len & 1 == 1', 'http'],
  ['tcp.payload[0:2] & 40:00', 'http'],
  ['tcp.payload & 40', 'http'],
  ['eth.src & 00:00:00:00:00:ff == 00:00:00:00:00:ef', 'http'],
  ['tcp.flags.syn & 1', 'http'],
  ['tcp.flags.syn + 1 == 2', 'http'],
  ['tcp.port + 1 == 1036', 'http'],
  ['tcp.port + tcp.port == 1115', 'http'],
  ['ip.addr & 255.255.0.0 == 141.142.0.0', 'http'],
  ['tcp.nxtseq - tcp.seq == tcp.len', 'wiki'],
  ['frame.time_relative - frame.time_delta > 0', 'http'],
  ['frame.time_relative + 1 > 2', 'wiki'],
  ['tcp.srcport * 1.5 == 120', 'http'],
  ['1 + tcp.srcport == 81', 'http'],
  ['tcp.srcport - 81 > 100000', 'http'],
  ['ip.src + 1 == 1.2.3.4', 'http'],
  ['frame.time_delta * 2 > 0.1', 'http'],
  ['count(vlan.id)', 'http'],
  // times
  ['frame.time_relative > 0.06', 'http'],
  ['frame.time_relative >= 0.0', 'http'],
  ['frame.time_relative == 0', 'http'],
  ['frame.time_relative in {0.0..0.07}', 'http'],
  ['frame.time_delta < 0.0001', 'http'],
  ['frame.time_delta > 0.5', 'synTimeout'],
  ['tcp.time_relative > 0.1', 'wiki'],
  ['tcp.time_delta > 0.01', 'mpls'],
  ['frame.time_epoch > 1262304000', 'http'],
  ['frame.time_epoch < 1262304000', 'wiki'],
  ['frame.time_relative == "0.06"', 'http'],
  ['frame.time_relative > 1s', 'http'],
  // syntax errors tshark rejects too
  ['tcp.flags.sin', 'http'],
  ['tcp.flags.sin == 1', 'http'],
  ['Tcp', 'http'],
  ['tcp.port = 80', 'http'],
  ['tcp.port == 80 )', 'http'],
  ['(tcp.port == 80', 'http'],
  ['tcp.port == 80 &&', 'http'],
  ['tcp.port == 80 80', 'http'],
  ['tcp AND ip', 'http'],
  ['tcp.port EQ 80', 'http'],
  ['1 == tcp.port', 'http'],
  ['()', 'http'],
  ['tcp.port == (80)', 'http'],
  ['frame.number == 1..3', 'http'],
  ['tcp.port == 80abc', 'http'],
  ['tcp.port == 80-0', 'http'],
  ['ip.src contains c0', 'http'],
  ['tcp.flags contains 12', 'http'],
  ["tcp.srcport == 'PP'", 'http'],
  ["tcp.srcport == ''", 'http'],
  ['tcp.window_size_scalefactor == 0xffffffff', 'http'],
  ['frame.number == 4294967296', 'http'],
  ['tcp.hdr_len == 256', 'http'],
  ['ip.flags == 0x100', 'http'],
  ['', 'http'],
];

/** Rows that need fields tcpscope does not have yet (HTTP, TLS, TCP analysis): run once they exist. */
export const PENDING: Array<[string, Cap]> = [
  ['mpls', 'mpls'],
  ['null', 'ifaces'],
  ['http', 'http'],
  ['http.request', 'wiki'],
  ['http.response', 'gzip'],
  ['http.request.method == "GET"', 'http'],
  ['http.request.method in {"GET", "HEAD"}', 'wiki'],
  ['http.response.code == 200', 'wiki'],
  ['http.response.code >= 300', 'wiki'],
  ['http.host contains "wikipedia"', 'wiki'],
  ['http.host == "www.bro-ids.org"', 'http'],
  ['http.request.uri matches "\\\\.(js|css)$"', 'wiki'],
  ['http contains "HTTP/1.1"', 'v6raw'],
  ['http contains "bro-ids"', 'http'],
  ['upper(http.host) contains "WIKI"', 'wiki'],
  ['http.user_agent matches "(?i)mozilla"', 'wiki'],
  ['http.content_type contains "text"', 'gzip'],
  ['http.content_type[0:4] == "text"', 'wiki'],
  ['tls', 'sll2'],
  ['tls.handshake.type == 1', 'sll2'],
  ['tls.handshake.extensions_server_name contains "zeek"', 'sll2'],
  ['tls.handshake.extensions_server_name', 'ifaces'],
  ['tls.record.content_type == 22', 'irc'],
  ['tcp.analysis.retransmission', 'loss'],
  ['tcp.analysis.retransmission', 'fast'],
  ['tcp.analysis.fast_retransmission', 'fast'],
  ['tcp.analysis.duplicate_ack', 'gzip'],
  ['tcp.analysis.duplicate_ack_num >= 2', 'loss'],
  ['tcp.analysis.out_of_order', 'reorder'],
  ['tcp.analysis.lost_segment', 'ctu'],
  ['tcp.analysis.ack_lost_segment', 'ctu'],
  ['tcp.analysis.zero_window', 'zeroWin'],
  ['tcp.analysis.window_full', 'zeroWin'],
  ['tcp.analysis.zero_window_probe || tcp.analysis.zero_window_probe_ack', 'zeroWin'],
  ['tcp.analysis.keep_alive', 'keepalive'],
  ['tcp.analysis.keep_alive_ack', 'keepalive'],
  ['tcp.analysis.window_update', 'many'],
  ['tcp.analysis.reused_ports', 'reuse'],
  ['tcp.analysis.spurious_retransmission', 'ctu'],
  ['tcp.analysis.flags && !tcp.analysis.window_update', 'loss'],
  ['tcp.analysis.bytes_in_flight > 10000', 'loss'],
  ['tcp.analysis.ack_rtt > 0.001', 'wiki'],
  ['tcp.analysis.initial_rtt < 0.1', 'http'],
  ['tcp.analysis.acks_frame == 4', 'http'],
  ['tcp.stream eq 0 && tcp.analysis.retransmission', 'loss'],
  ['tcp.completeness == 31', 'close4'],
  ['tcp.connection.syn', 'many'],
  ['tcp.connection.fin', 'simClose'],
];

/** The issue's own examples and a few errors also go through the command line (`read -Y`). */
const CLI_ROWS = new Set(ROWS.slice(0, 40).map(([f, c]) => `${c}\t${f}`));
for (const f of ['tcp.port in {80 443}', 'tcp.flags.sin == 1', 'tcp.port = 80', '(tcp.port == 80', 'ip.addr == "foo"', 'tcp.port == 99999']) CLI_ROWS.add(`http\t${f}`);

interface Outcome { ok: boolean; lines: string[]; stderr: string; status: number }

/** tshark through the shared cache of runs (test/support/tshark-cache.ts). */
async function tshark(args: string[]): Promise<Outcome> {
  const r = await runTsharkAsync(args);
  return { ok: r.status === 0, status: r.status, stderr: r.stderr, lines: r.stdout.split('\n').filter(Boolean) };
}

function run(cmd: string, args: string[]): Promise<Outcome> {
  return new Promise((resolve) => {
    const p = spawn(cmd, args, { env: { ...process.env, LANG: 'C' } });
    let out = '', err = '';
    p.stdout.setEncoding('utf8').on('data', (d: string) => { out += d; });
    p.stderr.setEncoding('utf8').on('data', (d: string) => { err += d; });
    p.on('close', (code) => resolve({ ok: code === 0, status: code ?? -1, stderr: err, lines: out.split('\n').filter(Boolean) }));
  });
}

async function pool<T, R>(items: T[], n: number, f: (x: T) => Promise<R>): Promise<R[]> {
  const res: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(Array.from({ length: n }, async () => {
    while (next < items.length) { const i = next++; res[i] = await f(items[i]!); }
  }));
  return res;
}

/** Field names in a filter that the registry does not know (yet). */
function missingFields(filter: string): string[] {
  let toks;
  try { toks = tokenize(filter); } catch { return []; }
  return toks.filter((t, i) => t.kind === 'word' && /^[a-z][a-z0-9_-]*(\.[a-z0-9_-]+)*$/.test(t.text) && !lookupField(t.text)
    && !(toks[i + 1]?.kind === 'op' && (toks[i + 1] as { op: string }).op === '(')).map((t) => t.text);
}

const records = new Map<Cap, PacketRecord[]>();
async function recordsOf(cap: Cap): Promise<PacketRecord[]> {
  let r = records.get(cap);
  if (!r) {
    r = [];
    for await (const rec of analyze(new Uint8Array(readFileSync(join(SHARED, C[cap]))))) r.push(rec);
    records.set(cap, r);
  }
  return r;
}

/** What `read -Y` selects, computed in this process (the same Dissector and filter as the command). */
async function ours(filter: string, cap: Cap): Promise<{ ok: true; lines: string[] } | { ok: false; error: string }> {
  let f;
  try { f = compileFilter(filter); } catch (e) {
    if (e instanceof FilterError) return { ok: false, error: `column ${e.column}: ${e.message}` };
    throw e;
  }
  return { ok: true, lines: (await recordsOf(cap)).filter((r) => f.matches(r)).map((r) => String(r.packet.frame.number)) };
}

test('display filters select the same frames as tshark -Y', { skip: needs({ tshark: true }) }, async () => {
  const pendingReady = PENDING.filter(([f]) => missingFields(f).length === 0);
  const pendingWaiting = PENDING.filter(([f]) => missingFields(f).length > 0);
  const rows = [...ROWS, ...pendingReady];
  assert.ok(ROWS.length >= 150, `the table has ${ROWS.length} rows`);
  const results = await pool(rows, Math.max(2, cpus().length), async ([filter, cap]) => {
    const args = ['-r', join(SHARED, C[cap]), '-Y', filter, '-T', 'fields', '-e', 'frame.number'];
    const viaCli = CLI_ROWS.has(`${cap}\t${filter}`);
    const [ts, us, cli] = await Promise.all([
      tshark(['-n', ...args]), ours(filter, cap), viaCli ? run(process.execPath, [CLI, 'read', ...args]) : undefined,
    ]);
    return { filter, cap, ts, us, cli };
  });
  const diffs: string[] = [];
  let rejected = 0, cliRows = 0;
  for (const { filter, cap, ts, us, cli } of results) {
    const tsErr = ts.stderr.split('\n').find((l) => l.startsWith('tshark:')) ?? ts.stderr.trim();
    if (!ts.ok) {
      rejected++;
      // tshark refuses the filter: so must tcpscope.
      if (us.ok) diffs.push(`${cap}: ${filter}\n    tshark rejects it (${tsErr}); tcpscope selects ${us.lines.join(' ') || '(none)'}`);
    } else if (!us.ok || ts.lines.join(' ') !== us.lines.join(' ')) {
      diffs.push(`${cap}: ${filter}\n    tshark:   ${ts.lines.join(' ') || '(none)'}\n    tcpscope: ${us.ok ? us.lines.join(' ') || '(none)' : us.error}`);
    }
    if (!cli) continue;
    cliRows++;
    if (!ts.ok) {
      // …and on the command line: exit 1 with one line that gives the column.
      if (cli.status !== 1 || !/column \d+: /.test(cli.stderr) || cli.stderr.trim().split('\n').length !== 1) {
        diffs.push(`${cap}: ${filter}\n    tshark rejects it; tcpscope read -Y: exit ${cli.status}: ${cli.stderr.trim() || cli.lines.join(' ')}`);
      }
    } else if (!cli.ok || cli.lines.join(' ') !== ts.lines.join(' ')) {
      diffs.push(`${cap}: ${filter}\n    tshark:            ${ts.lines.join(' ') || '(none)'}\n    tcpscope read -Y:  ${cli.ok ? cli.lines.join(' ') || '(none)' : cli.stderr.trim()}`);
    }
  }
  const agree = rows.length - new Set(diffs.map((d) => d.split('\n')[0])).size;
  console.log(`display filters: ${agree}/${rows.length} (filter, capture) rows agree with tshark -Y (${((100 * agree) / rows.length).toFixed(1)} %): ` +
    `${rejected} filters rejected by both, ${cliRows} rows also through "tcpscope read -Y", ` +
    `${pendingReady.length} of ${PENDING.length} pending rows runnable`);
  if (pendingWaiting.length) console.log(`pending rows waiting for fields: ${[...new Set(pendingWaiting.flatMap(([f]) => missingFields(f)))].join(', ')}`);
  assert.deepEqual(diffs, [], 'filters where tcpscope and tshark disagree');
});

test('read -Y keeps frame numbers; -c counts packets read, as tshark does', { skip: needs({ tshark: true }) }, async () => {
  for (const [cap, filter, count] of [['http', 'tcp.len > 0', '8'], ['wiki', 'udp', '20'], ['many', 'tcp.flags.syn == 1', '30']] as Array<[Cap, string, string]>) {
    const args = ['-r', join(SHARED, C[cap]), '-Y', filter, '-c', count, '-T', 'fields', '-e', 'frame.number', '-e', 'tcp.stream'];
    const [ts, us] = await Promise.all([tshark(['-n', ...args]), run(process.execPath, [CLI, 'read', ...args])]);
    assert.ok(ts.ok && us.ok, us.stderr);
    assert.ok(ts.lines.length > 0);
    assert.deepEqual(us.lines, ts.lines, `${cap} -Y '${filter}' -c ${count}`);
  }
});
