/**
 * `tcpscope serve [FILE]`: the web viewer (dist/web, built by `npm run build`) on 127.0.0.1
 * only. The page parses the capture itself, in a Web Worker; the server hands it the static
 * files and the capture's bytes, nothing more.
 *
 * Live sources (the hook for `lab --serve` and `capture --serve`): {@link startServer} takes
 * a `source` that is either an async iterable of capture bytes (a pcap or pcapng stream, in
 * order, from its first byte) or `{ path, follow: true }` for a file that is still being
 * written. The server keeps what it has received and streams it to the page over one chunked
 * HTTP response (`GET /capture`) that stays open while the source goes on: every page that
 * opens sees the capture from its first byte, then the packets as they arrive. The response
 * ends when the iterable ends (or, for a followed file, when the server is closed).
 *
 *   const srv = await startServer({ source: chunks, name: 'lab', live: true });
 *   console.log(srv.url);          // http://127.0.0.1:PORT/
 *   …
 *   await srv.close();
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { open, readFile, stat } from 'node:fs/promises';
import { basename, extname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawn } from 'node:child_process';
import type { Command } from 'commander';
import { InputError, UsageError } from './errors.js';

/** Where `npm run build` writes the viewer: dist/web beside dist/cli. */
export const WEB_ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '../web');

/** The page may load only its own files, talk only to this server, and never be framed. */
export const CSP = "default-src 'none'; script-src 'self'; worker-src 'self'; connect-src 'self'; img-src 'self' blob: data:; "
  + "style-src 'self'; font-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8', '.svg': 'image/svg+xml', '.png': 'image/png',
};

export type LiveSource = AsyncIterable<Uint8Array> | { path: string; follow: true; pollMs?: number };

export interface ServeOptions {
  /** a capture file, served as it is */
  file?: string;
  /** a live capture (see the module comment); takes precedence over `file` */
  source?: LiveSource;
  /** the name the page shows (default: the file's name, or "live") */
  name?: string;
  /** TCP port on 127.0.0.1; 0 (default) picks a free one */
  port?: number;
  /** the built viewer (default: dist/web) */
  webRoot?: string;
}

export interface RunningServer { url: string; port: number; server: Server; close(): Promise<void> }

/** Bytes received so far from a live source, replayed to every page that asks, then followed. */
class LiveBuffer {
  private readonly chunks: Uint8Array[] = [];
  size = 0;
  done = false;
  error: string | undefined;
  private waiters: Array<() => void> = [];
  add(c: Uint8Array): void { if (c.length) { this.chunks.push(c); this.size += c.length; this.wake(); } }
  end(error?: string): void { this.done = true; this.error = error; this.wake(); }
  private wake(): void { const w = this.waiters; this.waiters = []; for (const f of w) f(); }
  /** Every chunk from the first, waiting for more until the source ends or `stop()` says so. */
  async *read(stop: () => boolean): AsyncGenerator<Uint8Array> {
    let i = 0;
    for (;;) {
      while (i < this.chunks.length) yield this.chunks[i++]!;
      if (this.done || stop()) return;
      await new Promise<void>((res) => { this.waiters.push(res); setTimeout(res, 500); });
    }
  }
}

async function pump(src: AsyncIterable<Uint8Array>, buf: LiveBuffer): Promise<void> {
  try { for await (const c of src) buf.add(c); buf.end(); } catch (e) { buf.end((e as Error)?.message ?? String(e)); }
}

/** A file that is still growing: read what is there, then poll for more until `stop()`. */
async function* followFile(path: string, pollMs: number, stop: () => boolean): AsyncGenerator<Uint8Array> {
  const fh = await open(path, 'r');
  try {
    let pos = 0;
    const chunk = Buffer.allocUnsafe(1 << 20);
    for (;;) {
      const { bytesRead } = await fh.read(chunk, 0, chunk.length, pos);
      if (bytesRead > 0) { pos += bytesRead; yield Uint8Array.prototype.slice.call(chunk, 0, bytesRead); continue; }
      if (stop()) return;
      await new Promise((res) => setTimeout(res, pollMs));
    }
  } finally { await fh.close(); }
}

/**
 * A live source fed by a producer (the capture command pushes the engine's bytes here as they
 * arrive); `end()` when the producer stops. One reader: the server's buffer replays it to pages.
 */
export class ByteChannel implements AsyncIterable<Uint8Array> {
  private readonly queue: Uint8Array[] = [];
  private ended = false;
  private wake: (() => void) | undefined;
  push(chunk: Uint8Array): void { if (!this.ended && chunk.length) { this.queue.push(chunk); this.wake?.(); } }
  end(): void { this.ended = true; this.wake?.(); }
  async *[Symbol.asyncIterator](): AsyncGenerator<Uint8Array> {
    for (;;) {
      while (this.queue.length) yield this.queue.shift()!;
      if (this.ended) return;
      await new Promise<void>((res) => { this.wake = res; });
      this.wake = undefined;
    }
  }
}

/** Serve until Ctrl-C (or SIGTERM): used by `serve`, `lab --serve` and `capture --serve`. */
export async function serveUntilInterrupted(srv: RunningServer): Promise<void> {
  await new Promise<void>((res) => {
    const quit = (): void => { process.off('SIGINT', quit); process.off('SIGTERM', quit); void srv.close().then(res); };
    process.on('SIGINT', quit);
    process.on('SIGTERM', quit);
  });
}

/** Start the viewer's server on 127.0.0.1. */
export async function startServer(o: ServeOptions = {}): Promise<RunningServer> {
  const root = o.webRoot ?? WEB_ROOT;
  try { await stat(join(root, 'index.html')); } catch {
    throw new InputError(`the web viewer is not built (${join(root, 'index.html')} is missing): run npm run build`);
  }
  let closed = false;
  const stop = (): boolean => closed;
  let live: LiveBuffer | undefined;
  let fileSize = 0;
  const file = o.file ? resolve(o.file) : undefined;
  if (o.source) {
    live = new LiveBuffer();
    const src = o.source;
    void pump(Symbol.asyncIterator in src ? src : followFile(src.path, src.pollMs ?? 200, stop), live);
  } else if (file) {
    try {
      const st = await stat(file);
      if (!st.isFile()) throw new InputError(`cannot serve "${o.file}": not a regular file`);
      fileSize = st.size;
    } catch (e) {
      if (e instanceof InputError) throw e;
      throw new InputError(`cannot open "${o.file}": ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or directory' : (e as Error).message}`);
    }
  }
  const name = o.name ?? (file ? basename(file) : live ? 'live' : '');
  const responses = new Set<ServerResponse>();
  let port = 0;

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    res.setHeader('Content-Security-Policy', CSP);
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
    res.setHeader('Cache-Control', 'no-store');
    // Only pages of this origin: a foreign Host header (DNS rebinding) gets nothing.
    const host = req.headers.host ?? '';
    if (host !== `127.0.0.1:${port}` && host !== `localhost:${port}`) { res.writeHead(421).end(); return; }
    if (req.method !== 'GET' && req.method !== 'HEAD') { res.writeHead(405, { Allow: 'GET, HEAD' }).end(); return; }
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (path === '/session.json') {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      // No capture given: the page waits for one to be dropped or picked.
      if (!file && !live) { res.end(JSON.stringify({ name: '', url: null, live: false, size: 0 })); return; }
      res.end(JSON.stringify({ name, url: 'capture', live: Boolean(live), size: live ? 0 : fileSize }));
      return;
    }
    if (path === '/capture') {
      if (live) {
        res.writeHead(200, { 'Content-Type': 'application/octet-stream' });
        if (req.method === 'HEAD') { res.end(); return; }
        responses.add(res);
        res.on('close', () => responses.delete(res));
        for await (const c of live.read(() => stop() || res.destroyed)) {
          if (res.destroyed) return;
          if (!res.write(c)) await new Promise((r) => res.once('drain', r));
        }
        res.end();
        return;
      }
      if (!file) { res.writeHead(404).end(); return; }
      const fh = await open(file, 'r');
      try {
        res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': String(fileSize) });
        if (req.method === 'HEAD') { res.end(); return; }
        await new Promise<void>((resolveDone, reject) => {
          const s = fh.createReadStream({ autoClose: false, highWaterMark: 1 << 20 });
          s.on('error', reject);
          res.on('close', () => { s.destroy(); resolveDone(); });
          s.pipe(res).on('finish', resolveDone);
        });
      } finally { await fh.close(); }
      return;
    }
    const rel = path === '/' ? 'index.html' : path.slice(1);
    if (!/^[\w.-]+$/.test(rel) || !TYPES[extname(rel)]) { res.writeHead(404).end(); return; }
    let body: Buffer;
    try { body = await readFile(join(root, rel)); } catch { res.writeHead(404).end(); return; }
    res.writeHead(200, { 'Content-Type': TYPES[extname(rel)]!, 'Content-Length': String(body.length) });
    res.end(req.method === 'HEAD' ? undefined : body);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch(() => { if (!res.headersSent) res.writeHead(500); res.end(); });
  });
  await new Promise<void>((res, rej) => {
    server.once('error', (e: NodeJS.ErrnoException) => rej(new UsageError(e.code === 'EADDRINUSE' ? `port ${o.port} is in use on 127.0.0.1` : `cannot listen on 127.0.0.1:${o.port ?? 0}: ${e.message}`)));
    server.listen(o.port ?? 0, '127.0.0.1', () => res());
  });
  port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}/`, port, server,
    close: () => new Promise<void>((res) => {
      closed = true;
      for (const r of responses) r.end();
      server.closeAllConnections();
      server.close(() => res());
    }),
  };
}

function openBrowser(url: string): void {
  const cmd = process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'explorer' : 'xdg-open';
  try { spawn(cmd, [url], { stdio: 'ignore', detached: true }).on('error', () => undefined).unref(); } catch { /* no browser: the URL is printed */ }
}

export function registerServe(program: Command): void {
  program.command('serve')
    .description('the web viewer on 127.0.0.1: packet list, details, bytes, filters, connections, ladders and explanations, parsed in your browser')
    .argument('[file]', 'the capture to show (pcap or pcapng, gzip allowed); without it, open one in the page (drag and drop)')
    .option('--port <port>', 'port on 127.0.0.1 (default: any free port)', (v: string) => {
      if (!/^\d+$/.test(v) || Number(v) > 65535) throw new UsageError(`--port ${v}: expected a port number (0-65535)`);
      return Number(v);
    })
    .option('--follow', 'the file is still being written (e.g. by tcpdump -w): show packets as they arrive')
    .option('--open', 'open the page in the default browser')
    .action(async (file: string | undefined, opts: { port?: number; follow?: boolean; open?: boolean }) => {
      if (opts.follow && !file) throw new UsageError('serve: --follow needs a file');
      if (opts.follow) {
        try { await stat(file!); } catch { throw new InputError(`cannot open "${file}": no such file or directory`); }
      }
      const srv = await startServer({
        file, port: opts.port,
        source: opts.follow ? { path: resolve(file!), follow: true } : undefined,
        name: file ? basename(file) : undefined,
      });
      process.stdout.write(`tcpscope: serving ${file ? `${file} ` : 'the viewer '}at ${srv.url} (127.0.0.1 only; Ctrl-C to stop)\n`);
      if (opts.open) openBrowser(srv.url);
      await serveUntilInterrupted(srv);
    });
}
