/**
 * Test support: run tshark once per (capture, argument list) and keep what it printed.
 *
 * Many test files ask tshark the same question (the same capture, the same options); tshark is
 * the slowest part of the suite. Each run is stored as one JSON file (stdout, stderr, exit
 * status) in a git-ignored folder, `.cache/tshark/` in the repository, or the folder named by
 * the environment variable TCPSCOPE_TSHARK_CACHE. The key is a SHA-256 of:
 *   - the first line of `tshark --version` (another tshark, another answer),
 *   - the SHA-256 of the capture's bytes (the `-r FILE` argument; its path is left out, so a
 *     temporary copy or another checkout finds the same entry; `-r -` is not cached),
 *   - every other argument, exactly and in order.
 * tshark's messages name the capture's path: an entry stores it as a placeholder and gives the
 * asker's own path back.
 * A run tshark did not finish (killed by a signal, or not started) is never stored. Entries are
 * written to a temporary name and renamed, so test files running in parallel never read half
 * an entry. Delete the folder to start cold; nothing else invalidates it (the key covers all
 * the inputs).
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface Run { stdout: string; stderr: string; status: number }

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

/** The folder holding the entries. */
export function cacheDir(): string {
  return process.env.TCPSCOPE_TSHARK_CACHE || join(REPO, '.cache/tshark');
}

let version: string | undefined;
/** `tshark --version`'s first line, or '' when tshark cannot be started. */
export function tsharkVersion(): string {
  if (version === undefined) {
    const r = spawnSync('tshark', ['--version'], { encoding: 'utf8' });
    version = r.status === 0 ? (r.stdout ?? '').split('\n')[0]!.trim() : '';
  }
  return version;
}

const digests = new Map<string, { size: number; mtimeMs: number; sha: string }>();
/** SHA-256 of a file's bytes, remembered per path while its size and time stay the same. */
function fileDigest(path: string): string {
  const st = statSync(path);
  const seen = digests.get(path);
  if (seen && seen.size === st.size && seen.mtimeMs === st.mtimeMs) return seen.sha;
  const sha = createHash('sha256').update(readFileSync(path)).digest('hex');
  digests.set(path, { size: st.size, mtimeMs: st.mtimeMs, sha });
  return sha;
}

/** The cache key of a tshark run, or undefined when the run cannot be cached (no tshark, stdin, a missing file). */
export function cacheKey(args: string[]): string | undefined {
  const v = tsharkVersion();
  if (!v) return undefined;
  const parts: string[] = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '-r' && i + 1 < args.length) {
      const file = args[++i]!;
      if (file === '-') return undefined;
      try { parts.push('-r', `sha256:${fileDigest(file)}`); } catch { return undefined; }
    } else parts.push(args[i]!);
  }
  return createHash('sha256').update(JSON.stringify({ tshark: v, args: parts })).digest('hex');
}

function entryPath(key: string): string {
  return join(cacheDir(), key.slice(0, 2), `${key}.json`);
}

/** The capture path of a run (what `-r` names), which entries store as a placeholder. */
const PLACEHOLDER = '\u0000capture\u0000';
function captureOf(args: string[]): string | undefined {
  const i = args.indexOf('-r');
  return i >= 0 ? args[i + 1] : undefined;
}
const swap = (text: string, from: string | undefined, to: string | undefined): string =>
  from && to !== undefined ? text.split(from).join(to) : text;

function load(key: string, args: string[]): Run | undefined {
  try {
    const e = JSON.parse(readFileSync(entryPath(key), 'utf8')) as Run;
    if (typeof e.stdout === 'string' && typeof e.stderr === 'string' && typeof e.status === 'number') {
      // tshark's messages name the file it read: name this caller's file.
      const cap = captureOf(args);
      return { stdout: swap(e.stdout, PLACEHOLDER, cap), stderr: swap(e.stderr, PLACEHOLDER, cap), status: e.status };
    }
  } catch { /* absent or unreadable: run tshark */ }
  return undefined;
}

function store(key: string, args: string[], run: Run): void {
  const path = entryPath(key);
  const cap = captureOf(args);
  try {
    mkdirSync(dirname(path), { recursive: true });
    const tmp = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
    writeFileSync(tmp, JSON.stringify({ args, stdout: swap(run.stdout, cap, PLACEHOLDER), stderr: swap(run.stderr, cap, PLACEHOLDER), status: run.status }));
    renameSync(tmp, path);
  } catch { /* a read-only cache folder only costs time */ }
}

/** Counters for the curious (printed by nobody; handy when measuring). */
export const stats = { hits: 0, runs: 0 };

/** Run tshark with `args` (synchronously), or return the stored answer of an identical earlier run. */
export function runTsharkCached(args: string[]): Run {
  const key = cacheKey(args);
  const hit = key ? load(key, args) : undefined;
  if (hit) { stats.hits++; return hit; }
  stats.runs++;
  const r = spawnSync('tshark', args, { encoding: 'utf8', maxBuffer: 1 << 30 });
  const run: Run = { stdout: r.stdout ?? '', stderr: r.stderr ?? '', status: r.status ?? -1 };
  if (key && !r.error && r.status !== null) store(key, args, run);
  return run;
}

/** The same, without blocking: for tests that keep several tshark processes busy at once. */
export function runTsharkCachedAsync(args: string[]): Promise<Run> {
  const key = cacheKey(args);
  const hit = key ? load(key, args) : undefined;
  if (hit) { stats.hits++; return Promise.resolve(hit); }
  stats.runs++;
  return new Promise((done) => {
    const p = spawn('tshark', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '', err = '', failed = false;
    p.stdout.setEncoding('utf8').on('data', (d: string) => { out += d; });
    p.stderr.setEncoding('utf8').on('data', (d: string) => { err += d; });
    p.on('error', (e) => { failed = true; err += String(e); });
    p.on('close', (code) => {
      const run: Run = { stdout: out, stderr: err, status: code ?? -1 };
      if (key && !failed && code !== null) store(key, args, run);
      done(run);
    });
  });
}
