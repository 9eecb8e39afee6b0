/**
 * The lab's worker: runs where the traffic is (inside the private network namespace when the
 * lab could make one). Sets up lo (MTU 1500, offloads off), starts the capture, runs the
 * scenario's server and client, stops the capture, and prints one JSON line on stdout: the
 * socket calls with their times, the ports, what it did to the network, the drop counts.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { Recorder } from './recorder.js';
import { fillQueue, runScenario, type ScenarioName } from './scenarios.js';
import { ExitError } from '../errors.js';

export interface WorkerInput { scenario: ScenarioName; file: string; host: string; netns: boolean }

export interface NetworkSetup {
  /** 'netns-root' (unshare --net), 'netns-user' (unshare --user --map-root-user --net), 'host' (the machine's own lo) */
  mode: 'netns-root' | 'netns-user' | 'host';
  mtu: number | null;
  offloads_off: boolean;
  /** tail-loss probes off (net.ipv4.tcp_early_retrans=0) */
  tlp_off: boolean;
  /** tc tbf on lo, to let FINs cross (simultaneous-close) */
  queue: boolean;
  notes: string[];
}

function run(cmd: string, args: string[]): { ok: boolean; out: string } {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 10_000 });
  return { ok: r.status === 0, out: `${r.stdout ?? ''}${r.stderr ?? ''}${r.error ? r.error.message : ''}`.trim() };
}

export function setupLoopback(scenario: ScenarioName, netns: boolean): Omit<NetworkSetup, 'mode'> {
  const notes: string[] = [];
  if (!netns) {
    const m = /mtu (\d+)/.exec(run('ip', ['link', 'show', 'lo']).out);
    return { mtu: m ? Number(m[1]) : null, offloads_off: false, tlp_off: false, queue: false, notes };
  }
  const up = run('ip', ['link', 'set', 'lo', 'mtu', '1500', 'up']);
  if (!up.ok) notes.push(`ip link set lo mtu 1500 up: ${up.out}`);
  const eth = run('ethtool', ['-K', 'lo', 'tso', 'off', 'gso', 'off', 'gro', 'off']);
  if (!eth.ok) notes.push(`ethtool -K lo tso off gso off gro off: ${eth.out || 'ethtool not installed'}`);
  // No tail-loss probe: its early FIN retransmission would pull the peer's ACK out before the
  // application's close() (on a busy machine), turning the textbook teardowns into others.
  let tlpOff = true;
  try { writeFileSync('/proc/sys/net/ipv4/tcp_early_retrans', '0'); } catch (e) {
    tlpOff = false;
    notes.push(`net.ipv4.tcp_early_retrans=0: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  let queue = false;
  if (scenario === 'simultaneous-close') {
    const tc = run('tc', ['qdisc', 'add', 'dev', 'lo', 'root', 'tbf', 'rate', '1mbit', 'burst', '1600', 'latency', '200ms']);
    queue = tc.ok;
    if (!tc.ok) notes.push(`tc qdisc add dev lo root tbf: ${tc.out || 'tc not installed'}`);
  }
  const m = /mtu (\d+)/.exec(run('ip', ['link', 'show', 'lo']).out);
  return { mtu: m ? Number(m[1]) : null, offloads_off: eth.ok, tlp_off: tlpOff, queue, notes };
}

async function main(): Promise<void> {
  const input = JSON.parse(process.argv[2] ?? '{}') as WorkerInput;
  const net = setupLoopback(input.scenario, input.netns);
  let rec: Recorder | undefined;
  const res = await runScenario(input.scenario, input.host, async (port) => {
    rec = await Recorder.start('lo', `tcp port ${port}`, input.file);
  }, net.queue ? () => fillQueue(input.host) : undefined);
  // Let the last ACKs reach the capture before stopping it.
  await new Promise((r) => setTimeout(r, 300));
  const recorded = await rec!.stop();
  process.stdout.write(JSON.stringify({ ok: true, net, port: res.port, clientPort: res.clientPort, events: res.log.events, recorded }) + '\n');
}

main().catch((e: unknown) => {
  const code = e instanceof ExitError ? e.code : 70;
  process.stdout.write(JSON.stringify({ ok: false, code, message: (e as Error)?.message ?? String(e) }) + '\n');
  process.exitCode = code;
});
