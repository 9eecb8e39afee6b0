/** The core must run in a browser: nothing under src/ may import a Node module or use Node globals. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { REPO } from './support/tshark.js';

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...sources(p));
    else if (name.endsWith('.ts')) out.push(p);
  }
  return out;
}

const NODE_BUILTINS = new Set(['fs', 'path', 'os', 'zlib', 'child_process', 'stream', 'util', 'crypto', 'net', 'http', 'https', 'url', 'buffer', 'process', 'events', 'readline', 'worker_threads']);

test('nothing under src/ imports Node-only modules or globals', () => {
  const files = sources(join(REPO, 'src'));
  assert.ok(files.length > 10);
  const bad: string[] = [];
  for (const f of files) {
    const text = readFileSync(f, 'utf8');
    for (const m of text.matchAll(/(?:from\s+|import\s*\(\s*|require\s*\(\s*)['"]([^'"]+)['"]/g)) {
      const spec = m[1]!;
      if (spec.startsWith('node:') || NODE_BUILTINS.has(spec.split('/')[0]!)) bad.push(`${f}: imports ${spec}`);
    }
    // Strip comments and strings before looking for Node globals.
    const code = text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '').replace(/'(?:\\.|[^'\\])*'|"(?:\\.|[^"\\])*"|`(?:\\.|[^`\\])*`/g, '""');
    for (const g of ['Buffer.', 'process.', '__dirname', 'require(']) if (code.includes(g)) bad.push(`${f}: uses ${g}`);
  }
  assert.deepEqual(bad, []);
});
