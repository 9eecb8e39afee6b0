/**
 * Every message catalogue under src/i18n/ (an exported object keyed by 'en' and 'zh-CN')
 * must have the same keys in both languages, no empty text, and the same {placeholders}.
 * Catalogues are found by reading the folder, so a new one is checked without editing this test.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { REPO } from './support/tshark.js';

const LANGS = ['en', 'zh-CN'];
const placeholders = (s: string): string[] => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!).sort();

/** Flatten nested catalogues (`{ en: { a: { b: 'x' } } }`) to dotted keys. */
function flatten(o: unknown, prefix = '', out = new Map<string, unknown>()): Map<string, unknown> {
  if (o && typeof o === 'object' && !Array.isArray(o) && !(o instanceof Map)) {
    for (const [k, v] of Object.entries(o)) flatten(v, prefix ? `${prefix}.${k}` : k, out);
  } else out.set(prefix, o);
  return out;
}

test('every i18n catalogue is complete in English and Simplified Chinese', async () => {
  const dir = join(REPO, 'dist/src/i18n');
  const files = readdirSync(dir).filter((f) => f.endsWith('.js'));
  assert.ok(files.length >= 2, 'meanings and lifecycle catalogues at least');
  let catalogues = 0;
  const problems: string[] = [];
  for (const f of files) {
    const mod = await import(pathToFileURL(join(dir, f)).href) as Record<string, unknown>;
    for (const [name, value] of Object.entries(mod)) {
      if (!value || typeof value !== 'object' || !LANGS.every((l) => l in (value as object))) continue;
      catalogues++;
      const flat = LANGS.map((l) => flatten((value as Record<string, unknown>)[l]));
      const all = new Set(flat.flatMap((m) => [...m.keys()]));
      for (const key of all) {
        const texts = flat.map((m) => m.get(key));
        LANGS.forEach((l, i) => {
          const t = texts[i];
          if (t === undefined) problems.push(`${f} ${name}: "${key}" missing in ${l}`);
          else if (typeof t === 'string' && !t.trim()) problems.push(`${f} ${name}: "${key}" is empty in ${l}`);
        });
        if (texts.every((t) => typeof t === 'string')) {
          const [a, b] = texts.map((t) => placeholders(t as string).join(','));
          if (a !== b) problems.push(`${f} ${name}: "${key}" placeholders differ: en {${a}} zh-CN {${b}}`);
        }
      }
    }
  }
  assert.ok(catalogues >= 2, `found ${catalogues} catalogues`);
  assert.deepEqual(problems, []);
});
