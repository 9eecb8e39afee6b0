/**
 * The lab records its socket calls in English (lab --json keeps them as data); the Chinese
 * report must say every one of them in Chinese. This finds every phrase the lab records in
 * its sources, so a new phrase without a translation fails here.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { callText } from '../cli/lab/messages.js';

const REPO = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** Words that are names, not English: socket API calls, options, protocols. */
const NAMES = new Set(['connect', 'read', 'write', 'close', 'shutdown', 'accept', 'SO_LINGER', 'TLS', 'HTTP', 'FIN', 'GET', 'OK']);

function recordedPhrases(): Array<[string, string | undefined]> {
  const out: Array<[string, string | undefined]> = [];
  for (const f of ['cli/lab/scenarios.ts', 'cli/lab/url.ts']) {
    const src = readFileSync(join(REPO, f), 'utf8');
    for (const m of src.matchAll(/log\.add\((?:'client'|'server'|side), '([^']+)'(?:, '((?:[^'\\]|\\.)+)')?\)/g)) {
      out.push([m[1]!, m[2]?.replace(/\\'/g, "'")]);
    }
  }
  return out;
}

test('every socket call and detail the lab records has a Chinese text', () => {
  const phrases = recordedPhrases();
  assert.ok(phrases.length >= 15, `found only ${phrases.length} recorded phrases: the pattern no longer matches the sources`);
  for (const [call, detail] of phrases) {
    const zh = callText('zh-CN', call, detail);
    const english = (zh.match(/[A-Za-z_]{2,}/g) ?? []).filter((w) => !NAMES.has(w));
    assert.deepEqual(english, [], `"${call}${detail ? ` ${detail}` : ''}" is shown in Chinese as "${zh}"`);
    assert.equal(callText('en', call, detail), detail ? `${call} ${detail}` : call);
  }
});

test('numbered responses are translated with their number and status line', () => {
  assert.equal(callText('zh-CN', 'read()', 'response 2: HTTP/1.1 200 OK'), 'read() 响应 2：HTTP/1.1 200 OK');
});
