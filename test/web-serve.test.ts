/**
 * `tcpscope serve` without a browser: 127.0.0.1 only, the Content-Security-Policy, nothing but
 * the viewer's files and the capture, foreign Host headers refused, the live-source hook (an
 * async iterable, a growing file), the CLI printing its URL; and the pcapng writer the export uses.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { appendFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI, runCli, SHARED } from './support/tshark.js';
import { CSP, startServer, type RunningServer } from '../cli/serve.js';
import { readCaptureSync } from '../src/capture/reader.js';
import { writePcapng } from '../src/capture/pcapng-write.js';
import { buildViewer } from './web-browser.js';

const HTTP_CLOSE = join(SHARED, 'scenarios', 'http-server-close.pcap');
const tmp = mkdtempSync(join(tmpdir(), 'tcpscope-serve-'));
let srv: RunningServer;

before(async () => {
  buildViewer();
  srv = await startServer({ file: HTTP_CLOSE });
});
after(async () => { await srv?.close(); });

/** A raw GET with a chosen Host header. */
function get(port: number, path: string, host = `127.0.0.1:${port}`): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers: { Host: host } }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (c: Buffer) => parts.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(parts) }));
    });
    req.on('error', reject);
    req.end();
  });
}

test('serves the viewer and the capture on 127.0.0.1 with a strict CSP', async () => {
  assert.match(srv.url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
  const addr = srv.server.address() as { address: string };
  assert.equal(addr.address, '127.0.0.1');
  const page = await get(srv.port, '/');
  assert.equal(page.status, 200);
  assert.equal(page.headers['content-security-policy'], CSP);
  assert.match(CSP, /default-src 'none'/);
  assert.match(CSP, /script-src 'self';/);
  assert.match(CSP, /connect-src 'self';/);
  assert.doesNotMatch(CSP, /unsafe-inline|unsafe-eval|https?:/);
  const html = page.body.toString('utf8');
  assert.match(html, /<script src="main.js"/);
  assert.doesNotMatch(html, /https?:\/\//, 'no external URL in the page');
  for (const f of ['main.js', 'worker.js', 'style.css']) {
    const r = await get(srv.port, `/${f}`);
    assert.equal(r.status, 200, f);
    assert.doesNotMatch(r.body.toString('utf8'), /https?:\/\/(?!www\.w3\.org\/2000\/svg)[a-z]/i, `${f} names no other host`);
  }
  const session = JSON.parse((await get(srv.port, '/session.json')).body.toString('utf8'));
  assert.deepEqual(session, { name: 'http-server-close.pcap', url: 'capture', live: false, size: readFileSync(HTTP_CLOSE).length });
  assert.deepEqual((await get(srv.port, '/capture')).body, readFileSync(HTTP_CLOSE));
});

test('refuses foreign Host headers, other paths and other methods', async () => {
  assert.equal((await get(srv.port, '/', 'evil.example:80')).status, 421);
  assert.equal((await get(srv.port, '/capture', `attacker.test:${srv.port}`)).status, 421);
  assert.equal((await get(srv.port, '/../package.json')).status, 404);
  assert.equal((await get(srv.port, '/%2e%2e/package.json')).status, 404);
  assert.equal((await get(srv.port, '/index.ts')).status, 404);
  const post = await fetch(`${srv.url}capture`, { method: 'POST', body: 'x' });
  assert.equal(post.status, 405);
});

test('live hook: an async iterable is replayed to every reader, then followed until it ends', async () => {
  const whole = readFileSync(HTTP_CLOSE);
  let release!: () => void;
  const gate = new Promise<void>((r) => { release = r; });
  async function* source(): AsyncGenerator<Uint8Array> {
    yield new Uint8Array(whole.subarray(0, 300));
    await gate;
    yield new Uint8Array(whole.subarray(300));
  }
  const live = await startServer({ source: source(), name: 'lab' });
  try {
    assert.deepEqual(JSON.parse((await get(live.port, '/session.json')).body.toString()), { name: 'lab', url: 'capture', live: true, size: 0 });
    const res = await fetch(`${live.url}capture`);
    const reader = res.body!.getReader();
    const first = await reader.read();
    assert.equal(first.value!.length, 300);
    release();
    const parts = [Buffer.from(first.value!)];
    for (let r = await reader.read(); !r.done; r = await reader.read()) parts.push(Buffer.from(r.value));
    assert.deepEqual(Buffer.concat(parts), whole);
    // A second page gets the whole capture from its first byte.
    assert.deepEqual(Buffer.from(await (await fetch(`${live.url}capture`)).arrayBuffer()), whole);
  } finally { await live.close(); }
});

test('live hook: a growing file is followed until the server closes', async () => {
  const whole = readFileSync(HTTP_CLOSE);
  const path = join(tmp, 'growing.pcap');
  writeFileSync(path, whole.subarray(0, 200));
  const live = await startServer({ source: { path, follow: true, pollMs: 20 } });
  try {
    const res = await fetch(`${live.url}capture`);
    const reader = res.body!.getReader();
    const got: Buffer[] = [];
    let n = 0;
    const t0 = Date.now();
    let appended = false;
    while (n < whole.length && Date.now() - t0 < 10_000) {
      const r = await reader.read();
      if (r.done) break;
      got.push(Buffer.from(r.value)); n += r.value.length;
      if (!appended) { appended = true; appendFileSync(path, whole.subarray(200)); }
    }
    assert.deepEqual(Buffer.concat(got), whole);
    void reader.cancel();
  } finally { await live.close(); }
});

test('tcpscope serve prints its 127.0.0.1 URL; a missing file is one line, exit 2', async () => {
  const child = spawn(process.execPath, [CLI, 'serve', HTTP_CLOSE, '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  try {
    const line = await new Promise<string>((resolve, reject) => {
      let out = '';
      const timer = setTimeout(() => reject(new Error(`no URL printed: ${out}`)), 15_000);
      child.stdout.on('data', (c: Buffer) => { out += c; if (out.includes('\n')) { clearTimeout(timer); resolve(out); } });
      child.on('exit', (code) => reject(new Error(`exited ${code}: ${out}`)));
    });
    const url = /(http:\/\/127\.0\.0\.1:\d+\/)/.exec(line)?.[1];
    assert.ok(url, line);
    assert.equal((await fetch(url!)).headers.get('content-security-policy'), CSP);
    assert.equal((await fetch(`${url}capture`)).status, 200);
  } finally { child.kill('SIGTERM'); }
  const missing = runCli(['serve', join(tmp, 'nope.pcap')]);
  assert.equal(missing.status, 2);
  assert.match(missing.stderr, /^tcpscope: cannot open ".*nope\.pcap": no such file or directory\n$/);
  const port = runCli(['serve', '--port', 'x']);
  assert.equal(port.status, 1);
  assert.equal(port.stderr.trim().split('\n').length, 1);
});

test('pcapng writer: frames written and read back are the same (bytes, times, lengths, link types)', () => {
  const src = readCaptureSync(new Uint8Array(readFileSync(join(SHARED, 'zeek_pcapng-multi-interface.pcapng'))));
  const more = readCaptureSync(new Uint8Array(readFileSync(join(SHARED, 'tcpdump_tcp-handshake-nano.pcap'))));
  const frames = [...src.frames, ...more.frames];
  assert.ok(frames.length > 5);
  const out = readCaptureSync(writePcapng(frames));
  assert.deepEqual(out.parser.problems, []);
  assert.equal(out.parser.info?.format, 'pcapng');
  assert.equal(out.frames.length, frames.length);
  out.frames.forEach((f, i) => {
    const g = frames[i]!;
    assert.deepEqual([f.tsSec, f.tsNsec, f.capLen, f.origLen, f.linkType], [g.tsSec, g.tsNsec, g.capLen, g.origLen, g.linkType], `frame ${i + 1}`);
    assert.deepEqual(Buffer.from(f.data), Buffer.from(g.data));
  });
  const p = join(tmp, 'written.pcapng');
  writeFileSync(p, writePcapng(frames));
  const read = runCli(['read', p]);
  assert.equal(read.status, 0, read.stderr);
  assert.equal(read.stdout.trim().split('\n').length, frames.length);
  assert.deepEqual(readCaptureSync(writePcapng([])).frames, []);
});
