/**
 * The progress bar (cli/progress.ts): shown on a terminal for a large file, never when stderr
 * is piped, never with --quiet, never for a small file, never when the packets go to the same
 * terminal. A pseudo-terminal comes from util-linux's `script`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI, SHARED } from './support/tshark.js';
import { PROGRESS_MIN_BYTES, progressWanted } from '../cli/progress.js';

const tmp = mkdtempSync(join(tmpdir(), 'tcpscope-progress-'));
const SMALL = join(SHARED, 'pcapplusplus_four_ipv6_http_streams.pcap');

/** A classic pcap larger than the bar's threshold: the records of SMALL repeated. */
function bigCapture(): string {
  const src = readFileSync(SMALL);
  assert.equal(src.readUInt32LE(0), 0xa1b2c3d4, 'SMALL is a little-endian µs pcap');
  const body = src.subarray(24);
  const copies = Math.ceil((PROGRESS_MIN_BYTES * 1.5) / body.length);
  const out = Buffer.concat([src.subarray(0, 24), ...Array.from({ length: copies }, () => body)]);
  const file = join(tmp, 'big.pcap');
  writeFileSync(file, out);
  return file;
}
const BIG = bigCapture();

/** Runs a shell command line under a pseudo-terminal; returns what the terminal showed. */
function onTerminal(cmdline: string): { status: number; screen: string } {
  const log = join(tmp, `tty-${Math.random().toString(36).slice(2)}.log`);
  const r = spawnSync('script', ['-q', '-e', '-c', cmdline, log], { encoding: 'utf8', timeout: 120_000, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, LANG: 'C', TCPSCOPE_NO_PROGRESS: '' } });
  assert.equal(r.error, undefined, `script: ${r.error?.message}`);
  return { status: r.status ?? -1, screen: readFileSync(log, 'utf8') };
}

const q = (s: string): string => `'${s.replaceAll("'", "'\\''")}'`;
const node = q(process.execPath);
const cli = q(CLI);
const BAR = /\d+%\s+\d+ MB of \d+ MB\s+[\d,]+ packets\s+[\d,]+ connections\s+[\d.]+ MB\/s\s+ETA/;

test('the input is large enough for a bar', () => {
  assert.ok(statSync(BIG).size > PROGRESS_MIN_BYTES);
  assert.ok(statSync(SMALL).size < PROGRESS_MIN_BYTES);
});

test('conns on a terminal shows the bar on stderr; stdout keeps only the table', () => {
  const out = join(tmp, 'conns.txt');
  const r = onTerminal(`${node} ${cli} conns ${q(BIG)} > ${q(out)}`);
  assert.equal(r.status, 0, r.screen);
  assert.match(r.screen, BAR);
  const table = readFileSync(out, 'utf8');
  assert.ok(table.length > 0);
  assert.doesNotMatch(table, /ETA|\u2591|\u2588/);
});

test('read -q -z conv,tcp on a terminal shows the bar; the statistics follow it', () => {
  const r = onTerminal(`${node} ${cli} read -q -z conv,tcp ${q(BIG)}`);
  assert.equal(r.status, 0, r.screen);
  assert.match(r.screen, BAR);
  assert.match(r.screen, /TCP Conversations/);
});

test('no bar with --quiet', () => {
  const c = onTerminal(`${node} ${cli} conns --quiet ${q(BIG)} > /dev/null`);
  assert.equal(c.status, 0, c.screen);
  assert.doesNotMatch(c.screen, BAR);
  const r = onTerminal(`${node} ${cli} read --quiet -q -z conv,tcp ${q(BIG)}`);
  assert.equal(r.status, 0, r.screen);
  assert.doesNotMatch(r.screen, BAR);
  assert.match(r.screen, /TCP Conversations/);
});

test('no bar when stderr is piped', () => {
  const r = spawnSync(process.execPath, [CLI, 'conns', BIG], { encoding: 'utf8', maxBuffer: 1 << 28 });
  assert.equal(r.status, 0);
  assert.equal(r.stderr, '');
  // Also under a terminal, with only stderr redirected.
  const err = join(tmp, 'err.txt');
  const t = onTerminal(`${node} ${cli} conns ${q(BIG)} > /dev/null 2> ${q(err)}`);
  assert.equal(t.status, 0, t.screen);
  assert.equal(readFileSync(err, 'utf8'), '');
  assert.doesNotMatch(t.screen, BAR);
});

test('no bar for a small file, nor when the packet lines go to the same terminal', () => {
  const s = onTerminal(`${node} ${cli} conns ${q(SMALL)} > /dev/null`);
  assert.equal(s.status, 0, s.screen);
  assert.doesNotMatch(s.screen, BAR);
  const r = onTerminal(`${node} ${cli} read -c 20000 ${q(BIG)}`);
  assert.equal(r.status, 0, r.screen.slice(-500));
  assert.doesNotMatch(r.screen, BAR);
});

test('progressWanted: the rules, without a terminal', () => {
  const tty = { isTTY: true } as NodeJS.WriteStream;
  const pipe = { isTTY: false } as NodeJS.WriteStream;
  const saved = process.env.TCPSCOPE_NO_PROGRESS;
  delete process.env.TCPSCOPE_NO_PROGRESS;
  try {
    assert.equal(progressWanted(BIG, { stderr: tty, stdoutIsTTY: false }), statSync(BIG).size);
    assert.equal(progressWanted(BIG, { stderr: pipe }), undefined);
    assert.equal(progressWanted(BIG, { stderr: tty, quiet: true }), undefined);
    assert.equal(progressWanted(BIG, { stderr: tty, streamsToStdout: true, stdoutIsTTY: true }), undefined);
    assert.equal(progressWanted(BIG, { stderr: tty, streamsToStdout: true, stdoutIsTTY: false }), statSync(BIG).size);
    assert.equal(progressWanted(SMALL, { stderr: tty }), undefined);
    assert.equal(progressWanted('-', { stderr: tty }), undefined);
    // gzip: the total would be the compressed size, so no bar.
    const gz = join(tmp, 'big.gz');
    const data = Buffer.alloc(PROGRESS_MIN_BYTES + 10);
    data[0] = 0x1f; data[1] = 0x8b;
    writeFileSync(gz, data);
    assert.equal(progressWanted(gz, { stderr: tty, stdoutIsTTY: false }), undefined);
  } finally {
    if (saved !== undefined) process.env.TCPSCOPE_NO_PROGRESS = saved;
  }
});
