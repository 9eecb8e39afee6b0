/**
 * Crafted HTTP and TLS connections that exercise tshark's reassembly rules (pipelining,
 * split headers, chunked bodies, bodies until FIN, HEAD/204/304, gaps, out-of-order and
 * conflicting segments, keep-alive bytes, media types, heuristics on unregistered ports, TLS
 * records cut at every kind of place). They are written as pcaps into a temporary directory
 * and compared with tshark by the differential tests: the expected output is always what
 * tshark prints, never something stored here.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConvBuilder, pcapOf } from './conv.js';
import { readCaptureSync } from '../../src/capture/reader.js';
import { decodePacket } from '../../src/decode/decode.js';
import { SHARED } from './tshark.js';

type Pkt = { t: number; bytes: Uint8Array };

/** Several connections (one per builder callback) merged into one capture, one second apart. */
function capture(convs: Array<[number, (b: ConvBuilder) => void]>): Uint8Array {
  const pk: Pkt[] = [];
  let port = 41000, t0 = 0;
  for (const [sport, fn] of convs) {
    const b = new ConvBuilder(port++, sport).handshake();
    fn(b);
    for (const p of b.packets()) pk.push({ t: p.t + t0, bytes: p.bytes });
    t0 += 1;
  }
  return pcapOf(pk);
}

const enc = new TextEncoder();
const cat = (...a: Array<string | Uint8Array>): Uint8Array => {
  const parts = a.map((x) => (typeof x === 'string' ? enc.encode(x) : x));
  const o = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let off = 0;
  for (const p of parts) { o.set(p, off); off += p.length; }
  return o;
};
const bin = (...n: number[]): Uint8Array => new Uint8Array(n);

/** The ClientHello and the ServerHello…ApplicationData payloads of a real TLS 1.3 handshake (zeek_tls_openjdk-sll2.pcap). */
function tlsPayloads(): { ch: Uint8Array; sh: Uint8Array } {
  const { frames } = readCaptureSync(new Uint8Array(readFileSync(join(SHARED, 'zeek_tls_openjdk-sll2.pcap'))));
  const payload = (n: number): Uint8Array => {
    const p = decodePacket(frames[n - 1]!);
    const t = p.tcp!;
    return p.frame.data.slice(t.payloadOffset, t.payloadOffset + t.len);
  };
  return { ch: payload(4), sh: payload(6) };
}

const R = 'GET / HTTP/1.1\r\nHost: x\r\n\r\n';
const H30 = 'HTTP/1.1 200 OK\r\nContent-Length: 30\r\n\r\n';
const B30 = 1 + H30.length; // relative seq of the first body byte

/** HTTP message framing on port 80 and on unregistered ports. */
function httpFraming(): Uint8Array {
  return capture([
    [80, (b) => {
      b.send('c', 'GET /a HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.1\r\nHost: x\r\n\r\n');
      b.send('s', 'HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Type: text/plain\r\n\r\nhelloHTTP/1.1 404 Not Found\r\nContent-Len');
      b.send('s', 'gth: 3\r\n\r\nabc');
      b.send('c', 'GET /c HTTP/1.1\r\nHo'); b.send('c', 'st: x\r\n\r\n');
      b.send('s', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Type: text/html\r\n\r\n5\r\nhello\r\n');
      b.send('s', '3\r\nabc\r\n0\r\n\r\n');
      b.send('c', 'GE'); b.send('c', 'T /d HTTP/1.1\r\n\r\n');
      b.send('s', 'HTTP/1.1 204 No Content\r\n\r\n');
      b.send('s', 'garbage data here\r\n');
      b.fin('c'); b.fin('s');
    }],
    [12345, (b) => {
      b.send('c', 'POST /x HTTP/1.1\r\nContent-Length: 20\r\n\r\n'); b.send('c', '0123456789'); b.send('c', 'ABCDEFGHIJ');
      b.send('s', 'HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n');
    }],
    [80, (b) => {
      b.send('c', 'GET / HTTP/1.1\r\n\r\n');
      b.send('s', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab'); b.send('s', 'cde\r\n3\r\n'); b.send('s', 'xyz\r\n');
      b.send('s', '0\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nab');
    }],
    [80, (b) => { b.send('c', 'GET / HTTP/1.1\r\nA: b\r\n'); b.send('c', 'C: d\r\n'); b.send('c', 'E: f\r\n'); b.send('c', '\r\n'); }],
    [80, (b) => { b.send('c', R); b.send('s', 'HTTP/1.1 200 OK\r\n\r\n'); b.send('s', 'abc'); b.send('s', 'def'); b.fin('s'); }],
    [80, (b) => { b.send('c', R); b.send('s', 'HTTP/1.1 200 OK\r\nContent-Length: 20\r\n\r\n'); b.send('s', 'abc'); b.fin('s'); }],
    [80, (b) => { b.send('c', 'GET /a HTTP/1.1\r\nHo'); b.send('c', 'st: x\r\n\r\nGET /b HTTP/1.1\r\nHo'); b.send('c', 'st: y\r\n\r\n'); }],
    [80, (b) => { b.send('c', 'POST /x HTTP/1.1\r\nContent-Len'); b.send('c', 'gth: 20\r\n\r\n0123'); b.send('c', '4567890123456789'); }],
    [80, (b) => { b.send('c', 'POST /x HTTP/1.1\r\nContent-Length: 4\r\n\r\n01'); b.send('c', '23GET /y HTTP/1.1\r\n\r\nGET /z HTTP/1.1\r\n'); b.send('c', '\r\n'); }],
    [80, (b) => { b.send('c', 'POST /x HTTP/1.1\r\nContent-Length: 4\r\n\r\n01'); b.send('c', '23GE'); b.send('c', 'T /z HTTP/1.1\r\n\r\n'); }],
    [80, (b) => { b.send('c', 'HEAD / HTTP/1.1\r\nHost: h\r\n\r\n'); b.send('s', 'HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 100\r\n\r\n'); b.send('c', 'GET /n HTTP/1.1\r\n\r\n'); }],
    [80, (b) => {
      b.send('c', 'POST /e HTTP/1.1\r\nHost: a.b\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n'); b.send('s', 'HTTP/1.1 100 Continue\r\n\r\n');
      b.send('c', 'abc'); b.send('s', 'HTTP/1.1 304 Not Modified\r\nContent-Type: text/html\r\n\r\n');
    }],
    [80, (b) => { b.send('c', 'GET / HTTP/1.1\rHost: x\r\r'); b.send('c', ' continued\r\n'); b.send('c', 'x\r\n'); }],
    [80, (b) => { b.send('c', 'GET / HTTP/1.1\nHost: x\n\n'); b.send('c', ' continued\r\n'); }],
    [80, (b) => { b.send('c', 'just some text without newline'); b.send('c', ' continued\r\n'); }],
    [80, (b) => { b.send('c', bin(0, 1, 2, 3, 0x62)); b.send('c', 'hello\nworld\n'); }],
    [80, (b) => { b.send('c', 'GET /x\r\n\r\n'); b.send('s', '<html>no status line</html>\n'); }],
  ]);
}

/** tshark's heuristics on ports that are not registered for HTTP. */
function httpHeuristics(): Uint8Array {
  const lines = ['GET / HTTP/1.1\r\n\r\n', 'GET /x\r\n\r\n', 'FOO / HTTP/1.1\r\n\r\n', 'GET / HTTP/1.1', 'HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n',
    'get / HTTP/1.1\r\n\r\n', 'POST /abc', 'OPTIONS * HTTP/1.1\r\n\r\n', 'PROPFIND /a HTTP/1.1\r\n\r\n', 'NOTIFY * HTTP/1.1\r\n\r\n', 'GET / HTTP/2.0\r\n\r\n'];
  return capture([
    ...lines.map((l): [number, (b: ConvBuilder) => void] => [12345, (b) => { b.send('c', l); b.send('c', 'more data\r\n'); b.send('s', 'reply\r\n'); }]),
    // 9000 is registered for S101, whose dissector gives up on HTTP: tshark's heuristics find it
    [9000, (b) => { b.send('c', R); b.send('s', 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok'); }],
    // 21 is FTP: HTTP-looking text stays FTP's
    [21, (b) => { b.send('c', R); b.send('s', 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok'); }],
  ]);
}

/** Gaps, out-of-order, conflicting overlaps, retransmissions and keep-alive bytes inside and after PDUs. */
function httpLoss(): Uint8Array {
  const pre = (b: ConvBuilder): void => { b.send('c', 'GET / HTTP/1.1\r\n\r\n'); b.send('s', H30); };
  return capture([
    [80, (b) => { pre(b); b.send('s', 'bbbbbbbbbb', { seq: B30 + 10, noAdvance: true }); b.send('s', 'aaaaaaaaaa', { seq: B30, noAdvance: true, dt: 0.05 }); b.send('s', 'cccccccccc', { seq: B30 + 20 }); }],
    [80, (b) => { pre(b); b.send('s', 'bbbbbbbbbb', { seq: B30 + 10, noAdvance: true }); b.send('s', 'cccccccccc', { seq: B30 + 20 }); b.send('s', 'aaaaaaaaaa', { seq: B30, noAdvance: true, dt: 0.0005 }); }],
    [80, (b) => { pre(b); b.send('s', 'bbbbbbbbbb', { seq: B30 + 10, noAdvance: true }); b.send('s', 'cccccccccc', { seq: B30 + 20 }); b.send('s', 'aaaaaaaaaa', { seq: B30, noAdvance: true, dt: 0.05 }); }],
    [80, (b) => { pre(b); b.send('s', 'bbbbbbbbbb', { seq: B30 + 10, noAdvance: true }); b.send('s', 'cccccccccc', { seq: B30 + 20 }); b.send('s', 'HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n'); }],
    [80, (b) => { pre(b); b.send('s', 'aaaaaaaaaaaaaaa', { seq: B30 }); b.send('s', 'XXXXXXXXXXbbbbb', { seq: B30 + 10, dt: 0.0001 }); b.send('s', 'cccccccccc', { seq: B30 + 25 }); }],
    [80, (b) => { b.send('c', R, { noAdvance: true, seq: 1 }); b.send('c', R, { seq: 1 + R.length }); }],
    [80, (b) => { b.send('c', R, { seq: 1 + R.length }); b.send('c', 'GET /x HTTP/1.1\r\nHo', { seq: 1 + 2 * R.length }); b.send('c', 'st: x\r\n\r\n'); }],
    [80, (b) => { b.send('c', R); b.send('c', R, { seq: 1, dt: 0.2 }); b.send('s', 'HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n'); }],
    [80, (b) => { b.send('c', R); b.send('s', 'HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n'); b.send('s', 'abcde'); b.send('s', 'X', { seq: 1 + 38 + 4, noAdvance: true, dt: 0.5 }); b.send('s', 'fghij'); }],
    [80, (b) => { b.send('c', R); b.send('s', 'HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n'); b.send('s', 'abcde'); b.send('s', 'cdefghij', { seq: 1 + 38 + 2, dt: 0.2 }); }],
    // keep-alive bytes after a single-segment and after a reassembled request
    [80, (b) => { b.send('c', R); b.send('s', 'HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n'); b.send('c', bin(0), { seq: R.length, noAdvance: true, dt: 0.5 }); }],
    [80, (b) => { b.send('c', R.slice(0, 10)); b.send('c', R.slice(10)); b.send('s', 'HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n'); b.send('c', bin(0), { seq: R.length, noAdvance: true, dt: 0.5 }); }],
    [80, (b) => { b.send('c', R); b.send('s', 'HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n'); b.send('c', bin(0), { dt: 0.5 }); b.send('c', bin(1, 2, 3, 4), { dt: 0.5 }); }],
    // the body ends with the FIN that also carries its last bytes
    [80, (b) => { b.send('c', R); b.send('s', 'HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nabc'); b.send('s', 'def', { flags: 'FPA' }); }],
    // an unfinished head looked at again and again (its parse resumes; its segment list restarts
    // from the bytes it holds), with a retransmission carrying other bytes inside it
    [80, (b) => { b.send('c', 'GET /h HTTP/1.1\r\nA: 1'); b.send('c', 'A: 2', { seq: 18, noAdvance: true, dt: 0.0005 }); b.send('c', '\r\nB: c\r\n'); b.send('c', '\r\n'); b.send('s', 'HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n'); }],
    [80, (b) => { b.send('c', 'GET /i HTTP/1.1\r\nHost: x\r\n'); for (const l of ['A', 'B', 'C', 'D']) b.send('c', `${l}: ${l.toLowerCase()}\r\n`); b.send('c', '\r\nGET /j HTTP/1.1\r\nHost: x\r\n\r\n'); b.send('s', 'HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n'); }],
  ]);
}

/** Media types and the protocol/info tshark's media dissectors give them. */
function httpMedia(): Uint8Array {
  const jpeg = cat(bin(0xff, 0xd8, 0xff, 0xe0, 0, 16), 'JFIF', bin(0, 1, 1, 0, 0, 1, 0, 1, 0, 0, 0xff, 0xd9));
  const gif = cat('GIF89a', bin(1, 0, 1, 0, 0x80, 0, 0, 0, 0, 0, 255, 255, 255, 0x21, 0xf9, 4, 1, 0, 0, 0, 0, 0x2c, 0, 0, 0, 0, 1, 0, 1, 0, 0, 2, 2, 0x44, 1, 0, 0x3b));
  const png = cat(bin(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13), 'IHDR', bin(0, 0, 0, 1, 0, 0, 0, 1, 8, 2, 0, 0, 0, 1, 2, 3, 4, 0, 0, 0, 0), 'IEND', bin(0xae, 0x42, 0x60, 0x82));
  const types: Array<[string, string | Uint8Array]> = [
    ['application/json', '{"a": 1}'], ['application/json; charset=utf-8', '{"a":1}'], ['APPLICATION/JSON', '{}'], ['text/xml', '<a>b</a>'],
    ['application/soap+xml', '<a/>'], ['image/svg+xml', '<svg/>'], ['text/html; charset=ISO-8859-1', '<p>x</p>'], ['Text/HTML', 'abc'],
    ['text/plain ; charset=utf-8', 'abc'], ['text/css', 'a{}'], ['application/javascript', 'var a;'], ['application/octet-stream', 'AAAA'],
    ['application/x-www-form-urlencoded', 'a=b&c=d'], ['multipart/form-data; boundary=xyz', '--xyz--\r\n'], ['image/jpeg', jpeg],
    ['image/jpeg', 'not a jpeg'], ['image/gif', gif], ['image/gif', 'GIF87a0000'], ['image/png', png], ['video/mp4', 'AAAA'], ['text/html', ''],
    ['application/problem+json', '{}'], ['application/ld+json', '{}'], ['application/sdp', 'v=0\r\n'],
  ];
  return capture(types.map(([ct, body]): [number, (b: ConvBuilder) => void] => [80, (b) => {
    const bodyBytes = typeof body === 'string' ? enc.encode(body) : body;
    b.send('c', `GET /m HTTP/1.1\r\nHost: media.test\r\n\r\n`);
    b.send('s', cat(`HTTP/1.1 200 OK\r\nContent-Type: ${ct}\r\nContent-Length: ${bodyBytes.length}\r\n\r\n`, bodyBytes));
  }]));
}

/** HTTP header fields, URIs and request/response matching. */
function httpFields(): Uint8Array {
  return capture([
    [80, (b) => {
      b.send('c', 'GET /a%20b?x=1 HTTP/1.1\r\nHost: example.com:8080\r\nUser-Agent: a\\b\tc "q" \u00e9\r\nX: \x01y\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 3\r\nConnection: keep-alive\r\n\r\nabc');
      b.send('s', 'HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nServer: t/1\r\nLocation: /x\r\n\r\n');
      b.send('c', 'GET http://proxy.example/x HTTP/1.0\r\n\r\n');
      b.send('s', 'HTTP/1.0 200\r\n\r\n');
      b.fin('s');
    }],
    [80, (b) => { b.send('c', 'GET /17 HTTP/1.1\r\n\r\n'); b.send('s', 'HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc'); }],
    [80, (b) => { b.send('c', 'GET /text/plain ; charset=utf-8 HTTP/1.1\r\nHost: a.b\r\n\r\n'); b.send('s', 'HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n'); }],
  ]);
}

/** TLS records cut across segments, on 443 and on other ports, with and without text before. */
function tlsCases(): Uint8Array {
  const { ch, sh } = tlsPayloads();
  const app = (n: number, first = 0): Uint8Array => { const r = new Uint8Array(5 + n); r.set([23, 3, 3, n >> 8, n & 255]); r[5] = first; return r; };
  const alert = bin(21, 3, 3, 0, 2, 2, 40);
  const big = app(5000, 1);
  return capture([
    [443, (b) => { b.send('c', ch.subarray(0, 100)); b.send('c', ch.subarray(100)); b.send('s', sh); }],
    [443, (b) => { b.send('c', ch.subarray(0, 3)); b.send('c', ch.subarray(3, 200)); b.send('c', ch.subarray(200)); b.send('s', sh.subarray(0, 127)); b.send('s', sh.subarray(127, 140)); b.send('s', sh.subarray(140)); }],
    [443, (b) => { b.send('c', ch); b.send('s', sh.subarray(0, 130)); b.send('s', sh.subarray(130)); }],
    [443, (b) => { b.send('c', ch); b.send('s', sh.subarray(0, 100)); b.send('s', sh.subarray(100, 143)); b.send('s', sh.subarray(143)); }],
    [443, (b) => { b.send('c', ch); b.send('s', sh.subarray(0, 100)); b.send('s', sh.subarray(100, 130)); b.send('s', sh.subarray(130)); }],
    [443, (b) => { b.send('c', 'hello there\r\n'); b.send('c', ch); b.send('s', sh); }],
    [443, (b) => { b.send('c', ch, { seq: 100 }); b.send('s', sh); }],
    [443, (b) => { b.send('c', ch); b.send('s', sh.subarray(0, 133)); b.send('s', big.subarray(0, 1400)); b.send('s', big.subarray(1400, 2800)); b.send('s', big.subarray(2800, 4200)); b.send('s', big.subarray(4200)); }],
    [443, (b) => { b.send('c', ch); b.send('s', alert); }],
    [443, (b) => { b.send('c', ch); b.send('s', sh.subarray(0, 133)); b.send('s', alert); b.send('c', bin(20, 3, 3, 0, 1, 1)); b.send('c', cat(bin(22, 3, 3, 0, 40), new Uint8Array(40).fill(7))); b.send('c', alert); }],
    [7777, (b) => { b.send('c', app(30)); b.send('s', app(40)); }],
    [7777, (b) => { b.send('c', ch); b.send('s', sh); b.send('c', app(30)); b.send('c', 'junk\r\n'); b.send('c', app(30)); }],
    [7777, (b) => { b.send('c', 'hello\r\n'); b.send('s', 'hi\r\n'); b.send('c', ch); b.send('s', sh); }],
    [7777, (b) => { b.send('c', ch.subarray(0, 3)); b.send('c', ch.subarray(3)); }],
    // POP3 STARTTLS: text first, then TLS on the same connection
    [110, (b) => { b.send('s', '+OK ready\r\n'); b.send('c', 'STLS\r\n'); b.send('s', '+OK Begin TLS\r\n'); b.send('c', ch); b.send('s', sh); }],
  ]);
}

/** Follow TCP Stream: reordering, overlaps, gaps acknowledged by the peer, hex line layout. */
function followCases(): Uint8Array {
  const all = new Uint8Array(256).map((_, i) => i);
  return capture([
    [9999, (b) => { b.send('c', all); b.send('s', all.subarray(0, 20)); b.send('s', all.subarray(20, 37)); }],
    [9999, (b) => {
      for (const s of ['abcdefghijklmno ', 'abcdefghijklmn  ', 'abcdefgh ', 'abcdefgh  ', 'abcdefg ', 'abcdefghijklmn ', 'ab ', 'a       ', 'abcdefghijklmnopabcdefghijklmno ', 'abcdefghijklmnop ']) b.send('c', s);
    }],
    [9000, (b) => { b.send('s', 'abcde'); b.send('s', 'fghij', { seq: 11 }); b.ack('c'); b.send('s', 'klmno', { seq: 16 }); b.send('s', 'XXXXX', { seq: 6 }); }],
    [9000, (b) => { b.send('s', 'abcde'); b.send('s', 'klmno', { seq: 11, noAdvance: true }); b.send('s', 'fghij', { seq: 6, noAdvance: true }); b.send('s', 'pq', { seq: 16 }); }],
    [9000, (b) => { b.send('s', 'abcde'); b.send('s', 'cdefghij', { seq: 3, dt: 0.2 }); b.send('s', 'AAAAAAA', { seq: 20, noAdvance: true }); b.send('s', 'BBBBBBB', { seq: 17, noAdvance: true }); b.send('s', 'kkkkkkk', { seq: 11 }); }],
  ]);
}

export interface Crafted { name: string; path: string }

/** Write every crafted capture into a fresh temporary directory. */
export function craftedCaptures(): Crafted[] {
  const dir = mkdtempSync(join(tmpdir(), 'tcpscope-app-'));
  const out: Crafted[] = [];
  const add = (name: string, bytes: Uint8Array): void => {
    const path = join(dir, `${name}.pcap`);
    writeFileSync(path, bytes);
    out.push({ name: `crafted/${name}.pcap`, path });
  };
  add('http-framing', httpFraming());
  add('http-heuristics', httpHeuristics());
  add('http-loss', httpLoss());
  add('http-media', httpMedia());
  add('http-fields', httpFields());
  add('tls', tlsCases());
  add('follow', followCases());
  return out;
}
