/// <reference lib="dom" />
/**
 * A 1,000,000-packet capture in the web viewer: made here by repeating a real capture's records
 * with the client port and the times shifted (each copy is a new connection), served by
 * `startServer`, loaded with progress, then scrolled to the end and a late packet opened. The
 * load time is reported (not asserted as a time).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, SHARED } from './support/tshark.js';
import { startServer, type RunningServer } from '../cli/serve.js';
import { readCaptureSync } from '../src/capture/reader.js';
import { decodePacket } from '../src/decode/decode.js';
import { buildViewer, launchBrowser, loaded, type Browser } from './web-browser.js';

const PACKETS = 1_000_000;
const SOURCE = join(SHARED, 'zeek_tcp_retransmit-fast009.pcap');
const dir = mkdtempSync(join(tmpdir(), 'tcpscope-web-1m-'));
const big = join(dir, 'million.pcap');
let b: Browser;
let srv: RunningServer;

/** Write PACKETS records: copy k of the source capture has client port 1024 + k and starts k × (span + 1 s) later. */
function generate(): { copies: number; perCopy: number } {
  const bytes = new Uint8Array(readFileSync(SOURCE));
  const { frames, parser } = readCaptureSync(bytes);
  assert.equal(parser.info?.format, 'pcap');
  assert.equal(parser.info?.precision, 'us');
  const first = decodePacket(frames[0]!).tcp!;
  const clientPort = first.srcPort;
  const portAt = frames.map((f) => {
    const t = decodePacket(f).tcp!;
    return [t.srcPort === clientPort ? t.offset : -1, t.dstPort === clientPort ? t.offset + 2 : -1];
  });
  const span = frames[frames.length - 1]!.tsSec - frames[0]!.tsSec + 1;
  const fd = openSync(big, 'w');
  const buf = Buffer.alloc(8 << 20);
  let at = 0;
  const flush = (): void => { writeSync(fd, buf, 0, at); at = 0; };
  buf.set(bytes.subarray(0, 24), 0); at = 24;
  let n = 0, copies = 0;
  for (let k = 0; n < PACKETS; k++) {
    copies++;
    for (let i = 0; i < frames.length && n < PACKETS; i++, n++) {
      const f = frames[i]!;
      if (at + 16 + f.capLen > buf.length) flush();
      buf.writeUInt32LE(f.tsSec + k * span, at);
      buf.writeUInt32LE(Math.floor(f.tsNsec / 1000), at + 4);
      buf.writeUInt32LE(f.capLen, at + 8);
      buf.writeUInt32LE(f.origLen, at + 12);
      buf.set(f.data, at + 16);
      for (const off of portAt[i]!) if (off >= 0) buf.writeUInt16BE(1024 + (k % 64000), at + 16 + off);
      at += 16 + f.capLen;
    }
  }
  flush();
  closeSync(fd);
  return { copies, perCopy: frames.length };
}

let made: { copies: number; perCopy: number };
before(async () => {
  buildViewer();
  const t0 = Date.now();
  made = generate();
  console.log(`generated ${PACKETS} packets (${made.copies} connections) in ${Date.now() - t0} ms`);
  srv = await startServer({ file: big });
  b = await launchBrowser();
});
after(async () => {
  await b?.close();
  await srv?.close();
  rmSync(dir, { recursive: true, force: true });
});

test('1,000,000 packets: progress while loading, then the end of the list and a late packet', async () => {
  const t0 = Date.now();
  await b.page.goto(srv.url);
  // Progress: bytes, packets and connections while the worker reads.
  const seen: string[] = [];
  while (Date.now() - t0 < 80_000) {
    const st = await b.page.evaluate(() => [document.getElementById('status')!.dataset.state, document.getElementById('status-text')!.textContent,
      String(!(document.getElementById('progress') as HTMLProgressElement).hidden)]);
    if (st[0] === 'loaded') break;
    if (st[0] === 'loading' && st[2] === 'true' && st[1]) seen.push(st[1]);
    await new Promise((r) => setTimeout(r, 200));
  }
  await loaded(b.page, 0, 5_000);
  const wall = Date.now() - t0;
  const ms = Number(await b.page.getAttribute('#status', 'data-ms'));
  console.log(`1M packets: loaded in ${ms} ms in the worker (${wall} ms from opening the page); ${seen.length} progress updates, e.g. "${seen[Math.floor(seen.length / 2)] ?? ''}"`);
  assert.ok(seen.length >= 2, 'progress shown while loading');
  assert.match(seen[seen.length - 1]!, /\d+(\.\d)? MiB read, \d+ packets, \d+ connections/);
  assert.equal(Number(await b.page.getAttribute('#status', 'data-packets')), PACKETS);
  assert.equal(Number(await b.page.getAttribute('#status', 'data-conns')), made.copies);
  assert.match(await b.page.textContent('#status-text') ?? '', new RegExp(`in ${ms} ms`));
  // Scroll to the middle and to the end: rows are decoded when drawn.
  const t1 = Date.now();
  await b.page.$eval('#packets', (e) => { e.scrollTop = e.scrollHeight / 2; });
  await b.page.waitForSelector('#packets .row[data-frame="500000"]', { timeout: 10_000 });
  await b.page.$eval('#packets', (e) => { e.scrollTop = e.scrollHeight; });
  await b.page.waitForSelector(`#packets .row[data-frame="${PACKETS}"]`, { timeout: 10_000 });
  console.log(`scrolling to the middle and the end drew their rows in ${Date.now() - t1} ms`);
  const last = await b.page.getAttribute(`#packets .row[data-frame="${PACKETS}"]`, 'data-line');
  const lastPort = 1024 + ((made.copies - 1) % 64000);
  assert.match(last!, new RegExp(`^${PACKETS} +\\d+\\.\\d{6} .* TCP \\d+ .*\\b${lastPort}\\b`));
  // A late packet's details, and its connection's ladder (computed from that connection's packets).
  const t2 = Date.now();
  await b.page.click(`#packets .row[data-frame="${PACKETS}"]`);
  await b.page.waitForFunction((n) => document.querySelector('#details .label .text')?.textContent?.startsWith(`Frame ${n}:`), PACKETS, { timeout: 20_000 });
  const streamLine = await b.page.textContent('#details .label[data-field="tcp.stream"] .text');
  assert.equal(streamLine, `[Stream index: ${made.copies - 1}]`);
  console.log(`details of frame ${PACKETS} in ${Date.now() - t2} ms`);
  await b.page.$eval('#conns', (e) => { e.scrollTop = e.scrollHeight; });
  await b.page.waitForSelector(`#conns .crow[data-stream="${made.copies - 1}"]`, { timeout: 10_000 });
  await b.page.click(`#conns .crow[data-stream="${made.copies - 1}"]`);
  await b.page.waitForSelector('#ladder svg g.arrow', { timeout: 20_000 });
  assert.equal(await b.page.getAttribute('#ladder', 'data-stream'), String(made.copies - 1));
  await b.shot('million');
  // A display filter over all 1,000,000 packets: one RST per complete copy, as `read -Y` finds in the source.
  const rstPerCopy = runCli(['read', '-Y', 'tcp.flags.reset == 1', SOURCE]).stdout.trim().split('\n').length;
  const t3 = Date.now();
  await b.page.fill('#filter', 'tcp.flags.reset == 1');
  await b.page.press('#filter', 'Enter');
  await b.page.waitForFunction(() => document.getElementById('filter-msg')!.dataset.shown !== undefined, null, { timeout: 60_000 });
  console.log(`filter over ${PACKETS} packets in ${Date.now() - t3} ms`);
  const fullCopies = Math.floor(PACKETS / made.perCopy);
  assert.equal(Number(await b.page.getAttribute('#filter-msg', 'data-shown')), rstPerCopy * fullCopies);
});
