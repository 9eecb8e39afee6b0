/**
 * http.* fields, on the frame where tshark shows the message (the frame that completed it),
 * one occurrence per message, plus tcp.segment / tcp.segments / tcp.segment.count /
 * tcp.reassembled.length for PDUs reassembled from several segments.
 */
import type { FieldDef, FieldValue } from './registry.js';
import { bool, reltime, uint } from './make.js';
import type { PacketRecord } from '../record.js';
import type { HttpMessage } from '../app/types.js';

/**
 * A header or line as tshark -T fields prints it: CR, LF and TAB as `\r`, `\n`, `\t`; bytes
 * above 0x7f (tshark reads header text as ASCII) as U+FFFD; everything else as it is.
 */
export function fieldText(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 13) out += '\\r';
    else if (c === 10) out += '\\n';
    else if (c === 9) out += '\\t';
    else if (c > 0x7f) out += '\ufffd';
    else out += s[i];
  }
  return out;
}

const text = (name: string, title: string, get: (r: PacketRecord, out: FieldValue[]) => void): FieldDef =>
  ({ name, title, type: 'string', get, text: (v) => fieldText(String(v)) });

/** Push f(message) for every HTTP message shown on the frame. */
function each(f: (m: HttpMessage, out: FieldValue[]) => void) {
  return (r: PacketRecord, out: FieldValue[]): void => {
    const ms = r.app?.http?.messages;
    if (ms) for (const m of ms) f(m, out);
  };
}
const req = (f: (m: HttpMessage) => FieldValue | undefined) => each((m, out) => { if (m.kind === 'request') { const v = f(m); if (v !== undefined) out.push(v); } });
const resp = (f: (m: HttpMessage) => FieldValue | undefined) => each((m, out) => { if (m.kind === 'response') { const v = f(m); if (v !== undefined) out.push(v); } });
const header = (name: string) => each((m, out) => { const v = m.headers.get(name); if (v !== undefined) out.push(v); });

/** The reason phrases tshark knows for status codes (http.response.code.desc). */
const STATUS: Record<number, string> = {
  100: 'Continue', 101: 'Switching Protocols', 102: 'Processing', 103: 'Early Hints',
  200: 'OK', 201: 'Created', 202: 'Accepted', 203: 'Non-authoritative Information', 204: 'No Content', 205: 'Reset Content',
  206: 'Partial Content', 207: 'Multi-Status', 208: 'Already Reported', 226: 'IM Used',
  300: 'Multiple Choices', 301: 'Moved Permanently', 302: 'Found', 303: 'See Other', 304: 'Not Modified', 305: 'Use Proxy',
  307: 'Temporary Redirect', 308: 'Permanent Redirect',
  400: 'Bad Request', 401: 'Unauthorized', 402: 'Payment Required', 403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed',
  406: 'Not Acceptable', 407: 'Proxy Authentication Required', 408: 'Request Time-out', 409: 'Conflict', 410: 'Gone',
  411: 'Length Required', 412: 'Precondition Failed', 413: 'Request Entity Too Large', 414: 'Request-URI Too Long',
  415: 'Unsupported Media Type', 416: 'Requested Range Not Satisfiable', 417: 'Expectation Failed', 418: 'I\'m a teapot',
  421: 'Misdirected Request', 422: 'Unprocessable Entity', 423: 'Locked', 424: 'Failed Dependency', 425: 'Too Early',
  426: 'Upgrade Required', 428: 'Precondition Required', 429: 'Too Many Requests', 431: 'Request Header Fields Too Large',
  451: 'Unavailable For Legal Reasons',
  500: 'Internal Server Error', 501: 'Not Implemented', 502: 'Bad Gateway', 503: 'Service Unavailable', 504: 'Gateway Time-out',
  505: 'HTTP Version not supported', 506: 'Variant Also Negotiates', 507: 'Insufficient Storage', 508: 'Loop Detected',
  510: 'Not Extended', 511: 'Network Authentication Required',
};

/** Header fields tshark has by name: [field, header name, title]. */
const HEADERS: Array<[string, string, string]> = [
  ['http.host', 'host', 'Host'], ['http.user_agent', 'user-agent', 'User-Agent'], ['http.content_type', 'content-type', 'Content-Type'],
  ['http.connection', 'connection', 'Connection'], ['http.transfer_encoding', 'transfer-encoding', 'Transfer-Encoding'],
  ['http.content_encoding', 'content-encoding', 'Content-Encoding'], ['http.server', 'server', 'Server'],
  ['http.location', 'location', 'Location'], ['http.referer', 'referer', 'Referer'], ['http.accept', 'accept', 'Accept'],
  ['http.accept_encoding', 'accept-encoding', 'Accept Encoding'], ['http.accept_language', 'accept-language', 'Accept-Language'],
  ['http.cookie', 'cookie', 'Cookie'], ['http.set_cookie', 'set-cookie', 'Set-Cookie'], ['http.date', 'date', 'Date'],
  ['http.last_modified', 'last-modified', 'Last-Modified'], ['http.cache_control', 'cache-control', 'Cache-Control'],
  ['http.authorization', 'authorization', 'Authorization'], ['http.x_forwarded_for', 'x-forwarded-for', 'X-Forwarded-For'],
  ['http.upgrade', 'upgrade', 'Upgrade'], ['http.www_authenticate', 'www-authenticate', 'WWW-Authenticate'],
  ['http.content_length_header', 'content-length', 'Content-Length'],
];

/** The http fields, in the order tshark's protocol tree shows them. */
export const HTTP_FIELDS: FieldDef[] = [
  // The protocol: its value is the message bytes (so `http contains "…"` searches them); tshark prints "http".
  {
    name: 'http', title: 'Hypertext Transfer Protocol', type: 'protocol', text: () => 'http',
    get: (r, out) => {
      const h = r.app?.http;
      if (!h) return;
      for (const m of h.messages) out.push(m.bytes);
      if (h.continuation) for (const c of h.continuation) out.push(c);
    },
  },
  // tshark calls a NOTIFY (SSDP, GENA) a notification, not a request
  bool('http.request', 'Request', req((m) => (m.method === 'NOTIFY' ? undefined : 1))),
  bool('http.notification', 'Notification', req((m) => (m.method === 'NOTIFY' ? 1 : undefined))),
  bool('http.response', 'Response', resp(() => 1)),
  text('http.request.method', 'Request Method', req((m) => m.method)),
  text('http.request.uri', 'Request URI', req((m) => m.uri)),
  // tshark splits the URI only when it has a query
  text('http.request.uri.path', 'Request URI Path', req((m) => (m.uri?.includes('?') ? m.uri.slice(0, m.uri.indexOf('?')) : undefined))),
  text('http.request.uri.query', 'Request URI Query', req((m) => { const q = m.uri?.indexOf('?') ?? -1; return q < 0 ? undefined : m.uri!.slice(q + 1); })),
  text('http.request.version', 'Request Version', req((m) => m.version || undefined)),
  text('http.request.full_uri', 'Full request URI', req((m) => m.fullUri)),
  text('http.request.line', 'Request line', each((m, out) => { if (m.kind === 'request') for (const l of m.headerLines) out.push(l); })),
  uint('http.response.code', 'Status Code', 16, resp((m) => m.code)),
  text('http.response.code.desc', 'Status Code Description', resp((m) => (m.code === undefined ? undefined : STATUS[m.code] ?? 'Unknown'))),
  text('http.response.phrase', 'Response Phrase', resp((m) => (m.phrase ? m.phrase : undefined))),
  text('http.response.version', 'Response Version', resp((m) => m.version)),
  text('http.response.line', 'Response line', each((m, out) => { if (m.kind === 'response') for (const l of m.headerLines) out.push(l); })),
  text('http.response_for.uri', 'Request URI', resp((m) => m.requestUri)),
  uint('http.request_in', 'Request in frame', 32, resp((m) => m.requestFrame)),
  reltime('http.time', 'Time since request', resp((m) => m.timeSinceRequest)),
  uint('http.content_length', 'Content length', 64, each((m, out) => { if (m.contentLength !== undefined) out.push(m.contentLength); })),
  ...HEADERS.map(([f, h, t]) => text(f, t, header(h))),

  // tshark's single pass never knows, on a segment, which later frame will complete its PDU: always empty.
  uint('tcp.reassembled_in', 'Reassembled PDU in frame', 32, () => {}),
  uint('tcp.segment', 'TCP Segment', 32, (r, out) => { const p = r.app?.reassembled; if (p) for (const x of p) for (const f of x.frames) out.push(f); }),
  { name: 'tcp.segments', title: 'Reassembled TCP Segments', type: 'none', get: (r, out) => { const p = r.app?.reassembled; if (p) for (let i = 0; i < p.length; i++) out.push(1); }, text: () => '1' },
  uint('tcp.segment.count', 'Segment count', 32, (r, out) => { const p = r.app?.reassembled; if (p) for (const x of p) out.push(x.count); }),
  uint('tcp.reassembled.length', 'Reassembled TCP length', 32, (r, out) => { const p = r.app?.reassembled; if (p) for (const x of p) out.push(x.length); }),
];
