/**
 * The Wireshark steps a tutorial takes for one connection, as display filters that select
 * exactly the frames printed beside them. Each filter a student would type first (the SYN
 * flags, "everything from the first FIN on") is checked against the connection's own packets;
 * when it would select more or fewer frames, the filter names the frames instead.
 * test/suggested-filters.test.ts runs every filter through `tcpscope read -Y` and tshark.
 */
import { TcpFlag } from '../decode/types.js';
import type { ConnSummary, ConnTimeline, TimelineEntry } from '../tcp/lifecycle.js';
import type { ExplainFacts } from './facts.js';

export interface Step {
  what: 'site' | 'handshake' | 'teardown' | 'rst' | 'http' | 'follow';
  filter: string;
  /** the frames the filter selects (handshake, teardown, rst, http) */
  frames?: number[];
  /** site: the streams it selects and their packets */
  streams?: number[];
  packets?: number;
  host?: string;
}

const same = (a: number[], b: number[]): boolean => a.length === b.length && a.every((x, i) => x === b[i]);
const inSet = (fs: number[]): string => `frame.number in {${fs.join(',')}}`;

/** The first candidate (a predicate on this stream's packets and its filter text) that selects exactly `want`. */
function pick(tl: ConnTimeline | undefined, want: number[], stream: number, candidates: Array<[(e: TimelineEntry) => boolean, string]>): string {
  const s = `tcp.stream eq ${stream}`;
  if (tl && !tl.truncated) {
    const sorted = [...want].sort((a, b) => a - b);
    for (const [pred, text] of candidates) {
      if (same(tl.entries.filter(pred).map((e) => e.frame), sorted)) return `${s} && ${text}`;
    }
  }
  return `${s} && ${inSet([...want].sort((a, b) => a - b))}`;
}

/** A shell-safe rendering of a file name for a command line. */
function shellWord(s: string): string {
  return /^[\w./+,:@%-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

export function teachingFilters(c: ConnSummary, tl: ConnTimeline | undefined, facts: ExplainFacts): Step[] {
  const out: Step[] = [];
  const v6 = c.server.ip.includes(':');
  if (facts.site) {
    out.push({ what: 'site', filter: `${v6 ? 'ipv6' : 'ip'}.addr==${c.server.ip} && tcp.port==${c.server.port}`, streams: facts.site.streams, packets: facts.site.packets });
  }
  const hs = c.handshake;
  if (hs.frames.length) {
    const SYN = TcpFlag.SYN, ACK = TcpFlag.ACK, FIN = TcpFlag.FIN, RST = TcpFlag.RST;
    const filter = pick(tl, hs.frames, c.stream, [
      [(e) => (e.flags & SYN) !== 0, 'tcp.flags.syn==1'],
      [(e) => (e.flags & SYN) !== 0 || ((e.flags & (ACK | FIN | RST)) === ACK && e.seq === 1 && e.ack === 1 && e.len === 0),
        '(tcp.flags.syn==1 || (tcp.seq==1 && tcp.ack==1 && tcp.len==0 && tcp.flags.fin==0 && tcp.flags.reset==0))'],
    ]);
    out.push({ what: 'handshake', filter, frames: [...hs.frames].sort((a, b) => a - b) });
  }
  const td = c.teardown;
  if (td.frames.length && td.kind !== 'rst-abort') {
    const first = Math.min(...td.frames);
    const filter = pick(tl, td.frames, c.stream, [
      [(e) => e.frame >= first, `frame.number >= ${first}`],
    ]);
    out.push({ what: 'teardown', filter, frames: [...td.frames].sort((a, b) => a - b) });
  }
  if (tl && (td.rst || hs.kind === 'refused')) {
    const rs = tl.entries.filter((e) => e.flags & TcpFlag.RST).map((e) => e.frame);
    if (rs.length && !tl.truncated) out.push({ what: 'rst', filter: `tcp.stream eq ${c.stream} && tcp.flags.reset==1`, frames: rs });
  }
  if (facts.host && facts.host.frames.length) {
    out.push({ what: 'http', filter: `http contains "${facts.host.host.replace(/["\\]/g, '\\$&')}"`, frames: facts.host.frames, host: facts.host.host });
  }
  if (facts.file !== undefined && (c.bytes.client > 0 || c.bytes.server > 0)) {
    out.push({ what: 'follow', filter: `tcpscope follow ${shellWord(facts.file)} --stream ${c.stream}` });
  }
  return out;
}
