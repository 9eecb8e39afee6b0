/**
 * Every message catalogue under src/i18n/ (an exported object keyed by 'en' and 'zh-CN')
 * must have the same keys in both languages, no empty text, and the same {placeholders}.
 * Catalogues are found by reading the folder, so a new one is checked without editing this test.
 * Catalogues made with defineCatalogue (src/i18n/catalog.ts) are typed: a missing or extra key
 * does not compile, and lookups take only their keys; what the compiler cannot show, that
 * every key is used, is checked here by finding each key as a literal in the compiled sources.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
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

/** Every compiled .js file under `dir` except those under `skip`. */
function jsFiles(dir: string, skip: string, out: string[] = []): string[] {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) { if (p !== skip) jsFiles(p, skip, out); } else if (e.name.endsWith('.js')) out.push(p);
  }
  return out;
}

const MARK = Symbol.for('tcpscope.i18n.catalogue');

test('every key of a typed i18n catalogue is used in src/', async () => {
  const i18n = join(REPO, 'dist/src/i18n');
  const sources = jsFiles(join(REPO, 'dist/src'), i18n).map((f) => [relative(REPO, f), readFileSync(f, 'utf8')] as const);
  assert.ok(sources.length > 20, `found ${sources.length} compiled sources`);
  const typed: string[] = [];
  const unused: string[] = [];
  for (const f of readdirSync(i18n).filter((x) => x.endsWith('.js'))) {
    const mod = await import(pathToFileURL(join(i18n, f)).href) as Record<string, unknown>;
    for (const [name, value] of Object.entries(mod)) {
      if (!value || typeof value !== 'object' || !(MARK in value)) continue;
      typed.push(name);
      for (const key of Object.keys((value as Record<string, object>)['en']!)) {
        // A key is used where a program names it: as a quoted literal (a lookup, a field name, a typed map's value).
        const quoted = [`'${key}'`, `"${key}"`];
        if (!sources.some(([, text]) => quoted.some((q) => text.includes(q)))) unused.push(`${f} ${name}: "${key}"`);
      }
    }
  }
  for (const name of ['FIELD_MEANINGS', 'DETAILS_TEXTS', 'ANALYSIS_TITLES', 'ANALYSIS_WHY', 'ANALYSIS_TEXTS']) {
    assert.ok(typed.includes(name), `${name} is made with defineCatalogue`);
  }
  assert.deepEqual(unused, []);
});

test('catalogue lookups never fall back to the key: fill and translator', async () => {
  const { fill, translator, defineCatalogue } = await import(pathToFileURL(join(REPO, 'dist/src/i18n/catalog.js')).href) as typeof import('../src/i18n/catalog.js');
  assert.equal(fill('{a} and {b}', { a: 1 }), '1 and {b}');
  assert.equal(fill('{a} and {b}', { a: 'x', b: undefined }, '-'), 'x and -');
  assert.equal(fill('{toString}', {}), '{toString}', 'only own properties fill a placeholder');
  const cat = defineCatalogue<'hello'>({ en: { hello: 'hello {who}' }, 'zh-CN': { hello: '你好 {who}' } });
  const t = translator(cat);
  assert.equal(t('en', 'hello', { who: 'A' }), 'hello A');
  assert.equal(t('zh-CN', 'hello', { who: 'B' }), '你好 B');
  assert.ok(MARK in cat);
});

test('a Chinese field note joins the name and the meaning with one colon at most (read -V --lang zh-CN)', async () => {
  const { FIELD_NAMES, fieldNote } = await import('../src/i18n/meanings.js');
  const fields = Object.keys(FIELD_NAMES['zh-CN']);
  assert.ok(fields.length > 30);
  let dashed = 0;
  for (const f of fields) {
    const note = fieldNote('zh-CN', f);
    if (!note) continue;
    const name = FIELD_NAMES['zh-CN'][f as keyof (typeof FIELD_NAMES)['zh-CN']];
    assert.ok(!note.startsWith(`${name}：`) || !note.slice(name.length + 1).includes('：'), `${f}: "${note}" has two colons`);
    if (note.startsWith(`${name}——`)) dashed++;
  }
  assert.ok(dashed > 0, 'no note needed the dash: the test no longer covers the case');
});
