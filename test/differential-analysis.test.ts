/**
 * The differential test of issue 4: every capture through tshark and tcpscope with all the
 * tcp.analysis.* fields and tcp.completeness, in one pass and with -2; at least 99.5 % of the
 * cells must agree on every capture, and every cell that differs must be excused, with its
 * reason, in test/tshark-exceptions.json. Then `-z conv,tcp`, `-z expert` and `-z io,stat`
 * against tshark's own output.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { allCaptures, compareFieldsAsync, needs, label, loadExceptions, pool, runCli, runCliAsync, runTshark, runTsharkAsync, SHARED } from './support/tshark.js';

/** Captures handled at once (each runs tshark and tcpscope side by side). */
const AT_ONCE = 3;
import { ANALYSIS_FIELDS } from './support/analysis-fields.js';

const skip = needs({ tshark: true });
const SCENARIOS = allCaptures().filter((c) => c.startsWith(join(SHARED, 'scenarios')));
const enoughScenarios = (): void => assert.ok(SCENARIOS.length >= 15, `expected the scenario captures, found ${SCENARIOS.length}`);

async function differential(extra: string[], name: string): Promise<void> {
  const exceptions = loadExceptions();
  const captures = allCaptures();
  assert.ok(captures.length >= 40, `expected the shared captures, found ${captures.length}`);
  let compared = 0, agreed = 0, excused = 0, unread = 0;
  const problems: string[] = [];
  const results = await pool(captures, AT_ONCE, (cap) => compareFieldsAsync(cap, ANALYSIS_FIELDS, extra, exceptions));
  for (const [i, cap] of captures.entries()) {
    const r = results[i]!;
    compared += r.compared; agreed += r.agreed; excused += r.excused;
    if (r.tsharkStatus !== 0) { unread++; if (r.tcpscopeStatus === 0) problems.push(`${label(cap)}: tshark cannot read it (exit ${r.tsharkStatus}), tcpscope exits 0`); }
    const pct = r.compared ? (100 * r.agreed) / r.compared : 100;
    if (pct < 99.5) problems.push(`${label(cap)}: only ${pct.toFixed(3)} % agree`);
    for (const d of r.diffs.slice(0, 5)) problems.push(`${d.capture} frame ${d.frame} ${d.field}: tshark "${d.tshark}" tcpscope "${d.tcpscope}"`);
  }
  console.log(`${name}: ${agreed}/${compared} cells agree with tshark (${((100 * agreed) / compared).toFixed(3)} %), ${excused} excused by test/tshark-exceptions.json, over ${captures.length} captures (${unread} that tshark cannot read), ${ANALYSIS_FIELDS.length} fields`);
  assert.ok(captures.length - unread >= 40, `tshark read only ${captures.length - unread} captures`);
  assert.deepEqual(problems, [], 'captures below 99.5 % or with unexcused differences');
}

test('tcp.analysis.* and tcp.completeness agree with tshark (one pass)', { skip }, async () => {
  await differential([], 'analysis (one pass)');
});

test('tcp.analysis.* and tcp.completeness agree with tshark -2', { skip }, async () => {
  await differential(['-2'], 'analysis (-2)');
});

test('-z conv,tcp is byte-identical to tshark on every capture', { skip }, async () => {
  let same = 0, total = 0;
  const diffs: string[] = [];
  const caps = allCaptures();
  const runs = await pool(caps, AT_ONCE, (cap) => Promise.all([runTsharkAsync(['-n', '-q', '-r', cap, '-z', 'conv,tcp']), runCliAsync(['read', '-q', '-r', cap, '-z', 'conv,tcp'])]));
  for (const [i, cap] of caps.entries()) {
    const [t, u] = runs[i]!;
    if (t.status !== 0) continue;
    total++;
    if (u.stdout === t.stdout) same++;
    else diffs.push(label(cap));
  }
  console.log(`-z conv,tcp: ${same}/${total} captures byte-identical to tshark`);
  assert.ok(total >= 40);
  assert.deepEqual(diffs, []);
});

/** The rows of `-z expert` for the protocols tcpscope reports, per severity section, in order. */
function expertRows(out: string): string[] {
  const rows: string[] = [];
  let section = '';
  for (const line of out.split('\n')) {
    const m = /^(Errors|Warns|Notes|Chats) \(\d+\)$/.exec(line);
    if (m) section = m[1]!;
    else if (/^\s+\d+\s+\S+\s+(TCP|HTTP)\s\s/.test(line)) rows.push(`${section}: ${line}`);
  }
  return rows;
}

test('-z expert: the TCP (and HTTP request/status) items match tshark, count and order', { skip }, () => {
  enoughScenarios();
  let identical = 0, rowsSame = 0;
  const diffs: string[] = [];
  for (const cap of SCENARIOS) {
    const t = runTshark(['-n', '-q', '-r', cap, '-z', 'expert']);
    assert.equal(t.status, 0, `tshark -z expert ${label(cap)}: ${t.stderr}`);
    const u = runCli(['read', '-q', '-r', cap, '-z', 'expert']);
    if (u.stdout === t.stdout) identical++;
    if (JSON.stringify(expertRows(u.stdout)) === JSON.stringify(expertRows(t.stdout))) rowsSame++;
    else diffs.push(`${label(cap)}:\n  tshark   ${expertRows(t.stdout).join('\n           ')}\n  tcpscope ${expertRows(u.stdout).join('\n           ')}`);
    assert.ok(expertRows(t.stdout).length > 0, `${label(cap)}: tshark reports expert items`);
  }
  console.log(`-z expert: TCP/HTTP rows agree on ${rowsSame}/${SCENARIOS.length} scenario captures, whole output byte-identical on ${identical}`);
  assert.deepEqual(diffs, []);
  assert.ok(identical >= SCENARIOS.length - 1, 'the whole report is identical where tshark has nothing beyond TCP and HTTP');
});

test('-z io,stat is byte-identical to tshark (several intervals, several -z at once)', { skip }, async () => {
  enoughScenarios();
  let same = 0, total = 0;
  const diffs: string[] = [];
  const jobs = SCENARIOS.flatMap((cap) => [['io,stat,1'], ['io,stat,0'], ['io,stat,0.01'], ['io,stat,0.5', 'conv,tcp']].map((z) => ({ cap, z })));
  const runs = await pool(jobs, AT_ONCE, ({ cap, z }) => {
    const args = ['-q', '-r', cap, ...z.flatMap((x) => ['-z', x])];
    return Promise.all([runTsharkAsync(['-n', ...args]), runCliAsync(['read', ...args])]);
  });
  for (const [k, { cap, z }] of jobs.entries()) {
    const [t, u] = runs[k]!;
    assert.equal(t.status, 0, `tshark ${z.join(' ')} ${label(cap)}: ${t.stderr}`);
    total++;
    if (u.stdout === t.stdout) same++;
    else diffs.push(`${label(cap)} ${z.join(' ')}`);
  }
  console.log(`-z io,stat: ${same}/${total} runs byte-identical to tshark`);
  assert.deepEqual(diffs, []);
});

test('the Info labels match tshark\'s (order included) on every capture', { skip }, async () => {
  let lines = 0, labelled = 0;
  const diffs: string[] = [];
  const labels = (s: string): string => (s.match(/\[TCP (?!segment of a reassembled PDU)[^\]]*\]/g) ?? []).join(' ');
  const caps = allCaptures();
  const runs = await pool(caps, AT_ONCE, (cap) => Promise.all([runTsharkAsync(['-n', '-r', cap]), runCliAsync(['read', cap])]));
  for (const [k, cap] of caps.entries()) {
    const t = runs[k]![0].stdout.split('\n');
    const u = runs[k]![1].stdout.split('\n');
    for (let i = 0; i < t.length; i++) {
      const a = labels(t[i] ?? ''), b = labels(u[i] ?? '');
      lines++;
      if (a) labelled++;
      if (a !== b) diffs.push(`${label(cap)} line ${i + 1}: tshark "${a}" tcpscope "${b}"`);
    }
  }
  console.log(`Info labels: ${lines - diffs.length}/${lines} lines agree (${labelled} carry tshark labels)`);
  assert.ok(labelled > 500);
  assert.deepEqual(diffs.slice(0, 10), []);
});

test('-z, -q and -2: errors are one line', () => {
  const cap = join(SHARED, 'scenarios/keepalive.pcapng');
  for (const [args, msg] of [
    [['read', '-q', cap, '-z', 'conv,udp'], /unknown statistic/],
    [['read', '-q', cap, '-z', 'io,stat,x'], /io,stat,INTERVAL/],
    [['read', '-q', '-2', '-'], /standard input cannot be read twice/],
    [['read', '-q', cap, '-z', 'io,stat,0.000001'], /choose a larger interval/],
  ] as Array<[string[], RegExp]>) {
    const r = runCli(args, Buffer.alloc(0));
    assert.equal(r.status, 1, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, msg);
    assert.equal(r.stderr.trim().split('\n').length, 1);
  }
});
