/**
 * The lifecycle catalogue (src/i18n/lifecycle.ts): every key is used somewhere, written out in
 * full (keys are never built from templates, so a search finds each one), and msg() refuses a
 * key it does not know instead of printing the key. Missing and extra keys per language are
 * compile errors (`satisfies Record<MessageKey, string>`).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { REPO } from './support/tshark.js';
import { LIFECYCLE_MESSAGES, msg, type MessageKey } from '../src/i18n/lifecycle.js';

function sources(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) sources(p, out);
    else if (name.endsWith('.ts')) out.push(p);
  }
  return out;
}

test('every lifecycle message key is used, and none is built from a template', () => {
  const files = [...sources(join(REPO, 'src')), ...sources(join(REPO, 'cli'))];
  let text = '';
  for (const f of files) {
    let s = readFileSync(f, 'utf8');
    if (f.endsWith(join('i18n', 'lifecycle.ts'))) {
      // Leave out the catalogues themselves: a key defined is not a key used.
      const a = s.indexOf('const EN = {'), b = s.indexOf('export const LIFECYCLE_MESSAGES');
      assert.ok(a > 0 && b > a, 'catalogue bounds found');
      s = s.slice(0, a) + s.slice(b);
    }
    assert.doesNotMatch(s, /msg\([^,]+, `/, `${f}: a message key built from a template`);
    text += s + '\n';
  }
  const unused = Object.keys(LIFECYCLE_MESSAGES.en).filter((k) => !text.includes(`'${k}'`));
  assert.deepEqual(unused, []);
});

test('msg() throws on a key it does not know, never prints the key', () => {
  assert.throws(() => msg('en', 'no.such.key' as MessageKey), /no message "no.such.key"/);
  assert.equal(msg('zh-CN', 'side.client'), '客户端');
  assert.equal(msg('en', 'ex.npackets.many', { n: 3 }), '3 packets');
});
