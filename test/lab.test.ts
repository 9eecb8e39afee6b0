/**
 * `tcpscope lab`, for real: every scenario runs on this machine's kernel TCP (CI runs as root, so
 * inside a private network namespace) and its verdict must match the scenario's expectation;
 * the JSON's `observed` is exactly the `conns --json` record of the saved capture; socket calls
 * sit on the capture's clock; `lab --url` against a local server; English and Chinese text; the
 * message when no capture engine is installed. Every run is bounded by a timeout.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI, runCli, runTshark } from './support/tshark.js';
import { displayWidth } from '../src/render/text.js';

const tmp = mkdtempSync(join(tmpdir(), 'tcpscope-lab-'));
chmodSync(tmp, 0o777); // the unprivileged-user run writes its capture here
after(() => rmSync(tmp, { recursive: true, force: true }));

function lab(args: string[], env: NodeJS.ProcessEnv = process.env): { stdout: string; stderr: string; status: number | null } {
  const r = spawnSync(process.execPath, [CLI, 'lab', ...args], { encoding: 'utf8', timeout: 90_000, env: { ...env, LANG: 'C' }, maxBuffer: 1 << 26 });
  return { stdout: r.stdout, stderr: r.stderr, status: r.status };
}

/** Run the lab; when the kernel did something else (exit 7), run it again, at most MAX_ATTEMPTS runs in all. */
function labUntilOk(args: string[], note: (m: string) => void): ReturnType<typeof lab> {
  let r = lab(args);
  for (let attempt = 2; attempt <= MAX_ATTEMPTS && r.status === 7; attempt++) {
    note(`run ${attempt - 1} not as expected: ${r.stdout.split('\n').find((l) => /differences|NOT as expected/.test(l)) ?? ''}`);
    r = lab(args);
  }
  return r;
}

interface LabJson {
  scenario: string; capture: string; ok: boolean; differences?: string[];
  network: { mode: string; mtu: number | null; offloads_off: boolean };
  expected: { handshake: string; teardown: string | null; active_closer: string | null; requests?: number };
  observed: { stream: number; handshake: { kind: string }; teardown: { kind: string; active_closer: string | null }; client: { port: number }; server: { port: number } };
  http_requests: number;
  socket_events: Array<{ side: string; call: string; time: number; since_first_packet?: number }>;
}

/** Runs of one scenario before its verdict counts (see the test). */
const MAX_ATTEMPTS = 3;

const EXPECT: Record<string, [string, string, string | null]> = {
  'server-close': ['three-way', 'three-way-merged-fin-ack', 'server'],
  'client-close': ['three-way', 'four-way', 'client'],
  'half-close': ['three-way', 'half-close', 'client'],
  'rst-abort': ['three-way', 'rst-abort', 'client'],
  refused: ['refused', 'none', null],
  'keep-alive': ['three-way', 'three-way-merged-fin-ack', 'server'],
  'simultaneous-close': ['three-way', 'simultaneous-close', 'both'],
};

for (const [scenario, [hs, td, closer]] of Object.entries(EXPECT)) {
  test(`lab --scenario ${scenario}: the real connection matches the expectation`, (t) => {
    const file = join(tmp, `${scenario}.pcapng`);
    // Real kernel timing on a shared machine: a scenario whose application was descheduled past
    // a kernel timer (the 40 ms delayed ACK) is run again, at most twice more; each miss is logged.
    const r = labUntilOk(['--scenario', scenario, '--json', '-w', file], (m) => t.diagnostic(m));
    assert.ok(r.stdout, `no output: ${r.stderr}`);
    const j = JSON.parse(r.stdout) as LabJson;
    assert.equal(j.scenario, scenario);
    assert.equal(j.capture, file);
    assert.deepEqual([j.expected.handshake, j.expected.teardown, j.expected.active_closer], [hs, td, closer]);
    assert.deepEqual([j.observed.handshake.kind, j.observed.teardown.kind, j.observed.teardown.active_closer], [hs, td, closer],
      `${scenario}: ${JSON.stringify(j.differences)}`);
    assert.equal(j.ok, true);
    assert.equal(r.status, 0, r.stderr);
    if (scenario === 'keep-alive') assert.equal(j.http_requests, 2);
    else if (scenario !== 'refused') assert.equal(j.http_requests, 1);
    // CI runs as root: a private namespace with lo at 1500 and the offloads off.
    assert.equal(j.network.mode, 'netns-root');
    assert.equal(j.network.mtu, 1500);
    assert.equal(j.network.offloads_off, true);
    // observed is the conns --json record of the saved capture, exactly.
    const conns = JSON.parse(runCli(['conns', file, '--json']).stdout) as Array<{ stream: number }>;
    assert.deepEqual(j.observed, conns.find((c) => c.stream === j.observed.stream));
    // tshark reads the saved capture too.
    const ts = runTshark(['-r', file]);
    assert.equal(ts.status, 0, ts.stderr);
    // Socket calls: on the capture's clock, in order, the ones each scenario makes.
    const calls = j.socket_events.map((e) => `${e.side} ${e.call}`);
    assert.ok(calls.includes('client connect() called'));
    const times = j.socket_events.map((e) => e.time);
    assert.deepEqual([...times].sort((a, b) => a - b), times, 'recorded in time order');
    for (const e of j.socket_events) assert.ok(Math.abs(e.since_first_packet!) < 10, `${e.call} within 10 s of the first packet`);
    if (scenario === 'refused') {
      assert.ok(calls.includes('client connect() failed'));
      return;
    }
    for (const c of ['client connect()', 'server accept()', 'client write()', 'server write()']) assert.ok(calls.includes(c), `${c} in ${calls.join(', ')}`);
    // connect() cannot return before the SYN/ACK arrived; accept() not before the third handshake packet.
    const at = (c: string): number => j.socket_events.find((e) => `${e.side} ${e.call}` === c)!.since_first_packet!;
    const tl = runCli(['read', file, '-T', 'fields', '-e', 'frame.time_relative']).stdout.trim().split('\n').map(Number);
    assert.ok(at('client connect()') >= tl[1]! - 0.0005, `connect() at ${at('client connect()')} s, SYN/ACK at ${tl[1]} s`);
    assert.ok(at('server accept()') >= tl[2]! - 0.0005, `accept() at ${at('server accept()')} s, ACK at ${tl[2]} s`);
    if (scenario === 'rst-abort') assert.ok(calls.includes('client close() with SO_LINGER 0'));
    if (scenario === 'half-close' || scenario === 'client-close') assert.ok(calls.includes('client shutdown()'));
  });
}

test('lab (no argument) in English and Chinese: the checked expectation, the socket calls and the explanation', (t) => {
  const en = labUntilOk(['-w', join(tmp, 'default-en.pcapng')], (m) => t.diagnostic(m));
  assert.equal(en.status, 0, en.stderr);
  assert.match(en.stdout, /^tcpscope lab: server-close \(the server closes first\)/);
  assert.match(en.stdout, /private network namespace \(unshare --net, as root\): lo at MTU 1500, TSO\/GSO\/GRO off/);
  assert.match(en.stdout, /as expected\./);
  assert.match(en.stdout, /server accept\(\): \d+\.\d{3} ms after frame 3 \(ACK\)/);
  assert.match(en.stdout, /Three packets, not four/);
  assert.match(en.stdout, /Ladder diagram/);
  const zh = labUntilOk(['--lang', 'zh-CN', '-w', join(tmp, 'default-zh.pcapng')], (m) => t.diagnostic(m));
  assert.equal(zh.status, 0, zh.stderr);
  assert.match(zh.stdout, /^tcpscope 实验：server-close（服务器先关闭）/);
  assert.match(zh.stdout, /与预期一致。/);
  assert.match(zh.stdout, /服务器 accept\(\)：在帧 3（ACK）之后 \d+\.\d{3} ms/);
  assert.match(zh.stdout, /三次握手/);
  // The verdicts in Chinese words, not the JSON names; the drop counts too.
  assert.match(zh.stdout, /预期：握手 三次握手，挥手 三次挥手，主动关闭方 服务器，1 个 HTTP 请求/);
  assert.match(zh.stdout, /内核丢弃 \d+ 个/);
  // Not a terminal: sentences wrap at 100 columns; the ladder of socket calls fits 80.
  for (const out of [en.stdout, zh.stdout]) {
    const lines = out.split('\n');
    const over = lines.filter((l) => displayWidth(l) > 100);
    assert.deepEqual(over, []);
    const ladderEnd = lines.findIndex((l) => /^\s+\d+\.\d{3}\s+▸ close\(\)/.test(l));
    assert.ok(ladderEnd > 0, 'the client\'s close() ends the ladder of socket calls');
    const ladderStart = lines.findIndex((l) => /SYN ─/.test(l)) - 2;
    assert.deepEqual(lines.slice(ladderStart, ladderEnd + 1).filter((l) => displayWidth(l) > 80), []);
  }
});

test('lab --url against a local server: one request, Connection: close, the server closes first', async () => {
  let seenClose = '';
  const srv = createServer((req, res) => { seenClose = String(req.headers.connection); res.end('hello\n'); });
  await new Promise<void>((res) => srv.listen(0, '127.0.0.1', () => res()));
  const port = (srv.address() as { port: number }).port;
  try {
    const file = join(tmp, 'url.pcapng');
    const child = await new Promise<{ stdout: string; stderr: string; status: number | null }>((resolve) => {
      // Asynchronous: the server answers from this process while the lab runs.
      import('node:child_process').then(({ execFile }) => {
        execFile(process.execPath, [CLI, 'lab', '--url', `http://127.0.0.1:${port}/hello?x=1`, '--json', '-w', file],
          { encoding: 'utf8', timeout: 90_000, env: { ...process.env, LANG: 'C' } },
          (err, stdout, stderr) => resolve({ stdout, stderr, status: err ? (err as { code?: number }).code ?? 1 : 0 }));
      });
    });
    assert.equal(child.status, 0, child.stderr);
    const j = JSON.parse(child.stdout) as LabJson & { url: string };
    assert.equal(j.scenario, 'url');
    assert.equal(j.url, `http://127.0.0.1:${port}/hello?x=1`);
    assert.equal(j.network.mode, 'route');
    assert.equal(j.observed.handshake.kind, 'three-way');
    assert.equal(j.observed.server.port, port);
    assert.equal(j.observed.teardown.active_closer, 'server');
    assert.equal(j.http_requests, 1);
    assert.equal(seenClose, 'close');
    assert.equal(j.ok, true);
    const conns = JSON.parse(runCli(['conns', file, '--json']).stdout) as unknown[];
    assert.equal(conns.length, 1, 'the capture filter kept only this connection');
  } finally {
    srv.close();
  }
});

test('lab without a capture engine: exit 4, names the package and points to the sample', () => {
  const r = lab([], { ...process.env, PATH: join(tmp, 'empty') });
  assert.equal(r.status, 4, r.stderr);
  assert.match(r.stderr, /wireshark-common/);
  assert.match(r.stderr, /samples\/http-get\.pcap/);
});

test('lab: a bad scenario or URL is a usage error', () => {
  assert.equal(lab(['--scenario', 'nope']).status, 1);
  assert.equal(lab(['--url', 'ftp://example.org/']).status, 1);
});

test('lab as an unprivileged user: a private namespace inside a user namespace, no root needed', () => {
  // (a single run: only the namespace mode and a complete record are checked, not the teardown kind)
  const r = spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, CLI, 'lab', '--json', '-w', join(tmp, 'nobody.pcapng')],
    { encoding: 'utf8', timeout: 90_000, cwd: tmp, env: { ...process.env, HOME: tmp, LANG: 'C' } });
  assert.ok(r.status === 0 || r.status === 7, r.stderr);
  const j = JSON.parse(r.stdout) as LabJson;
  assert.equal(j.network.mode, 'netns-user');
  assert.equal(j.network.mtu, 1500);
  assert.equal(j.observed.handshake.kind, 'three-way');
  assert.equal(j.observed.teardown.active_closer, 'server');
});

test('lab with the tcpdump engine (when dumpcap is missing): a pcap capture, the same verdict', (t) => {
  const file = join(tmp, 'tcpdump.pcap');
  let r = lab(['--scenario', 'client-close', '--json', '-w', file], { ...process.env, TCPSCOPE_CAPTURE_ENGINE: 'tcpdump' });
  for (let attempt = 2; attempt <= MAX_ATTEMPTS && r.status === 7; attempt++) {
    t.diagnostic(`run ${attempt - 1} not as expected`);
    r = lab(['--scenario', 'client-close', '--json', '-w', file], { ...process.env, TCPSCOPE_CAPTURE_ENGINE: 'tcpdump' });
  }
  assert.equal(r.status, 0, r.stderr);
  const j = JSON.parse(r.stdout) as LabJson;
  assert.equal(j.ok, true);
  assert.equal(j.observed.teardown.kind, 'four-way');
  assert.equal(readFileSync(file).readUInt32LE(0), 0xa1b2c3d4, 'pcap, as tcpdump writes it');
  assert.equal(runTshark(['-r', file]).status, 0);
  assert.equal(runCli(['read', file]).status, 0);
});

test('lab --serve: the saved capture is shown by the web viewer\'s server until Ctrl-C', async () => {
  const { spawn } = await import('node:child_process');
  const file = join(tmp, 'served.pcapng');
  const child = spawn(process.execPath, [CLI, 'lab', '-w', file, '--serve'], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LANG: 'C' } });
  let out = '', err = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => { out += d; });
  child.stderr.setEncoding('utf8').on('data', (d: string) => { err += d; });
  const exited = new Promise<number | null>((res) => child.on('close', (c) => res(c)));
  try {
    const deadline = Date.now() + 90_000;
    while (!/web viewer at http:\/\/127\.0\.0\.1:\d+\//.test(err) && Date.now() < deadline && child.exitCode === null) await new Promise((r) => setTimeout(r, 50));
    const url = /web viewer at (http:\/\/127\.0\.0\.1:\d+\/)/.exec(err)?.[1];
    assert.ok(url, `no URL: ${err}`);
    assert.match(out, /server-close/);
    const served = Buffer.from(await (await fetch(`${url}capture`)).arrayBuffer());
    assert.deepEqual(served, readFileSync(file), 'the viewer serves the lab\'s own capture');
    child.kill('SIGINT');
    const code = await Promise.race([exited, new Promise<string>((r) => setTimeout(() => r('timeout'), 20_000))]);
    assert.ok(code === 0 || code === 7, `exit after Ctrl-C: ${code} ${err}`);
  } finally { if (child.exitCode === null) child.kill('SIGKILL'); }
});
