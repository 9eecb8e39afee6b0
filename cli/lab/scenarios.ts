/**
 * The lab's scenarios: a tiny HTTP/1.1 server and client of the lab's own (node:net, so every
 * socket call is the lab's and can be timed), each scenario closing the connection its own way,
 * and what each expects to see on the wire. Socket calls are recorded on the wall clock the
 * capture uses (performance.timeOrigin + performance.now(): microsecond resolution, no drift
 * over a lab run).
 */
import type { HandshakeKind, TeardownKind } from '../../src/tcp/vocab.js';
import { createSocket } from 'node:dgram';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';

export const SCENARIOS = ['server-close', 'client-close', 'half-close', 'rst-abort', 'refused', 'keep-alive', 'simultaneous-close'] as const;
export type ScenarioName = (typeof SCENARIOS)[number];

export interface Expectation {
  handshake: HandshakeKind;
  /** null: any teardown (lab --url: the web server decides) */
  teardown: TeardownKind | null;
  active_closer: 'client' | 'server' | 'both' | null;
  /** HTTP requests on the connection (keep-alive) */
  requests?: number;
}

export const EXPECTED: Record<ScenarioName, Expectation> = {
  'server-close': { handshake: 'three-way', teardown: 'three-way-merged-fin-ack', active_closer: 'server', requests: 1 },
  'client-close': { handshake: 'three-way', teardown: 'four-way', active_closer: 'client', requests: 1 },
  'half-close': { handshake: 'three-way', teardown: 'half-close', active_closer: 'client', requests: 1 },
  'rst-abort': { handshake: 'three-way', teardown: 'rst-abort', active_closer: 'client', requests: 1 },
  refused: { handshake: 'refused', teardown: 'none', active_closer: null },
  'keep-alive': { handshake: 'three-way', teardown: 'three-way-merged-fin-ack', active_closer: 'server', requests: 2 },
  'simultaneous-close': { handshake: 'three-way', teardown: 'simultaneous-close', active_closer: 'both', requests: 1 },
};

/** A socket call of the lab's own programs, and when it returned. */
export interface SocketEventRec {
  side: 'client' | 'server';
  /** connect() / accept() / write() / read() / shutdown() / close() / close() with SO_LINGER 0 / connect() failed */
  call: string;
  /** wall-clock seconds since 1970 (the capture's clock) */
  time: number;
  detail?: string;
}

/** Wall-clock seconds with sub-millisecond resolution. */
export const wallNow = (): number => (performance.timeOrigin + performance.now()) / 1000;

export class EventLog {
  readonly events: SocketEventRec[] = [];
  add(side: SocketEventRec['side'], call: string, detail?: string): void {
    this.events.push({ side, call, time: wallNow(), ...(detail ? { detail } : {}) });
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const BODY = 'Hello from the tcpscope lab.\n';
const response = (close: boolean): string =>
  `HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: ${BODY.length}\r\nConnection: ${close ? 'close' : 'keep-alive'}\r\n\r\n${BODY}`;
const request = (host: string, close: boolean, path = '/'): string =>
  `GET ${path} HTTP/1.1\r\nHost: ${host}\r\nUser-Agent: tcpscope-lab\r\nConnection: ${close ? 'close' : 'keep-alive'}\r\n\r\n`;

/** Resolves when `cond` holds after an event, or rejects after `ms`. */
function waitFor(what: string, ms: number, arm: (done: () => void) => void): Promise<void> {
  return new Promise((res, rej) => {
    const t = setTimeout(() => rej(new Error(`lab: ${what} did not happen within ${ms} ms`)), ms);
    arm(() => { clearTimeout(t); res(); });
  });
}

/** write() and record when the kernel took the bytes (the callback). */
function write(log: EventLog, side: SocketEventRec['side'], s: Socket, text: string, what: string): Promise<void> {
  return new Promise((res) => s.write(text, () => { log.add(side, 'write()', what); res(); }));
}

/** shutdown(SHUT_WR) through end(): recorded when it returned ('finish'). */
function shutdown(log: EventLog, side: SocketEventRec['side'], s: Socket): Promise<void> {
  return new Promise((res) => { s.once('finish', () => { log.add(side, 'shutdown()'); res(); }); s.end(); });
}

function close(log: EventLog, side: SocketEventRec['side'], s: Socket): void {
  s.destroy();
  log.add(side, 'close()');
}

export interface Running {
  port: number;
  clientPort: number | null;
  log: EventLog;
}

interface ServerSide { socket: Socket; requests: string[]; ended: boolean; onRequest?: () => void; onEnd?: () => void }

/** The lab's server: records accept() and each complete request head; the scenario decides the rest. */
async function labServer(host: string, log: EventLog): Promise<{ server: Server; port: number; conn: Promise<ServerSide> }> {
  let resolveConn!: (s: ServerSide) => void;
  const conn = new Promise<ServerSide>((r) => { resolveConn = r; });
  const server = createServer({ allowHalfOpen: true }, (socket) => {
    log.add('server', 'accept()');
    socket.setNoDelay(true);
    const side: ServerSide = { socket, requests: [], ended: false };
    let buf = '';
    socket.setEncoding('latin1');
    socket.on('data', (d: string) => {
      buf += d;
      for (let i = buf.indexOf('\r\n\r\n'); i >= 0; i = buf.indexOf('\r\n\r\n')) {
        const head = buf.slice(0, i);
        buf = buf.slice(i + 4);
        side.requests.push(head);
        log.add('server', 'read()', head.split('\r\n')[0]);
        side.onRequest?.();
      }
    });
    socket.on('end', () => { side.ended = true; log.add('server', 'read() = 0', 'end of data: the client\'s FIN'); side.onEnd?.(); });
    socket.on('error', () => undefined);
    resolveConn(side);
  });
  await new Promise<void>((res, rej) => { server.once('error', rej); server.listen(0, host, () => res()); });
  return { server, port: (server.address() as { port: number }).port, conn };
}

interface ClientSide { socket: Socket; data: string; ended: boolean; closed: Promise<void> }

function labClient(host: string, port: number, log: EventLog): Promise<ClientSide> {
  return new Promise((res, rej) => {
    log.add('client', 'connect() called');
    const socket = createConnection({ host, port, allowHalfOpen: true });
    socket.setNoDelay(true);
    const c: ClientSide = { socket, data: '', ended: false, closed: new Promise((r) => socket.once('close', () => r())) };
    socket.setEncoding('latin1');
    let seen = 0;
    socket.on('data', (d: string) => {
      c.data += d;
      // read() of a whole response: recorded when its last byte arrived
      for (const got = c.data.split(BODY).length - 1; seen < got;) { seen++; log.add('client', 'read()', `response ${seen}: HTTP/1.1 200 OK`); }
    });
    socket.on('end', () => { c.ended = true; log.add('client', 'read() = 0', 'end of data: the server\'s FIN'); });
    socket.once('connect', () => { log.add('client', 'connect()'); res(c); });
    socket.once('error', (e: NodeJS.ErrnoException) => {
      log.add('client', 'connect() failed', e.code ?? e.message);
      rej(e);
    });
  });
}

/** Until the client holds `n` complete responses. */
function responses(c: ClientSide, n: number, _log: EventLog): Promise<void> {
  return waitFor(`response ${n}`, 10_000, (done) => {
    const check = (): void => { if (c.data.split(BODY).length - 1 >= n) done(); };
    c.socket.on('data', check);
    check();
  });
}

function serverEvent(s: ServerSide, what: 'request' | 'end', n = 1): Promise<void> {
  return waitFor(what, 10_000, (done) => {
    const check = (): void => { if (what === 'end' ? s.ended : s.requests.length >= n) done(); };
    if (what === 'end') s.onEnd = check; else s.onRequest = check;
    check();
  });
}

/**
 * Run one scenario against the lab's own server on `host` (127.0.0.1 or ::1). `beforeTraffic(port)`
 * is called once the port is known and must start the capture; `crossFins` (simultaneous-close)
 * holds both FINs back in the queue for a moment so they cross, as on a long path.
 */
export async function runScenario(name: ScenarioName, host: string, beforeTraffic: (port: number) => Promise<void>,
  crossFins?: () => Promise<void>): Promise<Running> {
  const log = new EventLog();
  const hostHeader = host.includes(':') ? `[${host}]` : host;
  if (name === 'refused') {
    // A port nobody listens on: bind one, note it, let it go.
    const probe = createServer();
    await new Promise<void>((res) => probe.listen(0, host, () => res()));
    const port = (probe.address() as { port: number }).port;
    await new Promise<void>((res) => probe.close(() => res()));
    await beforeTraffic(port);
    let clientPort: number | null = null;
    try {
      const c = await labClient(host, port, log);
      clientPort = c.socket.localPort ?? null;
      c.socket.destroy();
    } catch { /* ECONNREFUSED: what this scenario is about */ }
    return { port, clientPort, log };
  }

  const { server, port, conn } = await labServer(host, log);
  try {
    await beforeTraffic(port);
    const c = await labClient(host, port, log);
    const clientPort = c.socket.localPort ?? null;
    const s = await conn;
    const closeReq = name !== 'client-close' && name !== 'rst-abort' && name !== 'keep-alive' && name !== 'simultaneous-close';
    await write(log, 'client', c.socket, request(hostHeader, closeReq), 'GET / HTTP/1.1');
    // The client reads until the server's FIN (read() returns 0), then closes its socket.
    const clientClosesAfterServerFin = async (): Promise<void> => {
      await waitFor('the server\'s FIN', 10_000, (done) => { if (c.ended) done(); else c.socket.once('end', done); });
      close(log, 'client', c.socket);
    };
    switch (name) {
      case 'server-close': {
        await serverEvent(s, 'request');
        await write(log, 'server', s.socket, response(true), 'HTTP/1.1 200 OK');
        await shutdown(log, 'server', s.socket);
        close(log, 'server', s.socket);
        await responses(c, 1, log);
        await clientClosesAfterServerFin();
        break;
      }
      case 'client-close': {
        await serverEvent(s, 'request');
        await write(log, 'server', s.socket, response(false), 'HTTP/1.1 200 OK');
        await responses(c, 1, log);
        await shutdown(log, 'client', c.socket);
        await serverEvent(s, 'end');
        // Wait past the delayed-ACK timer (40-200 ms) so the server's ACK and FIN go apart.
        await sleep(400);
        await shutdown(log, 'server', s.socket);
        close(log, 'server', s.socket);
        await clientClosesAfterServerFin();
        break;
      }
      case 'half-close': {
        await shutdown(log, 'client', c.socket); // the client has nothing more to send
        await serverEvent(s, 'request');
        await serverEvent(s, 'end');
        // The server goes on sending after the client's FIN.
        const whole = response(true);
        const third = Math.ceil(whole.length / 3);
        for (let i = 0; i < 3; i++) {
          await write(log, 'server', s.socket, whole.slice(i * third, (i + 1) * third), `part ${i + 1} of the response`);
          await sleep(60);
        }
        await shutdown(log, 'server', s.socket);
        close(log, 'server', s.socket);
        await responses(c, 1, log);
        await clientClosesAfterServerFin();
        break;
      }
      case 'rst-abort': {
        await serverEvent(s, 'request');
        await write(log, 'server', s.socket, response(false), 'HTTP/1.1 200 OK');
        await responses(c, 1, log);
        // SO_LINGER 0 and close(): the kernel throws the connection away with a RST.
        c.socket.resetAndDestroy();
        log.add('client', 'close() with SO_LINGER 0');
        await sleep(100);
        close(log, 'server', s.socket);
        break;
      }
      case 'keep-alive': {
        await serverEvent(s, 'request', 1);
        await write(log, 'server', s.socket, response(false), 'HTTP/1.1 200 OK');
        await responses(c, 1, log);
        await write(log, 'client', c.socket, request(hostHeader, true, '/again'), 'GET /again HTTP/1.1');
        await serverEvent(s, 'request', 2);
        await write(log, 'server', s.socket, response(true), 'HTTP/1.1 200 OK');
        await shutdown(log, 'server', s.socket);
        close(log, 'server', s.socket);
        await responses(c, 2, log);
        await clientClosesAfterServerFin();
        break;
      }
      case 'simultaneous-close': {
        await serverEvent(s, 'request');
        await write(log, 'server', s.socket, response(false), 'HTTP/1.1 200 OK');
        await responses(c, 1, log);
        await sleep(50);
        if (crossFins) await crossFins();
        // Both shut down in the same turn of the event loop: both FINs leave before either arrives.
        const both = Promise.all([shutdown(log, 'client', c.socket), shutdown(log, 'server', s.socket)]);
        await both;
        await waitFor('both FINs', 10_000, (done) => {
          const check = (): void => { if (c.ended && s.ended) done(); };
          c.socket.on('end', check); s.onEnd = check; check();
        });
        close(log, 'client', c.socket);
        close(log, 'server', s.socket);
        break;
      }
    }
    await Promise.race([c.closed, sleep(2000)]);
    return { port, clientPort, log };
  } finally {
    server.close();
  }
}

/**
 * Hold the wire for a moment (simultaneous-close): with a token-bucket queue on lo (tc tbf,
 * 1 Mbit/s, 1600-byte bucket), four 1400-byte UDP datagrams empty the bucket and fill the
 * queue, so the next packets (both FINs) wait about 35 ms in it (room for a busy machine). Both ends send their FIN before either
 * arrives: the FINs cross, as they do on a long path.
 */
export async function fillQueue(host: string): Promise<void> {
  const family = host.includes(':') ? 'udp6' : 'udp4';
  const sink = createSocket(family);
  await new Promise<void>((res) => sink.bind(0, host, () => res()));
  const port = sink.address().port;
  const tx = createSocket(family);
  const payload = Buffer.alloc(1400);
  for (let i = 0; i < 4; i++) await new Promise<void>((res) => tx.send(payload, port, host, () => res()));
  setTimeout(() => { tx.close(); sink.close(); }, 500);
}
