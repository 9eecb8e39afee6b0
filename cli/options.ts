/** Option parsers shared by the commands. */
import { UsageError } from './errors.js';
import { expandCaptureArgs } from './capture-set.js';
import type { Lang } from '../src/i18n/meanings.js';

export const collect = (v: string, acc: string[]): string[] => [...acc, v];

/** Language from --lang, else LC_ALL / LANG (zh* → Simplified Chinese). */
export function pickLang(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): Lang {
  const v = flag ?? env.LC_ALL ?? env.LC_MESSAGES ?? env.LANG ?? '';
  if (/^zh/i.test(v)) return 'zh-CN';
  if (flag && !/^en/i.test(flag)) throw new UsageError(`--lang ${flag}: use en or zh-CN`);
  return 'en';
}

export function positiveInt(name: string) {
  return (v: string): number => {
    if (!/^\d+$/.test(v) || Number(v) < 1) throw new UsageError(`${name} ${v}: expected a positive whole number`);
    return Number(v);
  };
}


/**
 * The capture a command reads: `-r FILE` or the positional arguments (either may be '-' for
 * standard input), given exactly once. Several files, directories and globs make a capture set
 * (cli/capture-set.ts): the list comes back expanded. Shared by read, conns and explain.
 */
export function captureArg(command: string, file: string | string[] | undefined, opts: Record<string, unknown>): string[] {
  const r = opts.r as string | undefined;
  const args = file === undefined ? [] : Array.isArray(file) ? file : [file];
  if (r !== undefined && args.length) throw new UsageError(`${command}: give the file once, either as -r FILE or as an argument`);
  const paths = r !== undefined ? [r] : args;
  if (!paths.length) throw new UsageError(`${command}: name a capture file (or - for standard input)`);
  return expandCaptureArgs(paths);
}
