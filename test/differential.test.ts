/**
 * The differential test of the core issue: every capture in ../shared/captures and samples/
 * through `tshark -T fields` and `tcpscope read -T fields` with the same fields; every cell
 * must agree unless test/tshark-exceptions.json excuses it with a reason.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { allCaptures, compareFields, needs, label, loadExceptions } from './support/tshark.js';
import { CORE_FIELDS } from './support/fields.js';

test('tcpscope -T fields agrees with tshark on every capture', { skip: needs({ tshark: true }) }, () => {
  const exceptions = loadExceptions();
  const captures = allCaptures();
  assert.ok(captures.length >= 40, `expected the shared captures, found ${captures.length}`);
  let compared = 0, agreed = 0, excused = 0, unread = 0;
  const diffs: string[] = [];
  for (const cap of captures) {
    const r = compareFields(cap, CORE_FIELDS, [], exceptions);
    compared += r.compared; agreed += r.agreed; excused += r.excused;
    // A capture tshark cannot read compares no cell: tcpscope must refuse it too, not pass by default.
    if (r.tsharkStatus !== 0) { unread++; if (r.tcpscopeStatus === 0) diffs.push(`${label(cap)}: tshark cannot read it (exit ${r.tsharkStatus}), tcpscope exits 0`); }
    for (const d of r.diffs.slice(0, 5)) diffs.push(`${label(cap)} frame ${d.frame} ${d.field}: tshark "${d.tshark}" tcpscope "${d.tcpscope}"`);
  }
  console.log(`core fields: ${agreed}/${compared} fields agree with tshark (${((100 * agreed) / compared).toFixed(3)} %), ${excused} excused by test/tshark-exceptions.json, over ${captures.length} captures (${unread} that tshark cannot read)`);
  assert.ok(captures.length - unread >= 40, `tshark read only ${captures.length - unread} captures`);
  assert.deepEqual(diffs, [], 'fields that differ from tshark');
});
