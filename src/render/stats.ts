/**
 * `read -z`: statistics laid out as tshark 4.0 prints them after the packets.
 *
 * - `expert`: the expert items of TCP (and HTTP's request/status-line chats) by severity
 *   (`tshark -q -z expert`), counted per summary text in the order each text first appeared.
 * - `conv,tcp`: one row per tcp.stream (`tshark -q -z conv,tcp`), busiest first.
 * - `io,stat,INTERVAL`: frames and bytes per interval (`tshark -q -z io,stat,INTERVAL`),
 *   including tshark's column widths and rounding.
 *
 * Each statistic is an observer: give it every record (`observe`), then `render()`.
 * Memory: one entry per distinct expert text, one per connection, one per interval.
 */
import type { PacketRecord } from '../record.js';
import { ipv4, ipv6At } from '../core/format.js';
import { tcpExpertItems, type Severity } from './info-labels.js';
import { followStatistic } from './follow.js';

/** At most this many io,stat rows are printed (tshark would try, and run out of memory). */
export const MAX_IO_ROWS = 1_000_000;

/** A statistic that cannot be printed (the message is for the user). */
export class StatsError extends Error {}

export interface Statistic {
  observe(r: PacketRecord): void;
  render(): string;
}

/** The -z arguments tcpscope understands (for help texts and error messages). */
export const STAT_SPECS = ['expert', 'conv,tcp', 'io,stat,INTERVAL', 'follow,tcp,ascii|hex|raw|yaml,STREAM'];

/** Make the statistic for one `-z` argument; a string is an error message for the user. */
export function makeStatistic(spec: string): Statistic | string {
  if (spec === 'expert' || spec === 'expert,tcp') return new ExpertStats();
  if (spec === 'conv,tcp') return new ConvStats();
  const io = /^io,stat,([0-9]+(?:\.[0-9]*)?|\.[0-9]+)$/.exec(spec);
  if (io) return new IoStats(io[1]!);
  if (spec.startsWith('follow,')) return followStatistic(spec);
  if (spec.startsWith('io,stat')) return `-z ${spec}: expected io,stat,INTERVAL with INTERVAL in seconds (e.g. io,stat,1 or io,stat,0.5; 0 = whole capture)`;
  return `-z ${spec}: unknown statistic (tcpscope knows ${STAT_SPECS.join(', ')})`;
}

// ---------------------------------------------------------------- expert

const SEVERITIES: Array<[Severity, string]> = [['error', 'Errors'], ['warn', 'Warns'], ['note', 'Notes'], ['chat', 'Chats']];

export class ExpertStats implements Statistic {
  private readonly counts = new Map<string, { severity: Severity; group: string; protocol: string; summary: string; n: number }>();

  observe(r: PacketRecord): void {
    if (!r.tcp) return;
    for (const it of tcpExpertItems(r)) this.add(it.severity, it.group, it.protocol, it.summary);
    // HTTP marks each request and status line it shows with a chat item (line end escaped as text).
    const http = r.app?.http;
    if (http) for (const m of http.messages) this.add('chat', 'Sequence', 'HTTP', `${m.firstLine}\\r\\n`);
  }

  private add(severity: Severity, group: string, protocol: string, summary: string): void {
    const key = `${severity}\u0000${protocol}\u0000${summary}`;
    const e = this.counts.get(key);
    if (e) e.n++;
    else this.counts.set(key, { severity, group, protocol, summary, n: 1 });
  }

  render(): string {
    let s = '';
    for (const [sev, title] of SEVERITIES) {
      const rows = [...this.counts.values()].filter((e) => e.severity === sev);
      if (!rows.length) continue;
      s += `\n${title} (${rows.reduce((n, e) => n + e.n, 0)})\n=============\n   Frequency      Group           Protocol  Summary\n`;
      for (const e of rows) s += `${String(e.n).padStart(12)} ${e.group.padStart(10)} ${e.protocol.padStart(18)}  ${e.summary}\n`;
    }
    return s;
  }
}

// ---------------------------------------------------------------- conv,tcp

interface ConvRow {
  a: string; b: string;
  /** frames/bytes B→A (tshark's "<-") and A→B ("->") */
  rxFrames: number; rxBytes: number; txFrames: number; txBytes: number;
  startSec: number; startNsec: number; lastSec: number; lastNsec: number;
  srcKey: string;
}

/** Wireshark's format_size with SI prefixes: "1023 bytes", "11 kB", "3385 kB", "12 MB". */
export function formatSize(n: number): string {
  const units = ['bytes', 'kB', 'MB', 'GB', 'TB'];
  let i = 0;
  while (i < units.length - 1 && Math.floor(n / 1000 ** (i + 1)) >= 10) i++;
  return `${Math.floor(n / 1000 ** i)} ${units[i]}`;
}

/** printf("%.Nf") of a double, with C's round-half-to-even on exact ties. */
export function cFixed(x: number, digits: number): string {
  const scaled = x * 10 ** digits;
  if (Number.isInteger(scaled * 2) && !Number.isInteger(scaled)) {
    const lo = Math.floor(scaled);
    const even = lo % 2 === 0 ? lo : lo + 1;
    return (even / 10 ** digits).toFixed(digits);
  }
  return x.toFixed(digits);
}

export class ConvStats implements Statistic {
  private readonly rows: ConvRow[] = [];
  private firstSec = 0;
  private firstNsec = 0;
  private seen = false;

  observe(r: PacketRecord): void {
    const f = r.packet.frame;
    if (!this.seen) { this.seen = true; this.firstSec = f.tsSec - r.relSec; this.firstNsec = f.tsNsec - r.relNsec; }
    const t = r.tcp, ip = r.packet.ip, l = r.packet.tcp;
    // tshark counts a packet once its TCP header, options included, was dissected.
    if (!t || !ip || !l || l.captured < l.hdrLen) return;
    const d = f.data;
    const src = ip.kind === 'ipv4' ? ipv4(ip.src) : ipv6At(d, ip.srcOffset);
    const srcKey = `${src}:${l.srcPort}`;
    let row = this.rows[t.stream];
    if (!row) {
      const dst = ip.kind === 'ipv4' ? ipv4(ip.dst) : ipv6At(d, ip.dstOffset);
      row = this.rows[t.stream] = {
        a: srcKey, b: `${dst}:${l.dstPort}`, rxFrames: 0, rxBytes: 0, txFrames: 0, txBytes: 0,
        startSec: f.tsSec, startNsec: f.tsNsec, lastSec: f.tsSec, lastNsec: f.tsNsec, srcKey,
      };
    }
    if (srcKey === row.srcKey) { row.txFrames++; row.txBytes += f.origLen; } else { row.rxFrames++; row.rxBytes += f.origLen; }
    row.lastSec = f.tsSec; row.lastNsec = f.tsNsec;
  }

  render(): string {
    const eq = '='.repeat(80);
    let s = `${eq}\nTCP Conversations\nFilter:<No Filter>\n`;
    s += '                                                           |       <-      | |       ->      | |     Total     |    Relative    |   Duration   |\n';
    s += '                                                           | Frames  Bytes | | Frames  Bytes | | Frames  Bytes |      Start     |              |\n';
    const rows = this.rows.filter((r): r is ConvRow => r !== undefined);
    // Busiest first (total frames); ties keep the order in which the connections started.
    const order = rows.map((r, i) => [r, i] as const).sort((x, y) => (y[0].rxFrames + y[0].txFrames) - (x[0].rxFrames + x[0].txFrames) || x[1] - y[1]);
    for (const [r] of order) {
      // tshark works with seconds as doubles here (the digits show it on long captures).
      const rel = relSeconds(r.startSec, r.startNsec, this.firstSec, this.firstNsec);
      const dur = relSeconds(r.lastSec, r.lastNsec, this.firstSec, this.firstNsec) - rel;
      s += `${r.a.padEnd(26)} <-> ${r.b.padEnd(26)}`
        + `  ${String(r.rxFrames).padStart(6)} ${formatSize(r.rxBytes).padEnd(9)}`
        + `  ${String(r.txFrames).padStart(6)} ${formatSize(r.txBytes).padEnd(9)}`
        + `  ${String(r.rxFrames + r.txFrames).padStart(6)} ${formatSize(r.rxBytes + r.txBytes).padEnd(9)}`
        + `  ${cFixed(rel, 9).padStart(14)} ${cFixed(dur, 4).padStart(14)}\n`;
    }
    return s + eq + '\n';
  }
}

/** A time difference as a double number of seconds (whole seconds plus nanoseconds / 1e9). */
function relSeconds(s1: number, n1: number, s0: number, n0: number): number {
  let sec = s1 - s0, ns = n1 - n0;
  if (ns < 0) { sec--; ns += 1e9; }
  return sec + ns / 1e9;
}

// ---------------------------------------------------------------- io,stat

/** Decimal digits of a whole number (at least 1, at most 5), as tshark sizes its columns. */
function magnitude(v: number, max = 5): number {
  let m = 0;
  for (let i = 0; i < max; i++) {
    m++;
    v = Math.floor(v / 10);
    if (v === 0) break;
  }
  return m;
}

export class IoStats implements Statistic {
  /** interval in microseconds (0: the whole capture) and the decimals given for it */
  private readonly intervalUs: number;
  private readonly prec: number;
  /** frames and bytes per interval index (only intervals that had a frame) */
  private readonly buckets = new Map<number, [number, number]>();
  private totalFrames = 0;
  private totalBytes = 0;
  private maxRelUs = 0;
  private maxFrames = 0;
  private maxBytes = 0;

  constructor(text: string) {
    const dot = text.indexOf('.');
    this.prec = dot < 0 ? 0 : Math.min(6, text.length - dot - 1);
    this.intervalUs = Math.round(Number(text) * 1e6);
  }

  observe(r: PacketRecord): void {
    const relUs = r.relSec * 1e6 + Math.round(r.relNsec / 1000);
    if (relUs > this.maxRelUs) this.maxRelUs = relUs;
    const len = r.packet.frame.origLen;
    this.totalFrames++; this.totalBytes += len;
    // (a frame slightly before the first one, as in some multi-interface captures, counts in the first interval)
    const i = Math.trunc(relUs / this.intervalUs);
    if (this.intervalUs > 0 && i >= 0) {
      let b = this.buckets.get(i);
      if (!b) this.buckets.set(i, (b = [0, 0]));
      if (++b[0] > this.maxFrames) this.maxFrames = b[0];
      if ((b[1] += len) > this.maxBytes) this.maxBytes = b[1];
    }
  }

  render(): string {
    const duration = this.maxRelUs;
    const whole = this.intervalUs === 0 || this.intervalUs >= duration;
    const interval = whole ? duration : this.intervalUs;
    const durSecs = Math.floor(duration / 1e6), durUs = duration % 1e6;
    const dmag = magnitude(durSecs);
    const imag = magnitude(Math.floor(interval / 1e6));
    const prec = whole ? (dmag >= 2 ? 1 : 3) : this.prec;
    // The duration rounded to the precision shown (its magnitude may grow: 9.9999 → 10.0).
    const unit = 10 ** (6 - prec);
    const rem = duration % unit;
    const rounded = duration - rem + (rem >= unit / 2 ? unit : 0);
    const rmag = magnitude(Math.floor(rounded / 1e6));
    const fracW = prec ? prec + 1 : 0;
    const fmt = (us: number, width: number): string => {
      const sec = Math.floor(us / 1e6);
      const txt = prec ? `${sec}.${String(Math.floor((us % 1e6) / unit)).padStart(prec, '0')}` : String(sec);
      return txt.padStart(width);
    };

    // Rows: counts per interval (the whole capture in one row for interval 0); a frame that falls
    // exactly on the end of the last interval is not counted, as in tshark.
    const nRows = duration === 0 ? 0 : this.intervalUs === 0 ? 1 : Math.ceil(duration / interval);
    if (nRows > MAX_IO_ROWS) throw new StatsError(`io,stat: an interval of ${interval / 1e6} s gives ${nRows} rows for this capture (at most ${MAX_IO_ROWS}); choose a larger interval`);
    const row = (i: number): [number, number] => (this.intervalUs === 0 ? [this.totalFrames, this.totalBytes] : this.buckets.get(i) ?? [0, 0]);
    // Column widths come from every interval counted, shown or not.
    const maxF = this.intervalUs === 0 ? this.totalFrames : this.maxFrames;
    const maxB = this.intervalUs === 0 ? this.totalBytes : this.maxBytes;
    const fr = Math.max(6, magnitude(maxF, 15));
    const val = Math.max(5, magnitude(maxB, 15));
    const colW = Math.max(10, 2 * (Math.max(imag, rmag) + fracW) + 6);
    const tabW = 1 + colW + 1 + (fr + 2) + 1 + (val + 2) + 1;
    const border = whole ? Math.max(35, tabW) : tabW;
    const extend = (line: string): string => (border > tabW ? line + ' '.repeat(border - tabW - 1) + '|' : line);
    const center = (t: string, w: number): string => { const pad = w - t.length; const left = Math.ceil(pad / 2); return ' '.repeat(left) + t + ' '.repeat(pad - left); };
    const boxed = (t: string): string => `| ${t}${' '.repeat(Math.max(0, border - 3 - t.length))}|`;
    // Title lines are padded for the widths after rounding, but printed with the widths before it.
    const titled = (label: string, value: string, expected: number): string =>
      `| ${label} ${value} secs${' '.repeat(Math.max(0, border - 18 - expected))}|`;

    const lines: string[] = ['', '='.repeat(border), boxed('IO Statistics'), `|${' '.repeat(border - 2)}|`];
    if (prec === 0) lines.push(titled('Duration:', `${durSecs}.${String(durUs).padStart(6)}`, rmag + 7));
    else lines.push(titled('Duration:', fmt(rounded, 0), rmag + fracW));
    if (whole) lines.push(titled('Interval:', fmt(rounded, 0), rmag + fracW));
    else lines.push(titled('Interval:', fmt(interval, Math.max(imag, dmag) + fracW), Math.max(imag, rmag) + fracW));
    lines.push(`|${' '.repeat(border - 2)}|`, boxed('Col 1: Frames and bytes'), `|${'-'.repeat(border - 2)}|`);
    lines.push(extend(`|${' '.repeat(colW)}|${'1'.padEnd(fr + val + 5)}|`));
    lines.push(extend(`|${' Interval'.padEnd(colW)}| ${center('Frames', fr)} | ${center('Bytes', val)} |`));
    lines.push(extend(`|${'-'.repeat(tabW - 2)}|`));
    const w = dmag + fracW;
    for (let i = 0; i < nRows; i++) {
      const last = i === nRows - 1;
      const from = this.intervalUs === 0 ? 0 : i * interval;
      let cell: string;
      if (prec === 0) {
        const pre = rmag === 1 ? '|  ' : '| ';
        cell = last ? `${pre}${fmt(from, dmag)} <> ${'Dur'.padEnd(rmag + 1)}|` : `${pre}${fmt(from, dmag)} <> ${fmt(from + interval, dmag)}${rmag === 1 ? '  |' : ' |'}`;
      } else {
        cell = `| ${fmt(from, w)} <> ${fmt(last ? rounded : from + interval, w)} |`;
      }
      const [nf, nb] = row(i);
      lines.push(extend(`${cell} ${String(nf).padStart(fr)} | ${String(nb).padStart(val)} |`));
    }
    lines.push('='.repeat(border));
    return lines.join('\n') + '\n';
  }
}
