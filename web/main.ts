/**
 * The viewer page: panes, virtual lists and the ladder. Everything about the capture is
 * computed by the worker (web/worker.ts); the page only asks for what it draws.
 */
import { compileFilter, FilterError } from '../src/filter/index.js';
import type { Lang } from '../src/i18n/meanings.js';
import { vmsg } from '../src/i18n/viewer.js';
import { ladderSvg } from './ladder-svg.js';
import type { ConnView, DNode, FromWorker, Row, Source, ToWorker } from './protocol.js';

declare const WORKER_SOURCE: string;

// ---- language -----------------------------------------------------------------------------------
const LANG_KEY = 'tcpscope.lang';
function initialLang(): Lang {
  const saved = localStorage.getItem(LANG_KEY);
  if (saved === 'en' || saved === 'zh-CN') return saved;
  return /^zh/i.test(navigator.language) ? 'zh-CN' : 'en';
}
let lang: Lang = initialLang();
const t = (key: string, p: Record<string, string | number> = {}): string => vmsg(lang, key, p);

const $ = <T extends HTMLElement = HTMLElement>(id: string): T => document.getElementById(id) as T;
function el<K extends keyof HTMLElementTagNameMap>(tag: K, cls?: string, text?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

function applyStrings(): void {
  document.documentElement.lang = lang;
  document.title = t('title');
  for (const e of document.querySelectorAll<HTMLElement>('[data-i18n]')) e.textContent = t(e.dataset.i18n!);
  for (const e of document.querySelectorAll<HTMLInputElement>('[data-i18n-placeholder]')) e.placeholder = t(e.dataset.i18nPlaceholder!);
  ($('lang') as HTMLSelectElement).value = lang;
}

// ---- worker -------------------------------------------------------------------------------------
function makeWorker(): Worker {
  if (location.protocol === 'file:') return new Worker(URL.createObjectURL(new Blob([WORKER_SOURCE], { type: 'text/javascript' })));
  return new Worker('worker.js');
}
const worker = makeWorker();
let reqSeq = 0;
const pending = new Map<number, (m: FromWorker) => void>();
function ask(m: ToWorker & { req: number }): Promise<FromWorker> {
  return new Promise((resolve) => { pending.set(m.req, resolve); worker.postMessage(m); });
}
const next = (): number => ++reqSeq;

let total = 0, shown = 0, loaded = false;
let selectedFrame = -1;
let selectedStream = -1;
let currentConn: ConnView | null = null;

worker.onmessage = (e: MessageEvent<FromWorker>): void => {
  const m = e.data;
  if (m.t === 'progress') {
    total = m.packets;
    if (!filterActive) shown = m.packets;
    setProgress(m.bytes, m.packets, m.conns, m.live);
    packetList.setCount(shown);
    return;
  }
  if (m.t === 'loaded') { onLoaded(m); return; }
  if ('req' in m) { const f = pending.get(m.req); pending.delete(m.req); f?.(m); }
};

// ---- status -------------------------------------------------------------------------------------
function fmtBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1 << 20) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / (1 << 20)).toFixed(1)} MiB`;
}
let fileSize = 0;
function setProgress(bytes: number, packets: number, conns: number, live: boolean): void {
  const st = $('status');
  st.dataset.state = live ? 'live' : 'loading';
  const bar = $('progress') as HTMLProgressElement;
  bar.hidden = false;
  if (fileSize) { bar.max = fileSize; bar.value = bytes; } else bar.removeAttribute('value');
  $('status-text').textContent = live ? t('live', { packets }) : t('progress', { bytes: fmtBytes(bytes), packets, conns });
}

function onLoaded(m: Extract<FromWorker, { t: 'loaded' }>): void {
  loaded = true;
  total = m.packets;
  if (!filterActive) shown = m.packets;
  const st = $('status');
  st.dataset.state = 'loaded';
  st.dataset.packets = String(m.packets);
  st.dataset.conns = String(m.conns);
  st.dataset.ms = String(m.ms);
  st.dataset.loads = String(Number(st.dataset.loads ?? '0') + 1);
  ($('progress') as HTMLProgressElement).hidden = true;
  $('status-text').textContent = t('loaded', { packets: m.packets, conns: m.conns, bytes: fmtBytes(m.bytes), ms: m.ms });
  const prob = $('problem');
  prob.hidden = true;
  prob.textContent = '';
  if (m.problem) {
    prob.hidden = false;
    prob.dataset.kind = m.problem.notCapture ? 'notcapture' : 'damaged';
    prob.dataset.offset = String(m.problem.offset);
    prob.dataset.frame = String(m.problem.frame);
    prob.textContent = m.problem.notCapture
      ? t('notcapture', { message: m.problem.message, offset: m.problem.offset })
      : t('damaged', { message: m.problem.message, offset: m.problem.offset, frame: m.problem.frame, packets: m.packets });
  } else if (m.error) {
    prob.hidden = false;
    prob.dataset.kind = 'error';
    prob.textContent = t('loaderror', { message: m.error });
  }
  $('drop-hint').hidden = m.packets > 0 || Boolean(m.problem);
  packetList.setCount(shown);
  packetList.refresh();
  connList.setCount(m.conns);
  connList.refresh();
}

// ---- virtual lists ------------------------------------------------------------------------------
const ROW_H = 20;

/** A list that creates DOM rows only for what is visible and fetches their contents from the worker. */
class VirtualList<T> {
  private count = 0;
  private cache = new Map<number, T>();
  private asked = new Set<number>();
  private readonly spacer: HTMLElement;
  private readonly body: HTMLElement;
  private drawn = -1;
  constructor(readonly box: HTMLElement,
    private readonly fetchRange: (from: number, to: number) => Promise<{ items: T[]; count: number }>,
    private readonly draw: (item: T, index: number) => HTMLElement) {
    this.spacer = el('div', 'spacer');
    this.body = el('div', 'vbody');
    box.append(this.spacer, this.body);
    box.addEventListener('scroll', () => this.render());
    new ResizeObserver(() => this.render()).observe(box);
  }
  setCount(n: number): void {
    if (n === this.count) return;
    this.count = n;
    this.spacer.style.height = `${n * ROW_H}px`;
    this.render();
  }
  clear(): void { this.cache.clear(); this.asked.clear(); }
  refresh(): void { this.clear(); this.render(true); }
  scrollTo(i: number): void {
    const top = i * ROW_H;
    if (top < this.box.scrollTop || top + ROW_H > this.box.scrollTop + this.box.clientHeight) this.box.scrollTop = Math.max(0, top - this.box.clientHeight / 2);
    this.render(true);
  }
  render(force = false): void {
    const first = Math.max(0, Math.floor(this.box.scrollTop / ROW_H) - 5);
    const last = Math.min(this.count, first + Math.ceil(this.box.clientHeight / ROW_H) + 10);
    const missing: number[] = [];
    for (let i = first; i < last; i++) if (!this.cache.has(i) && !this.asked.has(i)) missing.push(i);
    if (missing.length) {
      const from = missing[0]!, to = missing[missing.length - 1]! + 1;
      for (let i = from; i < to; i++) this.asked.add(i);
      void this.fetchRange(from, to).then(({ items, count }) => {
        items.forEach((it, k) => this.cache.set(from + k, it));
        for (let i = from; i < to; i++) this.asked.delete(i);
        if (count !== this.count) this.setCount(count);
        this.render(true);
      });
    }
    const key = first * 1e7 + last;
    if (!force && key === this.drawn) return;
    this.drawn = key;
    const frag = document.createDocumentFragment();
    for (let i = first; i < last; i++) {
      const it = this.cache.get(i);
      if (!it) continue;
      const r = this.draw(it, i);
      r.style.top = `${i * ROW_H}px`;
      frag.append(r);
    }
    this.body.replaceChildren(frag);
  }
}

const packetList = new VirtualList<Row>($('packets'), async (from, to) => {
  const m = await ask({ t: 'rows', req: next(), from, to }) as Extract<FromWorker, { t: 'rows' }>;
  return { items: m.rows, count: m.shown };
}, (r, i) => {
  const d = el('div', `row ${r.cls}${r.index === selectedFrame ? ' selected' : ''}`);
  d.dataset.frame = r.no;
  d.dataset.line = r.line;
  for (const [cls, v] of [['no', r.no], ['time', r.time], ['src', r.src], ['dst', r.dst], ['proto', r.proto], ['len', r.len], ['info', r.info]] as const) d.append(el('span', cls, v));
  d.addEventListener('click', () => { selectedRow = i; void selectFrame(r.index, false); });
  return d;
});

// Up/down arrows, Page Up/Down, Home/End move the selection in the displayed list.
let selectedRow = -1;
$('packets').tabIndex = 0;
$('packets').addEventListener('keydown', (e) => {
  const step: Record<string, number> = { ArrowDown: 1, ArrowUp: -1, PageDown: 20, PageUp: -20, Home: -Infinity, End: Infinity };
  const d = step[e.key];
  if (d === undefined || !shown) return;
  e.preventDefault();
  const row = Math.max(0, Math.min(shown - 1, selectedRow < 0 ? 0 : selectedRow + d));
  selectedRow = row;
  void ask({ t: 'rows', req: next(), from: row, to: row + 1 }).then((m) => {
    const r = (m as Extract<FromWorker, { t: 'rows' }>).rows[0];
    if (!r) return;
    packetList.scrollTo(row);
    void selectFrame(r.index, false);
  });
});

let connStreams = new Map<number, number>();
const connList = new VirtualList<{ cells: string[]; stream: number }>($('conns'), async (from, to) => {
  const m = await ask({ t: 'connRows', req: next(), from, to, lang }) as Extract<FromWorker, { t: 'connRows' }>;
  const head = $('conns-head');
  head.replaceChildren(...m.head.map((h) => el('span', '', h)));
  $('no-conns').hidden = m.total > 0 || !loaded;
  return { items: m.rows.map((cells, k) => ({ cells, stream: m.streams[k]! })), count: m.total };
}, (r, i) => {
  connStreams.set(r.stream, i);
  const d = el('div', `crow${r.stream === selectedStream ? ' selected' : ''}`);
  d.dataset.stream = String(r.stream);
  for (const c of r.cells) d.append(el('span', '', c));
  d.addEventListener('click', () => void selectConn(r.stream));
  return d;
});

// ---- selection: details, bytes --------------------------------------------------------------------
let detailsReq = 0;
async function selectFrame(frame: number, scroll: boolean): Promise<void> {
  selectedFrame = frame;
  for (const r of document.querySelectorAll('#packets .row.selected')) r.classList.remove('selected');
  document.querySelector(`#packets .row[data-frame="${frame + 1}"]`)?.classList.add('selected');
  if (scroll) {
    const m = await ask({ t: 'indexOf', req: next(), frame }) as Extract<FromWorker, { t: 'indexOf' }>;
    if (m.index >= 0) { selectedRow = m.index; packetList.scrollTo(m.index); }
  }
  const req = detailsReq = next();
  const m = await ask({ t: 'details', req, frame, lang }) as Extract<FromWorker, { t: 'details' }>;
  if (req !== detailsReq) return;
  showDetails(m.tree, m.bytes);
  // The packet's connection becomes the selected one (its ladder shows the packet's arrow).
  if (m.stream >= 0 && m.stream !== selectedStream) {
    void selectConn(m.stream);
    connList.scrollTo(connStreams.get(m.stream) ?? m.stream); // rows are in tcp.stream order
  }
  for (const g of document.querySelectorAll('#ladder g.arrow')) g.classList.toggle('selected', Number((g as SVGGElement).dataset.frame) === frame + 1);
}

let bytesSpans: HTMLElement[] = [];
function showDetails(tree: DNode[], bytes: Uint8Array): void {
  const box = $('details');
  box.replaceChildren();
  const walk = (nodes: DNode[], parent: HTMLElement): void => {
    for (const n of nodes) {
      const item = el('div', 'node' + (n.aid ? ' aid' : ''));
      const line = el('div', 'label');
      if (n.children) {
        const tw = el('span', 'twisty', '▾');
        tw.addEventListener('click', (ev) => { ev.stopPropagation(); item.classList.toggle('closed'); tw.textContent = item.classList.contains('closed') ? '▸' : '▾'; });
        line.append(tw);
      } else line.append(el('span', 'twisty', ' '));
      line.append(el('span', 'text', n.label));
      if (n.meaning) line.append(el('span', 'meaning', `← ${n.meaning}`));
      if (n.field) line.dataset.field = n.field;
      line.addEventListener('click', () => {
        for (const s of box.querySelectorAll('.label.selected')) s.classList.remove('selected');
        line.classList.add('selected');
        highlight(n.range);
      });
      item.append(line);
      if (n.children) { const kids = el('div', 'kids'); walk(n.children, kids); item.append(kids); }
      parent.append(item);
    }
  };
  walk(tree, box);
  // The bytes: offset, 16 bytes in hex, the same bytes as ASCII; one span per byte for highlighting.
  const hb = $('bytes');
  hb.replaceChildren();
  bytesSpans = [];
  const asciiSpans: HTMLElement[] = [];
  for (let off = 0; off < bytes.length; off += 16) {
    const line = el('div', 'hexline');
    line.append(el('span', 'off', off.toString(16).padStart(4, '0')));
    const hex = el('span', 'hex'), asc = el('span', 'asc');
    for (let i = off; i < Math.min(off + 16, bytes.length); i++) {
      const b = bytes[i]!;
      const h = el('span', 'b', b.toString(16).padStart(2, '0'));
      const a = el('span', 'b', b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.');
      h.dataset.i = a.dataset.i = String(i);
      bytesSpans.push(h); asciiSpans.push(a);
      hex.append(h); asc.append(a);
    }
    line.append(hex, asc);
    hb.append(line);
  }
  highlightAscii = asciiSpans;
}
let highlightAscii: HTMLElement[] = [];
function highlight(range: [number, number] | undefined): void {
  for (const s of document.querySelectorAll('#bytes .b.hl')) s.classList.remove('hl');
  if (!range) return;
  for (let i = range[0]; i < range[0] + range[1] && i < bytesSpans.length; i++) { bytesSpans[i]!.classList.add('hl'); highlightAscii[i]!.classList.add('hl'); }
  bytesSpans[range[0]]?.scrollIntoView({ block: 'nearest' });
}

// ---- connection: ladder, explanation, follow ------------------------------------------------------
let connReq = 0;
async function selectConn(stream: number): Promise<void> {
  selectedStream = stream;
  for (const r of document.querySelectorAll('#conns .crow')) r.classList.toggle('selected', (r as HTMLElement).dataset.stream === String(stream));
  const req = connReq = next();
  const m = await ask({ t: 'conn', req, stream, lang }) as Extract<FromWorker, { t: 'conn' }>;
  if (req !== connReq) return;
  currentConn = m.view;
  drawConn();
}

function drawConn(): void {
  const v = currentConn;
  const lad = $('ladder'), ex = $('explain'), fo = $('follow');
  if (!v) { lad.replaceChildren(el('p', 'hint', t('select.conn'))); ex.textContent = ''; fo.replaceChildren(); return; }
  lad.dataset.stream = String(v.summary.stream);
  const doc = new DOMParser().parseFromString(ladderSvg(v, lang), 'image/svg+xml');
  const svg = document.importNode(doc.documentElement, true);
  lad.replaceChildren(el('p', 'hint', t('ladder.click')), svg);
  for (const g of svg.querySelectorAll('g.arrow')) {
    g.addEventListener('click', () => void selectFrame(Number((g as SVGGElement).dataset.frame) - 1, true));
    if (Number((g as SVGGElement).dataset.frame) === selectedFrame + 1) g.classList.add('selected');
  }
  ex.textContent = v.explain;
  fo.replaceChildren();
  const f = v.follow;
  fo.append(el('p', 'hint', f.pieces.length ? t('follow.summary', { cb: f.bytes[0], sb: f.bytes[1] }) : t('follow.empty')));
  const pre = el('pre', 'stream');
  for (const p of f.pieces) {
    const s = el('span', p.missing ? 'missing' : p.node === 0 ? 'c0' : 'c1', p.text);
    s.dataset.frame = String(p.frame);
    pre.append(s);
  }
  fo.append(pre);
}

// ---- filter bar -----------------------------------------------------------------------------------
let filterActive = false;
const fin = $('filter') as HTMLInputElement;
function checkFilter(): boolean {
  const text = fin.value;
  const msgEl = $('filter-msg');
  if (!text.trim()) { fin.className = ''; msgEl.textContent = ''; msgEl.className = ''; return true; }
  try {
    compileFilter(text);
    fin.className = 'ok'; msgEl.className = 'ok'; msgEl.textContent = t('filter.ok');
    return true;
  } catch (e) {
    if (!(e instanceof FilterError)) throw e;
    fin.className = 'bad'; msgEl.className = 'bad';
    msgEl.textContent = t('filter.error', { col: e.column, message: e.message });
    msgEl.dataset.column = String(e.column);
    return false;
  }
}
async function applyFilter(): Promise<void> {
  if (!checkFilter()) return;
  const msgEl = $('filter-msg');
  msgEl.textContent = t('filter.running');
  const m = await ask({ t: 'filter', req: next(), text: fin.value });
  if (m.t === 'filterError') { msgEl.className = 'bad'; msgEl.textContent = t('filter.error', { col: m.column, message: m.message }); return; }
  if (m.t !== 'filtered') return;
  filterActive = Boolean(fin.value.trim());
  shown = m.shown;
  msgEl.textContent = t('filter.shown', { shown: m.shown, total: m.total });
  msgEl.dataset.shown = String(m.shown);
  packetList.box.scrollTop = 0;
  selectedRow = -1;
  packetList.setCount(shown);
  packetList.refresh();
}
fin.addEventListener('input', () => checkFilter());
fin.addEventListener('keydown', (e) => { if (e.key === 'Enter') void applyFilter(); });
$('filter-apply').addEventListener('click', () => void applyFilter());
$('filter-clear').addEventListener('click', () => { fin.value = ''; void applyFilter(); });

// ---- export ---------------------------------------------------------------------------------------
function download(name: string, blob: Blob): void {
  const a = el('a');
  a.href = URL.createObjectURL(blob);
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
}
function ladderMarkup(): string | undefined {
  return currentConn ? ladderSvg(currentConn, lang) : undefined;
}
async function exportAs(kind: string): Promise<void> {
  if (kind === 'svg' || kind === 'png') {
    const svg = ladderMarkup();
    if (!svg) return;
    const name = `ladder-stream-${currentConn!.summary.stream}`;
    if (kind === 'svg') { download(`${name}.svg`, new Blob([svg], { type: 'image/svg+xml' })); return; }
    const url = URL.createObjectURL(new Blob([svg], { type: 'image/svg+xml' }));
    const img = new Image();
    await new Promise<void>((res, rej) => { img.onload = () => res(); img.onerror = () => rej(new Error('svg')); img.src = url; });
    const canvas = el('canvas');
    canvas.width = img.width; canvas.height = img.height;
    canvas.getContext('2d')!.drawImage(img, 0, 0);
    URL.revokeObjectURL(url);
    const blob = await new Promise<Blob | null>((res) => canvas.toBlob(res, 'image/png'));
    if (blob) download(`${name}.png`, blob);
    return;
  }
  const k = kind as 'pcapng-selected' | 'pcapng-filtered' | 'csv' | 'json';
  if (k === 'pcapng-selected' && selectedFrame < 0) return;
  const m = await ask({ t: 'export', req: next(), kind: k, frame: selectedFrame }) as Extract<FromWorker, { t: 'file' }>;
  download(m.name, new Blob([m.bytes as BlobPart], { type: m.mime }));
}
for (const b of document.querySelectorAll<HTMLButtonElement>('[data-export]')) b.addEventListener('click', () => void exportAs(b.dataset.export!));

// ---- opening ------------------------------------------------------------------------------------
function open(source: Source, size = 0): void {
  loaded = false; total = 0; shown = 0; filterActive = false; selectedFrame = -1; selectedRow = -1; selectedStream = -1; currentConn = null;
  fileSize = size;
  fin.value = ''; checkFilter();
  $('filename').textContent = source.name;
  $('status').dataset.state = 'loading';
  $('problem').hidden = true;
  $('details').replaceChildren(el('p', 'hint', t('select.packet')));
  $('bytes').replaceChildren();
  connStreams = new Map();
  packetList.setCount(0); packetList.refresh();
  connList.setCount(0); connList.refresh();
  drawConn();
  worker.postMessage({ t: 'open', source } satisfies ToWorker);
}

const picker = $('file') as HTMLInputElement;
picker.addEventListener('change', () => {
  const f = picker.files?.[0];
  if (f) open({ kind: 'file', file: f, name: f.name }, f.size);
  picker.value = ''; // the same file picked again is read again
});
$('open').addEventListener('click', () => picker.click());
document.addEventListener('dragover', (e) => { e.preventDefault(); document.body.classList.add('dragging'); });
document.addEventListener('dragleave', () => document.body.classList.remove('dragging'));
document.addEventListener('drop', (e) => {
  e.preventDefault();
  document.body.classList.remove('dragging');
  const f = e.dataTransfer?.files?.[0];
  if (f) open({ kind: 'file', file: f, name: f.name }, f.size);
});

($('lang') as HTMLSelectElement).addEventListener('change', (e) => {
  lang = (e.target as HTMLSelectElement).value === 'zh-CN' ? 'zh-CN' : 'en';
  localStorage.setItem(LANG_KEY, lang);
  applyStrings();
  checkFilter();
  connList.refresh();
  if (selectedFrame >= 0) void selectFrame(selectedFrame, false);
  if (selectedStream >= 0) void selectConn(selectedStream); else drawConn();
  const st = $('status');
  if (st.dataset.state === 'loaded') $('status-text').textContent = t('loaded', { packets: st.dataset.packets!, conns: st.dataset.conns!, bytes: fmtBytes(fileSize), ms: st.dataset.ms! });
});

applyStrings();
drawConn();
$('details').replaceChildren(el('p', 'hint', t('select.packet')));

// The local server (tcpscope serve) says which capture to show; a static copy has no session.
if (location.protocol !== 'file:') {
  fetch('session.json', { cache: 'no-store' }).then(async (r) => {
    if (!r.ok) return;
    const s = await r.json() as { name: string; url: string | null; live: boolean; size: number };
    if (s.url) open({ kind: 'url', url: new URL(s.url, location.href).href, name: s.name, live: s.live }, s.size);
  }).catch(() => undefined);
}
