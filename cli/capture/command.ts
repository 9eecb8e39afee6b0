/**
 * `tcpscope capture -i IFACE [-f FILTER] [-w FILE] [-c N] [-a duration:S] [-Y FILTER] [--conns]`
 * and `tcpscope capture -D`: live capture through dumpcap (or tcpdump), parsed as it arrives by
 * the project's own streaming reader. The engine's bytes are written to the -w file before they
 * are parsed, so the file holds every packet that was shown; Ctrl-C (SIGINT), -c or -a stop the
 * engine cleanly and its drop counts are reported on stderr.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, openSync, writeSync } from 'node:fs';
import type { Command } from 'commander';
import { CaptureParser, readCaptureBatches } from '../../src/capture/reader.js';
import { Dissector } from '../../src/dissect.js';
import type { PacketRecord } from '../../src/record.js';
import { summaryLine } from '../../src/render/summary.js';
import { connsTable } from '../../src/render/conns.js';
import { LifecycleTracker } from '../../src/tcp/lifecycle.js';
import type { Lang } from '../../src/i18n/meanings.js';
import { ExitCode, ExitError, UsageError } from '../errors.js';
import { displayFilter, FILTER_HELP } from '../filter.js';
import { pickLang, positiveInt } from '../options.js';
import { Output, warn } from '../output.js';
import { reportProblems } from '../capture-set.js';
import { terminalPaint } from '../lifecycle-run.js';
import { dropsLine, LiveCapture, needEngine } from './engine.js';
import { IsbWatcher } from './isb.js';
import { ByteChannel, serveUntilInterrupted, startServer, type RunningServer } from '../serve.js';

export interface CaptureOptions {
  iface: string;
  filter?: string;
  write?: string;
  count?: number;
  durationS?: number;
  display?: string;
  conns: boolean;
  lang: Lang;
  color?: boolean;
  /** also show the packets live in the web viewer (127.0.0.1) */
  serve?: boolean;
}

/** The live connection table keeps at most this many packets to recompute from; beyond, it is shown only at the end. */
export const LIVE_TABLE_MAX_PACKETS = 50_000;

/** `capture -D`: the engine's list of interfaces. */
export function listInterfaces(): number {
  const engine = needEngine();
  const r = spawnSync(engine.path, ['-D'], { encoding: 'utf8', timeout: 30_000 });
  if (r.stdout) process.stdout.write(r.stdout);
  if (r.status !== 0) {
    if (/permission|not permitted/i.test(r.stderr ?? '')) throw new ExitError(`${engine.name} -D: not allowed to list interfaces (run as root or grant capture rights)`, ExitCode.CAPTURE_DENIED);
    throw new ExitError(`${engine.name} -D failed: ${(r.stderr ?? '').trim().split('\n')[0] ?? ''}`, ExitCode.CAPTURE_FAILED);
  }
  return ExitCode.OK;
}

export function parseDuration(v: string): number {
  const m = /^duration:(\d+(?:\.\d+)?)$/.exec(v);
  if (!m || Number(m[1]) <= 0) throw new UsageError(`-a ${v}: expected duration:SECONDS, e.g. -a duration:10`);
  return Number(m[1]);
}

export async function runCapture(o: CaptureOptions): Promise<number> {
  const filter = displayFilter(o.display);
  let fd: number | undefined;
  if (o.write !== undefined) {
    try { fd = openSync(o.write, 'w'); } catch (e) {
      throw new ExitError(`cannot write ${JSON.stringify(o.write)}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, ExitCode.CAPTURE_FAILED);
    }
  }
  let cap: LiveCapture;
  try {
    cap = await LiveCapture.start({ iface: o.iface, filter: o.filter, count: o.count });
  } catch (e) {
    if (fd !== undefined) closeSync(fd);
    throw e;
  }
  // --serve: the viewer gets the engine's bytes as they arrive (the same bytes as the -w file).
  const live = o.serve ? new ByteChannel() : undefined;
  let srv: RunningServer | undefined;
  if (live) {
    srv = await startServer({ source: live, name: `live: ${o.iface}` });
    warn(`tcpscope: live in the web viewer at ${srv.url} (127.0.0.1 only)`);
  }
  const onSignal = (): void => cap.stop();
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const timer = o.durationS !== undefined ? setTimeout(() => cap.stop(), o.durationS * 1000) : undefined;
  warn(`tcpscope: capturing on ${o.iface} with ${cap.engine.name}${o.filter ? ` (filter: ${o.filter})` : ''}${o.write ? `, saving to ${o.write}` : ''}; Ctrl-C stops`);

  // The engine's bytes go to the file first, then to the parser: every packet shown is in the file.
  const isb = new IsbWatcher();
  async function* tee(): AsyncGenerator<Uint8Array> {
    for await (const chunk of cap.bytes) {
      isb.push(chunk);
      live?.push(chunk);
      if (fd !== undefined) {
        let off = 0;
        while (off < chunk.length) off += writeSync(fd, chunk, off);
      }
      yield chunk;
    }
  }

  const parser = new CaptureParser();
  const dissector = new Dissector();
  const tracker = o.conns ? new LifecycleTracker() : undefined;
  if (tracker) dissector.addObserver(tracker);
  const matched = new Set<number>();
  const kept: PacketRecord[] = [];
  const out = new Output(1, 1 << 16);
  const paint = terminalPaint(o.color);
  const tty = Boolean(process.stdout.isTTY);
  let drawn = 0, lastDraw = 0, frames = 0;
  const keepStream = (s: number): boolean => !filter || matched.has(s);
  const redraw = (): void => {
    const t = new LifecycleTracker();
    for (const r of kept) t.observe(r);
    const text = connsTable(t.finish().map((c) => c.summary).filter((c) => keepStream(c.stream)), o.lang, paint);
    if (drawn) out.raw(`\x1b[${drawn}A\x1b[J`);
    out.line(text);
    drawn = text.split('\n').length;
    out.flush();
  };
  try {
    for await (const batch of readCaptureBatches(tee(), { parser, gunzip: false })) {
      for (const frame of batch) {
        const rec = dissector.dissect(frame);
        frames++;
        const hit = !filter || filter.matches(rec);
        if (o.conns) {
          if (hit && rec.tcp) matched.add(rec.tcp.stream);
          if (tty && kept.length < LIVE_TABLE_MAX_PACKETS) kept.push(rec);
        } else if (hit) out.line(summaryLine(rec, frame.precision ?? 6));
      }
      if (o.conns && tty && kept.length < LIVE_TABLE_MAX_PACKETS && Date.now() - lastDraw > 200) { redraw(); lastDraw = Date.now(); }
      out.flush();
    }
  } finally {
    if (timer) clearTimeout(timer);
    const drops = await cap.finish();
    live?.end();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    if (fd !== undefined) closeSync(fd);
    if (tracker) {
      const conns = tracker.finish().map((c) => c.summary).filter((c) => keepStream(c.stream));
      if (drawn) out.raw(`\x1b[${drawn}A\x1b[J`);
      out.line(connsTable(conns, o.lang, paint));
    }
    out.flush();
    warn(`tcpscope: ${dropsLine(cap.engine.name, drops)}${o.write ? `; saved ${frames} packet${frames === 1 ? '' : 's'} to ${o.write}` : ''}`);
    // dumpcap also writes the counts into the capture (pcapng interface statistics block).
    for (const [id, c] of isb.stats) {
      const parts = [c.received !== null ? `${c.received} received` : '', c.ifdrop !== null ? `${c.ifdrop} dropped by the interface` : '',
        c.osdrop !== null ? `${c.osdrop} dropped by the operating system` : ''].filter(Boolean);
      if (parts.length) warn(`tcpscope: interface statistics block (interface ${id}): ${parts.join(', ')}`);
    }
  }
  const code = reportProblems(parser, `${cap.engine.name} output`, frames);
  if (srv) {
    warn(`tcpscope: capture stopped; the viewer keeps showing it at ${srv.url} until Ctrl-C`);
    await serveUntilInterrupted(srv);
  }
  return code;
}

export function registerCapture(program: Command): void {
  program.command('capture')
    .description('capture live traffic through dumpcap (or tcpdump) and show each packet as it arrives; -D lists the interfaces')
    .option('-i <interface>', 'the interface to capture on, e.g. lo, eth0, any (see -D)')
    .option('-f <capture filter>', 'capture filter (BPF, as tcpdump), e.g. "tcp port 80"')
    .option('-w <file>', 'save every captured packet (pcapng from dumpcap, pcap from tcpdump)')
    .option('-c <count>', 'stop after this many packets', positiveInt('-c'))
    .option('-a <condition>', 'stop after duration:SECONDS')
    .option('-Y <filter>', `${FILTER_HELP} (the -w file keeps every packet)`)
    .option('--serve', 'also show the packets live in the web viewer on 127.0.0.1 (after the capture stops, Ctrl-C again ends it)')
    .option('--conns', 'a connection table that updates in place (on a terminal; otherwise printed at the end)')
    .option('-D', 'list the interfaces that can be captured on')
    .option('--lang <lang>', 'language of the table: en or zh-CN (default from LANG)')
    .option('--color', 'colours even when stdout is not a terminal')
    .option('--no-color', 'no colours')
    .addHelpText('after', `
Exit codes: 0 done, 1 bad command line, 3 the engine's output was cut, ${ExitCode.NO_ENGINE} no capture engine installed,
${ExitCode.CAPTURE_DENIED} not allowed to capture (run as root, or: sudo setcap cap_net_raw,cap_net_admin+eip $(which dumpcap),
or join the wireshark group), ${ExitCode.CAPTURE_FAILED} the engine failed (no such interface, bad filter).`)
    .action(async (opts: Record<string, unknown>) => {
      if (opts.D) { process.exitCode = listInterfaces(); return; }
      if (!opts.i) throw new UsageError('capture: name the interface with -i (tcpscope capture -D lists them)');
      process.exitCode = await runCapture({
        iface: opts.i as string, filter: opts.f as string | undefined, write: opts.w as string | undefined,
        count: opts.c as number | undefined, durationS: opts.a !== undefined ? parseDuration(opts.a as string) : undefined,
        display: opts.Y as string | undefined, conns: Boolean(opts.conns), lang: pickLang(opts.lang as string | undefined),
        color: opts.color === undefined ? undefined : Boolean(opts.color), serve: Boolean(opts.serve),
      });
    });
}
