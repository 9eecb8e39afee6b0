/** The lab's own sentences, in English and Simplified Chinese (the tutorials' terms). */
import type { Lang } from '../../src/i18n/meanings.js';

const EN = {
  title: 'tcpscope lab: {scenario} ({what})',
  'what.server-close': 'the server closes first',
  'what.client-close': 'the client closes first; the server waits before closing',
  'what.half-close': 'the client shuts down its sending side; the server keeps sending, then closes',
  'what.rst-abort': 'the client closes with SO_LINGER 0: a RST instead of a FIN',
  'what.refused': 'nothing listens on the port',
  'what.keep-alive': 'two requests on one connection, then the server closes',
  'what.simultaneous-close': 'both sides close at the same moment',
  'what.url': 'one request with Connection: close to {url}',
  'net.netns-root': 'network: a private network namespace (unshare --net, as root): lo at MTU {mtu}{offloads}{tlp}',
  'net.netns-user': 'network: a private network namespace in a user namespace (unshare --user --map-root-user --net): lo at MTU {mtu}{offloads}{tlp}',
  'net.host': 'network: this machine\'s own loopback (no private namespace: none could be made, or --host-network): lo at MTU {mtu}, offloads as they are — segments may be 64 KB super-packets',
  'net.route': 'network: this machine\'s own, interface {iface} (the route to {addr})',
  'net.offloads': ', TSO/GSO/GRO off',
  'net.tlp': ', tail-loss probes off',
  'net.queue': 'the wire is held for about 35 ms by a token-bucket queue (tc tbf) so that the two FINs cross, as on a long path',
  capture: 'capture: {engine} on {iface}, filter "{filter}", {packets} packet(s), {drops}; saved to {file}',
  server: 'server: {server} (the lab\'s own, Node net); client: {client}',
  'server.url': 'server: {server} ({host}); client: {client} (the lab\'s own, Node net/tls)',
  timeline: 'Packets and the programs\' socket calls (▸ client, ◂ server; each call listed when it returned), on the capture\'s clock (ms from the first packet):',
  'call.after': '{call}: {ms} ms after frame {frame} ({flags})',
  'call.before': '{call}: {ms} ms before the first packet',
  expected: 'expected: handshake {hs}, teardown {td}, active closer {closer}{requests}',
  observed: 'observed: handshake {hs}, teardown {td}, active closer {closer}{requests}',
  requests: ', {n} HTTP request(s)',
  any: 'any',
  'drops.kernel': '{n} dropped by the kernel',
  'drops.iface': '{n} by the interface',
  'drops.none': 'drops not reported',
  ok: 'as expected.',
  unexpected: 'NOT as expected: the kernel did something else ({diff}). The capture is explained as it is.',
  'no.conn': 'the capture holds no packet of the lab\'s connection (filter "{filter}")',
  clock: 'clock: socket calls are timed with performance.timeOrigin + performance.now() (wall clock, µs resolution), the moment Node saw each call complete; the capture\'s timestamps come from the kernel\'s wall clock.',
  side_client: 'client',
  side_server: 'server',
};
type Key = keyof typeof EN;

const ZH: Record<Key, string> = {
  title: 'tcpscope 实验：{scenario}（{what}）',
  'what.server-close': '服务器先关闭',
  'what.client-close': '客户端先关闭；服务器等一会儿再关闭',
  'what.half-close': '客户端关闭自己的发送方向；服务器继续发送，然后关闭',
  'what.rst-abort': '客户端以 SO_LINGER 0 关闭：发出 RST 而不是 FIN',
  'what.refused': '端口上没有程序在监听',
  'what.keep-alive': '同一连接上两个请求，然后服务器关闭',
  'what.simultaneous-close': '双方同时关闭',
  'what.url': '向 {url} 发一个带 Connection: close 的请求',
  'net.netns-root': '网络：私有网络命名空间（unshare --net，root）：lo 的 MTU 为 {mtu}{offloads}{tlp}',
  'net.netns-user': '网络：用户命名空间中的私有网络命名空间（unshare --user --map-root-user --net）：lo 的 MTU 为 {mtu}{offloads}{tlp}',
  'net.host': '网络：本机自己的回环接口（未使用私有命名空间：无法创建，或指定了 --host-network）：lo 的 MTU 为 {mtu}，卸载功能保持原样——报文段可能是 64 KB 的超大包',
  'net.route': '网络：本机网络，接口 {iface}（通往 {addr} 的路由）',
  'net.offloads': '，TSO/GSO/GRO 已关闭',
  'net.tlp': '，尾部丢包探测已关闭',
  'net.queue': '用令牌桶队列（tc tbf）把线路压住约 35 ms，让两个 FIN 交叉而过，就像在长距离链路上一样',
  capture: '抓包：{engine} 在 {iface} 上，过滤器 "{filter}"，{packets} 个报文，{drops}；已保存到 {file}',
  server: '服务器：{server}（实验自带，Node net）；客户端：{client}',
  'server.url': '服务器：{server}（{host}）；客户端：{client}（实验自带，Node net/tls）',
  timeline: '报文与程序的套接字调用（▸ 客户端，◂ 服务器；每个调用在其返回时列出），使用抓包的时钟（从第一个报文起的毫秒数）：',
  'call.after': '{call}：在帧 {frame}（{flags}）之后 {ms} ms',
  'call.before': '{call}：在第一个报文之前 {ms} ms',
  expected: '预期：握手 {hs}，挥手 {td}，主动关闭方 {closer}{requests}',
  observed: '实际：握手 {hs}，挥手 {td}，主动关闭方 {closer}{requests}',
  requests: '，{n} 个 HTTP 请求',
  'drops.kernel': '内核丢弃 {n} 个',
  'drops.iface': '网卡丢弃 {n} 个',
  'drops.none': '未报告丢包数',
  any: '任意',
  ok: '与预期一致。',
  unexpected: '与预期不符：内核的做法不同（{diff}）。下面按抓到的实际情况解释。',
  'no.conn': '抓包中没有实验连接（过滤器 "{filter}"）的报文',
  clock: '时钟：套接字调用用 performance.timeOrigin + performance.now() 计时（墙上时钟，微秒精度），记录的是 Node 看到调用完成的时刻；抓包时间戳来自内核的墙上时钟。',
  side_client: '客户端',
  side_server: '服务器',
};

export function lm(lang: Lang, key: Key, params: Record<string, string | number> = {}): string {
  const t = (lang === 'zh-CN' ? ZH : EN)[key];
  return t.replace(/\{(\w+)\}/g, (_, k: string) => String(params[k] ?? `{${k}}`));
}

export type LabKey = Key;

/**
 * The socket calls and their details are recorded in English (they are data: `lab --json`
 * keeps them so); the Chinese report says them in Chinese. Every phrase the lab records
 * (cli/lab/scenarios.ts, cli/lab/url.ts) is here; anything else (a request line, an errno
 * code) is shown as it is.
 */
const CALL_ZH: Record<string, string> = {
  'connect() called': '调用 connect()',
  'connect() failed': 'connect() 失败',
  'close() with SO_LINGER 0': 'close()（SO_LINGER 为 0）',
  'TLS handshake done': 'TLS 握手完成',
};
const DETAIL_ZH: Record<string, string> = {
  "end of data: the server's FIN": '数据结束：收到服务器的 FIN',
  "end of data: the client's FIN": '数据结束：收到客户端的 FIN',
  'gave up': '放弃等待',
  'the server did not close': '服务器没有关闭连接',
};

/** A recorded socket call (and its detail) in the report's language. */
export function callText(lang: Lang, call: string, detail?: string): string {
  if (lang !== 'zh-CN') return detail ? `${call} ${detail}` : call;
  const c = CALL_ZH[call] ?? call;
  if (!detail) return c;
  const response = /^response (\d+): (.*)$/.exec(detail);
  return `${c} ${DETAIL_ZH[detail] ?? (response ? `响应 ${response[1]}：${response[2]}` : detail)}`;
}
