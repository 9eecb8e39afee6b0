/**
 * Capture sets on the command line: several FILE arguments, directories (their files, sorted by
 * name) and globs (`*` and `?` in the last part of a path, for when the shell did not expand
 * them) become one list of files, read as one capture (src/capture/merge.ts) in timestamp order
 * or, with --append, one after the other.
 */
import { createHash } from 'node:crypto';
import { createReadStream, readdirSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { CaptureInfo, CaptureProblem, Frame } from '../src/capture/types.js';
import { mergeFrameSources } from '../src/capture/merge.js';
import { openCaptureFile } from './node-io.js';
import type { CaptureParser } from '../src/capture/reader.js';
import { ExitCode, InputError, UsageError } from './errors.js';
import { warn } from './output.js';

/** What reportProblems needs of a parser: a capture set offers the same. */
export interface ProblemSource {
  readonly info: CaptureInfo | null;
  readonly problems: readonly CaptureProblem[];
}

export interface OpenedInput {
  /** the file's name, or for a set "N files" (what error messages start with) */
  label: string;
  /** the files of the set, in the order given (one entry for a single file) */
  files: string[];
  parser: ProblemSource;
  batches: AsyncGenerator<Frame[]>;
}

const hasGlob = (s: string): boolean => /[*?]/.test(s);

function globRegExp(pattern: string): RegExp {
  const esc = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]');
  return new RegExp(`^${esc}$`);
}

/**
 * Expand the capture arguments: a directory stands for its regular files (sorted by name, not
 * recursive, dot files left out); a name with `*` or `?` in its last part for the matching
 * files (sorted); anything else (also '-') is kept as it is. A glob that matches nothing or an
 * empty directory is a usage error.
 */
export function expandCaptureArgs(args: string[]): string[] {
  const out: string[] = [];
  for (const a of args) {
    if (a === '-') { out.push(a); continue; }
    if (hasGlob(basename(a)) && !hasGlob(dirname(a))) {
      const dir = dirname(a);
      const re = globRegExp(basename(a));
      let names: string[];
      try { names = readdirSync(dir); } catch { throw new UsageError(`${a}: no such directory ${JSON.stringify(dir)}`); }
      const hits = names.filter((n) => re.test(n) && !n.startsWith('.')).sort().map((n) => (dir === '.' && !a.startsWith('./') ? n : join(dir, n)))
        .filter((p) => { try { return statSync(p).isFile(); } catch { return false; } });
      if (!hits.length) throw new UsageError(`${a}: no file matches`);
      out.push(...hits);
      continue;
    }
    let isDir = false;
    try { isDir = statSync(a).isDirectory(); } catch { /* opened later: that reports the error */ }
    if (isDir) {
      const hits = readdirSync(a).filter((n) => !n.startsWith('.')).sort().map((n) => join(a, n))
        .filter((p) => { try { return statSync(p).isFile(); } catch { return false; } });
      if (!hits.length) throw new UsageError(`${a}: the directory holds no files`);
      out.push(...hits);
    } else out.push(a);
  }
  if (out.length > 1 && out.includes('-')) throw new UsageError('standard input (-) cannot be part of a capture set');
  return out;
}

/**
 * Open one file, or a set as one merged capture. For a set, each file's problems are reported
 * with the file's name in front; `info` is the first file's.
 */
export async function openCaptureInput(files: string[], append = false): Promise<OpenedInput> {
  if (files.length === 1) {
    const opened = await openCaptureFile(files[0]!);
    if (!opened.ok) throw new InputError(opened.error.message);
    return { label: files[0]!, files, parser: opened.parser, batches: opened.batches };
  }
  const parsers: CaptureParser[] = [];
  const sources: Array<AsyncGenerator<Frame[]>> = [];
  for (const f of files) {
    const opened = await openCaptureFile(f);
    if (!opened.ok) throw new InputError(opened.error.message);
    parsers.push(opened.parser);
    sources.push(opened.batches);
  }
  const parser: ProblemSource = {
    get info() { return parsers[0]!.info; },
    get problems() { return parsers.flatMap((p, i) => p.problems.map((x) => ({ ...x, message: `${files[i]}: ${x.message}` }))); },
  };
  return { label: `capture set of ${files.length} files`, files, parser, batches: mergeFrameSources(sources, { append }) };
}

/**
 * The capture's identity for idempotent loads: SHA-256 of the file's bytes (as stored, before
 * gunzip); for a set, of the files' hashes in order and the mode. 32 hex digits.
 */
export async function captureHash(files: string[], append = false): Promise<string> {
  const each: string[] = [];
  for (const f of files) {
    const h = createHash('sha256');
    for await (const c of createReadStream(f)) h.update(c as Buffer);
    each.push(h.digest('hex'));
  }
  if (each.length === 1) return each[0]!.slice(0, 32);
  return createHash('sha256').update((append ? 'append\n' : 'merge\n') + each.join('\n')).digest('hex').slice(0, 32);
}

/** Say on stderr what was wrong with the file and where; pick the exit code. */
export function reportProblems(parser: ProblemSource, file: string, frames: number): number {
  let code: number = ExitCode.OK;
  for (const p of parser.problems) {
    warn(`tcpscope: ${file === '-' ? 'standard input' : file}: ${p.message} (offset ${p.offset}, frame ${p.frame})`);
    if (p.fatal) code = frames === 0 && !parser.info ? ExitCode.NOT_A_CAPTURE : ExitCode.DAMAGED;
  }
  return code;
}
