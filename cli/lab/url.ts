/**
 * `tcpscope lab --url URL`: the tutorials' experiment against any web server. Resolve the host,
 * find the interface that routes to it (`ip route get`), capture with a filter on that address
 * and port, fetch the URL once with `Connection: close`, wait (bounded) for the teardown, stop,
 * and explain. Runs on this machine's network, not in a namespace.
 */
import { spawnSync } from 'node:child_process';
import { lookup } from 'node:dns/promises';
import { connect as netConnect, isIP, type Socket } from 'node:net';
import { connect as tlsConnect, type ConnectionOptions as TlsOptions } from 'node:tls';
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
  const secure = u.protocol === 'https:';
  const port = Number(u.port || (secure ? 443 : 80));
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
    await fetchOnce(u, addr, port, secure, log, (p) => { clientPort = p; });
    await new Promise((r) => setTimeout(r, 300)); // the last ACK
  } catch (e) { failure = e; }
  const recorded = await rec.stop();
  if (failure !== undefined) throw failure;
  return analyse({
    scenario: 'url', url, capture: file, expected: { handshake: 'three-way', teardown: null, active_closer: null, requests: 1 },
    socket_events: log.events, network: { mode: 'route', iface, addr }, engine: recorded.engine, drops: recorded.drops, filter, iface,
  }, port, clientPort);
}

/**
 * One request with the lab's own client (node:net, or node:tls for https), so that every socket
 * call is the lab's: connect, write the request, read until the server's FIN (Connection: close
 * asks the server to close first), then close. If the server does not close within URL_WAIT_MS
 * of the response, the client closes.
 */
function fetchOnce(u: URL, addr: string, port: number, secure: boolean, log: EventLog, onPort: (p: number) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const path = `${u.pathname}${u.search}`;
    const req = `GET ${path} HTTP/1.1\r\nHost: ${u.host}\r\nUser-Agent: tcpscope-lab\r\nAccept: */*\r\nConnection: close\r\n\r\n`;
    log.add('client', 'connect() called');
    const sock: Socket = secure
      ? tlsConnect({ host: addr, port, servername: isIP(u.hostname) ? undefined : u.hostname, allowHalfOpen: true } as TlsOptions)
      : netConnect({ host: addr, port, allowHalfOpen: true });
    const overall = setTimeout(() => { sock.destroy(); log.add('client', 'close()', 'gave up'); }, 3 * URL_WAIT_MS);
    let head = '';
    let lingering: NodeJS.Timeout | undefined;
    const send = (): void => { sock.write(req, () => log.add('client', 'write()', `GET ${path} HTTP/1.1`)); };
    sock.once('connect', () => { log.add('client', 'connect()'); onPort(sock.localPort ?? 0); if (!secure) send(); });
    if (secure) sock.once('secureConnect', () => { log.add('client', 'TLS handshake done'); send(); });
    sock.on('data', (d: Buffer) => {
      if (head.includes('\r\n')) return;
      head += d.toString('latin1');
      const line = head.split('\r\n')[0]!;
      if (head.includes('\r\n')) {
        log.add('client', 'read()', line);
        lingering = setTimeout(() => { if (!sock.destroyed) { sock.destroy(); log.add('client', 'close()', 'the server did not close'); } }, URL_WAIT_MS);
      }
    });
    sock.once('end', () => {
      log.add('client', 'read() = 0', 'end of data: the server\'s FIN');
      sock.destroy();
      log.add('client', 'close()');
    });
    sock.once('close', () => { clearTimeout(overall); if (lingering) clearTimeout(lingering); resolve(); });
    sock.once('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(overall);
      if (lingering) clearTimeout(lingering);
      log.add('client', 'connect() failed', e.code ?? e.message);
      if (e.code === 'ECONNREFUSED') resolve(); // a refused connection is explained too
      else reject(new ExitError(`lab --url: ${u.href}: ${e.code ?? e.message}`, ExitCode.CAPTURE_FAILED));
    });
  });
}
