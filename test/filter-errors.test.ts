/**
 * Display-filter errors: the reason and the column, compared with tshark's own error where
 * the wording is Wireshark's; the command line's one-line message; random text never gets
 * anything but a FilterError. And properties of compiled filters on real records: De Morgan,
 * double negation, xor.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { hasTshark, runCli, runTshark, SHARED } from './support/tshark.js';
import { compileFilter, FilterError } from '../src/filter/index.js';
import { analyze, lookupField, type PacketRecord } from '../src/index.js';

/**
 * tshark: 'same'    tshark rejects it with this very sentence, at this column
 *         'column'  tshark rejects it at the same column, in other words
 *         'rejects' tshark rejects it too (no column, or its own idea of where)
 *         'ours'    tshark accepts it; tcpscope refuses what it does not implement, and says so
 */
interface Case { filter: string; column: number; message: RegExp; tshark: 'same' | 'column' | 'rejects' | 'ours' }

const CASES: Case[] = [
  { filter: 'tcp.flags.sin==1', column: 1, message: /^"tcp\.flags\.sin" is not a valid protocol or protocol field \(did you mean .*"tcp\.flags\.syn"/, tshark: 'column' },
  { filter: 'tcp.flags.sin', column: 1, message: /^"tcp\.flags\.sin" is not a valid protocol or protocol field/, tshark: 'column' },
  { filter: 'tcp.flags.syn == 1 && tcp.flgs.ack == 0', column: 23, message: /^"tcp\.flgs\.ack" is not a valid protocol or protocol field \(did you mean "tcp\.flags\.ack"/, tshark: 'column' },
  { filter: 'tcp.port == tcp.portt', column: 13, message: /^"tcp\.portt" is not a valid protocol or protocol field \(did you mean "tcp\.port"/, tshark: 'column' },
  { filter: 'Tcp', column: 1, message: /^"Tcp" is not a valid protocol or protocol field/, tshark: 'column' },
  { filter: '(tcp.port == 80', column: 16, message: /^Unexpected end of filter expression\. The "\(" at column 1 is not closed\.$/, tshark: 'rejects' },
  { filter: '((tcp) && (ip)', column: 15, message: /^Unexpected end of filter expression\. The "\(" at column 1 is not closed/, tshark: 'rejects' },
  { filter: 'tcp.port == 80 )', column: 16, message: /^"\)" was unexpected in this context\. There is no "\(" to close\.$/, tshark: 'column' },
  { filter: 'tcp.port == 80 &&', column: 18, message: /^Unexpected end of filter expression\.$/, tshark: 'rejects' },
  { filter: 'tcp.port ==', column: 12, message: /^Unexpected end of filter expression\.$/, tshark: 'rejects' },
  { filter: 'tcp.port = 80', column: 10, message: /^"=" was unexpected in this context \(did you mean "=="\?\)\.$/, tshark: 'column' },
  { filter: 'tcp.port == 80 80', column: 16, message: /^"80" was unexpected in this context\.$/, tshark: 'same' },
  { filter: 'tcp AND ip', column: 5, message: /^"AND" was unexpected in this context\.$/, tshark: 'same' },
  { filter: 'tcp.port EQ 80', column: 10, message: /^"EQ" was unexpected in this context\.$/, tshark: 'same' },
  { filter: 'tcp.port == 80 ^ 1', column: 16, message: /^"\^" was unexpected in this context\.$/, tshark: 'same' },
  { filter: 'tcp.port in {80 443}', column: 17, message: /^"443" was unexpected in this context\. Set elements are separated by commas/, tshark: 'column' },
  { filter: 'tcp.port == (80)', column: 13, message: /^"\(" was unexpected in this context\. Arithmetic is grouped with \{ \}/, tshark: 'column' },
  { filter: 'frame.number == 1..3', column: 18, message: /^"\.\." was unexpected in this context\.$/, tshark: 'same' },
  { filter: 'ip.addr == "foo"', column: 12, message: /^IPv4 address cannot be converted from a string \("foo"\)\.$/, tshark: 'same' },
  { filter: 'frame.time_relative == "0.06"', column: 24, message: /^Time offset cannot be converted from a string \("0\.06"\)\.$/, tshark: 'same' },
  { filter: 'tcp.port == 0x', column: 13, message: /^"0x" is not a valid number\.$/, tshark: 'same' },
  { filter: 'tcp.port == 08', column: 13, message: /^"08" is not a valid number\.$/, tshark: 'same' },
  { filter: 'tcp.port == 1.5', column: 13, message: /^"1\.5" is not a valid number\.$/, tshark: 'same' },
  { filter: 'tcp.port == 80abc', column: 13, message: /^"80abc" is not a valid number\.$/, tshark: 'same' },
  { filter: 'tcp.port == 99999', column: 13, message: /^"99999" too big for this field, maximum 65535\.$/, tshark: 'same' },
  { filter: 'frame.number == 4294967296', column: 17, message: /^"4294967296" too big for this field, maximum 4294967295\.$/, tshark: 'same' },
  { filter: 'ip.src == 192.150.187.43/33', column: 11, message: /^Netmask bits in a CIDR IPv4 address should be <= 32, not 33\.$/, tshark: 'column' },
  { filter: 'ip.src == 10.0.0.300', column: 11, message: /^"10\.0\.0\.300" is not a valid IPv4 address\.$/, tshark: 'column' },
  { filter: 'ip.addr == www.example.com', column: 12, message: /does not look up host names/, tshark: 'column' },
  { filter: 'eth.src == 00:00:00', column: 12, message: /^"00:00:00" contains too few bytes to be a valid Ethernet address\.$/, tshark: 'same' },
  { filter: 'ipv6.addr == 1::2::3', column: 14, message: /^"1::2::3" is not a valid IPv6 address\.$/, tshark: 'rejects' },
  { filter: 'tcp.payload contains 0x4745', column: 22, message: /^"0x4745" is not a valid byte string\.$/, tshark: 'same' },
  { filter: 'tcp.payload contains "abc', column: 22, message: /^The final quote was missing from a quoted string\.$/, tshark: 'rejects' },
  { filter: 'tcp.payload contains "\\q"', column: 23, message: /^\\q is not a valid character escape sequence\.$/, tshark: 'column' },
  { filter: 'tcp.payload contains "\\400"', column: 23, message: /^\\400 is larger than 255\.$/, tshark: 'column' },
  { filter: 'tcp.payload contains "\\u0047ET"', column: 23, message: /^\\u0047 is not a valid universal character name\.$/, tshark: 'column' },
  { filter: "tcp.srcport == 'PP'", column: 16, message: /^'PP' is too long to be a valid character constant\.$/, tshark: 'same' },
  { filter: "tcp.srcport == ''", column: 16, message: /^Empty character constant\.$/, tshark: 'same' },
  { filter: 'ip.src contains c0', column: 1, message: /^ip\.src \(type=IPv4 address\) cannot participate in contains comparison\.$/, tshark: 'same' },
  { filter: 'tcp.srcport matches "80"', column: 1, message: /^tcp\.srcport \(type=Unsigned integer \(2 bytes\)\) cannot participate in matches comparison\.$/, tshark: 'same' },
  { filter: 'tcp.payload matches GET', column: 21, message: /^Matches requires a double quoted string on the right side\.$/, tshark: 'same' },
  { filter: 'tcp.payload matches "("', column: 21, message: /^Regex compilation error: missing closing parenthesis\.$/, tshark: 'rejects' },
  { filter: 'tcp.srcport[0:1] == 00', column: 1, message: /^"tcp\.srcport" is a Unsigned integer \(2 bytes\) and cannot be sliced into a sequence of bytes\.$/, tshark: 'same' },
  { filter: 'tcp.payload[0:0]', column: 13, message: /^Range 0:0 isn't valid because length 0 isn't positive\.$/, tshark: 'column' },
  { filter: 'tcp.payload[3-1]', column: 13, message: /^Range 3-1 isn't valid because 3 is greater or equal than 1\.$/, tshark: 'column' },
  { filter: 'tcp.srcport == frame.time_relative', column: 16, message: /^tcp\.srcport and frame\.time_relative are not of compatible types\.$/, tshark: 'same' },
  { filter: 'tcp.flags.syn == true', column: 18, message: /^"true" is not a valid boolean: use True, False, 1 or 0\.$/, tshark: 'column' },
  { filter: '1 == tcp.port', column: 1, message: /^Left side of "==" expression must be a field or function, not 1\.$/, tshark: 'same' },
  { filter: '1 + tcp.srcport == 81', column: 1, message: /^Constant arithmetic expression on the LHS is invalid\.$/, tshark: 'same' },
  { filter: 'len(tcp.payload)', column: 1, message: /^You cannot test whether a function is present/, tshark: 'column' },
  { filter: 'upper(tcp.payload) contains "GET"', column: 7, message: /^Only string type fields can be used as parameter for upper\(\)\.$/, tshark: 'column' },
  { filter: 'string(frame.time_relative) contains "."', column: 8, message: /^String conversion for field "frame\.time_relative" is not supported\.$/, tshark: 'column' },
  { filter: 'tcp.payload[0:2] in {47:45}', column: 1, message: /^Only a field may be tested for membership in a set\.$/, tshark: 'rejects' },
  { filter: 'ip.src + 1 == 1.2.3.4', column: 1, message: /^ip\.src \(IPv4 address\) cannot be used with "\+"\.$/, tshark: 'column' },
  { filter: 'tcp.flags.syn & 1', column: 1, message: /^tcp\.flags\.syn \(Boolean\) cannot be used with "&"\.$/, tshark: 'column' },
  { filter: 'frame.time_delta * 2 > 0.1', column: 1, message: /^frame\.time_delta \(Time offset\) cannot be used with "\*"\.$/, tshark: 'column' },
  { filter: "frame.len > '\\n'", column: 13, message: /^'\\n' is too long to be a valid character constant/, tshark: 'column' },
  { filter: 'nosuch(tcp.port) == 1', column: 1, message: /^The function "nosuch" does not exist/, tshark: 'rejects' },
  // what tcpscope does not implement is an error, never a different answer
  { filter: 'ip.addr#2 == 10.0.0.1', column: 8, message: /^The layer operator "#" .* is not supported by tcpscope/, tshark: 'ours' },
  { filter: 'tcp.srcport == ${tcp.dstport}', column: 16, message: /^Field references \(\$\{field\}\) .* not supported/, tshark: 'ours' },
  { filter: 'ipv6.src & ::ff == ::5', column: 1, message: /^"&" on IPv6 addresses is not supported by tcpscope/, tshark: 'ours' },
  { filter: 'len(tcp) == 20', column: 5, message: /^len\(\) of a protocol is not supported by tcpscope/, tshark: 'ours' },
  { filter: 'len(tcp.flags) == 2', column: 5, message: /^len\(\) needs a string, byte or address field/, tshark: 'ours' },
  { filter: 'frame matches "(?>GET)"', column: 15, message: /^Regex compilation error: atomic groups \(\?>…\) are not supported/, tshark: 'ours' },
  { filter: 'frame matches "a++"', column: 15, message: /^Regex compilation error: possessive quantifiers/, tshark: 'ours' },
  { filter: 'frame matches "(.)\\\\1"', column: 15, message: /^Regex compilation error: backreferences are not supported under case-insensitive matching/, tshark: 'ours' },
  { filter: 'frame matches "\\\\p{L}"', column: 15, message: /^Regex compilation error: \\p \(Unicode properties\) is not supported/, tshark: 'ours' },
];

const LABEL_CASES: Case[] = [
  { filter: 'tcp.analysis.retransmission == 1', column: 1, message: /^tcp\.analysis\.retransmission \(type=Label\) cannot participate in == comparison/, tshark: 'column' },
  { filter: 'tcp.analysis.flags contains 00', column: 1, message: /^tcp\.analysis\.flags \(type=Label\) cannot participate in contains comparison/, tshark: 'column' },
];

function compileError(filter: string): FilterError {
  try {
    compileFilter(filter);
  } catch (e) {
    if (e instanceof FilterError) return e;
    throw e;
  }
  assert.fail(`expected ${JSON.stringify(filter)} to be rejected`);
}

/** tshark's error: its sentence and the column of its caret (if it drew one). */
function tsharkError(filter: string): { text: string; column?: number } | undefined {
  const r = runTshark(['-n', '-r', join(SHARED, 'zeek_http_get.pcap'), '-Y', filter, '-c', '1']);
  if (r.status === 0) return undefined;
  const lines = r.stderr.split('\n').filter((l) => !l.startsWith('Running as user'));
  const i = lines.findIndex((l) => l.startsWith('tshark: '));
  const caret = lines.slice(i + 1).find((l) => /^ {4}\s*\^/.test(l));
  return { text: lines[i]!.slice('tshark: '.length), column: caret ? caret.indexOf('^') - 4 + 1 : undefined };
}

test('bad filters: the reason and the column', () => {
  const cases = [...CASES, ...LABEL_CASES.filter((c) => lookupField(c.filter.split(' ')[0]!)?.type === 'none')];
  for (const c of cases) {
    const e = compileError(c.filter);
    assert.match(e.message, c.message, c.filter);
    assert.equal(e.column, c.column, `column of the error in ${c.filter}: ${e.message}`);
    assert.ok(!e.message.includes('\n'), 'one line');
  }
});

test('bad filters: tshark rejects them too, at the same place', { skip: !hasTshark() && 'tshark is not installed' }, () => {
  const cases = [...CASES, ...LABEL_CASES.filter((c) => lookupField(c.filter.split(' ')[0]!)?.type === 'none')];
  let same = 0, columns = 0;
  for (const c of cases) {
    const t = tsharkError(c.filter);
    const ours = compileError(c.filter);
    if (c.tshark === 'ours') { assert.equal(t, undefined, `tshark accepts ${c.filter}`); continue; }
    assert.ok(t, `tshark should reject ${c.filter}`);
    if (c.tshark === 'same') {
      // Our sentence may add a hint after Wireshark's.
      assert.ok(ours.message.startsWith(t!.text.replace(/\.$/, '')), `${c.filter}\n  tshark:   ${t!.text}\n  tcpscope: ${ours.message}`);
      same++;
    }
    if ((c.tshark === 'same' || c.tshark === 'column') && t!.column !== undefined) {
      assert.equal(ours.column, t!.column, `${c.filter}: tshark points at column ${t!.column} (${t!.text})`);
      columns++;
    }
  }
  console.log(`filter errors: ${cases.length} cases; ${same} worded as tshark words them, ${columns} at tshark's column`);
});

test('read -Y: a bad filter is one line on stderr, exit 1, no stack trace', () => {
  for (const [filter, want] of [
    ['tcp.flags.sin==1', `tcpscope: -Y 'tcp.flags.sin==1': column 1: "tcp.flags.sin" is not a valid protocol or protocol field`],
    ['tcp.port = 80', `tcpscope: -Y 'tcp.port = 80': column 10: "=" was unexpected in this context`],
    ['(tcp', `tcpscope: -Y '(tcp': column 5: Unexpected end of filter expression.`],
  ] as const) {
    const r = runCli(['read', join(SHARED, 'zeek_http_get.pcap'), '-Y', filter]);
    assert.equal(r.status, 1, filter);
    assert.equal(r.stdout, '');
    const lines = r.stderr.trim().split('\n');
    assert.equal(lines.length, 1, r.stderr);
    assert.ok(lines[0]!.startsWith(want), lines[0]);
  }
});

test('random text is a filter or a FilterError, nothing else', () => {
  const pieces = ['tcp', 'ip.addr', 'tcp.port', 'frame', 'tcp.payload', '==', '!=', '===', '~=', '<', '>=', ' ', '(', ')', '{', '}', '[', ']',
    ':', '-', '..', ',', '"', "'", '\\', 'and', 'or', 'not', '!', '&&', '||', 'in', 'contains', 'matches', '80', '0x1f', '10.0.0.0/8',
    '::1', 'aa:bb', '+', '*', '/', '%', '&', '#', '$', 'len(', 'count(', 'upper(', 'max(', 'True', 'r"', 'é', '\u0000'];
  fc.assert(fc.property(fc.array(fc.constantFrom(...pieces), { maxLength: 12 }), (parts) => {
    const text = parts.join('');
    try {
      compileFilter(text);
    } catch (e) {
      if (!(e instanceof FilterError)) throw e;
      assert.ok(e.column >= 1 && e.column <= text.length + 1, `column ${e.column} in ${JSON.stringify(text)}`);
    }
  }), { numRuns: 3000 });
  fc.assert(fc.property(fc.string({ maxLength: 40 }), (text) => {
    try { compileFilter(text); } catch (e) { if (!(e instanceof FilterError)) throw e; }
  }), { numRuns: 3000 });
});

test('huge filters: long chains work, deep nesting is a FilterError, never a stack overflow', async () => {
  const recs = await load('zeek_http_get.pcap');
  const long = compileFilter(Array(50000).fill('tcp.port == 80').join(' && ') + ' && frame.number == 4');
  assert.deepEqual(recs.filter((r) => long.matches(r)).map((r) => r.packet.frame.number), [4]);
  const wide = compileFilter(`frame.number in {${Array.from({ length: 20000 }, (_, i) => i + 100).join(', ')}, 3}`);
  assert.deepEqual(recs.filter((r) => wide.matches(r)).map((r) => r.packet.frame.number), [3]);
  for (const deep of ['('.repeat(5000) + 'tcp' + ')'.repeat(5000), '!'.repeat(5000) + 'tcp', 'tcp.port == ' + '-'.repeat(5000) + '1',
    'tcp.port == ' + Array(5000).fill('1').join(' + '), 'tcp.port == ' + '{'.repeat(5000) + '1' + '}'.repeat(5000)]) {
    assert.throws(() => compileFilter(deep), (e: unknown) => e instanceof FilterError && /nested too deeply|too long/.test(e.message));
  }
});

// ---------------------------------------------------------------------------------------------
// Properties on real records

async function load(name: string): Promise<PacketRecord[]> {
  const out: PacketRecord[] = [];
  for await (const r of analyze(new Uint8Array(readFileSync(join(SHARED, name))))) out.push(r);
  return out;
}

/** Tests of every kind: multi-valued fields, missing fields, slices, sets, matches, arithmetic. */
const ATOMS = [
  'tcp', 'udp', 'ipv6', 'vlan', 'tcp.flags.syn == 1', 'tcp.flags.ack == 1', 'tcp.len > 0', 'tcp.port == 80', 'tcp.port != 80',
  'ip.addr == 141.142.228.5', 'ip.addr != 141.142.228.5', 'ip.addr ~= 141.142.228.5', 'ip.addr === 141.142.228.5',
  'ip.addr == 10.0.0.0/8', 'ipv6.addr == 2001:470::/32', 'frame contains "GET"', 'tcp contains "HTTP"', 'tcp.payload[0:1] == 47',
  'tcp.payload matches "^http"', 'tcp.port in {80, 443, 1000..2000}', 'tcp.port not in {80}', 'frame.time_relative > 0.1',
  'tcp.srcport > tcp.dstport', 'len(tcp.payload) > 100', 'tcp.flags & 0x11', 'vlan.id != 4093', 'eth.addr == ff:ff:ff:ff:ff:ff',
  'frame.number in {1..5}', 'tcp.window_size_scalefactor == -1', 'all tcp.port > 1024', 'mpls.label == 29', 'frame.len < 100',
];

const expr: fc.Arbitrary<string> = fc.letrec((tie) => ({
  e: fc.oneof({ depthSize: 'small', withCrossShrink: true },
    fc.constantFrom(...ATOMS),
    fc.tuple(tie('e'), fc.constantFrom(' && ', ' || ', ' and ', ' or ', ' xor '), tie('e')).map(([a, op, b]) => `(${a})${op}(${b})`),
    tie('e').map((a) => `!(${a})`)),
})).e as fc.Arbitrary<string>;

test('compiled filters obey De Morgan, double negation and xor on real records', async () => {
  const records = [...await load('zeek_http_get.pcap'), ...await load('zeek_wikipedia.pcap'), ...await load('zeek_mixed-vlan-mpls.pcap'), ...await load('zeek_ftp_ipv6.pcap')];
  assert.ok(records.length > 300);
  const eq = (x: string, y: string): void => {
    const f = compileFilter(x), g = compileFilter(y);
    for (const r of records) {
      if (f.matches(r) !== g.matches(r)) assert.fail(`frame ${r.packet.frame.number}: "${x}" is ${f.matches(r)} but "${y}" is ${g.matches(r)}`);
    }
  };
  fc.assert(fc.property(expr, expr, (a, b) => {
    eq(`!((${a}) && (${b}))`, `!(${a}) || !(${b})`);
    eq(`not ((${a}) or (${b}))`, `not (${a}) and not (${b})`);
    eq(`!!(${a})`, `${a}`);
    eq(`(${a}) xor (${b})`, `((${a}) || (${b})) && !((${a}) && (${b}))`);
  }), { numRuns: 150 });
  // Each atom also selects something on some record and rejects something: the property is not vacuous.
  const alwaysSame = ATOMS.filter((a) => { const f = compileFilter(a); const v = records.map((r) => f.matches(r)); return v.every((x) => x === v[0]); });
  assert.ok(alwaysSame.length <= 4, `atoms that never change: ${alwaysSame.join(', ')}`);
});

test('xor and ^^ (Wireshark 4.2 syntax, accepted by tcpscope) bind between and and or', async () => {
  const records = await load('zeek_http_get.pcap');
  const frames = (f: string): number[] => { const c = compileFilter(f); return records.filter((r) => c.matches(r)).map((r) => r.packet.frame.number); };
  assert.deepEqual(frames('tcp.len > 0 xor tcp.flags.syn == 1'), [1, 2, 4, 6, 7, 8, 9]);
  assert.deepEqual(frames('tcp.len > 0 ^^ tcp.flags.syn == 1'), frames('tcp.len > 0 xor tcp.flags.syn == 1'));
  // a or b xor c and d  ==  a or (b xor (c and d))
  assert.deepEqual(frames('frame.number == 1 or frame.number == 2 xor frame.number > 0 and frame.number < 4'), [1, 3]);
});
