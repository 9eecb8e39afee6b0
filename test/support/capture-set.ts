/**
 * Test support for capture sets: a "whole" capture made with mergecap from several shared
 * captures shifted in time (editcap -t) so that their connections interleave, and that capture
 * split into ten files with editcap -c.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SHARED } from './tshark.js';

export const SET_SOURCES = [
  'zeek_wikipedia.pcap', 'zeek_http_get.pcap', 'pcapplusplus_four_ipv6_http_streams.pcap', 'zeek_tcp_retransmit-fast009.pcap',
  'scenarios/http-server-close.pcap', 'pcapplusplus_one_http_stream_rst.pcap', 'zeek_ftp_ipv6.pcap', 'zeek_tcp_syn-then-stuff-then-rst.pcap',
  'scenarios/refused.pcap', 'zeek_tls_pop3-starttls.pcap',
].map((f) => join(SHARED, f));

const run = (cmd: string, args: string[]): string => execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

export interface SplitSet { dir: string; whole: string; parts: string[]; partsDir: string; perPart: number; frames: number }

/** Build the whole capture (starts shifted to 0.37 s apart from 2011-03-18 19:06:07) and its ten parts. */
export function makeSplitSet(): SplitSet {
  const dir = mkdtempSync(join(tmpdir(), 'tcpscope-set-'));
  const shifted: string[] = [];
  SET_SOURCES.forEach((src, i) => {
    const first = Number(run('tshark', ['-r', src, '-c', '1', '-T', 'fields', '-e', 'frame.time_epoch']).trim());
    const out = join(dir, `shifted-${i}.pcapng`);
    const delta = (1300475167 + i * 0.37 - first).toFixed(6);
    run('editcap', ['-F', 'pcapng', '-t', delta, src, out]);
    shifted.push(out);
  });
  const whole = join(dir, 'whole.pcapng');
  run('mergecap', ['-F', 'pcapng', '-w', whole, ...shifted]);
  const frames = Number(run('capinfos', ['-M', '-c', whole]).match(/Number of packets:\s+(\d+)/)![1]);
  const perPart = Math.ceil(frames / 10);
  const partsDir = join(dir, 'parts');
  mkdirSync(partsDir);
  run('editcap', ['-c', String(perPart), whole, join(partsDir, 'part.pcapng')]);
  const parts = readdirSync(partsDir).sort().map((n) => join(partsDir, n));
  return { dir, whole, parts, partsDir, perPart, frames };
}
