/**
 * HTTP fields against tshark: every capture under ../shared/captures (and samples/) plus the
 * crafted connections of test/support/appcases.ts, through `tshark -T fields` and
 * `tcpscope read -T fields` with the same http.* and reassembly fields. The message must be on
 * the frame tshark puts it on (the one that completed it), with the same values.
 * Also a property of the head parser: resuming where it stopped (HeadScan) on bytes that grow
 * piece by piece gives exactly what a parse from the start gives, at every step.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { allCaptures, hasTshark, label, loadExceptions } from './support/tshark.js';
import { compareAppFields } from './support/appdiff.js';
import { craftedCaptures } from './support/appcases.js';
import fc from 'fast-check';
import { HeadScan, parseHead, type HeadContext } from '../src/app/http.js';

export const HTTP_FIELDS = [
  'frame.number', 'http', 'http.request', 'http.response', 'http.notification', 'http.request.method', 'http.request.uri',
  'http.request.uri.path', 'http.request.uri.query', 'http.request.version', 'http.request.full_uri', 'http.host', 'http.user_agent',
  'http.response.code', 'http.response.code.desc', 'http.response.phrase', 'http.response.version', 'http.content_type',
  'http.content_length', 'http.content_length_header', 'http.connection', 'http.transfer_encoding', 'http.server', 'http.location',
  'http.accept', 'http.referer', 'http.request.line', 'http.response.line', 'http.request_in', 'http.time', 'http.response_for.uri',
  'tcp.segment', 'tcp.segments', 'tcp.segment.count', 'tcp.reassembled.length', 'tcp.reassembled_in',
];

test('HTTP fields agree with tshark on every capture and on crafted connections', { skip: !hasTshark() && 'tshark is not installed' }, () => {
  const exceptions = loadExceptions();
  const caps = [...allCaptures().map((p) => ({ name: label(p), path: p })), ...craftedCaptures()];
  let compared = 0, agreed = 0, excused = 0, messages = 0;
  const diffs: string[] = [];
  for (const cap of caps) {
    const r = compareAppFields(cap.name, cap.path, HTTP_FIELDS, 'http', exceptions);
    compared += r.compared; agreed += r.agreed; excused += r.excused;
    diffs.push(...r.diffs.slice(0, 5));
    messages += r.rows;
  }
  console.log(`HTTP fields: ${agreed}/${compared} cells agree with tshark (${((100 * agreed) / compared).toFixed(3)} %), ${excused} excused, over ${caps.length} captures; ${messages} frames carry HTTP`);
  assert.ok(messages > 500, `expected HTTP frames in the captures, found ${messages}`);
  assert.deepEqual(diffs, [], 'HTTP fields that differ from tshark');
});

test('parseHead resumed where it stopped (HeadScan) equals a parse from the start, at every step', () => {
  // heads built from pieces that favour line ends, CR at the end of a piece, and non-text bytes
  const piece = fc.oneof(
    fc.constantFrom('GET / HTTP/1.1', 'HTTP/1.1 200 OK', 'POST /x HTTP/1.0', 'Host: a', 'Content-Length: 3', 'Transfer-Encoding: chunked', 'X: y', 'abc'),
    fc.constantFrom('\r\n', '\n', '\r', '\r\n\r\n', ' ', ':', '\u0001', '\u00ff'),
    fc.string({ maxLength: 6 }),
  );
  fc.assert(fc.property(
    fc.array(piece, { minLength: 1, maxLength: 20 }),
    fc.array(fc.integer({ min: 1, max: 12 }), { minLength: 1, maxLength: 30 }),
    fc.boolean(), fc.boolean(), fc.constantFrom(undefined, 'HEAD', 'GET'),
    (pieces, cuts, seenHttp, strict, requestMethod) => {
      const text = pieces.join('');
      const b = new Uint8Array(text.length + 3);
      for (let i = 0; i < text.length; i++) b[i] = text.charCodeAt(i) & 255;
      const at = 3; // the message starts inside the buffer
      b.copyWithin(at, 0, text.length);
      const ctx: HeadContext = { seenHttp, strict, requestMethod, atEnd: false };
      const scan = new HeadScan();
      let end = at;
      for (const c of cuts) {
        end = Math.min(b.length, end + c);
        const resumed = parseHead(b, at, end, ctx, scan);
        assert.deepEqual(resumed, parseHead(b, at, end, ctx), `at ${end - at} of ${JSON.stringify(text)}`);
        // only an unfinished head is parsed again (the stage drops the scan otherwise)
        if (resumed.kind !== 'incomplete' || end === b.length) break;
      }
    },
  ), { numRuns: 2000 });
});
