/**
 * `tcpscope capture` on the loopback interface, for real (CI runs as root with dumpcap and
 * tcpdump installed): -c N writes exactly N packets that tcpscope and tshark both read;
 * SIGINT leaves a valid file holding every packet that was printed; the tcpdump fallback;
 * the messages and exit codes when the engine is missing or capturing is not permitted.
 * Every wait is bounded; every child is killed at the end.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, chmodSync } from 'node:fs';
import { createConnection, createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI, runCli, runTshark } from './support/tshark.js';

const tmp = mkdtempSync(join(tmpdir(), 'tcpscope-capture-'));
chmodSync(tmp, 0o755);
const children: ChildProcess[] = [];
const servers: Server[] = [];
after(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  for (const s of servers) s.close();
  rmSync(tmp, { recursive: true, force: true });
});

/** A server on 127.0.0.1 that answers every line and closes when the client does. */
async function echoServer(): Promise<number> {
  const srv = createServer((s) => { s.on('data', (d) => s.write(d)); s.on('error', () => undefined); });
  servers.push(srv);
  await new Promise<void>((res) => srv.listen(0, '127.0.0.1', res));
  return (srv.address() as { port: number }).port;
}

/** One short connection: connect, send, read the echo, close. */
function talk(port: number): Promise<void> {
  return new Promise((res) => {
    const c = createConnection({ host: '127.0.0.1', port }, () => c.write('hello\n'));
    const t = setTimeout(() => { c.destroy(); res(); }, 3000);
    c.on('data', () => c.end());
    c.on('close', () => { clearTimeout(t); res(); });
    c.on('error', () => { clearTimeout(t); res(); });
  });
}

interface Live { child: ChildProcess; stdout: () => string; stderr: () => string; exited: Promise<number | null> }

function startCapture(args: string[], env: NodeJS.ProcessEnv = process.env): Live {
  const child = spawn(process.execPath, [CLI, 'capture', ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...env, LANG: 'C' } });
  children.push(child);
  let out = '', err = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => { out += d; });
  child.stderr!.setEncoding('utf8').on('data', (d: string) => { err += d; });
  const exited = new Promise<number | null>((res) => child.on('close', (c) => res(c)));
  return { child, stdout: () => out, stderr: () => err, exited };
}

/** Wait (bounded) until cond() holds; false on timeout. */
async function until(cond: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (cond()) return true;
    await new Promise((r) => setTimeout(r, 20));
  }
  return cond();
}

async function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let t: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, rej) => { t = setTimeout(() => rej(new Error(`${what}: no result within ${ms} ms`)), ms); });
  try { return await Promise.race([p, timeout]); } finally { clearTimeout(t); }
}

const lines = (s: string): string[] => s.split('\n').filter((l) => l.trim() !== '');

async function countCapture(engine: 'dumpcap' | 'tcpdump', n: number): Promise<void> {
  const port = await echoServer();
  const file = join(tmp, `count-${engine}.cap`);
  const cap = startCapture(['-i', 'lo', '-f', `tcp port ${port}`, '-c', String(n), '-w', file], { ...process.env, TCPSCOPE_CAPTURE_ENGINE: engine });
  assert.ok(await until(() => /capturing on lo/.test(cap.stderr()), 20_000), `engine did not start: ${cap.stderr()}`);
  // Each connection is at least 8 packets; stop making traffic once the capture ended.
  for (let i = 0; i < 10 && cap.child.exitCode === null; i++) await talk(port);
  const code = await withTimeout(cap.exited, 20_000, 'capture -c');
  assert.equal(code, 0, cap.stderr());
  assert.equal(lines(cap.stdout()).length, n, 'printed lines');
  // tcpdump counts as kernel drops the packets that came after it stopped at -c: only dumpcap's must be 0.
  assert.match(cap.stderr(), new RegExp(`${engine}: ${n} packets captured; dropped: ${engine === 'dumpcap' ? '0' : '\\d+'} by the kernel`));
  const read = runCli(['read', file]);
  assert.equal(read.status, 0, read.stderr);
  assert.equal(lines(read.stdout).length, n, 'tcpscope read of the file');
  assert.equal(read.stdout, cap.stdout(), 'the file holds exactly the packets shown');
  const ts = runTshark(['-r', file]);
  assert.equal(ts.status, 0, ts.stderr);
  assert.equal(lines(ts.stdout).length, n, 'tshark read of the file');
  const fmt = runTshark(['-r', file, '-T', 'fields', '-e', 'frame.protocols', '-c', '1']).stdout;
  assert.match(fmt, /tcp/);
}

test('capture -i lo -f "tcp port P" -c N -w FILE (dumpcap) writes exactly N packets that tcpscope and tshark read', async () => {
  await countCapture('dumpcap', 13);
});

test('the tcpdump fallback (-U -w -) does the same with pcap', async () => {
  await countCapture('tcpdump', 9);
});

test('SIGINT stops cleanly: the file is valid and holds every packet that was printed', async () => {
  const port = await echoServer();
  const file = join(tmp, 'sigint.pcapng');
  const cap = startCapture(['-i', 'lo', '-f', `tcp port ${port}`, '-w', file]);
  assert.ok(await until(() => /capturing on lo/.test(cap.stderr()), 20_000), cap.stderr());
  for (let i = 0; i < 3; i++) await talk(port);
  assert.ok(await until(() => lines(cap.stdout()).length >= 16, 10_000), `packets shown live: ${cap.stdout()}`);
  cap.child.kill('SIGINT');
  const code = await withTimeout(cap.exited, 20_000, 'capture after SIGINT');
  assert.equal(code, 0, cap.stderr());
  const shown = lines(cap.stdout());
  assert.ok(shown.length >= 16);
  const read = runCli(['read', file]);
  assert.equal(read.status, 0, `the file is valid: ${read.stderr}`);
  assert.deepEqual(lines(read.stdout), shown, 'every packet shown is in the file, and nothing else');
  const ts = runTshark(['-r', file]);
  assert.equal(ts.status, 0, ts.stderr);
  assert.equal(lines(ts.stdout).length, shown.length);
  assert.match(cap.stderr(), /dumpcap: \d+ packets captured; dropped: \d+ by the kernel, \d+ by the interface, \d+ by dumpcap/);
  // dumpcap's own statistics block at the end of the pcapng stream, read by tcpscope.
  const isb = /interface statistics block \(interface 0\): (\d+) received, (\d+) dropped by the interface/.exec(cap.stderr());
  assert.ok(isb, cap.stderr());
  assert.ok(Number(isb[1]) >= shown.length);
});

test('--conns prints the connection table with the handshake and teardown at the end', async () => {
  const port = await echoServer();
  const cap = startCapture(['-i', 'lo', '-f', `tcp port ${port}`, '-c', '10', '--conns']);
  assert.ok(await until(() => /capturing on lo/.test(cap.stderr()), 20_000), cap.stderr());
  for (let i = 0; i < 5 && cap.child.exitCode === null; i++) await talk(port);
  assert.equal(await withTimeout(cap.exited, 20_000, 'capture --conns'), 0, cap.stderr());
  assert.match(cap.stdout(), new RegExp(`127\\.0\\.0\\.1:${port}`));
  assert.match(cap.stdout(), /three-way/);
});

test('no capture engine: a clear message and exit code 4', () => {
  const r = spawnSync(process.execPath, [CLI, 'capture', '-i', 'lo', '-c', '1'], { encoding: 'utf8', timeout: 30_000, env: { ...process.env, PATH: join(tmp, 'empty') } });
  assert.equal(r.status, 4, r.stderr);
  assert.match(r.stderr, /wireshark-common/);
  assert.match(r.stderr, /tcpdump/);
  assert.equal(r.stderr.trim().split('\n').length, 1, 'one line');
  const l = spawnSync(process.execPath, [CLI, 'capture', '-D'], { encoding: 'utf8', timeout: 30_000, env: { ...process.env, PATH: join(tmp, 'empty') } });
  assert.equal(l.status, 4);
});

test('not permitted (an unprivileged user): says what to grant, exit code 5', () => {
  const setpriv = spawnSync('setpriv', ['--version'], { encoding: 'utf8' });
  assert.equal(setpriv.status, 0, 'setpriv (util-linux) is needed for this test');
  const r = spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, CLI, 'capture', '-i', 'lo', '-c', '1'],
    { encoding: 'utf8', timeout: 30_000, cwd: tmp });
  assert.equal(r.status, 5, r.stderr);
  assert.match(r.stderr, /not allowed to capture on lo/);
  assert.match(r.stderr, /setcap cap_net_raw,cap_net_admin\+eip/);
  assert.match(r.stderr, /wireshark/);
  assert.match(r.stderr, /root/);
});

test('capture -D lists the loopback interface; a missing interface fails with exit code 6', () => {
  const r = runCli(['capture', '-D']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /\blo\b/);
  const bad = spawnSync(process.execPath, [CLI, 'capture', '-i', 'no-such-if0', '-c', '1'], { encoding: 'utf8', timeout: 30_000 });
  assert.equal(bad.status, 6, bad.stderr);
  assert.match(bad.stderr, /capture on no-such-if0 failed/);
});

test('bad command lines are usage errors', () => {
  assert.equal(runCli(['capture']).status, 1);
  assert.equal(runCli(['capture', '-i', 'lo', '-a', 'packets:3']).status, 1);
});

test('capture --serve: the viewer\'s server gets the engine\'s bytes live, the same bytes as the -w file', async () => {
  const port = await echoServer();
  const file = join(tmp, 'serve.pcapng');
  const cap = startCapture(['-i', 'lo', '-f', `tcp port ${port}`, '-w', file, '--serve']);
  assert.ok(await until(() => /web viewer at http:\/\/127\.0\.0\.1:\d+\//.test(cap.stderr()) && /capturing on lo/.test(cap.stderr()), 20_000), cap.stderr());
  const url = /web viewer at (http:\/\/127\.0\.0\.1:\d+\/)/.exec(cap.stderr())![1]!;
  for (let i = 0; i < 2; i++) await talk(port);
  assert.ok(await until(() => lines(cap.stdout()).length >= 10, 10_000), `packets shown live: ${cap.stdout()}`);
  const session = await (await fetch(`${url}session.json`)).json() as { live: boolean };
  assert.equal(session.live, true);
  cap.child.kill('SIGINT');                     // first Ctrl-C: the capture stops, the viewer stays
  assert.ok(await until(() => /capture stopped; the viewer keeps showing it/.test(cap.stderr()), 20_000), cap.stderr());
  const served = Buffer.from(await (await fetch(`${url}capture`)).arrayBuffer());
  const { readFileSync } = await import('node:fs');
  assert.deepEqual(served, readFileSync(file), 'the page gets every byte the engine wrote');
  cap.child.kill('SIGINT');                     // second Ctrl-C: the server stops
  assert.equal(await withTimeout(cap.exited, 20_000, 'capture --serve after the second SIGINT'), 0, cap.stderr());
});
