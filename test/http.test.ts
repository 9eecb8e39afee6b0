/**
 * HTTP fields against tshark: every capture under ../shared/captures (and samples/) plus the
 * crafted connections of test/support/appcases.ts, through `tshark -T fields` and
 * `tcpscope read -T fields` with the same http.* and reassembly fields. The message must be on
 * the frame tshark puts it on (the one that completed it), with the same values.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { allCaptures, hasTshark, label, loadExceptions } from './support/tshark.js';
import { compareAppFields } from './support/appdiff.js';
import { craftedCaptures } from './support/appcases.js';

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
