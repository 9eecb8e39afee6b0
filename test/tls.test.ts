/**
 * TLS record and handshake fields against tshark on every capture (TLS: zeek_tls_openjdk-sll2,
 * zeek_tls_pop3-starttls after STARTTLS, pcapplusplus_many_interfaces-1) and on crafted
 * connections that cut records at every kind of place (test/support/appcases.ts).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { allCaptures, hasTshark, label, loadExceptions } from './support/tshark.js';
import { compareAppFields } from './support/appdiff.js';
import { craftedCaptures } from './support/appcases.js';

const TLS_FIELDS = [
  'frame.number', 'tls', 'tls.record', 'tls.record.content_type', 'tls.record.opaque_type', 'tls.record.version',
  'tls.record.length', 'tls.handshake', 'tls.handshake.type', 'tls.handshake.length', 'tls.handshake.version',
  'tls.handshake.ciphersuite', 'tls.handshake.extensions_server_name', 'tls.handshake.extensions_alpn_str',
  'tls.handshake.extensions.supported_version', 'tls.alert_message', 'tls.alert_message.level', 'tls.alert_message.desc',
  'tls.app_data', 'tcp.segment', 'tcp.segment.count', 'tcp.reassembled.length',
];

test('TLS fields agree with tshark on every capture and on crafted connections', { skip: !hasTshark() && 'tshark is not installed' }, () => {
  const exceptions = loadExceptions();
  const caps = [...allCaptures().map((p) => ({ name: label(p), path: p })), ...craftedCaptures()];
  let compared = 0, agreed = 0, excused = 0, rows = 0;
  const diffs: string[] = [];
  const fields = TLS_FIELDS;
  for (const cap of caps) {
    const r = compareAppFields(cap.name, cap.path, fields, 'tls', exceptions);
    compared += r.compared; agreed += r.agreed; excused += r.excused; rows += r.rows;
    diffs.push(...r.diffs.slice(0, 5));
  }
  console.log(`TLS fields: ${agreed}/${compared} cells agree with tshark (${((100 * agreed) / compared).toFixed(3)} %), ${excused} excused, over ${caps.length} captures; ${rows} frames carry TLS`);
  assert.ok(rows >= 40, `expected TLS frames in the captures, found ${rows}`);
  assert.deepEqual(diffs, [], 'TLS fields that differ from tshark');
});
