/**
 * `tcpscope follow FILE --stream N`: the bytes of one TCP connection, as tshark's
 * `-q -z follow,tcp,<mode>,N` prints them. Also the `-z follow,tcp,<mode>,N` tap of `read`.
 */
import type { Command } from 'commander';
import { Option } from 'commander';
import { Dissector } from '../src/dissect.js';
import { FOLLOW_MODES, renderFollow, TcpFollower, type FollowDirection, type FollowMode } from '../src/render/follow.js';
import { openCaptureFile } from './node-io.js';
import { Output, warn } from './output.js';
import { InputError, UsageError } from './errors.js';
import { reportProblems } from './capture-set.js';
import { displayFilter, FILTER_HELP } from './filter.js';

const STREAM = /^\d+$/;

export interface FollowOptions { file: string; stream: number; format: FollowMode; direction: FollowDirection }

/**
 * The stream of the first packet that matches `filter` (Wireshark's Follow on a selected
 * packet): one pass over the file before the follow pass.
 */
export async function firstMatchingStream(file: string, filterText: string): Promise<number> {
  const filter = displayFilter(filterText)!;
  if (file === '-') throw new UsageError('follow -Y reads the capture twice: give a file name, not standard input');
  const opened = await openCaptureFile(file);
  if (!opened.ok) throw new InputError(opened.error.message);
  const dissector = new Dissector();
  for await (const batch of opened.batches) {
    for (const frame of batch) {
      const rec = dissector.dissect(frame);
      if (rec.tcp && filter.matches(rec)) return rec.tcp.stream;
    }
  }
  throw new UsageError(`follow -Y '${filterText}': no packet matches the filter in ${file}`);
}

/** Run `follow`; returns the exit code. */
export async function runFollow(o: FollowOptions): Promise<number> {
  const opened = await openCaptureFile(o.file);
  if (!opened.ok) throw new InputError(opened.error.message);
  const follower = new TcpFollower(o.stream);
  const dissector = new Dissector();
  let frames = 0;
  for await (const batch of opened.batches) {
    for (const frame of batch) { follower.observe(dissector.dissect(frame)); frames++; }
  }
  const res = follower.result();
  if (res.droppedBytes) warn(`tcpscope: follow: ${res.droppedBytes} out-of-order bytes of stream ${o.stream} were dropped (too many held)`);
  const out = new Output();
  out.raw(renderFollow(res, o.format, o.direction));
  out.flush();
  return reportProblems(opened.parser, o.file, frames);
}

export function registerFollow(program: Command): void {
  program.command('follow')
    .description('print the bytes of one TCP connection in order, as tshark -q -z follow,tcp,MODE,N does')
    .argument('<file>', 'pcap or pcapng file (gzip allowed); - for standard input')
    .option('--stream <n>', 'the connection: its tcp.stream number (see `tcpscope read`)', (v: string) => {
      if (!STREAM.test(v)) throw new UsageError(`--stream ${v}: expected a tcp.stream number (0, 1, …)`);
      return Number(v);
    })
    .option('-Y <filter>', `${FILTER_HELP}; follow the stream of the first matching packet, e.g. -Y 'http contains "example.com"'`)
    .addOption(new Option('--format <mode>', 'ascii (text, non-printable bytes as .), hex (dump with offsets), raw (hex per chunk), yaml (base64 per packet)').choices([...FOLLOW_MODES]).default('ascii'))
    .addOption(new Option('--direction <dir>', 'both directions, or only what the client (node 0) or the server (node 1) sent').choices(['both', 'client', 'server']).default('both'))
    .action(async (file: string, opts: Record<string, unknown>) => {
      if ((opts.stream === undefined) === (opts.Y === undefined)) throw new UsageError('follow: give either --stream N or -Y FILTER (exactly one)');
      const stream = opts.stream !== undefined ? opts.stream as number : await firstMatchingStream(file, opts.Y as string);
      process.exitCode = await runFollow({
        file, stream, format: opts.format as FollowMode, direction: opts.direction as FollowDirection,
      });
    });
}
