/**
 * Test support: find the shared captures, run tshark and tcpscope on the same arguments, and
 * compare field by field. Used by every differential test.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { ANALYSIS_FIELDS } from './analysis-fields.js';
import { runTsharkCached, runTsharkCachedAsync, tsharkVersion, type Run } from './tshark-cache.js';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
export const SHARED = resolve(REPO, '../shared/captures');
export const ENCAP = resolve(REPO, '../shared/encap');
export const CLI = join(REPO, 'dist/cli/main.js');

/** Whether tshark runs here. Under CI (the environment variable CI is set) a missing tshark throws: CI never skips. */
export function hasTshark(): boolean {
  if (tsharkVersion() !== '') return true;
  if (process.env.CI) throw new Error('CI: tshark is not installed (apt-get install tshark); the differential tests need it');
  return false;
}

/**
 * What a test needs from outside the repository: tshark on PATH and/or files (the shared
 * captures at ../shared/captures and ../shared/encap, found relative to the repository).
 * Use as `test(name, { skip: needs({ tshark: true }) }, …)`:
 *   - everything present: false (the test runs);
 *   - something missing, locally: a note saying what, and the test is skipped;
 *   - something missing under CI (the environment variable CI is set): throws, so the test
 *     file fails with that sentence: CI never skips silently.
 */
export function needs(what: { tshark?: boolean; paths?: string[] }): false | string {
  const missing: string[] = [];
  if (what.tshark && tsharkVersion() === '') missing.push('tshark is not installed (apt-get install tshark)');
  for (const p of what.paths ?? [SHARED]) if (!existsSync(p)) missing.push(`${relative(REPO, p)} is missing (the shared captures live beside the repository)`);
  if (!missing.length) return false;
  if (process.env.CI) throw new Error(`CI: ${missing.join('; ')}`);
  return `${missing.join('; ')}: skipped locally; this fails under CI`;
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

export type { Run };

/** tshark with `args`, through the shared cache of runs (test/support/tshark-cache.ts). */
export function runTshark(args: string[]): Run {
  return runTsharkCached(args);
}

/** The same, without blocking. */
export function runTsharkAsync(args: string[]): Promise<Run> {
  return runTsharkCachedAsync(args);
}

export function runCli(args: string[], input?: Buffer): Run {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', maxBuffer: 1 << 30, input, env: { ...process.env, LANG: 'C' } });
  return { stdout: r.stdout ?? '', stderr: r.stderr ?? '', status: r.status ?? -1 };
}

/** runCli without blocking, so that a test can keep several processes busy. */
export function runCliAsync(args: string[]): Promise<Run> {
  return new Promise((done) => {
    const p = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LANG: 'C' } });
    let stdout = '', stderr = '';
    p.stdout.setEncoding('utf8').on('data', (d: string) => { stdout += d; });
    p.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
    p.on('error', (e) => { stderr += String(e); });
    p.on('close', (code) => done({ stdout, stderr, status: code ?? -1 }));
  });
}

/** `f` over `items` with at most `n` calls running at once; results in the order of `items`. */
export async function pool<T, R>(items: readonly T[], n: number, f: (x: T) => Promise<R>): Promise<R[]> {
  const res: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, async () => {
    while (next < items.length) { const i = next++; res[i] = await f(items[i]!); }
  }));
  return res;
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

/** `tsharkStatus`/`tcpscopeStatus`: the exit statuses (a capture tshark cannot read compares no cell). */
export interface Comparison { compared: number; agreed: number; excused: number; diffs: FieldDiff[]; tsharkStatus: number; tcpscopeStatus: number }

/** The arguments compareFields gives both tools (tshark gets `-n` first). */
export function fieldArgs(capture: string, fields: readonly string[], extra: string[] = []): string[] {
  return ['-r', capture, '-T', 'fields', ...extra, ...fields.flatMap((f) => ['-e', f])];
}

/**
 * tshark's arguments for the analysis differential (ANALYSIS_FIELDS) on one capture: other tests
 * that need some of those columns use the same run, which the cache then serves once.
 */
export function analysisArgs(capture: string, extra: string[] = []): string[] {
  return ['-n', ...fieldArgs(capture, ANALYSIS_FIELDS, extra)];
}

/**
 * Run `-T fields` with `fields` through both tools on one capture and compare every cell.
 * A cell that differs is excused when the exception file names its capture and field (and frame, if given).
 */
export function compareFields(capture: string, fields: string[], extra: string[] = [], exceptions: Exception[] = []): Comparison {
  const args = fieldArgs(capture, fields, extra);
  return compareOutputs(capture, fields, runTshark(['-n', ...args]), runCli(['read', ...args]), exceptions);
}

/** compareFields with tshark and tcpscope running at the same time. */
export async function compareFieldsAsync(capture: string, fields: string[], extra: string[] = [], exceptions: Exception[] = []): Promise<Comparison> {
  const args = fieldArgs(capture, fields, extra);
  const [ts, us] = await Promise.all([runTsharkAsync(['-n', ...args]), runCliAsync(['read', ...args])]);
  return compareOutputs(capture, fields, ts, us, exceptions);
}

function compareOutputs(capture: string, fields: string[], ts: Run, us: Run, exceptions: Exception[]): Comparison {
  const a = ts.stdout.split('\n');
  const b = us.stdout.split('\n');
  const res: Comparison = { compared: 0, agreed: 0, excused: 0, diffs: [], tsharkStatus: ts.status, tcpscopeStatus: us.status };
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
