/**
 * `tcpscope lab --url URL`: the tutorials' experiment against any web server. Resolve the host,
 * find the interface that routes to it (`ip route get`), capture with a filter on that address
 * and port, fetch the URL once with `Connection: close`, wait (bounded) for the teardown, stop,
 * and explain. Runs on this machine's network, not in a namespace.
 */
import { spawnSync } from 'node:child_process';
import { lookup } from 'node:dns/promises';
import { request as httpRequest, type ClientRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ExitCode, ExitError } from '../errors.js';
import type { EngineName } from '../capture/engine.js';
import { Recorder } from './recorder.js';
import { EventLog } from './scenarios.js';
import { analyse } from './analyse.js';
import type { LabResult } from './render.js';

/** How long to wait for the response and then for the server's FIN. */
export const URL_WAIT_MS = 10_000;

/** The interface the kernel routes `addr` through (lo for loopback addresses). */
export function routeInterface(addr: string): string {
  if (addr.startsWith('127.') || addr === '::1') return 'lo';
  const r = spawnSync('ip', ['route', 'get', addr], { encoding: 'utf8', timeout: 10_000 });
  const m = / dev (\S+)/.exec(r.stdout ?? '');
  if (!m) throw new ExitError(`lab --url: cannot find the interface that routes to ${addr} (ip route get: ${(r.stderr || r.error?.message || 'no answer').trim()})`, ExitCode.CAPTURE_FAILED);
  return m[1]!;
}

export async function runUrl(url: string, write: string | undefined, engine: EngineName): Promise<LabResult> {
  const u = new URL(url);
  const tls = u.protocol === 'https:';
  const port = Number(u.port || (tls ? 443 : 80));
  const host = u.hostname.replace(/^\[|\]$/g, '');
  let addr: string;
  try {
    addr = isIP(host) ? host : (await lookup(host)).address;
  } catch (e) {
    throw new ExitError(`lab --url: cannot resolve ${host}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, ExitCode.CAPTURE_FAILED);
  }
  const iface = routeInterface(addr);
  const filter = `host ${addr} and tcp port ${port}`;
  const file = write ?? join(tmpdir(), `tcpscope-lab-url-${process.pid}.${engine === 'dumpcap' ? 'pcapng' : 'pcap'}`);
  const rec = await Recorder.start(iface, filter, file);
  const log = new EventLog();
  let clientPort: number | null = null;
  let failure: unknown;
  try {
    await fetchOnce(u, addr, port, tls, log, (p) => { clientPort = p; });
    await new Promise((r) => setTimeout(r, 300)); // the last ACK
  } catch (e) { failure = e; }
  const recorded = await rec.stop();
  if (failure !== undefined) throw failure;
  return analyse({
    scenario: 'url', url, capture: file, expected: { handshake: 'three-way', teardown: null, active_closer: null, requests: 1 },
    socket_events: log.events, network: { mode: 'route', iface, addr }, engine: recorded.engine, drops: recorded.drops, filter, iface,
  }, port, clientPort);
}

function fetchOnce(u: URL, addr: string, port: number, tls: boolean, log: EventLog, onPort: (p: number) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = setTimeout(() => { req.destroy(); resolve(); }, 3 * URL_WAIT_MS);
    let sock: Socket | undefined;
    const finish = (): void => { clearTimeout(done); resolve(); };
    const req: ClientRequest = (tls ? httpsRequest : httpRequest)({
      host: addr, port, path: `${u.pathname}${u.search}`, method: 'GET', agent: false,
      servername: tls && !isIP(u.hostname) ? u.hostname : undefined,
      headers: { Host: u.host, 'User-Agent': 'tcpscope-lab', Accept: '*/*', Connection: 'close' },
    });
    req.on('socket', (s: Socket) => {
      sock = s;
      log.add('client', 'connect() called');
      s.once('connect', () => { log.add('client', 'connect()'); onPort(s.localPort ?? 0); });
      if (tls) s.once('secureConnect', () => log.add('client', 'TLS handshake done'));
      s.once('end', () => log.add('client', 'read() = 0', 'end of data: the server\'s FIN'));
      s.once('close', () => { log.add('client', 'close()'); finish(); });
    });
    req.on('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(done);
      log.add('client', 'connect() failed', e.code ?? e.message);
      if (e.code === 'ECONNREFUSED') resolve(); // a refused connection is explained too
      else reject(new ExitError(`lab --url: ${u.href}: ${e.code ?? e.message}`, ExitCode.CAPTURE_FAILED));
    });
    req.on('response', (res: IncomingMessage) => {
      log.add('client', 'read()', `HTTP/${res.httpVersion} ${res.statusCode} ${res.statusMessage ?? ''}`.trim());
      res.resume();
      res.on('end', () => {
        // Connection: close asks the server to close first; if it does not, close after a while.
        const t = setTimeout(() => { if (sock && !sock.destroyed) { sock.destroy(); log.add('client', 'close()', 'the server did not close'); } }, URL_WAIT_MS);
        sock?.once('close', () => clearTimeout(t));
      });
    });
    req.end(() => log.add('client', 'write()', `GET ${u.pathname}${u.search} HTTP/1.1`));
  });
}
