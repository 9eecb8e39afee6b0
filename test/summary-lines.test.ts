/**
 * The default packet list, line for line against `tshark -r`: every scenario capture, the
 * zeek_/pcapplusplus_ captures with HTTP or TLS, the bundled sample and the crafted HTTP/TLS
 * connections of test/support/appcases.ts. http-server-close.pcap must agree byte for byte
 * (issue 2's "done when"); elsewhere the only lines allowed to differ are the reasoned
 * exceptions below (protocols tcpscope does not decode), and every line on which tshark
 * shows HTTP or TLS must agree.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { readdirSync } from 'node:fs';
import { hasTshark, REPO, runCli, runTshark, SHARED } from './support/tshark.js';
import { craftedCaptures } from './support/appcases.js';

/** Protocol columns of application protocols tcpscope does not decode: tshark's line differs by design. */
const NOT_DECODED = new Set(['POP', 'IRC', 'FTP', 'FTP-DATA', 'TELNET', 'DNS', 'MDNS', 'LLMNR', 'NBNS', 'NTP', 'GQUIC', 'DB-LSP-DISC/JSON', 'STP', 'ARP', 'PPTP', 'PPP', 'OCSP', 'DoH']);

/** Reviewed differences that are not about a protocol column. */
const EXCEPTIONS: Array<{ capture: string; frames: number[]; reason: string }> = [
  { capture: 'zeek_mixed-vlan-mpls.pcap', frames: range(34, 47), reason: 'F5 Ethernet trailer ("OUT s1/tmm1 : ") is not decoded' },
];

function range(a: number, b: number): number[] { const r: number[] = []; for (let i = a; i <= b; i++) r.push(i); return r; }

/** Split tshark's output into one record per frame (an info column may contain line breaks). */
function records(text: string): Map<number, string> {
  const out = new Map<number, string>();
  let cur: number | undefined;
  for (const line of text.split('\n')) {
    const m = /^ *(\d+) +-?\d+\.\d+ /.exec(line);
    if (m && (cur === undefined || Number(m[1]) === cur + 1)) { cur = Number(m[1]); out.set(cur, line); }
    else if (cur !== undefined && line !== '') out.set(cur, out.get(cur)! + '\n' + line);
  }
  return out;
}

const protoOf = (line: string): string => {
  const m = /^ *\d+ +-?\d+\.\d+ +.*? → +\S+ +(\S+) \d+ /.exec(line);
  return m ? m[1]! : '';
};
const isApp = (p: string): boolean => p.startsWith('HTTP') || p.startsWith('TLS') || p === 'SSLv3';

function captures(): Array<{ name: string; path: string }> {
  const list: Array<{ name: string; path: string }> = [];
  for (const f of readdirSync(join(SHARED, 'scenarios')).sort()) if (/\.pcap(ng)?$/.test(f)) list.push({ name: `scenarios/${f}`, path: join(SHARED, 'scenarios', f) });
  for (const f of readdirSync(SHARED).sort()) if (/^(zeek_|pcapplusplus_).*(http|tls|wikipedia|mixed|interfaces|max_seq|missing-syn)/.test(f) && /\.pcap(ng)?$/.test(f)) list.push({ name: f, path: join(SHARED, f) });
  list.push({ name: 'samples/http-get.pcap', path: join(REPO, 'samples/http-get.pcap') });
  return list.concat(craftedCaptures());
}

test('the default packet list agrees with tshark line for line', { skip: !hasTshark() && 'tshark is not installed' }, () => {
  let lines = 0, agreed = 0, excused = 0, appLines = 0, appAgreed = 0;
  const failures: string[] = [];
  for (const cap of captures()) {
    const ts = records(runTshark(['-n', '-r', cap.path]).stdout);
    const us = records(runCli(['read', cap.path]).stdout);
    let capAgreed = 0, capExcused = 0;
    for (const [n, t] of ts) {
      lines++;
      const u = us.get(n) ?? '';
      const proto = protoOf(t);
      const ex = NOT_DECODED.has(proto) || EXCEPTIONS.some((e) => e.capture === cap.name && e.frames.includes(n));
      if (isApp(proto) && !ex) { appLines++; if (t === u) appAgreed++; }
      if (t === u) { agreed++; capAgreed++; continue; }
      if (ex) { excused++; capExcused++; continue; }
      failures.push(`${cap.name} #${n}\n  tshark:   ${t}\n  tcpscope: ${u}`);
    }
    if (us.size !== ts.size) failures.push(`${cap.name}: tshark printed ${ts.size} packets, tcpscope ${us.size}`);
    if (cap.name === 'scenarios/http-server-close.pcap') {
      // issue 2: byte for byte
      assert.equal(runCli(['read', cap.path]).stdout, runTshark(['-n', '-r', cap.path]).stdout);
      assert.equal(capAgreed, ts.size);
    }
    if (capAgreed + capExcused < ts.size || capExcused) console.log(`  ${cap.name}: ${capAgreed}/${ts.size} lines agree, ${capExcused} excused`);
  }
  console.log(`summary lines: ${agreed}/${lines} lines agree with tshark (${((100 * agreed) / lines).toFixed(2)} %), ${excused} excused (protocols tcpscope does not decode); HTTP/TLS lines (not excused): ${appAgreed}/${appLines}`);
  assert.deepEqual(failures.slice(0, 20), [], 'lines that differ from tshark');
  assert.equal(appAgreed, appLines, 'every HTTP/TLS line agrees');
});
