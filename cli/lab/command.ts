/**
 * `tcpscope lab [--scenario NAME] [--lang en|zh-CN] [-w FILE] [--json]` and `tcpscope lab --url URL`:
 * the handshake/teardown experiment on the machine's real kernel TCP. The scenario runs in a
 * worker (cli/lab/worker.ts) inside a private network namespace when one can be made (root:
 * `unshare --net`; otherwise `unshare --user --map-root-user --net`), else on this machine's
 * loopback; the capture is then read back with the project's own reader and lifecycle stage,
 * checked against the scenario's expectation and explained, with the programs' socket calls
 * placed between the packets on the capture's clock.
 */
import { spawn, spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Option, type Command } from 'commander';
import { connJson } from '../../src/render/conns.js';
import { explain } from '../../src/render/explain.js';
import type { ConnSummary, ConnTimeline } from '../../src/tcp/lifecycle.js';
import type { Lang } from '../../src/i18n/meanings.js';
import { ExitCode, ExitError, UsageError } from '../errors.js';
import { pickLang } from '../options.js';
import { Output, warn } from '../output.js';
import { serveUntilInterrupted, startServer } from '../serve.js';
import { runLifecycle, terminalPaint } from '../lifecycle-run.js';
import { proseWidth } from '../explain.js';
import { needEngine } from '../capture/engine.js';
import { EXPECTED, SCENARIOS, type Expectation, type ScenarioName, type SocketEventRec } from './scenarios.js';
import type { NetworkSetup } from './worker.js';
import type { Recorded } from './recorder.js';
import { renderLab, type LabResult } from './render.js';
import { runUrl } from './url.js';
import { analyse } from './analyse.js';

export interface LabOptions {
  scenario: ScenarioName;
  lang: Lang;
  write?: string;
  json: boolean;
  url?: string;
  color?: boolean;
  /** 'auto' (default: a namespace when possible), or 'host' to use this machine's loopback */
  network?: 'auto' | 'host';
  /** after the lab, show its capture in the web viewer until Ctrl-C */
  serve?: boolean;
}

/** A lab run must finish within this time, or the worker is killed. */
export const LAB_TIMEOUT_MS = 60_000;

type Mode = NetworkSetup['mode'];

function canRun(cmd: string, args: string[]): boolean {
  const r = spawnSync(cmd, args, { stdio: 'ignore', timeout: 10_000 });
  return r.status === 0;
}

/** How the worker is started: inside a private network namespace when one can be made. */
export function chooseNetwork(pref: LabOptions['network'] = 'auto'): { mode: Mode; prefix: string[] } {
  // A namespace's lo starts down: without iproute2's `ip` to bring it up, use this machine's lo.
  if (pref !== 'host' && process.env.TCPSCOPE_LAB_NETNS !== '0' && canRun('ip', ['-V'])) {
    if (process.getuid?.() === 0 && canRun('unshare', ['--net', 'true'])) return { mode: 'netns-root', prefix: ['unshare', '--net', '--'] };
    if (canRun('unshare', ['--user', '--map-root-user', '--net', 'true'])) {
      return { mode: 'netns-user', prefix: ['unshare', '--user', '--map-root-user', '--net', '--'] };
    }
  }
  return { mode: 'host', prefix: [] };
}

interface WorkerOutput {
  ok: boolean; code?: number; message?: string;
  net: Omit<NetworkSetup, 'mode'>; port: number; clientPort: number | null; events: SocketEventRec[]; recorded: Recorded;
}

async function runWorker(prefix: string[], input: object): Promise<WorkerOutput> {
  const worker = fileURLToPath(new URL('./worker.js', import.meta.url));
  const argv = [...prefix, process.execPath, worker, JSON.stringify(input)];
  const child = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '', err = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => { out += d; });
  child.stderr.setEncoding('utf8').on('data', (d: string) => { if (err.length < 65536) err += d; });
  const timer = setTimeout(() => child.kill('SIGKILL'), LAB_TIMEOUT_MS);
  const stopChild = (): void => { child.kill('SIGINT'); };
  process.on('SIGINT', stopChild);
  try {
    await new Promise<void>((res) => child.on('close', () => res()));
  } finally {
    clearTimeout(timer);
    process.off('SIGINT', stopChild);
  }
  const last = out.trim().split('\n').pop() ?? '';
  let res: WorkerOutput;
  try { res = JSON.parse(last) as WorkerOutput; } catch {
    throw new ExitError(`lab: the worker failed: ${(err.trim().split('\n').pop() ?? '') || 'no output'}`, ExitCode.CAPTURE_FAILED);
  }
  if (!res.ok) throw new ExitError(res.message ?? 'lab failed', res.code ?? ExitCode.CAPTURE_FAILED);
  return res;
}

export async function runLab(o: LabOptions): Promise<number> {
  const engine = needEngine();
  let result: LabResult;
  if (o.url !== undefined) {
    result = await runUrl(o.url, o.write, engine.name);
  } else {
    const net = chooseNetwork(o.network);
    const ext = engine.name === 'dumpcap' ? 'pcapng' : 'pcap';
    const file = o.write ?? join(tmpdir(), `tcpscope-lab-${o.scenario}-${process.pid}.${ext}`);
    const host = '127.0.0.1';
    const w = await runWorker(net.prefix, { scenario: o.scenario, file, host, netns: net.mode !== 'host' });
    result = await analyse({
      scenario: o.scenario, capture: file, expected: EXPECTED[o.scenario], socket_events: w.events,
      network: { mode: net.mode, ...w.net }, engine: w.recorded.engine, drops: w.recorded.drops,
      filter: `tcp port ${w.port}`, iface: 'lo',
    }, w.port, w.clientPort);
  }
  const out = new Output();
  if (o.json) out.line(JSON.stringify(jsonResult(result), null, 2));
  else {
    const width = proseWidth();
    out.line(renderLab(result, o.lang, terminalPaint(o.color), (s, tl) => explain(s, tl, o.lang, { paint: terminalPaint(o.color), width }), width));
  }
  out.flush();
  if (o.serve) {
    const srv = await startServer({ file: result.capture, name: basename(result.capture) });
    warn(`tcpscope: the lab's capture in the web viewer at ${srv.url} (127.0.0.1 only; Ctrl-C stops)`);
    await serveUntilInterrupted(srv);
  }
  return result.ok ? ExitCode.OK : ExitCode.LAB_UNEXPECTED;
}

/** The --json object: scenario, capture, expected, observed (the conns --json record), socket_events, ok. */
export function jsonResult(r: LabResult): Record<string, unknown> {
  const t0 = r.summary?.start;
  return {
    scenario: r.scenario,
    ...(r.url ? { url: r.url } : {}),
    capture: r.capture,
    network: r.network,
    expected: r.expected,
    observed: r.observed,
    http_requests: r.requests,
    socket_events: r.socket_events.map((e) => ({ ...e, ...(t0 !== undefined ? { since_first_packet: Math.round((e.time - t0) * 1e6) / 1e6 } : {}) })),
    drops: r.drops,
    ok: r.ok,
    ...(r.diff.length ? { differences: r.diff } : {}),
  };
}

export function registerLab(program: Command): void {
  program.command('lab')
    .description('the handshake/teardown experiment on this machine\'s real TCP: a server and client of its own on loopback, captured, checked against what the scenario expects, and explained with the programs\' socket calls beside the packets')
    .addOption(new Option('--scenario <name>', 'how the connection ends').choices([...SCENARIOS]).default('server-close'))
    .option('--url <url>', 'instead of a scenario: fetch this http:// or https:// URL once (Connection: close) and explain that connection')
    .option('-w <file>', 'where to save the capture (default: a file in the temporary folder; its path is printed)')
    .option('--json', 'one JSON object: scenario, capture, expected, observed (as conns --json), socket_events, ok')
    .option('--serve', 'then show the saved capture in the web viewer on 127.0.0.1 (Ctrl-C stops)')
    .option('--host-network', 'use this machine\'s loopback even when a private network namespace could be made')
    .option('--lang <lang>', 'language: en or zh-CN (default from LANG)')
    .option('--color', 'colours even when stdout is not a terminal')
    .option('--no-color', 'no colours')
    .addHelpText('after', `
Scenarios: ${SCENARIOS.join(', ')}.
Exit codes: 0 as expected, ${ExitCode.LAB_UNEXPECTED} the kernel did something other than the scenario expects (still explained and saved),
${ExitCode.NO_ENGINE} no capture engine (install wireshark-common for dumpcap, or tcpdump), ${ExitCode.CAPTURE_DENIED} not allowed to capture
(run as root, or: sudo setcap cap_net_raw,cap_net_admin+eip $(which dumpcap)), ${ExitCode.CAPTURE_FAILED} the capture or the lab failed.
Without capture rights, learn from the bundled sample: tcpscope explain samples/http-get.pcap`)
    .action(async (opts: Record<string, unknown>) => {
      const url = opts.url as string | undefined;
      if (url !== undefined && !/^https?:\/\/[^/]+/i.test(url)) throw new UsageError(`--url ${url}: expected an http:// or https:// URL`);
      process.exitCode = await runLab({
        scenario: opts.scenario as ScenarioName, lang: pickLang(opts.lang as string | undefined), write: opts.w as string | undefined,
        json: Boolean(opts.json), url, color: opts.color === undefined ? undefined : Boolean(opts.color),
        network: opts.hostNetwork ? 'host' : 'auto', serve: Boolean(opts.serve),
      });
    });
}
