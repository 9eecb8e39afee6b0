/** Option parsers shared by the commands. */
import { UsageError } from './errors.js';
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

