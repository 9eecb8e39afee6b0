/**
 * Test support: find the shared captures, run tshark and tcpscope on the same arguments, and
 * compare field by field. Used by every differential test.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
export const SHARED = resolve(REPO, '../shared/captures');
export const CLI = join(REPO, 'dist/cli/main.js');

export function hasTshark(): boolean {
  return spawnSync('tshark', ['--version'], { stdio: 'ignore' }).status === 0;
}

/** Every capture file under ../shared/captures (recursively) and samples/: not the .out/.log/.json beside them. */
export function allCaptures(): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    if (!existsSync(dir)) return;
    for (const name of readdirSync(dir).sort()) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (/\.(pcap|pcapng|cap)(\.gz)?$/.test(name)) out.push(p);
    }
  };
  walk(SHARED);
  walk(join(REPO, 'samples'));
  return out;
}

export function label(path: string): string {
  return path.startsWith(SHARED) ? relative(SHARED, path) : relative(REPO, path);
}

export interface Run { stdout: string; stderr: string; status: number }

export function runTshark(args: string[]): Run {
  const r = spawnSync('tshark', args, { encoding: 'utf8', maxBuffer: 1 << 30 });
  return { stdout: r.stdout ?? '', stderr: r.stderr ?? '', status: r.status ?? -1 };
}

export function runCli(args: string[], input?: Buffer): Run {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', maxBuffer: 1 << 30, input, env: { ...process.env, LANG: 'C' } });
  return { stdout: r.stdout ?? '', stderr: r.stderr ?? '', status: r.status ?? -1 };
}

export function cliOk(args: string[]): string {
  return execFileSync(process.execPath, [CLI, ...args], { encoding: 'utf8', maxBuffer: 1 << 30, env: { ...process.env, LANG: 'C' } });
}

/** Reviewed differences from tshark: test/tshark-exceptions.json. */
export interface Exception { capture: string; field: string; frames?: number[]; reason: string }

export function loadExceptions(): Exception[] {
  return JSON.parse(readFileSync(join(REPO, 'test/tshark-exceptions.json'), 'utf8')).exceptions as Exception[];
}

export interface FieldDiff { capture: string; field: string; frame: number; tshark: string; tcpscope: string }

export interface Comparison { compared: number; agreed: number; excused: number; diffs: FieldDiff[] }

/**
 * Run `-T fields` with `fields` through both tools on one capture and compare every cell.
 * A cell that differs is excused when the exception file names its capture and field (and frame, if given).
 */
export function compareFields(capture: string, fields: string[], extra: string[] = [], exceptions: Exception[] = []): Comparison {
  const args = ['-r', capture, '-T', 'fields', ...extra, ...fields.flatMap((f) => ['-e', f])];
  const ts = runTshark(['-n', ...args]);
  const us = runCli(['read', ...args]);
  const a = ts.stdout.split('\n');
  const b = us.stdout.split('\n');
  const res: Comparison = { compared: 0, agreed: 0, excused: 0, diffs: [] };
  const name = label(capture);
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a[i]?.split('\t') ?? [];
    const y = b[i]?.split('\t') ?? [];
    if (i === n - 1 && !a[i] && !b[i]) continue;
    for (let j = 0; j < fields.length; j++) {
      res.compared++;
      const xv = x[j] ?? '', yv = y[j] ?? '';
      if (xv === yv && (a[i] !== undefined) === (b[i] !== undefined)) { res.agreed++; continue; }
      const frame = i + 1;
      const ok = exceptions.some((e) => e.capture === name && e.field === fields[j] && (!e.frames || e.frames.includes(frame)));
      if (ok) res.excused++;
      else res.diffs.push({ capture: name, field: fields[j]!, frame, tshark: xv, tcpscope: yv });
    }
  }
  return res;
}
