/**
 * The capture engine, as Wireshark uses it: `dumpcap -w -` (Debian package wireshark-common)
 * writing pcapng to a pipe, or `tcpdump -U -w -` (pcap) when dumpcap is not installed. This
 * module finds the engine, starts it, waits until it is capturing, hands out its byte stream,
 * stops it cleanly (SIGINT: the engine writes its last packets and statistics, then exits) and
 * reads the drop counts it reports. Missing engine and missing privilege become ExitErrors with
 * their own exit codes and a message that says what to do.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { ExitCode, ExitError } from '../errors.js';

export type EngineName = 'dumpcap' | 'tcpdump';
export interface Engine { name: EngineName; path: string }


function executable(p: string): boolean {
  try { accessSync(p, constants.X_OK); return true; } catch { return false; }
}

/**
 * The engine to use: dumpcap, else tcpdump, found on PATH.
 * TCPSCOPE_CAPTURE_ENGINE=dumpcap|tcpdump forces one. Undefined when none is installed.
 */
export function findEngine(env: NodeJS.ProcessEnv = process.env): Engine | undefined {
  const forced = env.TCPSCOPE_CAPTURE_ENGINE;
  const names: EngineName[] = forced === 'tcpdump' ? ['tcpdump'] : forced === 'dumpcap' ? ['dumpcap'] : ['dumpcap', 'tcpdump'];
  const dirs = (env.PATH ?? '').split(delimiter).filter(Boolean);
  for (const name of names) {
    for (const d of dirs) {
      const p = join(d, name);
      if (executable(p)) return { name, path: p };
    }
  }
  return undefined;
}

export const INSTALL_HELP = 'capturing needs dumpcap (Debian/Ubuntu: sudo apt-get install wireshark-common; Fedora: sudo dnf install wireshark-cli; macOS: brew install wireshark) or tcpdump (sudo apt-get install tcpdump)';

export function needEngine(env: NodeJS.ProcessEnv = process.env): Engine {
  const e = findEngine(env);
  if (!e) throw new ExitError(`${INSTALL_HELP}. To learn without capturing: tcpscope explain samples/http-get.pcap`, ExitCode.NO_ENGINE);
  return e;
}

export function deniedHelp(engine: Engine, iface: string): string {
  return `not allowed to capture on ${iface} (${engine.name}: operation not permitted). Run as root (sudo), or let ${engine.name} capture for you: `
    + (engine.name === 'dumpcap'
      ? `sudo setcap cap_net_raw,cap_net_admin+eip ${engine.path}, or on Debian/Ubuntu sudo dpkg-reconfigure wireshark-common (answer Yes) and sudo usermod -aG wireshark $USER (then log in again)`
      : `sudo setcap cap_net_raw,cap_net_admin+eip ${engine.path}`);
}

/** What the engine says it lost. null where it did not say. */
export interface DropCounts {
  /** packets the engine captured */
  captured: number | null;
  /** received by the filter / the interface */
  received: number | null;
  /** dropped by the kernel's capture buffer (pcap's ps_drop) */
  kernel: number | null;
  /** dropped by the interface or its driver (ps_ifdrop) */
  iface: number | null;
  /** dropped by the engine itself (dumpcap) */
  engine: number | null;
}

/** Read the final statistics the engine printed on stderr. */
export function parseDrops(engine: EngineName, stderr: string): DropCounts {
  const d: DropCounts = { captured: null, received: null, kernel: null, iface: null, engine: null };
  const num = (re: RegExp): number | null => { const m = re.exec(stderr); return m ? Number(m[1]) : null; };
  if (engine === 'dumpcap') {
    d.captured = num(/Packets captured: (\d+)/);
    const m = /Packets received\/dropped on interface '[^']*': (\d+)\/(\d+) \(pcap:(\d+)\/dumpcap:(\d+)\/flushed:(\d+)\/ps_ifdrop:(\d+)\)/.exec(stderr);
    if (m) {
      d.received = Number(m[1]);
      d.kernel = Number(m[3]);
      d.engine = Number(m[4]) + Number(m[5]);
      d.iface = Number(m[6]);
    }
  } else {
    d.captured = num(/(\d+) packets? captured/);
    d.received = num(/(\d+) packets? received by filter/);
    d.kernel = num(/(\d+) packets? dropped by kernel/);
    d.iface = num(/(\d+) packets? dropped by interface/);
  }
  return d;
}

export interface StartOptions {
  iface: string;
  /** capture filter (BPF syntax, as tcpdump and dumpcap -f take it) */
  filter?: string;
  /** stop after this many packets (the engine counts) */
  count?: number;
  /** dumpcap stops by itself after this many seconds (-a duration:S): a bound when its reader may be killed */
  maxSeconds?: number;
  /** how long to wait for the engine to start capturing (default 15 s) */
  readyTimeoutMs?: number;
  env?: NodeJS.ProcessEnv;
}

/** A running engine: `bytes` is its pcapng (dumpcap) or pcap (tcpdump) output as it is written. */
export class LiveCapture {
  private stderrText = '';
  private stopping = false;
  readonly exited: Promise<number | null>;

  private constructor(readonly engine: Engine, readonly child: ChildProcess) {
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (d: string) => { if (this.stderrText.length < 1 << 20) this.stderrText += d; });
    this.exited = new Promise((res) => child.on('close', (code) => res(code)));
  }

  get bytes(): AsyncIterable<Uint8Array> { return this.child.stdout! as AsyncIterable<Uint8Array>; }
  get stderr(): string { return this.stderrText; }
  get stopped(): boolean { return this.stopping; }

  /**
   * Start the engine and resolve once it is capturing (dumpcap: "File: -", tcpdump: "listening
   * on"). Throws ExitError: NO_ENGINE, CAPTURE_DENIED (with what to grant), CAPTURE_FAILED.
   */
  static async start(o: StartOptions): Promise<LiveCapture> {
    const engine = needEngine(o.env);
    const args = engine.name === 'dumpcap'
      ? ['-i', o.iface, ...(o.filter ? ['-f', o.filter] : []), ...(o.count ? ['-c', String(o.count)] : []),
        ...(o.maxSeconds ? ['-a', `duration:${o.maxSeconds}`] : []), '-w', '-']
      // -U: write each packet to the pipe at once; --immediate-mode: the kernel hands each packet
      // over at once (else a ring block waits up to a second and a quick SIGINT loses it);
      // -n: no name lookups; -s 0: whole packets.
      : ['-i', o.iface, '-U', '--immediate-mode', '-n', '-s', '0', ...(o.count ? ['-c', String(o.count)] : []), '-w', '-', ...(o.filter ? [o.filter] : [])];
    let child: ChildProcess;
    try {
      child = spawn(engine.path, args, { stdio: ['ignore', 'pipe', 'pipe'], env: o.env ?? process.env });
    } catch (e) {
      throw new ExitError(`cannot start ${engine.path}: ${(e as Error).message}`, ExitCode.CAPTURE_FAILED);
    }
    const cap = new LiveCapture(engine, child);
    const ready = engine.name === 'dumpcap' ? /^File: /m : /listening on /;
    const timeout = o.readyTimeoutMs ?? 15_000;
    const outcome = await new Promise<'ready' | 'exited' | 'error' | 'timeout'>((res) => {
      const t = setTimeout(() => res('timeout'), timeout);
      const check = (): void => { if (ready.test(cap.stderrText)) { clearTimeout(t); res('ready'); } };
      child.stderr!.on('data', check);
      child.on('error', () => { clearTimeout(t); res('error'); });
      cap.exited.then(() => { clearTimeout(t); res(ready.test(cap.stderrText) ? 'ready' : 'exited'); });
    });
    if (outcome === 'ready') return cap;
    if (child.exitCode === null) child.kill('SIGKILL');
    await Promise.race([cap.exited, new Promise((r) => setTimeout(r, 2000))]);
    const err = cap.stderrText;
    if (/permission|not permitted|EPERM/i.test(err)) throw new ExitError(deniedHelp(engine, o.iface), ExitCode.CAPTURE_DENIED);
    const why = err.split('\n').map((l) => l.trim()).filter((l) => l && !/^Capturing on|^File:/.test(l)).slice(0, 2).join(' ')
      || (outcome === 'timeout' ? `it did not start capturing within ${timeout / 1000} s` : 'it exited without saying why');
    throw new ExitError(`capture on ${o.iface} failed: ${engine.name}: ${why}`, ExitCode.CAPTURE_FAILED);
  }

  /** Ask the engine to stop (SIGINT): it writes what it holds and its statistics, then exits. */
  stop(): void {
    if (this.stopping) return;
    this.stopping = true;
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGINT');
  }

  /** Stop, wait for the exit (bounded; then SIGKILL), and return the drop counts. */
  async finish(graceMs = 5000): Promise<DropCounts> {
    this.stop();
    const t = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(t);
    return parseDrops(this.engine.name, this.stderrText);
  }
}

/** One line about the drops, e.g. `dumpcap: 12 packets captured; dropped: 0 by the kernel, 0 by the interface, 0 by dumpcap`. */
export function dropsLine(engine: EngineName, d: DropCounts): string {
  const parts: string[] = [];
  if (d.kernel !== null) parts.push(`${d.kernel} by the kernel`);
  if (d.iface !== null) parts.push(`${d.iface} by the interface`);
  if (d.engine !== null) parts.push(`${d.engine} by ${engine}`);
  const head = d.captured !== null ? `${d.captured} packet${d.captured === 1 ? '' : 's'} captured` : 'capture ended';
  return `${engine}: ${head}; dropped: ${parts.length ? parts.join(', ') : 'not reported'}`;
}
