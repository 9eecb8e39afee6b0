/**
 * docs/tutorial.md and docs/tutorial.zh-CN.md: every ```console block is a command (`$ …`) and
 * the exact output it prints. Each command runs in a shell with `tcpscope` on the PATH (this
 * build), COLUMNS=100 and LANG=C, from the repository root, and its output must equal the block.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI, REPO } from './support/tshark.js';

const bin = mkdtempSync(join(tmpdir(), 'tcpscope-tutorial-'));
writeFileSync(join(bin, 'tcpscope'), `#!/bin/sh\nexec "${process.execPath}" "${CLI}" "$@"\n`);
chmodSync(join(bin, 'tcpscope'), 0o755);
const env = { ...process.env, PATH: `${bin}:${process.env.PATH ?? ''}`, COLUMNS: '100', LANG: 'C' };

for (const doc of ['docs/tutorial.md', 'docs/tutorial.zh-CN.md']) {
  const text = readFileSync(join(REPO, doc), 'utf8');
  const blocks = [...text.matchAll(/```console\n\$ (.*)\n([\s\S]*?)```/g)];
  test(`${doc}: has the whole exercise`, () => {
    assert.ok(blocks.length >= 12, `${blocks.length} commands`);
    for (const word of ['explain', 'follow', 'conns', 'read', '-V', '-Y']) assert.ok(blocks.some((b) => b[1]!.includes(word)), word);
  });
  for (const [, cmd, expected] of blocks) {
    test(`${doc}: ${cmd}`, () => {
      const r = spawnSync('sh', ['-c', cmd!], { cwd: REPO, env, encoding: 'utf8', maxBuffer: 1 << 26 });
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.stdout.replace(/\n+$/, ''), expected!.replace(/\n+$/, ''));
    });
  }
}
