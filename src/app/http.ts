/**
 * HTTP/1.x over reassembled TCP streams, framed as tshark 4.0 frames it (observed):
 * - a message starts with a request line (known method + space) or a status line (`HTTP/`);
 *   on a port that is not registered for HTTP the line must be complete and carry
 *   `HTTP/1.x` (tshark's heuristic), and only a request makes the whole connection HTTP;
 * - headers end at an empty line; until then one more segment is reassembled;
 * - the body: none for HEAD responses, 1xx/204/304; else chunked (Transfer-Encoding),
 *   Content-Length, or — responses only — everything until the FIN;
 * - data that is not a message on a connection that already carried HTTP is `Continuation`.
 * The info column is the first line plus a space; a completed message with a body adds the
 * media type as tshark's media dissectors do (`(text/plain)`, `(JPEG JFIF image)`, JSON…).
 */
import type { ColumnOp, HttpMessage } from './types.js';
import { streamWork } from '../tcp/reassembly.js';

/** Request methods tshark recognises at the start of a line (upper case, followed by a space). */
const METHODS = new Set([
  'GET', 'POST', 'HEAD', 'PUT', 'DELETE', 'OPTIONS', 'TRACE', 'CONNECT', 'PATCH',
  'PROPFIND', 'PROPPATCH', 'MKCOL', 'COPY', 'MOVE', 'LOCK', 'UNLOCK', 'SEARCH', 'REPORT', 'CHECKOUT', 'CHECKIN',
  'UNCHECKOUT', 'MKACTIVITY', 'MKWORKSPACE', 'VERSION-CONTROL', 'BASELINE-CONTROL', 'LABEL', 'MERGE', 'UPDATE',
  'BIND', 'UNBIND', 'REBIND', 'ACL', 'MKCALENDAR', 'ORDERPATCH', 'POLL', 'BCOPY', 'BDELETE', 'BMOVE', 'BPROPFIND',
  'BPROPPATCH', 'NOTIFY', 'SUBSCRIBE', 'UNSUBSCRIBE', 'M-SEARCH', 'RPC_IN_DATA', 'RPC_OUT_DATA', 'RPC_CONNECT',
  'SSTP_DUPLEX_POST', 'PURGE',
]);

/** How a message's end is found once its start has been seen. */
export type HttpBodyMode =
  | { mode: 'none' }
  | { mode: 'length'; length: number }
  | { mode: 'chunked' }
  | { mode: 'fin' };

/** The start of a message: its first line and headers (everything before the body). */
export interface HttpHead extends Pick<HttpMessage, 'kind' | 'firstLine' | 'method' | 'uri' | 'code' | 'phrase' | 'version' | 'headerLines' | 'headers'> {
  /** bytes from the message start to the first body byte */
  headLength: number;
  body: HttpBodyMode;
}

export type HeadResult =
  /** not HTTP at all (leave the segment to TCP) */
  | { kind: 'reject' }
  /** not a message, on a connection that carried HTTP: tshark's `Continuation` */
  | { kind: 'continuation' }
  /** the first line (or the headers) is not complete yet; `firstLine` when the line is complete */
  | { kind: 'incomplete'; firstLine?: string }
  | { kind: 'head'; head: HttpHead };

const dec = new TextDecoder('latin1');

function latin1(b: Uint8Array, from: number, to: number): string {
  if (to - from > 256) return dec.decode(b.subarray(from, to));
  // Short header strings: one fromCharCode over the bytes (each byte its own code point), not a string per byte.
  return String.fromCharCode.apply(null, b.subarray(from, to) as unknown as number[]);
}

/**
 * The line starting at `from`: where its text ends and where the next line starts. A line
 * ends with LF, CR LF, or a CR not followed by LF (as tshark finds line ends); a CR that is
 * the last byte may still be followed by LF, so that line is not complete yet.
 */
function findLine(b: Uint8Array, from: number, to: number): { end: number; next: number } | undefined {
  const r = findLineIn(b, from, to);
  streamWork.units += (r ? r.next : to) - from;
  return r;
}

function findLineIn(b: Uint8Array, from: number, to: number): { end: number; next: number } | undefined {
  for (let i = from; i < to; i++) {
    const c = b[i]!;
    if (c === 10) return { end: i, next: i + 1 };
    if (c === 13) {
      if (i + 1 >= to) return undefined;
      return b[i + 1] === 10 ? { end: i, next: i + 2 } : { end: i, next: i + 1 };
    }
  }
  return undefined;
}

/** True when the bytes look like text (the kind of data HTTP waits on for a line end). */
function printable(b: Uint8Array, from: number, to: number): boolean {
  streamWork.units += to - from;
  for (let i = from; i < to; i++) {
    const c = b[i]!;
    if (c < 0x20 ? c !== 9 && c !== 10 && c !== 13 : c >= 0x7f) return false;
  }
  return true;
}

/** Is this line a request or status line? `strict`: tshark's heuristic for unregistered ports. */
export function classifyLine(line: string, strict: boolean): 'request' | 'response' | undefined {
  if (line.startsWith('HTTP/')) {
    if (!strict) return 'response';
    return /^HTTP\/1\.\d /.test(line) ? 'response' : undefined;
  }
  const sp = line.indexOf(' ');
  if (sp <= 0 || !METHODS.has(line.slice(0, sp))) return undefined;
  if (strict && !/ HTTP\/1\.\d$/.test(line)) return undefined;
  return 'request';
}

/** Does `b` (from `at`) start like an HTTP message, by tshark's heuristic for unregistered ports? */
export function looksLikeHttp(b: Uint8Array, at: number, end: number): 'request' | 'response' | undefined {
  const ln = findLine(b, at, Math.min(end, at + 8192));
  if (!ln) return undefined;
  return classifyLine(latin1(b, at, ln.end), true);
}

export interface HeadContext {
  /** the connection already carried an HTTP message (so other data is `Continuation`) */
  seenHttp: boolean;
  /** the port is not registered for HTTP: apply tshark's stricter heuristic */
  strict: boolean;
  /** the method of the request this response answers (for HEAD) */
  requestMethod?: string;
  /** the data ends with the stream (FIN seen): a response without a length ends here */
  atEnd: boolean;
}

/**
 * Where `parseHead` stopped on an unfinished head, so that the next call on the same bytes,
 * grown at the end, resumes there instead of rescanning the head from its start (a head that
 * arrives one small segment at a time costs linear work, not quadratic). Positions are
 * relative to the message start. One scan belongs to one message start.
 */
export class HeadScan {
  /** the search for the next line end resumes here */
  from = 0;
  /** how far the bytes were checked for printability, and whether all of them were printable */
  printableTo = 0;
  printable = true;
  /** the first line, once complete */
  firstLine: string | undefined;
  /** classifyLine(firstLine, strict) for strict = false / true (undefined: not computed yet, null: not a message) */
  readonly kinds: Array<'request' | 'response' | null | undefined> = [undefined, undefined];
  /** the start of the header line being read */
  pos = 0;
  readonly headerLines: string[] = [];
  readonly headers = new Map<string, string>();
}

/**
 * Parse the start of a message at `at` (up to `end`). With `scan` (kept by the caller between
 * calls on the same message start), the parse resumes where the previous call stopped.
 */
export function parseHead(b: Uint8Array, at: number, end: number, ctx: HeadContext, scan?: HeadScan): HeadResult {
  const st = scan ?? new HeadScan();
  if (st.firstLine === undefined) {
    const ln = findLine(b, at + st.from, end);
    if (!ln) {
      // No line end yet: the next search starts at the last byte (a CR there may be followed by LF).
      st.from = Math.max(st.from, end - at - 1);
      if (st.printable && st.printableTo < end - at) { st.printable = printable(b, at + st.printableTo, end); st.printableTo = end - at; }
      if (ctx.seenHttp && !ctx.strict && !st.printable) return { kind: 'continuation' };
      return st.printable && !ctx.strict ? { kind: 'incomplete' } : { kind: 'reject' };
    }
    st.firstLine = latin1(b, at, ln.end);
    st.pos = st.from = ln.next - at;
  }
  const firstLine = st.firstLine;
  const k = ctx.strict ? 1 : 0;
  if (st.kinds[k] === undefined) st.kinds[k] = classifyLine(firstLine, ctx.strict) ?? null;
  const kind = st.kinds[k];
  if (!kind) return ctx.seenHttp ? { kind: 'continuation' } : { kind: 'reject' };

  // Headers: lines until an empty one.
  const headerLines = st.headerLines;
  const headers = st.headers;
  let pos: number;
  for (;;) {
    const lineStart = at + st.pos;
    const h = findLine(b, at + st.from, end);
    if (!h) { st.from = Math.max(st.pos, end - at - 1); return { kind: 'incomplete', firstLine }; }
    if (h.end === lineStart) { pos = h.next; break; }
    const full = latin1(b, lineStart, h.next);
    // the line without its end: the same characters, unless the two lengths decode differently (over 256 bytes)
    const text = h.next - lineStart <= 256 ? full.slice(0, h.end - lineStart) : latin1(b, lineStart, h.end);
    headerLines.push(full);
    const colon = text.indexOf(':');
    if (colon > 0) {
      const name = text.slice(0, colon).trim().toLowerCase();
      if (!headers.has(name)) headers.set(name, text.slice(colon + 1).trim());
    }
    st.pos = st.from = h.next - at;
  }

  const head: HttpHead = { kind, firstLine, version: '', headerLines, headers, headLength: pos - at, body: { mode: 'none' } };
  if (kind === 'request') {
    const s1 = firstLine.indexOf(' ');
    head.method = firstLine.slice(0, s1);
    // tshark: the URI runs to the next space, the version is the rest of the line.
    const rest = firstLine.slice(s1 + 1);
    const s2 = rest.indexOf(' ');
    if (s2 >= 0) { head.uri = rest.slice(0, s2); head.version = rest.slice(s2 + 1); }
    else head.uri = rest;
  } else {
    const m = /^(\S+)(?: (\d{3})(?: (.*))?)?/.exec(firstLine)!;
    head.version = m[1]!;
    if (m[2] !== undefined) head.code = Number(m[2]);
    head.phrase = m[3] ?? '';
  }
  head.body = bodyMode(head, ctx);
  return { kind: 'head', head };
}

function bodyMode(h: HttpHead, ctx: HeadContext): HttpBodyMode {
  if (h.kind === 'response') {
    const c = h.code ?? 0;
    if (ctx.requestMethod === 'HEAD' || (c >= 100 && c < 200) || c === 204 || c === 304) return { mode: 'none' };
  }
  const te = h.headers.get('transfer-encoding');
  if (te !== undefined && /chunked/i.test(te)) return { mode: 'chunked' };
  const cl = h.headers.get('content-length');
  if (cl !== undefined && /^\d+$/.test(cl)) return { mode: 'length', length: Number(cl) };
  if (h.kind === 'response') return { mode: 'fin' };
  return { mode: 'none' };
}

/**
 * Finds the end of a chunked body, fed the body bytes as they arrive (resumable: no byte
 * is scanned twice). States: reading a size line, chunk data, the CRLF after it, trailers.
 */
export class ChunkScanner {
  /** body bytes consumed so far */
  consumed = 0;
  /** de-chunked entity length so far */
  entityLength = 0;
  done = false;
  private state: 'size' | 'data' | 'dataEnd' | 'trailer' = 'size';
  private line = '';
  private remaining = 0;

  /** Feed the next body bytes; returns how many of them belong to the body (all, unless it ended). */
  feed(b: Uint8Array, from = 0, to = b.length): number {
    let i = from;
    while (i < to && !this.done) {
      switch (this.state) {
        case 'size': {
          const c = b[i++]!;
          if (c === 10) {
            const hexPart = this.line.replace(/\r$/, '').split(';')[0]!.trim();
            const n = /^[0-9a-fA-F]+$/.test(hexPart) ? parseInt(hexPart, 16) : 0;
            this.line = '';
            if (n === 0) this.state = 'trailer';
            else { this.remaining = n; this.state = 'data'; }
          } else if (this.line.length < 256) this.line += String.fromCharCode(c);
          break;
        }
        case 'data': {
          const take = Math.min(this.remaining, to - i);
          i += take;
          this.remaining -= take;
          this.entityLength += take;
          if (this.remaining === 0) this.state = 'dataEnd';
          break;
        }
        case 'dataEnd': {
          const c = b[i++]!;
          if (c === 10) this.state = 'size';
          break;
        }
        case 'trailer': {
          const c = b[i++]!;
          if (c === 10) {
            if (this.line.replace(/\r$/, '') === '') this.done = true;
            this.line = '';
          } else if (this.line.length < 256) this.line += String.fromCharCode(c);
          break;
        }
      }
    }
    this.consumed += i - from;
    return i - from;
  }
}

/** Media types tshark hands to its JSON dissector (observed; protocol column `HTTP/JSON`). */
const JSON_TYPES = new Set([
  'application/json', 'application/json-rpc', 'application/jsonrequest', 'application/x-ndjson',
  'application/problem+json', 'application/vnd.oma.lwm2m+json', 'application/dds-web+json',
]);
/** Media types tshark hands to its XML dissector (protocol column `HTTP/XML`, nothing added to the info). */
const XML_TYPES = new Set([
  'text/xml', 'application/xml', 'image/svg+xml', 'application/soap+xml', 'application/rss+xml',
  'application/atom+xml', 'application/rdf+xml', 'application/xml-dtd', 'application/mathml+xml',
  'application/xslt+xml', 'application/wsdl+xml', 'application/pidf+xml', 'application/dialog-info+xml',
  'application/reginfo+xml', 'application/resource-lists+xml', 'application/simple-filter+xml',
  'application/watcherinfo+xml', 'application/xcap-el+xml', 'application/xcap-att+xml',
  'application/xcap-error+xml', 'application/vnd.oma.poc.groups+xml',
]);
/** Media types whose dissector writes nothing in the info column. */
const SILENT_TYPES = new Set(['application/octet-stream', 'application/grpc', 'application/x-fcs']);

export interface MediaColumns { protocol: string; ops: ColumnOp[] }

/** What tshark's media dissectors add for a body of this media type (`body` = its first bytes). */
export function mediaColumns(mediaType: string | undefined, body: Uint8Array): MediaColumns {
  if (!mediaType) return { protocol: 'HTTP', ops: [] };
  if (JSON_TYPES.has(mediaType)) {
    return { protocol: 'HTTP/JSON', ops: [{ op: 'appendSep', sep: ', ', text: 'JavaScript Object Notation' }, { op: 'append', text: ` (${mediaType})` }] };
  }
  if (XML_TYPES.has(mediaType)) return { protocol: 'HTTP/XML', ops: [] };
  if (mediaType === 'application/sdp') return { protocol: 'HTTP/SDP', ops: [] };
  if (SILENT_TYPES.has(mediaType) || mediaType.startsWith('multipart/')) return { protocol: 'HTTP', ops: [] };
  let text = `(${mediaType})`;
  if (mediaType === 'image/jpeg' && body[0] === 0xff && body[1] === 0xd8) text = '(JPEG JFIF image)';
  else if (mediaType === 'image/png' && body.length >= 8 && body[0] === 0x89 && body[1] === 0x50 && body[2] === 0x4e && body[3] === 0x47) text = '(PNG)';
  else if (mediaType === 'image/gif' && body.length >= 13 && body[0] === 0x47 && body[1] === 0x49 && body[2] === 0x46 && body[3] === 0x38
    && (body[4] === 0x37 || body[4] === 0x39) && body[5] === 0x61) text = `(${latin1(body, 0, 6)})`;
  return { protocol: 'HTTP', ops: [{ op: 'append', text: ' ' + text }] };
}

/** Media type of a Content-Type value: before any `;`, trimmed, lower case. */
export function mediaTypeOf(contentType: string | undefined): string | undefined {
  if (contentType === undefined) return undefined;
  const t = contentType.split(';')[0]!.trim().toLowerCase();
  return t || undefined;
}

/** http.request.full_uri: an absolute URI as it is, else http://Host + URI (tshark uses the destination when there is no Host). */
export function fullUri(uri: string | undefined, host: string | undefined, fallbackHost: string): string | undefined {
  if (uri === undefined) return undefined;
  if (/^[a-zA-Z][a-zA-Z0-9+.-]*:\/\//.test(uri)) return uri;
  return `http://${host ?? fallbackHost}${uri}`;
}

/** Build the message record from a head and what is known of the body. */
export function makeMessage(head: HttpHead, bytes: Uint8Array | (() => Uint8Array), length: number, bodyWireLength: number, firstFrame: number, frame: number): HttpMessage {
  const cl = head.headers.get('content-length');
  const contentLength = cl !== undefined && /^\d+$/.test(cl) ? Number(cl) : undefined;
  const mediaType = mediaTypeOf(head.headers.get('content-type'));
  if (typeof bytes !== 'function') {
    return {
      kind: head.kind, firstLine: head.firstLine, method: head.method, uri: head.uri, code: head.code, phrase: head.phrase,
      version: head.version, headerLines: head.headerLines, headers: head.headers, contentLength, mediaType,
      bodyWireLength, bytes, length, firstFrame, frame,
    };
  }
  // The bytes of a reassembled message are put together only if someone reads them (the `http` field).
  let cached: Uint8Array | undefined;
  return {
    kind: head.kind, firstLine: head.firstLine, method: head.method, uri: head.uri, code: head.code, phrase: head.phrase,
    version: head.version, headerLines: head.headerLines, headers: head.headers, contentLength, mediaType,
    bodyWireLength, get bytes(): Uint8Array { return (cached ??= bytes()); }, length, firstFrame, frame,
  };
}
