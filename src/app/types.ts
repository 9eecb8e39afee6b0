/**
 * What the application-layer stage (src/app/stage.ts) knows about one frame: the HTTP
 * messages and TLS records that tshark would show on it, the reassembled PDUs it completes,
 * and how the protocol and info columns change. Set on `PacketRecord.app`; absent when the
 * frame carries nothing for the application layer.
 */
import type { Packet } from '../decode/types.js';
import type { TcpInfo } from '../tcp/types.js';

/** One column edit, in the order tshark's dissectors make them (a "fence" protects what came before). */
export type ColumnOp =
  /** replace the text after the fence */
  | { op: 'set'; text: string }
  /** add text at the end */
  | { op: 'append'; text: string }
  /** add `sep` (only when the column is not empty) and text */
  | { op: 'appendSep'; sep: string; text: string }
  /** remove the text after the fence */
  | { op: 'clear' }
  /** everything written so far stays */
  | { op: 'fence' };

/** An HTTP/1.x request or response, as parsed from the reassembled stream. */
export interface HttpMessage {
  kind: 'request' | 'response';
  /** the request or status line without its line end, e.g. `GET /index.txt HTTP/1.0` */
  firstLine: string;
  /** requests: method, URI; responses: status code and reason phrase */
  method?: string;
  uri?: string;
  code?: number;
  phrase?: string;
  /** `HTTP/1.1` (empty for an HTTP/0.9 request line without a version) */
  version: string;
  /** header lines after the first line, each with its line end, as tshark's http.request.line */
  headerLines: string[];
  /** header values by lower-case name (the first occurrence) */
  headers: Map<string, string>;
  /** http.request.full_uri (requests): scheme, Host and URI */
  fullUri?: string;
  /** Content-Length when present and numeric */
  contentLength?: number;
  /** the media type without parameters, lower case (`text/html`) */
  mediaType?: string;
  /** body length as sent (before de-chunking) */
  bodyWireLength: number;
  /** the message bytes (headers and body as on the wire; cut at the stage's byte limit) */
  bytes: Uint8Array;
  /** total message length on the wire (may exceed bytes.length) */
  length: number;
  /** frame of the first segment of the message */
  firstFrame: number;
  /** frame that completed it */
  frame: number;
  /** responses: the frame of the request it answers (http.request_in), its URI, and the time between them */
  requestFrame?: number;
  requestUri?: string;
  requestFullUri?: string;
  timeSinceRequest?: [number, number];
}

export interface HttpFrameInfo {
  /** messages completed on this frame, in stream order */
  messages: HttpMessage[];
  /** the first request line on this frame (`GET / HTTP/1.1`), for diagrams */
  requestLine?: string;
  /** the first status line on this frame (`HTTP/1.1 200 OK`) */
  responseLine?: string;
  /** data on an HTTP connection that is not a message (tshark's `Continuation`) */
  continuation?: Uint8Array[];
}

export interface TlsHandshake {
  type: number;
  length: number;
  /** ClientHello / ServerHello legacy version */
  version?: number;
  /** ClientHello server_name (SNI) */
  serverName?: string;
  /** ALPN protocols offered (ClientHello) or chosen (ServerHello) */
  alpn?: string[];
  /** supported_versions: offered list (ClientHello) or the one selected (ServerHello) */
  supportedVersions?: number[];
  /** ClientHello cipher suites / ServerHello chosen suite */
  cipherSuites?: number[];
}

export interface TlsRecord {
  contentType: number;
  version: number;
  length: number;
  /** encrypted content (after ChangeCipherSpec, or TLS 1.3 application records) */
  encrypted: boolean;
  handshakes: TlsHandshake[];
  /** alert level and description when not encrypted */
  alert?: [number, number];
  /** what tshark writes in the info column for this record */
  description: string;
  /** the record's bytes, header included (a view: copy to keep it beyond the record's lifetime) */
  bytes: Uint8Array;
  /** shown as tls.record.opaque_type (a TLS 1.3 encrypted record) rather than tls.record.content_type */
  opaque: boolean;
}

export interface TlsFrameInfo {
  records: TlsRecord[];
  /** the bytes handed to TLS in each of its calls on this frame (complete records, or the start of one still cut short) */
  calls: Uint8Array[];
  /** ClientHello SNI seen on this frame */
  serverName?: string;
  /** ALPN offered by a ClientHello on this frame, or chosen by a ServerHello */
  alpn?: string[];
  /** the protocol version tshark shows for this frame (`TLSv1.2`) */
  versionName: string;
}

/** Bytes reassembled from several segments on this frame (what tshark lists under "Reassembled TCP Segments"). */
export interface ReassembledPdu {
  /** frames that carried its bytes, in sequence order (tcp.segment) */
  frames: number[];
  /** its length (tcp.reassembled.length) */
  length: number;
  /** segments that went into it (tcp.segment.count; counts segments left out of `frames` for disagreeing bytes) */
  count: number;
}

export interface AppInfo {
  /** protocol column: replaces TCP's when set */
  protocol?: string;
  /** info column edits, applied after TCP's info text (and its analysis labels) */
  ops: ColumnOp[];
  http?: HttpFrameInfo;
  tls?: TlsFrameInfo;
  reassembled?: ReassembledPdu[];
  /** memory limits of the application stage hit on this frame: from here tcpscope may show less than tshark */
  limits?: AppLimit[];
}

/** A memory limit of the application stage, hit on a frame (see AppStageOptions, README "Memory stays bounded"). */
export interface AppLimit {
  /** 'head': an unfinished HTTP head (or TLS record header) outgrew maxHeadBytes and was given up; 'held': out-of-order bytes of a pending PDU were dropped (maxHeldBytes / maxHeldSegments) */
  kind: 'head' | 'held';
  /** the limit in force, in bytes */
  limit: number;
  /** the head's length when given up, or the bytes dropped */
  bytes: number;
}

/**
 * What the app stage reads from and writes to a packet's record. `PacketRecord` (src/record.ts)
 * has this shape; app/ names only this part so that it does not import the record (which sits
 * above it).
 */
export interface AppRecord {
  packet: Packet;
  tcp: TcpInfo | undefined;
  app?: AppInfo;
}
