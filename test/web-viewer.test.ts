/// <reference lib="dom" />
/**
 * The web viewer in a real browser (Debian's Chromium through playwright-core): what the page
 * shows is compared with what `tcpscope read`, `conns` and `explain` print for the same captures.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { pathToFileURL } from 'node:url';
import { cliOk, REPO, runCli, SHARED } from './support/tshark.js';
import { startServer, type RunningServer } from '../cli/serve.js';
import { readCaptureSync } from '../src/capture/reader.js';
import { VIEWER_MESSAGES } from '../src/i18n/viewer.js';
import { LIFECYCLE_MESSAGES } from '../src/i18n/lifecycle.js';
import { TEARDOWN_KEY } from '../src/render/lifecycle-keys.js';
import { buildViewer, launchBrowser, loaded, loads, shownLines, type Browser } from './web-browser.js';

const SCEN = join(SHARED, 'scenarios');
const HTTP_CLOSE = join(SCEN, 'http-server-close.pcap');
let b: Browser;
let srv: RunningServer;
const tmp = mkdtempSync(join(tmpdir(), 'tcpscope-web-'));

before(async () => {
  buildViewer();
  srv = await startServer({});
  b = await launchBrowser();
  await b.page.goto(srv.url);
});
after(async () => {
  await b?.close();
  await srv?.close();
});

/** Open a capture through the page's file picker and wait until it is read. */
async function openFile(page: Page, path: string): Promise<void> {
  const n = await loads(page);
  await page.setInputFiles('#file', path);
  await loaded(page, n);
}

async function waitRows(page: Page): Promise<void> {
  await page.waitForSelector('#packets .row[data-frame="1"]', { timeout: 10_000 });
}

/** `read`'s lines, without the trailing newline. */
const readLines = (args: string[]): string[] => {
  const out = cliOk(['read', ...args]);
  return out ? out.replace(/\n$/, '').split('\n') : [];
};

test('packet count, first and last lines equal `tcpscope read`', async () => {
  const captures = [HTTP_CLOSE, join(SCEN, 'ipv6-http.pcap'), join(SHARED, 'zeek_http_get.pcap'), join(SHARED, 'zeek_pcapng-multi-interface.pcapng'),
    join(SHARED, 'pcapplusplus_four_ipv6_http_streams.pcap'), join(SHARED, 'zeek_tcp_retransmit-fast009.pcap')];
  for (const cap of captures) {
    const want = readLines([cap]);
    await openFile(b.page, cap);
    await waitRows(b.page);
    assert.equal(Number(await b.page.getAttribute('#status', 'data-packets')), want.length, `${cap}: packet count`);
    const first = await shownLines(b.page);
    assert.ok(first.size >= Math.min(10, want.length), `${cap}: ${first.size} rows drawn`);
    for (const [n, line] of first) assert.equal(line, want[n - 1], `${cap}: frame ${n}`);
    // The drawn columns are the same text.
    const cells = await b.page.$$eval('#packets .row[data-frame="1"] span', (s) => s.map((x) => x.textContent));
    const [no, time, src, dst, ...rest] = cells;
    assert.equal([no, time, src, '\u2192', dst, ...rest].join(' ').replace(/\s+/g, ' '), want[0]!.trim().replace(/\s+/g, ' '), `${cap}: columns of frame 1`);
    // Scroll to the end: the last rows are drawn too, decoded on demand.
    await b.page.$eval('#packets', (e) => { e.scrollTop = e.scrollHeight; });
    await b.page.waitForSelector(`#packets .row[data-frame="${want.length}"]`, { timeout: 10_000 });
    for (const [n, line] of await shownLines(b.page)) assert.equal(line, want[n - 1], `${cap}: frame ${n} (scrolled)`);
  }
  await b.shot('packets');
});

test('display filter: the error and its column while typing, then applied as read -Y', async () => {
  await openFile(b.page, join(SHARED, 'zeek_http_get.pcap'));
  await waitRows(b.page);
  const input = b.page.locator('#filter');
  await input.fill('');
  await input.pressSequentially('tcp.flags.syn == ', { delay: 5 });
  assert.equal(await input.getAttribute('class'), 'bad');
  const cliErr = runCli(['read', '-Y', 'tcp.flags.syn == ', join(SHARED, 'zeek_http_get.pcap')]);
  assert.notEqual(cliErr.status, 0);
  const col = await b.page.getAttribute('#filter-msg', 'data-column');
  assert.ok(col && Number(col) > 0, 'error column shown');
  assert.match(await b.page.textContent('#filter-msg') ?? '', new RegExp(`column ${col}:`));
  await b.shot('filter-error');
  await input.pressSequentially('1 || tcp.flags.fin == 1', { delay: 5 });
  assert.equal(await input.getAttribute('class'), 'ok');
  await input.press('Enter');
  const want = readLines(['-Y', 'tcp.flags.syn == 1 || tcp.flags.fin == 1', join(SHARED, 'zeek_http_get.pcap')]);
  await b.page.waitForFunction((n) => document.getElementById('filter-msg')!.dataset.shown === String(n), want.length);
  await b.page.waitForSelector('#packets .row');
  const rows = await b.page.$$eval('#packets .row', (rs) => rs.map((r) => (r as HTMLElement).dataset.line));
  assert.deepEqual(rows, want.slice(0, rows.length));
  assert.equal(rows.length, want.length);
  await b.shot('filter-applied');
  await b.page.click('#filter-clear');
  await b.page.waitForFunction(() => !document.getElementById('filter-msg')!.dataset.shown || document.getElementById('filter')!.className === '');
});

test('connection ladder of http-server-close.pcap: three-packet teardown and both sides\' states', async () => {
  const conn = (JSON.parse(cliOk(['conns', '--json', HTTP_CLOSE])) as Array<{ teardown: { kind: string; frames: number[]; active_closer: string }; states: { client: string; server: string } }>)[0]!;
  assert.equal(conn.teardown.frames.length, 3);
  await openFile(b.page, HTTP_CLOSE);
  await b.page.click('#conns .crow[data-stream="0"]');
  await b.page.waitForSelector('#ladder svg g.arrow');
  const arrows = await b.page.$$eval('#ladder g.arrow', (gs) => gs.map((g) => Number((g as SVGGElement).dataset.frame)));
  assert.deepEqual(arrows, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  // The teardown bracket names the kind, as `explain` does.
  const en = LIFECYCLE_MESSAGES.en;
  const tdLabel = await b.page.textContent('#ladder g.bracket.td text');
  assert.equal(tdLabel, `${en['ladder.teardown']}: ${en[TEARDOWN_KEY[conn.teardown.kind as keyof typeof TEARDOWN_KEY]]}`);
  assert.ok(await b.page.$('#ladder g.bracket.hs'), 'handshake bracketed');
  // Each side's state after every teardown packet; the last ones are the final states of `conns`.
  const states = async (side: 'c' | 's', frame: number): Promise<string | null> => b.page.textContent(`#ladder text.state.${side}[data-frame="${frame}"]`);
  const explained = cliOk(['explain', HTTP_CLOSE, '--all', '--no-ladder', '--no-color']);
  for (const f of conn.teardown.frames) {
    const c = await states('c', f), s = await states('s', f);
    assert.ok(c && s, `states drawn beside #${f}`);
    assert.ok(explained.includes(c!) && explained.includes(s!), `#${f}: ${c}/${s} as explain says`);
  }
  const last = conn.teardown.frames[conn.teardown.frames.length - 1]!;
  assert.equal(await states('c', last), conn.states.client);
  assert.equal(await states('s', last), conn.states.server);
  // The socket calls: the active closer called close() at the first teardown packet.
  const closer = conn.teardown.active_closer === 'client' ? 'c' : 's';
  assert.match(await b.page.textContent(`#ladder text.socket.${closer}[data-frame="${conn.teardown.frames[0]}"]`) ?? '', /^close\(\)/);
  // The explanation beside it is `explain`'s text.
  const ex = await b.page.textContent('#explain');
  assert.ok(ex && ex.length > 200);
  assert.ok(explained.includes(ex!.split('\n')[0]!), 'first line of the explanation equals explain');
  // Clicking an arrow selects its packet.
  await b.page.click(`#ladder g.arrow[data-frame="${conn.teardown.frames[1]}"] text.label`);
  await b.page.waitForFunction((f) => document.querySelector('#details .label .text')?.textContent?.startsWith(`Frame ${f}:`), conn.teardown.frames[1]);
  assert.ok(await b.page.$(`#packets .row.selected[data-frame="${conn.teardown.frames[1]}"]`), 'row selected');
  // Follow: client and server bytes in two colours.
  assert.ok(await b.page.$('#follow .c0') && await b.page.$('#follow .c1'));
  assert.match(await b.page.textContent('#follow .c0') ?? '', /^GET \/index.txt/);
  await b.shot('ladder-en');
});

test('details tree with meanings, bytes pane highlighting the selected field', async () => {
  await openFile(b.page, HTTP_CLOSE);
  await waitRows(b.page);
  await b.page.click('#packets .row[data-frame="2"]');
  await b.page.waitForSelector('#details .label[data-field="tcp.seq"]');
  const want = cliOk(['read', '-V', '-c', '2', HTTP_CLOSE]).split('\n\n')[1]!;
  const labels = await b.page.$$eval('#details .label .text', (s) => s.map((x) => x.textContent));
  for (const l of labels.slice(0, 12)) assert.ok(want.includes(l!), `"${l}" is in read -V`);
  const meaning = await b.page.textContent('#details .label[data-field="tcp.seq"] .meaning');
  assert.ok(meaning && want.includes(meaning.replace(/^← /, '')), 'meaning as read -V shows it');
  await b.page.click('#details .label[data-field="tcp.srcport"]');
  const hl = await b.page.$$eval('#bytes .hex .b.hl', (s) => s.map((x) => x.textContent).join(''));
  assert.equal(hl, (17088).toString(16).padStart(4, '0'), 'source port bytes highlighted');
  await b.shot('details');
  // The arrow keys move the selection.
  await b.page.focus('#packets');
  await b.page.keyboard.press('ArrowDown');
  await b.page.waitForFunction(() => document.querySelector('#details .label .text')?.textContent?.startsWith('Frame 3:'));
  assert.ok(await b.page.$('#packets .row.selected[data-frame="3"]'));
});

test('language: switched to Simplified Chinese, kept after reload', async () => {
  await openFile(b.page, HTTP_CLOSE);
  await b.page.click('#conns .crow[data-stream="0"]');
  await b.page.waitForSelector('#ladder svg');
  await b.page.selectOption('#lang', 'zh-CN');
  const zh = VIEWER_MESSAGES['zh-CN'];
  await b.page.waitForFunction((s) => document.querySelector('#packets-pane h2')?.textContent === s, zh['pane.packets']!);
  assert.equal(await b.page.textContent('#ladder-pane h2'), zh['pane.ladder']);
  assert.equal(await b.page.getAttribute('#filter', 'placeholder'), zh['filter.placeholder']);
  const lz = LIFECYCLE_MESSAGES['zh-CN'];
  await b.page.waitForFunction((s) => document.querySelector('#ladder g.bracket.td text')?.textContent === s, `${lz['ladder.teardown']}: ${lz['td.three-way-merged-fin-ack']}`);
  const zhExplain = cliOk(['explain', HTTP_CLOSE, '--lang', 'zh-CN', '--no-ladder', '--no-color']);
  assert.equal(zhExplain.split('\n')[0], (await b.page.textContent('#explain'))!.split('\n')[0]);
  assert.ok((await b.page.textContent('#conns-head'))!.includes(lz['col.handshake']!));
  await b.shot('ladder-zh');
  await b.page.reload();
  await b.page.waitForFunction((s) => document.querySelector('#packets-pane h2')?.textContent === s, zh['pane.packets']!);
  assert.equal(await b.page.evaluate(() => localStorage.getItem('tcpscope.lang')), 'zh-CN');
  await b.page.selectOption('#lang', 'en');
  assert.equal(await b.page.textContent('#packets-pane h2'), VIEWER_MESSAGES.en['pane.packets']);
});

test('drag and drop: a file dropped on the page is read in the page', async () => {
  const bytes = readFileSync(join(SCEN, 'ipv6-http.pcap'));
  const n = await loads(b.page);
  await b.page.evaluate(({ b64, name }) => {
    const data = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    const dt = new DataTransfer();
    dt.items.add(new File([data], name));
    const target = document.getElementById('packets')!;
    target.dispatchEvent(new DragEvent('dragover', { dataTransfer: dt, bubbles: true, cancelable: true }));
    target.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
  }, { b64: bytes.toString('base64'), name: 'ipv6-http.pcap' });
  await loaded(b.page, n);
  await waitRows(b.page);
  assert.equal(await b.page.textContent('#filename'), 'ipv6-http.pcap');
  const want = readLines([join(SCEN, 'ipv6-http.pcap')]);
  assert.equal(Number(await b.page.getAttribute('#status', 'data-packets')), want.length);
  assert.equal((await shownLines(b.page)).get(1), want[0]);
});

test('a damaged file shows what was read and where it broke; a non-capture says so', async () => {
  const whole = readFileSync(HTTP_CLOSE);
  const cut = join(tmp, 'cut.pcap');
  writeFileSync(cut, whole.subarray(0, whole.length - 30));
  const cli = runCli(['read', cut]);
  assert.equal(cli.status, 3);
  const m = /\(offset (\d+), frame (\d+)\)/.exec(cli.stderr)!;
  await openFile(b.page, cut);
  await waitRows(b.page);
  assert.equal(await b.page.getAttribute('#problem', 'data-kind'), 'damaged');
  assert.equal(await b.page.getAttribute('#problem', 'data-offset'), m[1]);
  assert.equal(await b.page.getAttribute('#problem', 'data-frame'), m[2]);
  assert.ok(await b.page.isVisible('#problem'));
  assert.match(await b.page.textContent('#problem') ?? '', new RegExp(`offset ${m[1]}, frame ${m[2]}`));
  assert.equal(Number(await b.page.getAttribute('#status', 'data-packets')), cli.stdout.trim().split('\n').length, 'the packets before the damage are shown');
  await b.shot('damaged');
  const text = join(tmp, 'notes.txt');
  writeFileSync(text, 'this is not a capture, just some text\n'.repeat(4));
  await openFile(b.page, text);
  assert.equal(await b.page.getAttribute('#problem', 'data-kind'), 'notcapture');
  assert.ok(await b.page.isVisible('#problem'));
  assert.equal(Number(await b.page.getAttribute('#status', 'data-packets')), 0);
});

test('export: conns --json, CSV, pcapng of the displayed packets, ladder as SVG and PNG', async () => {
  await openFile(b.page, HTTP_CLOSE);
  const save = async (kind: string): Promise<Buffer> => {
    const [dl] = await Promise.all([b.page.waitForEvent('download'), b.page.click(`[data-export="${kind}"]`)]);
    const p = join(tmp, dl.suggestedFilename());
    await dl.saveAs(p);
    return readFileSync(p);
  };
  assert.equal((await save('json')).toString('utf8'), cliOk(['conns', '--json', HTTP_CLOSE]));
  const csv = (await save('csv')).toString('utf8').trim().split('\n');
  assert.equal(csv.length, 2);
  assert.match(csv[1]!, /^0,127\.0\.0\.1:37504,127\.0\.0\.1:17088,three-way,/);
  // Displayed packets after a filter: the same frames, byte for byte.
  const orig = readCaptureSync(new Uint8Array(readFileSync(HTTP_CLOSE))).frames;
  const wantFrames = readLines(['-Y', 'tcp.len > 0', HTTP_CLOSE]).map((l) => Number(l.trim().split(/\s+/)[0]));
  assert.ok(wantFrames.length >= 2 && wantFrames.length < orig.length);
  await b.page.fill('#filter', 'tcp.len > 0');
  await b.page.press('#filter', 'Enter');
  await b.page.waitForFunction((n) => document.getElementById('filter-msg')!.dataset.shown === String(n), wantFrames.length);
  const ng = readCaptureSync(new Uint8Array(await save('pcapng-filtered')));
  assert.equal(ng.parser.problems.length, 0);
  assert.equal(ng.parser.info?.format, 'pcapng');
  assert.deepEqual(ng.frames.map((f) => Buffer.from(f.data).toString('hex')), wantFrames.map((n) => Buffer.from(orig[n - 1]!.data).toString('hex')));
  assert.deepEqual(ng.frames.map((f) => [f.tsSec, f.tsNsec]), wantFrames.map((n) => [orig[n - 1]!.tsSec, orig[n - 1]!.tsNsec]));
  await b.page.fill('#filter', '');
  await b.page.press('#filter', 'Enter');
  await b.page.click('#conns .crow[data-stream="0"]');
  await b.page.waitForSelector('#ladder svg');
  const svg = (await save('svg')).toString('utf8');
  assert.match(svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  assert.ok(svg.includes('TIME_WAIT') && svg.includes('CLOSE_WAIT'));
  const png = await save('png');
  assert.equal(png.subarray(1, 4).toString('latin1'), 'PNG');
});

test('tcpscope serve FILE: the page opens the served capture; a live source streams in', async () => {
  const one = await startServer({ file: HTTP_CLOSE });
  try {
    await b.page.goto(one.url);
    await loaded(b.page, 0);
    await waitRows(b.page);
    assert.equal(await b.page.textContent('#filename'), 'http-server-close.pcap');
    assert.equal(Number(await b.page.getAttribute('#status', 'data-packets')), 10);
    await b.page.click('#conns .crow[data-stream="0"]');
    await b.page.waitForSelector('#ladder svg');
    await b.shot('serve-file');
  } finally { await one.close(); }
  // Live: the header and four packets now, the rest later; the page shows them as they come.
  const whole = readFileSync(HTTP_CLOSE);
  const frames = readCaptureSync(new Uint8Array(whole)).frames;
  const split = frames[4]!.fileOffset;
  let release!: () => void;
  const gate = new Promise<void>((r) => { release = r; });
  async function* source(): AsyncGenerator<Uint8Array> {
    yield new Uint8Array(whole.subarray(0, split));
    await gate;
    yield new Uint8Array(whole.subarray(split));
  }
  const live = await startServer({ source: source(), name: 'live test' });
  try {
    await b.page.goto(live.url);
    await b.page.waitForSelector('#packets .row[data-frame="4"]', { timeout: 10_000 });
    assert.equal(await b.page.getAttribute('#status', 'data-state'), 'live');
    assert.equal(await b.page.$('#packets .row[data-frame="5"]'), null);
    release();
    await loaded(b.page, 0);
    await b.page.waitForSelector('#packets .row[data-frame="10"]', { timeout: 10_000 });
    assert.equal(Number(await b.page.getAttribute('#status', 'data-packets')), 10);
    assert.equal(Number(await b.page.getAttribute('#status', 'data-conns')), 1);
  } finally { await live.close(); }
});

test('the page asks nothing of any host but the local server; no page errors', () => {
  assert.ok(b.requests.length > 10);
  const foreign = b.requests.filter((u) => !u.startsWith('http://127.0.0.1:') && !u.startsWith('blob:') && !u.startsWith('data:'));
  assert.deepEqual(foreign, []);
  assert.deepEqual(b.errors, []);
});

test('the static build works from disk (file://): a dropped capture is read by the embedded worker', async () => {
  const page = await b.ctx.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  try {
    await page.goto(pathToFileURL(join(REPO, 'dist', 'web', 'index.html')).href);
    const n = await loads(page);
    await page.setInputFiles('#file', HTTP_CLOSE);
    await loaded(page, n);
    await waitRows(page);
    assert.equal(Number(await page.getAttribute('#status', 'data-packets')), 10);
    assert.equal((await shownLines(page)).get(10), readLines([HTTP_CLOSE])[9]);
    assert.deepEqual(errors, []);
  } finally { await page.close(); }
});
